"""Configuration: one TOML file (civicline.toml), overridden by CIVICLINE_* variables.

Secrets never live in the file: they are read from the environment only (see SECRETS).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from staff_files.problems import CivicError

DEFAULT_FILE = "civicline.toml"
# Secrets, read from the environment only. A key found in the TOML file is refused.
# CIVICLINE_REDIS_URL and CIVICLINE_DATABASE_URL are: a URL may carry the server's password.
SECRETS = ("TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID", "CIVICLINE_HASH_KEY", "CIVICLINE_SECRET_KEY",
           "CIVICLINE_OPEN311_API_KEY", "CIVICLINE_REDIS_URL", "CIVICLINE_DATABASE_URL")

# TOML section.key -> Config field
_LAYOUT = {
    ("town", "path"): "town_path",
    ("languages", "enabled"): "languages",
    ("languages", "fixed"): "fixed_language",
    ("languages", "main"): "main_language",
    ("answers", "max_age_days"): "max_age_days",
    ("answers", "spoken_provenance"): "spoken_provenance",
    ("records", "db"): "db_path",
    ("records", "retention_days"): "retention_days",
    ("records", "minutes_per_call"): "minutes_per_call",
    ("server", "host"): "host",
    ("server", "port"): "port",
    ("server", "public_url"): "public_url",
    ("server", "max_body_bytes"): "max_body_bytes",
    ("server", "trusted_proxies"): "trusted_proxies",
    ("translation", "engines"): "translation_engines",
    ("understanding", "meaning"): "meaning_model",
    ("understanding", "cache"): "meaning_cache_dir",
    ("telephony", "mode"): "telephony_mode",
    ("telephony", "stream_ttl_s"): "stream_token_ttl_s",
    ("telephony", "audio_cache"): "audio_cache_dir",
    ("telephony", "state"): "in_progress_path",
    ("telephony", "twiml_speech_wait_s"): "twiml_speech_wait_s",
    ("voice", "audio_cache"): "audio_cache_dir",
    ("voice", "cpu_threads"): "cpu_threads",
    ("voice", "assembly"): "speech_assembly",
    ("voice", "languages"): "voice_models",
    ("voice", "denoise"): "denoise",
    ("telephony", "end_silence_ms"): "end_silence_ms",
    ("telephony", "early_recognition_ms"): "early_recognition_ms",
    ("telephony", "record_max_s"): "record_max_s",
    ("telephony", "speech_parallel"): "speech_parallel",
    ("telephony", "recording_hosts"): "recording_hosts",
    ("telephony", "dial_timeout_s"): "dial_timeout_s",
    ("sms", "from"): "sms_from",
    ("sms", "copies"): "sms_copies",
    ("sms", "api_base"): "sms_api_base",
    ("text", "idle_minutes"): "text_idle_minutes",
    ("text", "person_idle_minutes"): "text_person_idle_minutes",
    ("text", "max_length"): "text_max_length",
    ("text", "chat"): "chat_enabled",
    ("text", "chat_per_minute"): "chat_per_minute",
    ("text", "chat_cookie_secure"): "chat_cookie_secure",
    ("open311", "endpoint"): "open311_endpoint",
    ("open311", "retry_s"): "open311_retry_s",
    ("open311", "timeout_s"): "open311_timeout_s",
}
# Environment variables servers already set for a setting whose field has another name; the
# field's own CIVICLINE_<FIELD> wins when both are given.
_ENV_ALIASES = {"CIVICLINE_LINE_STATE_PATH": "in_progress_path"}
# A called number as Twilio gives it in ``To``: E.164, "+" and up to 15 digits.
E164 = re.compile(r"^\+[1-9][0-9]{5,14}$")


class ConfigError(CivicError):
    pass


@dataclass(frozen=True)
class Config:
    town_path: Path = Path("towns/port-lumiere")
    # [towns]: called number (E.164) -> town folder, several towns on one service; empty:
    # the one town of town_path answers every number
    towns: dict[str, Path] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)  # empty: the town's (town.yaml)
    fixed_language: str | None = None
    main_language: str | None = None  # default: the town's
    max_age_days: int = 180
    spoken_provenance: bool = False
    db_path: Path = Path("instance/civicline.sqlite3")
    retention_days: int = 90
    minutes_per_call: float = 4.0
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""
    max_body_bytes: int = 64 * 1024
    # Reverse proxies whose X-Forwarded-* headers are believed (addresses or networks)
    trusted_proxies: list[str] = field(default_factory=list)
    translation_engines: list[str] = field(default_factory=list)
    meaning_model: str = "use-m3"  # sentence encoder beside the word matcher; "none": words only
    meaning_cache_dir: Path = Path("instance/embeddings")
    telephony_mode: str = "streams"  # streams (Media Streams, real time) | twiml (no websocket)
    stream_token_ttl_s: float = 60.0
    audio_cache_dir: Path = Path("instance/audio")
    in_progress_path: Path | None = None  # calls in progress; default: calls-in-progress.sqlite3 next to db_path
    twiml_speech_wait_s: float = 3.0
    end_silence_ms: int = 600
    early_recognition_ms: int = 250  # recognition starts on a pause this long; 0: at the end of speech
    record_max_s: int = 15
    speech_parallel: int = 2
    recording_hosts: list[str] = field(default_factory=lambda: ["api.twilio.com"])
    dial_timeout_s: int = 20
    cpu_threads: int = 2  # threads each speech model may use (about the machine's cores)
    # Answers joined from the rendered vocabulary (civicline prompts render); false: each
    # answer synthesised whole, as before the vocabulary (the bench's --naive)
    speech_assembly: bool = True
    # [voice.languages.LANG.stt|tts]: the models a city installed, over the built-in ones
    voice_models: dict[str, Any] = field(default_factory=dict)
    denoise: str = "none"  # noise suppression before recognition: none | spectral-gate (docs/voice.md)
    sms_from: str = ""  # the town's SMS number (+33…) or Messaging Service SID (MG…); empty: sends none
    sms_copies: bool = False  # after an answer on the phone, offer a copy by SMS (7, or in words)
    sms_api_base: str = "https://api.twilio.com"  # Twilio's REST API (tests: the fake one)
    text_idle_minutes: int = 30  # an SMS or chat conversation with no message this long ends
    text_person_idle_minutes: int = 120  # the same once handed to a person, who answers from the console
    text_max_length: int = 1000  # characters of one message a resident writes
    chat_enabled: bool = True  # the residents' chat page /chat
    chat_per_minute: int = 12  # messages one client address may send to /chat a minute
    chat_cookie_secure: bool = True  # the chat cookie only over https (tests on http: false)
    # The town's Open311 endpoint over town.yaml's; its API key: $CIVICLINE_OPEN311_API_KEY
    open311_endpoint: str = ""
    open311_retry_s: float = 300.0  # first wait before a request the endpoint refused is sent again
    open311_timeout_s: float = 4.0  # the caller waits on the line while a request is filed
    source: str = "(defaults)"

    @staticmethod
    def secret(name: str) -> str | None:
        """A secret from the environment, never from the file."""
        return os.environ.get(name) or None


def _coerce(name: str, value: Any, where: str) -> Any:
    kinds = {f.name: f.type for f in fields(Config)}
    kind = kinds[name]
    try:
        if "Path" in kind:
            if "None" in kind and not str(value):
                return None  # empty: the default place
            return Path(value)
        if kind.startswith("dict"):
            return _voice_models(value, where)
        if kind.startswith("list"):
            if isinstance(value, str):
                return [v.strip() for v in value.split(",") if v.strip()]
            return [str(v) for v in value]
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "on")
            return bool(value)
        if "None" in kind:
            return str(value) or None
        if name == "denoise":
            return _denoise(value, where)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {value!r} is not a valid value for {name}") from None


def _denoise(value: Any, where: str) -> str:
    """[voice] denoise: "none" or a noise suppression the voice layer has."""
    try:
        from voice.audio.denoise import DENOISERS
    except ImportError:  # the voice extra is not installed: nothing here would use it
        return str(value)
    if value not in ("none", *DENOISERS):
        raise ConfigError(f"{where}: {value!r} is not a noise suppression (expected none or {', '.join(DENOISERS)})")
    return str(value)


def _voice_models(value: Any, where: str) -> dict[str, Any]:
    """[voice.languages]: checked now, so a typo stops the server at start with its place."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected tables such as [voice.languages.fr.tts]")
    try:
        from voice.errors import VoiceError
        from voice.models import registry_from_config
    except ImportError:  # the voice extra is not installed: nothing here would use them
        return dict(value)
    try:
        registry_from_config(value)
    except VoiceError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return dict(value)


