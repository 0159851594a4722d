"""The console's English sentences, found where they are written (its Python modules and
templates), and the French and Spanish catalogs kept in step with them.

``python -m civicline.console.messages`` adds each new sentence to every
``translations/<lang>/LC_MESSAGES/messages.po`` with an empty translation, drops the ones
no longer written, and lists what is left to translate; the tests fail while one is empty.
In Python, a sentence is marked with ``gettext``/``_`` (said at once, in a request) or
``lazy_gettext``/``_l`` (kept and said later, e.g. a ConsoleError's message and title);
in templates with ``_()``; a form's refusal with ``town_edit.message`` (said when the page is made).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "translations"
# Messages written in a lower layer that the console shows staff (marked there with N_).
# The data check's problems a clerk meets most (staff_files.problems.problem) are among them.
ELSEWHERE = [HERE.parents[1] / "flows" / "town" / name for name in ("freshness.py", "names.py", "common.py", "ics.py")]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "N_": None, "message": None,
            "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "_p": ((1, "c"), 2),
            "lazy_pgettext": ((1, "c"), 2)}
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]


def english() -> Catalog:
    """Every sentence the console's code and templates mark, with where each is."""
    catalog = Catalog(project="civicline console")
    for name, line, message, comments, context in extract_from_dir(
        HERE, METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {"trimmed": "false"}}
    ):
        if message:
            catalog.add(message, locations=[(name, line)], auto_comments=comments, context=context)
    for path in ELSEWHERE:
        for line, message, comments, context in extract_from_file("python", path, keywords={"N_": None}):
            catalog.add(message, locations=[(path.name, line)], auto_comments=comments, context=context)
    return catalog


def po_path(lang: str) -> Path:
    return SOURCE / lang / "LC_MESSAGES" / "messages.po"


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def translated(text: str | tuple[str, ...] | list[str] | None) -> bool:
    """A message's translation is there (every plural form of it)."""
    return bool(text) if text is None or isinstance(text, str) else all(text)


def update() -> dict[str, list[str]]:
    """Brings every catalog in step with the code; returns the sentences left untranslated."""
    template = english()
    missing: dict[str, list[str]] = {}
    for po in sorted(SOURCE.glob("*/LC_MESSAGES/messages.po")):
        lang = po.parent.parent.name
        catalog = read(lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with po.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False, ignore_obsolete=True, no_location=True)
        missing[lang] = [str(m.id) for m in catalog if m.id and not translated(m.string)]
    return missing


def main() -> int:
    missing = update()
    for lang, ids in missing.items():
        print(f"{lang}: {len(ids)} sentence(s) to translate")
        for text in ids:
            print(f"  {text!r}")
    return 1 if any(missing.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
