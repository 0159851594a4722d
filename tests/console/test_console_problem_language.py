"""The data check's problems a clerk meets most, uploading a calendar or editing a CSV, said in
the staff's language in the console (and no longer marked as English there), while the
command line keeps the English message: a file that is not a calendar or has no event, one
saved in Windows-1252, an event mapping to no kind of waste, a date written day/month/year,
a row with more values than the line naming the columns."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest

from flows.town.common import Problems, parse_date
from support.console import csrf, signed_in_gedling

CALENDAR = "ical/gedling_borough_council_friday_g4_bin_schedule.ics"

# Per language: what each problem says (English is the command line's wording too).
SAID = {
    "en": {"no events": "this calendar has no events (VEVENT)",
           "not a calendar": "this is not an iCalendar file: its first line is '%PDF-1.4'",
           "windows-1252": "column 29: this calendar is not saved as UTF-8: the byte 0xE9 is 'é' in Windows-1252",
           "no kind": "the event 'Purple Bin Day' maps to no kind of waste",
           "day/month/year": "'31/01/2026' is not a date; it looks written day/month/year: write it year-month-day, "
                             "2026-01-31",
           "too many values": "11 values, but the line naming the columns has 10"},
    "fr": {"no events": "ce calendrier n'a aucun événement (VEVENT)",
           "not a calendar": "ce n'est pas un fichier iCalendar : sa première ligne est « %PDF-1.4 »",
           "windows-1252": "colonne 29 : ce calendrier n'est pas enregistré en UTF-8 : l'octet 0xE9 est « é » en "
                           "Windows-1252",
           "no kind": "l'événement « Purple Bin Day » ne correspond à aucune sorte de déchets",
           "day/month/year": "« 31/01/2026 » n'est pas une date ; elle semble écrite jour/mois/année : écrivez-la "
                             "année-mois-jour, 2026-01-31",
           "too many values": "11 valeurs, mais la ligne qui nomme les colonnes en a 10"},
    "es": {"no events": "este calendario no tiene ningún evento (VEVENT)",
           "not a calendar": "no es un archivo iCalendar: su primera línea es «%PDF-1.4»",
           "windows-1252": "columna 29: este calendario no está guardado en UTF-8: el byte 0xE9 es «é» en Windows-1252",
           "no kind": "el evento «Purple Bin Day» no corresponde a ningún tipo de residuo",
           "day/month/year": "«31/01/2026» no es una fecha; parece escrita día/mes/año: escríbala año-mes-día, "
                             "2026-01-31",
           "too many values": "11 valores, pero la línea que nombra las columnas tiene 10"},
}


@pytest.fixture
def gedling(tmp_path, monkeypatch):
    _, town, client = signed_in_gedling(tmp_path, monkeypatch)
    return town, client


def _upload(client, data: bytes):
    return client.post("/console/data/ics", data={"csrf_token": csrf(client), "target": CALENDAR,
                                                  "file": (io.BytesIO(data), "friday_g4.ics")},
                       content_type="multipart/form-data")


def _edit(client, name: str, content: str):
    page = client.get(f"/console/data/file/{name}").get_data(as_text=True)
    base = re.search(r'name="base_hash" value="([0-9a-f]*)"', page)
    assert base
    return client.post(f"/console/data/file/{name}", data={"csrf_token": csrf(client), "content": content,
                                                            "base_hash": base.group(1)})


def _problems(html: str) -> list[tuple[str | None, str]]:
    """Each problem shown: its lang attribute (None: the page's language) and its text."""
    found = re.search(r'<ul class="problems" id="problems">(.*?)</ul>', html, re.S)
    assert found, html[:3000]
    return [(lang or None, unescape(text)) for lang, text in
            re.findall(r'<span(?: lang="(\w+)")?>(.*?)</span></li>', found.group(1))]


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_the_common_problems_are_said_in_the_staffs_language(gedling, lang):
    town, client = gedling
    assert client.post("/console/language", data={"lang": lang, "csrf_token": csrf(client)}).status_code == 302
    published = (town / "data" / CALENDAR).read_bytes()
    streets = (town / "data" / "streets.csv").read_text(encoding="utf-8")
    first = next(line for line in streets.splitlines() if line.startswith("acorn-drive,"))
    answers = {
        "no events": _upload(client, b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"),
        "not a calendar": _upload(client, b"%PDF-1.4\n\x00\xff binary"),
        "windows-1252": _upload(client, published.replace(b"SUMMARY:Black Bin Day (Changed Collection)",
                                                          b"SUMMARY:Black Bin Day (Chang\xe9)", 1)),
        "no kind": _upload(client, published.replace(b"SUMMARY:Black Bin Day (Changed Collection)",
                                                     b"SUMMARY:Purple Bin Day", 1)),
        "day/month/year": _edit(client, "streets.csv", streets.replace(first, first.replace("2026-01-31", "31/01/2026"))),
        "too many values": _edit(client, "streets.csv", streets.replace(first, first + ",extra")),
    }
    for what, response in answers.items():
        assert response.status_code == 422, what
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        shown = _problems(html)
        assert any(SAID[lang][what] in text for _, text in shown), (what, shown)
        # Said in the page's language, so not marked as English (a screen reader reads it so).
        assert [text for shown_lang, text in shown if SAID[lang][what] in text and shown_lang] == [], what
    assert (town / "data" / CALENDAR).read_bytes() == published
    assert (town / "data" / "streets.csv").read_text(encoding="utf-8") == streets


def test_the_command_line_keeps_the_english_message_and_the_template_its_values(tmp_path):
    problems = Problems(tmp_path / "streets.csv")
    assert parse_date("02/10/2026", problems, 4, "verified") is None
    (problem,) = problems.items
    assert str(problem) == (f"{tmp_path / 'streets.csv'}:4: verified: '02/10/2026' is not a date; it looks written "
                            "day/month/year: write it year-month-day, 2026-10-02 (in a spreadsheet, format the column "
                            "as text or as YYYY-MM-DD)")
    assert problem.template % problem.values == problem.message
    assert problem.values == {"what": "verified", "value": "02/10/2026", "iso": "2026-10-02"}


def test_a_csv_saved_with_semicolons_is_read_as_the_town_reads_it(gedling):
    import csv

    town, client = gedling
    path = town / "data" / "streets.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.startswith("#")]
    rows = list(csv.reader(line for line in lines if not line.startswith("#")))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)  # a spreadsheet's "CSV" in many languages
    semicolons = "\n".join(comments) + "\n" + out.getvalue()
    assert any("," in value for row in rows for value in row)  # values with commas, kept whole
    saved = _edit(client, "streets.csv", semicolons)
    assert saved.status_code == 302, _problems(saved.get_data(as_text=True))
    assert path.read_text(encoding="utf-8") == semicolons
