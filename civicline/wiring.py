"""Builds the pieces of a running civicline from the configuration, in one place.

Every entry point (server, terminal call, scenario runner, flow check) goes through
:func:`load_runtime`, so they all see the same town, flows, catalogs and handlers; and
through :func:`speech_engines`, so the phone line, the console's trial calls and the
speech commands hear and speak with the same models, those of ``[voice]``.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civicline.config import Config, ConfigError
from flows.handlers import registered_handlers
from flows.loader import flow_files, load_flows
from flows.runtime import Runtime
from flows.validator import validate
from staff_files.problems import FlowError, Problem
from translations.catalog import Catalogs

if TYPE_CHECKING:
    from civicline.phone.speech import PhoneSpeech
    from records import CallRecorder, RecordsStore
    from voice.engines import SpeechEngines

log = logging.getLogger(__name__)


@dataclass
class Checked:
    runtime: Runtime | None
    problems: list[Problem]


def load_town(path: Path) -> Any:
    from flows.town import load_town as load

    return load(path)


def translator_for(config: Config, town: Any) -> Any:
    """The translation engines named in [translation] engines, in order, or None.

    Street names are protected so that "rue du Port" is never translated.
    """
    if not config.translation_engines:
        return None
    from nlu.translate.chain import default_chain

    streets = [name for _, names in town.street_gazetteer() for name in names] if town else []
    chain = default_chain(config.translation_engines, protected_terms=streets)
    return chain if chain.engines else None


def enabled_languages(config: Config, town: Any) -> list[str]:
    """The languages callers are offered, in menu order: the town's (town.yaml), unless the
    configuration fixes one or narrows them for this server."""
    if config.fixed_language:
        return [config.fixed_language]
    return list(config.languages or getattr(town, "languages", None) or [])


def check_runtime(config: Config, *, flows_dir: Path | None = None) -> Checked:
    """Loads everything and validates it; returns the problems rather than raising."""
    problems: list[Problem] = []
    try:
        town = load_town(config.town_path)
    except FlowError as exc:
        return Checked(None, exc.problems)
    languages = enabled_languages(config, town)
    main_language = config.main_language or getattr(town, "main_language", None) or (languages or ["fr"])[0]
    translator = translator_for(config, town)
    try:
        catalogs = Catalogs.load(
            list(dict.fromkeys([*languages, main_language])),
            main_language,
            translator=translator.as_catalog_translator() if translator else None,
            town_sentences=getattr(town, "sentences_dir", None),
        )
    except FlowError as exc:
        return Checked(None, exc.problems)
    flows_dir = flows_dir or getattr(town, "flows_dir", None) or config.town_path / "flows"
    try:
        flows, problems = load_flows(flow_files(Path(flows_dir)))
    except FlowError as exc:
        return Checked(None, exc.problems)
    handlers = registered_handlers()
    problems += validate(flows, catalogs, handlers, town=town, translated=translator is not None)
    runtime = Runtime(
        flows=flows,
        catalogs=catalogs,
        handlers=handlers,
        town=town,
        config=config,
        languages=languages,
        fixed_language=config.fixed_language,
        translator=translator,
    )
    return Checked(runtime, problems)


def load_runtime(config: Config, *, flows_dir: Path | None = None) -> Runtime:
    """Like check_runtime, but refuses to run on a flow with problems."""
    checked = check_runtime(config, flows_dir=flows_dir)
    if checked.problems or checked.runtime is None:
        raise FlowError(checked.problems)
    return checked.runtime


class RuntimeHolder:
    """The runtime new calls get, swapped atomically when staff save a valid flow.

    A call keeps the runtime it started with (its engine holds it); transports that keep
    only the session state find that runtime again by the state's ``flow_version``.
    """

    KEEP = 8  # versions kept for calls still in progress

    def __init__(self, config: Config, runtime: Runtime | None = None):
        import threading

        self.config = config
        self._lock = threading.Lock()
        self.desk: Any = None  # requests to the city's systems, given to every runtime
        # Told of each successful reload, to tell the other workers (civicline.flow_notices)
        self.announce: Callable[[str], None] | None = None
        self._current = runtime or load_runtime(config)
        self._versions: dict[str, Runtime] = {self._current.flows.version: self._current}

    def get(self) -> Runtime:
        return self._current

    def use_desk(self, desk: Any) -> None:
        """Requests to the city's systems go to this desk, in this runtime and the next ones."""
        self.desk = desk
        for runtime in self._versions.values():
            runtime.desk = desk

    def for_version(self, version: str) -> Runtime:
        return self._versions.get(version, self._current)

    def reload(self, *, announce: bool = True) -> list[Problem]:
        """Loads the town's files again; swaps only if they are valid. Returns the problems.
        ``announce``: tell the other workers (False when this reload answers their notice)."""
        checked = check_runtime(self.config)
        if checked.problems or checked.runtime is None:
            return checked.problems
        checked.runtime.desk = self.desk
        with self._lock:
            self._current = checked.runtime
            self._versions[checked.runtime.flows.version] = checked.runtime
            while len(self._versions) > self.KEEP:
                self._versions.pop(next(iter(self._versions)))
        if announce and self.announce is not None:
            self.announce(checked.runtime.flows.version)
        return []


# ---- speech: one set of engines per process -------------------------------------------


def speech_available() -> str | None:
    """None when the voice extra is installed, else what to install."""
    missing = [name for name in ("numpy", "onnxruntime", "faster_whisper") if importlib.util.find_spec(name) is None]
    return f"pip install -e '.[voice]' (missing: {', '.join(missing)})" if missing else None


