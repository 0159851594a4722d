"""Word error rate on real phone recordings, and the synthesis -> recognition round trip.

The recordings are Debian's asterisk-core-sounds-{en,fr,es,it}(-wav): real voices at phone
quality with their transcripts. Each reaches the recogniser over a channel
(``voice.channel``): as recorded, or through a mobile network's GSM codec (the ``-gsm``
packages), with street noise or not, and always through an 8 kHz μ-law round trip (what a
call carries). The sample is fixed (evenly spaced over the sorted list of
recordings with at least three words) so numbers are comparable from run to run.
"""

from __future__ import annotations

import gzip
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from num2words import num2words

from voice.channel import Channel, phone_line, through_channel
from voice.errors import ModelMissingError
from voice.stt.base import Transcriber, base_language
from voice.tts.base import Synthesizer
from voice.tts.speech_text import format_for_speech

SOUNDS = Path("/usr/share/asterisk/sounds")
DOCS = Path("/usr/share/doc")
RECORDINGS = {"en": "en_US_f_Allison", "fr": "fr_CA_f_June", "es": "es_MX_f_Allison", "it": "it_IT_m_Carlo"}
THRESHOLDS = {"en": 0.15, "fr": 0.20, "es": 0.25, "it": 0.25}
"""Goals on clean recordings; per channel below (a mobile caller, in the street)."""
CHANNEL_GOALS = {
    "gsm": {"en": 0.05, "fr": 0.20, "es": 0.15},
    "gsm+15dB": {"en": 0.15, "fr": 0.35, "es": 0.25},
}
ROUNDTRIP_THRESHOLD = 0.20


@dataclass(frozen=True)
class Recording:
    name: str
    path: Path
    text: str


@dataclass
class EvalResult:
    language: str
    engine: str
    count: int
    wer: float
    rtf: float
    audio_seconds: float
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    """(name, reference, hypothesis) of the items with errors, worst first."""
    channel: str = "clean"
    seconds: list[float] = field(default_factory=list)
    """Compute time of each recognition, in order (latency figures)."""


def channel_goal(language: str, channel: str) -> float | None:
    """The WER goal of a language over a channel (None: no goal set for that channel)."""
    if channel == "clean":
        return THRESHOLDS.get(language)
    return CHANNEL_GOALS.get(channel, {}).get(language)


def transcripts(language: str, docs: Path = DOCS) -> dict[str, str]:
    """name -> text from the package's core-sounds-<lang>.txt.gz (notes in brackets skipped)."""
    path = docs / f"asterisk-core-sounds-{language}" / f"core-sounds-{language}.txt.gz"
    if not path.is_file():
        raise ModelMissingError(f"transcripts not found at {path}: apt-get install asterisk-core-sounds-{language}")
    out = {}
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    for line in lines:
        name, sep, text = line.partition(":")
        text = text.strip()
        if not sep or line.startswith(";") or not text or re.search(r"[\[\]()<>]", text):
            continue
        if re.search(r"\w-\w+:", text):  # two entries run together in the file (fr: vm-record-prepend)
            continue
        out[name.strip()] = text
    return out


DEV_SIZE = 40
"""The first sample (``sample(lang)``): what recognition settings were chosen on. The
held-out sample is drawn from the other recordings and never tuned on."""


def sample(language: str, n: int = DEV_SIZE, min_words: int = 3, held_out: bool = False) -> list[Recording]:
    """A fixed, evenly spaced sample of ``n`` recordings for ``language``; ``held_out``: from
    the recordings outside the first ``DEV_SIZE`` ones, which settings were tuned on."""
    folder = SOUNDS / RECORDINGS[language]
    if not folder.is_dir():
        raise ModelMissingError(f"recordings not found at {folder}: apt-get install asterisk-core-sounds-{language}-wav")
    items = [
        Recording(name, folder / f"{name}.wav", text)
        for name, text in sorted(transcripts(language).items())
        # Keypad symbols have no single spoken form; the recordings say them many ways.
        if len(text.split()) >= min_words and not re.search(r"[*#]", text) and (folder / f"{name}.wav").is_file()
    ]
    if held_out:
        dev = set(_spread(items, DEV_SIZE))
        items = [r for r in items if r not in dev]
    return _spread(items, n)


def _spread(items: list[Recording], n: int) -> list[Recording]:
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def phone_roundtrip(samples: np.ndarray, rate: int) -> np.ndarray:
    """What a call does to audio: 8 kHz, μ-law encoded and decoded."""
    return phone_line(samples, rate)


def _number_words(digits: str, lang: str) -> str:
    """A number in words; one too long for that (a recogniser looping on "18181818…") digit
    by digit."""
    try:
        return str(num2words(int(digits), lang=lang))
    except (OverflowError, NotImplementedError):
        return " ".join(str(num2words(int(d), lang=lang)) for d in digits)


def normalize(text: str, language: str) -> str:
    """Lower case, numbers as words, no accents or punctuation: WER counts words, not spelling."""
    lang = base_language(language)
    # The speech formatter spells "14th", "19 h", "3,50 €" the way they are said, so a
    # recogniser writing digits and a reference writing words compare equal.
    text = format_for_speech(text, lang)
    text = re.sub(r"\d+", lambda m: f" {_number_words(m.group(0), lang)} ", text.lower())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


