"""What the console shows staff in their language rather than the engine's English or its
internal names: review reasons, intents offered to teach a phrase, a staff reply in a call's
log, the transfer whisper's request."""

from __future__ import annotations

import re
from html import unescape

import pytest

from flows.session import CallerHungUp, Said
from support.console import csrf, make_demo_app, place_call, sign_in


def french(client) -> None:
    assert client.post("/console/language", data={"csrf_token": csrf(client), "lang": "fr",
                                                  "next": "/console/dashboard"}).status_code == 302


def add_item(store, item_id: str, reason: str, kind: str = "other", **more) -> None:
    store.add_review_item({"id": item_id, "call_id": None, "kind": kind, "created_at": "2026-12-01T09:00:00.000+00:00",
                           "reason": reason, "context": more.pop("context", {}), "dataset": more.get("dataset"),
                           "record": more.get("record")})


@pytest.fixture
def demo(tmp_path, monkeypatch):
    app, _ = make_demo_app(tmp_path, monkeypatch)
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    assert sign_in(client).status_code == 302
    french(client)
    return app, client


def test_review_reasons_are_said_in_french_with_the_raw_text_kept(editor, store):
    french(editor)
    add_item(store, "r-person", "asked for a person", "asked_person")
    add_item(store, "r-emergency", "emergency: medical, heard by words+meaning", "emergency")
    add_item(store, "r-ladder", "not understood 3 times", "not_understood")
    add_item(store, "r-odd", "something nobody wrote a template for")
    page = unescape(editor.get("/console/review?status=all").get_data(as_text=True))
    assert "asked for a person</" not in page and "A demandé à parler à une personne" in page
    assert "Urgence : médicale, reconnue par ses mots et par son sens" in page
    assert "Pas compris 3 fois" in page
    # What has no translation stays as written, marked English, and the raw text stays at hand.
    assert '<span lang="en">something nobody wrote a template for</span>' in page
    item = unescape(editor.get("/console/review/r-emergency").get_data(as_text=True))
    assert "Urgence : médicale" in item and '<span lang="en">emergency: medical, heard by words+meaning</span>' in item



def test_a_reason_recorded_as_a_code_is_said_from_it(editor, store):
    """The engine records its reasons as a code and values (flows.dialog.review_reasons): the
    console says the code, whatever the English beside it; a row without one, from its English."""
    french(editor)
    add_item(store, "c-person", "asked to be put through", "asked_person",
             context={"reason": {"code": "asked_person", "values": {}}})
    add_item(store, "c-ladder", "not understood 3 times", "not_understood",
             context={"reason": {"code": "not_understood", "values": {"times": "4"}}})
    add_item(store, "c-notice", "asked for a person after the emergency number was said as a precaution (gas)",
             "emergency", context={"reason": {"code": "emergency_after_notice", "values": {"kind": "gas"}}})
    add_item(store, "e-notice", "asked for a person after the emergency number was said as a precaution (fire)",
             "emergency")
    add_item(store, "c-unknown", "a reason of a later version", context={"reason": {"code": "later", "values": {}}})
    page = unescape(editor.get("/console/review?status=all").get_data(as_text=True))
    assert "asked to be put through" not in page and "A demandé à parler à une personne" in page
    assert "Pas compris 4 fois" in page and "Pas compris 3 fois" not in page
    assert "A demandé une personne après le numéro d'urgence donné par précaution (gaz)" in page
    assert "donné par précaution (incendie)" in page  # the same reason from its English
    assert '<span lang="en">a reason of a later version</span>' in page
    item = unescape(editor.get("/console/review/c-notice").get_data(as_text=True))
    assert "donné par précaution (gaz)" in item and '<span lang="en">asked for a person after' in item

def test_permit_reasons_name_the_permit_as_staff_know_it(demo):
    app, client = demo
    store = app.extensions["console"].store
    add_item(store, "r-permit", "permit building_permit: covers, documents not written in it; the caller was offered "
             "a person; stale fee: cafe_terrace verified 2025-09-15, older than 180 days; the caller was offered a "
             "person", "stale_fee")
    page = unescape(client.get("/console/review?status=all").get_data(as_text=True))
    assert "building_permit" not in page
    assert "permis de construire" in page and "terrasse de café" in page
    assert "pas écrits en italien" in page and "ce qu'il couvre, les pièces à fournir" in page
    assert "Tarif à vérifier : terrasse de café, vérifié le 15/09/2025, il y a plus de 180 jours" in page


