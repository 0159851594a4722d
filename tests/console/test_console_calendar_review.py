"""Before a collection calendar or the collections data is published, staff see what the data
check says and the next collections it gives for a street of each zone it feeds; nothing is
written until they publish it, which is a separate step (checked again, versioned)."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import pytest

from civicline.console import town_forms_views
from support.console import csrf, sign_in, signed_in_gedling

CALENDAR = "ical/gedling_borough_council_friday_g4_bin_schedule.ics"  # acorn-drive's refuse round
MOVED = ("DTSTART;VALUE=DATE:20251227\r\nDTEND;VALUE=DATE:20251228", "DTSTART;VALUE=DATE:20251229\r\nDTEND;VALUE=DATE:20251230")


@pytest.fixture
def gedling(tmp_path, monkeypatch):
    return signed_in_gedling(tmp_path, monkeypatch, "en-GB")


def upload(client, data: bytes, target: str = CALENDAR):
    return client.post("/console/data/ics", data={"csrf_token": csrf(client), "target": target,
                                                  "file": (io.BytesIO(data), "friday_g4.ics")},
                       content_type="multipart/form-data")


def hidden(html: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert found, name
    return unescape(found.group(1))


def publish(client, review, **changes):
    html = review.get_data(as_text=True)
    form = {name: hidden(html, name) for name in ("name", "content", "base_hash", "note")}
    return client.post("/console/data/publish", data={"csrf_token": csrf(client), **form, **changes})


def street_days(html: str, street: str) -> list[str]:
    section = re.search(rf"<h3[^>]*>{re.escape(street)}</h3>(.*?)</section>", html, re.S)
    assert section, street
    return re.findall(r'<th scope="row">([^<]*)</th>', section.group(1))


def test_an_uploaded_calendar_shows_its_next_collections_and_is_published_only_when_confirmed(gedling):
    app, town, client = gedling
    path = town / "data" / CALENDAR
    published = path.read_bytes()
    assert MOVED[0].encode() in published
    review = upload(client, published.replace(MOVED[0].encode(), MOVED[1].encode()))
    html = unescape(review.get_data(as_text=True))
    assert review.status_code == 200
    # Acorn Drive's refuse round is this calendar: its household waste moves to Monday 29.
    days = street_days(html, "Acorn Drive")
    assert "Monday, 29 December 2025" in days and "Saturday, 27 December 2025" not in days
    assert "Friday, 19 December 2025" in days  # the rest of the calendar as published
    # Nothing written, no version, the assistant still says the published day.
    assert path.read_bytes() == published
    assert app.extensions["console"].versions.history("data", f"data/{CALENDAR}") == []
    preview = unescape(client.get("/console/data/next-collections?street=acorn-drive&from=2025-12-15&weeks=3")
                       .get_data(as_text=True))
    assert "Saturday, 27 December 2025" in preview and "Monday, 29 December 2025" not in preview
    # Publishing is the separate step.
    done = publish(client, review)
    assert done.status_code == 302
    assert "DTSTART;VALUE=DATE:20251229" in path.read_text(encoding="utf-8")
    history = app.extensions["console"].versions.history("data", f"data/{CALENDAR}")
    assert [v.author for v in history] == ["ed", "(before the console)"]
    preview = unescape(client.get("/console/data/next-collections?street=acorn-drive&from=2025-12-15&weeks=3")
                       .get_data(as_text=True))
    assert "Monday, 29 December 2025" in preview


def test_a_calendar_with_a_problem_cannot_be_published_and_says_why(gedling):
    _, town, client = gedling
    path = town / "data" / CALENDAR
    published = path.read_bytes()
    broken = published.replace(b"SUMMARY:Black Bin Day (Changed Collection)", b"SUMMARY:Purple Bin Day", 1)
    refused = upload(client, broken)
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422 and "Purple Bin Day" in html
    assert "Publish" not in html
    assert path.read_bytes() == published


def test_the_review_says_what_the_data_check_warns_of(gedling, monkeypatch):
    _, town, client = gedling
    monkeypatch.setattr(town_forms_views, "today", lambda: date(2026, 10, 20))  # yearly files end soon
    review = upload(client, (town / "data" / CALENDAR).read_bytes())
    html = unescape(review.get_data(as_text=True))
    assert review.status_code == 200
    assert re.search(r"<strong>warning</strong> — <code>gedling_borough_council_friday_g4_bin_schedule"
                     r"\.ics</code>: this calendar ends on \d\d/\d\d/2026, in \d+ days", html)


def test_the_collections_data_edited_is_reviewed_then_published_and_a_concurrent_save_is_caught(gedling):
    app, town, client = gedling
    path = town / "data" / "collections.yaml"
    text = path.read_text(encoding="utf-8")
    page = client.get("/console/data/file/collections.yaml").get_data(as_text=True)
    base = hidden(page, "base_hash")
    assert "Check and see the collections" in page
    edited = text + "\n# reviewed in the console\n"
    review = client.post("/console/data/file/collections.yaml",
                         data={"csrf_token": csrf(client), "content": edited, "base_hash": base})
    html = unescape(review.get_data(as_text=True))
    assert review.status_code == 200 and "The next collections it gives" in html
    assert len(re.findall(r"<h3 id=\"street-", html)) == 6  # a street for each of the first zones
    assert path.read_text(encoding="utf-8") == text
    # Someone else saves meanwhile: publishing is refused with both texts shown.
    path.write_text(text + "\n# someone else\n", encoding="utf-8")
    conflict = publish(client, review)
    assert conflict.status_code == 409 and "someone else saved this file" in conflict.get_data(as_text=True)
    assert "# reviewed in the console" not in path.read_text(encoding="utf-8")
    # A broken edit goes back to the editor with its problems at their lines.
    bad = client.post("/console/data/file/collections.yaml",
                      data={"csrf_token": csrf(client), "content": text + "\nbroken: [unclosed\n",
                            "base_hash": base})
    assert bad.status_code == 422 and 'id="problems"' in bad.get_data(as_text=True)


def test_the_review_can_show_other_days_and_a_viewer_cannot_publish(gedling):
    app, town, client = gedling
    review = upload(client, (town / "data" / CALENDAR).read_bytes())
    html = review.get_data(as_text=True)
    again = client.post("/console/data/review", data={
        "csrf_token": csrf(client), "name": hidden(html, "name"), "content": hidden(html, "content"),
        "base_hash": hidden(html, "base_hash"), "from": "2026-03-30"})
    assert again.status_code == 200
    days = street_days(unescape(again.get_data(as_text=True)), "Acorn Drive")
    assert days and all("2026" in d and ("April" in d or "March" in d) for d in days)
    viewer = app.test_client()
    viewer.environ_base["wsgi.url_scheme"] = "https"
    assert sign_in(viewer, "vi").status_code == 302
    assert viewer.post("/console/data/publish", data={"csrf_token": csrf(viewer), "name": CALENDAR,
                                                     "content": "x", "base_hash": ""}).status_code == 403
    assert client.post("/console/data/publish", data={"csrf_token": csrf(client), "name": "../town.yaml",
                                                     "content": "x", "base_hash": ""}).status_code == 404
