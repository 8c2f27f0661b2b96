"""Server and connection commands on kv.Redis: shapes as redis-py's callbacks give them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

import kv
from kv.exceptions import ResponseError


def test_ping_echo_time_dbsize() -> None:
    r = kv.Redis(store=kv.Store(), decode_responses=True)
    assert r.ping() is True
    assert r.echo("hi") == "hi"
    seconds, micros = r.time()
    assert isinstance(seconds, int) and 0 <= micros < 1_000_000
    r.mset({"a": 1, "b": 2})
    assert r.dbsize() == 2


def test_flush_and_swap() -> None:
    r = kv.Redis(store=kv.Store())
    r.set("a", 1)
    assert r.swapdb(0, 1) is True
    assert r.dbsize() == 0
    r.select(1)
    assert r.get("a") == b"1"
    assert r.flushdb(asynchronous=True) is True
    assert r.dbsize() == 0
    r.set("b", 1)
    r.select(0)
    assert r.flushall() is True
    r.select(1)
    assert r.dbsize() == 0


def test_info_parsed() -> None:
    r = kv.Redis(store=kv.Store())
    r.set("k", 1, ex=100)
    info = r.info()
    assert isinstance(info["redis_version"], str)
    assert isinstance(info["uptime_in_seconds"], int)
    assert info["db0"] == {"keys": 1, "expires": 1, "avg_ttl": info["db0"]["avg_ttl"]}
    assert "used_memory" in r.info("memory")
    assert "keyspace_hits" in r.info("stats")


def test_client_commands() -> None:
    store = kv.Store()
    r = kv.Redis(store=store)
    other = kv.Redis(store=store)
    assert r.client_setname("me") is True
    assert r.client_getname() == "me"
    info = r.client_info()
    assert info["name"] == "me" and info["id"] == r.client_id() and info["db"] == 0
    ids = {c["id"] for c in r.client_list()}
    assert str(r.client_id()) in ids
    assert r.client_list(client_id=[r.client_id()])[0]["name"] == "me"
    assert r.client_setinfo("LIB-NAME", "mylib") is True
    assert r.client_unblock(other.client_id()) is False


def test_config_and_command() -> None:
    r = kv.Redis(store=kv.Store())
    assert r.config_get("databases") == {"databases": "16"}
    commands = r.command()
    assert commands["get"]["arity"] == 2 and "readonly" in commands["get"]["flags"]
    assert r.command_count() == len(commands)
    assert r.command_getkeys("MSET", "a", 1, "b", 2) == ["a", "b"]
    assert b"get" in r.command_list()
    with pytest.raises(NotImplementedError):
        r.command_info()


def test_save_lastsave(tmp_path: Any) -> None:
    r = kv.Redis(store=kv.Store(tmp_path))
    r.set("k", 1)
    before = r.lastsave()
    assert isinstance(before, datetime.datetime)
    assert r.save() is True
    assert r.lastsave() >= before
    assert r.bgsave() is True
    r.store.wait_for_save()


def test_save_in_memory_refused() -> None:
    r = kv.Redis(store=kv.Store())
    with pytest.raises(ResponseError):
        r.save()


def test_reset_and_quit() -> None:
    r = kv.Redis(store=kv.Store(), db=3)
    r.client_setname("x")
    assert r.reset() == "RESET"
    assert r.db == 0 and r.client_getname() is None
    assert r.quit() is True
    assert r.ping() is True  # the session stays usable in-process


def test_unsupported_command_from_engine() -> None:
    r = kv.Redis(store=kv.Store())
    with pytest.raises(ResponseError, match="unknown command"):
        r.execute_command("PUBLISH", "ch", "msg")


def test_bgrewriteaof(tmp_path: Any) -> None:
    r = kv.Redis(store=kv.Store(tmp_path, persistence="log"))
    r.set("a", 1)
    assert r.bgrewriteaof() is True
    r.store.close()
    assert kv.Redis(store=kv.Store(tmp_path, persistence="log")).get("a") == b"1"
    with pytest.raises(ResponseError, match="append-only log is off"):
        kv.Redis(store=kv.Store()).bgrewriteaof()
