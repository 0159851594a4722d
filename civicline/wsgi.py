"""The production entry point: ``gunicorn ... 'civicline.wsgi:app'`` (docs/deployment.md).

The configuration comes from ``civicline.toml`` (or ``$CIVICLINE_CONFIG``) and the
environment; every model the enabled languages need is loaded before the first call, and
what each language will use is logged and shown at ``/health``.
"""

from __future__ import annotations

import logging

from civicline.app import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = create_app(check_speech=True)
for readiness in (app.extensions["civicline"].speech_report or {}).values():
    logging.getLogger("civicline").info("speech %s", readiness.describe())
