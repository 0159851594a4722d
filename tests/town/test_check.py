"""Bad town data is refused at load with its file and line, never a traceback: an unknown
zone, overlapping number ranges, a bad date, a fee without a verified date, a malformed
ICS, a schedule with no zone; and `civicline data check` prints them and exits 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicline.cli import main
from flows.town import check_town, load_town
from staff_files.problems import DataError
from support.townkit import replace_in


def test_the_demo_town_has_no_problems():
    root = Path(__file__).resolve().parents[2]
    assert check_town(root / "towns" / "port-lumiere") == []


def _only(problems, file: Path, words: str):
    matching = [p for p in problems if p.file == str(file) and words in p.message]
    assert matching, f"no problem mentioning {words!r} in {file}: {[str(p) for p in problems]}"
    return matching[0]


def test_unknown_zone_in_streets(town_copy):
    csv = town_copy / "data" / "streets.csv"
    line = replace_in(csv, ",all,C,\"Plan des secteurs de collecte 2026, p. 4\",2026-09-21", ",all,Z,\"Plan\",2026-09-21")
    problem = _only(check_town(town_copy), csv, "zone 'Z' is unknown")
    assert problem.line == line


def test_overlapping_number_ranges(town_copy):
    csv = town_copy / "data" / "streets.csv"
    line = replace_in(csv, "rue-du-port,,,61-,all,C", "rue-du-port,,,50-,all,C")
    problem = _only(check_town(town_copy), csv, "overlap")
    assert problem.line == line


def test_overlap_only_on_the_same_side(town_copy):
    csv = town_copy / "data" / "streets.csv"
    line = replace_in(csv, "rue-victor-hugo,,,,even,B", "rue-victor-hugo,,,1-9,odd,B")
    assert _only(check_town(town_copy), csv, "overlap").line == line


def test_a_street_name_in_an_unknown_language(town_copy):
    csv = town_copy / "data" / "streets.csv"
    line = replace_in(csv, "|es: Calle de la Iglesia|", "|sp: Calle de la Iglesia|")
    problem = _only(check_town(town_copy), csv, "'sp', which is no language code")
    assert problem.line == line


def test_bad_date(town_copy):
    path = town_copy / "data" / "collections.yaml"
    line = replace_in(path, "from: 2026-01-15", "from: 2026-13-15")
    problem = _only(check_town(town_copy), path, "2026-13-15")
    assert problem.line == line
    assert "YYYY-MM-DD" in problem.message


def test_bad_verified_date_in_streets(town_copy):
    csv = town_copy / "data" / "streets.csv"
    line = replace_in(csv, "rue-gambetta,Rue Gambetta,R. Gambetta,,all,A,\"Plan des secteurs de collecte 2026, p. 2\",2026-09-14",
                      "rue-gambetta,Rue Gambetta,R. Gambetta,,all,A,\"Plan des secteurs de collecte 2026, p. 2\",14/09/2026")
    assert _only(check_town(town_copy), csv, "14/09/2026").line == line


def test_fee_without_verified_date(town_copy):
    path = town_copy / "data" / "permits.yaml"
    line = replace_in(path, 'fee: {amount: 15, unit: day, source: "Délibération tarifs 2026, occupation du domaine public, ligne 4", verified: 2026-10-02}',
                      'fee: {amount: 15, unit: day, source: "Délibération tarifs 2026"}')
    problem = _only(check_town(town_copy), path, "no 'verified' date")
    assert problem.line == line and "street_occupancy" in problem.message


def test_malformed_meetings_ics(town_copy):
    path = town_copy / "data" / "meetings.ics"
    line = replace_in(path, "DTSTART;TZID=Europe/Paris:20270114T183000", "DTSTART;TZID=Europe/Paris:2027-01-14 18h30")
    problem = _only(check_town(town_copy), path, "DTSTART")
    assert problem.line == line


def test_schedule_with_no_zone(town_copy):
    path = town_copy / "data" / "collections.yaml"
    replace_in(path, "    zones: [C]\n    weekday: friday", "    weekday: friday")
    problems = check_town(town_copy)
    problem = _only(problems, path, "schedule 'recycling-C' has no zone")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[problem.line - 1].strip() == "- id: recycling-C"


def test_schedule_naming_an_undeclared_zone(town_copy):
    path = town_copy / "data" / "collections.yaml"
    replace_in(path, "zones: [A, B]", "zones: [A, D]")
    assert _only(check_town(town_copy), path, "zone 'D' is not declared")


def test_yaml_syntax_error_names_its_line(town_copy):
    path = town_copy / "data" / "permits.yaml"
    line = replace_in(path, "  - id: demolition_permit", "  - id: demolition_permit\n   bad: [unclosed")
    problem = _only(check_town(town_copy), path, "not valid YAML")
    assert problem.line in (line, line + 1, line + 2)


def test_load_raises_data_error_listing_every_problem(town_copy):
    replace_in(town_copy / "data" / "streets.csv", "rue-du-port,,,61-,all,C", "rue-du-port,,,50-,all,Q")
    replace_in(town_copy / "data" / "permits.yaml", "verified: 2025-09-15}", "}")
    with pytest.raises(DataError) as info:
        load_town(town_copy)
    files = {Path(p.file).name for p in info.value.problems}
    assert {"streets.csv", "permits.yaml"} <= files


def test_bad_town_settings(town_copy):
    path = town_copy / "town.yaml"
    replace_in(path, "timezone: Europe/Paris", "timezone: Europe/Lumiere")
    replace_in(path, '"+33 1 99 00 12 34"', '"call us"')
    messages = [p.message for p in check_town(town_copy)]
    assert any("timezone 'Europe/Lumiere'" in m for m in messages)
    assert any("'call us' is not a phone number" in m for m in messages)


def test_data_check_command(town_copy, capsys):
    assert main(["data", "check", str(town_copy)]) == 0
    assert "no problems" in capsys.readouterr().out
    csv = town_copy / "data" / "streets.csv"
    line = replace_in(csv, "rue-du-port,,,61-,all,C", "rue-du-port,,,61-,all,Q")
    assert main(["data", "check", str(town_copy)]) == 1
    err = capsys.readouterr().err
    assert f"{csv}:{line}: zone 'Q' is unknown" in err


def test_data_check_notes_stale_fees_without_failing(town_copy, capsys):
    assert main(["data", "check", str(town_copy), "--now", "2026-12-01T10:00"]) == 0
    out = capsys.readouterr().out
    assert "cafe_terrace" in out and "street_occupancy" not in out


def test_a_spreadsheet_csv_with_semicolons_and_a_bom_is_read(town_copy):
    csv = town_copy / "data" / "streets.csv"
    rows = csv.read_text(encoding="utf-8").splitlines()
    import csv as csv_module
    import io

    out = io.StringIO()
    writer = csv_module.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        if row.startswith("#"):
            continue
        writer.writerow(next(csv_module.reader([row])))
    csv.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))  # as Excel saves "CSV UTF-8" in France
    assert check_town(town_copy) == []
    assert len(load_town(town_copy).streets) > 60


def test_a_windows_1252_csv_names_the_line_and_the_character(town_copy):
    csv = town_copy / "data" / "streets.csv"
    text = csv.read_text(encoding="utf-8")
    csv.write_bytes(text.encode("cp1252"))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if any(c in row for c in "éèêàùç"))
    [problem] = check_town(town_copy)
    assert problem.file == str(csv) and problem.line == line
    assert "Windows-1252" in problem.message and "CSV UTF-8" in problem.message


def test_a_date_written_day_first_says_how_to_write_it(town_copy):
    csv = town_copy / "data" / "streets.csv"
    line = replace_in(csv, "rue-gambetta,Rue Gambetta,R. Gambetta,,all,A,\"Plan des secteurs de collecte 2026, p. 2\",2026-09-14",
                      "rue-gambetta,Rue Gambetta,R. Gambetta,,all,A,\"Plan des secteurs de collecte 2026, p. 2\",14/09/2026")
    problem = _only(check_town(town_copy), csv, "14/09/2026")
    assert problem.line == line and "day/month/year" in problem.message and "2026-09-14" in problem.message


def test_country_uk_reads_a_national_phone_number(town_copy):
    path = town_copy / "town.yaml"
    replace_in(path, "country: FR", "country: UK")
    replace_in(path, "timezone: Europe/Paris", "timezone: Europe/London")
    replace_in(path, '"+33 1 99 00 12 34"', '"0115 901 3901"')
    assert check_town(town_copy) == []
    assert load_town(town_copy).human_line("main").number == "+441159013901"


def test_a_calendar_with_a_byte_order_mark_is_read(town_copy):
    path = town_copy / "data" / "meetings.ics"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert check_town(town_copy) == []


def test_a_street_with_an_unknown_zone_is_said_once(town_copy):
    """An unknown zone is the problem; "the street has no zone" after it would send the clerk
    looking for an empty column."""
    path = town_copy / "data" / "streets.csv"
    line = replace_in(path, "rue-victor-hugo,Rue Victor Hugo,R. Victor Hugo|Rue V. Hugo,,odd,A,",
                      "rue-victor-hugo,Rue Victor Hugo,R. Victor Hugo|Rue V. Hugo,,odd,Z,")
    problems = [p for p in check_town(town_copy) if p.file.endswith("streets.csv") and p.line == line]
    assert [p.message.split(":")[0] for p in problems] == ["zone 'Z' is unknown in column 'zone'"], [str(p) for p in problems]
