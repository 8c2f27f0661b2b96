"""Bitmap commands on kv.Redis, BITFIELD through redis-py's BitFieldOperation."""

from __future__ import annotations

import pytest

import kv
from kv.commands.bitmap import BitFieldOperation
from kv.exceptions import DataError, ResponseError


def test_setbit_getbit_bitcount() -> None:
    r = kv.Redis(store=kv.Store())
    assert r.setbit("b", 7, 1) == 0
    assert r.setbit("b", 7, True) == 1
    assert r.getbit("b", 7) == 1 and r.getbit("b", 6) == 0
    assert r.get("b") == b"\x01"
    assert r.bitcount("b") == 1
    r.set("f", "foobar")
    assert r.bitcount("f", 1, 1) == 6
    assert r.bitcount("f", 5, 30, "BIT") == 17
    with pytest.raises(ResponseError, match="bit offset is not an integer or out of range"):
        r.setbit("b", -1, 1)


def test_bitop_bitpos() -> None:
    r = kv.Redis(store=kv.Store())
    r.mset({"a": b"\xff\x00", "b": b"\x0f\x0f"})
    assert r.bitop("AND", "d", "a", "b") == 2 and r.get("d") == b"\x0f\x00"
    assert r.bitop("NOT", "n", "a") == 2 and r.get("n") == b"\x00\xff"
    assert r.bitpos("a", 0) == 8
    assert r.bitpos("a", 1, 1) == -1
    assert r.bitpos("b", 1, 0, 7, "BIT") == 4
    with pytest.raises(DataError):
        r.bitpos("a", 1, end=2)


def test_bitfield_operation() -> None:
    r = kv.Redis(store=kv.Store())
    op = r.bitfield("bf", default_overflow="SAT")
    assert isinstance(op, BitFieldOperation)
    assert op.set("u8", 0, 250).incrby("u8", 0, 10).get("u8", "#0").execute() == [0, 255, 255]
    assert op.operations == [("OVERFLOW", "SAT")]  # reset after execute
    assert r.bitfield("bf").incrby("u8", 0, 10, overflow="FAIL").execute() == [None]
    assert r.bitfield("bf").incrby("u8", 0, 10).execute() == [9]  # WRAP
    assert r.bitfield_ro("bf", "u8", 0, items=[("u4", 0)]) == [9, 0]
    with pytest.raises(ResponseError, match="Invalid bitfield type"):
        r.bitfield("bf").get("x8", 0).execute()
