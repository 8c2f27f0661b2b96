"""List commands of kv.Redis against redis-py + redis-server."""

from __future__ import annotations

import threading
import time

import kv
import kv.asyncio
import kv.commands
import pytest
from _steps import random_steps, same, signature_test, wrongtype


def test_push_and_range(p):
    same(
        p,
        lambda r: r.lpush("l", "a"),
        lambda r: r.lpush("l", "b", "c"),
        lambda r: r.rpush("l", 1, 2.5, b"\x00"),
        lambda r: r.lrange("l", 0, -1),
        lambda r: r.lrange("l", 1, 2),
        lambda r: r.lrange("l", -2, -1),
        lambda r: r.lrange("l", 5, 10),
        lambda r: r.lrange("l", 3, 1),
        lambda r: r.lrange("l", -100, 100),
        lambda r: r.lrange("missing", 0, -1),
        lambda r: r.lrange("l", "x", 1),
        lambda r: r.lrange("l", 0, 2**64),
        lambda r: r.llen("l"),
        lambda r: r.llen("missing"),
        lambda r: r.lpush("l"),
        lambda r: r.rpush("l", None),
        lambda r: r.rpush("l", True),
        lambda r: r.lpush(wrongtype(r), "a"),
        lambda r: r.rpush("s", "a"),
        lambda r: r.lrange("s", 0, 1),
        lambda r: r.llen("s"),
    )


def test_pushx(p):
    same(
        p,
        lambda r: r.lpushx("l", "a"),
        lambda r: r.rpushx("l", "a"),
        lambda r: r.exists("l"),
        lambda r: r.rpush("l", "x"),
        lambda r: r.lpushx("l", "a", "b"),
        lambda r: r.rpushx("l", "c", "d"),
        lambda r: r.lrange("l", 0, -1),
        lambda r: r.lpushx("l"),
        lambda r: r.rpushx(wrongtype(r), "a"),
        lambda r: r.lpushx("s", "a"),
    )


def test_pops(p):
    same(
        p,
        lambda r: r.lpop("l"),
        lambda r: r.rpop("l"),
        lambda r: r.lpop("l", 2),
        lambda r: r.rpop("l", 0),
        lambda r: r.rpush("l", *range(10)),
        lambda r: r.lpop("l"),
        lambda r: r.rpop("l"),
        lambda r: r.lpop("l", 3),
        lambda r: r.rpop("l", 2),
        lambda r: r.lpop("l", 0),
        lambda r: r.rpop("l", 100),
        lambda r: r.exists("l"),
        lambda r: r.lpop("l", -1),
        lambda r: r.rpush("l", "a"),
        lambda r: r.lpop("l", -1),
        lambda r: r.lpop("l", "x"),
        lambda r: r.lpop(wrongtype(r)),
        lambda r: r.rpop("s", 2),
    )


def test_lindex_lset(p):
    same(
        p,
        lambda r: r.lindex("l", 0),
        lambda r: r.lset("l", 0, "x"),
        lambda r: r.rpush("l", "a", "b", "c"),
        lambda r: r.lindex("l", 0),
        lambda r: r.lindex("l", -1),
        lambda r: r.lindex("l", 3),
        lambda r: r.lindex("l", -4),
        lambda r: r.lindex("l", "x"),
        lambda r: r.lset("l", 1, "B"),
        lambda r: r.lset("l", -1, "C"),
        lambda r: r.lset("l", 3, "D"),
        lambda r: r.lset("l", "x", "D"),
        lambda r: r.lrange("l", 0, -1),
        lambda r: r.lindex(wrongtype(r), 0),
        lambda r: r.lset("s", 0, "v"),
    )


def test_linsert(p):
    same(
        p,
        lambda r: r.linsert("l", "before", "a", "x"),
        lambda r: r.rpush("l", "a", "b", "a"),
        lambda r: r.linsert("l", "BEFORE", "a", "x"),
        lambda r: r.linsert("l", "after", "a", "y"),
        lambda r: r.linsert("l", "after", "zz", "y"),
        lambda r: r.linsert("l", "middle", "a", "y"),
        lambda r: r.lrange("l", 0, -1),
        lambda r: r.linsert(wrongtype(r), "before", "a", "x"),
    )


