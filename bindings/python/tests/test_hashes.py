"""Hash commands of kv.Redis against redis-py + redis-server."""

from __future__ import annotations

import datetime
import time
import warnings

import kv
import kv.asyncio
import kv.commands
import pytest
from _steps import assert_random_picks, random_steps, same, signature_test


def wrongtype(r):
    r.set("s", "x")
    return r


def test_hset_forms(p):
    same(
        p,
        lambda r: r.hset("h", "f1", "v1"),
        lambda r: r.hset("h", "f1", "v2"),
        lambda r: r.hset("h", mapping={"f2": 2, "f3": 3.5, b"f4": b"\x00"}),
        lambda r: r.hset("h", items=["f5", "a", "f6", "b"]),
        lambda r: r.hset("h", "k", "v", mapping={"m": 1}, items=["i", 2]),
        lambda r: r.hset("h", "", ""),
        lambda r: r.hgetall("h"),
    )


def test_hset_errors(p):
    same(
        p,
        lambda r: r.hset("h"),
        lambda r: r.hset("h", mapping={}),
        lambda r: r.hset("h", items=[]),
        lambda r: r.hset("h", "f"),  # value None
        lambda r: r.hset("h", "f", True),
        lambda r: r.hset("h", "f", [1]),
        lambda r: r.hset("h", items=["odd"]),
        lambda r: r.hset("h", mapping={"a": 1, "b": None}),  # nothing is sent
        lambda r: r.hset("h", mapping={"a": 1, "b": object()}),
        lambda r: r.hset(wrongtype(r) and "s", "f", "v"),
        lambda r: r.exists("h"),
    )


def test_hget_hgetall_hkeys_hvals_hlen(p):
    same(
        p,
        lambda r: r.hget("missing", "f"),
        lambda r: r.hgetall("missing"),
        lambda r: r.hkeys("missing"),
        lambda r: r.hvals("missing"),
        lambda r: r.hlen("missing"),
        lambda r: r.hset("h", mapping={"a": "1", "b": "2", "c": "three"}),
        lambda r: r.hget("h", "a"),
        lambda r: r.hget("h", "zz"),
        lambda r: r.hgetall("h"),
        lambda r: sorted(r.hkeys("h")),
        lambda r: sorted(r.hvals("h")),
        lambda r: r.hlen("h"),
        lambda r: r.hget("h", 1),
        lambda r: r.hget("h", None),
        lambda r: r.hget(wrongtype(r) and "s", "f"),
        lambda r: r.hgetall("s"),
        lambda r: r.hkeys("s"),
        lambda r: r.hvals("s"),
        lambda r: r.hlen("s"),
    )


def test_hgetall_is_dict_with_numbers(pair):
    # numbers are sent as their str()/repr() and come back as bytes
    same(pair, lambda r: r.hset("h", mapping={1: 2, 1.5: -3}), lambda r: r.hgetall("h"))


def test_hexists_hdel(p):
    same(
        p,
        lambda r: r.hexists("h", "f"),
        lambda r: r.hdel("h", "f"),
        lambda r: r.hset("h", mapping={"a": 1, "b": 2, "c": 3}),
        lambda r: r.hexists("h", "a"),
        lambda r: r.hexists("h", "z"),
        lambda r: r.hdel("h", "a", "z", "a"),
        lambda r: r.hdel("h", "b", "c"),
        lambda r: r.exists("h"),
        lambda r: r.hdel("h"),
        lambda r: r.hexists(wrongtype(r) and "s", "a"),
        lambda r: r.hdel("s", "a"),
    )


def test_hincrby(p):
    same(
        p,
        lambda r: r.hincrby("h", "n"),
        lambda r: r.hincrby("h", "n", 10),
        lambda r: r.hincrby("h", "n", -100),
        lambda r: r.hincrby("h", "big", 2**63 - 1),
        lambda r: r.hincrby("h", "big", 1),
        lambda r: r.hincrby("h", "n", 2**64),
        lambda r: r.hincrby("h", "n", 1.5),
        lambda r: r.hincrby("h", "n", "x"),
        lambda r: r.hset("h", "s", "abc"),
        lambda r: r.hincrby("h", "s", 1),
        lambda r: r.hgetall("h"),
        lambda r: r.hincrby(wrongtype(r) and "s", "n"),
    )


