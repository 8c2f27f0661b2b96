"""Argument encoding (as redis-py's Encoder.encode) and reply conversion (as
redis-py with hiredis), through the native session."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

import pytest
from redis._parsers.encoders import Encoder

import kv


class Color(enum.IntEnum):
    RED = 1


class MyFloat(float):
    pass


class MyStr(str):
    pass


class MyBytes(bytes):
    pass


VALUES = [
    None, True, False, 0, -1, 7, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**100, -(10**40),
    1.5, 0.1, -0.0, 1e16, 1e-7, 1 / 3, float("inf"), float("-inf"), float("nan"),
    Color.RED, MyFloat(2.5), MyStr("sub"), MyBytes(b"sub"),
    "", "plain", "é", "日本", "\udcff", b"", b"\x00\xff\xfe", bytearray(b"ab"),
    memoryview(b"view"), memoryview(bytearray(b"mutable")), object(), [1], {}, (1,), Decimal("1.5"), 1j,
]


def redis_py(value: Any, encoding: str = "utf-8", errors: str = "strict") -> Any:
    """What redis-py's encoder sends for a value (bytes), or what it raises."""
    try:
        return bytes(Encoder(encoding, errors, False).encode(value))
    except Exception as e:
        return (type(e).__name__, str(e))


def kv_sends(session: Any, value: Any) -> Any:
    try:
        return session.execute("ECHO", value)
    except Exception as e:
        return (type(e).__name__, str(e))


@pytest.fixture
def store():
    with kv.Store() as s:
        yield s


@pytest.mark.parametrize("value", VALUES, ids=[f"{type(v).__name__}-{i}" for i, v in enumerate(VALUES)])
def test_encoding_as_redis_py(store: kv.Store, value: Any) -> None:
    assert kv_sends(store.session(), value) == redis_py(value)


@pytest.mark.parametrize(
    "encoding,errors,value",
    [
        ("latin-1", "strict", "é"),
        ("latin-1", "strict", "日本"),
        ("latin-1", "replace", "日本"),
        ("utf-8", "replace", "a\udcffb"),
        ("utf-8", "surrogateescape", "a\udcffb"),
        ("UTF8", "strict", "é"),
        ("utf-16", "strict", "x"),
        ("ascii", "ignore", "aé"),
        ("cp1252", "strict", "€"),
    ],
)
def test_session_encoding(store: kv.Store, encoding: str, errors: str, value: str) -> None:
    s = store.session(encoding=encoding, encoding_errors=errors)
    assert kv_sends(s, value) == redis_py(value, encoding, errors)
    assert s.encoding == encoding and s.encoding_errors == errors


def test_unknown_encoding(store: kv.Store) -> None:
    with pytest.raises(LookupError):
        store.session(encoding="no-such-codec")


def test_huge_int_past_python_digit_limit(store: kv.Store) -> None:
    # repr() refuses ints past sys.get_int_max_str_digits, for redis-py too.
    assert kv_sends(store.session(), 10**5000)[0] == "ValueError" == redis_py(10**5000)[0]


def test_bad_argument_anywhere_runs_nothing(store: kv.Store) -> None:
    s = store.session()
    with pytest.raises(kv.exceptions.DataError, match="'NoneType'"):
        s.execute("SET", "k", None)
    with pytest.raises(kv.exceptions.DataError, match="'bool'"):
        s.execute_many([("SET", "a", "1"), ("SET", "b", True)])
    assert store.execute("EXISTS", "k", "a", "b") == 0
    for typed in (lambda: s.set("k", None), lambda: s.get(None), lambda: s.lpush("l", "a", [1]),
                  lambda: s.hmset_dict("h", {"f": None}), lambda: s.zadd("z", {None: 1})):
        with pytest.raises(kv.exceptions.DataError):
            typed()
    assert store.execute("DBSIZE") == 0