def _towns(table: dict[str, Any], file: Path) -> dict[str, Path]:
    """[towns]: each called number's town folder (relative to the file). The numbers are
    checked here; that each folder is a town, when the towns are loaded (civicline.towns)."""
    base = file.resolve().parent
    towns: dict[str, Path] = {}
    for number, folder in table.items():
        where = f"{file} [towns] {number!r}"
        if not E164.match(number):
            raise ConfigError(f"{where}: a called number is written in E.164, as Twilio sends it (\"+33199000000\")")
        if not isinstance(folder, str) or not folder.strip():
            raise ConfigError(f"{where}: expected the town's folder, e.g. \"towns/port-lumiere\"")
        path = Path(folder)
        towns[number] = path if path.is_absolute() else base / path
    return towns


def _towns_from_env(text: str) -> dict[str, Path]:
    """``$CIVICLINE_TOWNS``: ``NUMBER=FOLDER,NUMBER=FOLDER`` (folders relative to the current
    directory), in place of the file's [towns]: ``make run`` serves the demo's two towns so."""
    table: dict[str, Any] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        number, sep, folder = item.partition("=")
        if not sep:
            raise ConfigError(f"CIVICLINE_TOWNS: {item.strip()!r}: expected NUMBER=FOLDER, e.g. +33199000000=towns/port-lumiere")
        table[number.strip()] = folder.strip()
    return _towns(table, Path("CIVICLINE_TOWNS"))