def test_handlers_reasons_recorded_as_codes_are_said_from_them(demo):
    """permits.describe and waste.next_collections record their reasons as codes too: the
    console says them from the codes (here other values than the English, to tell which was
    read), and a row with only the English sentence still from its words."""
    app, client = demo
    store = app.extensions["console"].store
    english = ("permit building_permit: covers, documents not written in it; the caller was offered a person; "
               "stale fee: cafe_terrace verified 2025-09-15, older than 180 days; the caller was offered a person")
    codes = [{"code": "permit_not_in_language", "values": {"permit": "cafe_terrace", "fields": "apply", "lang": "es"}},
             {"code": "stale_fee", "values": {"permit": "street_occupancy", "verified": "2026-01-02", "days": "90"}}]
    add_item(store, "h-permit", english, "stale_fee", context={"reasons": codes})
    add_item(store, "h-calendar", "stale_record", "stale_record",
             context={"reasons": [{"code": "stale_record", "values": {}}]})
    add_item(store, "h-later", english, "stale_fee",
             context={"reasons": [codes[0], {"code": "a later version's", "values": {}}]})
    page = unescape(client.get("/console/review/h-permit").get_data(as_text=True))
    assert "terrasse de café : où déposer la demande pas écrits en espagnol" in page
    assert "Tarif à vérifier : occupation de la voie publique, vérifié le 02/01/2026, il y a plus de 90 jours" in page
    assert "permis de construire" not in page.split('<span lang="en">')[0]
    page = unescape(client.get("/console/review?status=all").get_data(as_text=True))
    assert "Données à vérifier avant que l'assistant les redise" in page
    # A code this version does not know: the whole reason from its English, as an old row's.
    later = unescape(client.get("/console/review/h-later").get_data(as_text=True))
    assert "pas écrits en italien" in later and "vérifié le 15/09/2025, il y a plus de 180 jours" in later
    assert client.post("/console/language", data={"csrf_token": csrf(client), "lang": "es",
                                                  "next": "/console/dashboard"}).status_code == 302
    page = unescape(client.get("/console/review/h-permit").get_data(as_text=True))
    assert "Tarifa por comprobar: permiso de ocupación de la vía pública, comprobada el" in page
    assert "sin escribir en español" in page


def test_duplicate_stale_items_of_one_fact_show_once(demo):
    app, client = demo
    store = app.extensions["console"].store
    fact = {"dataset": "permits", "version": "v1", "verified": "2025-01-10", "document": "Règlement"}
    for rid, record in (("s-permit", "cafe_terrace"), ("s-fee", "cafe_terrace.fee")):
        add_item(store, rid, "verified 2025-01-10, 325 days ago (limit 180): the assistant no longer says it",
                 "stale_record", dataset="permits", record=record, context={**fact, "record": record})
    page = unescape(client.get("/console/review?status=all").get_data(as_text=True))
    assert "/console/review/s-permit" in page and "/console/review/s-fee" not in page
    assert "Vérifié le 10/01/2025, il y a 325 jours (limite 180) : l'assistant ne le dit plus" in page
    assert "terrasse de café et son tarif" in page


def test_teaching_a_phrase_offers_the_intents_by_their_names(demo):
    app, client = demo
    store = app.extensions["console"].store
    add_item(store, "r-teach", "not understood 3 times", "not_understood")
    page = unescape(client.get("/console/review/r-teach").get_data(as_text=True))
    assert '<option value="waste.collection_day"' in page
    assert ">waste.collection_day<" not in page
    option = page.split('<option value="waste.collection_day"', 1)[1].split("</option>", 1)[0]
    assert "collecte" in option.lower()


def test_a_staff_reply_shows_as_the_staff_s_reply_without_intent_or_step(app, editor, store):
    place_call(app, [Said("purple elephants")], call_id="chat-1")
    store.add_turn({"call_id": "chat-1", "seq": 5, "at": "2026-12-01T09:05:00.000+00:00", "assistant_text":
                    "Bonjour, le service vous rappelle demain.", "intent": "staff_reply", "node": "@person"})
    french(editor)
    page = unescape(editor.get("/console/calls/chat-1").get_data(as_text=True))
    reply = page.split("Échange 6", 1)[1].split("</li>", 1)[0]
    assert "Réponse de l'agent" in reply and "le service vous rappelle demain" in reply
    assert "staff_reply" not in reply and "@person" not in reply and "L'assistant a dit" not in reply