def _edits(ref: list[str], hyp: list[str]) -> int:
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER: total word edits over total reference words (texts already normalised)."""
    total = sum(len(r.split()) for r in references)
    if total == 0:
        return 0.0
    try:
        import jiwer

        refs, hyps = zip(*[(r, h) for r, h in zip(references, hypotheses, strict=True) if r.strip()], strict=True)
        return float(jiwer.wer(list(refs), list(hyps)))
    except ImportError:
        return sum(_edits(r.split(), h.split()) for r, h in zip(references, hypotheses, strict=True)) / total


def _score(language: str, engine: str, pairs: list[tuple[str, str, str]], audio_s: float, compute_s: float) -> EvalResult:
    refs = [normalize(r, language) for _, r, _ in pairs]
    hyps = [normalize(h, language) for _, _, h in pairs]
    ranked = sorted(
        ((_edits(r.split(), h.split()), name, r, h) for (name, _, _), r, h in zip(pairs, refs, hyps, strict=True)),
        reverse=True,
    )
    errors = [(name, r, h) for e, name, r, h in ranked if e]
    return EvalResult(language, engine, len(pairs), word_error_rate(refs, hyps), compute_s / audio_s if audio_s else 0.0, audio_s, errors)


def evaluate_recordings(
    transcriber: Transcriber,
    language: str,
    limit: int = 40,
    progress: Callable[[str], None] | None = None,
    channel: Channel | str = "clean",
    held_out: bool = False,
) -> EvalResult:
    """WER of ``transcriber`` on the fixed sample (or the held-out one) as it reaches us over
    ``channel`` (``voice.channel.CHANNELS``; every one ends with the phone round trip)."""
    ch = Channel.parse(channel) if isinstance(channel, str) else channel
    pairs, seconds, audio_s = [], [], 0.0
    for rec in sample(language, limit, held_out=held_out):
        phone = through_channel(rec.path, ch)
        start = time.perf_counter()
        hyp = transcriber.transcribe(phone, 8000, language).text
        seconds.append(time.perf_counter() - start)
        audio_s += len(phone) / 8000
        pairs.append((rec.name, rec.text, hyp))
        if progress:
            progress(f"{rec.name}: {hyp}")
    result = _score(language, transcriber.name, pairs, audio_s, sum(seconds))
    result.channel, result.seconds = ch.name, seconds
    return result


Recognise = Callable[[np.ndarray, int, str], str]
"""A system under comparison: 8 kHz samples, their rate, the language -> the text heard."""


def text_of(transcriber: Transcriber) -> Recognise:
    """A transcriber as a system under comparison."""
    return lambda pcm, rate, language: transcriber.transcribe(pcm, rate, language).text


def each_in_turn(recordings: Iterable[Recording], channel: Channel | str, systems: Mapping[str, Recognise],
                 language: str) -> tuple[dict[str, list[tuple[str, str, str]]], dict[str, list[float]], float]:
    """Every recording, as ``channel`` carries it, sent to each system in turn, so that the
    machine's load falls on all alike: per system the (name, reference, heard) triples and
    the seconds each took, and the seconds of audio."""
    pairs: dict[str, list[tuple[str, str, str]]] = {name: [] for name in systems}
    seconds: dict[str, list[float]] = {name: [] for name in systems}
    audio_s = 0.0
    for rec in recordings:
        pcm = through_channel(rec.path, channel)
        audio_s += len(pcm) / 8000
        for name, recognise in systems.items():
            start = time.perf_counter()
            text = recognise(pcm, 8000, language)
            seconds[name].append(time.perf_counter() - start)
            pairs[name].append((rec.name, rec.text, text))
    return pairs, seconds, audio_s


def score_transcripts(language: str, engine: str, pairs: list[tuple[str, str, str]], audio_s: float,
                      seconds: list[float], channel: str) -> EvalResult:
    """An :class:`EvalResult` for (name, reference, hypothesis) triples heard elsewhere (a
    peer server) so they are scored exactly like ours."""
    result = _score(language, engine, pairs, audio_s, sum(seconds))
    result.channel, result.seconds = channel, list(seconds)
    return result


def prompt_texts(catalog: Path) -> dict[str, str]:
    """The ``prompts:`` of a catalog file with no {placeholders} (those need call data)."""
    import yaml

    data = yaml.safe_load(catalog.read_text(encoding="utf-8")) or {}
    prompts = data.get("prompts") or {}
    return {k: v for k, v in prompts.items() if isinstance(v, str) and v.strip() and "{" not in v and not v.startswith("TODO:")}


def fixed_subset(texts: Mapping[str, str], n: int) -> dict[str, str]:
    """``n`` prompts evenly spaced over the sorted keys (keeps test time bounded as catalogs grow)."""
    keys = sorted(texts)
    if len(keys) <= n:
        return dict(texts)
    return {keys[int(i * len(keys) / n)]: texts[keys[int(i * len(keys) / n)]] for i in range(n)}


def evaluate_roundtrip(
    synthesizer: Synthesizer, transcriber: Transcriber, language: str, texts: Mapping[str, str] | Iterable[str]
) -> EvalResult:
    """Synthesise each text, send it through the phone round trip, recognise it again."""
    items = texts.items() if isinstance(texts, Mapping) else enumerate(texts)
    pairs, audio_s, compute_s = [], 0.0, 0.0
    for key, text in items:
        spoken = format_for_speech(text, language)
        speech = synthesizer.synthesize(spoken, language)
        phone = phone_roundtrip(speech.samples, speech.rate)
        start = time.perf_counter()
        hyp = transcriber.transcribe(phone, 8000, language).text
        compute_s += time.perf_counter() - start
        audio_s += len(phone) / 8000
        # Compare with the formatted text: "19 h" is spoken, and heard, as words.
        pairs.append((str(key), spoken, hyp))
    return _score(language, f"{synthesizer.name}->{transcriber.name}", pairs, audio_s, compute_s)
