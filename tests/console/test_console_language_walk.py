"""Every page of the console, walked in French and in Spanish by a member of staff who chose
that language: no English sentence is left, in the text, the buttons, the labels or the
messages shown after an action or a refusal.

A word is English here when the console's English sentences use it and none of its
sentences in the walk's language does (so "version", "note" or "source", the same in both,
never count), or when it is one of the English words that carry a sentence ("the", "of",
"your"...). Text marked as another language (`lang="en"`: what a caller said, a catalog's
sentence, a message of the data check written in English) and code (`<code>`, `<pre>`, the
YAML editor) are not the console's wording and are left out. Every page of the console is
walked: a new page without a sample address here fails the test.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest

from civicline.console.messages import english, read
from flows.session import Said
from support.console import csrf, make_demo_app, place_call, sign_in

# Words that make a sentence English whether or not the console's sentences use them.
FUNCTION_WORDS = {"the", "of", "and", "is", "are", "was", "with", "this", "that", "your", "you", "not",
                  "for", "from", "to", "it", "be", "by", "or", "no", "all", "has", "have", "there",
                  "what", "when", "which", "who", "here", "yet", "none", "nothing", "unknown"}
SKIPPED = {"script", "style", "code", "pre", "textarea", "title"}  # <title>: checked as the <h1>
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text)}


LANGUAGES = ["fr", "es"]


def _strings(message) -> list[str]:
    return [str(s) for s in (message.string if isinstance(message.string, (list, tuple)) else [message.string]) if s]


def english_words(lang: str) -> set[str]:
    said_in_lang = set().union(*(_words(s) for m in read(lang) if m.id for s in _strings(m)))
    said_in_english = set().union(*(_words(re.sub(r"%\(\w+\)s", " ", str(m.id))) for m in english() if m.id))
    return {w for w in (said_in_english | FUNCTION_WORDS) - said_in_lang if len(w) > 1}


class VisibleText(HTMLParser):
    """The text a member of staff reads or hears, outside code and other languages' text."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.found: list[str] = []

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang")
        skipped = (self._skipped() or tag in SKIPPED or (lang is not None and not lang.startswith(self.lang))
                   or values.get("translate") == "no")
        if not skipped:
            self.found += [str(values[a]) for a in ATTRIBUTES if values.get(a)]
            if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
                self.found.append(str(values["value"]))
        if tag not in ("input", "br", "meta", "link", "img", "hr", "source"):
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._skipped():
            self.found.append(data.strip())


# Names, not words: the town's files, and the identifiers of steps, intents and records
# (main.menu, waste.glass, no_input, street_occupancy).
NAMES = re.compile(r"[\w./-]+\.(?:ya?ml|csv|ics|md|json)\b|\b\w+(?:[._]\w+)+\b")


def english_left(html: str, vocabulary: set[str], lang: str = "fr") -> list[str]:
    parser = VisibleText(lang)
    parser.feed(html)
    return [text for text in parser.found if _words(NAMES.sub(" ", text)) & vocabulary]


def town_words(town, lang: str) -> set[str]:
    """The names in the town's data (its French streets, the sorting guide's objects in the
    walk's language): "Square Jean Monnet" and "machine à laver" are French."""
    import csv

    import yaml

    lines = (town / "data" / "streets.csv").read_text(encoding="utf-8").splitlines()
    found = set().union(*(_words(row["name"]) for row in csv.DictReader(x for x in lines if not x.startswith("#"))))
    guide = yaml.safe_load((town / "data" / "sorting.yaml").read_text(encoding="utf-8"))
    for item in guide["items"]:
        found |= _words(" ".join(item.get(lang, [])))
    return found


@pytest.fixture(params=LANGUAGES)
def walk(request, tmp_path, monkeypatch):
    lang = request.param
    app, town = make_demo_app(tmp_path, monkeypatch)
    store = app.extensions["console"].store
    place_call(app, [Said("bonjour"), Said("des éléphants violets")], language="fr", call_id="appel-1")
    store.add_review_item({"id": "revue-1", "call_id": "appel-1", "kind": "stale_record",
                           "created_at": "2026-12-01T09:00:00.000+00:00", "reason": "verified 2025-01-10",
                           "context": {"dataset": "streets", "language": "fr"}, "dataset": "streets",
                           "record": "rue-du-port"})
    store.add_staff_request({"id": "rappel-1", "call_id": "appel-1", "kind": "callback",
                             "created_at": "2026-12-01T09:00:00.000+00:00", "language": "fr",
                             "number": "+33612345678", "caller_last2": "78", "text": "rappelez-moi"})
    store.add_city_request({"id": "VILLE1", "call_id": "appel-1", "created_at": "2026-12-01T09:00:00.000+00:00",
                            "language": "fr", "service": "bulky_pickup", "address": "12 rue du Port",
                            "description": "un canapé", "phone": "+33612345678", "status": "pending",
                            "attempts": 1, "last_error": "HTTP 503"})
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"  # the browser's, overruled below
    assert sign_in(client).status_code == 302
    # The member of staff chooses the language: it stays for the session, whatever the browser says.
    assert client.post("/console/language", data={"lang": lang, "csrf_token": csrf(client)}).status_code == 302
    flow = "main.yaml"
    text = (town / "flows" / flow).read_text(encoding="utf-8")
    page = client.get(f"/console/flows/{flow}").get_data(as_text=True)
    base = re.search(r'name="base_hash" value="([^"]+)"', page)
    assert base
    saved = client.post(f"/console/flows/{flow}", data={"csrf_token": csrf(client), "base_hash": base.group(1),
                                                         "content": text + "\n# une note\n", "note": "essai"})
    assert saved.status_code == 302
    trial = client.post("/console/try/start", data={"csrf_token": csrf(client), "language": "fr"},
                        headers={"Accept": "application/json"}).get_json()["id"]
    return app, client, trial, town, lang


