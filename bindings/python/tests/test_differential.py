"""The same calls through kv.Redis and through redis-py on a real redis-server:
same results (types included), or the same exception class and message.

Keys, strings, bitmaps, server commands and the generic paths (execute_command,
argument encoding), each case with and without decode_responses."""

from __future__ import annotations

import datetime
from typing import Any, Callable, List, Tuple

import pytest

Case = Tuple[str, Callable[[Any], Any]]


def _sorted(value: Any) -> Any:
    return sorted(value)


def _shape(value: Any) -> Any:
    """Types only, for replies that differ by nature (clocks, ids)."""
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_shape(v) for v in value])
    return type(value).__name__


FUTURE = datetime.datetime(2100, 1, 1)

STRINGS: List[Case] = [
    ("set-get", lambda c: [c.set("k", "v"), c.get("k"), c.get("missing")]),
    ("set-int-float", lambda c: [c.set("i", 10), c.get("i"), c.set("f", 1.5), c.get("f"), c.set("big", 2**80), c.get("big")]),
    ("set-bytes", lambda c: [c.set(b"\x00k", b"\x00\x01"), c.get(b"\x00k"), c.set("m", memoryview(b"mv")), c.get("m")]),
    ("set-ex", lambda c: [c.set("k", "v", ex=100), c.ttl("k")]),
    ("set-px", lambda c: [c.set("k", "v", px=100000), c.ttl("k")]),
    ("set-ex-timedelta", lambda c: [c.set("k", "v", ex=datetime.timedelta(seconds=50)), c.ttl("k")]),
    ("set-ex-digit-str", lambda c: [c.set("k", "v", ex="50"), c.ttl("k")]),
    ("set-exat", lambda c: [c.set("k", "v", exat=FUTURE), c.expiretime("k") == int(FUTURE.timestamp())]),
    ("set-pxat", lambda c: [c.set("k", "v", pxat=FUTURE), c.pexpiretime("k") == int(FUTURE.timestamp() * 1000)]),
    ("set-nx", lambda c: [c.set("k", "a", nx=True), c.set("k", "b", nx=True), c.get("k")]),
    ("set-xx", lambda c: [c.set("k", "a", xx=True), c.set("k", "b"), c.set("k", "c", xx=True), c.get("k")]),
    ("set-keepttl", lambda c: [c.set("k", "a", ex=100), c.set("k", "b", keepttl=True), c.ttl("k")]),
    ("set-get-option", lambda c: [c.set("k", "a", get=True), c.set("k", "b", get=True), c.get("k")]),
    ("set-get-nx", lambda c: [c.set("k", "a"), c.set("k", "b", get=True, nx=True), c.get("k")]),
    ("set-get-wrongtype", lambda c: [c.rpush("l", "x"), c.set("l", "v", get=True)]),
    ("set-ex-zero", lambda c: c.set("k", "v", ex=0)),
    ("set-ex-negative", lambda c: c.set("k", "v", ex=-5)),
    ("set-px-huge", lambda c: c.set("k", "v", px=2**62)),
    ("set-ex-float", lambda c: c.set("k", "v", ex=1.5)),
    ("set-px-str", lambda c: c.set("k", "v", px="10")),
    ("set-ex-px", lambda c: c.set("k", "v", ex=1, px=1000)),
    ("set-nx-xx", lambda c: c.set("k", "v", nx=True, xx=True)),
    ("set-ex-keepttl", lambda c: c.set("k", "v", ex=1, keepttl=True)),
    ("set-none-value", lambda c: c.set("k", None)),
    ("set-bool-value", lambda c: c.set("k", True)),
    ("set-dict-value", lambda c: c.set("k", {"a": 1})),
    ("get-none-key", lambda c: c.get(None)),
    ("get-wrongtype", lambda c: [c.rpush("l", "x"), c.get("l")]),
    ("getdel", lambda c: [c.set("k", "v"), c.getdel("k"), c.getdel("k"), c.exists("k")]),
    ("getdel-wrongtype", lambda c: [c.sadd("s", "x"), c.getdel("s")]),
    ("getex", lambda c: [c.set("k", "v"), c.getex("k", ex=100), c.ttl("k"), c.getex("k", persist=True), c.ttl("k")]),
    ("getex-px", lambda c: [c.set("k", "v"), c.getex("k", px=100000), c.ttl("k")]),
    ("getex-exat", lambda c: [c.set("k", "v"), c.getex("k", exat=FUTURE), c.expiretime("k") == int(FUTURE.timestamp())]),
    ("getex-missing", lambda c: c.getex("nokey", ex=10)),
    ("getex-conflict", lambda c: c.getex("k", ex=1, persist=True)),
    ("getex-ex-zero", lambda c: [c.set("k", "v"), c.getex("k", ex=0)]),
    ("getrange", lambda c: [c.set("k", "Hello World"), c.getrange("k", 0, 4), c.getrange("k", -5, -1), c.getrange("k", 5, 2), c.getrange("nokey", 0, 1)]),
    ("getrange-bad", lambda c: [c.set("k", "v"), c.getrange("k", "a", 1)]),
    ("substr", lambda c: [c.set("k", "Hello"), c.substr("k", 1), c.substr("k", 1, 2)]),
    ("setrange", lambda c: [c.set("k", "Hello World"), c.setrange("k", 6, "Redis"), c.get("k"), c.setrange("new", 3, "x"), c.get("new")]),
    ("setrange-negative", lambda c: c.setrange("k", -1, "x")),
    ("setrange-too-big", lambda c: c.setrange("k", 512 * 1024 * 1024, "x")),
    ("setrange-empty-missing", lambda c: [c.setrange("k", 10, ""), c.exists("k")]),
    ("getset", lambda c: [c.getset("k", "a"), c.getset("k", "b"), c.get("k")]),
    ("incr", lambda c: [c.incr("n"), c.incr("n", 5), c.incrby("n", -3), c.decr("n"), c.decrby("n", 10), c.get("n")]),
    ("incr-not-int", lambda c: [c.set("n", "abc"), c.incr("n")]),
    ("incr-float-amount", lambda c: c.incrby("n", 1.5)),
    ("incr-huge-amount", lambda c: c.incrby("n", 2**70)),
    ("incr-overflow", lambda c: [c.set("n", 2**63 - 1), c.incr("n")]),
    ("decr-overflow", lambda c: [c.set("n", -(2**63)), c.decr("n")]),
    ("incr-spaces", lambda c: [c.set("n", " 1"), c.incr("n")]),
    ("incr-wrongtype", lambda c: [c.rpush("l", "x"), c.incr("l")]),
    ("incrbyfloat", lambda c: [c.incrbyfloat("f"), c.incrbyfloat("f", 0.1), c.incrbyfloat("f", -5), c.get("f"), c.incrbyfloat("f", 1e10)]),
    ("incrbyfloat-exp", lambda c: [c.set("f", "5.0e3"), c.incrbyfloat("f", "2.0e2"), c.get("f")]),
    ("incrbyfloat-bad", lambda c: c.incrbyfloat("f", "abc")),
    ("incrbyfloat-inf", lambda c: c.incrbyfloat("f", float("inf"))),
    ("incrbyfloat-not-float", lambda c: [c.set("f", "x"), c.incrbyfloat("f", 1)]),
    ("mget", lambda c: [c.mset({"a": 1, "b": 2}), c.mget("a", "b", "c"), c.mget(["a", "c"]), c.mget(["a"], "b")]),
    ("mget-empty", lambda c: c.mget([])),
    ("mget-wrongtype-is-nil", lambda c: [c.rpush("l", 1), c.set("a", 1), c.mget("a", "l")]),
    ("mset", lambda c: [c.mset({"a": "1", b"b": b"2", "c": 3}), c.get("a"), c.get("b"), c.get("c")]),
    ("mset-empty", lambda c: c.mset({})),
    ("msetnx", lambda c: [c.msetnx({"a": 1, "b": 2}), c.msetnx({"b": 3, "c": 4}), c.mget("a", "b", "c")]),
    ("append", lambda c: [c.append("k", "Hello"), c.append("k", " World"), c.get("k"), c.strlen("k")]),
    ("append-wrongtype", lambda c: [c.sadd("s", 1), c.append("s", "x")]),
    ("strlen", lambda c: [c.strlen("nokey"), c.set("k", 12345), c.strlen("k")]),
    ("psetex", lambda c: [c.psetex("k", 100000, "v"), c.ttl("k"), c.psetex("t", datetime.timedelta(seconds=30), "v"), c.ttl("t")]),
    ("psetex-zero", lambda c: c.psetex("k", 0, "v")),
    ("setex", lambda c: [c.setex("k", 100, "v"), c.ttl("k"), c.setex("t", datetime.timedelta(minutes=1), "v"), c.ttl("t")]),
    ("setex-negative", lambda c: c.setex("k", -1, "v")),
    ("setex-not-int", lambda c: c.setex("k", "x", "v")),
    ("setnx", lambda c: [c.setnx("k", "a"), c.setnx("k", "b"), c.get("k")]),
    ("lcs", lambda c: [c.mset({"a": "ohmytext", "b": "mynewtext"}), c.lcs("a", "b"), c.lcs("a", "b", len=True)]),
    ("lcs-idx", lambda c: [c.mset({"a": "ohmytext", "b": "mynewtext"}), c.lcs("a", "b", idx=True), c.lcs("a", "b", idx=True, minmatchlen=4, withmatchlen=True)]),
    ("lcs-wrongtype", lambda c: [c.rpush("l", 1), c.lcs("l", "b")]),
    ("dict-access", lambda c: [c.__setitem__("k", "v"), c["k"], "k" in c, c.__delitem__("k"), "k" in c]),
    ("getitem-missing", lambda c: c["missing"]),
]