def test_hincrbyfloat(p):
    same(
        p,
        lambda r: r.hincrbyfloat("h", "f"),
        lambda r: r.hincrbyfloat("h", "f", 0.25),
        lambda r: r.hincrbyfloat("h", "f", -10),
        lambda r: r.hincrbyfloat("h", "f", "1e3"),
        lambda r: r.hincrbyfloat("h", "f", float("inf")),
        lambda r: r.hincrbyfloat("h", "f", float("nan")),
        lambda r: r.hincrbyfloat("h", "f", "x"),
        lambda r: r.hset("h", "s", "abc"),
        lambda r: r.hincrbyfloat("h", "s", 1),
        lambda r: r.hget("h", "f"),
        lambda r: r.hincrbyfloat(wrongtype(r) and "s", "f"),
    )


def test_hmget(p):
    same(
        p,
        lambda r: r.hmget("missing", ["a", "b"]),
        lambda r: r.hset("h", mapping={"a": 1, "b": 2}),
        lambda r: r.hmget("h", ["a", "x", "b"]),
        lambda r: r.hmget("h", "a", "b", "x"),
        lambda r: r.hmget("h", ("b",)),
        lambda r: r.hmget("h", "a"),
        lambda r: r.hmget("h", []),
        lambda r: r.hmget(wrongtype(r) and "s", ["a"]),
    )


def test_hmset(p):
    def hmset(r, *a):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            res = r.hmset(*a)
        # the warning points at the caller, as redis-py's does
        return res, [(x.category.__name__, str(x.message), x.filename == __file__) for x in w]

    same(
        p,
        lambda r: hmset(r, "h", {"a": 1, "b": "2"}),
        lambda r: r.hgetall("h"),
        lambda r: hmset(r, "h", {}),
        lambda r: hmset(wrongtype(r) and "s", "s", {"a": 1}),
    )


def test_hsetnx(p):
    same(
        p,
        lambda r: r.hsetnx("h", "f", "v"),
        lambda r: r.hsetnx("h", "f", "w"),
        lambda r: r.hget("h", "f"),
        lambda r: r.hsetnx("h", "g", None),
        lambda r: r.hsetnx(wrongtype(r) and "s", "f", "v"),
    )


def test_hstrlen(p):
    same(
        p,
        lambda r: r.hstrlen("h", "f"),
        lambda r: r.hset("h", mapping={"f": "hello", "n": 12345, "e": ""}),
        lambda r: r.hstrlen("h", "f"),
        lambda r: r.hstrlen("h", "n"),
        lambda r: r.hstrlen("h", "e"),
        lambda r: r.hstrlen("h", "missing"),
        lambda r: r.hstrlen(wrongtype(r) and "s", "f"),
    )


def test_hscan(p):
    same(
        p,
        lambda r: r.hscan("missing"),
        lambda r: r.hset("h", mapping={f"f{i}": i for i in range(20)}),
        # a small hash is scanned in one call, in insertion order
        lambda r: r.hscan("h"),
        lambda r: r.hscan("h", match="f1*"),
        lambda r: r.hscan("h", 0, match="nomatch", count=1000),
        lambda r: sorted(r.hscan_iter("h", match="f?")),
        lambda r: sorted(r.hscan_iter("h", count=3)),
        lambda r: r.hscan("h", cursor="x"),
        lambda r: r.hscan("h", count=0),
        lambda r: r.hscan(wrongtype(r) and "s"),
    )


def test_hscan_large_hash_iterates_everything(p):
    # a hash past the listpack limits is scanned over several cursors; the
    # union of what the iterator yields is the hash
    same(
        p,
        lambda r: r.hset("h", mapping={f"f{i}": i for i in range(500)}),
        lambda r: sorted(r.hscan_iter("h", count=7)),
        lambda r: sorted(r.hscan_iter("h", match="f1*", count=50)),
        lambda r: r.hscan("h", 0, count=10)[0] != 0,
    )


