"""Pipelines and transactions: redis-py's semantics, checked against redis-py on
a real server where the call is deterministic."""

from __future__ import annotations

from typing import Any, Callable, List, Tuple

import pytest

import kv
from kv.exceptions import RedisError

Case = Tuple[str, Callable[[Any], Any]]


def _queued(transaction: bool) -> Callable[[Any], Any]:
    def fn(c: Any) -> Any:
        p = c.pipeline(transaction=transaction)
        out = p.set("a", 1).get("a").incr("a").mget("a", "b").exists("a").expire("a", 100).ttl("a")
        assert out is p
        return p.execute()

    return fn


def _errors_in_place(transaction: bool) -> Callable[[Any], Any]:
    def fn(c: Any) -> Any:
        c.rpush("l", 1)
        p = c.pipeline(transaction=transaction)
        p.set("a", 1).incr("l").get("a").get("l")
        return p.execute(raise_on_error=False)

    return fn


def _first_error_raised(transaction: bool) -> Callable[[Any], Any]:
    def fn(c: Any) -> Any:
        c.rpush("l", 1)
        p = c.pipeline(transaction=transaction)
        p.set("a", 1).incr("l").get("a").execute_command("LPUSH", "a", 1)
        try:
            p.execute()
        except Exception as e:  # kv's or redis-py's ResponseError
            return ["raised", type(e).__name__, str(e), c.get("a")]
        return "no error"

    return fn


def _watch_conflict(c: Any) -> Any:
    c.set("k", 1)
    with c.pipeline() as p:
        p.watch("k")
        before = p.get("k")
        c.set("k", 2)  # another session changes the watched key
        p.multi()
        p.set("k", 3)
        try:
            p.execute()
        except Exception as e:  # kv's or redis-py's WatchError
            return [type(e).__name__, str(e), before, c.get("k")]
    return "executed"


def _watch_no_conflict(c: Any) -> Any:
    c.set("k", 1)
    with c.pipeline() as p:
        p.watch("k")
        value = int(p.get("k"))
        p.multi()
        p.set("k", value + 1)
        p.get("k")
        return [p.execute(), c.get("k")]


def _watch_then_execute_without_multi(c: Any) -> Any:
    c.set("k", 1)
    with c.pipeline() as p:
        p.watch("k")
        return [p.get("k"), p.execute()]


def _transaction_helper(c: Any) -> Any:
    c.set("counter", 5)

    def work(pipe: Any) -> Any:
        value = int(pipe.get("counter"))
        pipe.multi()
        pipe.set("counter", value * 2)
        return value

    return [c.transaction(work, "counter"), c.get("counter"),
            c.transaction(work, "counter", value_from_callable=True), c.get("counter")]


def _queue_error(c: Any) -> Any:
    p = c.pipeline()
    p.set("a", 1)
    p.execute_command("SET", "b")  # wrong arity: refused when queued
    p.set("c", 1)
    try:
        p.execute()
    except ResponseError as e:
        return [type(e).__name__, str(e), c.exists("a", "c")]
    return "no error"


def _unknown_command_queued(c: Any) -> Any:
    p = c.pipeline()
    p.set("a", 1)
    p.execute_command("NOSUCH", "x")
    try:
        p.execute()
    except ResponseError as e:
        return [type(e).__name__, str(e), c.exists("a")]
    return "no error"


def _nested_multi(c: Any) -> Any:
    p = c.pipeline()
    p.multi()
    p.multi()


def _watch_after_multi(c: Any) -> Any:
    p = c.pipeline()
    p.multi()
    p.watch("k")


def _multi_after_commands(c: Any) -> Any:
    p = c.pipeline()
    p.set("a", 1)
    p.multi()


def _empty_mget(c: Any) -> Any:
    p = c.pipeline()
    p.set("a", 1).mget([]).get("a")
    return p.execute()


def _callbacks_in_pipeline(c: Any) -> Any:
    p = c.pipeline()
    p.set("a", 1).set("a", 2, nx=True).set("a", 3, get=True).mset({"x": 1}).msetnx({"x": 2}).ping()
    p.rename("a", "b").expire("b", 10).persist("b").incrbyfloat("f", 1.5).time()
    res = p.execute()
    res[-1] = [type(x).__name__ for x in res[-1]]
    return res


def _select_in_pipeline(c: Any) -> Any:
    p = c.pipeline(transaction=False)
    p.select(4).set("in4", 1).select(0)
    res = p.execute()
    c.select(4)
    v = c.get("in4")
    c.flushdb()
    c.select(0)
    return res + [v]


def _sort_groups_in_pipeline(c: Any) -> Any:
    c.rpush("l", 1, 2)
    c.mset({"o_1": "a", "o_2": "b"})
    p = c.pipeline()
    p.sort("l", get=["#", "o_*"], groups=True)
    return p.execute()


def _unwatch(c: Any) -> Any:
    with c.pipeline() as p:
        first = p.unwatch()
        p.watch("k")
        second = p.unwatch()
        return [first, second, p.watching]


def _discard_in_multi(c: Any) -> Any:
    p = c.pipeline()
    p.set("a", 1)
    return len(p)