KEYS: List[Case] = [
    ("delete", lambda c: [c.mset({"a": 1, "b": 2}), c.delete("a", "b", "c"), c.delete("a")]),
    ("delete-no-args", lambda c: c.delete()),
    ("exists", lambda c: [c.set("a", 1), c.exists("a", "a", "b"), c.exists("b")]),
    ("exists-no-args", lambda c: c.exists()),
    ("unlink-touch", lambda c: [c.mset({"a": 1, "b": 2}), c.touch("a", "b", "c"), c.unlink("a", "c"), c.exists("a", "b")]),
    ("type", lambda c: [c.set("s", 1), c.rpush("l", 1), c.sadd("st", 1), c.execute_command("HSET", "h", "f", 1), c.execute_command("ZADD", "z", 1, "m"),
                       c.type("s"), c.type("l"), c.type("st"), c.type("h"), c.type("z"), c.type("none")]),
    ("expire-ttl", lambda c: [c.set("k", 1), c.expire("k", 100), c.ttl("k"), c.pttl("k") > 99000, c.persist("k"), c.ttl("k"), c.persist("k")]),
    ("ttl-missing", lambda c: [c.ttl("none"), c.pttl("none"), c.expire("none", 10), c.persist("none")]),
    ("expire-timedelta", lambda c: [c.set("k", 1), c.expire("k", datetime.timedelta(seconds=70)), c.ttl("k")]),
    ("expire-options", lambda c: [c.set("k", 1), c.expire("k", 100, xx=True), c.expire("k", 100, nx=True), c.expire("k", 100, xx=True),
                                  c.expire("k", 50, gt=True), c.expire("k", 200, gt=True), c.expire("k", 300, lt=True), c.expire("k", 10, lt=True), c.ttl("k")]),
    ("expire-nx-xx", lambda c: [c.set("k", 1), c.expire("k", 10, nx=True, xx=True)]),
    ("expire-gt-lt", lambda c: [c.set("k", 1), c.expire("k", 10, gt=True, lt=True)]),
    ("expire-nx-gt", lambda c: [c.set("k", 1), c.expire("k", 10, nx=True, gt=True)]),
    ("expire-negative-deletes", lambda c: [c.set("k", 1), c.expire("k", -1), c.exists("k")]),
    ("expire-huge", lambda c: [c.set("k", 1), c.expire("k", 2**62)]),
    ("expire-not-int", lambda c: [c.set("k", 1), c.expire("k", "x")]),
    ("expire-float", lambda c: [c.set("k", 1), c.expire("k", 1.5)]),
    ("expireat", lambda c: [c.set("k", 1), c.expireat("k", FUTURE), c.expiretime("k") == int(FUTURE.timestamp()), c.expireat("k", 1), c.exists("k")]),
    ("pexpire", lambda c: [c.set("k", 1), c.pexpire("k", 100000), c.ttl("k"), c.pexpire("k", datetime.timedelta(seconds=5)), c.ttl("k")]),
    ("pexpireat", lambda c: [c.set("k", 1), c.pexpireat("k", FUTURE), c.pexpiretime("k") == int(FUTURE.timestamp() * 1000)]),
    ("expiretime-none", lambda c: [c.set("k", 1), c.expiretime("k"), c.pexpiretime("k"), c.expiretime("none"), c.pexpiretime("none")]),
    ("rename", lambda c: [c.set("a", 1), c.expire("a", 100), c.rename("a", "b"), c.get("b"), c.ttl("b"), c.exists("a")]),
    ("rename-missing", lambda c: c.rename("none", "b")),
    ("rename-same", lambda c: [c.set("a", 1), c.rename("a", "a"), c.get("a")]),
    ("renamenx", lambda c: [c.mset({"a": 1, "b": 2}), c.renamenx("a", "b"), c.renamenx("a", "c"), c.mget("a", "b", "c")]),
    ("renamenx-missing", lambda c: c.renamenx("none", "b")),
    ("copy", lambda c: [c.set("a", 1), c.copy("a", "b"), c.copy("a", "b"), c.copy("a", "b", replace=True), c.get("b")]),
    ("copy-db", lambda c: [c.set("a", 1), c.copy("a", "a", destination_db=3), c.select(3), c.get("a"), c.flushdb(), c.select(0)]),
    ("copy-same", lambda c: [c.set("a", 1), c.copy("a", "a")]),
    ("copy-missing", lambda c: c.copy("none", "b")),
    ("copy-bad-db", lambda c: [c.set("a", 1), c.copy("a", "b", destination_db="x")]),
    ("move", lambda c: [c.set("a", 1), c.move("a", 2), c.exists("a"), c.move("a", 2), c.select(2), c.get("a"), c.flushdb(), c.select(0)]),
    ("move-same-db", lambda c: [c.set("a", 1), c.move("a", 0)]),
    ("move-bad-db", lambda c: [c.set("a", 1), c.move("a", 99)]),
    ("randomkey", lambda c: [c.randomkey(), c.set("only", 1), c.randomkey()]),
    ("keys", lambda c: [c.mset({"one": 1, "two": 2, "three": 3, "four": 4}), sorted(c.keys("t*")), sorted(c.keys()), c.keys("nomatch*"), sorted(c.keys("?o*"))]),
    ("keys-special", lambda c: [c.mset({"a[b": 1, "a\\b": 2, "ab": 3}), sorted(c.keys("a[[]b")), sorted(c.keys("a\\\\b")), sorted(c.keys("a[^x]"))]),
    ("scan-all", lambda c: [c.mset({f"k{i}": i for i in range(50)}), sorted(c.scan_iter()), sorted(c.scan_iter(match="k1*")), sorted(c.scan_iter(count=7))]),
    ("scan-type", lambda c: [c.set("s", 1), c.rpush("l", 1), sorted(c.scan_iter(_type="list")), sorted(c.scan_iter(_type="string"))]),
    ("scan-shape", lambda c: [c.set("s", 1), c.scan(0, match="s")]),
    ("scan-bad-cursor", lambda c: c.scan("abc")),
    ("sort-numeric", lambda c: [c.rpush("l", 3, 1, 2, 10), c.sort("l"), c.sort("l", desc=True), c.sort("l", start=1, num=2)]),
    ("sort-alpha", lambda c: [c.rpush("l", "b", "a", "c"), c.sort("l", alpha=True), c.sort_ro("l", alpha=True, desc=True)]),
    ("sort-not-numbers", lambda c: [c.rpush("l", "b", "a"), c.sort("l")]),
    ("sort-by-get", lambda c: [c.rpush("l", 1, 2, 3), c.mset({"w_1": 3, "w_2": 2, "w_3": 1, "o_1": "x", "o_2": "y", "o_3": "z"}),
                               c.sort("l", by="w_*"), c.sort("l", by="w_*", get="o_*"), c.sort("l", by="nosort", get=["#", "o_*"]),
                               c.sort("l", get=["#", "o_*"], groups=True)]),
    ("sort-store", lambda c: [c.rpush("l", 3, 1, 2), c.sort("l", store="dst"), c.execute_command("LRANGE", "dst", 0, -1)]),
    ("sort-set-zset", lambda c: [c.sadd("s", 3, 1, 2), c.sort("s"), c.execute_command("ZADD", "z", 1, "b", 2, "a"), c.sort("z", alpha=True)]),
    ("sort-wrongtype", lambda c: [c.set("k", 1), c.sort("k")]),
    ("sort-start-only", lambda c: c.sort("l", start=1)),
    ("sort-groups-bad", lambda c: c.sort("l", get="o_*", groups=True)),
    ("dump-restore", lambda c: [c.set("k", "v"), c.restore("k2", 0, c.dump("k")), c.get("k2"), c.dump("none")]),
    ("restore-busy", lambda c: [c.set("k", "v"), c.restore("k", 0, c.dump("k"))]),
    ("restore-replace-ttl", lambda c: [c.rpush("k", 1, 2), c.restore("k", 100000, c.dump("k"), replace=True), c.execute_command("LRANGE", "k", 0, -1), c.ttl("k")]),
    ("restore-bad-payload", lambda c: c.restore("k", 0, b"garbage")),
    ("restore-negative-ttl", lambda c: [c.set("k", "v"), c.restore("k2", -1, c.dump("k"))]),
    ("object-encoding", lambda c: [c.set("i", 123), c.set("e", "short"), c.set("r", "x" * 50), c.object("encoding", "i"),
                                   c.object("encoding", "e"), c.object("encoding", "r"), c.object("encoding", "none"), c.object("refcount", "e")]),
    ("object-bad-sub", lambda c: [c.set("k", 1), c.object("nope", "k")]),
    ("object-freq-lru-policy", lambda c: [c.set("k", 1), c.object("freq", "k")]),
]

