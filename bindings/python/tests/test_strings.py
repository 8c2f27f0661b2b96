"""String commands on kv.Redis: redis-py's return types, options and errors."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

import kv
from kv.exceptions import DataError, ResponseError


@pytest.fixture
def clock() -> Any:
    store = kv.Store(manual_clock_ms=1_700_000_000_000)
    return store, kv.Redis(store=store)


def test_set_return_values() -> None:
    r = kv.Redis(store=kv.Store())
    assert r.set("k", "a") is True
    assert r.set("k", "b", nx=True) is None
    assert r.set("k", "c", xx=True) is True
    assert r.set("k", "d", get=True) == b"c"
    assert r.set("new", "x", get=True) is None
    assert r.get("new") == b"x"


def test_set_expiry_forms(clock: Any) -> None:
    store, r = clock
    r.set("ex", 1, ex=datetime.timedelta(seconds=2))
    r.set("px", 1, px=1500)
    r.set("exat", 1, exat=datetime.datetime.fromtimestamp(1_700_000_003))
    r.set("pxat", 1, pxat=1_700_000_000_500)
    store.advance_clock(501)
    assert r.exists("ex", "px", "exat", "pxat") == 3
    store.advance_clock(1000)
    assert r.exists("ex", "px", "exat") == 2
    store.advance_clock(500)
    assert r.exists("ex", "exat") == 1
    store.advance_clock(1000)
    assert r.exists("exat") == 0


def test_keepttl_and_getex(clock: Any) -> None:
    store, r = clock
    r.set("k", "v", ex=100)
    r.set("k", "w", keepttl=True)
    assert r.ttl("k") == 100
    assert r.getex("k", px=5000) == b"w" and r.pttl("k") == 5000
    assert r.getex("k", persist=True) == b"w" and r.ttl("k") == -1
    with pytest.raises(DataError):
        r.getex("k", ex=1, px=2)


def test_counters() -> None:
    r = kv.Redis(store=kv.Store())
    assert r.incr("n") == 1
    assert r.incrby("n", 10) == 11
    assert r.decr("n") == 10
    assert r.decrby("n", 5) == 5
    assert r.incrbyfloat("n", 0.5) == 5.5
    assert isinstance(r.incrbyfloat("n"), float)
    r.set("s", "x")
    with pytest.raises(ResponseError, match="value is not an integer or out of range"):
        r.incr("s")
    with pytest.raises(ResponseError, match="value is not a valid float"):
        r.incrbyfloat("s")


def test_multi_key() -> None:
    r = kv.Redis(store=kv.Store(), decode_responses=True)
    assert r.mset({"a": 1, "b": "two"}) is True
    assert r.mget("a", "b", "c") == ["1", "two", None]
    assert r.mget(["a"]) == ["1"]
    assert r.msetnx({"b": 1, "c": 1}) is False
    assert r.msetnx({"c": 1, "d": 1}) is True


def test_ranges_and_lengths() -> None:
    r = kv.Redis(store=kv.Store())
    assert r.append("k", "Hello") == 5
    assert r.setrange("k", 5, " World") == 11
    assert r.getrange("k", 0, 4) == b"Hello"
    assert r.substr("k", -5) == b"World"
    assert r.strlen("k") == 11
    assert r.getset("k", "new") == b"Hello World"
    assert r.getdel("k") == b"new" and r.get("k") is None


def test_setex_psetex_setnx(clock: Any) -> None:
    store, r = clock
    assert r.setex("a", 10, "v") is True
    assert r.psetex("b", datetime.timedelta(milliseconds=2500), "v") is True
    assert r.setnx("a", "x") is False and r.setnx("c", "x") is True
    store.advance_clock(2501)
    assert r.get("b") is None and r.get("a") == b"v"


def test_lcs() -> None:
    r = kv.Redis(store=kv.Store())
    r.mset({"a": "ohmytext", "b": "mynewtext"})
    assert r.lcs("a", "b") == b"mytext"
    assert r.lcs("a", "b", len=True) == 6
    idx = r.lcs("a", "b", idx=True, withmatchlen=True)
    assert idx[0] == b"matches" and idx[-1] == 6


def test_getitem_setitem() -> None:
    r = kv.Redis(store=kv.Store())
    r["k"] = 5
    assert r["k"] == b"5"
    with pytest.raises(KeyError):
        r["missing"]
