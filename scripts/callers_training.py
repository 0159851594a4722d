"""Write translations/callers/<lang>.yaml: the tuned-on caller sentences the intent
regression is fitted on (translations/caller_sentences.py says how they are used).

Run: .venv/bin/python scripts/callers_training.py [--write]

Reads tests/nlu/data/callers for the tuned-on parts only (civicline.callers_eval.TUNED_ON);
the held-out set (test_*) is never read. Without --write, says what would change.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from civicline.callers_eval import TUNED_ON, has_set, labelled_sentences  # noqa: E402
from translations.caller_sentences import CALLERS_DIR  # noqa: E402

LANGS = ("fr", "en", "es", "it")
HEADER = """\
# Callers' own sentences, labelled with what each asks for, that the intent regression is
# fitted on beside the catalogs' examples (translations/caller_sentences.py). Copied from the
# tuned-on caller sets of tests/nlu/data/callers ({parts}: written by people who had not
# read the catalogs, as a recogniser writes them; dev3, dev4, dev5, dev7, dev8, dev9, dev10 and dev11 were first held out as test_*; dev6 was written
# as training material) by
# scripts/callers_training.py --write. Do not edit by hand; the held-out set is never copied
# here. out_of_scope: questions this line does not answer.
"""


def render(lang: str) -> str:
    import yaml

    parts = tuple(p for p in TUNED_ON if has_set(lang, p))
    body = yaml.safe_dump({"language": lang, "sources": list(parts), "intents": labelled_sentences(lang, parts)},
                          allow_unicode=True, sort_keys=False, width=200)
    return HEADER.format(parts=", ".join(parts)) + body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    stale = 0
    for lang in LANGS:
        path = CALLERS_DIR / f"{lang}.yaml"
        text = render(lang)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale += 1
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        print(f"{'wrote' if args.write else 'stale'}: {path.relative_to(ROOT)}")
    return 0 if args.write or not stale else 1


if __name__ == "__main__":
    sys.exit(main())
