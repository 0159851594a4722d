"""The report's figures equal a hand count on a store filled here."""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import timedelta

import pytest

from civicline.commands import records_cmd
from records import CallRecorder, kpis
from support.records_data import KEY, T0, simple_turn
from support.stores import cli_database

A, B, C, D = "+33611111111", "+14155550100", "+34612345678", "+33622222222"
H, DAY = timedelta(hours=1), timedelta(days=1)
# id, start, caller, language, outcome, seconds, [(caller_text, intent)], satisfaction, reason
CALLS = [
    ("pre-1", -3 * DAY, A, "fr", "answered", 60, [("poubelles", "waste.day")], None, None),
    ("pre-2", -20 * DAY, B, "en", "answered", 60, [("bins", "waste.day")], None, None),
    ("c1", 0 * H, A, "fr", "answered", 120, [("poubelles", "waste.day")], 5, None),
    (
        "c2",
        1 * H,
        B,
        "en",
        "transferred",
        200,
        [("Blah  blah", None), ("fee", "permits.fee")],
        None,
        "asked for a person",
    ),
    ("c3", 2 * DAY, A, "fr", "answered", 60, [("poubelles", "waste.day")], 4, None),
    ("c4", 10 * DAY, A, "fr", "callback", 300, [("je veux parler au maire", None)], 2, None),
    ("c5", 10 * DAY + H, C, "es", "abandoned", 15, [("eh", None), (None, None)], None, None),
    ("c6", 11 * DAY, C, "es", "transferred", 90, [("tasa", "permits.fee")], 3, "legal question"),
    ("c7", 12 * DAY, None, "en", "message", 100, [("blah blah", None)], 1, None),
    ("c8", 12 * DAY, D, "en", "answered", 31, [("meeting", "meetings.next")], 5, None),
    ("c9", 13 * DAY, D, "en", None, None, [], None, None),  # still in progress
    ("c10", 40 * DAY, D, "en", "answered", 30, [("x", "waste.day")], None, None),
]
UNTIL = T0 + 30 * DAY


@pytest.fixture
def filled(store):
    recorder = CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False)
    for call_id, offset, caller, lang, outcome, seconds, turns, sat, reason in CALLS:
        at = T0 + offset
        recorder.call_started(call_id, caller=caller, language=lang, at=at)
        for text, intent in turns:
            simple_turn(
                recorder, call_id, at, caller_text=text, intent=intent, key=None if text else "9"
            )
        if outcome:
            recorder.call_ended(
                call_id,
                at=at + timedelta(seconds=seconds),
                outcome=outcome,
                satisfaction=sat,
                transfer_reason=reason,
            )
    return store


def test_report_equals_hand_count(filled):
    r = kpis.compute(filled, since=T0, until=UNTIL, minutes_per_call=4)
    assert (r["calls"], r["ended"]) == (9, 8)
    assert (r["answered"], r["transferred"], r["callback"], r["message"], r["abandoned"]) == (
        3,
        2,
        1,
        1,
        1,
    )
    assert r["containment_rate"] == 0.375 and r["abandonment_rate"] == 0.125
    assert r["average_handling_s"] == 114.5  # (120+200+60+300+15+90+100+31) / 8
    assert r["transfer_reasons"] == {"asked for a person": 1, "legal question": 1}
    # c1 (A called 3 days before the window), c3 (A), c6 (C), c9 (D); not c4 (8 days after c3)
    assert (r["repeat_calls_7d"], r["repeat_callers_7d"], r["repeat_rate"]) == (4, 3, 0.5)
    assert r["satisfaction"] == {
        "responses": 6,
        "average": 3.33,
        "distribution": {"1": 1, "2": 1, "3": 1, "4": 1, "5": 2},
    }
    assert r["time_saved_minutes"] == 12
    lang = r["by_language"]
    assert {
        k: (v["calls"], v["answered"], v["transferred"], v["abandoned"]) for k, v in lang.items()
    } == {"en": (4, 1, 1, 0), "es": (2, 0, 1, 1), "fr": (3, 2, 0, 0)}
    assert lang["fr"]["containment_rate"] == 0.6667
    intent = r["by_intent"]
    assert {k: (v["calls"], v["answered"], v["transferred"]) for k, v in intent.items()} == {
        "meetings.next": (1, 1, 0),
        "none": (4, 0, 0),
        "permits.fee": (2, 0, 2),
        "waste.day": (2, 2, 0),
    }
    assert r["top_not_understood"] == [
        {"text": "blah blah", "count": 2},
        {"text": "je veux parler au maire", "count": 1},
        {"text": "eh", "count": 1},
    ]