BITMAP: List[Case] = [
    ("setbit-getbit", lambda c: [c.setbit("b", 7, 1), c.setbit("b", 7, 0), c.setbit("b", 100, True), c.getbit("b", 100), c.getbit("b", 5), c.getbit("none", 3), c.get("b")]),
    ("setbit-value-2", lambda c: [c.setbit("b", 1, 2), c.getbit("b", 1)]),
    ("setbit-negative", lambda c: c.setbit("b", -1, 1)),
    ("setbit-too-far", lambda c: c.setbit("b", 2**32, 1)),
    ("getbit-not-int", lambda c: c.getbit("b", "x")),
    ("setbit-wrongtype", lambda c: [c.rpush("l", 1), c.setbit("l", 0, 1)]),
    ("bitcount", lambda c: [c.set("k", "foobar"), c.bitcount("k"), c.bitcount("k", 0, 0), c.bitcount("k", 1, 1), c.bitcount("k", -2, -1),
                            c.bitcount("k", 5, 30, "BIT"), c.bitcount("k", 0, -1, "byte"), c.bitcount("none")]),
    ("bitcount-start-only", lambda c: c.bitcount("k", 1)),
    ("bitcount-bad-mode", lambda c: [c.set("k", "x"), c.bitcount("k", 0, 1, "WORD")]),
    ("bitop", lambda c: [c.mset({"a": "foobar", "b": "abcdef"}), c.bitop("AND", "d", "a", "b"), c.get("d"), c.bitop("or", "d", "a", "b"),
                         c.get("d"), c.bitop("XOR", "d", "a", "b"), c.get("d"), c.bitop("NOT", "d", "a"), c.get("d"), c.bitop("and", "e", "none"), c.exists("e")]),
    ("bitop-not-two", lambda c: c.bitop("NOT", "d", "a", "b")),
    ("bitop-bad-op", lambda c: c.bitop("NAND", "d", "a")),
    ("bitop-wrongtype", lambda c: [c.rpush("l", 1), c.bitop("AND", "d", "l")]),
    ("bitpos", lambda c: [c.set("k", b"\xff\xf0\x00"), c.bitpos("k", 0), c.bitpos("k", 1, 2), c.bitpos("k", 1, 1, -1), c.bitpos("k", 0, 7, 15, "BIT"),
                          c.bitpos("none", 0), c.bitpos("none", 1)]),
    ("bitpos-bad-bit", lambda c: c.bitpos("k", 2)),
    ("bitpos-end-only", lambda c: c.bitpos("k", 1, end=3)),
    ("bitfield", lambda c: [c.bitfield("bf").set("i8", 0, 100).get("i8", 0).incrby("u2", 100, 1).incrby("u2", 102, 1, "SAT").execute(),
                            c.bitfield("bf", default_overflow="FAIL").incrby("u2", 102, 5).get("u4", "#1").execute(),
                            c.bitfield("bf").overflow("wrap").incrby("i5", 100, 100).execute()]),
    ("bitfield-bad-type", lambda c: c.bitfield("bf").get("x8", 0).execute()),
    ("bitfield-bad-offset", lambda c: c.bitfield("bf").get("u8", -1).execute()),
    ("bitfield-bad-overflow", lambda c: c.bitfield("bf").overflow("NOPE").incrby("u8", 0, 1).execute()),
    ("bitfield-ro", lambda c: [c.set("k", "hello"), c.bitfield_ro("k", "u8", 0, items=[("u8", 8), ("i4", 4)]), c.bitfield_ro("none", "u8", 0)]),
    ("bitfield-ro-set", lambda c: c.execute_command("BITFIELD_RO", "k", "SET", "u8", 0, 1)),
]