SAMPLES = {
    "/console/calls/<call_id>": "/console/calls/appel-1",
    "/console/data/file/<path:name>": "/console/data/file/streets.csv",
    "/console/flows/<name>": "/console/flows/main.yaml",
    "/console/flows/<name>/picture": "/console/flows/main.yaml/picture",
    "/console/flows/<name>/versions/<int:seq>": "/console/flows/main.yaml/versions/2",
    "/console/review/<item_id>": "/console/review/revue-1",
    "/console/data/sorting/item/<item_id>": "/console/data/sorting/item/sofa",
    "/console/try/<trial_id>/audio/<int:n>": None,  # a WAV, no words
    "/console/session": None,  # JSON for the time-out warning
    "/console/static/<path:filename>": None,
}
EXTRA = ["/console/data/next-collections?street=rue-du-port", "/console/try?id={trial}",
         "/console/callbacks?status=all", "/console/city-requests?status=pending", "/console/review?status=all",
         "/console/flows/main.yaml/versions/1"]


def test_every_page_has_no_english_left(walk):
    app, client, trial, town, lang = walk
    vocabulary = english_words(lang) - town_words(town, lang)
    # Words both languages write are not English: "version" in French, "no" in Spanish.
    assert {"the", "calls", "save"} <= vocabulary
    assert "version" not in english_words("fr") and "no" not in english_words("es")
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/console") or "GET" not in (rule.methods or ()):
            continue
        if "<" in rule.rule:
            assert rule.rule in SAMPLES, f"{rule.rule} is a page of the console this walk does not visit"
            if SAMPLES[rule.rule]:
                urls.append(SAMPLES[rule.rule])
        elif rule.rule not in SAMPLES:
            urls.append(rule.rule)
    urls += [u.format(trial=trial) for u in EXTRA]
    found: dict[str, list[str]] = {}
    for url in urls:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, (url, response.status_code)
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, url
        if left := english_left(html, vocabulary, lang):
            found[url] = left
    assert found == {}, _report(found)


def _report(found: dict[str, list[str]]) -> str:
    return "English left:\n" + "\n".join(f"{where}: {text!r}" for where, texts in found.items() for text in texts)


def _post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf(client), **data}, follow_redirects=True)


def test_messages_after_actions_and_refusals_are_in_the_staffs_language(walk):
    app, client, _, town, lang = walk
    vocabulary = english_words(lang) - town_words(town, lang)
    answers = {
        "assigned": _post(client, "/console/review/revue-1", action="assign", assignee=""),
        "noted": _post(client, "/console/callbacks/rappel-1", action="note", note="appelé, pas de réponse"),
        "closed": _post(client, "/console/city-requests/VILLE1", action="close"),
        "empty note": _post(client, "/console/review/revue-1", action="note", note=""),
        "unknown person": _post(client, "/console/review/revue-1", action="assign", assignee="personne"),
        "bad filter": client.get("/console/calls?from=hier"),
        "not found": client.get("/console/calls/inconnu"),
        "no file": _post(client, "/console/data/ics"),
        "unchanged flow": _post(client, "/console/flows/main.yaml", content=(
            app.extensions["civicline"].config.town_path / "flows" / "main.yaml").read_text(encoding="utf-8")),
        "form refused": client.post("/console/review/revue-1", data={"action": "close", "csrf_token": "forged"}),
        "bad language": _post(client, "/console/try/start", language="xx"),
        "collections reviewed before publishing": _post(client, "/console/data/file/collections.yaml", content=(
            town / "data" / "collections.yaml").read_text(encoding="utf-8")),
        "calendar uploaded, reviewed": client.post("/console/data/ics", data={
            "csrf_token": csrf(client), "target": "meetings.ics",
            "file": (io.BytesIO((town / "data" / "meetings.ics").read_bytes()), "conseil.ics")},
            content_type="multipart/form-data"),
    }
    found = {}
    reviewed = {"fr": "Les prochaines collectes qu'il donne", "es": "Las próximas recogidas que da"}[lang]
    assert reviewed in answers["collections reviewed before publishing"].get_data(as_text=True)
    for what, response in answers.items():
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, what
        if left := english_left(html, vocabulary, lang):
            found[what] = left
    assert found == {}, _report(found)
    # The wrong password's message, and the page after signing out, speak the language too.
    out = _post(client, "/console/sign-out")
    wrong = _post(client, "/console/sign-in", name="ed", password="pas le bon mot de passe")
    assert wrong.status_code == 401
    assert english_left(out.get_data(as_text=True), vocabulary, lang) == []
    assert english_left(wrong.get_data(as_text=True), vocabulary, lang) == []


def test_the_walk_sees_english_when_it_is_there():
    vocabulary = english_words("fr")
    assert english_left('<p>Tous les appels</p><p lang="en">All calls</p><code>the</code>', vocabulary) == []
    assert english_left('<p>Tous les <a href="#">calls</a></p>', vocabulary) == ["calls"]
    assert english_left('<form aria-label="Filter the calls"></form>', vocabulary) == ["Filter the calls"]