def test_hscan_no_values(rd):
    # NOVALUES is Redis 7.4: kv has it, the reference server may not
    r = rd
    r.hset("h", mapping={"a": 1, "b": 2})
    assert r.hscan("h", no_values=True) == (0, ["a", "b"])
    assert sorted(r.hscan_iter("h", no_values=True)) == ["a", "b"]
    assert sorted(r.hscan_iter("h")) == [("a", "1"), ("b", "2")]
    assert r.hscan("h", no_values=False) == (0, {"a": "1", "b": "2"})
    assert sorted(r.hscan_iter("h", no_values=False)) == [("a", "1"), ("b", "2")]


def test_hrandfield_deterministic(p):
    same(
        p,
        lambda r: r.hrandfield("missing"),
        lambda r: r.hrandfield("missing", 3),
        lambda r: r.hrandfield("missing", -3, withvalues=True),
        lambda r: r.hset("h", "only", "v"),
        lambda r: r.hrandfield("h"),
        lambda r: r.hrandfield("h", 0),
        lambda r: r.hrandfield("h", 5),
        lambda r: r.hrandfield("h", -3),
        lambda r: r.hrandfield("h", 2, withvalues=True),
        lambda r: r.hrandfield("h", -2, withvalues=True),
        lambda r: r.hrandfield("h", "x"),
        lambda r: r.hrandfield("h", withvalues=True),  # WITHVALUES without count
        lambda r: r.hrandfield(wrongtype(r) and "s"),
    )


def test_hrandfield_random(rd):
    r = rd
    fields = {f"f{i}": str(i) for i in range(30)}
    r.hset("h", mapping=fields)
    assert_random_picks(lambda *count: r.hrandfield("h", *count), fields, 10, 50, 100)
    flat = r.hrandfield("h", 5, withvalues=True)
    assert len(flat) == 10
    for f, v in zip(flat[::2], flat[1::2]):
        assert fields[f] == v
    flat = r.hrandfield("h", -40, withvalues=True)
    assert len(flat) == 80 and all(fields[f] == v for f, v in zip(flat[::2], flat[1::2]))


def test_decode_errors(pair_decoded):
    same(
        pair_decoded,
        lambda r: r.hset("h", b"f", b"\xff\xfe"),
        lambda r: r.hget("h", "f"),
        lambda r: r.hstrlen("h", "f"),
    )


# Field expiry (Redis 7.4): checked against the documented replies on kv alone.


def test_hexpire_family(r):
    r.hset("h", mapping={"a": 1, "b": 2, "c": 3})
    assert r.hexpire("h", 100, "a", "zz") == [1, -2]
    assert r.hexpire("missing", 100, "a") == [-2]
    ttl = r.httl("h", "a", "b", "zz")
    assert 99 <= ttl[0] <= 100 and ttl[1:] == [-1, -2]
    assert 99_000 <= r.hpttl("h", "a")[0] <= 100_000
    assert r.hexpire("h", 50, "a", nx=True) == [0]
    assert r.hexpire("h", 50, "a", xx=True) == [1]
    assert r.hexpire("h", 10, "a", gt=True) == [0]
    assert r.hexpire("h", 10, "a", lt=True) == [1]
    assert r.hexpire("h", datetime.timedelta(seconds=200), "b") == [1]
    assert 199 <= r.httl("h", "b")[0] <= 200
    assert r.hpexpire("h", datetime.timedelta(milliseconds=300_500), "b") == [1]
    assert 300_000 <= r.hpttl("h", "b")[0] <= 300_500
    assert r.hpexpire("h", 5000, "c", xx=True) == [0]
    now = int(time.time())
    assert r.hexpireat("h", now + 1000, "c") == [1]
    assert r.hexpiretime("h", "c", "zz") == [now + 1000, -2]
    assert r.hpexpiretime("h", "c") == [(now + 1000) * 1000]
    at = datetime.datetime.fromtimestamp(now + 2000)
    assert r.hexpireat("h", at, "c", gt=True) == [1]
    assert r.hexpiretime("h", "c") == [now + 2000]
    assert r.hpexpireat("h", (now + 3000) * 1000, "c") == [1]
    assert r.hpexpireat("h", datetime.datetime.fromtimestamp(now + 4000), "c") == [1]
    assert r.hpexpiretime("h", "c") == [(now + 4000) * 1000]
    assert r.hpersist("h", "a", "c", "zz") == [1, 1, -2]
    assert r.hpersist("h", "a") == [-1]
    assert r.httl("h", "a", "c") == [-1, -1]
    # a time in the past deletes the field
    assert r.hexpireat("h", 1, "a") == [2]
    assert r.hpexpire("h", 0, "b") == [2]
    assert r.hgetall("h") == {b"c": b"3"}
    assert r.hpexpire("h", 1, "c") == [1]
    time.sleep(0.05)
    assert r.hgetall("h") == {}
    # the emptied hash goes with the active expiry cycle
    deadline = time.monotonic() + 5
    while r.exists("h") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert r.exists("h") == 0


