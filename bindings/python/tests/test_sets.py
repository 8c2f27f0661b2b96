"""Set commands of kv.Redis against redis-py + redis-server."""

from __future__ import annotations

import kv
import kv.asyncio
import kv.commands
import pytest
from _steps import assert_random_picks, random_steps, same, signature_test, wrongtype


def test_sadd_srem_scard_smembers(p):
    same(
        p,
        lambda r: r.smembers("missing"),
        lambda r: r.scard("missing"),
        lambda r: r.srem("missing", "a"),
        lambda r: r.sadd("x", "a", "b", "a"),
        lambda r: r.sadd("x", 1, 2.5, b"\x00"),
        lambda r: r.smembers("x"),
        lambda r: r.scard("x"),
        lambda r: r.srem("x", "a", "zz", "a"),
        lambda r: r.srem("x", "b", 1, 2.5, b"\x00"),
        lambda r: r.exists("x"),
        lambda r: r.sadd("x"),
        lambda r: r.srem("x"),
        lambda r: r.sadd("x", None),
        lambda r: r.sadd("x", False),
        lambda r: r.sadd(wrongtype(r), "a"),
        lambda r: r.srem("s", "a"),
        lambda r: r.scard("s"),
        lambda r: r.smembers("s"),
    )


def test_intset_and_large_sets(p):
    # integer members (intset encoding) and a set past the listpack limits
    same(
        p,
        lambda r: r.sadd("i", *range(100)),
        lambda r: r.sadd("big", *[f"m{i}" for i in range(300)]),
        lambda r: r.smembers("i"),
        lambda r: r.scard("big"),
        lambda r: r.sinter("i", "big"),
        lambda r: len(r.sunion("i", "big")),
    )


def test_sismember_smismember(p):
    same(
        p,
        lambda r: r.sismember("x", "a"),
        lambda r: r.smismember("x", ["a", "b"]),
        lambda r: r.sadd("x", "a", "c"),
        lambda r: r.sismember("x", "a"),
        lambda r: r.sismember("x", "b"),
        lambda r: r.smismember("x", ["a", "b", "c"]),
        lambda r: r.smismember("x", "a", "b"),
        lambda r: r.smismember("x", ("c",)),
        lambda r: r.smismember("x", []),
        lambda r: r.sismember(wrongtype(r), "a"),
        lambda r: r.smismember("s", ["a"]),
    )


def _three(r):
    r.sadd("a", 1, 2, 3, 4)
    r.sadd("b", 3, 4, 5)
    r.sadd("c", 4, 6)
    return True


def test_algebra(p):
    same(
        p,
        _three,
        lambda r: r.sdiff("a", "b"),
        lambda r: r.sdiff(["a", "b", "c"]),
        lambda r: r.sdiff(["a"], "c"),
        lambda r: r.sdiff("missing", "a"),
        lambda r: r.sdiff("a", "missing"),
        lambda r: r.sinter("a", "b"),
        lambda r: r.sinter(["a", "b", "c"]),
        lambda r: r.sinter("a", "missing"),
        lambda r: r.sunion("a", "b"),
        lambda r: r.sunion(["a", "b", "c", "missing"]),
        lambda r: r.sunion("missing"),
        lambda r: r.sdiff([]),
        lambda r: r.sinter(["a", wrongtype(r)]),
        lambda r: r.sunion("s"),
        lambda r: r.sdiff("a", "s"),
    )


def test_store_algebra(p):
    same(
        p,
        _three,
        lambda r: r.sdiffstore("d", ["a", "b"]),
        lambda r: r.smembers("d"),
        lambda r: r.sinterstore("d", ["a", "b"], "c"),
        lambda r: r.smembers("d"),
        lambda r: r.sunionstore("d", "a", "b"),
        lambda r: r.smembers("d"),
        lambda r: r.sinterstore("d", ["a", "missing"]),
        lambda r: r.exists("d"),
        lambda r: r.sunionstore("a", ["a", "c"]),
        lambda r: r.smembers("a"),
        lambda r: r.sdiffstore("d", ["missing"]),
        lambda r: r.sunionstore("d", []),
        lambda r: r.sdiffstore(wrongtype(r), ["a"]),
        lambda r: r.get("s"),
        lambda r: r.sunionstore("d", ["a", "s"]),
        lambda r: r.sinterstore("d", "s"),
    )


def test_sintercard(p):
    same(
        p,
        _three,
        lambda r: r.sintercard(2, ["a", "b"]),
        lambda r: r.sintercard(3, ["a", "b", "c"]),
        lambda r: r.sintercard(2, ["a", "b"], limit=1),
        lambda r: r.sintercard(1, ["a"], limit=0),
        lambda r: r.sintercard(2, ["a", "missing"]),
        lambda r: r.sintercard(3, ["a", "b"]),
        lambda r: r.sintercard(0, []),
        lambda r: r.sintercard(1, ["a"], limit=-1),
        lambda r: r.sintercard(1, ["a", "b"]),
        lambda r: r.sintercard(2, ["a", wrongtype(r)]),
    )


