"""A small test town and test flows (tests/flows/fixtures/flows) to drive the engine.

A module of its own (not conftest) so that tests can import it by a unique name."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from flows.dialog import Engine
from flows.handlers import HandlerContext, HandlerResult
from flows.loader import flow_files, load_flows
from flows.provenance import Source
from flows.runtime import Runtime
from flows.session import Say, StaffRequest, Step
from translations.catalog import Catalogs

FIXTURES = Path(__file__).resolve().parents[1] / "flows" / "fixtures"
PARIS = ZoneInfo("Europe/Paris")

TEST_PROMPTS = {
    "en": {
        "test.menu": "How can I help you? Waste collection or council meetings? To speak with a person, press 0.",
        "test.ask_address": "What is your address?",
        "test.confirm_address": "You said {address}. Is that right?",
        "test.answer": "At {address}, the bin goes out on {day_name}.",
        "test.unknown_street": "I do not know the street {address_heard}.",
        "test.ask_date": "Which day?",
        "slot.day": "day",
        "test.meeting_on": "On {day}, there is no meeting.",
        "test.ask_phone": "Please type your phone number, then pound.",
        "test.callback_done": "We will call you back at {phone}.",
    },
    "fr": {
        "test.menu": "Que puis-je faire pour vous ? Les déchets ou les réunions ? Pour parler à une personne, appuyez sur 0.",
        "test.ask_address": "Quelle est votre adresse ?",
        "test.confirm_address": "Vous avez dit {address}. C'est bien ça ?",
        "test.answer": "Au {address}, la poubelle sort le {day_name}.",
        "test.unknown_street": "Je ne connais pas la rue {address_heard}.",
        "test.ask_date": "Quel jour ?",
        "slot.day": "jour",
        "test.meeting_on": "Le {day}, il n'y a pas de réunion.",
        "test.ask_phone": "Tapez votre numéro puis dièse.",
        "test.callback_done": "Nous vous rappellerons au {phone}.",
    },
    "es": {
        "test.menu": "¿En qué puedo ayudarle? ¿Residuos o reuniones? Para hablar con una persona, marque 0.",
        "test.ask_address": "¿Cuál es su dirección?",
        "test.confirm_address": "Ha dicho {address}. ¿Es correcto?",
        "test.answer": "En {address}, el contenedor sale el {day_name}.",
        "test.unknown_street": "No conozco la calle {address_heard}.",
        "test.ask_date": "¿Qué día?",
        "slot.day": "día",
        "test.meeting_on": "El {day}, no hay reunión.",
        "test.ask_phone": "Marque su número y luego almohadilla.",
        "test.callback_done": "Le llamaremos al {phone}.",
    },
}
EXAMPLES = {
    "en": {"waste.collection_day": ["when is my garbage collected", "bin day", "waste collection"],
           "meetings.next": ["next council meeting", "when does the council meet", "meetings"]},
    "fr": {"waste.collection_day": ["quel jour passe la poubelle", "ramassage des ordures", "collecte des déchets"],
           "meetings.next": ["prochain conseil municipal", "réunion du conseil", "réunions"]},
    "es": {"waste.collection_day": ["qué día pasa la basura", "recogida de basura", "residuos"],
           "meetings.next": ["próximo pleno", "reunión del ayuntamiento", "reuniones"]},
}


@dataclass
class Line:
    number: str = "+33199001234"
    name: str = "Accueil"
    opens: time = time(8, 30)
    closes: time = time(17, 0)

    def is_open(self, now: datetime) -> bool:
        return now.weekday() < 5 and self.opens <= now.timetz().replace(tzinfo=None) < self.closes


class FakeTown:
    name = "Testville"
    timezone = PARIS
    main_language = "fr"

    def __init__(self) -> None:
        self.lines = {"main": Line()}

    def human_line(self, name: str = "main") -> Line:
        return self.lines[name]

    def street_gazetteer(self):
        return [
            ("victor-hugo", ["Rue Victor Hugo", "rue V. Hugo"]),
            ("port", ["Rue du Port"]),
            ("pont", ["Rue du Pont"]),
            ("lilas", ["Impasse des Lilas"]),
        ]

    def street_translations(self):
        return [("port", ["Harbour Street"])]


def collection(ctx: HandlerContext) -> HandlerResult:
    address = ctx.slots["address"]
    if address["street_id"] == "lilas":
        return HandlerResult("not_found")
    day = "mardi" if ctx.lang == "fr" else "Tuesday" if ctx.lang == "en" else "martes"
    return HandlerResult(
        slots={"day_name": day},
        provenance=[Source("collections", "zone-A", "2026-11", datetime(2026, 10, 2).date(), "calendrier.pdf")],
    )


def store_callback(ctx: HandlerContext) -> HandlerResult:
    return HandlerResult(requests=[StaffRequest("callback", {"number": ctx.slots["phone"]["digits"]})])


def broken(ctx: HandlerContext) -> HandlerResult:
    raise RuntimeError("the data source is down")


HANDLERS = {"test.collection": collection, "test.store_callback": store_callback, "test.broken": broken}


def make_catalogs(languages=("fr", "en", "es")) -> Catalogs:
    base = Catalogs.load(list(languages), "fr")
    merged = {}
    for lang in languages:
        cat = base[lang]
        merged[lang] = dataclasses.replace(
            cat,
            prompts={**cat.prompts, **TEST_PROMPTS[lang]},
            intents={**cat.intents, **{k: tuple(v) for k, v in EXAMPLES[lang].items()}},
        )
    return Catalogs(merged, "fr")


def make_runtime(flows_dir: Path = FIXTURES / "flows", **kwargs) -> Runtime:
    flows, problems = load_flows(flow_files(flows_dir))
    assert not problems, problems
    kwargs.setdefault("town", FakeTown())
    return Runtime(flows=flows, catalogs=make_catalogs(), handlers=HANDLERS, **kwargs)


@pytest.fixture
def runtime() -> Runtime:
    return make_runtime()


@pytest.fixture
def engine(runtime: Runtime) -> Engine:
    return Engine(runtime)


# Tuesday 1 December 2026, 10:15 in Paris: the human line is open.
OPEN = datetime(2026, 12, 1, 10, 15, tzinfo=PARIS)
# Saturday: closed.
CLOSED = datetime(2026, 12, 5, 10, 15, tzinfo=PARIS)


def says(step: Step) -> str:
    """Everything the assistant said in one step, as one string."""
    return " ".join(a.text for a in step.actions if isinstance(a, Say))


def of(step: Step, kind: type) -> list:
    """The step's actions of one kind."""
    return [a for a in step.actions if isinstance(a, kind)]
