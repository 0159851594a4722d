"""The phone line under test: civicline served on 127.0.0.1 by a real threaded server
(werkzeug's, ending websockets as gunicorn does: civicline.dev_server), the test town and flows
of tests/flows, real offline voices (loaded once per session), a call records store per test,
and a fake Twilio to call it."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from werkzeug.serving import make_server

from civicline.config import Config
from civicline.dev_server import WebsocketHandshakeHandler
from records import CallRecorder, SQLiteStore
from support.fake_twilio import ACCOUNT, FakeTwilio, Recordings, twilio_secrets_set
from support.flowkit import OPEN, make_runtime
from support.postgres_server import postgres_server, postgres_url  # noqa: F401 - fixtures
from support.redis_server import redis_server, redis_url  # noqa: F401 - fixtures

TOKEN = "test-auth-token-" + "x" * 16


@pytest.fixture(scope="session", autouse=True)
def twilio_secrets():
    with twilio_secrets_set(TOKEN):
        yield


@pytest.fixture(scope="session")
def engines():
    from voice.engines import SpeechEngines

    return SpeechEngines(cpu_threads=2)


@pytest.fixture(scope="session")
def sentences() -> dict[bytes, str]:
    """Every sentence civicline synthesised this session, by its exact μ-law audio."""
    return {}


# What the voice calls of these tests say, in each language: the pieces their answers are
# made of are rendered once per session (the whole vocabulary takes minutes per language).
VOICE_CALLS = {
    "fr": ("1", "Quel jour passe la poubelle ?", "J'habite au 12 rue Victor Hugo.", "Oui, c'est ça."),
    "en": ("2", "When is my garbage collected?", "I live at 12 rue Victor Hugo.", "Yes, that's right."),
    "es": ("3", "¿Qué día pasa la basura?", "Vivo en el 12 rue Victor Hugo.", "Sí, es correcto."),
}


def answers_of_voice_calls() -> dict[str, list[str]]:
    """Every answer the scripted voice calls get, by language, from the dialog alone (text)."""
    from civicline.calls import Call
    from flows.dialog import Engine
    from flows.session import Pressed, Said, Say

    engine = Engine(make_runtime())
    out: dict[str, list[str]] = {}
    for lang, (key, *lines) in VOICE_CALLS.items():
        call = Call(engine, lambda: OPEN)
        steps = [call.start(), call.send(Pressed(key))] + [call.send(Said(text, lang)) for text in lines]
        for action in (a for step in steps for a in step.actions if isinstance(a, Say)):
            out.setdefault(action.lang, []).append(action.text)
    return out


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory, engines) -> Path:
    """The audio cache, with the vocabulary pieces of the voice calls rendered into it."""
    from civicline.vocabulary import vocabulary
    from voice.tts.cache import AudioCache
    from voice.vocab.render import pieces_for, render_vocabulary, vocabulary_pieces

    directory = tmp_path_factory.mktemp("audio")
    runtime = make_runtime()
    for lang, answers in answers_of_voice_calls().items():
        vocab = vocabulary_pieces(vocabulary(runtime, lang, OPEN.date()), lang)
        render_vocabulary(pieces_for(answers, vocab, lang), lang, AudioCache(directory),
                          engines.synthesizer(lang).voice_id, engines=engines, workers=1, score=False)
    return directory


@pytest.fixture(scope="session")
def voice_for(engines):
    """The caller's own voice: text -> 8 kHz samples, with a little silence around it.

    The same in every run: Kokoro (fr, es) always is, and Piper (en) is made steady, as its
    random rendering once said "English" so that no speech was detected, and the call went
    to a person (a real caller would have said it again; this one says it once)."""
    cache: dict[tuple[str, str], np.ndarray] = {}

    def make(text: str, lang: str) -> np.ndarray:
        if (text, lang) not in cache:
            speech = engines.synthesizer(lang).steadied().synthesize(text, lang).at_rate(8000)
            pad = np.zeros(1600, np.int16)
            cache[text, lang] = np.concatenate([pad, speech.samples, pad])
        return cache[text, lang]

    return make


class Streams(dict):
    """The line's streams in progress (``Telephony.streams``), which a test can wait on."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = threading.Condition()

    def __setitem__(self, key, value) -> None:
        with self.changed:
            super().__setitem__(key, value)
            self.changed.notify_all()

    def pop(self, key, *default):
        with self.changed:
            value = super().pop(key, *default)
            self.changed.notify_all()
            return value

    def wait_gone(self, call_sid: str, timeout: float = 15.0) -> bool:
        """Until the stream of this call has ended and left the line."""
        with self.changed:
            return self.changed.wait_for(lambda: call_sid not in self, timeout)


class ServedLine:
    """One civicline server and the fake Twilio that calls it."""

    def __init__(self, app, server, twilio: FakeTwilio, store: SQLiteStore, recordings: Recordings) -> None:
        self.app, self.server, self.twilio, self.store, self.recordings = app, server, twilio, store, recordings
        self.tel = app.extensions["telephony"]


@pytest.fixture
def make_line(tmp_path, engines, audio_dir, sentences):
    started: list[ServedLine] = []

    def make(mode: str = "streams", **settings) -> ServedLine:
        from civicline.app import create_app

        recordings = Recordings(ACCOUNT, TOKEN)
        config = Config(**{
            "db_path": tmp_path / "records.sqlite3",
            "in_progress_path": tmp_path / "calls-in-progress.sqlite3",
            "audio_cache_dir": settings.pop("audio_cache_dir", audio_dir),
            "telephony_mode": mode,
            "recording_hosts": ["127.0.0.1"],
            "sms_api_base": recordings.base,  # the fake Twilio's REST API: recordings and messages
            **settings,
        })
        store = SQLiteStore(config.db_path)
        recorder = CallRecorder(store, hash_key=b"k" * 32, auto_purge=False)
        app = create_app(config, runtime=make_runtime(), recorder=recorder)
        tel = app.extensions["telephony"]
        tel.speech = _IndexedSpeech(config, engines, sentences)
        tel.speech.assembler.fixed = app.extensions["civicline"].speech.assembler.fixed  # as create_app set it
        tel.clock = lambda: OPEN
        tel.streams = Streams()
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=WebsocketHandshakeHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        line = ServedLine(app, server, FakeTwilio(base, TOKEN, recordings), store, recordings)
        started.append(line)
        return line

    yield make
    for line in started:
        line.server.shutdown()
        line.recordings.shutdown()
        line.store.close()


def _IndexedSpeech(config, engines, index):  # noqa: N802 - a factory standing in for a class
    """PhoneSpeech that remembers each sentence's audio, so the fake can tell what it heard:
    each assembled sentence (or part of one, before a piece made live), and each sentence
    synthesised whole."""
    from civicline.phone.speech import PhoneSpeech

    speech = PhoneSpeech(config, engines)
    speech.assembler.observer = lambda data, text: index.__setitem__(data, text)
    original = speech.speaker.sentence_audio

    def sentence_audio(sentence: str, language: str, slow: bool = False) -> bytes:
        data = original(sentence, language, slow)
        index[data] = sentence
        return data

    speech.speaker.sentence_audio = sentence_audio  # type: ignore[method-assign]
    return speech


__all__ = ["ServedLine", "OPEN", "replace"]