def load_config(path: str | Path | None = None, env: dict[str, str] | None = None) -> Config:
    """Reads the TOML file (if any), then CIVICLINE_<FIELD> environment overrides."""
    env = dict(os.environ if env is None else env)
    explicit = path or env.get("CIVICLINE_CONFIG")
    file = Path(explicit or DEFAULT_FILE)
    values: dict[str, Any] = {}
    source = "(defaults)"
    if file.exists():
        source = str(file)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from None
        seen: dict[str, str] = {}
        for section, table in data.items():
            if not isinstance(table, dict):
                raise ConfigError(f"{file}: '{section}' must be a [section]")
            if section == "towns":
                values["towns"] = _towns(table, file)
                continue
            for key, value in table.items():
                if key.upper() in SECRETS or "token" in key.lower() or "password" in key.lower():
                    raise ConfigError(f"{file}: [{section}] {key}: secrets belong in the environment, not in this file")
                name = _LAYOUT.get((section, key))
                if name is None:
                    raise ConfigError(f"{file}: [{section}] {key} is not a setting civicline knows")
                where = f"{file} [{section}] {key}"
                coerced = _coerce(name, value, where)
                if name in values and values[name] != coerced:
                    raise ConfigError(f"{where} differs from {seen[name]}: they are one setting, give it once")
                values[name], seen[name] = coerced, f"[{section}] {key}"
        base = file.resolve().parent
        for name in ("town_path", "db_path", "audio_cache_dir", "meaning_cache_dir", "in_progress_path"):
            if values.get(name) is not None and not values[name].is_absolute():
                values[name] = base / values[name]
    elif explicit:
        raise ConfigError(f"the configuration file {file} does not exist")
    for var, name in _ENV_ALIASES.items():
        if var in env and "CIVICLINE_" + name.upper() not in env:
            values[name] = _coerce(name, env[var], var)
    for f in fields(Config):
        var = "CIVICLINE_" + f.name.upper()
        if var in env and f.name not in ("source", "towns"):
            values[f.name] = _coerce(f.name, env[var], var)
    if env.get("CIVICLINE_TOWNS", "").strip():
        values["towns"] = _towns_from_env(env["CIVICLINE_TOWNS"])
    return Config(**values, source=source)
