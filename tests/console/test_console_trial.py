"""'Try a call' (text, keypad, silence, hang-up, microphone) and the translations page."""

from __future__ import annotations

import re

from records import browse
from support.console import csrf, sign_in

BOTH_BACKENDS = True  # the console's tables on SQLite and on PostgreSQL (conftest)

JSON = {"Accept": "application/json"}


def start(client, **data):
    response = client.post("/console/try/start", data={"csrf_token": csrf(client), **data}, headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def send(client, trial: str, **data):
    return client.post(f"/console/try/{trial}/send", data={"csrf_token": csrf(client), **data}, headers=JSON)


def test_a_trial_call_by_keypad_and_text_is_recorded_as_a_trial(app, editor, store):
    started = start(editor, language="en", at="2026-12-01T10:15")
    trial = started["id"]
    assert any(e["who"] == "assistant" for e in started["entries"])
    waste = send(editor, trial, kind="key", key="1").get_json()
    assert "What is your address?" in waste["html"]
    said = send(editor, trial, kind="text", text="12 rue victor hugo").get_json()
    assert "<strong>Caller</strong> said <span" in said["html"] and "“12 rue victor hugo”" in said["html"]
    assert "Is that right?" in said["html"]
    answer = send(editor, trial, kind="key", key="1").get_json()
    assert "bin goes out on Tuesday" in answer["html"]
    # Provenance is shown with the answer.
    assert "Source: <code>collections / zone-A</code>, version 2026-11, verified 02/10/2026" in answer["html"]
    hung = send(editor, trial, kind="hangup").get_json()
    assert hung["ended"] is True
    assert send(editor, trial, kind="key", key="1").status_code == 409
    row = browse.call(store, trial)
    assert row is not None and row["trial_by"] == "ed" and row["outcome"] == "abandoned"
    assert len(browse.turns_of(store, trial)) >= 5
    # Left out of the calls list unless asked for.
    listing = editor.get("/console/calls", query_string={"from": "2026-11-30", "to": "2026-12-02"}).get_data(as_text=True)
    assert trial not in listing
    trials = editor.get("/console/calls", query_string={"from": "2026-11-30", "to": "2026-12-02", "trials": "only"})
    assert trial in trials.get_data(as_text=True) and "trial by ed" in trials.get_data(as_text=True)


def test_the_simulator_works_without_javascript(editor):
    response = editor.post("/console/try/start", data={"csrf_token": csrf(editor), "language": "fr"})
    assert response.status_code == 302
    trial = re.search(r"id=([\w-]+)", response.headers["Location"]).group(1)
    page = editor.get(f"/console/try?id={trial}").get_data(as_text=True)
    assert 'role="log"' in page and 'lang="fr"' in page
    response = editor.post(f"/console/try/{trial}/send", data={"csrf_token": csrf(editor), "kind": "key", "key": "1"})
    assert response.status_code == 302
    page = editor.get(f"/console/try?id={trial}").get_data(as_text=True)
    assert "Quelle est votre adresse ?" in page


def test_bad_simulator_input(editor, app, client):
    trial = start(editor, language="en")["id"]
    assert send(editor, trial, kind="key", key="12a").status_code == 422
    assert send(editor, trial, kind="text", text="   ").status_code == 422
    assert send(editor, trial, kind="text", text="x" * 600).status_code == 422
    assert send(editor, trial, kind="teleport").status_code == 422
    assert send(editor, "trial-nope", kind="noinput").status_code == 404
    assert editor.post("/console/try/start", data={"csrf_token": csrf(editor), "language": "xx"}, headers=JSON).status_code == 422
    assert editor.post("/console/try/start", data={"csrf_token": csrf(editor), "at": "noon"}, headers=JSON).status_code == 422
    # Someone else's trial call is not theirs to drive.
    other = app.test_client()
    other.environ_base["wsgi.url_scheme"] = "https"
    sign_in(other, "ad")
    assert send(other, trial, kind="key", key="1").status_code == 404


def test_silence_is_an_input(editor):
    trial = start(editor, language="en")["id"]
    response = send(editor, trial, kind="noinput").get_json()
    assert "said nothing (silence)" in response["html"]


class FakeSpeech:
    def __init__(self, heard: str):
        self.heard, self.received = heard, b""

    def transcribe(self, wav: bytes, language: str) -> str:
        self.received = wav
        return self.heard

    def wav(self, text: str, language: str, slow: bool) -> bytes:
        return b"RIFF....WAVEfmt " + text.encode()


def test_speech_from_the_microphone_is_recognised_on_the_server(app, editor):
    fake = FakeSpeech("12 rue victor hugo")
    app.extensions["console"].speech = fake
    trial = start(editor, language="en")["id"]
    send(editor, trial, kind="key", key="1")
    response = editor.post(f"/console/try/{trial}/speech", data=b"RIFFfakewav",
                           headers={**JSON, "X-CSRF-Token": csrf(editor), "Content-Type": "audio/wav"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert fake.received == b"RIFFfakewav"
    assert "recognised from the microphone" in response.get_json()["html"]
    audio = editor.get(f"/console/try/{trial}/audio/0")
    assert audio.status_code == 200 and audio.mimetype == "audio/wav"
    assert editor.get(f"/console/try/{trial}/audio/99").status_code == 404
    empty = editor.post(f"/console/try/{trial}/speech", data=b"",
                        headers={**JSON, "X-CSRF-Token": csrf(editor), "Content-Type": "audio/wav"})
    assert empty.status_code == 422


def test_without_speech_the_page_says_to_type(app, editor):
    app.extensions["console"].speech = False  # as when the voice extra is missing
    trial = start(editor, language="en")["id"]
    response = editor.post(f"/console/try/{trial}/speech", data=b"RIFF",
                           headers={**JSON, "X-CSRF-Token": csrf(editor)})
    assert response.status_code == 503 and "type or use the keypad" in response.get_json()["error"]
    assert editor.get(f"/console/try/{trial}/audio/0").status_code == 503


def test_translations_coverage_missing_keys_and_drafts(app, editor, catalog_dir):
    # A draft of a prompt the test flows do not use (a draft in use fails the flow check).
    key = "permits.choice_documents"
    es = catalog_dir / "es.yaml"
    text = es.read_text(encoding="utf-8")
    key_line = next(line for line in text.split("\n") if line.startswith(f"  {key}:"))
    es.write_text(text.replace(key_line, f'  {key}: "TODO: los documentos necesarios"'), encoding="utf-8")
    assert app.extensions["civicline"].runtimes.reload() == []
    page = editor.get("/console/translations").get_data(as_text=True)
    assert "Coverage of each language" in page
    assert "los documentos necesarios" in page.split('id="drafts-es"')[1]
    assert re.search(r'<th scope="row"><a href="#lang-es">es</a></th><td class="num">(\d+) of \1', page) is None
    # Approving with a TODO mark or other placeholders is refused…
    url = "/console/translations/es/prompt"
    bad = editor.post(url, data={"csrf_token": csrf(editor), "key": key, "text": "TODO: hola"})
    assert bad.status_code == 422
    bad = editor.post(url, data={"csrf_token": csrf(editor), "key": key, "text": "los documentos {name}"})
    assert bad.status_code == 422 and "same placeholders" in bad.get_data(as_text=True)
    assert "TODO: los documentos necesarios" in es.read_text(encoding="utf-8")
    # …and a reviewed text is saved, used at once, and versioned.
    ok = editor.post(url, data={"csrf_token": csrf(editor), "key": key, "text": "los documentos que hay que presentar"})
    assert ok.status_code == 302
    catalogs = app.extensions["civicline"].runtime.catalogs
    assert catalogs["es"].prompts[key] == "los documentos que hay que presentar"
    assert app.extensions["console"].versions.latest("catalog", "es.yaml").note == f"reviewed {key}"
