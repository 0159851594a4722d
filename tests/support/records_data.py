"""Shared values and helpers of the call-records tests."""

from __future__ import annotations

from datetime import UTC, datetime

from records import CallRecorder

KEY = b"test-key-0123456789abcdef-not-a-secret"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def simple_turn(recorder: CallRecorder, call_id: str, at: datetime, **fields) -> None:
    values = dict(
        caller_text="hello",
        key=None,
        intent="waste.day",
        score=0.9,
        node="start",
        assistant_text="Tuesday",
        provenance=[],
        latency_ms=12.0,
    )
    values.update(fields)
    recorder.turn(call_id, at=at, **values)
