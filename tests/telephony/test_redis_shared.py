"""What several workers share through Redis, checked against a real redis-server
(support.redis_server), each "worker" here being its own client and its own objects: the
calls in progress, the one-time stream passes, the per-call locks."""

from __future__ import annotations

import os
import threading

import pytest

from civicline.phone.in_progress import CallsInProgress
from civicline.phone.redis_store import RedisCallLocks, RedisInProgressStore, connect
from civicline.twilio.redis_passes import RedisStreamPasses

SID = "CA" + "4" * 32


@pytest.fixture
def clients(redis_url):
    made = []

    def client():
        made.append(connect(redis_url))
        return made[-1]

    yield client
    for c in made:
        c.close()


def worker(clients) -> CallsInProgress:
    client = clients()
    return CallsInProgress(RedisInProgressStore(client), locks=RedisCallLocks(client, wait_s=10))


def test_each_turn_reads_the_call_again_when_another_worker_answered_the_last_one(clients):
    first, second = worker(clients), worker(clients)
    kept, new = first.open(SID, "+33611223344")
    assert new
    with first.editing(kept):
        kept.turn = 1
    theirs = second.get(SID)
    with second.editing(theirs):
        theirs.turn = 2
    mine = first.get(SID)  # the first worker's copy said turn 1
    assert mine is kept and mine.turn == 2
    with first.editing(kept):
        assert kept.turn == 2
        kept.turn = 3
    assert second.get(SID).turn == 3
    assert first.open(SID, None) == (kept, False)  # a retried /twilio/voice on the other worker
    second.close(SID)
    assert first.get(SID) is None and first.open(SID, None) == (None, False)


def test_a_call_in_progress_expires_in_redis_as_it_does_in_the_file(clients):
    client = clients()
    store = RedisInProgressStore(client, keep_s=120, keep_ended_s=3600)
    store.add(SID, "{}", 1.0)
    assert 0 < client.ttl(f"civicline:call:{SID}") <= 120
    store.end(SID, 2.0)
    assert 120 < client.ttl(f"civicline:call:{SID}") <= 3600
    assert client.hgetall(f"civicline:call:{SID}") == {"updated_at": "2.0", "ended_at": "2.0"}  # nothing personal


def test_a_stream_pass_from_one_worker_is_honoured_once_by_another(clients):
    issuing, other, third = (RedisStreamPasses(clients(), ttl_s=30) for _ in range(3))
    token = issuing.issue(SID)
    assert not other.redeem(token, "CA" + "5" * 32)  # shown for another call: spent all the same
    token = issuing.issue(SID)
    assert other.redeem(token, SID)
    assert not third.redeem(token, SID) and not issuing.redeem(token, SID)
    assert not other.redeem(None, SID) and not other.redeem("x" * 500, SID)
    client = clients()
    token = issuing.issue(SID)
    assert 0 < client.pttl(f"civicline:pass:{token}") <= 30_000  # it dies on its own


def test_a_turn_on_one_worker_waits_for_the_same_calls_turn_on_another(clients):
    first, second = RedisCallLocks(clients(), wait_s=10), RedisCallLocks(clients(), wait_s=10)
    inside, release, entered = threading.Event(), threading.Event(), threading.Event()

    def other_turn() -> None:
        with second.hold(SID):
            entered.set()

    def this_turn() -> None:
        with first.hold(SID):
            inside.set()
            release.wait(10)

    holder = threading.Thread(target=this_turn)
    holder.start()
    assert inside.wait(10)
    waiter = threading.Thread(target=other_turn)
    waiter.start()
    assert not entered.wait(0.5)  # still held by the first worker
    with second.hold("CA" + "6" * 32):  # another call is not held up
        pass
    release.set()
    assert entered.wait(10)
    holder.join(10)
    waiter.join(10)


def test_a_lock_left_by_a_killed_worker_frees_itself(clients):
    client = clients()
    dead = client.lock(f"civicline:lock:{SID}", timeout=1.0)
    assert dead.acquire(blocking=False)  # and never released: the worker was killed
    entered = threading.Event()
    locks = RedisCallLocks(clients(), wait_s=10)

    def turn() -> None:
        with locks.hold(SID):
            entered.set()

    t = threading.Thread(target=turn)
    t.start()
    assert entered.wait(10)
    t.join(10)


