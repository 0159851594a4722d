"""'Try a call' with the real speech engines: a real recording (Debian's asterisk sounds)
sent as the microphone would, recognised on the server by Whisper, and the reply spoken."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.console import csrf

pytestmark = pytest.mark.slow

GOODBYE = Path("/usr/share/asterisk/sounds/en_US_f_Allison/goodbye.wav")
JSON = {"Accept": "application/json"}


def test_a_recording_is_recognised_and_the_reply_is_spoken(app, editor):
    if not GOODBYE.exists():
        pytest.fail(f"{GOODBYE} is missing: run scripts/install-system-deps.sh")
    started = editor.post("/console/try/start", data={"csrf_token": csrf(editor), "language": "en"}, headers=JSON)
    trial = started.get_json()["id"]
    response = editor.post(
        f"/console/try/{trial}/speech", data=GOODBYE.read_bytes(),
        headers={**JSON, "X-CSRF-Token": csrf(editor), "Content-Type": "audio/wav"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_json()["html"]
    assert "goodbye" in html.lower() and "recognised from the microphone" in html
    audio = editor.get(f"/console/try/{trial}/audio/0")
    assert audio.status_code == 200, audio.get_data(as_text=True)[:500]
    assert audio.data[:4] == b"RIFF" and len(audio.data) > 8000  # more than half a second at 8 kHz