def test_formats(filled):
    r = kpis.compute(filled, since=T0, until=UNTIL, minutes_per_call=4)
    assert json.loads(kpis.render(r, "json")) == json.loads(json.dumps(r))
    rows = list(csv.DictReader(io.StringIO(kpis.render(r, "csv"))))
    by_metric = {(x["metric"], x["item"]): x["value"] for x in rows}
    assert by_metric[("answered", "")] == "3"
    assert by_metric[("transfer_reasons.legal question", "")] == "1"
    assert by_metric[("by_language.fr.answered", "")] == "2"
    assert by_metric[("top_not_understood", "blah blah")] == "2"
    text = kpis.render(r, "text")
    assert "answered (contained)   3  37.5%" in text
    assert "time saved             12.0 min  (3 contained × 4.0 min)" in text
    assert "blah blah" in text


def parser():
    p = argparse.ArgumentParser()
    p.add_argument("--config")
    records_cmd.register(p.add_subparsers())
    return p


def test_report_command(filled, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no civicline.toml here: options and defaults
    args = parser().parse_args(
        [
            "report",
            *cli_database(filled, monkeypatch),
            "--since",
            T0.date().isoformat(),
            "--format",
            "json",
            "--minutes-per-call",
            "4",
        ]
    )
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    expected = kpis.compute(filled, since=T0, minutes_per_call=4)
    out.pop("window"), expected.pop("window")
    assert out == json.loads(json.dumps(expected))
    assert out["calls"] == 10  # c10 too: no end to the window but now


def test_purge_and_doctor_commands(filled, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    database = cli_database(filled, monkeypatch)
    args = parser().parse_args(["purge", *database, "--dry-run"])
    assert args.func(args) == 0
    assert "would purge" in capsys.readouterr().out
    if database:  # the SQLite file, given as the server's environment would
        monkeypatch.setenv("CIVICLINE_DB", database[1])
    args = parser().parse_args(["doctor", "--records-only"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "writable" in out and "schema version" in out and "PROBLEM" not in out
    assert ("WAL journal" in out) == (filled.backend == "sqlite")
    assert ("reachable (PostgreSQL" in out) == (filled.backend == "postgresql")


def test_since_parsing():
    now = T0
    assert records_cmd.parse_since("30d", now) == T0 - 30 * DAY
    assert records_cmd.parse_since("12h", now) == T0 - 12 * H
    assert records_cmd.parse_since("2w", now) == T0 - 14 * DAY
    assert records_cmd.parse_since("2026-03-01", now).isoformat() == "2026-03-01T00:00:00+00:00"
    with pytest.raises(records_cmd.CivicError):
        records_cmd.parse_since("last month", now)


def test_report_command_leaves_out_staff_trial_calls(filled, capsys, monkeypatch, tmp_path):
    from records.browse import mark_trial

    monkeypatch.chdir(tmp_path)
    first = filled.calls(since=T0)[0]["id"]
    mark_trial(filled, first, "clerk")
    args = parser().parse_args(["report", *cli_database(filled, monkeypatch), "--since", T0.date().isoformat(),
                                "--format", "json"])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["calls"] == 9