def test_lrem_ltrim(p):
    same(
        p,
        lambda r: r.lrem("l", 0, "a"),
        lambda r: r.ltrim("l", 0, 1),
        lambda r: r.rpush("l", *"abacadaea"),
        lambda r: r.lrem("l", 2, "a"),
        lambda r: r.lrem("l", -1, "a"),
        lambda r: r.lrange("l", 0, -1),
        lambda r: r.lrem("l", 0, "a"),
        lambda r: r.lrem("l", "x", "a"),
        lambda r: r.lrange("l", 0, -1),
        lambda r: r.ltrim("l", 1, -2),
        lambda r: r.lrange("l", 0, -1),
        lambda r: r.ltrim("l", "a", 1),
        lambda r: r.ltrim("l", 5, 1),
        lambda r: r.exists("l"),
        lambda r: r.lrem(wrongtype(r), 0, "a"),
        lambda r: r.ltrim("s", 0, 1),
    )


def test_lpos(p):
    same(
        p,
        lambda r: r.lpos("l", "a"),
        lambda r: r.lpos("l", "a", count=0),
        lambda r: r.rpush("l", *"abcabcab"),
        lambda r: r.lpos("l", "a"),
        lambda r: r.lpos("l", "c"),
        lambda r: r.lpos("l", "z"),
        lambda r: r.lpos("l", "a", rank=2),
        lambda r: r.lpos("l", "a", rank=-1),
        lambda r: r.lpos("l", "a", rank=-2),
        lambda r: r.lpos("l", "a", count=0),
        lambda r: r.lpos("l", "a", count=2),
        lambda r: r.lpos("l", "z", count=2),
        lambda r: r.lpos("l", "a", rank=-1, count=2),
        lambda r: r.lpos("l", "b", maxlen=1),
        lambda r: r.lpos("l", "b", maxlen=2),
        lambda r: r.lpos("l", "a", count=0, maxlen=4),
        lambda r: r.lpos("l", "a", rank=0),
        lambda r: r.lpos("l", "a", count=-1),
        lambda r: r.lpos("l", "a", maxlen=-1),
        lambda r: r.lpos("l", "a", rank="x"),
        lambda r: r.lpos(wrongtype(r), "a"),
    )


def test_blocking_timeout_out_of_range(r):
    # Redis 7.2's message (7.0 overflowed into "timeout is negative")
    for timeout in (2**64, 1e20):
        with pytest.raises(kv.ResponseError, match="^timeout is out of range$"):
            r.blpop("l", timeout=timeout)
    with pytest.raises(kv.ResponseError, match="^timeout is out of range$"):
        r.bzpopmin("z", 2**64)


def test_lpos_rank_long_min(r):
    # Redis 7.2 refuses the one rank it cannot negate (7.0 took it)
    r.rpush("l", "a")
    with pytest.raises(
        kv.ResponseError, match="value is out of range, value must between -9223372036854775807 and 9223372036854775807"
    ):
        r.lpos("l", "a", rank=-(2**63))


def test_moves(p):
    same(
        p,
        lambda r: r.rpoplpush("a", "b"),
        lambda r: r.lmove("a", "b"),
        lambda r: r.rpush("a", 1, 2, 3, 4),
        lambda r: r.rpoplpush("a", "b"),
        lambda r: r.lmove("a", "b"),
        lambda r: r.lmove("a", "b", "RIGHT", "LEFT"),
        lambda r: r.lmove("a", "a", "LEFT", "RIGHT"),
        lambda r: r.lrange("a", 0, -1),
        lambda r: r.lrange("b", 0, -1),
        lambda r: r.lmove("a", "b", "UP", "LEFT"),
        lambda r: r.rpoplpush("a", wrongtype(r)),
        lambda r: r.lmove("s", "a"),
        lambda r: r.lmove("a", "s"),
        lambda r: r.lrange("a", 0, -1),
    )


def test_lmpop(p):
    same(
        p,
        lambda r: r.lmpop(2, "a", "b", direction="LEFT"),
        lambda r: r.rpush("b", *range(5)),
        lambda r: r.lmpop(2, "a", "b", direction="LEFT"),
        lambda r: r.lmpop(2, "a", "b", direction="RIGHT", count=2),
        lambda r: r.lmpop(1, "b", direction="left", count=10),
        lambda r: r.exists("b"),
        lambda r: r.lmpop(1, "b", direction="UP"),
        lambda r: r.lmpop(0, "b", direction="LEFT"),
        lambda r: r.lmpop(3, "a", "b", direction="LEFT"),
        lambda r: r.lmpop(1, "a", direction="LEFT", count=0),
        lambda r: r.lmpop(1, "a", direction="LEFT", count=None),
        lambda r: r.lmpop(1, wrongtype(r), direction="LEFT"),
    )


