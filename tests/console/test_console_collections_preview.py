"""After uploading a calendar as published, staff see the next collections of an address as
the assistant says them; checked here against the days read from the same ICS file by the
independent reader of tests/support/ics_dates.py (not civicline's)."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from html import unescape

import pytest

from support.console import csrf, make_demo_app, sign_in
from support.ics_dates import collection_days

CALENDAR = "ical/gedling_borough_council_friday_g4_bin_schedule.ics"  # acorn-drive's refuse round


@pytest.fixture
def gedling(tmp_path, monkeypatch):
    app, town = make_demo_app(tmp_path, monkeypatch, "gedling")
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    sign_in(client)
    return app, town, client


def _days_in_table(html: str, zone: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [day for day, z in re.findall(r'<tr><th scope="row">([^<]*)</th><td>[^<]*</td><td>([^<]*)</td>', body) if z == zone]


def test_an_uploaded_calendar_shows_the_addresses_next_collections_as_published(gedling):
    from babel.dates import format_date

    app, town, client = gedling
    published = (town / "data" / CALENDAR).read_bytes()
    response = client.post("/console/data/ics", data={"csrf_token": csrf(client), "target": CALENDAR,
                                                      "file": (io.BytesIO(published), "friday_g4.ics")},
                           content_type="multipart/form-data")
    assert response.status_code == 200  # first what it gives (test_console_calendar_review.py), then published
    html = response.get_data(as_text=True)
    form = {name: unescape(re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html).group(1))
            for name in ("name", "content", "base_hash", "note")}
    assert client.post("/console/data/publish", data={"csrf_token": csrf(client), **form}).status_code == 302
    start, weeks = date(2025, 12, 15), 6  # Christmas and New Year moves
    html = unescape(client.get(f"/console/data/next-collections?street=acorn-drive&from={start}&weeks={weeks}",
                               headers={"Accept-Language": "en"}).get_data(as_text=True))
    end = start + timedelta(days=weeks * 7)
    expected = sorted({d.day for d in collection_days(town / "data" / CALENDAR) if start <= d.day <= end})
    assert len(expected) >= 5
    shown = _days_in_table(html, "Friday G4")
    # In date order; a day with two kinds (green bin and glass box) is one row per kind.
    assert list(dict.fromkeys(shown)) == [format_date(d, "full", locale="en_GB") for d in expected]
    # A day the calendar moved says the day it replaces.
    moved = [d for d in collection_days(town / "data" / CALENDAR) if d.replaces and start <= d.day <= end]
    assert len(moved) == 2  # Boxing Day and 2 January
    for d in moved:
        assert f"instead of {format_date(d.replaces, 'full', locale='en_GB')}" in html


def test_bad_inputs_are_refused_with_a_message_and_no_error(gedling):
    _, _, client = gedling
    for query, message in [("street=nope", "Choose a street from the list."),
                           ("street=acorn-drive&number=12b", "'12b' is not a house number"),
                           ("street=acorn-drive&from=31/12/2025", "'31/12/2025' is not a date."),
                           # a date whose preview would end past the calendar's last year
                           ("street=acorn-drive&from=9999-11-20", "'9999-11-20' is not a date.")]:
        response = client.get(f"/console/data/next-collections?{query}", headers={"Accept-Language": "en"})
        assert response.status_code == 422
        assert message in unescape(response.get_data(as_text=True))


def test_the_preview_speaks_the_staffs_language(gedling):
    _, _, client = gedling
    html = unescape(client.get("/console/data/next-collections?street=acorn-drive&from=2025-12-15",
                               headers={"Accept-Language": "fr"}).get_data(as_text=True))
    assert "<h1>Prochaines collectes d'une adresse</h1>" in html and "Collectes du 15/12/2025" in html
