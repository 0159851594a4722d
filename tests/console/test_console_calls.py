"""The calls list and one call's detail; the dashboard's KPIs as chart and table."""

from __future__ import annotations

import re

from flows.session import CallerHungUp, NoInput, Pressed, Said
from records import browse
from support.console import place_call
from support.flowkit import CLOSED

BOTH_BACKENDS = True  # the console's tables on SQLite and on PostgreSQL (conftest)

DEC = {"from": "2026-11-25", "to": "2026-12-07"}


def calls(app):
    place_call(app, [Pressed("1"), Said("12 rue victor hugo"), Pressed("1"), Pressed("2"), NoInput()], call_id="waste-en")
    place_call(app, [Pressed("0")], language="fr", caller="+33622222222", call_id="person-fr")
    place_call(app, [CallerHungUp()], language="es", caller="+34612345678", call_id="hangup-es")
    place_call(app, [Pressed("0"), Pressed("0612345678#")], language="fr", at=CLOSED, call_id="callback-fr")


def test_the_list_shows_the_calls_of_the_period_with_filters(app, editor):
    calls(app)
    page = editor.get("/console/calls", query_string=DEC).get_data(as_text=True)
    assert "4 calls from 25/11/2026 to 07/12/2026" in page  # the staff's language, the town's way
    fr = editor.get("/console/calls", query_string={**DEC, "language": "fr"}).get_data(as_text=True)
    assert "2 calls" in fr and "/console/calls/person-fr" in fr and "/console/calls/waste-en" not in fr
    transferred = editor.get("/console/calls", query_string={**DEC, "outcome": "transferred"}).get_data(as_text=True)
    assert "1 call " in transferred and "person-fr" in transferred
    words = editor.get("/console/calls", query_string={**DEC, "q": "victor"}).get_data(as_text=True)
    assert "1 call " in words and "waste-en" in words
    # Only the last two digits of a caller's number, never the number.
    assert "ends in 11" in page and "+33611111111" not in page
    empty = editor.get("/console/calls", query_string={"from": "2020-01-01", "to": "2020-01-02"})
    assert "0 calls" in empty.get_data(as_text=True)


def test_bad_filters_are_explained(editor):
    response = editor.get("/console/calls", query_string={"from": "yesterday"})
    assert response.status_code == 422 and "must be a date such as 2026-12-01" in response.get_data(as_text=True)
    assert editor.get("/console/calls", query_string={"from": "2026-12-05", "to": "2026-12-01"}).status_code == 422
    assert editor.get("/console/calls", query_string={"language": "xx"}).status_code == 422
    assert editor.get("/console/calls", query_string={"outcome": "exploded"}).status_code == 422


def test_one_call_shows_turns_understanding_provenance_and_latency(app, editor):
    calls(app)
    page = editor.get("/console/calls/waste-en").get_data(as_text=True)
    assert 'said <span lang="en">“12 rue victor hugo”</span>' in page
    assert "pressed 1" in page
    assert "waste.collection_day" in page  # what was understood
    assert "<code>collections / zone-A</code>, version 2026-11, verified 02/10/2026 (calendrier.pdf)" in page
    assert re.search(r"<dt>Latency</dt><dd>\d+ ms</dd>", page)
    assert "bin goes out on Tuesday" in page  # what the assistant said


def test_a_transferred_call_shows_its_whisper(app, editor, store):
    calls(app)
    row = browse.call(store, "person-fr")
    page = editor.get("/console/calls/person-fr").get_data(as_text=True)
    assert row["outcome"] == "transferred"
    assert row["summary"]  # the Call passes the Transfer's whisper to the records
    assert "Transfer whisper" in page and row["summary"] in page


def test_an_unknown_call_is_not_found(editor):
    response = editor.get("/console/calls/no-such-call")
    assert response.status_code == 404 and "was not found" in response.get_data(as_text=True)


def test_dashboard_figures_match_a_hand_count_in_chart_and_table(app, editor, store):
    calls(app)
    place_call(app, [CallerHungUp()], call_id="trial-x")
    browse.mark_trial(store, "trial-x", "ed")  # trial calls are left out
    page = editor.get("/console/dashboard", query_string=DEC).get_data(as_text=True)
    assert '<span class="value">4</span> calls started' in page
    # answered 1, transferred 1, callback 1, abandoned 1: in the table…
    for outcome in ("answered", "transferred", "callback asked", "abandoned"):
        assert f'<th scope="row">{outcome}</th><td class="num">1</td>' in page
    # …and in the chart's text alternative.
    assert "Calls by outcome: answered 1, transferred 1, callback asked 1, message left 0, abandoned 1, not ended 0" in page
    fr = editor.get("/console/dashboard", query_string={**DEC, "language": "fr"}).get_data(as_text=True)
    assert '<span class="value">2</span> calls started' in fr


def test_dashboard_top_not_understood_phrases(app, editor):
    place_call(app, [Said("purple elephants"), Said("purple giraffes"), NoInput(), Said("purple")], call_id="ladder")
    page = editor.get("/console/dashboard", query_string=DEC).get_data(as_text=True)
    assert "<td>purple elephants</td>" in page
