"""voice knows audio, not flows: it must not import flows, nlu or civicline."""

import ast
from pathlib import Path

VOICE = Path(__file__).resolve().parents[2] / "voice"


def _own_modules():
    # voice/telephony/ has its own owner and tests.
    return [p for p in VOICE.rglob("*.py") if "telephony" not in p.parts]


def test_voice_imports_nothing_from_upper_layers():
    bad = []
    for path in _own_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            bad += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("flows", "nlu", "civicline")]
    assert bad == []


def test_modules_stay_small():
    sizes = {p.relative_to(VOICE).as_posix(): len(p.read_text().splitlines()) for p in _own_modules()}
    assert max(sizes.values()) <= 320, sizes
