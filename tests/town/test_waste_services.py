"""Waste services defined by a town's data, with calendars as a borough publishes them: a
refuse round and a garden round per street, each its own yearly ICS file; event titles
mapped to kinds explicitly ("Black Bin Day" is household, "Green Bin" is recycling there);
a kerbside glass box; bank-holiday changes published as a removed day plus a replacement;
zone names spoken; answers in date order; files with CRLF, a BOM, folded lines."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from flows.services.waste import check_address, glass, next_collections
from flows.town import check_town, load_town

TOWN_YAML = """name: Testborough
timezone: Europe/London
country: UK
languages: [en]
data:
  streets: {file: data/streets.csv, version: "2025/26"}
  collections: {file: data/collections.yaml, version: "2025/26"}
human_lines:
  main:
    name: Customer Services
    number: "0115 901 3901"
    hours: {mon-fri: ["09:00-17:00"]}
"""

COLLECTIONS = """kinds:
  household:
    names: {en: "household waste"}
    bin: {en: "black bin"}
  recycling:
    names: {en: "recycling"}
    bin: {en: "green bin"}
  glass:
    names: {en: "glass"}
    bin: {en: "glass box"}
    collected: kerbside
  garden:
    names: {en: "garden waste"}
    bin: {en: "brown bin"}
    elsewhere: {en: "garden waste is collected only for households that subscribe to the garden waste service"}
services:
  refuse:
    zones:
      MON-G1: {name: "Monday G1 round"}
    titles:
      "Black Bin Day": household
      "Black Bin Day (Changed Collection)": household
      "Green Bin Day": recycling
      "Green Bin Day (Changed Collection)": recycling
      "Green Bin + Glass Box Day": [recycling, glass]
    calendars:
      MON-G1: {file: refuse-mon-g1.ics, source: "Bin calendar 2025/26, Monday G1", verified: 2026-01-31}
  garden:
    zones:
      A: {name: "garden round A"}
    titles:
      "Garden Waste Collection": garden
      "Garden Waste Collection (Changed Collection)": garden
    calendars:
      A: {file: garden-a.ics, source: "Garden waste calendar 2025/26, A", verified: 2026-01-31}
"""

STREETS = """id,name,locality,aliases,numbers,side,refuse,garden,source,verified
broad-valley-drive,Broad Valley Drive,,,,all,MON-G1,A,"Sample addresses",2026-01-31
acton-road,Acton Road,,,,all,MON-G1,,"Sample addresses",2026-01-31
"""

# As published: CRLF line ends, a recurring event with removed days, replacements the
# Saturday before the bank holiday, a combined recycling and glass box day.
REFUSE = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
BEGIN:VEVENT
UID:changed-black
SUMMARY:Black Bin Day (Changed Collection)
DTSTART;VALUE=DATE:20260404
DTEND;VALUE=DATE:20260405
END:VEVENT
BEGIN:VEVENT
UID:green-glass
SUMMARY:Green Bin + Glass Box Day
RRULE:FREQ=WEEKLY;INTERVAL=4;BYDAY=MO;UNTIL=20261123
DTSTART;VALUE=DATE:20260119
DTEND;VALUE=DATE:20260120
END:VEVENT
BEGIN:VEVENT
UID:black
SUMMARY:Black Bin Day
RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20261129
EXDATE;VALUE=DATE:20260406
DTSTART;VALUE=DATE:20251201
DTEND;VALUE=DATE:20251202
END:VEVENT
BEGIN:VEVENT
UID:green
SUMMARY:Green Bin Day
RRULE:FREQ=WEEKLY;INTERVAL=4;BYDAY=MO;UNTIL=20261109
DTSTART;VALUE=DATE:20251208
DTEND;VALUE=DATE:20251209
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n")

GARDEN = """BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:garden-moved
SUMMARY:Garden Waste Collection (Changed Collection)
DTSTART;VALUE=DATE:20260404
END:VEVENT
BEGIN:VEVENT
UID:garden
SUMMARY:Garden Waste
  Collection
RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20260330
EXDATE;VALUE=DATE:20260105
EXDATE;VALUE=DATE:20260119
DTSTART;VALUE=DATE:20250414
END:VEVENT
BEGIN:VEVENT
UID:garden
RECURRENCE-ID;VALUE=DATE:20260302
DTSTART;VALUE=DATE:20260303
SUMMARY:Garden Waste Collection
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def borough(tmp_path: Path) -> Path:
    town = tmp_path / "borough"
    (town / "data").mkdir(parents=True)
    (town / "town.yaml").write_text(TOWN_YAML, encoding="utf-8")
    (town / "data" / "collections.yaml").write_text(COLLECTIONS, encoding="utf-8")
    (town / "data" / "streets.csv").write_text(STREETS, encoding="utf-8")
    (town / "data" / "refuse-mon-g1.ics").write_bytes(REFUSE.encode("utf-8"))
    # A byte-order mark, and a folded SUMMARY line (continued with a space).
    (town / "data" / "garden-a.ics").write_bytes(b"\xef\xbb\xbf" + GARDEN.encode("utf-8"))
    return town


def _address(street_id: str, name: str, number: int) -> dict:
    return {"street_id": street_id, "street": name, "number": number, "text": f"{number} {name}"}


BROAD = _address("broad-valley-drive", "Broad Valley Drive", 3)


def _answer(make_ctx, borough: Path, now: datetime, slots: dict | None = None) -> str:
    town = load_town(borough)
    result = next_collections(make_ctx(now, "en", {"address": BROAD, **(slots or {})}, town_=town))
    assert result.outcome in ("ok", "one"), result
    return result.slots.get("answer_one") or result.slots["collections"]


def test_the_published_files_load_without_problems(borough):
    assert check_town(borough) == []


def test_kinds_are_said_as_the_data_names_them_not_guessed_from_titles(make_ctx, borough):
    # Monday 15 December 2025 after noon: "Black Bin Day" is household waste, the "Green Bin"
    # is recycling (not garden waste, which has its own round and bin).
    text = _answer(make_ctx, borough, datetime(2025, 12, 15, 14))
    assert text == ("garden waste in the brown bin: Monday 22 December; household waste in the black bin: Monday 29 December; "
                    "recycling in the green bin: Monday 5 January 2026; glass in the glass box: Monday 19 January 2026")


def test_a_street_in_a_refuse_round_and_a_garden_round_hears_both(make_ctx, borough):
    text = _answer(make_ctx, borough, datetime(2026, 2, 20, 9))
    assert "garden waste in the brown bin: Monday 2 March" not in text  # moved by its override
    assert "garden waste in the brown bin: Tuesday 3 March, instead of Monday 2 March" in text
    assert "household waste in the black bin: Monday 23 February" in text


def test_a_street_without_the_garden_round_hears_where_garden_waste_goes(make_ctx, borough):
    town = load_town(borough)
    acton = _address("acton-road", "Acton Road", 5)
    result = next_collections(make_ctx(datetime(2026, 2, 20, 9), "en", {"address": acton}, town_=town))
    assert "subscribe to the garden waste service" in result.slots["collections"]
    assert "brown bin:" not in result.slots["collections"]


def test_kerbside_glass_box_is_a_collection(make_ctx, borough):
    town = load_town(borough)
    text = _answer(make_ctx, borough, datetime(2026, 1, 13, 9))
    assert "recycling in the green bin and glass in the glass box: Monday 19 January" in text
    result = glass(make_ctx(datetime(2026, 1, 13, 9), "en", town_=town))
    assert result.outcome == "kerbside" and result.slots["waste_kind"]["key"] == "glass"
    only = _answer(make_ctx, borough, datetime(2026, 1, 13, 9), {"waste_kind": {"key": "glass"}})
    assert only == "Glass in the glass box: Monday 19 January."


def test_removed_day_and_replacement_is_said_instead_of_in_date_order(make_ctx, borough):
    # Easter Monday 6 April 2026: the black bin comes on Saturday 4 April instead (its 6 April
    # is removed from the series); the garden calendar's one-off on the 4th removes no day,
    # so nothing says which day it replaces. The moved day comes first, in date order.
    text = _answer(make_ctx, borough, datetime(2026, 3, 31, 9))
    assert text == ("household waste in the black bin: Saturday 4 April, instead of Monday 6 April; "
                    "garden waste in the brown bin: Saturday 4 April; "
                    "recycling in the green bin and glass in the glass box: Monday 13 April")


