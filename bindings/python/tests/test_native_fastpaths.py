"""Every typed path of kv._kv.Session against the same command through
execute with redis-py's response callback: same result (value and type, or
exception class and message) and same resulting state, with and without
decode_responses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, List, Optional, Tuple

import pytest

import kv
import kvt


def ok(r: Any) -> bool:
    return r in (b"OK", "OK")


def opt_float(r: Any) -> Optional[float]:
    return None if r is None else float(r)


# (id, setup commands, typed call, the command, redis-py's callback or None)
Case = Tuple[str, List[tuple], Callable[[Any], Any], tuple, Optional[Callable[[Any], Any]]]

CASES: List[Case] = [
    ("get", [("SET", "k", "v")], lambda s: s.get("k"), ("GET", "k"), None),
    ("get-missing", [], lambda s: s.get(b"k"), ("GET", "k"), None),
    ("get-wrongtype", [("LPUSH", "k", "x")], lambda s: s.get("k"), ("GET", "k"), None),
    ("get-int-key", [("SET", "12", "v")], lambda s: s.get(12), ("GET", "12"), None),
    ("set", [], lambda s: s.set("k", "v"), ("SET", "k", "v"), ok),
    ("set-over-list", [("LPUSH", "k", "x")], lambda s: s.set("k", 1.5), ("SET", "k", "1.5"), ok),
    ("set-keeps-no-ttl", [("SET", "k", "v", "EX", "100")], lambda s: s.set("k", "w"), ("SET", "k", "w"), ok),
    ("setex", [], lambda s: s.setex("k", 10, "v"), ("SETEX", "k", "10", "v"), bool),
    ("setex-zero", [], lambda s: s.setex("k", 0, "v"), ("SETEX", "k", "0", "v"), bool),
    ("setex-negative", [], lambda s: s.setex("k", -5, "v"), ("SETEX", "k", "-5", "v"), bool),
    ("setex-str-ttl", [], lambda s: s.setex("k", "10", "v"), ("SETEX", "k", "10", "v"), bool),
    ("setex-huge", [], lambda s: s.setex("k", 10**18, "v"), ("SETEX", "k", str(10**18), "v"), bool),
    ("setex-float", [], lambda s: s.setex("k", 1.5, "v"), ("SETEX", "k", "1.5", "v"), bool),
    ("incrby", [("SET", "n", "5")], lambda s: s.incrby("n", 3), ("INCRBY", "n", "3"), None),
    ("incrby-default", [], lambda s: s.incrby("n"), ("INCRBY", "n", "1"), None),
    ("incrby-keeps-ttl", [("SET", "n", "1", "EX", "100")], lambda s: s.incrby("n", -3), ("INCRBY", "n", "-3"), None),
    ("incrby-not-int", [("SET", "n", "x")], lambda s: s.incrby("n", 1), ("INCRBY", "n", "1"), None),
    ("incrby-overflow", [("SET", "n", str(2**63 - 1))], lambda s: s.incrby("n", 1), ("INCRBY", "n", "1"), None),
    ("incrby-float", [], lambda s: s.incrby("n", 1.5), ("INCRBY", "n", "1.5"), None),
    ("incrby-huge", [], lambda s: s.incrby("n", 2**64), ("INCRBY", "n", str(2**64)), None),
    ("incrby-wrongtype", [("SADD", "n", "x")], lambda s: s.incrby("n", 2), ("INCRBY", "n", "2"), None),
    ("delete", [("SET", "a", "1"), ("SET", "b", "2")], lambda s: s.delete("a", "b", "c", "a"), ("DEL", "a", "b", "c", "a"), None),
    ("delete-none", [], lambda s: s.delete(), ("DEL",), None),
    ("exists", [("SET", "a", "1")], lambda s: s.exists("a", "a", "b"), ("EXISTS", "a", "a", "b"), None),
    ("exists-none", [], lambda s: s.exists(), ("EXISTS",), None),
    ("expire", [("SET", "k", "v")], lambda s: s.expire("k", 100), ("EXPIRE", "k", "100"), bool),
    ("expire-missing", [], lambda s: s.expire("k", 100), ("EXPIRE", "k", "100"), bool),
    ("expire-negative", [("SET", "k", "v")], lambda s: s.expire("k", -1), ("EXPIRE", "k", "-1"), bool),
    ("expire-huge", [("SET", "k", "v")], lambda s: s.expire("k", 2**62), ("EXPIRE", "k", str(2**62)), bool),
    ("expire-str", [("SET", "k", "v")], lambda s: s.expire("k", "100"), ("EXPIRE", "k", "100"), bool),
    ("expire-bad", [("SET", "k", "v")], lambda s: s.expire("k", "x"), ("EXPIRE", "k", "x"), bool),
    ("mget", [("SET", "a", "1"), ("LPUSH", "l", "x")], lambda s: s.mget(["a", "l", "b"]), ("MGET", "a", "l", "b"), None),
    ("mget-one", [("SET", "a", "1")], lambda s: s.mget("a"), ("MGET", "a"), None),
    ("mget-tuple", [("SET", "a", "1")], lambda s: s.mget(("a", b"a")), ("MGET", "a", "a"), None),
    ("mget-empty", [], lambda s: s.mget([]), ("MGET",), None),
    ("hget", [("HSET", "h", "f", "v")], lambda s: s.hget("h", "f"), ("HGET", "h", "f"), None),
    ("hget-missing", [("HSET", "h", "f", "v")], lambda s: s.hget("h", "g"), ("HGET", "h", "g"), None),
    ("hget-wrongtype", [("SET", "h", "v")], lambda s: s.hget("h", "g"), ("HGET", "h", "g"), None),
    ("hset", [("HSET", "h", "f", "v")], lambda s: s.hset("h", "g", 2), ("HSET", "h", "g", "2"), None),
    ("hset-update", [("HSET", "h", "f", "v")], lambda s: s.hset("h", "f", "w"), ("HSET", "h", "f", "w"), None),
    ("hset-wrongtype", [("SET", "h", "v")], lambda s: s.hset("h", "f", "w"), ("HSET", "h", "f", "w"), None),
    ("hmset_dict", [("HSET", "h", "a", "1")], lambda s: s.hmset_dict("h", {"a": 2, "b": 3.5, b"c": "x"}), ("HSET", "h", "a", "2", "b", "3.5", "c", "x"), None),
    ("hmset_dict-empty", [], lambda s: s.hmset_dict("h", {}), ("HSET", "h"), None),
    ("lpush", [("RPUSH", "l", "a")], lambda s: s.lpush("l", "b", "c"), ("LPUSH", "l", "b", "c"), None),
    ("lpush-none", [], lambda s: s.lpush("l"), ("LPUSH", "l"), None),
    ("lpush-wrongtype", [("SET", "l", "v")], lambda s: s.lpush("l", 1), ("LPUSH", "l", "1"), None),
    ("rpush", [("RPUSH", "l", "a")], lambda s: s.rpush("l", "b", 3), ("RPUSH", "l", "b", "3"), None),
    ("lpop", [("RPUSH", "l", "a", "b")], lambda s: s.lpop("l"), ("LPOP", "l"), None),
    ("lpop-last", [("RPUSH", "l", "a")], lambda s: s.lpop("l"), ("LPOP", "l"), None),
    ("lpop-missing", [], lambda s: s.lpop("l"), ("LPOP", "l"), None),
    ("rpop", [("RPUSH", "l", "a", "b")], lambda s: s.rpop("l"), ("RPOP", "l"), None),
    ("rpop-wrongtype", [("SET", "l", "v")], lambda s: s.rpop("l"), ("RPOP", "l"), None),
    ("llen", [("RPUSH", "l", "a", "b")], lambda s: s.llen("l"), ("LLEN", "l"), None),
    ("llen-missing", [], lambda s: s.llen("l"), ("LLEN", "l"), None),
    ("sadd", [("SADD", "s", "a")], lambda s: s.sadd("s", "a", "b", 1), ("SADD", "s", "a", "b", "1"), None),
    ("sadd-none", [], lambda s: s.sadd("s"), ("SADD", "s"), None),
    ("srem", [("SADD", "s", "a", "b")], lambda s: s.srem("s", "a", "z"), ("SREM", "s", "a", "z"), None),
    ("srem-last", [("SADD", "s", "a")], lambda s: s.srem("s", "a"), ("SREM", "s", "a"), None),
    ("srem-none", [], lambda s: s.srem("s"), ("SREM", "s"), None),
    ("sismember", [("SADD", "s", "a")], lambda s: s.sismember("s", "a"), ("SISMEMBER", "s", "a"), None),
    ("sismember-not", [("SADD", "s", "a")], lambda s: s.sismember("s", "b"), ("SISMEMBER", "s", "b"), None),
    ("sismember-wrongtype", [("SET", "s", "a")], lambda s: s.sismember("s", "b"), ("SISMEMBER", "s", "b"), None),
    ("scard", [("SADD", "s", "a", "b")], lambda s: s.scard("s"), ("SCARD", "s"), None),
    ("zadd", [("ZADD", "z", "1", "a")], lambda s: s.zadd("z", {"a": 2, "b": 1.5, "c": -0.0}), ("ZADD", "z", "2", "a", "1.5", "b", "-0.0", "c"), None),
    ("zadd-inf", [], lambda s: s.zadd("z", {"a": float("inf")}), ("ZADD", "z", "inf", "a"), None),
    ("zadd-nan", [], lambda s: s.zadd("z", {"a": float("nan")}), ("ZADD", "z", "nan", "a"), None),
    ("zadd-str-score", [], lambda s: s.zadd("z", {"a": "1e3"}), ("ZADD", "z", "1e3", "a"), None),
    ("zadd-decimal", [], lambda s: s.zadd("z", {"a": Decimal("0.1")}), ("ZADD", "z", Decimal("0.1"), "a"), None),
    ("zadd-bad-score", [], lambda s: s.zadd("z", {"a": "x"}), ("ZADD", "z", "x", "a"), None),
    ("zadd-big-int", [], lambda s: s.zadd("z", {"a": 2**60 + 1}), ("ZADD", "z", str(2**60 + 1), "a"), None),
    ("zadd-empty", [], lambda s: s.zadd("z", {}), ("ZADD", "z"), None),
    ("zadd-wrongtype", [("SET", "z", "v")], lambda s: s.zadd("z", {"a": 1}), ("ZADD", "z", "1", "a"), None),
    ("zscore", [("ZADD", "z", "0.1", "a")], lambda s: s.zscore("z", "a"), ("ZSCORE", "z", "a"), opt_float),
    ("zscore-missing", [("ZADD", "z", "1", "a")], lambda s: s.zscore("z", "b"), ("ZSCORE", "z", "b"), opt_float),
    ("zscore-wrongtype", [("SET", "z", "v")], lambda s: s.zscore("z", "b"), ("ZSCORE", "z", "b"), opt_float),
    ("zincrby", [("ZADD", "z", "1", "a")], lambda s: s.zincrby("z", 0.5, "a"), ("ZINCRBY", "z", "0.5", "a"), opt_float),
    ("zincrby-new", [], lambda s: s.zincrby("z", 2, "a"), ("ZINCRBY", "z", "2", "a"), opt_float),
    ("zincrby-str", [], lambda s: s.zincrby("z", "2.5", "a"), ("ZINCRBY", "z", "2.5", "a"), opt_float),
    ("zincrby-nan", [("ZADD", "z", "inf", "a")], lambda s: s.zincrby("z", float("-inf"), "a"), ("ZINCRBY", "z", "-inf", "a"), opt_float),
]


def outcome(f: Callable[[], Any]) -> Tuple[str, Any]:
    try:
        r = f()
    except kv.exceptions.RedisError as e:
        return ("raise", (type(e).__name__, str(e)))
    return (type(r).__name__, r)


def state(store: kv.Store) -> List[tuple]:
    """Every key of database 0 with its type, serialized value and TTL."""
    out = []
    for key in sorted(store.execute("KEYS", "*")):
        out.append((key, store.execute("TYPE", key), store.execute("DUMP", key), store.execute("PTTL", key)))
    return out


def run(case: Case, typed: bool, decode: bool) -> Tuple[Tuple[str, Any], List[tuple]]:
    _, setup, call, command, callback = case
    store = kv.Store(manual_clock_ms=kvt.START_MS)
    s = store.session(decode_responses=decode)
    for c in setup:
        s.execute(*c)
    if typed:
        result = outcome(lambda: call(s))
    else:
        result = outcome(lambda: (callback or (lambda r: r))(s.execute(*command)))
    try:
        return result, state(store)
    finally:
        store.close()


@pytest.mark.parametrize("decode", [False, True], ids=["bytes", "decoded"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_typed_path_as_execute(case: Case, decode: bool) -> None:
    typed, via_execute = run(case, True, decode), run(case, False, decode)
    assert typed == via_execute


def test_every_typed_path_is_covered() -> None:
    methods = {
        "get", "set", "setex", "incrby", "delete", "exists", "expire", "mget", "hget", "hset", "hmset_dict",
        "lpush", "rpush", "lpop", "rpop", "llen", "sadd", "srem", "sismember", "scard", "zadd", "zscore", "zincrby",
    }
    covered = {c[0].split("-")[0] for c in CASES}
    assert methods <= covered, methods - covered
    assert all(hasattr(kv._kv.Session, m) for m in methods)


def test_typed_paths_run_inside_multi_at_once() -> None:
    # Documented: only execute queues inside MULTI.
    with kv.Store() as store:
        s = store.session()
        s.execute("MULTI")
        assert s.set("k", "v") is True
        assert s.execute("GET", "k") == b"QUEUED"
        assert s.execute("EXEC") == [b"v"]


def test_typed_paths_follow_select() -> None:
    with kv.Store() as store:
        s = store.session(db=3)
        assert s.set("k", "v") and s.db == 3
        assert store.execute("GET", "k") is None
        s.execute("SELECT", 0)
        assert s.db == 0 and s.get("k") is None
