"""What the fuzz suites share: hypothesis settings (explore locally, the same examples on CI
so that a red run is a bug, not chance) and text that can travel in a form or a header."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=int(os.environ.get("CIVICLINE_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

# Any text a client could send in a form field (surrogates cannot be encoded at all).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
# What fits in an HTTP header (latin-1, no line breaks).
HEADER = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"), max_size=60)

TWIML_VERBS = {"Play", "Say", "Gather", "Record", "Redirect", "Connect", "Dial", "Hangup", "Pause"}


def twiml_problem(body: str) -> str | None:
    """Why ``body`` is not TwiML Twilio can carry out, or None."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        return f"not XML: {exc}"
    if root.tag != "Response":
        return f"root is <{root.tag}>"
    unknown = {child.tag for child in root} - TWIML_VERBS
    return f"unknown verbs {unknown}" if unknown else None