def test_blocking_immediate_and_errors(p):
    same(
        p,
        lambda r: r.rpush("a", 1, 2, 3),
        lambda r: r.blpop(["missing", "a"], timeout=1),
        lambda r: r.brpop("a", 1),
        lambda r: r.blpop("a", timeout=None),
        lambda r: r.rpush("a", 4, 5, 6),
        lambda r: r.brpoplpush("a", "b", 1),
        lambda r: r.brpoplpush("a", "b", None),
        lambda r: r.blmove("b", "a", 1, "LEFT", "LEFT"),
        lambda r: r.blmpop(1, 2, "missing", "a", direction="RIGHT", count=2),
        lambda r: r.blmpop(0.05, 1, "a", direction="LEFT"),
        lambda r: r.lrange("a", 0, -1),
        lambda r: r.lrange("b", 0, -1),
        lambda r: r.blpop("a", timeout=-1),
        lambda r: r.blpop("a", timeout="x"),
        lambda r: r.brpoplpush("a", "b", -1),
        lambda r: r.blmove("a", "b", 1, "UP", "LEFT"),
        lambda r: r.blmpop(1, 1, "a", direction="UP"),
        lambda r: r.blmpop(1, 1, "a", direction="LEFT", count=0),
        lambda r: r.blpop([wrongtype(r), "a"], 1),
        lambda r: r.brpop("s", 1),
        lambda r: r.brpoplpush("s", "a", 1),
        lambda r: r.blmove("s", "a", 1),
        lambda r: r.blmpop(1, 1, "s", direction="LEFT"),
    )


def test_blocking_timeouts(p):
    same(
        p,
        lambda r: r.blpop("missing", timeout=0.05),
        lambda r: r.brpop(["m1", "m2"], timeout=0.05),
        lambda r: r.brpoplpush("m1", "m2", 0.05),
        lambda r: r.blmove("m1", "m2", 0.05),
        lambda r: r.blmpop(0.05, 2, "m1", "m2", direction="LEFT"),
    )


def _later(fn, delay=0.1):
    t = threading.Thread(target=lambda: (time.sleep(delay), fn()))
    t.start()
    return t


def test_blpop_woken_by_another_thread(r):
    t = _later(lambda: r.rpush("q", "job1", "job2"))
    start = time.monotonic()
    assert r.blpop(["other", "q"], timeout=5) == (b"q", b"job1")
    assert time.monotonic() - start < 4
    t.join()
    assert r.lrange("q", 0, -1) == [b"job2"]


@pytest.mark.parametrize(
    "call, push, expect",
    [
        (lambda r: r.brpop("q", 0), lambda r: r.lpush("q", "x"), (b"q", b"x")),
        (lambda r: r.brpoplpush("q", "d", 5), lambda r: r.lpush("q", "x"), b"x"),
        (lambda r: r.blmove("q", "d", 5, "RIGHT", "LEFT"), lambda r: r.lpush("q", "x"), b"x"),
        (
            lambda r: r.blmpop(5, 2, "z", "q", direction="LEFT", count=5),
            lambda r: r.rpush("q", "x", "y"),
            [b"q", [b"x", b"y"]],
        ),
    ],
)
def test_blocking_woken(r, call, push, expect):
    t = _later(lambda: push(r))
    assert call(r) == expect
    t.join()


