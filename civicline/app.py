"""The Flask application factory. Telephony and the staff console attach as blueprints."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, jsonify

from civicline.calls import Recorder
from civicline.config import Config, load_config
from civicline.towns import Towns, load_towns
from civicline.wiring import RuntimeHolder, phone_speech, redis_for, share_flow_reloads, texts_for
from flows.dialog import Engine
from flows.runtime import Runtime
from staff_files.problems import Problem

if TYPE_CHECKING:
    from civicline.phone.speech import PhoneSpeech
    from voice.engines import LanguageReadiness


@dataclass
class Civicline:
    """What the app's requests share, kept in app.extensions['civicline']."""

    config: Config
    runtimes: RuntimeHolder
    """The default town's (the only one without [towns]): text messages, chat, console."""
    recorder: Recorder | None = None
    speech: PhoneSpeech | None = None
    """The process's recognisers and voices (None without the voice extra)."""
    speech_report: dict[str, LanguageReadiness] | None = None
    """What each language's calls use, from the start-up check (None: not run)."""
    texts: Any = None
    """Text messages out (civicline.twilio.messages.TwilioTexts): copies of answers, staff replies."""
    redis: Any = None
    """The Redis client the workers share state through ($CIVICLINE_REDIS_URL), or None."""
    flow_notices: Any = None
    """civicline.flow_notices.FlowNotices when Redis is configured."""
    towns: Towns | None = None
    """Every town served, and which called number reaches which (civicline.towns)."""

    def __post_init__(self) -> None:
        if self.towns is None:
            self.towns = Towns({"": self.runtimes}, "")

    @property
    def runtime(self) -> Runtime:
        """The runtime new calls start on (a saved flow replaces it without a restart)."""
        return self.runtimes.get()

    def town_runtimes(self, town: str | None) -> RuntimeHolder:
        """A town's runtimes by its key; the default town's for None."""
        assert self.towns is not None
        return self.towns.holder(town) if town else self.runtimes

    def runtime_of(self, town: str | None) -> Runtime:
        return self.town_runtimes(town).get()

    def reload_towns(self) -> list[Problem]:
        """Every town loads its files again (a catalog all towns share was saved); the
        problems of those that could not, each kept on its old runtime."""
        assert self.towns is not None
        return [p for holder in dict.fromkeys([self.runtimes, *self.towns.holders.values()]) for p in holder.reload()]

    def engine(self, flow_version: str | None = None, town: str | None = None) -> Engine:
        holder = self.town_runtimes(town)
        runtime = holder.for_version(flow_version) if flow_version else holder.get()
        return Engine(runtime)