def test_the_dashboard_s_outcomes_add_up_to_its_calls(app, editor):
    place_call(app, [CallerHungUp()], call_id="ended")
    for n in range(3):
        place_call(app, [Said("purple elephants")], call_id=f"open-{n}")  # never hung up: no outcome
    page = editor.get("/console/dashboard", query_string={"from": "2026-11-25", "to": "2026-12-07"}).get_data(
        as_text=True)
    assert '<span class="value">4</span> calls started' in page and "(1 ended, 3 not ended)" in page
    assert "of the 1 ended calls" in page
    outcomes = page.split('aria-labelledby="outcomes"', 1)[1].split("</table>", 1)[0]
    counts = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', outcomes.split("<tfoot>")[0])]
    assert sum(counts) == 4 and '<th scope="row">not ended</th><td class="num">3</td>' in outcomes
    assert '<th scope="row">All calls started</th><td class="num">4</td>' in outcomes


def test_the_transfer_whisper_is_said_with_names_staff_know(demo):
    app, client = demo
    runtime = app.extensions["civicline"].runtime
    main = runtime.catalogs.main_language
    summary = runtime.catalogs.render("common.summary", main, {
        "language": "anglais", "asked": "emergency, waste.collection_day",
        "details": "address: 12 rue du Port; zones: A; permit: cafe_terrace"}).text
    place_call(app, [CallerHungUp()], call_id="whisper")
    store = app.extensions["console"].store
    store.end_call("whisper", {"ended_at": "2026-12-01T09:05:00.000+00:00", "outcome": "transferred",
                               "transfer_reason": "asked for a person", "summary": summary})
    page = unescape(client.get("/console/calls/whisper").get_data(as_text=True))
    said = page.split("Message soufflé au transfert", 1)[1].split("</dd>", 1)[0]
    assert "Demande : urgence, " in said and "Détails : adresse: 12 rue du Port; secteurs de collecte: A; " \
        "autorisation: terrasse de café" in said
    assert summary in said  # as the person heard it, kept
    assert "(A demandé à parler à une personne)" in page



def test_a_whisper_naming_slots_in_the_town_s_language_is_said_in_the_staff_s(demo):
    """The engine whispers slots by their catalog names in the town's main language
    ("adresse"); staff reading the console in another language read them in theirs."""
    app, client = demo
    runtime = app.extensions["civicline"].runtime
    summary = runtime.catalogs.render("common.summary", runtime.catalogs.main_language, {
        "language": "anglais", "asked": "les collectes de déchets",
        "details": "adresse: 12 rue du Port; secteurs de collecte: secteur Centre et port"}).text
    place_call(app, [CallerHungUp()], call_id="whisper-named")
    app.extensions["console"].store.end_call("whisper-named", {
        "ended_at": "2026-12-01T09:05:00.000+00:00", "outcome": "transferred",
        "transfer_reason": "asked for a person", "summary": summary})
    assert client.post("/console/language", data={"csrf_token": csrf(client), "lang": "es",
                                                  "next": "/console/dashboard"}).status_code == 302
    page = unescape(client.get("/console/calls/whisper-named").get_data(as_text=True))
    assert "dirección: 12 rue du Port; zonas de recogida: secteur Centre et port" in page

def test_the_collections_preview_names_no_internal_service(demo):
    app, client = demo
    page = unescape(client.get("/console/data/next-collections?street=avenue-jean-jaures").get_data(as_text=True))
    zones = page.split("Zones :", 1)[1].split("</p>", 1)[0]
    assert "Gare et faubourgs" in zones and "zone" not in zones


def test_the_try_page_names_the_engine_s_own_steps(editor):
    french(editor)
    response = editor.post("/console/try/start", data={"csrf_token": csrf(editor)},
                           headers={"Accept": "application/json"})
    html = unescape(response.get_json()["html"])
    assert "@language" not in html and "choix de la langue" in html
