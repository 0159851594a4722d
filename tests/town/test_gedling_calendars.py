"""Gedling's published calendars, read independently (tests/support/ics_dates.py reads the
ICS files line by line, without the libraries civicline uses), against what civicline
computes and against what the scenarios in scenarios/gedling expect a caller to hear
around the bank holidays."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import pytest
import yaml

from flows.town import check_town, load_town
from support.ics_dates import collection_days

ROOT = Path(__file__).resolve().parents[2]
GEDLING = ROOT / "towns" / "gedling"
SCENARIOS = sorted((ROOT / "scenarios" / "gedling").glob("waste-*.yaml"))
COLLECTIONS = yaml.safe_load((GEDLING / "data" / "collections.yaml").read_text(encoding="utf-8"))
SNAPSHOT = date(2026, 1, 31)  # the day the calendars were copied (SOURCE.md)


def _calendars() -> list[tuple[str, str, Path, dict[str, list[str]]]]:
    """(service, zone, file, title -> kinds) for every published calendar."""
    found = []
    for service, block in COLLECTIONS["services"].items():
        titles = {t: (k if isinstance(k, list) else [k]) for t, k in block["titles"].items()}
        for zone, entry in block["calendars"].items():
            found.append((service, zone, GEDLING / "data" / entry["file"], titles))
    return found


def test_the_town_loads_as_published():
    assert check_town(GEDLING) == []
    assert len(_calendars()) == 30


@pytest.mark.parametrize(("service", "zone", "path", "titles"), _calendars(), ids=lambda v: str(v)[-40:])
def test_civicline_reads_every_day_and_move_as_the_files_say(service, zone, path, titles):
    town = _town()
    source = town.collections.services[service].zones[zone].source
    ours = sorted((c.day, c.kind, c.planned) for c in source.between(date(2025, 1, 1), date(2027, 12, 31)))
    expected = sorted((d.day, kind, d.replaces or d.day) for d in collection_days(path) for kind in titles[d.title])
    assert ours == expected


_TOWN = []


def _town():
    if not _TOWN:
        _TOWN.append(load_town(GEDLING))
    return _TOWN[0]


def _say_day(day: date, today: date) -> str:
    text = f"{day:%A} {day.day} {day:%B}"
    return text + f" {day.year}" if day.year != today.year else text


def _expected_lines(street: str, now: datetime) -> list[tuple[str, str, str | None]]:
    """(kind name, day said, day it replaces) of the next collection of each kind, from the files."""
    with (GEDLING / "data" / "streets.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(line for line in f if not line.startswith("#")) if r["name"] == street]
    [row] = rows
    today = now.date()
    start = today if now.hour < 12 else today + timedelta(days=1)
    nxt: dict[str, tuple[date, date | None]] = {}
    for service, block in COLLECTIONS["services"].items():
        if not row[service]:
            continue
        path = GEDLING / "data" / block["calendars"][row[service]]["file"]
        titles = {t: (k if isinstance(k, list) else [k]) for t, k in block["titles"].items()}
        for d in collection_days(path):
            for kind in titles[d.title]:
                if d.day >= start and (kind not in nxt or d.day < nxt[kind][0]):
                    nxt[kind] = (d.day, d.replaces)
    names = {k: v["names"]["en"] for k, v in COLLECTIONS["kinds"].items()}
    return [(names[k], _say_day(day, today), _say_day(gone, today) if gone else None) for k, (day, gone) in nxt.items()]


def _scenario(path: Path) -> tuple[datetime, str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    street = next(t["say"] for t in data["turns"] if "say" in t).split(" ", 1)[1]
    answer = data["turns"][-1]["expect"]["says"]
    return data["now"], street, answer


HOLIDAY_SCENARIOS = [p for p in SCENARIOS if "glass" not in p.name and "ended" not in p.name]


@pytest.mark.parametrize("path", HOLIDAY_SCENARIOS, ids=lambda p: p.name)
def test_each_scenario_expects_the_days_the_files_give(path):
    now, street, says = _scenario(path)
    for kind, day, replaces in _expected_lines(street, now):
        heard = [s for s in says if s.startswith(kind) or f"and {kind}" in s]
        assert heard, f"{path.name}: nothing expected for {kind} (the files give {day})"
        assert any(day in s for s in heard), f"{path.name}: {kind} on {day} per the files; the scenario says {heard}"
        if replaces:
            assert any(f"{day}, instead of {replaces}" in s for s in heard), (path.name, kind, replaces)
        else:
            assert not any("instead of" in s for s in heard), (path.name, kind)


def test_the_scenarios_cover_at_least_three_bank_holidays():
    bank = holidays.country_holidays("GB", subdiv="ENG", years=[2025, 2026])
    covered = set()
    for path in HOLIDAY_SCENARIOS:
        now, _street, _says = _scenario(path)
        covered |= {bank[d] for d in bank if 0 <= (d - now.date()).days <= 14}
    assert len(covered) >= 3, covered


def test_every_calendar_is_current_on_the_day_it_was_copied(capsys):
    from civicline.cli import main

    assert main(["data", "check", str(GEDLING), "--now", f"{SNAPSHOT.isoformat()}T12:00"]) == 0
    assert "no problems" in capsys.readouterr().out