def test_command_name_split_as_redis_py(store: kv.Store) -> None:
    s = store.session()
    assert s.execute("CONFIG GET", "maxmemory") == [b"maxmemory", b"0"]
    assert s.execute(b"CONFIG GET", b"maxmemory") == [b"maxmemory", b"0"]
    assert s.execute("  config\tget ", "maxmemory") == [b"maxmemory", b"0"]
    assert s.execute_many([("OBJECT ENCODING", "nokey")]) == [None]
    # A bytes name without a space is sent as it is, whitespace and all.
    with pytest.raises(kv.exceptions.ResponseError, match="unknown command 'GET\t'"):
        s.execute(b"GET\t", "k")


def test_values_are_binary_safe(store: kv.Store) -> None:
    s = store.session()
    blob = bytes(range(256)) * 3
    assert s.set(blob, blob) and s.get(blob) == blob
    assert s.execute("GET", memoryview(blob)) == blob


def test_decode_responses(store: kv.Store) -> None:
    raw, text = store.session(), store.session(decode_responses=True)
    raw.set("k", "é")
    raw.set("bin", b"\xff\xfe")
    assert text.get("k") == "é" and text.execute("GET", "k") == "é"
    assert text.execute("SET", "x", "1") == "OK" and text.execute("PING") == "PONG"
    assert text.execute_many([("GET", "k"), ("INCR", "k")])[0] == "é"
    for call in (lambda: text.get("bin"), lambda: text.execute("GET", "bin"), lambda: text.mget(["k", "bin"]),
                 lambda: text.execute_many([("GET", "bin")])):
        with pytest.raises(UnicodeDecodeError):
            call()
    assert store.session(decode_responses=True, encoding_errors="replace").get("bin") == "\ufffd\ufffd"
    assert store.session(decode_responses=True, encoding="latin-1").get("bin") == "ÿþ"
    assert store.session(decode_responses=True, encoding_errors="surrogateescape").get("bin") == "\udcff\udcfe"


def test_resp2_reply_shapes(store: kv.Store) -> None:
    s = store.session()
    s.execute("HSET", "h", "f", "v")
    s.execute("ZADD", "z", "1.5", "m")
    s.execute("SADD", "s", "a")
    assert s.execute("HGETALL", "h") == [b"f", b"v"]
    assert s.execute("ZSCORE", "z", "m") == b"1.5"
    assert s.execute("SMEMBERS", "s") == [b"a"]
    assert s.execute("BLPOP", "nothing", "0.01") is None
    assert s.execute("GET", "nothing") is None
    assert isinstance(s.execute("INFO", "server"), bytes)
    assert s.protocol == 2


def test_resp3_reply_shapes(store: kv.Store) -> None:
    s = store.session()
    hello = s.execute("HELLO", "3")
    assert isinstance(hello, dict) and hello[b"proto"] == 3 and s.protocol == 3
    s.execute("HSET", "h", "f", "v")
    s.execute("ZADD", "z", "1.5", "m")
    s.execute("SADD", "s", "a", "b")
    assert s.execute("HGETALL", "h") == {b"f": b"v"}
    assert s.execute("ZSCORE", "z", "m") == 1.5
    assert s.execute("SMEMBERS", "s") == {b"a", b"b"}
    assert s.execute("ZRANGE", "z", 0, -1, "WITHSCORES") == [[b"m", 1.5]]
    assert s.execute("BLPOP", "nothing", "0.01") is None
    assert isinstance(s.execute("INFO", "server"), bytes)
    hello = s.execute("HELLO", "2")
    assert isinstance(hello, list) and hello[hello.index(b"proto") + 1] == 2
    assert s.protocol == 2 and s.execute("HGETALL", "h") == [b"f", b"v"]


def test_errors_inside_arrays_are_instances(store: kv.Store) -> None:
    s = store.session()
    s.execute("SET", "k", "v")
    s.execute("MULTI")
    s.execute("INCR", "k")
    s.execute("SET", "k", "w")
    done = s.execute("EXEC")
    assert isinstance(done[0], kv.exceptions.ResponseError) and str(done[0]) == "value is not an integer or out of range"
    assert done[1] == b"OK"
