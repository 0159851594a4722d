"""Several towns on one service: the called number (Twilio's ``To``) picks the town, through
the fake Twilio, on one served app answering the repository's two towns."""

from __future__ import annotations

import logging
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from civicline.config import ConfigError, load_config
from records.kpis import compute
from staff_files.problems import FlowError
from support.fake_twilio import Caller, heard_text, known_audio

ROOT = Path(__file__).resolve().parents[2]
PORT_LUMIERE, GEDLING, NOBODY = "+33199000000", "+441159000000", "+15005550006"
TOWNS = {PORT_LUMIERE: ROOT / "towns" / "port-lumiere", GEDLING: ROOT / "towns" / "gedling"}
LANG_MENU = ["Pour le français, appuyez sur 1.", "For English, press 2.", "Para español, marque 3."]
GEDLING_HELLO = "Hello, you have reached Gedling Borough Council."


@pytest.fixture
def two_towns(make_line):
    return make_line("twiml", towns=TOWNS, town_path=TOWNS[PORT_LUMIERE], meaning_model="none")


def test_each_number_reaches_its_own_town_and_its_records(two_towns, sentences):
    line = two_towns
    calls = {}
    for number in (PORT_LUMIERE, GEDLING):
        sid, params, r = line.twilio.incoming(to=number)
        heard: list = []
        # The caller hangs up at the first question; Twilio then reports the call ended.
        assert line.twilio.follow(r, params, Caller(turns=[("hangup", None)]), heard, []) == "caller hung up"
        assert line.twilio.status(params).status_code == 204
        calls[number] = (sid, heard_text(sentences, heard))
    pl_sid, pl_said = calls[PORT_LUMIERE]
    g_sid, g_said = calls[GEDLING]
    assert pl_said[:3] == LANG_MENU  # Port-Lumière's French menu first
    assert g_said[0].startswith(GEDLING_HELLO)  # Gedling speaks English only: no menu
    assert not any(s in g_said for s in LANG_MENU)
    towns = {c["id"]: (c["town"], c["outcome"]) for c in line.store.calls()}
    assert towns == {pl_sid: ("port-lumiere", "abandoned"), g_sid: ("gedling", "abandoned")}
    # The KPIs of one town count only its calls.
    assert compute(line.store, town="gedling")["calls"] == 1
    assert compute(line.store, town="port-lumiere")["calls"] == 1
    assert compute(line.store)["calls"] == 2


def test_a_call_keeps_its_town_whatever_later_webhooks_say(two_towns):
    line = two_towns
    sid, params, first = line.twilio.incoming(to=GEDLING)
    # A retry of the first webhook naming another number, then a turn without any ``To``:
    # the call stays with Gedling, whose menu has no key 3 for Spanish.
    _, _, again = line.twilio.incoming(call_sid=sid, to=PORT_LUMIERE)
    assert again.text == first.text
    assert line.tel.in_progress.get(sid).town == "gedling"
    action = ET.fromstring(first.text).find("Gather").get("action")
    no_to = {k: v for k, v in params.items() if k != "To"}
    assert line.twilio.post(action, {**no_to, "Digits": "1"}).status_code == 200
    line.twilio.status(no_to)
    [call] = line.store.calls()
    assert call["town"] == "gedling" and call["language"] == "en"
    # Key 1 is Gedling's bin collections (Port-Lumière's would have been French).
    assert [(t["key_pressed"], t["intent"]) for t in line.store.turns()][1] == ("1", "waste.collection_day")


def test_another_worker_answers_a_later_turn_in_the_calls_town(make_line):
    """Two apps on one calls-in-progress file, as two workers (or a restart): the second,
    which never saw the call's first webhook, answers its next turn, without ``To``, as Gedling."""
    first = make_line("twiml", towns=TOWNS, meaning_model="none")
    other = make_line("twiml", towns=TOWNS, meaning_model="none")
    sid, params, r = first.twilio.incoming(to=GEDLING)
    action = ET.fromstring(r.text).find("Gather").get("action")
    no_to = {k: v for k, v in params.items() if k != "To"}
    assert other.twilio.post(action, {**no_to, "Digits": "1"}).status_code == 200
    assert other.tel.in_progress.get(sid).town == "gedling"
    turn = [t for t in other.store.turns() if t["key_pressed"] == "1"]
    assert [t["intent"] for t in turn] == ["waste.collection_day"]


def test_a_streamed_call_hears_its_towns_greeting(make_line, sentences):
    """Media Streams: the stream's dialog (civicline.phone.dialog) speaks as the town called."""
    line = make_line("streams", towns=TOWNS, meaning_model="none")
    sid, params, r = line.twilio.incoming(to=GEDLING)
    leg = line.twilio.stream(r, sid)
    try:
        prompt = leg.next_prompt(90.0)
        said = known_audio(sentences, bytes(prompt.audio))
        assert said and said[0].startswith(GEDLING_HELLO), said
    finally:
        leg.hang_up()
    assert line.tel.streams.wait_gone(sid)
    line.twilio.status(params)
    [call] = line.store.calls()
    assert call["town"] == "gedling"


