"""Bad input raises the right exception and never crashes: unencodable
arguments, huge numbers, non-UTF-8 replies with decode_responses, bad
encodings, closed clients."""

from __future__ import annotations

from typing import Any, Callable, List, Tuple

import pytest

import kv
from kv.exceptions import ConnectionError, DataError, ResponseError

BAD_VALUES = [None, True, False, {"a": 1}, [1], (1,), {1}, object(), bytearray(b"x"), 1j]


@pytest.mark.parametrize("value", BAD_VALUES, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize(
    "call",
    [
        lambda r, v: r.get(v),
        lambda r, v: r.set("k", v),
        lambda r, v: r.set(v, "v"),
        lambda r, v: r.delete("a", v),
        lambda r, v: r.exists(v),
        lambda r, v: r.incrby("k", v),
        lambda r, v: r.mget(["a", v]),
        lambda r, v: r.mset({"a": v}),
        lambda r, v: r.append("k", v),
        lambda r, v: r.setbit("k", v, 1),
        lambda r, v: r.execute_command("SET", "k", v),
        lambda r, v: r.pipeline().set("k", v).execute(),
        lambda r, v: r.pipeline(transaction=False).set("k", v).execute(),
    ],
    ids=["get", "set-value", "set-key", "delete", "exists", "incrby", "mget", "mset", "append", "setbit",
         "execute_command", "pipeline", "pipeline-no-tx"],
)
def test_unencodable_arguments(call: Callable[[Any, Any], Any], value: Any) -> None:
    r = kv.Redis(store=kv.Store())
    with pytest.raises(DataError, match=f"Invalid input of type: '{type(value).__name__}'"):
        call(r, value)
    assert r.dbsize() == 0  # nothing ran, in a pipeline neither


def test_no_partial_pipeline_on_bad_argument() -> None:
    r = kv.Redis(store=kv.Store())
    with pytest.raises(DataError):
        r.pipeline().set("a", 1).set("b", None).execute()
    assert r.exists("a") == 0


@pytest.mark.parametrize("n", [2**63, -(2**63) - 1, 2**200, 10**1000])
def test_huge_integers(n: int) -> None:
    r = kv.Redis(store=kv.Store())
    with pytest.raises(ResponseError, match="not an integer or out of range"):
        r.incrby("k", n)
    with pytest.raises(ResponseError):
        r.expire("k", n) if r.set("k", 1) else None
    assert r.set("big", n) is True
    assert r.get("big") == str(n).encode()


@pytest.mark.parametrize("f", [float("nan"), float("inf"), -float("inf")])
def test_special_floats(f: float) -> None:
    r = kv.Redis(store=kv.Store())
    with pytest.raises(ResponseError):
        r.incrbyfloat("k", f)
    assert r.set("k", f) is True
    assert r.get("k") == repr(f).encode()


def test_non_utf8_reply_with_decode_responses() -> None:
    r = kv.Redis(store=kv.Store(), decode_responses=True)
    r.set("k", b"\xff\xfe")
    with pytest.raises(UnicodeDecodeError):
        r.get("k")
    with pytest.raises(UnicodeDecodeError):
        r.mget("k")
    # The session is fine afterwards.
    assert r.set("k", "ok") is True and r.get("k") == "ok"


def test_encoding_errors_replace() -> None:
    r = kv.Redis(store=kv.Store(), decode_responses=True, encoding_errors="replace")
    r.set("k", b"a\xffb")
    assert r.get("k") == "a\ufffdb"


def test_unencodable_str() -> None:
    r = kv.Redis(store=kv.Store())
    with pytest.raises(UnicodeEncodeError):
        r.set("k", "\ud800")


def test_unknown_encoding() -> None:
    with pytest.raises(LookupError):
        kv.Redis(store=kv.Store(), encoding="no-such-codec")


def test_binary_keys_and_values() -> None:
    r = kv.Redis(store=kv.Store())
    key = bytes(range(256))
    assert r.set(key, key) is True
    assert r.get(key) == key
    assert r.keys() == [key]


def test_closed_client_raises() -> None:
    r = kv.Redis(store=kv.Store())
    r.close()
    calls: List[Tuple[str, Callable[[], Any]]] = [
        ("get", lambda: r.get("k")),
        ("set", lambda: r.set("k", 1)),
        ("execute_command", lambda: r.execute_command("PING")),
        ("pipeline", lambda: r.pipeline().set("k", 1).execute()),
    ]
    for name, call in calls:
        with pytest.raises(ConnectionError):
            call()


def test_argument_validation_errors_are_redis_py_messages() -> None:
    r = kv.Redis(store=kv.Store())
    with pytest.raises(DataError, match="mutually exclusive"):
        r.set("k", "v", nx=True, xx=True)
    with pytest.raises(DataError, match="ex must be datetime.timedelta or int"):
        r.set("k", "v", ex=1.5)
    with pytest.raises(DataError, match="Both start and end must be specified"):
        r.bitcount("k", 1)
    with pytest.raises(DataError, match="bit must be 0 or 1"):
        r.bitpos("k", 3)
    with pytest.raises(DataError, match="``start`` and ``num`` must both be specified"):
        r.sort("k", start=1)
    with pytest.raises(DataError, match="client_id must be a list"):
        r.client_list(client_id=5)  # type: ignore[arg-type]