SERVER: List[Case] = [
    ("ping-echo", lambda c: [c.ping(), c.echo("hello"), c.echo(b"\x00\xff"), c.echo(12)]),
    ("echo-none", lambda c: c.echo(None)),
    ("dbsize-flush", lambda c: [c.mset({"a": 1, "b": 2}), c.dbsize(), c.flushdb(), c.dbsize(), c.set("a", 1), c.flushall(asynchronous=True), c.dbsize()]),
    ("flushdb-async", lambda c: [c.set("a", 1), c.flushdb(asynchronous=True), c.dbsize()]),
    ("select", lambda c: [c.set("a", 0), c.select(1), c.get("a"), c.set("a", 1), c.select(0), c.get("a"), c.select(1), c.flushdb(), c.select(0)]),
    ("select-bad", lambda c: c.select(16)),
    ("select-not-int", lambda c: c.select("x")),
    ("swapdb", lambda c: [c.set("a", 0), c.swapdb(0, 5), c.get("a"), c.select(5), c.get("a"), c.flushdb(), c.select(0)]),
    ("swapdb-bad", lambda c: c.swapdb(0, 99)),
    ("time-shape", lambda c: _shape(c.time())),
    ("lastsave-type", lambda c: type(c.lastsave()).__name__),
    ("client-name", lambda c: [c.client_getname(), c.client_setname("myname"), c.client_getname(), c.client_info()["name"]]),
    ("client-name-space", lambda c: c.client_setname("bad name")),
    ("client-id-type", lambda c: type(c.client_id()).__name__),
    ("client-info-shape", lambda c: [sorted(k for k in c.client_info() if k in ("id", "db", "name", "flags", "cmd", "resp")), c.client_info()["db"]]),
    ("client-list-shape", lambda c: [type(c.client_list()).__name__, "id" in c.client_list()[0]]),
    ("client-list-bad-type", lambda c: c.client_list(_type="nope")),
    ("client-setinfo", lambda c: [c.client_setinfo("LIB-NAME", "mylib"), c.client_setinfo("LIB-VER", "1.0")]),
    ("client-setinfo-bad", lambda c: c.client_setinfo("NOPE", "x")),
    ("client-unblock-none", lambda c: c.client_unblock(999999)),
    ("config-get", lambda c: [c.config_get("databases"), c.config_get("nosuchparam")]),
    ("info-shape", lambda c: [isinstance(c.info(), dict), "redis_version" in c.info("server"), "used_memory" in c.info("memory"),
                              "db0" in c.info("keyspace") if c.set("x", 1) else None]),
    ("info-keyspace", lambda c: [c.mset({"a": 1, "b": 2}), c.expire("a", 100), c.info("keyspace")["db0"]["keys"], c.info("keyspace")["db0"]["expires"]]),
    ("command-count-type", lambda c: type(c.command_count()).__name__),
    ("command-getkeys", lambda c: c.command_getkeys("MSET", "a", "1", "b", "2")),
    ("command-parsed", lambda c: {k: v for k, v in c.command()["get"].items() if k in ("name", "arity", "flags", "first_key_pos", "last_key_pos", "step_count")}),
    ("quit", lambda c: c.quit()),
]

