"""Generic key commands on kv.Redis: return types as redis-py's, expiry on a
manual clock, SCAN iteration, SORT, DUMP/RESTORE, OBJECT."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest

import kv
from kv.exceptions import ResponseError

START_MS = 1_700_000_000_000


@pytest.fixture
def clock() -> Any:
    store = kv.Store(manual_clock_ms=START_MS)
    return store, kv.Redis(store=store)


def test_expiry_follows_the_clock(clock: Any) -> None:
    store, r = clock
    r.set("k", "v", ex=10)
    assert r.ttl("k") == 10 and r.pttl("k") == 10_000
    store.advance_clock(9_999)
    assert r.get("k") == b"v" and r.pttl("k") == 1
    store.advance_clock(1)
    assert r.pttl("k") == 0  # as Redis: expired once the clock is past the deadline
    store.advance_clock(1)
    assert r.get("k") is None and r.ttl("k") == -2 and r.exists("k") == 0


def test_expireat_datetime_and_expiretime(clock: Any) -> None:
    store, r = clock
    r.set("k", 1)
    when = datetime.datetime.fromtimestamp(START_MS / 1000 + 100)
    assert r.expireat("k", when) is True
    assert r.expiretime("k") == START_MS // 1000 + 100
    assert r.pexpireat("k", START_MS + 5_000) is True
    assert r.pexpiretime("k") == START_MS + 5_000
    store.advance_clock(5_001)
    assert r.exists("k") == 0


def test_expire_returns_bools_and_options(clock: Any) -> None:
    _, r = clock
    r.set("k", 1)
    assert r.expire("k", 100, xx=True) is False
    assert r.expire("k", 100, nx=True) is True
    assert r.expire("k", 50, gt=True) is False
    assert r.expire("k", 50, lt=True) is True
    assert r.pexpire("k", datetime.timedelta(seconds=30)) is True
    assert r.ttl("k") == 30
    assert r.persist("k") is True and r.persist("k") is False


def test_persist_survives_clock(clock: Any) -> None:
    store, r = clock
    r.setex("k", 1, "v")
    r.persist("k")
    store.advance_clock(10_000)
    assert r.get("k") == b"v"


def test_rename_copy_move_types() -> None:
    r = kv.Redis(store=kv.Store())
    r.set("a", 1)
    assert r.rename("a", "b") is True
    assert r.renamenx("b", "c") is True
    assert r.copy("c", "d") is True and r.copy("c", "d") is False
    assert r.move("d", 1) is True and r.move("d", 1) is False
    with pytest.raises(ResponseError, match="no such key"):
        r.rename("nope", "x")


def test_scan_iter_visits_every_key_once() -> None:
    r = kv.Redis(store=kv.Store())
    r.mset({f"k{i}": i for i in range(2000)})
    seen = list(r.scan_iter(count=37))
    assert len(seen) == len(set(seen)) == 2000
    assert set(r.scan_iter(match="k19*")) == {f"k19{i}".encode() for i in range(10)} | {f"k19{i:02}".encode() for i in range(100)} | {b"k19"}
    cursor, keys = r.scan(0, count=10)
    assert isinstance(cursor, int) and isinstance(keys, list)


def test_scan_iter_during_writes_keeps_old_keys() -> None:
    r = kv.Redis(store=kv.Store())
    r.mset({f"old{i}": i for i in range(500)})
    seen = set()
    for i, key in enumerate(r.scan_iter(count=20)):
        seen.add(key)
        r.set(f"new{i}", i)
    assert {f"old{i}".encode() for i in range(500)} <= seen


def test_sort_variants() -> None:
    r = kv.Redis(store=kv.Store())
    r.rpush("l", 3, 1, 2)
    r.mset({"w_1": 30, "w_2": 10, "w_3": 20, "n_1": "one", "n_2": "two", "n_3": "three"})
    assert r.sort("l") == [b"1", b"2", b"3"]
    assert r.sort("l", by="w_*") == [b"2", b"3", b"1"]
    assert r.sort("l", get=["#", "n_*"], groups=True) == [(b"1", b"one"), (b"2", b"two"), (b"3", b"three")]
    assert r.sort("l", store="out") == 3
    assert r.sort_ro("l", desc=True) == [b"3", b"2", b"1"]


def test_dump_restore_roundtrip_every_type() -> None:
    r = kv.Redis(store=kv.Store())
    r.set("s", "v")
    r.rpush("l", 1, 2)
    r.sadd("st", "a")
    r.hset("h", "f", "v")
    r.execute_command("ZADD", "z", 1, "m")
    for key in ("s", "l", "st", "h", "z"):
        payload = r.dump(key)
        assert isinstance(payload, bytes)
        assert r.restore(f"{key}2", 0, payload) == b"OK"
        assert r.type(f"{key}2") == r.type(key)
    with pytest.raises(ResponseError, match="BUSYKEY"):
        r.restore("s", 0, r.dump("s"))
    assert r.restore("s", 0, r.dump("l"), replace=True) == b"OK"
    assert r.type("s") == b"list"


def test_object_and_type() -> None:
    r = kv.Redis(store=kv.Store())
    r.set("i", 12)
    r.set("raw", "x")
    r.append("raw", "y")
    assert r.object("encoding", "i") == b"int"
    assert r.object("encoding", "raw") == b"raw"
    assert isinstance(r.object("idletime", "i"), int)
    assert r.type("i") == b"string" and r.type("none") == b"none"


def test_keys_touch_unlink_randomkey() -> None:
    r = kv.Redis(store=kv.Store(), decode_responses=True)
    assert r.randomkey() is None
    r.mset({"a": 1, "b": 2})
    assert sorted(r.keys()) == ["a", "b"]
    assert r.randomkey() in ("a", "b")
    assert r.touch("a", "b", "c") == 2
    assert r.unlink("a", "c") == 1
    assert r.keys() == ["b"]


def test_del_and_contains() -> None:
    r = kv.Redis(store=kv.Store())
    r["k"] = "v"
    assert "k" in r
    del r["k"]
    assert "k" not in r


def test_lazy_expiry_with_real_clock() -> None:
    r = kv.Redis(store=kv.Store())
    r.set("k", "v", px=30)
    time.sleep(0.06)
    assert r.get("k") is None