def test_zone_names_are_spoken_not_their_ids(make_ctx, borough):
    town = load_town(borough)
    result = check_address(make_ctx(datetime(2026, 1, 13, 9), "en", {"address": BROAD}, town_=town))
    assert result.slots["zones"] == "zone Monday G1 round and zone garden round A"
    assert "MON-G1" not in result.slots["zones"]


def test_an_event_that_maps_to_no_kind_fails_the_check_with_its_line(borough):
    path = borough / "data" / "refuse-mon-g1.ics"
    path.write_bytes(REFUSE.replace("SUMMARY:Green Bin Day\r\n", "SUMMARY:Blue Bag Day\r\n").encode("utf-8"))
    problems = check_town(borough)
    [problem] = problems
    lines = path.read_text(encoding="utf-8").splitlines()
    assert problem.file == str(path) and "'Blue Bag Day' maps to no kind" in problem.message
    assert lines[problem.line - 1] == "BEGIN:VEVENT" and "Blue Bag Day" in lines[problem.line + 1]


def test_a_title_mapped_to_an_undeclared_kind_is_refused(borough):
    path = borough / "data" / "collections.yaml"
    path.write_text(COLLECTIONS.replace('"Green Bin Day": recycling', '"Green Bin Day": green'), encoding="utf-8")
    assert any("'Green Bin Day' maps to green, which is not a kind" in p.message for p in check_town(borough))


def test_windows_1252_calendar_is_reported_with_line_and_character(borough):
    path = borough / "data" / "garden-a.ics"
    path.write_bytes(GARDEN.replace("Garden Waste Collection (Changed", "Garden Waste Collection – Changed").encode("cp1252"))
    [problem] = check_town(borough)
    assert problem.file == str(path) and problem.line == 5
    assert "not saved as UTF-8" in problem.message and "Windows-1252" in problem.message and "'–'" in problem.message


def test_a_bad_ics_line_points_at_itself(borough):
    path = borough / "data" / "refuse-mon-g1.ics"
    path.write_bytes(REFUSE.replace("SUMMARY:Green Bin Day\r\n", "SUMMARY Green Bin Day\r\n").encode("utf-8"))
    problems = check_town(borough)
    lines = path.read_text(encoding="utf-8").splitlines()
    bad = next(p for p in problems if p.file == str(path) and "cannot be read" in p.message)
    assert lines[bad.line - 1] == "SUMMARY Green Bin Day"
    assert "None" not in bad.message and "has no ':'" in bad.message


def test_a_bad_date_names_its_column_and_the_format(borough):
    path = borough / "data" / "refuse-mon-g1.ics"
    path.write_bytes(REFUSE.replace("DTSTART;VALUE=DATE:20260404", "DTSTART;VALUE=DATE:2026-04-04").encode("utf-8"))
    [problem] = [p for p in check_town(borough) if p.file == str(path)]
    assert path.read_text(encoding="utf-8").splitlines()[problem.line - 1] == "DTSTART;VALUE=DATE:2026-04-04"
    assert "column 20" in problem.message and "YYYYMMDD" in problem.message


def test_a_street_column_per_service_is_required(borough):
    path = borough / "data" / "streets.csv"
    path.write_text(STREETS.replace(",garden,", ",").replace(",MON-G1,A,", ",MON-G1,").replace(",MON-G1,,", ",MON-G1,"),
                    encoding="utf-8")
    assert any("no column for the service(s) garden" in p.message for p in check_town(borough))


def test_a_calendar_that_has_run_out_is_said_with_its_source_never_silently(make_ctx, borough):
    town = load_town(borough)
    # Both yearly files have ended by 10 December 2026.
    result = next_collections(make_ctx(datetime(2026, 12, 10, 9), "en", {"address": BROAD}, town_=town))
    assert result.outcome == "no_dates" and [r.code for r in result.review] == ["stale_record"]
    assert result.slots["calendar_until"] == "Sunday 29 November 2026"
    assert "Bin calendar 2025/26, Monday G1" in result.slots["calendar_source"]
    assert "collections" not in result.slots  # never "Next collections: ."