def speech_engines(config: Config) -> SpeechEngines:
    """The recognisers and voices of ``[voice]`` over the built-in ones; models load on
    first use, once, and are shared by every call, the console and the commands."""
    from civicline.phone.speech import phone_vad
    from voice.engines import SpeechEngines

    return SpeechEngines(
        config.voice_models,
        cpu_threads=config.cpu_threads,
        vad_config=phone_vad(config),
        # One recognition per slot of the phone's pool, each on a thread of its own: calls
        # come in bursts.
        stt_workers=max(1, config.speech_parallel),
        denoise=None if config.denoise == "none" else config.denoise,
    )


def phone_speech(config: Config, engines: SpeechEngines | None = None) -> PhoneSpeech | None:
    """The phone line's speech (engines, audio cache, recognition pool), or None when the
    voice extra is not installed (the console and the simulators work without it)."""
    missing = speech_available()
    if missing:
        log.error("speech is off: %s", missing)
        return None
    from civicline.phone.speech import PhoneSpeech

    return PhoneSpeech(config, engines or speech_engines(config))


# ---- several workers: state shared through Redis --------------------------------------


def redis_for(config: Config, *, text: bool = True) -> Any:
    """A Redis client when ``$CIVICLINE_REDIS_URL`` is set (calls in progress, stream
    passes, per-call locks, answers' audio and flow notices then live there), else None:
    one worker, in its memory and the SQLite file. The URL is a secret: it may carry a
    password. ``text=False``: a client answering in bytes (audio)."""
    url = config.secret("CIVICLINE_REDIS_URL")
    if not url:
        return None
    from civicline.phone.redis_store import connect

    return connect(url, text=text)


def share_flow_reloads(holders: RuntimeHolder | dict[str, RuntimeHolder], client: Any) -> Any:
    """Every worker reloads a flow saved through any of them, in the town it was saved for
    (civicline.flow_notices). ``holders``: every town's, by key, or the one town's."""
    from civicline.flow_notices import FlowNotices

    notices = FlowNotices(client, holders)
    for town, holder in notices.holders.items():
        holder.announce = notices.announcer(town)
    return notices.start()


# ---- call records ---------------------------------------------------------------------


def database_url(config: Config) -> str | None:
    """``$CIVICLINE_DATABASE_URL`` (a secret: it may carry a password), or None: the SQLite
    file of ``[records] db``. Only PostgreSQL URLs are understood."""
    url = config.secret("CIVICLINE_DATABASE_URL")
    if not url:
        return None
    from records.postgres_database import SCHEMES, redact_url

    if url.split("://", 1)[0] not in SCHEMES:
        raise ConfigError(
            f"CIVICLINE_DATABASE_URL={redact_url(url)}: expected postgresql://user:password@host:port/database"
            " (or leave it unset: the SQLite file of [records] db)"
        )
    return url


def records_health_file(config: Config) -> Path:
    """The file the recorder mirrors its write health into, for ``civicline doctor`` (next to
    the SQLite file; with PostgreSQL, in the same folder, one per machine)."""
    if database_url(config):
        return config.db_path.with_name("records-postgresql.health.json")
    return config.db_path.with_name(config.db_path.name + ".health.json")


def store_for(config: Config, *, read_only: bool = False, file: Path | None = None) -> RecordsStore:
    """The records database: PostgreSQL when ``$CIVICLINE_DATABASE_URL`` is set (several
    workers and machines share it), else the SQLite file of ``[records] db``. The queries
    above are the same (records.store.RecordsStore). ``file``: this SQLite file whatever
    the environment says (scripted calls must never reach the town's real records)."""
    url = None if file is not None else database_url(config)
    if file is not None:
        from records import SQLiteStore

        return SQLiteStore(file, read_only=read_only)
    if url:
        from records import PostgresStore

        return PostgresStore(url, read_only=read_only, health_file=records_health_file(config))
    from records import SQLiteStore

    return SQLiteStore(config.db_path, read_only=read_only)


def recorder_for(config: Config, *, production: bool | None = None, town: str = "",
                 file: Path | None = None) -> CallRecorder:
    """One per process: the store lends its connections, the recorder keeps the calls in
    progress and the write health that /health and ``civicline doctor`` show. The hash key
    comes only from ``$CIVICLINE_HASH_KEY``; with ``CIVICLINE_ENV=production`` a missing key
    stops the start. ``town``: the key of the town a call that names none is recorded in.
    ``file``: a SQLite file of its own (see store_for)."""
    from records import CallRecorder, load_hash_key

    return CallRecorder(
        store_for(config, file=file),
        hash_key=load_hash_key(production=production),
        retention_days=config.retention_days,
        town=town,
    )


# ---- text messages out ------------------------------------------------------------------


def texts_for(config: Config, recorder: Any = None) -> Any:
    """Text messages through Twilio's REST API (``[sms]``): copies of answers asked for on the
    phone, staff replies to residents who wrote in. Without ``[sms] from`` and the account's
    credentials every message is refused, and goes on the review list (a warning at start)."""
    from civicline.twilio.messages import TwilioTexts

    texts = TwilioTexts(config, recorder)
    problem = texts.configured
    if problem and config.sms_copies:
        log.warning("copies of answers by SMS are offered ([sms] copies) but cannot be sent: %s", problem)
    return texts
