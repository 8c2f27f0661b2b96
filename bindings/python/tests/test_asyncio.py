"""kv.asyncio: redis.asyncio's API; blocking commands never stall the event loop."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable, List

import pytest

import kv
import kv.asyncio
from kv.exceptions import LockNotOwnedError, ResponseError, WatchError

from conftest import compare_outcomes


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


def new_client(**kwargs: Any) -> kv.asyncio.Redis:
    return kv.asyncio.Redis(store=kv.Store(), **kwargs)


# -- the same calls through redis.asyncio on the test server ------------------------------------

AsyncCase = Callable[[Any], Awaitable[Any]]


async def _strings(c: Any) -> Any:
    return [await c.set("k", "v"), await c.get("k"), await c.incr("n"), await c.incrbyfloat("f", 1.5),
            await c.mget("k", "n", "none"), await c.set("k", "w", get=True), await c.mset({"a": 1}),
            await c.setnx("a", 2), await c.getrange("k", 0, 0), await c.exists("k", "a"), await c.delete("k")]


async def _keys(c: Any) -> Any:
    await c.mset({"a": 1, "b": 2})
    return [await c.expire("a", 100), await c.ttl("a"), await c.type("b"), await c.rename("b", "c"),
            sorted(await c.keys()), sorted([k async for k in c.scan_iter()]), await c.persist("a")]


async def _errors(c: Any) -> Any:
    out: List[Any] = []
    for coro_fn in (lambda: c.execute_command("GET"), lambda: c.incr("s"), lambda: c.get(None), lambda: c.select(99)):
        try:
            await c.set("s", "x")
            out.append(await coro_fn())
        except Exception as e:  # noqa: BLE001
            out.append((type(e).__name__, str(e)))
    return out


async def _pipeline(c: Any) -> Any:
    async with c.pipeline() as p:
        p.set("a", 1).incr("a").get("a")
        first = await p.execute()
    p = c.pipeline(transaction=False)
    p.set("b", 1)
    p.incr("x")
    p.execute_command("LPUSH", "b", 1)
    second = await p.execute(raise_on_error=False)
    second[-1] = (type(second[-1]).__name__, str(second[-1]))
    return [first, second]


async def _watch(c: Any) -> Any:
    await c.set("k", 1)
    async with c.pipeline() as p:
        await p.watch("k")
        v = await p.get("k")
        await c.set("k", 2)
        p.multi()
        p.set("k", 3)
        try:
            await p.execute()
        except Exception as e:  # noqa: BLE001
            return [v, type(e).__name__, str(e), await c.get("k")]
    return "no error"


async def _transaction(c: Any) -> Any:
    await c.set("n", 2)

    async def work(pipe: Any) -> Any:
        value = int(await pipe.get("n"))
        pipe.multi()
        pipe.set("n", value * 10)
        return value

    return [await c.transaction(work, "n"), await c.transaction(work, "n", value_from_callable=True), await c.get("n")]


async def _lock(c: Any) -> Any:
    lock = c.lock("L", timeout=100)
    out = [await lock.acquire(blocking=False), await lock.owned(), await lock.locked(), await lock.extend(10),
           await lock.reacquire(), await c.ttl("L")]
    await lock.release()
    async with c.lock("L", timeout=5) as held:
        out.append(await held.owned())
    lost = c.lock("M")
    await lost.acquire()
    await c.delete("M")
    try:
        await lost.release()
    except Exception as e:  # noqa: BLE001
        out.append((type(e).__name__, str(e)))
    return out + [await c.exists("L")]


async def _bitfield(c: Any) -> Any:
    return [await c.bitfield("bf").set("u8", 0, 200).incrby("u8", 0, 100, "SAT").execute(), await c.getbit("bf", 0)]


async def _scan_iters(c: Any) -> Any:
    await c.sadd("s", *range(30))
    await c.hset("h", mapping={f"f{i}": i for i in range(30)})
    await c.zadd("z", {f"m{i}": i for i in range(30)})
    return [sorted([m async for m in c.sscan_iter("s", match="1*", count=5)]),
            sorted([fv async for fv in c.hscan_iter("h", count=7)]),
            sorted([p async for p in c.zscan_iter("z", count=3, score_cast_func=int)])]


ASYNC_CASES = [_strings, _keys, _errors, _pipeline, _watch, _transaction, _lock, _bitfield, _scan_iters]


@pytest.mark.parametrize("decode", [False, True])
@pytest.mark.parametrize("fn", ASYNC_CASES, ids=[f.__name__.strip("_") for f in ASYNC_CASES])
def test_same_as_redis_asyncio(redis_server: int, fn: AsyncCase, decode: bool) -> None:
    import redis.asyncio

    async def both() -> Any:
        ours = new_client(decode_responses=decode)
        theirs = redis.asyncio.Redis(port=redis_server, decode_responses=decode)
        await theirs.flushall()
        try:
            a_ok, a = await _capture(fn, ours)
            b_ok, b = await _capture(fn, theirs)
        finally:
            await theirs.aclose()
            await ours.aclose()
        return (a_ok, a), (b_ok, b)

    (a_ok, a), (b_ok, b) = run(both())
    compare_outcomes(a_ok, a, b_ok, b)


async def _capture(fn: AsyncCase, c: Any) -> Any:
    try:
        return True, await fn(c)
    except Exception as e:  # noqa: BLE001
        return False, e


# -- kv only --------------------------------------------------------------------------------------


def test_methods_are_awaitable_and_typed() -> None:
    async def main() -> None:
        async with new_client() as r:
            assert await r.ping() is True
            assert await r.set("k", "v") is True
            assert await r.get("k") == b"v"
            assert await r.lpush("l", 1, 2) == 2
            assert await r.sadd("s", "a") == 1
            assert await r.delete("k") == 1
            assert await r.exists("k") == 0
            pending = r.get("x")
            assert isinstance(pending, Awaitable)
            assert await pending is None

    run(main())


def test_hscan_iter_no_values() -> None:
    # NOVALUES is newer than the reference redis-server: compared with the sync client.
    async def main() -> None:
        r = new_client(decode_responses=True)
        await r.hset("h", mapping={f"f{i}": i for i in range(30)})
        fields = sorted([f async for f in r.hscan_iter("h", match="f2*", count=4, no_values=True)])
        assert fields == sorted(kv.Redis(store=r.store, decode_responses=True).hscan_iter("h", match="f2*", no_values=True))
        assert fields == ["f2"] + [f"f2{i}" for i in range(10)]
        await r.aclose()

    run(main())


def test_decode_responses() -> None:
    async def main() -> None:
        r = new_client(decode_responses=True)
        await r.set("k", "é")
        assert await r.get("k") == "é"
        assert await r.keys() == ["k"]
        await r.aclose()

    run(main())


def test_blpop_does_not_block_the_loop() -> None:
    async def main() -> None:
        r = new_client()
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        t = asyncio.create_task(ticker())
        start = time.monotonic()
        result = await r.execute_command("BLPOP", "q", 0.5)
        elapsed = time.monotonic() - start
        t.cancel()
        assert result is None
        assert elapsed >= 0.4
        assert ticks >= 10, ticks  # the loop ran while BLPOP waited
        await r.aclose()

    run(main())


def test_blpop_woken_by_push_from_another_task() -> None:
    async def main() -> None:
        r = new_client()

        async def push_later() -> None:
            await asyncio.sleep(0.05)
            await r.rpush("q", "job")

        pusher = asyncio.create_task(push_later())
        got = await asyncio.wait_for(r.execute_command("BLPOP", "q", 5), 5)
        await pusher
        assert list(got) == [b"q", b"job"]
        await r.aclose()

    run(main())


def test_cancelled_blpop_is_unblocked() -> None:
    async def main() -> None:
        r = new_client()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(r.execute_command("BLPOP", "q", 0), 0.1)
        # The cancelled BLPOP's session comes back: it no longer waits on "q".
        deadline = time.monotonic() + 5
        while not r._client._spare_sessions and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert r._client._spare_sessions
        await r.rpush("q", "kept")
        assert await r.execute_command("LRANGE", "q", 0, -1) == [b"kept"]
        await r.aclose()

    run(main())


def test_many_concurrent_blocking_pops() -> None:
    async def main() -> None:
        r = new_client()
        waiters = [asyncio.create_task(r.execute_command("BLPOP", "q", 5)) for _ in range(20)]
        await asyncio.sleep(0.05)
        for i in range(20):
            await r.rpush("q", i)
        results = await asyncio.gather(*waiters)
        assert sorted(int(v[1]) for v in results) == list(range(20))
        await r.aclose()

    run(main())


def test_errors_raise_kv_exceptions() -> None:
    async def main() -> None:
        r = new_client()
        await r.rpush("l", 1)
        with pytest.raises(ResponseError, match="WRONGTYPE"):
            await r.get("l")
        p = r.pipeline()
        await p.watch("w")
        await r.set("w", 1)
        p.multi()
        p.set("w", 2)
        with pytest.raises(WatchError):
            await p.execute()
        lock = r.lock("L")
        await lock.acquire()
        await r.delete("L")
        with pytest.raises(LockNotOwnedError):
            await lock.release()
        await r.aclose()

    run(main())


def test_from_url_and_shared_default_store() -> None:
    async def main() -> None:
        a = kv.asyncio.Redis.from_url("kv://?db=3")
        b = kv.asyncio.from_url("kv://", db=3, decode_responses=True)
        await a.set("shared", "yes")
        assert await b.get("shared") == "yes"
        assert a.db == 3
        await a.delete("shared")
        await a.aclose()
        await b.aclose()

    run(main())


def test_dict_style_access_refused() -> None:
    r = new_client()
    with pytest.raises(TypeError):
        r["k"]
    with pytest.raises(TypeError):
        r["k"] = 1


def test_pipeline_awaitable_and_chained() -> None:
    async def main() -> None:
        r = new_client()
        p = r.pipeline()
        assert await p is p
        assert p.set("a", 1) is p
        assert await p.execute() == [True]
        await r.aclose()

    run(main())


def test_save_runs_off_the_loop(tmp_path: Any) -> None:
    async def main() -> None:
        r = kv.asyncio.Redis(store=kv.Store(str(tmp_path)))
        await r.mset({f"k{i}": i for i in range(1000)})
        assert await r.save() is True
        await r.aclose()

    run(main())


def test_fast_methods_keep_redis_py_behaviour() -> None:
    async def main() -> None:
        r = new_client()
        await r.set("k", "12")
        assert await r.get(name="k") == b"12"  # keywords go through the command method
        r.set_response_callback("GET", lambda v, **kw: int(v))
        assert await r.get("k") == 12
        await r.aclose()

    run(main())
