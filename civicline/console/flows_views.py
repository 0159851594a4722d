"""Flows: view and edit a flow file with the validator's problems at their lines; every
save keeps a version (author, diff) and can be undone; a saved flow takes effect for new
calls at once, while calls in progress finish on the version they started with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import get_locale

from civicline import wiring
from civicline.console import files
from civicline.console.core import (
    ConsoleError,
    _,
    _l,
    bp,
    civic,
    not_found,
    render,
    require,
    signed_in,
    state,
)
from civicline.console.file_versions import text_hash
from civicline.console.flow_picture import boxes_of_file
from staff_files.problems import Problem

KIND = "flow"


def flow_folder() -> tuple[Path, list[str]]:
    """The folder of the flows the assistant runs, and their file names."""
    runtime = civic().runtime
    paths = [Path(f) for f in runtime.flows.files]
    if paths:
        return paths[0].parent, sorted(p.name for p in paths)
    town = runtime.town
    folder = Path(getattr(town, "flows_dir", None) or civic().config.town_path / "flows")
    return folder, sorted(p.name for p in folder.glob("*.y*ml"))


def flow_path(name: str) -> tuple[Path, str]:
    folder, names = flow_folder()
    if name not in names:  # only files the assistant runs: no path tricks
        not_found(_l("The flow file %(file)s", file=repr(name)))
    return folder, name


def check_flows(copy: Path) -> list[Problem]:
    return wiring.check_runtime(civic().config, flows_dir=copy).problems


def annotate(text: str, problems: list[Problem], name: str) -> tuple[list[dict], list[Problem], list[Problem]]:
    """Numbered lines with their problems; problems of this file without a line; others."""
    at: dict[int, list[Problem]] = {}
    loose, elsewhere = [], []
    for p in problems:
        if Path(p.file).name != name:
            elsewhere.append(p)
        elif p.line:
            at.setdefault(p.line, []).append(p)
        else:
            loose.append(p)
    lines = [{"n": i, "text": t, "problems": at.get(i, [])} for i, t in enumerate(text.split("\n"), 1)]
    # A problem past the end (a missing field at the last line) still shows.
    for n in sorted(k for k in at if k > len(lines)):
        loose += at[n]
    return lines, loose, elsewhere


def editor_page(name: str, text: str, base_hash: str, status: int = 200, **extra: Any) -> Any:
    problems = extra.pop("problems", [])
    lines, loose, elsewhere = annotate(text, problems, name)
    history = state().versions.history(KIND, name)
    return render(
        "flow_edit.html", status, title=_("Flow %(file)s", file=name), name=name, text=text, base_hash=base_hash,
        lines=lines, problems=problems, loose=loose, elsewhere=elsewhere, history=history,
        version_url=lambda seq: url_for("console.flows_version", name=name, seq=seq),
        running=civic().runtime.flows.version, **extra,
    )


@bp.get("/flows")
def flows() -> Any:
    folder, names = flow_folder()
    rows = []
    for name in names:
        latest = state().versions.latest(KIND, name)
        rows.append({"name": name, "latest": latest, "lines": len(files.read_text(folder / name).splitlines())})
    return render("flows.html", title=_("Flows"), rows=rows, running=civic().runtime.flows.version)


@bp.get("/flows/<name>")
def flows_edit(name: str) -> Any:
    folder, name = flow_path(name)
    text = files.read_text(folder / name)
    goto = request.args.get("line", type=int)  # from the flow's picture: a box's line
    goto = goto if goto and 0 < goto <= text.count("\n") + 1 else None
    return editor_page(name, text, text_hash(text), goto=goto)


@bp.get("/flows/<name>/picture")
def flows_picture(name: str) -> Any:
    """The menus and where each choice leads, from the flows the assistant runs now."""
    name = flow_path(name)[1]
    runtime = civic().runtime
    lang = str(get_locale() or "en")
    boxes = boxes_of_file(runtime.flows, name, runtime.catalogs, lang)
    return render("flow_picture.html", title=_("Picture of a flow"), name=name, boxes=boxes, lang=lang,
                  running=runtime.flows.version)


def _save(name: str, text: str, base_hash: str | None, note: str | None) -> Any:
    folder, name = flow_path(name)
    text = text.replace("\r\n", "\n")  # browsers send CRLF from a textarea
    saved = files.save(
        kind=KIND, folder=folder, relative=name, text=text, base_hash=base_hash,
        author=signed_in().name, check=check_flows, note=note, reload=civic().runtimes.reload,
    )
    if saved.conflict is not None or saved.current_text is not None:
        theirs = saved.current_text or ""
        return editor_page(
            name, text, text_hash(theirs), 409, conflict=saved.conflict,
            conflict_diff=files.diff_lines(theirs, text, _("%(file)s (saved by the other person)", file=name),
                                           _("%(file)s (yours)", file=name)),
        )
    if saved.problems:
        return editor_page(name, text, base_hash or "", 422, problems=saved.problems)
    v = saved.version
    if not saved.unchanged and v is not None:
        flash(_("Saved %(file)s as version %(version)s. New calls use it now; calls in progress finish "
                "on the version they started with.", file=name, version=v.seq), "ok")
    else:
        flash(_("Nothing changed: the text is the same as the saved one."), "ok")
    return redirect(url_for("console.flows_edit", name=name))


@bp.post("/flows/<name>")
@require("editor")
def flows_save(name: str) -> Any:
    if "content" not in request.form:
        raise ConsoleError(422, _l("The form had no flow text. Nothing was saved."), _l("Nothing to save"))
    note = (request.form.get("note") or "").strip()[:200] or None
    return _save(name, request.form["content"], request.form.get("base_hash") or "", note)


@bp.get("/flows/<name>/versions/<int:seq>")
def flows_version(name: str, seq: int) -> Any:
    folder, name = flow_path(name)
    version = state().versions.get(KIND, name, seq)
    if version is None:
        not_found(_l("Version %(version)s of %(file)s", version=seq, file=name))
    current = files.read_text(folder / name)
    return render(
        "flow_version.html", title=_("%(file)s, version %(version)s", file=name, version=seq), name=name, v=version,
        diff=state().versions.diff(KIND, name, seq),
        to_current=files.diff_lines(current, version.content, _("%(file)s (now)", file=name),
                                    _("%(file)s (version %(version)s)", file=name, version=seq)),
        base_hash=text_hash(current), is_current=text_hash(current) == version.hash,
    )


@bp.post("/flows/<name>/versions/<int:seq>/restore")
@require("editor")
def flows_version_restore(name: str, seq: int) -> Any:
    flow_path(name)
    version = state().versions.get(KIND, name, seq)
    if version is None:
        not_found(_l("Version %(version)s of %(file)s", version=seq, file=name))
    return _save(name, version.content, request.form.get("base_hash") or "",
                 _("back to version %(version)s", version=seq))