def test_hexpire_bad_arguments(r):
    r.hset("h", "a", 1)
    with pytest.raises(ValueError, match="Only one of 'nx', 'xx', 'gt', 'lt' can be specified."):
        r.hexpire("h", 10, "a", nx=True, xx=True)
    for fn in (r.hpexpire, r.hexpireat, r.hpexpireat):
        with pytest.raises(ValueError):
            fn("h", 10, "a", gt=True, lt=True)
    exc = type(pytest.raises(Exception, r.hexpire, "h", 10).value)
    assert exc.__name__ == "ResponseError"
    with pytest.raises(exc, match="WRONGTYPE"):
        r.set("s", "x")
        r.httl("s", "a")
    with pytest.raises(exc):
        r.hexpire("h", "soon", "a")
    with pytest.raises(exc):
        r.hexpire("h", -1, "a")


@pytest.mark.parametrize("transaction", [True, False])
def test_pipeline(p, transaction):
    def fn(r):
        pipe = r.pipeline(transaction=transaction)
        pipe.hset("h", mapping={"a": 1, "b": 2}).hget("h", "a").hgetall("h")
        pipe.hexists("h", "a").hincrbyfloat("h", "f", 1.5).hincrby("h", "a", 2)
        pipe.hmget("h", "a", "zz").hkeys("h").hvals("h").hlen("h").hstrlen("h", "b")
        pipe.hsetnx("h", "a", 0).hscan("h", match="a*").hdel("h", "a", "b")
        pipe.hrandfield("missing").set("s", "x").hget("s", "f").hincrby("h", "f")
        return pipe.execute(raise_on_error=False)

    same(p, fn)