def test_blpop_many_waiters(r):
    """Each pushed element wakes exactly one of several blocked threads."""
    got = []
    lock = threading.Lock()

    def waiter():
        v = r.blpop("q", timeout=5)
        with lock:
            got.append(v)

    threads = [threading.Thread(target=waiter) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    for i in range(4):
        r.rpush("q", i)
    for t in threads:
        t.join()
    assert sorted(got) == [(b"q", str(i).encode()) for i in range(4)]


def test_blpop_timeout_returns_none(r):
    start = time.monotonic()
    assert r.blpop("nothing", timeout=0.2) is None
    assert 0.15 <= time.monotonic() - start < 2
    assert r.brpoplpush("nothing", "d", 0.1) is None
    assert r.blmpop(0.1, 1, "nothing", direction="LEFT") is None


@pytest.mark.parametrize("transaction", [True, False])
def test_pipeline(p, transaction):
    def fn(r):
        pipe = r.pipeline(transaction=transaction)
        pipe.rpush("l", 1, 2, 3, 4).lpush("l", 0).lrange("l", 0, -1).llen("l")
        pipe.lpop("l").rpop("l", 2).lindex("l", 0).lset("l", 0, "x").ltrim("l", 0, 5)
        pipe.linsert("l", "after", "x", "y").lpos("l", "y").lrem("l", 0, "y")
        pipe.lmove("l", "m").rpoplpush("m", "l").lmpop(1, "l", direction="LEFT")
        # blocking commands: in a transaction they do not block; nothing to pop is None
        pipe.blpop("l", 0.01).brpop("empty", 0.01).brpoplpush("empty", "l", 0.01)
        pipe.blmpop(0.01, 1, "empty", direction="LEFT").set("s", "x").lpush("s", 1).lset("l", 99, "z")
        return pipe.execute(raise_on_error=False)

    same(p, fn)


def test_decode_errors(pair_decoded):
    same(
        pair_decoded,
        lambda r: r.rpush("l", b"ok", b"\xff"),
        lambda r: r.lrange("l", 0, -1),
        lambda r: r.lindex("l", 0),
        lambda r: r.rpop("l"),
        lambda r: r.lrange("l", 0, -1),
    )


def test_producers_and_consumers_across_threads(r):
    """Four producers RPUSH 250 jobs each; four consumers BLPOP until a
    sentinel: every job is consumed exactly once."""
    consumed = []
    lock = threading.Lock()

    def produce(p):
        for i in range(250):
            r.rpush("jobs", f"{p}:{i}")

    def consume():
        while True:
            _, job = r.blpop("jobs", timeout=10)
            if job == b"stop":
                return
            with lock:
                consumed.append(job)

    consumers = [threading.Thread(target=consume) for _ in range(4)]
    producers = [threading.Thread(target=produce, args=(p,)) for p in range(4)]
    for t in consumers + producers:
        t.start()
    for t in producers:
        t.join()
    r.rpush("jobs", *["stop"] * 4)
    for t in consumers:
        t.join()
    assert sorted(consumed) == sorted(f"{p}:{i}".encode() for p in range(4) for i in range(250))
    assert r.exists("jobs") == 0


def test_asyncio_blpop_leaves_the_loop_running():
    import asyncio

    import kv
    import kv.asyncio

    async def main():
        r = kv.asyncio.Redis(store=kv.Store())
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        async def push():
            await asyncio.sleep(0.2)
            await r.rpush("q", "x")

        tick = asyncio.create_task(ticker())
        pusher = asyncio.create_task(push())
        assert await r.blpop("q", timeout=5) == (b"q", b"x")
        assert await r.blpop("q", timeout=0.05) is None
        await pusher
        tick.cancel()
        assert ticks >= 5
        assert await r.lrange("q", 0, -1) == []
        await r.aclose()

    asyncio.run(main())


def test_argument_types(p):
    same(
        p,
        lambda r: r.rpush(1, 2, 3.5, 2**80, b"\xff", bytearray(b"ba"), memoryview(b"mv")),
        lambda r: r.lrange(1, 0, -1)[:4],
        lambda r: r.lrange(1, 0.5, 2),
        lambda r: r.lrange(1, 0, 2**63),
        lambda r: r.lrange(1, -(2**63), 0),
        lambda r: r.lindex(1, 2**63 - 1),
        lambda r: r.lindex(1, -(2**63)),
        lambda r: r.lindex(1, 2**63),
        lambda r: r.lset(1, 2**63, "x"),
        lambda r: r.ltrim(1, 2**62, -(2**62)),
        lambda r: r.lrem(1, 2**63, "x"),
        lambda r: r.lpop(1, 2**63),
        lambda r: r.rpop(1, 2**62),
        lambda r: r.lpos(1, "x", count=2**63),
        lambda r: r.lpos(1, "x", maxlen=2**62),
        lambda r: r.exists(1),
        lambda r: r.lpush(None, "x"),
    )


test_signature = signature_test(kv.commands.ListCommands)


def test_resp3(p3):
    same(
        p3,
        lambda r: r.rpush("l", 1, 2, 3),
        lambda r: r.blpop("l", 1),
        lambda r: r.brpop(["x", "l"], 1),
        lambda r: r.blpop("x", 0.05),
        lambda r: r.lset("l", 0, "v"),
        lambda r: r.ltrim("l", 0, 0),
        lambda r: r.lrange("l", 0, -1),
        lambda r: r.lmpop(1, "l", direction="LEFT", count=3),
    )


def _list_makers():
    keys = ["l1", "l2", "l3"]
    vals = ["a", "b", "c", 1, 2]

    def k(g):
        return g.choice(keys)

    def i(g):
        return g.randint(-6, 6)

    return [
        lambda g: (lambda key, vs: lambda r: r.rpush(key, *vs))(k(g), g.choices(vals, k=g.randint(1, 4))),
        lambda g: (lambda key, vs: lambda r: r.lpush(key, *vs))(k(g), g.choices(vals, k=g.randint(1, 4))),
        lambda g: (lambda key, v: lambda r: r.lpushx(key, v))(k(g), g.choice(vals)),
        lambda g: (lambda key, v: lambda r: r.rpushx(key, v))(k(g), g.choice(vals)),
        lambda g: (lambda key, c: lambda r: r.lpop(key, c))(k(g), g.choice([None, 0, 1, 3])),
        lambda g: (lambda key, c: lambda r: r.rpop(key, c))(k(g), g.choice([None, 2])),
        lambda g: (lambda key, a, b: lambda r: r.lrange(key, a, b))(k(g), i(g), i(g)),
        lambda g: (lambda key, a: lambda r: r.lindex(key, a))(k(g), i(g)),
        lambda g: (lambda key, a, v: lambda r: r.lset(key, a, v))(k(g), i(g), g.choice(vals)),
        lambda g: (lambda key, a, b: lambda r: r.ltrim(key, a, b))(k(g), i(g), i(g)),
        lambda g: (lambda key, c, v: lambda r: r.lrem(key, c, v))(k(g), g.randint(-2, 2), g.choice(vals)),
        lambda g: (lambda key, w, p, v: lambda r: r.linsert(key, w, p, v))(
            k(g), g.choice(["before", "AFTER"]), g.choice(vals), g.choice(vals)
        ),
        lambda g: (lambda key, v, rk, c, m: lambda r: r.lpos(key, v, rank=rk, count=c, maxlen=m))(
            k(g), g.choice(vals), g.choice([None, 1, -1, 2, -2]), g.choice([None, 0, 1, 2]), g.choice([None, 0, 3])
        ),
        lambda g: (lambda a, b, s, d: lambda r: r.lmove(a, b, s, d))(
            k(g), k(g), g.choice(["LEFT", "RIGHT"]), g.choice(["LEFT", "RIGHT"])
        ),
        lambda g: (lambda a, b: lambda r: r.rpoplpush(a, b))(k(g), k(g)),
        lambda g: (lambda ks, d, c: lambda r: r.lmpop(len(ks), *ks, direction=d, count=c))(
            g.sample(keys, 2), g.choice(["LEFT", "RIGHT"]), g.choice([1, 2, 5])
        ),
        lambda g: (lambda ks: lambda r: r.blpop(ks, timeout=0.01))(g.sample(keys, 2)),
        lambda g: (lambda key: lambda r: (r.llen(key), r.lrange(key, 0, -1)))(k(g)),
    ]


@pytest.mark.parametrize("seed", range(6))
def test_random_sequences(pair, seed):
    same(pair, *random_steps(seed, 250, _list_makers()))


def test_blpop_waits_in_its_own_database():
    store = kv.Store()
    r3 = kv.Redis(store=store, db=3)
    r0 = kv.Redis(store=store)
    t = _later(lambda: (r0.rpush("q", "db0"), time.sleep(0.1), r3.rpush("q", "db3")))
    assert r3.blpop("q", timeout=5) == (b"q", b"db3")
    t.join()
    assert r0.lrange("q", 0, -1) == [b"db0"]


def test_keyword_arguments(p):
    same(
        p,
        lambda r: r.rpush("l", *[1, 2, 3]),
        lambda r: r.lpush("l", *["a"]),
        lambda r: r.lpop(name="l"),
        lambda r: r.rpop(name="l", count=1),
        lambda r: r.lrange(name="l", start=0, end=-1),
        lambda r: r.lpos(name="l", value="2", rank=1, count=1, maxlen=0),
        lambda r: r.blpop(keys=["l"], timeout=1),
        lambda r: r.lmpop(1, "l", direction="RIGHT", count=1),
    )


def test_keyword_arguments_asyncio():
    import asyncio

    async def main():
        async with kv.asyncio.Redis(store=kv.Store()) as r:
            assert await r.rpush("l", *[1, 2]) == 2
            assert await r.lpush("l", *[0]) == 3
            assert await r.lpop(name="l") == b"0"
            assert await r.rpop(name="l", count=1) == [b"2"]

    asyncio.run(main())
