"""Small, exact edits of a language catalog (translations/<lang>.yaml) from the console:
add an example phrase to an intent, replace a prompt's text (a machine draft a person
reviewed). The file is edited as text, line by line, so that its comments and layout stay
as the translators wrote them; the result is then loaded again and compared with the
original so that nothing but the intended change can be saved."""

from __future__ import annotations

import json
from pathlib import Path

from flask import current_app

from staff_files.problems import FlowError, Problem
from staff_files.yaml_lines import LineDict, LineList, load_yaml_file
from translations.catalog import TODO_MARK, Catalog, load_catalog


class EditError(Exception):
    pass


def catalog_dir() -> Path:
    from translations.catalog import CATALOG_DIR

    return Path(current_app.config.get("CONSOLE_CATALOG_DIR") or CATALOG_DIR)


def quoted(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: every character is escaped safely.
    return json.dumps(text, ensure_ascii=False)


def _load(path: Path) -> LineDict:
    data, problems = load_yaml_file(path)
    if problems or not isinstance(data, LineDict):
        raise EditError(f"{path.name} cannot be read: {'; '.join(map(str, problems))}")
    return data


def add_example(text: str, path: Path, intent: str, phrase: str) -> str:
    """The catalog text with ``phrase`` added to ``intent``'s examples."""
    data = _load(path)
    lines = text.split("\n")
    intents = data.get("intents")
    if not isinstance(intents, LineDict):
        raise EditError(f"{path.name} has no 'intents:' section")
    if intent not in intents:
        # A new intent for this language: right under "intents:".
        at = data.line_of("intents")
        lines.insert(at, f"  {intent}: [{quoted(phrase)}]")
        return "\n".join(lines)
    examples = intents[intent]
    line_no = intents.line_of(intent)
    line = lines[line_no - 1]
    stripped = line.rstrip()
    if stripped.endswith("]") and "[" in stripped:  # flow style on one line
        head = stripped[:-1].rstrip()
        sep = "" if head.endswith("[") else ", "
        lines[line_no - 1] = f"{head}{sep}{quoted(phrase)}]"
    elif isinstance(examples, LineList) and examples.item_lines:
        last = examples.item_lines[-1]
        indent = lines[last - 1][: len(lines[last - 1]) - len(lines[last - 1].lstrip())]
        lines.insert(last, f"{indent}- {quoted(phrase)}")
    else:
        raise EditError(f"the examples of {intent} are not written as a list; edit {path.name} by hand")
    return "\n".join(lines)


def set_prompt(text: str, catalog: Catalog, key: str, value: str) -> str:
    line_no = catalog.lines.get(key)
    if not line_no:
        raise EditError(f"the prompt {key} is not in {Path(catalog.file).name}")
    lines = text.split("\n")
    line = lines[line_no - 1]
    indent = line[: len(line) - len(line.lstrip())]
    if not line.lstrip().startswith(f"{key}:"):
        raise EditError(f"the prompt {key} is written over several lines; edit it by hand")
    lines[line_no - 1] = f"{indent}{key}: {quoted(value)}"
    return "\n".join(lines)


def same_except(before: Catalog, after: Catalog, *, intent: str | None = None, prompt: str | None = None) -> list[str]:
    """What differs between two loads of a catalog, outside the one intended change."""
    changed = []
    for name in set(before.intents) | set(after.intents):
        if name != intent and before.intents.get(name) != after.intents.get(name):
            changed.append(f"intent {name}")
    for key in set(before.prompts) | set(after.prompts):
        if key != prompt and before.prompts.get(key) != after.prompts.get(key):
            changed.append(f"prompt {key}")
    return changed


def check_catalog(copy_dir: Path, lang: str, before: Catalog, *, intent: str | None = None,
                  phrase: str | None = None, prompt: str | None = None, value: str | None = None) -> list[Problem]:
    name = f"{lang}.yaml"
    try:
        after = load_catalog(copy_dir / name)
    except FlowError as exc:
        return exc.problems
    problems = [Problem(name, None, f"the edit would also change {what}") for what in same_except(before, after, intent=intent, prompt=prompt)]
    if intent and phrase and phrase not in after.intents.get(intent, ()):
        problems.append(Problem(name, None, f"the example was not added to {intent}"))
    if prompt and after.prompts.get(prompt) != value:
        problems.append(Problem(name, None, f"the prompt {prompt} did not get the new text"))
    return problems


def drafts(catalog: Catalog) -> list[tuple[str, str]]:
    """Prompts a machine (or `translations add`) drafted and a person has not reviewed."""
    return [(k, v[len(TODO_MARK):].strip()) for k, v in catalog.prompts.items() if v.startswith(TODO_MARK)]
