"""Session.execute_many: pipelines and MULTI/EXEC transactions in one call,
with replies and errors in place as redis-py's pipeline puts them."""

from __future__ import annotations

import pytest

import kv
from kv import exceptions as kx


@pytest.fixture
def s():
    with kv.Store() as store:
        yield store.session()


def test_plain_pipeline_keeps_order_and_errors_in_place(s) -> None:
    s.execute("SET", "str", "v")
    out = s.execute_many([("INCR", "n"), ("LPUSH", "str", "x"), ("GET", "n"), ("NOPE",), ("INCRBY", "n", 5)])
    assert out[0] == 1 and out[2] == b"1" and out[4] == 6
    assert isinstance(out[1], kx.ResponseError) and str(out[1]).startswith("WRONGTYPE")
    assert isinstance(out[3], kx.ResponseError) and "unknown command 'NOPE'" in str(out[3])


def test_commands_may_be_lists_or_any_iterable(s) -> None:
    assert s.execute_many([["SET", "a", 1], ("GET", "a")]) == [b"OK", b"1"]
    assert s.execute_many((c for c in [("INCR", "a"), ("INCR", "a")])) == [2, 3]
    assert s.execute_many([]) == []


def test_transaction_returns_exec_replies(s) -> None:
    s.execute("SET", "str", "v")
    out = s.execute_many([("INCR", "n"), ("INCR", "str"), ("GET", "n")], transaction=True)
    assert out[0] == 1 and out[2] == b"1"
    assert isinstance(out[1], kx.ResponseError) and str(out[1]) == "value is not an integer or out of range"


def test_transaction_refused_command_discards_all(s) -> None:
    out = s.execute_many([("SET", "a", "1"), ("GET",), ("NOPE", "x"), ("SET", "b", "2")], transaction=True)
    assert isinstance(out[1], kx.ResponseError) and str(out[1]) == "wrong number of arguments for 'get' command"
    assert isinstance(out[2], kx.ResponseError) and "unknown command 'NOPE'" in str(out[2])
    for i in (0, 3):
        assert type(out[i]) is kx.ExecAbortError
        assert str(out[i]) == "Transaction discarded because of previous errors."
    assert s.execute("EXISTS", "a", "b") == 0


def test_transaction_watch_conflict_is_none(s) -> None:
    with kv.Store() as store:
        a, b = store.session(), store.session()
        a.execute("WATCH", "k")
        b.set("k", "changed")
        assert a.execute_many([("SET", "k", "mine")], transaction=True) is None
        assert a.get("k") == b"changed"
        # EXEC dropped the watch: the next transaction runs.
        assert a.execute_many([("SET", "k", "mine")], transaction=True) == [b"OK"]
        # Empty: MULTI/EXEC still run (and would report a WATCH conflict).
        a.execute("WATCH", "k")
        b.set("k", "again")
        assert a.execute_many([], transaction=True) is None
        assert a.execute_many([], transaction=True) == []


def test_transaction_is_atomic_and_decoded(s) -> None:
    with kv.Store() as store:
        d = store.session(decode_responses=True)
        assert d.execute_many([("SET", "k", "é"), ("GET", "k"), ("PING",)], transaction=True) == ["OK", "é", "PONG"]


def test_nested_multi_raises(s) -> None:
    s.execute("MULTI")
    with pytest.raises(kx.ResponseError, match="MULTI calls can not be nested"):
        s.execute_many([("PING",)], transaction=True)


def test_resp3_pipeline_shapes(s) -> None:
    s.execute("HELLO", 3)
    s.execute("HSET", "h", "f", "v")
    assert s.execute_many([("HGETALL", "h"), ("ZSCORE", "z", "m")]) == [{b"f": b"v"}, None]
    assert s.execute_many([("HGETALL", "h")], transaction=True) == [{b"f": b"v"}]


def test_select_inside_pipeline_moves_the_session(s) -> None:
    assert s.execute_many([("SELECT", 4), ("SET", "k", "v")]) == [b"OK", b"OK"]
    assert s.db == 4 and s.get("k") == b"v"
