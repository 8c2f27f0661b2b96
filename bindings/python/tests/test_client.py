"""kv.Redis as a client: construction, stores, URLs, databases, lifecycle,
response callbacks and the fast paths."""

from __future__ import annotations

import datetime
import os
from typing import Any

import pytest

import kv
from kv.exceptions import ConnectionError, ResponseError


def test_default_store_is_shared_in_process() -> None:
    a = kv.Redis()
    b = kv.Redis()
    try:
        a.set("test_client:shared", "yes")
        assert b.get("test_client:shared") == b"yes"
        assert a.store is b.store is kv.Store.default()
    finally:
        a.delete("test_client:shared")
        a.close()
        b.close()


def test_given_store_is_used() -> None:
    store = kv.Store()
    a = kv.Redis(store=store)
    b = kv.Redis(store=store, decode_responses=True)
    a.set("k", "v")
    assert b.get("k") == "v"
    assert kv.Redis(store=kv.Store()).get("k") is None


def test_path_opens_one_shared_store(tmp_path: Any) -> None:
    a = kv.Redis(path=tmp_path)
    b = kv.Redis(path=str(tmp_path))
    a.set("k", "v")
    assert b.get("k") == b"v"
    assert a.store is b.store


def test_persistence_across_reopen(tmp_path: Any) -> None:
    r = kv.Redis(path=tmp_path)
    r.mset({"a": 1, "b": 2})
    r.rpush("l", "x", "y")
    r.select(3)
    r.set("in3", "yes")
    r.store.close()
    r2 = kv.Redis(path=tmp_path, db=3)
    assert r2.get("in3") == b"yes"
    r2.select(0)
    assert r2.mget("a", "b") == [b"1", b"2"]
    assert r2.execute_command("LRANGE", "l", 0, -1) == [b"x", b"y"]
    r2.store.close()


def test_path_and_store_conflict(tmp_path: Any) -> None:
    with pytest.raises(ValueError):
        kv.Redis(store=kv.Store(), path=tmp_path)


def test_db_argument_and_select() -> None:
    store = kv.Store()
    r0 = kv.Redis(store=store)
    r5 = kv.Redis(store=store, db=5)
    r5.set("k", "five")
    assert r0.get("k") is None
    assert r5.db == 5
    assert r0.select(5) is True
    assert r0.db == 5
    assert r0.get("k") == b"five"
    with pytest.raises(ResponseError, match="DB index is out of range"):
        kv.Redis(store=store, db=99)


def test_from_url() -> None:
    r = kv.Redis.from_url("kv://")
    assert r.store is kv.Store.default()
    r2 = kv.from_url("kv://?db=2&decode_responses=true")
    assert r2.db == 2
    r2.set("k", "é")
    assert r2.get("k") == "é"
    r2.delete("k")
    r3 = kv.Redis.from_url("kv://?decode_responses=no", db=4)
    assert r3.db == 4
    r3.set("k", "v")
    assert r3.get("k") == b"v"
    r3.delete("k")


def test_from_url_path(tmp_path: Any) -> None:
    r = kv.Redis.from_url(f"kv://{tmp_path}?db=1")
    r.set("k", "v")
    assert r.store is kv.Store.shared(tmp_path)
    assert r.db == 1


@pytest.mark.parametrize("url", ["redis://localhost:6379/0", "rediss://host", "unix:///tmp/redis.sock", "http://x"])
def test_from_url_refuses_network_urls(url: str) -> None:
    with pytest.raises(ValueError, match="kv://"):
        kv.Redis.from_url(url)


@pytest.mark.parametrize("url", ["kv://?nope=1", "kv://?db=x", "kv://somehost/dir"])
def test_from_url_bad(url: str) -> None:
    with pytest.raises(ValueError):
        kv.Redis.from_url(url)


def test_network_arguments_accepted_and_ignored() -> None:
    r = kv.Redis(
        "localhost", 6379, 0, None, 5.0,
        socket_keepalive=True, retry_on_timeout=True, health_check_interval=30, max_connections=10,
        ssl=False, username="u", single_connection_client=True, lib_name="x", store=kv.Store(),
    )
    assert r.ping() is True


def test_unknown_argument_refused() -> None:
    with pytest.raises(TypeError, match="no_such_option"):
        kv.Redis(no_such_option=1)


def test_strict_redis_alias() -> None:
    assert kv.StrictRedis is kv.Redis


def test_client_name_argument() -> None:
    r = kv.Redis(store=kv.Store(), client_name="worker-1")
    assert r.client_getname() == "worker-1"


