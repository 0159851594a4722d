"""Requests that reach the city's systems: the Open311 client against a fake endpoint that
follows the specification, the desk that keeps and retries them, and a whole call."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from civicline.open311.client import Open311Client, Open311Error
from civicline.open311.desk import OpenDesk
from flows.city_requests import CityRequest
from records import SQLiteStore
from support.fake_open311 import FakeOpen311

ROOT = Path(__file__).resolve().parents[2]
T = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def city():
    fake = FakeOpen311().start()
    yield fake
    fake.stop()


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "records.sqlite3")
    yield s
    s.close()


def client(city, **kw):
    return Open311Client(city.endpoint, city.jurisdiction_id, kw.pop("api_key", "test-key"), timeout_s=2.0, **kw)


REQUEST = CityRequest("call-1", "bulky_pickup", "12 Rue du Port, Port-Lumière", "un canapé et un frigo",
                      "+33612345678", "fr")
SERVICES = {"missed_collection": "waste-missed", "bulky_pickup": "waste-bulky"}


def test_service_discovery_then_a_request_is_created(city):
    c = client(city)
    services = c.services()
    assert services["waste-bulky"].name == "Bulky item pickup"
    assert services["graffiti"].required == ("SURFACE",)  # read from its service definition
    created = c.create("waste-bulky", address="12 Rue du Port", description="un canapé", phone="+33612345678")
    assert created.service_request_id == "638344" and "48 hours" in created.notice
    sent = city.received[0]
    assert sent["api_key"] == "test-key" and sent["jurisdiction_id"] == "port-lumiere.example"
    assert sent["address_string"] == "12 Rue du Port" and sent["phone"] == "+33612345678"


def test_refusals_are_final_and_outages_are_retryable(city):
    with pytest.raises(Open311Error) as refused:
        client(city, api_key="wrong").create("waste-bulky", address="x", description="y", phone="z")
    assert refused.value.status == 403 and not refused.value.retryable
    with pytest.raises(Open311Error) as unknown:
        client(city).create("potholes", address="x", description="y", phone="z")
    assert not unknown.value.retryable
    with pytest.raises(Open311Error) as attributes:
        client(city).create("graffiti", address="x", description="y", phone="z")
    assert "SURFACE" in str(attributes.value) and not attributes.value.retryable
    city.down = True
    with pytest.raises(Open311Error) as down:
        client(city).services()
    assert down.value.status == 503 and down.value.retryable


def test_a_closed_port_is_an_outage():
    gone = FakeOpen311().start()
    endpoint = gone.endpoint
    gone.stop()
    with pytest.raises(Open311Error) as exc:
        Open311Client(endpoint, timeout_s=1.0).services()
    assert exc.value.retryable


def test_the_desk_files_at_once_and_keeps_the_record(city, store):
    desk = OpenDesk(store, client(city), SERVICES, clock=lambda: T)
    filed = desk.file(REQUEST)
    assert filed.status == "filed" and filed.service_request_id == "638344"
    row = store.city_request(filed.reference)
    assert row["status"] == "filed" and row["service_request_id"] == "638344" and row["service_code"] == "waste-bulky"


def test_when_the_endpoint_is_down_the_request_is_kept_and_sent_later(city, store):
    now = [T]
    desk = OpenDesk(store, client(city), SERVICES, retry_s=60, clock=lambda: now[0])
    city.down = True
    kept = desk.file(REQUEST)
    assert kept.status == "pending" and store.city_request(kept.reference)["attempts"] == 1
    assert desk.retry_due() == []  # not yet due
    now[0] = T + timedelta(seconds=61)
    assert [f.status for f in desk.retry_due()] == ["pending"]  # still down: backs off
    assert store.city_request(kept.reference)["next_attempt_at"] > now[0].isoformat()
    city.down = False
    now[0] = T + timedelta(hours=1)
    assert [f.status for f in desk.retry_due()] == ["filed"]
    row = store.city_request(kept.reference)
    assert row["status"] == "filed" and row["service_request_id"] == "638344" and len(city.received) == 1


def test_a_town_without_an_endpoint_puts_requests_on_the_staff_list(store):
    desk = OpenDesk(store, None, SERVICES, clock=lambda: T)
    filed = desk.file(REQUEST)
    assert filed.status == "for_staff"
    row = store.city_request(filed.reference)
    assert row["status"] == "for_staff" and "no Open311 endpoint" in row["last_error"]
    assert row["phone"] == "+33612345678" and row["description"] == "un canapé et un frigo"


def test_a_refused_request_goes_to_staff(city, store):
    desk = OpenDesk(store, client(city, api_key="wrong"), SERVICES, clock=lambda: T)
    filed = desk.file(REQUEST)
    assert filed.status == "for_staff"
    assert "403" in store.city_request(filed.reference)["last_error"]


def test_a_whole_call_files_a_missed_collection_and_reads_the_number_back(city, store, monkeypatch):
    from civicline.calls import Call
    from civicline.config import load_config
    from civicline.wiring import load_runtime
    from flows.dialog import Engine
    from flows.session import Pressed, Said, Say

    monkeypatch.setenv("CIVICLINE_OPEN311_API_KEY", "test-key")
    config = load_config(ROOT / "civicline.toml", env={"CIVICLINE_OPEN311_ENDPOINT": city.endpoint})
    runtime = load_runtime(config)
    from civicline.open311.desk import desk_for

    runtime.desk = desk_for(config, runtime.town, store)
    now = datetime(2026, 12, 1, 10, 15).astimezone()
    call = Call(Engine(runtime), lambda: now, language="en", caller="+33612345678")
    call.start()
    heard = []
    for event in (Pressed("5"), Pressed("1"), Said("recycling"), Said("12 rue du port"), Pressed("0612345678#")):
        heard.append(" ".join(a.text for a in call.send(event).actions if isinstance(a, Say)))
    assert "Shall I send this request" in heard[-1] and "recycling" in heard[-1].lower(), heard
    step = call.send(Said("yes"))
    said = " ".join(a.text for a in step.actions if isinstance(a, Say))
    assert "Its number is 6 3 8, 3 4 4" in said, said
    sent = city.received[-1]
    assert sent["service_code"] == "waste-missed" and sent["phone"] == "+33612345678"
    assert sent["address_string"].startswith("12 Rue du Port") and "Port-Lumière" in sent["address_string"]
    assert store.city_requests("filed")[0]["service_request_id"] == "638344"


def test_with_several_towns_each_desk_retries_its_own_towns_requests_at_its_own_endpoint(store):
    """One records store, two towns, each with its endpoint: a request refused while a
    town's endpoint was down goes, when it is due, to that town's endpoint only."""
    from records.protected_rows import call_row

    cities = {"port-lumiere": FakeOpen311().start(), "gedling": FakeOpen311().start()}
    try:
        now = [T]
        for call_id, town in (("call-default", ""), ("call-port", "port-lumiere"), ("call-gedling", "gedling")):
            store.start_call(call_row(call_id, at=T, language="fr", caller=None, key=b"k" * 32, town=town))
        desks = {
            "port-lumiere": OpenDesk(store, client(cities["port-lumiere"]), SERVICES, retry_s=60, clock=lambda: now[0],
                                     towns=("port-lumiere", "")),  # the default town: its calls may have no key
            "gedling": OpenDesk(store, client(cities["gedling"]), SERVICES, retry_s=60, clock=lambda: now[0],
                                towns=("gedling",)),
        }
        for city in cities.values():
            city.down = True
        kept = {call_id: desks[town].file(replace(REQUEST, call_id=call_id)).reference
                for call_id, town in (("call-default", "port-lumiere"), ("call-port", "port-lumiere"),
                                      ("call-gedling", "gedling"))}
        for city in cities.values():
            city.down = False
        now[0] = T + timedelta(seconds=61)
        assert [f.reference for f in desks["gedling"].retry_due()] == [kept["call-gedling"]]
        assert len(cities["gedling"].received) == 1 and cities["port-lumiere"].received == []
        assert sorted(f.reference for f in desks["port-lumiere"].retry_due()) == sorted(
            [kept["call-default"], kept["call-port"]])
        assert len(cities["port-lumiere"].received) == 2 and len(cities["gedling"].received) == 1
        assert {store.city_request(r)["status"] for r in kept.values()} == {"filed"}
    finally:
        for city in cities.values():
            city.stop()
