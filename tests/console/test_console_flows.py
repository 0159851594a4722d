"""Flows in the console: problems at their lines, nothing half-saved, versions with author
and diff, going back, two editors at once, and new calls on the saved flow while calls in
progress keep theirs."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from civicline.calls import Call
from civicline.console.file_versions import text_hash
from flows.session import Pressed
from support.console import csrf, sign_in

BOTH_BACKENDS = True  # the console's tables on SQLite and on PostgreSQL (conftest)

PARIS = ZoneInfo("Europe/Paris")


def base_hash(page: str) -> str:
    return re.search(r'name="base_hash" value="([0-9a-f]*)"', page).group(1)


def save(client, text: str, base: str, name: str = "main.yaml"):
    return client.post(
        f"/console/flows/{name}",
        data={"content": text, "base_hash": base, "csrf_token": csrf(client), "note": "test"},
    )


def test_a_flow_with_an_error_is_not_saved_and_the_problem_is_shown_at_its_line(app, editor, town):
    path = town / "flows" / "main.yaml"
    before = path.read_text()
    running = app.extensions["civicline"].runtime.flows.version
    page = editor.get("/console/flows/main.yaml").get_data(as_text=True)
    broken = before.replace("prompt: test.menu", "prompt: main.no_such_prompt")
    line = broken.splitlines().index("    prompt: main.no_such_prompt") + 1
    response = save(editor, broken, base_hash(page))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not saved: 1 problem" in body or "Not saved:" in body
    assert f'data-line="{line}">Line {line}</a>' in body and "main.no_such_prompt" in body
    assert f'<li id="line-{line}" class="bad">' in body  # marked in the numbered listing
    assert "main.no_such_prompt" in body.split('id="content"')[1]  # the text is kept
    assert path.read_text() == before
    assert app.extensions["civicline"].runtime.flows.version == running
    assert app.extensions["console"].versions.history("flow", "main.yaml") == []


def test_a_yaml_syntax_error_names_its_line(editor, town):
    path = town / "flows" / "main.yaml"
    before = path.read_text()
    page = editor.get("/console/flows/main.yaml").get_data(as_text=True)
    response = save(editor, before.replace("    next: menu", "    next: [menu", 1), base_hash(page))
    assert response.status_code == 422 and "not valid YAML" in response.get_data(as_text=True)
    assert path.read_text() == before


def test_fixing_it_saves_a_version_with_author_and_diff_and_new_calls_use_it(app, editor, town):
    civic = app.extensions["civicline"]
    path = town / "flows" / "main.yaml"
    before = path.read_text()
    old_version = civic.runtime.flows.version
    # A call in progress on the old flow.
    clock = lambda: datetime(2026, 12, 1, 10, 15, tzinfo=PARIS)  # noqa: E731
    in_progress = Call(civic.engine(), clock, language="en")
    in_progress.start()

    page = editor.get("/console/flows/main.yaml").get_data(as_text=True)
    fixed = before.replace("{key: 1, intent: waste.collection_day", "{key: 3, intent: waste.collection_day")
    assert fixed != before
    response = save(editor, fixed, base_hash(page))
    assert response.status_code == 302
    assert path.read_text() == fixed
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved main.yaml as version 2" in page and "calls in progress finish" in page

    history = app.extensions["console"].versions.history("flow", "main.yaml")
    assert [(v.seq, v.author) for v in history] == [(2, "ed"), (1, "(before the console)")]
    assert history[1].content == before
    diff = editor.get("/console/flows/main.yaml/versions/2").get_data(as_text=True)
    assert "-      - {key: 1, intent: waste.collection_day" in diff
    assert "+      - {key: 3, intent: waste.collection_day" in diff

    assert civic.runtime.flows.version != old_version  # new calls get the saved flow
    new_call = Call(civic.engine(), clock, language="en")
    new_call.start()
    assert new_call.send(Pressed("3")).state.node.startswith("waste.")
    # The call that started before the save finishes on its own version: 3 means nothing
    # there, 1 is still the waste choice.
    assert in_progress.state.flow_version == old_version
    assert in_progress.send(Pressed("3")).state.node == "main.menu"
    assert in_progress.send(Pressed("1")).state.node.startswith("waste.")


def test_going_back_to_an_earlier_version(app, editor, town):
    path = town / "flows" / "main.yaml"
    before = path.read_text()
    page = editor.get("/console/flows/main.yaml").get_data(as_text=True)
    changed = before.replace("{key: 1, intent: waste.collection_day", "{key: 3, intent: waste.collection_day")
    assert save(editor, changed, base_hash(page)).status_code == 302
    page = editor.get("/console/flows/main.yaml/versions/1").get_data(as_text=True)
    assert "Go back to version 1" in page
    response = editor.post(
        "/console/flows/main.yaml/versions/1/restore",
        data={"csrf_token": csrf(editor), "base_hash": base_hash(page)},
    )
    assert response.status_code == 302
    assert path.read_text() == before
    latest = app.extensions["console"].versions.latest("flow", "main.yaml")
    assert (latest.seq, latest.author, latest.note) == (3, "ed", "back to version 1")


def test_two_editors_saving_the_same_flow_the_second_is_told_and_nothing_is_lost(app, client, town):
    path = town / "flows" / "main.yaml"
    before = path.read_text()
    first = app.test_client()
    first.environ_base["wsgi.url_scheme"] = "https"
    sign_in(first, "ed")
    sign_in(client, "ad")
    opened = base_hash(first.get("/console/flows/main.yaml").get_data(as_text=True))
    assert base_hash(client.get("/console/flows/main.yaml").get_data(as_text=True)) == opened

    theirs = before.replace("{key: 2, intent: meetings.next", "{key: 4, intent: meetings.next")
    assert save(client, theirs, opened).status_code == 302  # the admin saves first
    mine = before.replace("{key: 1, intent: waste.collection_day", "{key: 3, intent: waste.collection_day")
    response = save(first, mine, opened)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "someone else saved this flow after you opened it" in body and "(ad, version 2" in body
    assert path.read_text() == theirs  # the other person's save is intact
    assert "{key: 3, intent: waste" in body.split('id="content"')[1]  # my text is still there
    # The page now carries the new base: saving again, knowingly, works.
    assert base_hash(body) == text_hash(theirs)
    merged = theirs.replace("{key: 1, intent: waste.collection_day", "{key: 3, intent: waste.collection_day")
    assert save(first, merged, base_hash(body)).status_code == 302
    assert path.read_text() == merged


def test_unknown_flow_files_and_paths_are_not_found(editor):
    assert editor.get("/console/flows/nope.yaml").status_code == 404
    assert editor.get("/console/flows/..%2F..%2Fcivicline.toml").status_code == 404
    response = save(editor, "flow: x\n", "", name="..%2Fevil.yaml")
    assert response.status_code == 404


def test_a_flow_over_the_size_limit_is_refused_clearly(app, editor, town):
    app.config["CONSOLE_MAX_UPLOAD_BYTES"] = 2048
    before = (town / "flows" / "main.yaml").read_text()
    response = save(editor, before + "#" * 4000, "")
    assert response.status_code == 413
    assert "larger than the console accepts (2 KiB)" in response.get_data(as_text=True)
    assert (town / "flows" / "main.yaml").read_text() == before


def test_saving_the_same_text_makes_no_version(app, editor, town):
    text = (town / "flows" / "main.yaml").read_text()
    response = save(editor, text, text_hash(text))
    assert response.status_code == 302
    assert app.extensions["console"].versions.history("flow", "main.yaml") == []


def test_two_workers_saving_one_file_at_once_get_one_number_each(store):
    """Each save takes the file's next version number; two workers saving at once must not
    both take the same one (on PostgreSQL, under the file's lock)."""
    import threading

    from civicline.console.file_versions import FileVersions
    from support.stores import same_database

    other = same_database(store)
    saving = threading.Barrier(8)
    errors: list[BaseException] = []

    def save(versions: FileVersions, n: int) -> None:
        try:
            saving.wait()
            for i in range(5):
                versions.add("flow", "main.yaml", f"version {n}.{i}\n", author=f"editor{n}")
        except BaseException as exc:  # pragma: no cover - the assertion shows it
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(FileVersions(store if n % 2 else other), n)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.close()
    assert not errors, errors
    history = FileVersions(store).history("flow", "main.yaml")
    assert sorted(v.seq for v in history) == list(range(1, 41))
    assert len({v.content for v in history}) == 40