def test_close_and_context_manager() -> None:
    store = kv.Store()
    with kv.Redis(store=store) as r:
        r.set("k", "v")
    with pytest.raises(ConnectionError):
        r.get("k")
    with pytest.raises(ConnectionError):
        r.execute_command("GET", "k")
    r.close()  # idempotent
    assert kv.Redis(store=store).get("k") == b"v"  # the store stays open


def test_closed_store() -> None:
    store = kv.Store()
    r = kv.Redis(store=store)
    store.close()
    with pytest.raises(ConnectionError):
        r.set("k", "v")


def test_fast_paths_are_native_methods() -> None:
    r = kv.Redis(store=kv.Store())
    assert type(r.get).__name__ == "builtin_function_or_method"
    assert type(r.hget).__name__ == "builtin_function_or_method"
    assert r.incr("n") == 1 and r.incr("n", 5) == 6 and r.incrby("n") == 7


def test_fast_path_honours_subclass_override() -> None:
    class Mine(kv.Redis):
        def get(self, name: Any) -> Any:
            value = super().get(name)
            return None if value is None else value.upper()

    r = Mine(store=kv.Store())
    r.set("k", "abc")
    assert r.get("k") == b"ABC"


def test_set_response_callback_honoured_on_fast_path() -> None:
    r = kv.Redis(store=kv.Store())
    r.set("k", "12")
    r.set_response_callback("GET", lambda v, **kw: int(v) if v is not None else None)
    assert r.get("k") == 12
    r.set_response_callback("EXISTS", lambda v, **kw: v > 0)
    assert r.exists("k") is True


def test_set_response_callback_on_generic_command() -> None:
    r = kv.Redis(store=kv.Store())
    r.set_response_callback("STRLEN", lambda v, **kw: f"{v} bytes")
    r.set("k", "abc")
    assert r.strlen("k") == "3 bytes"


def test_fast_and_generic_paths_agree() -> None:
    r = kv.Redis(store=kv.Store())
    assert r.set("k", "v") is True
    assert r.set("k", "v", nx=True) is None
    assert r.setex("t", 10, "v") is True
    assert r.setex("t", datetime.timedelta(seconds=10), "v") is True
    assert r.expire("k", 10) is True
    assert r.expire("none", 10) is False
    assert r.expire("k", datetime.timedelta(seconds=20)) is True
    assert r.ttl("k") == 20
    assert r.mget(["k", "none"]) == [b"v", None]
    assert r.mget("k") == [b"v"]
    assert r.mget([]) == []
    assert r.mget("k", "none") == [b"v", None]


def test_execute_command_returns_raw_without_callback() -> None:
    r = kv.Redis(store=kv.Store())
    assert r.execute_command("SET", "k", "v") is True  # SET's callback, as redis-py
    assert r.execute_command(b"SET", "k", "v") == b"OK"  # a bytes name finds no callback, as redis-py
    assert r.execute_command("GET", "k") == b"v"


def test_dump_never_decoded() -> None:
    r = kv.Redis(store=kv.Store(), decode_responses=True)
    r.set("k", "value")
    payload = r.dump("k")
    assert isinstance(payload, bytes)
    assert r.restore("k2", 0, payload) == "OK"
    assert r.get("k2") == "value"


def test_get_encoder() -> None:
    r = kv.Redis(store=kv.Store(), encoding="latin-1")
    enc = r.get_encoder()
    assert enc.encode("é") == b"\xe9"
    assert enc.encode(1.5) == b"1.5"
    assert enc.encoding == "latin-1"


def test_non_utf8_encoding() -> None:
    r = kv.Redis(store=kv.Store(), encoding="latin-1", decode_responses=True)
    r.set("k", "é")
    assert r.execute_command("STRLEN", "k") == 1
    assert r.get("k") == "é"


def test_client_method_gives_new_session() -> None:
    r = kv.Redis(store=kv.Store(), db=2)
    c = r.client()
    assert c.db == 2 and c.store is r.store
    assert c.client_id() != r.client_id()


def test_repr() -> None:
    assert "db=0" in repr(kv.Redis(store=kv.Store()))


def test_bitfield_on_pipeline() -> None:
    r = kv.Redis(store=kv.Store())
    p = r.pipeline()
    p.bitfield("bf").set("u8", 0, 255).get("u8", 0).execute()
    assert p.execute() == [[0, 255]]


def test_kv_asyncio_importable() -> None:
    import kv.asyncio

    assert kv.asyncio.Redis is not None
    assert os.path.basename(kv.__file__) == "__init__.py"