def test_a_flow_reloaded_by_one_worker_is_reloaded_by_the_others(clients, tmp_path):
    import shutil
    from pathlib import Path

    from civicline.config import Config
    from civicline.wiring import RuntimeHolder, share_flow_reloads

    town = tmp_path / "town"
    shutil.copytree(Path(__file__).resolve().parents[2] / "towns" / "port-lumiere", town)
    config = Config(town_path=town)
    saving, other = RuntimeHolder(config), RuntimeHolder(config)
    saving_notices, other_notices = share_flow_reloads(saving, clients()), share_flow_reloads(other, clients())
    try:
        assert saving_notices.listening.wait(10) and other_notices.listening.wait(10)
        before = other.get().flows.version
        main = town / "flows" / "main.yaml"
        main.write_text(main.read_text(encoding="utf-8") + "\n# saved in the console\n", encoding="utf-8")
        assert saving.reload() == []  # what the console's save does, on the worker that saved
        assert other_notices.wait_heard(1, timeout=30)
        assert other.get().flows.version == saving.get().flows.version != before
        assert saving_notices.heard == 0  # its own notice is not carried out twice
        main.write_text("flow: main\nnodes: [", encoding="utf-8")  # broken on disk: kept out
        assert saving.reload() != []
        assert other.get().flows.version == saving.get().flows.version
    finally:
        saving_notices.stop()
        other_notices.stop()


def test_a_flow_saved_for_one_town_reloads_that_town_on_every_worker(clients, tmp_path):
    import shutil
    from pathlib import Path

    from civicline.config import Config
    from civicline.wiring import RuntimeHolder, share_flow_reloads

    root = Path(__file__).resolve().parents[2] / "towns"
    folders = {"port-lumiere": tmp_path / "port-lumiere", "gedling": tmp_path / "gedling"}
    for key, folder in folders.items():
        shutil.copytree(root / key, folder)

    def worker() -> dict[str, RuntimeHolder]:
        return {key: RuntimeHolder(Config(town_path=folder, meaning_model="none")) for key, folder in folders.items()}

    saving, other = worker(), worker()
    saving_notices, other_notices = share_flow_reloads(saving, clients()), share_flow_reloads(other, clients())
    try:
        assert saving_notices.listening.wait(10) and other_notices.listening.wait(10)
        first_town = other["port-lumiere"].get().flows.version
        main = folders["gedling"] / "flows" / "main.yaml"
        main.write_text(main.read_text(encoding="utf-8") + "\n# saved for Gedling\n", encoding="utf-8")
        assert saving["gedling"].reload() == []  # the console's save, for the town it shows
        assert other_notices.wait_heard(1, timeout=30)
        assert other["gedling"].get().flows.version == saving["gedling"].get().flows.version
        assert other["port-lumiere"].get().flows.version == first_town  # the other town is not reloaded
        assert other_notices.heard == 1 and saving_notices.heard == 0
    finally:
        saving_notices.stop()
        other_notices.stop()


def test_when_redis_stops_a_worker_goes_on_with_the_calls_it_holds_and_says_so(tmp_path):
    from support.redis_server import RedisServer

    server = RedisServer(tmp_path).start()
    client = connect(server.url)
    try:
        in_progress = CallsInProgress(RedisInProgressStore(client), locks=RedisCallLocks(client, wait_s=2))
        passes = RedisStreamPasses(client, ttl_s=30)
        kept, _ = in_progress.open(SID, "+33611223344")
        with in_progress.editing(kept):
            kept.turn = 1
        assert in_progress.problem is None
        server.stop()
        held = in_progress.get(SID)  # this worker's copy
        assert held is kept and held.turn == 1
        with in_progress.editing(held):  # no lock across workers, no save: the turn goes on
            held.turn = 2
        assert in_progress.problem is not None and "not being saved" in in_progress.problem  # /health: 503
        new, is_new = in_progress.open("CA" + "7" * 32, None)  # a new call is answered too
        assert is_new and new is not None
        token = passes.issue(SID)  # kept in this worker until Redis is back
        assert passes.redeem(token, SID) and not passes.redeem(token, SID)
    finally:
        client.close()
        server.stop()