GENERIC: List[Case] = [
    ("unknown-command", lambda c: c.execute_command("NOSUCHCMD", "a", "b")),
    ("wrong-arity", lambda c: c.execute_command("GET")),
    ("wrong-arity-set", lambda c: c.execute_command("SET", "k")),
    ("syntax-error", lambda c: c.execute_command("SET", "k", "v", "NOPE")),
    ("subcommand-split", lambda c: [c.execute_command("CONFIG GET", "databases"), c.execute_command("CLIENT GETNAME")]),
    ("bytes-command-name", lambda c: [c.execute_command(b"SET", "k", "v"), c.execute_command(b"GET", "k")]),
    ("lowercase-command", lambda c: [c.execute_command("set", "k", "v"), c.execute_command("get", "k")]),
    ("unknown-subcommand", lambda c: c.execute_command("CLIENT", "NOPE")),
    ("float-arg", lambda c: [c.set("k", 0.1), c.get("k"), c.set("k", 1e100), c.get("k"), c.set("k", -0.0), c.get("k")]),
    ("none-in-list", lambda c: c.delete("a", None)),
    ("bool-arg", lambda c: c.get(False)),
    ("object-arg", lambda c: c.get(object())),
    ("list-arg", lambda c: c.set("k", [1, 2])),
    ("bytearray-arg", lambda c: [c.set(bytearray(b"k"), bytearray(b"v")), c.get("k")]),
    ("unicode", lambda c: [c.set("ключ", "значение ✓"), c.get("ключ"), c.strlen("ключ")]),
    ("multi-exec-raw", lambda c: [c.execute_command("MULTI"), c.execute_command("EXEC")]),
    ("exec-without-multi", lambda c: c.execute_command("EXEC")),
    ("discard-without-multi", lambda c: c.execute_command("DISCARD")),
]