def create_app(
    config: Config | None = None,
    *,
    runtime: Runtime | None = None,
    recorder: Recorder | None = None,
    speech: PhoneSpeech | None = None,
    check_speech: bool = False,
) -> Flask:
    """The one place a server is assembled. ``check_speech`` loads every model the
    enabled languages need before the first call and reports what each will use
    (``civicline serve`` and the WSGI entry point set it)."""
    config = config or load_config()
    towns = load_towns(config, runtime)  # raises FlowError: never serve a broken flow
    holder = towns.holder(towns.default)
    if recorder is None:
        from civicline.wiring import recorder_for

        recorder = recorder_for(config, town=towns.default)
    store = getattr(recorder, "store", None)
    for key, town_holder in towns.holders.items():
        _flag_stale_records(town_holder.get(), recorder, config, key if towns.several and key != towns.default else "")
        if store is not None and hasattr(store, "add_city_request"):
            from civicline.open311.desk import desk_for

            # With several towns, each desk retries its own town's requests (the default
            # town's calls may also be recorded without a key).
            keys = ((key, "") if key == towns.default else (key,)) if towns.several else None
            desk = desk_for(town_holder.config, town_holder.get().town, store, keys)
            town_holder.use_desk(desk)
            if desk.client is not None and check_speech:  # the real server, not a test's app
                desk.start_retrying()
    speech = speech or phone_speech(config)
    if speech is not None:
        from civicline.phone.town_wording import TownWording

        # The towns' own sentences keep their audio once joined: the same menus, again and again.
        speech.assembler.fixed = TownWording(lambda: [h.get() for h in towns.holders.values()])
    report = None
    if check_speech and speech is not None:
        languages = [lang for h in towns.holders.values() for lang in h.get().languages]
        report = speech.engines.startup_check(list(dict.fromkeys(languages)))
    app = Flask(__name__, instance_relative_config=True)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    secret = config.secret("CIVICLINE_SECRET_KEY")
    if secret:
        app.config["SECRET_KEY"] = secret
    if not config.secret("TWILIO_AUTH_TOKEN"):
        # Said at start, not only at the first refused call: the line looks up but answers no one.
        logging.getLogger(__name__).warning("TWILIO_AUTH_TOKEN is not set: /twilio/voice and /twilio/sms refuse every request "
                    "until it is (the chat page works without it)")
    texts = texts_for(config, recorder)
    ext = Civicline(config, holder, recorder, speech, report, texts, redis=redis_for(config), towns=towns)
    if ext.redis is not None:
        ext.flow_notices = share_flow_reloads(towns.holders, ext.redis)
    app.extensions["civicline"] = ext

    @app.get("/health")
    def health() -> Any:
        """200 when calls are answered and recorded as they should be; 503 with the
        problems when records are being lost or a language has lost its recogniser or
        voice (a monitor needs no more than the status code)."""
        runtime = holder.get()
        ext = app.extensions["civicline"]
        problems: list[str] = []
        if ext.speech is None:
            speech_state: Any = "off: the voice extra is not installed"
        elif ext.speech_report is None:
            speech_state = "not checked at start: models load on first use"
        else:
            speech_state = {lang: r.to_json() for lang, r in ext.speech_report.items()}
            problems += [r.describe() for r in ext.speech_report.values() if r.keypad_only or r.fallback_voice]
        records = getattr(ext.recorder, "health", None)
        if records is not None and not records.ok:
            problems.append(f"call records are being lost: {records.last_error}")
        store = getattr(ext.recorder, "store", None)
        open_error = getattr(store, "open_error", None)
        if open_error:
            problems.append(f"call records cannot be written: {open_error}")
        database = _database_state(store)
        if database is not None and not database["reachable"] and not open_error:
            problems.append(f"the records database does not answer: {database['error']}")
        telephony = app.extensions.get("telephony")
        if telephony is not None and telephony.in_progress.problem:
            problems.append(telephony.in_progress.problem)
        text_service = app.extensions.get("text_service")
        text_problem = getattr(getattr(text_service, "conversations", None), "problem", None)
        if text_problem:
            problems.append(text_problem)
        if ext.flow_notices is not None and not ext.flow_notices.listening.is_set():
            problems.append("flows saved through other workers are not heard here: Redis is unreachable")
        body = jsonify(
            status="failing" if problems else "ok",
            problems=problems,
            town=runtime.town_name,
            towns={number: ext.runtime_of(key).town_name for number, key in towns.numbers.items()} or None,
            flows=runtime.flows.version,
            languages=runtime.languages,
            speech=speech_state,
            records=records.to_json() if records is not None else None,
            database=database,
            # Pieces said from the rendered vocabulary and made live, by language, since start:
            # live ones are answers `civicline prompts render` could not foresee.
            vocabulary=dict(ext.speech.assembler.counts) if ext.speech is not None else None,
        )
        return body, 503 if problems else 200

    # Blueprints attach here: each package has init_app(app).
    from civicline.twilio import init_app as init_telephony

    init_telephony(app)
    from civicline.text import init_app as init_text
    from civicline.twilio.sms import init_app as init_sms

    init_text(app)
    init_sms(app)
    from civicline.console import init_app as init_console

    init_console(app)
    return app


def _database_state(store: Any) -> dict[str, Any] | None:
    """The records database for /health: which back-end, where (never a password), and
    whether it answers now (a query of a second at most)."""
    ping = getattr(store, "ping", None)
    if ping is None:
        return None
    error = ping(1.0)
    return {"backend": store.backend, "where": store.describe(), "reachable": error is None, "error": error}


def _flag_stale_records(runtime: Runtime, recorder: Recorder | None, config: Config, town: str = "") -> None:
    """Records whose verification is old, or soon will be, go on the staff's review list
    at every start (each record once per verification date)."""
    from records.review import flag_stale_records

    facts = getattr(runtime.town, "verified_facts", None)
    store = getattr(recorder, "store", None)
    if not callable(facts) or store is None:
        return
    try:
        flag_stale_records(store, facts(), max_age_days=config.max_age_days, town=town)
    except Exception:  # the review list must never keep the phone line from starting
        logging.getLogger(__name__).exception("could not put stale records on the review list")
