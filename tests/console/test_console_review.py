"""The review list and callbacks: assign, note, close; "I verified this today"; a phrase not
understood added as an intent example in its language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flows.session import NoInput, Pressed, Said
from records import browse
from support.console import csrf, place_call
from support.flowkit import CLOSED

BOTH_BACKENDS = True  # the console's tables on SQLite and on PostgreSQL (conftest)

PARIS = ZoneInfo("Europe/Paris")


def not_understood(app) -> dict:
    place_call(app, [Said("purple elephants"), Said("purple giraffes"), NoInput(), Said("purple")], call_id="ladder")
    items = app.extensions["console"].store.review_items("open")
    assert items, "the engine puts a call not understood three times on the review list"
    return items[0]


def stale_record(store) -> str:
    store.add_review_item({
        "id": "stale-port", "call_id": None, "kind": "stale_record", "created_at": "2026-12-01T09:00:00.000+00:00",
        "reason": "verified 2025-01-10, 325 days ago", "context": {"dataset": "streets"},
        "dataset": "streets", "record": "rue-du-port",
    })
    return "stale-port"


def post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf(client), **data})


def test_assign_note_and_close_a_review_item(app, editor, store):
    item = not_understood(app)
    page = editor.get("/console/review").get_data(as_text=True)
    assert f"/console/review/{item['id']}" in page
    detail = editor.get(f"/console/review/{item['id']}").get_data(as_text=True)
    assert "purple elephants" in detail  # the call's last turns, for context
    assert post(editor, f"/console/review/{item['id']}", action="assign", assignee="ad").status_code == 302
    assert browse.review_item(store, item["id"])["assignee"] == "ad"
    post(editor, f"/console/review/{item['id']}", action="note", note="asked the waste team")
    post(editor, f"/console/review/{item['id']}", action="close", note="done")
    closed = browse.review_item(store, item["id"])
    assert closed["status"] == "closed"
    assert "ed: asked the waste team" in closed["note"] and "ed: done" in closed["note"]
    again = post(editor, f"/console/review/{item['id']}", action="close")
    assert again.status_code == 409 and "already closed by ad" in again.get_data(as_text=True)


def test_bad_review_input_is_refused(app, editor):
    item = not_understood(app)
    assert post(editor, f"/console/review/{item['id']}", action="assign", assignee="nobody").status_code == 422
    assert post(editor, f"/console/review/{item['id']}", action="note", note="").status_code == 422
    assert post(editor, f"/console/review/{item['id']}", action="explode").status_code == 422
    assert post(editor, f"/console/review/{item['id']}", action="note", note="x" * 3000).status_code == 422
    assert post(editor, "/console/review/nope", action="close").status_code == 404
    assert editor.get("/console/review", query_string={"status": "weird"}).status_code == 422


def test_add_a_phrase_not_understood_as_an_intent_example(app, editor, catalog_dir):
    item = not_understood(app)
    civic = app.extensions["civicline"]
    assert "purple elephants" not in civic.runtime.catalogs["en"].intents["waste.collection_day"]
    before_fr = (catalog_dir / "fr.yaml").read_text()
    response = post(editor, f"/console/review/{item['id']}/example",
                    phrase="purple elephants", language="en", intent="waste.collection_day")
    assert response.status_code == 302
    assert "purple elephants" in civic.runtime.catalogs["en"].intents["waste.collection_day"]
    assert '"purple elephants"' in (catalog_dir / "en.yaml").read_text()
    assert (catalog_dir / "fr.yaml").read_text() == before_fr  # only its language
    version = app.extensions["console"].versions.latest("catalog", "en.yaml")
    assert version.author == "ed" and "purple elephants" in version.note
    # A new call understands it now.
    call = place_call(app, [Said("purple elephants")], call_id="taught")
    assert call.state.node.startswith("waste.")


def test_bad_example_input_is_refused_and_nothing_changes(app, editor, catalog_dir):
    item = not_understood(app)
    before = (catalog_dir / "en.yaml").read_text()
    url = f"/console/review/{item['id']}/example"
    assert post(editor, url, phrase="x", language="xx", intent="waste.collection_day").status_code == 422
    assert post(editor, url, phrase="x", language="en", intent="no.such.intent").status_code == 422
    assert post(editor, url, phrase="", language="en", intent="waste.collection_day").status_code == 422
    known = app.extensions["civicline"].runtime.catalogs["en"].intents["waste.collection_day"][0]
    dup = post(editor, url, phrase=known.upper(), language="en", intent="waste.collection_day")
    assert dup.status_code == 409 and "already an example" in dup.get_data(as_text=True)
    assert (catalog_dir / "en.yaml").read_text() == before


def test_a_phrase_with_quotes_stays_one_example(app, editor, catalog_dir):
    item = not_understood(app)
    phrase = 'the "yellow" bin, when?'
    assert post(editor, f"/console/review/{item['id']}/example", phrase=phrase, language="en",
                intent="waste.collection_day").status_code == 302
    assert phrase in app.extensions["civicline"].runtime.catalogs["en"].intents["waste.collection_day"]


def test_i_verified_this_today_updates_the_record_and_closes_the_item(app, editor, store, town):
    item_id = stale_record(store)
    page = editor.get(f"/console/review/{item_id}").get_data(as_text=True)
    assert "I verified this today" in page
    assert post(editor, f"/console/review/{item_id}/verified").status_code == 302
    today = datetime.now(PARIS).date().isoformat()
    streets = (town / "data" / "streets.csv").read_text()
    assert f"rue-du-port,Rue du Port,A,{today}" in streets
    assert "rue-du-pont,Rue du Pont,B,2026-09-14" in streets  # only that record
    assert streets.startswith("# Streets")  # comments kept
    item = browse.review_item(store, item_id)
    day = datetime.now(PARIS).date().strftime("%d/%m/%Y")  # written the staff's way, in the town's country
    assert item["status"] == "closed" and f"verified streets/rue-du-port on {day}" in item["note"]
    assert app.extensions["console"].versions.latest("data", "data/streets.csv").author == "ed"


def test_verifying_an_unknown_record_says_so(app, editor, store, town):
    store.add_review_item({"id": "stale-x", "call_id": None, "kind": "stale_record",
                           "created_at": "2026-12-01T09:00:00.000+00:00", "reason": "never verified",
                           "context": None, "dataset": "streets", "record": "no-such-street"})
    before = (town / "data" / "streets.csv").read_text()
    response = post(editor, "/console/review/stale-x/verified")
    assert response.status_code == 422 and "no record &#39;no-such-street&#39;" in response.get_data(as_text=True)
    assert (town / "data" / "streets.csv").read_text() == before
    assert browse.review_item(store, "stale-x")["status"] == "open"


def test_callbacks_assign_note_and_close_deletes_the_number(app, editor, store):
    place_call(app, [Pressed("0"), Pressed("0612345678#")], language="fr", at=CLOSED, call_id="cb")
    request = store.staff_requests("open")[0]
    assert request["number"]
    page = editor.get("/console/callbacks").get_data(as_text=True)
    assert request["number"] in page
    url = f"/console/callbacks/{request['id']}"
    assert post(editor, url, action="assign").status_code == 302
    assert browse.staff_request(store, request["id"])["assignee"] == "ed"
    assert post(editor, url, action="close", note="called back, all good").status_code == 302
    closed = browse.staff_request(store, request["id"])
    assert closed["status"] == "closed" and closed["number"] is None
    assert "called back, all good" in closed["note"]
    assert post(editor, url, action="close").status_code == 409


def test_a_viewer_sees_only_the_last_digits_of_a_callback_number(app, viewer, store):
    place_call(app, [Pressed("0"), Pressed("0612345678#")], language="fr", at=CLOSED, call_id="cb2")
    request = store.staff_requests("open")[0]
    page = viewer.get("/console/callbacks").get_data(as_text=True)
    assert request["number"] not in page and "ends in" in page
    assert post(viewer, f"/console/callbacks/{request['id']}", action="close").status_code == 403
