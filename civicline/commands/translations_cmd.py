"""civicline translations add LANG: a new catalog to translate, copied from English.

Every string is marked `TODO:`; the validator counts a marked prompt as missing, so a
language cannot be enabled for callers until a person has translated it.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from staff_files.problems import CivicError
from translations.catalog import CATALOG_DIR, TODO_MARK, load_catalog

_QUOTED = re.compile(r'^(\s+[\w.]+: )"(.*)"\s*$')
_LIST = re.compile(r"^(\s*[\w.]+: )\[(.*)\]\s*$")


def register(subparsers: argparse._SubParsersAction) -> None:
    from civicline.commands.nlu_cmd import _subparsers_of

    tr = _subparsers_of(subparsers, "translations", "language catalogs")
    p = tr.add_parser("add", help="start a catalog for a new language, copied from English with TODO marks")
    p.add_argument("lang", help="language code, e.g. it or pt-BR")
    p.add_argument("name", help="the language's own name, e.g. Italiano")
    p.add_argument("--dir", type=Path, default=CATALOG_DIR, help=argparse.SUPPRESS)
    p.set_defaults(func=run_add)


def mark(line: str) -> str:
    """Puts TODO: in front of every string of one catalog line."""
    if m := _QUOTED.match(line):
        return f'{m.group(1)}"{TODO_MARK} {m.group(2)}"'
    if m := _LIST.match(line):
        items = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
        return m.group(1) + "[" + ", ".join(f'"{TODO_MARK} {i}"' for i in items) + "]"
    return line


def run_add(args: argparse.Namespace) -> int:
    lang = args.lang
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Z]{2})?", lang):
        raise CivicError(f"{lang!r} is not a language code such as 'it' or 'pt-BR'")
    target = args.dir / f"{lang}.yaml"
    if target.exists():
        raise CivicError(f"{target} exists already: edit it, or remove it first")
    lines = (args.dir / "en.yaml").read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        if line.startswith("language:"):
            out.append(f"language: {lang}")
        elif line.lstrip().startswith("lang.name:"):
            out.append(line[: line.index("lang.name:")] + f'lang.name: "{args.name}"')
        elif line.lstrip().startswith("#") or not line.strip():
            out.append(line)
        else:
            out.append(mark(line))
    header = [
        f"# {args.name}: copied from English. Translate each string and remove its '{TODO_MARK}'",
        "# mark; a prompt still marked counts as missing and `civicline flows check` says where.",
    ]
    target.write_text("\n".join(header + out) + "\n", encoding="utf-8")
    load_catalog(target)  # what we wrote must load
    print(f"wrote {target}: translate it, then add '{lang}' to [languages] enabled in civicline.toml")
    return 0