def test_smove(p):
    same(
        p,
        lambda r: r.smove("a", "b", "x"),
        lambda r: r.sadd("a", "x", "y"),
        lambda r: r.smove("a", "b", "x"),
        lambda r: r.smove("a", "b", "x"),
        lambda r: r.smove("a", "a", "y"),
        lambda r: r.smove("a", "b", "y"),
        lambda r: r.exists("a"),
        lambda r: r.smembers("b"),
        lambda r: r.smove("b", wrongtype(r), "x"),
        lambda r: r.smove("s", "b", "x"),
        lambda r: r.smembers("b"),
    )


def test_spop_srandmember_deterministic(p):
    same(
        p,
        lambda r: r.spop("missing"),
        lambda r: r.spop("missing", 2),
        lambda r: r.srandmember("missing"),
        lambda r: r.srandmember("missing", 3),
        lambda r: r.sadd("x", "only"),
        lambda r: r.srandmember("x"),
        lambda r: r.srandmember("x", 5),
        lambda r: r.srandmember("x", -3),
        lambda r: r.srandmember("x", 0),
        lambda r: r.spop("x", 0),
        lambda r: r.spop("x", -1),
        lambda r: r.srandmember("x", "a"),
        lambda r: r.spop("x"),
        lambda r: r.exists("x"),
        lambda r: r.sadd("y", "a", "b"),
        lambda r: sorted(r.spop("y", 10)),
        lambda r: r.exists("y"),
        lambda r: r.spop(wrongtype(r)),
        lambda r: r.srandmember("s"),
    )


def test_spop_srandmember_random(rd):
    r = rd
    members = {f"m{i}" for i in range(40)} | {str(i) for i in range(10)}
    r.sadd("x", *members)
    assert_random_picks(lambda *count: r.srandmember("x", *count), members, 15, 100, 1000)
    one = r.spop("x")
    assert one in members and r.sismember("x", one) == 0
    some = r.spop("x", 20)
    assert len(some) == 20 and len(set(some)) == 20 and one not in some
    assert r.scard("x") == len(members) - 21
    rest = r.spop("x", 100)
    assert set(rest) | set(some) | {one} == members
    assert r.exists("x") == 0
    # an intset
    r.sadd("i", *range(5))
    assert r.spop("i") in {"0", "1", "2", "3", "4"}


def test_sscan(p):
    same(
        p,
        lambda r: r.sscan("missing"),
        lambda r: r.sadd("x", *[f"m{i}" for i in range(20)]),
        # (Redis 7.2 keeps a small set in a listpack and scans it in one call,
        # 7.0 in a hash table: only what the iterations add up to is compared)
        lambda r: r.sscan("x", 0, match="nomatch", count=1000),
        lambda r: sorted(r.sscan_iter("x", match="m?")),
        lambda r: sorted(r.sscan_iter("x", count=3)),
        lambda r: r.sscan("x", cursor="x"),
        lambda r: r.sscan("x", count=0),
        lambda r: r.sscan(wrongtype(r)),
    )


def test_sscan_small_set_in_one_call(r):
    # as Redis 7.2: a listpack set comes whole, whatever the cursor
    r.sadd("x", *[f"m{i}" for i in range(20)])
    assert r.sscan("x", 2**64 - 1)[0] == 0 and len(r.sscan("x", 12345)[1]) == 20
    cursor, members = r.sscan("x")
    assert cursor == 0 and sorted(members) == sorted(f"m{i}".encode() for i in range(20))
    assert sorted(r.sscan("x", match="m1*")[1]) == sorted(f"m1{i}".encode() for i in ["", *range(10)])


def test_sscan_large(p):
    same(
        p,
        lambda r: r.sadd("x", *[f"m{i}" for i in range(1000)]),
        lambda r: r.sadd("i", *range(1000)),
        lambda r: sorted(r.sscan_iter("x", count=17)),
        lambda r: sorted(r.sscan_iter("x", match="m9*")),
        lambda r: sorted(r.sscan_iter("i", count=100)),
        lambda r: r.sscan("x", 0, count=10)[0] != 0,
    )


@pytest.mark.parametrize("transaction", [True, False])
def test_pipeline(p, transaction):
    def fn(r):
        pipe = r.pipeline(transaction=transaction)
        pipe.sadd("a", 1, 2, 3).sadd("b", 2, 3, 4).smembers("a").scard("a")
        pipe.sismember("a", 1).smismember("a", [1, 9]).sinter("a", "b").sunion("a", "b")
        pipe.sdiff("a", "b").sinterstore("c", ["a", "b"]).sintercard(2, ["a", "b"])
        pipe.smove("a", "b", 1).srem("b", 1).spop("missing").srandmember("missing", 2)
        pipe.sscan("c").set("s", "x").sadd("s", 1).smembers("c")
        return pipe.execute(raise_on_error=False)

    same(p, fn)


def test_decode_errors(pair_decoded):
    same(
        pair_decoded,
        lambda r: r.sadd("x", b"\xff"),
        lambda r: r.smembers("x"),
        lambda r: r.spop("x"),
        lambda r: r.smembers("x"),
    )


