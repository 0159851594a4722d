"""Each call says how the resident reached the service (voice, sms, chat), and the KPIs are
counted per channel; a store from before channels existed gains the column, its calls phone calls."""

from __future__ import annotations

import argparse
import json
import sqlite3
from datetime import timedelta

import pytest

from civicline.commands import records_cmd
from records import CallRecorder, SQLiteStore, kpis
from records.database import iso
from records.schema import MIGRATIONS, statements
from support.records_data import KEY, T0, simple_turn
from support.stores import cli_database


def a_store_migrated_to(db, last: int) -> None:
    """A records file as an older civicline left it: migrations up to ``last``, one call."""
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for version, name, sql in [m for m in MIGRATIONS if m[0] <= last]:
        for statement in statements(sql):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?, ?, ?)", (version, name, iso(T0)))
    conn.execute("INSERT INTO calls (id, started_at, language) VALUES ('old', ?, 'fr')", (iso(T0),))
    conn.commit()
    conn.close()


def test_a_store_from_before_channels_keeps_its_calls_as_phone_calls(db):
    a_store_migrated_to(db, 3)  # before the channels
    store = SQLiteStore(db)
    try:
        assert store.schema_version() == MIGRATIONS[-1][0]
        [old] = store.calls()
        assert old["channel"] == "voice"
        recorder = CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False)
        recorder.call_started("new", caller="+33611111111", language="fr", at=T0, channel="sms")
        assert {c["id"]: c["channel"] for c in store.calls()} == {"old": "voice", "new": "sms"}
    finally:
        store.close()


def test_an_unknown_channel_is_refused_by_the_store_and_recorded_as_voice_by_the_recorder(store, recorder):
    recorder.call_started("c", caller=None, language="en", at=T0, channel="fax")
    assert store.calls()[0]["channel"] == "voice"
    # The column's CHECK refuses any other writer's unknown channel, loudly.
    with pytest.raises(Exception, match="(?i)check"):
        store.start_call({"id": "d", "started_at": iso(T0), "language": "en", "caller_hash": None,
                          "caller_last2": None, "channel": "fax"})
    assert [c["id"] for c in store.calls()] == ["c"]


def test_kpis_per_channel_equal_a_hand_count(store, recorder):
    calls = [  # id, channel, outcome, seconds
        ("v1", "voice", "answered", 100), ("v2", "voice", "transferred", 200),
        ("s1", "sms", "answered", 600), ("s2", "sms", "abandoned", 1800), ("s3", "sms", "answered", 300),
        ("c1", "chat", "transferred", 900),
    ]
    for n, (call_id, channel, outcome, seconds) in enumerate(calls):
        at = T0 + timedelta(minutes=n)
        recorder.call_started(call_id, caller=None, language="fr", at=at, channel=channel)
        simple_turn(recorder, call_id, at, caller_text="poubelles", intent="waste.day")
        recorder.call_ended(call_id, at=at + timedelta(seconds=seconds), outcome=outcome)
    report = kpis.compute(store, since=T0 - timedelta(days=1), until=T0 + timedelta(days=1))
    by = report["by_channel"]
    assert list(by) == ["voice", "sms", "chat"]
    assert (by["voice"]["calls"], by["voice"]["answered"], by["voice"]["transferred"]) == (2, 1, 1)
    assert (by["sms"]["calls"], by["sms"]["containment_rate"], by["sms"]["abandonment_rate"]) == (3, 0.6667, 0.3333)
    assert by["sms"]["average_handling_s"] == 900.0
    assert (by["chat"]["calls"], by["chat"]["transferred"]) == (1, 1)
    text = kpis.render(report, "text")
    assert "By channel" in text and "sms" in text
    assert any(row.startswith("by_channel.chat.transferred,,1") for row in kpis.render(report, "csv").splitlines())


def test_the_report_command_prints_the_channels(store, recorder, capsys, monkeypatch, tmp_path):
    recorder.call_started("s1", caller=None, language="fr", at=T0, channel="sms")
    recorder.call_ended("s1", at=T0 + timedelta(seconds=60), outcome="answered")
    recorder.call_started("v1", caller=None, language="fr", at=T0, channel="voice")
    monkeypatch.chdir(tmp_path)  # no civicline.toml here: options and defaults
    p = argparse.ArgumentParser()
    p.add_argument("--config")
    records_cmd.register(p.add_subparsers())
    database = cli_database(store, monkeypatch)
    args = p.parse_args(["report", *database, "--since", T0.date().isoformat()])
    assert args.func(args) == 0
    text = capsys.readouterr().out
    by_channel = text.split("By channel")[1].split("By language")[0].splitlines()
    assert [line.split()[:2] for line in by_channel[1:]] == [["voice", "1"], ["sms", "1"], ["chat", "0"]]
    args = p.parse_args(["report", *database, "--since", T0.date().isoformat(), "--format", "json"])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["by_channel"]["sms"]["answered"] == 1


def test_a_store_from_before_towns_keeps_its_calls_and_each_new_call_says_its_town(db):
    a_store_migrated_to(db, 5)  # before the towns
    store = SQLiteStore(db)
    try:
        assert store.schema_version() == MIGRATIONS[-1][0]
        # The recorder's own town for a call that names none; the call's town otherwise.
        recorder = CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False, town="port-lumiere")
        recorder.call_started("here", caller=None, language="fr", at=T0)
        recorder.call_started("there", caller=None, language="en", at=T0, town="gedling")
        assert {c["id"]: c["town"] for c in store.calls()} == {"old": "", "here": "port-lumiere", "there": "gedling"}
        assert kpis.compute(store, since=T0 - timedelta(days=1), until=T0 + timedelta(days=1), town="gedling")[
            "calls"] == 1
    finally:
        store.close()