CASES: List[Case] = [
    ("queued-transaction", _queued(True)),
    ("queued-no-transaction", _queued(False)),
    ("errors-in-place-transaction", _errors_in_place(True)),
    ("errors-in-place-no-transaction", _errors_in_place(False)),
    ("first-error-raised-transaction", _first_error_raised(True)),
    ("first-error-raised-no-transaction", _first_error_raised(False)),
    ("watch-conflict", _watch_conflict),
    ("watch-no-conflict", _watch_no_conflict),
    ("watch-execute-without-multi", _watch_then_execute_without_multi),
    ("transaction-helper", _transaction_helper),
    ("queue-error", _queue_error),
    ("unknown-command-queued", _unknown_command_queued),
    ("nested-multi", _nested_multi),
    ("watch-after-multi", _watch_after_multi),
    ("multi-after-commands", _multi_after_commands),
    ("empty-mget", _empty_mget),
    ("callbacks", _callbacks_in_pipeline),
    ("select-in-pipeline", _select_in_pipeline),
    ("sort-groups", _sort_groups_in_pipeline),
    ("unwatch", _unwatch),
    ("len", _discard_in_multi),
    ("empty-execute", lambda c: c.pipeline().execute()),
]


@pytest.mark.parametrize("fn", [fn for _, fn in CASES], ids=[name for name, _ in CASES])
def test_same_as_redis(pair: Any, assert_same: Any, fn: Callable[[Any], Any]) -> None:
    assert_same(pair, fn)


@pytest.mark.parametrize("fn", [fn for _, fn in CASES], ids=[name for name, _ in CASES])
def test_same_as_redis_decoded(pair_decoded: Any, assert_same: Any, fn: Callable[[Any], Any]) -> None:
    assert_same(pair_decoded, fn)


def test_pipeline_is_truthy_and_has_length(r: kv.Redis) -> None:
    p = r.pipeline()
    assert p and len(p) == 0
    p.set("a", 1).get("a")
    assert len(p) == 2
    p.reset()
    assert len(p) == 0


def test_context_manager_resets(r: kv.Redis) -> None:
    with r.pipeline() as p:
        p.set("a", 1)
    assert len(p) == 0
    assert r.get("a") is None  # never executed


def test_execute_resets_for_reuse(r: kv.Redis) -> None:
    p = r.pipeline()
    assert p.set("a", 1).execute() == [True]
    assert p.get("a").execute() == [b"1"]


def test_transaction_is_atomic_against_other_sessions(r: kv.Redis) -> None:
    # MULTI/EXEC of 1000 INCRs: another session never sees a partial count.
    import threading

    seen: List[int] = []
    stop = threading.Event()
    other = r.client()

    def reader() -> None:
        while not stop.is_set():
            v = other.get("n")
            seen.append(int(v) if v is not None else 0)

    t = threading.Thread(target=reader)
    t.start()
    try:
        for _ in range(5):
            p = r.pipeline()
            for _ in range(1000):
                p.incr("n")
            p.execute()
    finally:
        stop.set()
        t.join()
    assert all(v % 1000 == 0 for v in seen), sorted(set(v for v in seen if v % 1000))
    assert r.get("n") == b"5000"


def test_watch_isolated_from_client_session(r: kv.Redis) -> None:
    # The pipeline's WATCH lives on its own session: the client's commands
    # are not inside it, and after reset the session is clean.
    r.set("k", 1)
    p = r.pipeline()
    p.watch("k")
    assert p.watching
    p.reset()
    assert not p.watching
    p2 = r.pipeline()
    p2.multi()
    p2.set("k", 5)
    assert p2.execute() == [True]


def test_transaction_retries_on_conflict(r: kv.Redis) -> None:
    other = r.client()
    r.set("k", 0)
    attempts: List[int] = []

    def work(pipe: Any) -> None:
        attempts.append(1)
        value = int(pipe.get("k"))
        if len(attempts) == 1:
            other.set("k", 100)  # conflict on the first attempt only
        pipe.multi()
        pipe.set("k", value + 1)

    assert r.transaction(work, "k") == [True]
    assert len(attempts) == 2
    assert r.get("k") == b"101"


def test_nested_multi_message(r: kv.Redis) -> None:
    p = r.pipeline()
    p.multi()
    with pytest.raises(RedisError, match="Cannot issue nested calls to MULTI"):
        p.multi()


def test_big_pipeline(r: kv.Redis) -> None:
    p = r.pipeline(transaction=False)
    for i in range(10_000):
        p.set(f"k{i}", i)
    assert p.execute() == [True] * 10_000
    assert r.dbsize() == 10_000


def test_pipeline_session_returns_to_pool(r: kv.Redis) -> None:
    for _ in range(100):
        with r.pipeline() as p:
            p.watch("x")
            p.multi()
            p.set("x", 1)
            p.execute()
    assert len(r._spare_sessions) <= 2


def test_dump_in_decoded_pipeline_stays_bytes() -> None:
    """As redis-py's pipeline: DUMP's reply is never decoded, the others are."""
    r = kv.Redis(store=kv.Store(), decode_responses=True)
    r.set("k", "value")
    p = r.pipeline(transaction=False)
    p.get("k").dump("k").get("k")
    value, payload, again = p.execute()
    assert value == again == "value"
    assert isinstance(payload, bytes)
    assert r.restore("copy", 0, payload) == "OK"
    assert r.get("copy") == "value"
