"""A Call joins a transport, the engine and the records: every turn and request is recorded."""

from __future__ import annotations

from civicline.calls import Call
from flows.session import NoInput, Pressed, Said
from support.flowkit import CLOSED, OPEN


class FakeRecorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict]] = []

    def __getattr__(self, name):
        def record(call_id, *args, **kwargs):
            self.events.append((name, {"call_id": call_id, "args": args, **kwargs}))

        return record

    def of(self, name):
        return [e for n, e in self.events if n == name]


def test_every_turn_is_recorded_and_the_rating_ends_the_call(engine):
    recorder = FakeRecorder()
    call = Call(engine, lambda: OPEN, caller="+33612345678", language="en", recorder=recorder)
    call.start()
    call.send(Pressed("1"))
    call.send(Said("12 rue victor hugo"))
    call.send(Pressed("1"))
    call.send(Pressed("2"))  # nothing else
    step = call.send(Pressed("4"))  # the rating
    assert call.ended and step.state.outcome == "answered"
    assert recorder.of("call_started")[0]["caller"] == "+33612345678"
    turns = recorder.of("turn")
    assert len(turns) == 6
    assert turns[1]["key"] == "1" and turns[1]["intent"] == "waste.collection_day"
    assert turns[2]["caller_text"] == "12 rue victor hugo"
    answer_turn = turns[3]
    assert "Tuesday" in answer_turn["assistant_text"]
    assert answer_turn["provenance"][0]["dataset"] == "collections"
    ended = recorder.of("call_ended")
    assert len(ended) == 1 and ended[0]["satisfaction"] == 4 and ended[0]["outcome"] == "answered"


def test_silence_at_the_optional_rating_just_ends_the_call(engine):
    recorder = FakeRecorder()
    call = Call(engine, lambda: OPEN, language="fr", recorder=recorder)
    call.start()
    call.send(Pressed("2"))
    call.send(Said("demain"))
    call.send(Said("non"))
    step = call.send(NoInput())
    assert call.ended and "Au revoir" in " ".join(a.text for a in step.actions if hasattr(a, "text"))
    assert recorder.of("call_ended")[0]["satisfaction"] is None


def test_transfer_summary_and_review_request_are_recorded(engine):
    recorder = FakeRecorder()
    call = Call(engine, lambda: OPEN, language="es", recorder=recorder)
    call.start()
    call.send(Pressed("0"))
    ended = recorder.of("call_ended")[0]
    assert ended["outcome"] == "transferred" and ended["transfer_reason"] == "caller_asked"
    assert "espagnol" in ended["summary"]
    assert recorder.of("staff_request")[0]["kind"] == "review"


def test_after_hours_callback_is_a_staff_request_with_the_number(engine):
    recorder = FakeRecorder()
    call = Call(engine, lambda: CLOSED, language="fr", recorder=recorder)
    call.start()
    call.send(Pressed("0"))
    call.send(Pressed("0612345678#"))
    requests = [r for r in recorder.of("staff_request") if r["kind"] == "callback"]
    assert requests[0]["details"]["number"] == "0612345678"
    assert requests[0]["details"]["language"] == "fr"
    assert recorder.of("call_ended")[0]["outcome"] == "callback"


def test_a_failing_recorder_never_breaks_the_call(engine):
    class Broken:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise OSError("disk full")

            return fail

    call = Call(engine, lambda: OPEN, language="en", recorder=Broken())
    call.start()
    step = call.send(Pressed("0"))
    assert call.ended and step.actions