def test_many_threads_one_hash(r):
    import threading

    def work(i):
        for _ in range(200):
            r.hincrby("h", "n", 1)
            r.hincrbyfloat("h", "f", 0.5)
        r.hset("h", f"t{i}", i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert r.hget("h", "n") == b"1600"
    assert r.hincrbyfloat("h", "f", 0) == 800.0
    assert r.hlen("h") == 10


def test_asyncio():
    import asyncio

    import kv
    import kv.asyncio

    async def main():
        async with kv.asyncio.Redis(store=kv.Store(), decode_responses=True) as r:
            assert await r.hset("h", mapping={"a": 1, "b": 2}) == 2
            assert await r.hgetall("h") == {"a": "1", "b": "2"}
            assert await r.hexists("h", "a") is True
            assert await r.hincrbyfloat("h", "a", 0.5) == 1.5
            assert sorted([x async for x in r.hscan_iter("h")]) == [("a", "1.5"), ("b", "2")]
            async with r.pipeline() as pipe:
                pipe.hget("h", "b").hgetall("missing").hlen("h")
                assert await pipe.execute() == ["2", {}, 2]

    asyncio.run(main())


def test_argument_types(p):
    same(
        p,
        lambda r: r.hset(1, 2, 3),
        lambda r: r.hget(1, 2),
        lambda r: r.hset(b"\x00k", memoryview(b"f"), bytearray(b"v")),
        lambda r: r.hgetall(b"\x00k"),
        lambda r: r.hset("h", 2**100, -(2**100)),
        lambda r: r.hget("h", str(2**100)),
        lambda r: r.hincrby("h", "n", 2**63),
        lambda r: r.hincrby("h", "n", -(2**63)),
        lambda r: r.hincrby("h", "n", -1),
        lambda r: r.hincrbyfloat("h", "f", 0.1),
        lambda r: r.hincrbyfloat("h", "f", 0.2),
        lambda r: r.hincrbyfloat("h", "g", 1e308),
        lambda r: r.hincrbyfloat("h", "g", 1e308),
        lambda r: r.hincrbyfloat("h", "e", "1e-5"),
        lambda r: r.hincrbyfloat("h", "e", " 1"),
        lambda r: r.hincrbyfloat("h", "e", "1 "),
        lambda r: r.hget("h", "f"),
        lambda r: r.hget("h", "e"),
        lambda r: r.hrandfield("h", 2**63),
        lambda r: r.hrandfield("h", -(2**63)),
        # (a cursor into a hash table, as 2**64 or -1, reaches seed-dependent buckets: not compared)
        lambda r: r.hget(None, "f"),
        lambda r: r.hget(["h"], "f"),
    )


test_signature = signature_test(kv.commands.HashCommands)


def test_resp3(p3):
    same(
        p3,
        lambda r: r.hset("h", mapping={"a": 1, "b": 2}),
        lambda r: r.hgetall("h"),
        lambda r: r.hgetall("missing"),
        lambda r: r.hexists("h", "a"),
        lambda r: r.hincrbyfloat("h", "f", 1.5),
        lambda r: r.hscan("h", match="a*"),
        lambda r: r.hmget("h", "a", "zz"),
        lambda r: r.hrandfield("h", -2, withvalues=True)[:0],
    )


def _hash_makers():
    keys = ["h1", "h2"]
    fields = ["a", "b", "c", "d", 1, 2]

    def k(g):
        return g.choice(keys)

    def v(g):
        return g.choice(["x", "", 0, 7, -3, "1.5", "abc", 2**40])

    return [
        lambda g: (lambda key, f, val: lambda r: r.hset(key, f, val))(k(g), g.choice(fields), v(g)),
        lambda g: (lambda key, m: lambda r: r.hset(key, mapping=m))(k(g), {f: v(g) for f in g.sample(fields, 2)}),
        lambda g: (lambda key, f, val: lambda r: r.hsetnx(key, f, val))(k(g), g.choice(fields), v(g)),
        lambda g: (lambda key, fs: lambda r: r.hdel(key, *fs))(k(g), g.sample(fields, 2)),
        lambda g: (lambda key, f, n: lambda r: r.hincrby(key, f, n))(k(g), g.choice(fields), g.randint(-5, 5)),
        lambda g: (lambda key, f, n: lambda r: r.hincrbyfloat(key, f, n))(
            k(g), g.choice(fields), g.choice([0.5, -1, "1e2", 3])
        ),
        lambda g: (lambda key, f: lambda r: (r.hget(key, f), r.hexists(key, f), r.hstrlen(key, f)))(
            k(g), g.choice(fields)
        ),
        lambda g: (lambda key, fs: lambda r: r.hmget(key, fs))(k(g), g.sample(fields, 3)),
        lambda g: (lambda key: lambda r: (r.hlen(key), r.hgetall(key), r.hkeys(key), r.hvals(key)))(k(g)),
        lambda g: (lambda key: lambda r: sorted(r.hscan_iter(key, count=2)))(k(g)),
    ]


@pytest.mark.parametrize("seed", range(6))
def test_random_sequences(pair, seed):
    same(pair, *random_steps(seed, 250, _hash_makers()))


def test_keyword_arguments(p):
    same(
        p,
        lambda r: r.hset(name="h", key="f", value="v"),
        lambda r: r.hset(name="h", mapping={"g": 1}, items=["i", 2]),
        lambda r: r.hget(name="h", key="f"),
        lambda r: r.hmget(name="h", keys=["f", "g"]),
        lambda r: r.hincrby(name="h", key="g", amount=2),
        lambda r: r.hdel("h", *["i"]),
        lambda r: r.hgetall(name="h"),
    )


def test_keyword_arguments_asyncio():
    import asyncio

    async def main():
        async with kv.asyncio.Redis(store=kv.Store()) as r:
            assert await r.hset(name="h", key="f", value="v") == 1
            assert await r.hget(name="h", key="f") == b"v"

    asyncio.run(main())
