"""The Flask application factory. Telephony and the staff console attach as blueprints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, jsonify

from civicline.config import Config, load_config
from civicline.wiring import load_runtime
from flows.engine import Engine
from flows.runtime import Runtime


@dataclass
class Civicline:
    """What the app's requests share, kept in app.extensions['civicline']."""

    config: Config
    runtime: Runtime
    engine: Engine
    recorder: Any = None


def create_app(config: Config | None = None, *, runtime: Runtime | None = None) -> Flask:
    config = config or load_config()
    runtime = runtime or load_runtime(config)  # raises FlowError: never serve a broken flow
    app = Flask(__name__, instance_relative_config=True)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    secret = config.secret("CIVICLINE_SECRET_KEY")
    if secret:
        app.config["SECRET_KEY"] = secret
    app.extensions["civicline"] = Civicline(config, runtime, Engine(runtime))

    @app.get("/health")
    def health() -> Any:
        return jsonify(
            status="ok",
            town=runtime.town_name,
            flows=runtime.flows.version,
            languages=runtime.languages,
        )

    return app
