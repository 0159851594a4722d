"""Data files: edits checked before saving, ICS uploads that must be calendars, the size
limit; and the real town check (flows.town) on a copy of the demo town."""

from __future__ import annotations

import io
import re
import shutil

from civicline.console import data_edit
from support.console import ICS, ROOT, csrf


def upload(client, data: bytes, filename: str = "council.ics", target: str = ""):
    return client.post(
        "/console/data/ics",
        data={"csrf_token": csrf(client), "target": target, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def base_hash(page: str) -> str:
    return re.search(r'name="base_hash" value="([0-9a-f]*)"', page).group(1)


def _hidden(html: str, name: str) -> str:
    from html import unescape

    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert found, name
    return unescape(found.group(1))


def post_publish(client, name: str, content: str, base_hash: str = "", note: str = ""):
    return client.post("/console/data/publish", data={"csrf_token": csrf(client), "name": name, "content": content,
                                                      "base_hash": base_hash, "note": note})


def publish(client, review):
    """The review page's "Publish" button: the form's hidden values sent back."""
    html = review.get_data(as_text=True)
    return post_publish(client, _hidden(html, "name"), _hidden(html, "content"), _hidden(html, "base_hash"),
                        _hidden(html, "note"))


def test_upload_a_calendar(app, editor, town):
    new = ICS.replace("Conseil municipal", "Conseil municipal extraordinaire")
    response = upload(editor, new.encode(), target="meetings.ics")
    # First what it gives, nothing written; publishing is its own step.
    assert response.status_code == 200 and "Publish meetings.ics" in response.get_data(as_text=True)
    assert "extraordinaire" not in (town / "data" / "meetings.ics").read_text()
    assert publish(editor, response).status_code == 302
    assert "extraordinaire" in (town / "data" / "meetings.ics").read_text()
    versions = app.extensions["console"].versions.history("data", "data/meetings.ics")
    assert [v.author for v in versions] == ["ed", "(before the console)"]


def test_a_file_that_is_not_a_calendar_is_refused_and_nothing_is_saved(editor, town):
    before = (town / "data" / "meetings.ics").read_text()
    for data, name, message in [
        (b"%PDF-1.4 binary \x00\xff\xfe", "council.ics", "its first line is &#39;%PDF-1.4 binary"),
        (b"hello, this is a letter", "council.ics", "starts with BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "council.ics", "has no events"),
        (b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:notadate\nEND:VCALENDAR\n", "council.ics", "cannot be read"),
        (ICS.encode(), "council.pdf", "is not an ICS file"),
    ]:
        response = upload(editor, data, name, target="meetings.ics" if name.endswith(".ics") else "")
        assert response.status_code == 422, (name, message)
        assert message in response.get_data(as_text=True), message
    assert (town / "data" / "meetings.ics").read_text() == before
    assert sorted(p.name for p in (town / "data").iterdir()) == ["meetings.ics", "streets.csv"]


def test_an_upload_over_the_size_limit_is_refused(app, editor, town):
    app.config["CONSOLE_MAX_UPLOAD_BYTES"] = 4096
    big = ICS.replace("SUMMARY:Conseil municipal", "SUMMARY:" + "x" * 8000)
    response = upload(editor, big.encode(), target="meetings.ics")
    assert response.status_code == 413
    assert "larger than the console accepts (4 KiB)" in response.get_data(as_text=True)
    assert "xxxx" not in (town / "data" / "meetings.ics").read_text()


def test_no_file_chosen(editor):
    response = editor.post("/console/data/ics", data={"csrf_token": csrf(editor)}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose an ICS file" in response.get_data(as_text=True)


def test_a_csv_edit_with_a_wrong_row_is_refused_at_its_line(editor, town):
    path = town / "data" / "streets.csv"
    before = path.read_text()
    page = editor.get("/console/data/file/streets.csv").get_data(as_text=True)
    broken = before + "rue-neuve,Rue Neuve\n"
    response = editor.post("/console/data/file/streets.csv",
                           data={"csrf_token": csrf(editor), "content": broken, "base_hash": base_hash(page)})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-line="5">line 5</a>: <span>2 values, but the line naming the columns has 4' in body
    assert path.read_text() == before
    fixed = before + "rue-neuve,Rue Neuve,C,2026-12-01\n"
    response = editor.post("/console/data/file/streets.csv",
                           data={"csrf_token": csrf(editor), "content": fixed, "base_hash": base_hash(page)})
    assert response.status_code == 302 and path.read_text() == fixed


def test_data_paths_outside_the_folder_are_not_found(editor, town):
    assert editor.get("/console/data/file/../flows/main.yaml").status_code == 404
    assert editor.get("/console/data/file/nope.csv").status_code == 404
    response = upload(editor, ICS.encode(), "../../evil.ics")
    assert response.status_code == 200 and not (town / "data" / "evil.ics").exists()
    assert publish(editor, response).status_code == 302  # saved under a safe name inside data/
    assert post_publish(editor, "../../evil.ics", ICS).status_code == 404
    assert (town / "data" / "evil.ics").exists()
    assert not (town.parent / "evil.ics").exists() and not (town / "evil.ics").exists()


def test_the_real_town_check_finds_a_bad_zone_with_its_line(tmp_path):
    """The console's check uses flows.town.check_town: on the demo town, an unknown zone."""
    town = tmp_path / "port-lumiere"
    shutil.copytree(ROOT / "towns" / "port-lumiere", town)
    assert data_edit.full_check(town) == []
    streets = town / "data" / "streets.csv"
    lines = streets.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("rue-victor-hugo,"))
    lines[row] = lines[row].replace(",odd,A,", ",odd,Z,")
    streets.write_text("\n".join(lines), encoding="utf-8")
    problems = data_edit.full_check(town)
    assert problems, "an unknown zone must be reported"
    assert any(p.line == row + 1 and "streets.csv" in p.file for p in problems), problems


def test_verified_today_on_the_demo_town_files(tmp_path):
    """The record ids provenance gives, found in the demo town's real files; the town still
    passes its own check afterwards."""
    from datetime import date

    town = tmp_path / "port-lumiere"
    shutil.copytree(ROOT / "towns" / "port-lumiere", town)
    day = date(2026, 12, 24)
    for dataset, record, file in [
        ("streets", "rue-victor-hugo", "streets.csv"),
        ("collections", "household-A@2026-12-01", "collections.yaml"),
        ("permits", "cafe_terrace", "permits.yaml"),
    ]:
        path, text = data_edit.find_record(town / "data", dataset, record, day)
        assert path.name == file
        before = path.read_text(encoding="utf-8").split("\n")
        after = text.split("\n")
        changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        assert changed and all("2026-12-24" in after[i] for i in changed), (record, changed)
        path.write_text(text, encoding="utf-8")
    permits = (town / "data" / "permits.yaml").read_text(encoding="utf-8")
    terrace = permits[permits.index("- id: cafe_terrace"):permits.index("- id: construction")]
    assert terrace.count("verified: 2026-12-24") == 2  # the permit and its fee
    assert data_edit.full_check(town) == []