ALL = STRINGS + KEYS + BITMAP + SERVER + GENERIC

# Redis 7.2 commands or texts: kv follows 7.2, the reference server may be older.
NEEDS_72 = {"client-setinfo", "client-setinfo-bad"}


def _check_version(name: str, client: Any) -> None:
    if name in NEEDS_72:
        version = tuple(int(x) for x in client.info("server")["redis_version"].split(".")[:2])
        if version < (7, 2):
            pytest.skip(f"redis-server {version} predates 7.2")


@pytest.mark.parametrize("name,fn", ALL, ids=[name for name, _ in ALL])
def test_same_bytes(pair: Any, assert_same: Any, name: str, fn: Callable[[Any], Any]) -> None:
    _check_version(name, pair[1])
    assert_same(pair, fn)


@pytest.mark.parametrize("name,fn", ALL, ids=[name for name, _ in ALL])
def test_same_decoded(pair_decoded: Any, assert_same: Any, name: str, fn: Callable[[Any], Any]) -> None:
    _check_version(name, pair_decoded[1])
    assert_same(pair_decoded, fn)


DECODE_ERRORS: List[Case] = [
    ("get-invalid-utf8", lambda c: [c.set("k", b"\xff\xfe"), c.get("k")]),
    ("mget-invalid-utf8", lambda c: [c.set("k", b"ok\xc3"), c.mget("k")]),
    ("keys-invalid-utf8", lambda c: [c.set(b"\xff", 1), c.keys()]),
    ("getrange-splits-char", lambda c: [c.set("k", "é"), c.getrange("k", 0, 0)]),
]


@pytest.mark.parametrize("fn", [fn for _, fn in DECODE_ERRORS], ids=[name for name, _ in DECODE_ERRORS])
def test_same_decode_errors(pair_decoded: Any, assert_same: Any, fn: Callable[[Any], Any]) -> None:
    assert_same(pair_decoded, fn)


def test_set_get_bytes_roundtrip_all_values(pair: Any, assert_same: Any) -> None:
    """Every byte value survives SET/GET unchanged."""
    value = bytes(range(256))
    assert_same(pair, lambda c: [c.set(value, value), c.get(value), c.strlen(value)])


def test_keys_with_patterns_sorted(pair: Any, assert_same: Any) -> None:
    def fn(c: Any) -> Any:
        c.mset({"user:1": 1, "user:2": 2, "user:10": 3, "admin:1": 4})
        return [sorted(c.keys(p)) for p in ("user:*", "user:?", "*:1", "user:[12]", "[a-z]*:1*")]

    assert_same(pair, fn)
