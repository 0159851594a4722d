"""A turn that said the emergency number as a precaution (a notice: the sentence may have
spoken of an emergency, not surely) is recorded as such and counted for staff, on both
records back-ends, without putting the call on the review list."""

from __future__ import annotations

from datetime import timedelta

from civicline.calls import Call
from flows.dialog import Engine
from flows.session import CallerHungUp, Said
from records import CallRecorder, kpis
from support.flowkit import OPEN, make_runtime
from support.records_data import KEY


def test_a_precautionary_emergency_number_is_recorded_and_counted_not_flagged(store):
    engine = Engine(make_runtime())
    recorder = CallRecorder(store, hash_key=KEY, clock=lambda: OPEN, auto_purge=False)
    # An ambiguous word without a sure meaning: a notice (tests/nlu/test_emergency.py).
    for call_id, said in (("c-notice", "is there a knife amnesty bin at the police station"),
                          ("c-plain", "when is my bin collected")):
        call = Call(engine, lambda: OPEN, call_id=call_id, language="en", recorder=recorder)
        call.start()
        call.send(Said(said))
        call.send(CallerHungUp())
    turns = {(t["call_id"], t["caller_text"]): t for t in store.turns()}
    noticed = turns[("c-notice", "is there a knife amnesty bin at the police station")]
    assert noticed["emergency_notice"] == 1 and "If someone is in danger" in noticed["assistant_text"]
    assert turns[("c-plain", "when is my bin collected")]["emergency_notice"] == 0
    assert not [r for r in store.review_items() if r["kind"] == "emergency"]
    report = kpis.compute(store, since=OPEN - timedelta(days=1), until=OPEN + timedelta(days=1))
    assert report["emergency_notices"] == 1
    assert "emergency number said as a precaution  1 calls" in kpis.to_text(report)