def test_data_check_warns_eight_weeks_ahead_and_fails_when_a_zone_has_no_date(borough, capsys):
    from civicline.cli import main

    assert main(["data", "check", str(borough), "--now", "2026-02-10T10:00"]) == 0
    out = capsys.readouterr().out
    # The garden file's last day is its one-off of 4 April, within eight weeks.
    assert "garden-a.ics: warning: this calendar ends on 2026-04-04, in 53 days" in out
    assert "refuse-mon-g1.ics" not in out
    assert main(["data", "check", str(borough), "--now", "2026-10-15T10:00"]) == 1
    captured = capsys.readouterr()
    assert "refuse-mon-g1.ics: warning: this calendar ends on 2026-11-29, in 45 days" in captured.out
    assert ("garden-a.ics: error: zone 'A' of service 'garden' has no collection in the next 4 weeks nor after; "
            "its calendar ended on 2026-04-04") in captured.err


def _two_languages(borough: Path) -> None:
    """The borough offers English and French; its data names some things in French only."""
    (borough / "town.yaml").write_text(TOWN_YAML.replace("languages: [en]", "languages: [en, fr]"), encoding="utf-8")
    text = (COLLECTIONS
            .replace('names: {en: "household waste"}', 'names: {en: "household waste", fr: "ordures ménagères"}')
            .replace('MON-G1: {name: "Monday G1 round"}', 'MON-G1: {name: {en: "Monday G1 round", fr: "tournée du lundi G1"}}'))
    (borough / "data" / "collections.yaml").write_text(text, encoding="utf-8")


def test_names_given_per_language_are_said_in_each_and_one_left_out_is_a_warning_naming_it(make_ctx, borough, capsys):
    from civicline.cli import main
    from civicline.console.collections_preview import preview
    from flows.town.names import untranslated

    _two_languages(borough)
    assert check_town(borough) == []  # a missing translation does not stop the town
    town = load_town(borough)
    warned = {(n.values.get("kind") or n.values.get("zone"), n.values["language"]) for n in untranslated(town)}
    # recycling, glass and garden have no French name; the zone named once ("garden round
    # A", as before) stands for every language; household waste and MON-G1 have both.
    assert warned == {("recycling", "fr"), ("glass", "fr"), ("garden", "fr")}
    assert main(["data", "check", str(borough), "--now", "2026-01-13T10:00"]) == 0
    out = capsys.readouterr().out
    assert ("warning: the waste kind 'recycling' has no name in fr (line 5): callers in that language hear "
            "'recycling'; add fr: … under its names:") in out
    # A French caller hears the French names where there are, the English one elsewhere.
    result = check_address(make_ctx(datetime(2026, 1, 13, 9), "fr", {"address": BROAD}, town_=town))
    assert "tournée du lundi G1" in result.slots["zones"] and "garden round A" in result.slots["zones"]
    assert town.collections.kinds["recycling"].name("fr", town.main_language) == "recycling"
    # Staff see the same names in their language in the console's preview.
    shown = preview(town, "broad-valley-drive", None, datetime(2026, 1, 13).date(), 14, "fr")
    assert shown is not None and shown.zones == {"refuse": "tournée du lundi G1", "garden": "garden round A"}
    assert {r.kind for r in shown.rows} >= {"ordures ménagères", "recycling"}


def test_a_kind_with_no_name_at_all_is_an_error_and_a_zone_name_per_language_is_checked_too(borough):
    from flows.town.names import untranslated

    text = COLLECTIONS.replace('names: {en: "glass"}\n    ', "").replace(
        'A: {name: "garden round A"}', 'A: {name: {fr: "tournée jardin A"}}')
    (borough / "data" / "collections.yaml").write_text(text, encoding="utf-8")
    problems = check_town(borough)
    assert [p.message for p in problems] == ["kind 'glass' has no spoken name: add it under names: (en: …)"]
    (borough / "data" / "collections.yaml").write_text(COLLECTIONS.replace(
        'A: {name: "garden round A"}', 'A: {name: {fr: "tournée jardin A"}}'), encoding="utf-8")
    notices = untranslated(load_town(borough))
    assert [n.message for n in notices] == [
        "zone 'A' of service 'garden' has no name in en (line 30): callers in that language hear 'tournée jardin A'; "
        "add en: … to its name:"]