def test_an_unknown_number_is_told_so_and_hung_up(two_towns, caplog):
    line = two_towns
    with caplog.at_level(logging.WARNING, logger="civicline.twilio.webhooks"):
        sid, params, r = line.twilio.incoming(to=NOBODY)
    assert r.status_code == 200
    verbs = [v.tag for v in ET.fromstring(r.text)]
    assert verbs == ["Say", "Say", "Hangup"]
    assert "not in service" in r.text
    assert any("no town answers" in m and NOBODY in m for m in caplog.messages)
    assert line.tel.in_progress.get(sid) is None and line.store.calls() == []
    # Twilio's status callback for that call changes nothing either.
    assert line.twilio.status(params).status_code == 204
    assert line.store.calls() == []


def test_health_names_each_number_and_its_town(two_towns):
    import requests

    got = requests.get(line_url(two_towns) + "/health", timeout=30).json()
    assert got["towns"] == {PORT_LUMIERE: "Port-Lumière", GEDLING: "Gedling Borough Council"}


def line_url(line) -> str:
    return f"http://127.0.0.1:{line.server.server_port}"


# ---- the [towns] table --------------------------------------------------------------


def _toml(tmp_path: Path, towns: str) -> Path:
    file = tmp_path / "civicline.toml"
    file.write_text(f"[town]\npath = {str(TOWNS[PORT_LUMIERE])!r}\n\n[towns]\n{towns}\n", encoding="utf-8")
    return file


def test_towns_table_maps_numbers_to_folders_relative_to_the_file(tmp_path):
    shutil.copytree(TOWNS[GEDLING], tmp_path / "towns" / "gedling")
    file = _toml(tmp_path, f'"{GEDLING}" = "towns/gedling"\n"{PORT_LUMIERE}" = {str(TOWNS[PORT_LUMIERE])!r}')
    config = load_config(file, env={})
    assert config.towns == {GEDLING: tmp_path / "towns" / "gedling", PORT_LUMIERE: TOWNS[PORT_LUMIERE]}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('"0115 900 0000" = "towns/gedling"', "E.164"),
        ('"+441159000000" = 3', "expected the town's folder"),
    ],
)
def test_bad_towns_entries_are_refused_with_their_place(tmp_path, entry, message):
    with pytest.raises(ConfigError) as err:
        load_config(_toml(tmp_path, entry), env={})
    assert message in str(err.value) and "[towns]" in str(err.value)


def test_a_folder_that_is_no_town_stops_the_start_with_its_place(tmp_path):
    from civicline.towns import load_towns

    config = load_config(_toml(tmp_path, f'"{GEDLING}" = "towns/nowhere"'), env={})
    with pytest.raises(ConfigError) as err:
        load_towns(config)
    assert "[towns] '+441159000000'" in str(err.value) and "not a town folder" in str(err.value)


def test_a_town_with_broken_flows_stops_the_start_named(tmp_path, make_line):
    broken = tmp_path / "towns" / "gedling"
    shutil.copytree(TOWNS[GEDLING], broken)
    main = broken / "flows" / "main.yaml"
    main.write_text(main.read_text(encoding="utf-8").replace("next: menu", "next: no_such_node", 1), encoding="utf-8")
    with pytest.raises(FlowError) as err:
        make_line("twiml", towns={PORT_LUMIERE: TOWNS[PORT_LUMIERE], GEDLING: broken}, meaning_model="none")
    assert "town 'gedling' (called on +441159000000) cannot be served" in str(err.value)


def test_the_demo_of_make_run_answers_each_town_on_its_own_number(make_line, sentences):
    """`make run` serves both towns of the repository (Makefile DEMO_TOWNS, read through
    $CIVICLINE_TOWNS as the demo does): one served app, each town on its own number."""
    import re

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    demo = re.search(r"^DEMO_TOWNS \?= (.+)$", makefile, re.M).group(1)
    demo = demo.replace("$(TOWN)", "towns/port-lumiere").replace("$(GEDLING)", "towns/gedling")
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)  # the folders are the repository's, as `make run` names them
    try:
        towns = load_config(env={"CIVICLINE_TOWNS": demo, "CIVICLINE_CONFIG": str(ROOT / "civicline.toml")}).towns
    finally:
        os.chdir(cwd)
    assert {n: p.resolve() for n, p in towns.items()} == {n: p.resolve() for n, p in TOWNS.items()}
    line = make_line("twiml", towns=towns, meaning_model="none")
    heard = {}
    for number in towns:
        _, params, r = line.twilio.incoming(to=number)
        said: list = []
        line.twilio.follow(r, params, Caller(turns=[("hangup", None)]), said, [])
        heard[number] = heard_text(sentences, said)
    assert heard[PORT_LUMIERE][:3] == LANG_MENU
    assert heard[GEDLING][0].startswith(GEDLING_HELLO)
    assert sorted(c["town"] for c in line.store.calls()) == ["gedling", "port-lumiere"]
    with pytest.raises(ConfigError, match="NUMBER=FOLDER"):
        load_config(env={"CIVICLINE_TOWNS": "+33199000000"})