def test_an_answers_audio_made_by_one_worker_is_played_by_another_until_the_call_ends(redis_url):
    from civicline.phone.redis_played import RedisPlayedAudio

    made, other = (connect(redis_url, text=False) for _ in range(2))
    try:
        making, playing = RedisPlayedAudio(made, keep_s=60), RedisPlayedAudio(other, keep_s=60)
        token = making.put(b"\xff\x7f" * 400, SID)
        kept = making.put(b"\x00" * 10, "CA" + "8" * 32)
        assert playing.get(token) == b"\xff\x7f" * 400
        assert 0 < other.pttl(f"civicline:played:{token}") <= 60_000
        assert playing.get("0" * 64) is None
        assert playing.forget_call(SID) == 1  # the call ended, on the other worker
        assert making.get(token) is None and playing.get(kept) == b"\x00" * 10
    finally:
        made.close()
        other.close()


def test_an_answers_sentences_are_put_at_once_each_under_its_own_token(redis_url):
    from civicline.phone.redis_played import RedisPlayedAudio

    made, other = (connect(redis_url, text=False) for _ in range(2))
    try:
        making, playing = RedisPlayedAudio(made, keep_s=60), RedisPlayedAudio(other, keep_s=60)
        tokens = making.put_many([b"\x01" * 80, b"\x02" * 80, b"\x01" * 80], SID)
        assert len(set(tokens)) == 3
        assert [playing.get(t) for t in tokens] == [b"\x01" * 80, b"\x02" * 80, b"\x01" * 80]
        assert all(0 < other.pttl(f"civicline:played:{t}") <= 60_000 for t in tokens)
        assert 0 < other.pttl(f"civicline:played-call:{SID}") <= 60_000
        assert playing.forget_call(SID) == 3 and all(making.get(t) is None for t in tokens)
    finally:
        made.close()
        other.close()


def test_health_says_when_a_worker_stops_hearing_flow_reloads(tmp_path):
    from civicline.app import create_app
    from civicline.config import Config
    from records import CallRecorder, SQLiteStore
    from support.flowkit import make_runtime
    from support.redis_server import RedisServer

    server = RedisServer(tmp_path).start()
    store = SQLiteStore(tmp_path / "records.sqlite3")
    saved = os.environ.get("CIVICLINE_REDIS_URL")
    os.environ["CIVICLINE_REDIS_URL"] = server.url
    try:
        app = create_app(Config(db_path=tmp_path / "records.sqlite3"), runtime=make_runtime(),
                         recorder=CallRecorder(store, hash_key=b"k" * 32, auto_purge=False))
        notices = app.extensions["civicline"].flow_notices
        assert notices.listening.wait(10)
        assert app.test_client().get("/health").json["problems"] == []
        server.stop()
        assert notices.lost.wait(30)  # the listener notices within its 1 s poll
        health = app.test_client().get("/health")
        assert health.status_code == 503 and "not heard here" in " ".join(health.json["problems"])
        notices.stop()
    finally:
        if saved is None:
            os.environ.pop("CIVICLINE_REDIS_URL", None)
        else:
            os.environ["CIVICLINE_REDIS_URL"] = saved
        store.close()
        server.stop()


def test_a_redis_restarted_empty_gets_back_the_calls_a_worker_holds(clients):
    client = clients()
    first, second = CallsInProgress(RedisInProgressStore(client), locks=RedisCallLocks(client)), worker(clients)
    kept, _ = first.open(SID, "+33611223344")
    with first.editing(kept):
        kept.turn = 3
    client.flushall()  # Redis restarted without persistence
    assert second.get(SID) is None  # the other worker cannot know the call
    assert first.get(SID) is kept and kept.turn == 3  # the worker holding it goes on...
    assert second.get(SID).turn == 3  # ...and has put it back for every worker
    second.close(SID)
    assert first.get(SID) is None  # ended is ended, even for a worker with a copy