def test_many_threads_one_set(r):
    import threading

    def work(i):
        for j in range(100):
            r.sadd("x", f"{i}:{j}", "shared")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert r.scard("x") == 801


def test_asyncio():
    import asyncio

    import kv
    import kv.asyncio

    async def main():
        async with kv.asyncio.Redis(store=kv.Store()) as r:
            assert await r.sadd("x", *range(50)) == 50
            assert await r.smembers("x") == {str(i).encode() for i in range(50)}
            assert await r.smove("x", "y", 1) is True
            assert sorted([m async for m in r.sscan_iter("x", count=7)]) == sorted(
                str(i).encode() for i in range(50) if i != 1
            )

    asyncio.run(main())


def test_argument_types(p):
    same(
        p,
        lambda r: r.sadd(1, 2, 2.0, 2.5, 2**80, bytearray(b"b"), memoryview(b"m")),
        lambda r: r.smembers(1),
        lambda r: r.sismember(1, 2.0),
        lambda r: r.sismember(1, 2**80),
        lambda r: r.smismember(1, [2, "2", 2.5, b"m"]),
        lambda r: r.spop(1, 2**63),
        lambda r: r.sadd("x", "a"),
        lambda r: r.srandmember("x", -(2**63)),
        lambda r: r.srandmember("x", 2**63),
        lambda r: r.srandmember("x", 2**62),
        lambda r: r.srandmember("x", -5),
        lambda r: r.sintercard(2**63, ["x"]),
        lambda r: r.sintercard(1, ["x"], limit=2**63),
        lambda r: r.sadd(None, "x"),
    )


test_signature = signature_test(kv.commands.SetCommands)


def test_resp3(p3):  # the set callbacks are the same for RESP2 and RESP3
    same(
        p3,
        lambda r: r.sadd("a", 1, 2),
        lambda r: r.sadd("b", 2, 3),
        lambda r: r.smembers("a"),
        lambda r: r.sunion("a", "b"),
        lambda r: r.sinter("a", "b"),
        lambda r: r.sdiff("a", "b"),
        lambda r: r.smove("a", "b", 1),
        lambda r: r.smismember("a", [1, 2]),
        lambda r: sorted(r.sscan("b")[1]),
    )


def _set_makers():
    keys = ["s1", "s2", "s3"]
    # ints keep intsets around until a string member converts them
    members = [1, 2, 3, 10, "a", "b", "c"]

    def k(g):
        return g.choice(keys)

    return [
        lambda g: (lambda key, ms: lambda r: r.sadd(key, *ms))(k(g), g.choices(members, k=g.randint(1, 3))),
        lambda g: (lambda key, ms: lambda r: r.sadd(key, *ms))(k(g), g.choices(members[:4], k=2)),
        lambda g: (lambda key, ms: lambda r: r.srem(key, *ms))(k(g), g.sample(members, 2)),
        lambda g: (lambda key, m: lambda r: (r.sismember(key, m), r.smismember(key, [m, "zz"])))(
            k(g), g.choice(members)
        ),
        lambda g: (lambda a, b, m: lambda r: r.smove(a, b, m))(k(g), k(g), g.choice(members)),
        lambda g: (lambda ks: lambda r: r.sinter(ks))(g.sample(keys, 2)),
        lambda g: (lambda ks: lambda r: r.sunion(ks))(g.sample(keys, 2)),
        lambda g: (lambda ks: lambda r: r.sdiff(ks))(g.sample(keys, g.randint(1, 3))),
        lambda g: (lambda d, ks: lambda r: r.sinterstore(d, ks))(k(g), g.sample(keys, 2)),
        lambda g: (lambda d, ks: lambda r: r.sunionstore(d, ks))(k(g), g.sample(keys, 2)),
        lambda g: (lambda d, ks: lambda r: r.sdiffstore(d, ks))(k(g), g.sample(keys, 2)),
        lambda g: (lambda ks, lim: lambda r: r.sintercard(len(ks), ks, limit=lim))(
            g.sample(keys, 2), g.choice([0, 1, 2])
        ),
        lambda g: (lambda key: lambda r: (r.scard(key), r.smembers(key), sorted(r.sscan_iter(key))))(k(g)),
        # a whole-set pop is deterministic
        lambda g: (lambda key: lambda r: sorted(r.spop(key, 100)) if r.scard(key) < 3 else None)(k(g)),
    ]


@pytest.mark.parametrize("seed", range(6))
def test_random_sequences(pair, seed):
    same(pair, *random_steps(seed, 250, _set_makers()))


def test_keyword_arguments(p):
    same(
        p,
        lambda r: r.sadd("x", *[1, 2]),
        lambda r: r.sismember(name="x", value=1),
        lambda r: r.smismember(name="x", values=[1, 3]),
        lambda r: r.srem("x", *[2]),
        lambda r: r.scard(name="x"),
        lambda r: r.sinter(keys=["x"]),
    )


def test_keyword_arguments_asyncio():
    import asyncio

    async def main():
        async with kv.asyncio.Redis(store=kv.Store()) as r:
            assert await r.sadd("x", *[1, 2]) == 2
            assert await r.sismember(name="x", value=1) == 1

    asyncio.run(main())
