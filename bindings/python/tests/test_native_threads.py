"""Many threads on one store; the GIL released while BLPOP waits; Ctrl-C
(KeyboardInterrupt) wakes a BLPOP on the main thread."""

from __future__ import annotations

import _thread
import os
import signal
import threading
import time
from typing import Any, Callable, List

import pytest

import kv


def blocked(store: kv.Store, n: int = 1, timeout: float = 5.0) -> None:
    """Waits until `n` calls are blocked on keys."""
    deadline = time.monotonic() + timeout
    needle = f"blocked_clients:{n}\r".encode()
    while needle not in store.execute("INFO", "clients"):
        assert time.monotonic() < deadline, "the call never blocked"
        time.sleep(0.002)


def in_thread(f: Callable[[], Any]) -> tuple:
    out: List[Any] = []

    def run() -> None:
        try:
            out.append(f())
        except BaseException as e:
            out.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


def test_eight_threads_incr_exact() -> None:
    with kv.Store() as store:
        shared = store.session()

        def work(i: int) -> None:
            own = store.session()
            for j in range(2000):
                own.incrby("typed")
                own.execute("INCR", "generic")
                shared.incrby("shared")
                store.execute("INCR", "store")
                if j % 100 == 0:
                    own.execute_many([("INCR", "piped"), ("INCRBY", "piped", 2)], transaction=i % 2 == 0)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert store.execute("MGET", "typed", "generic", "shared", "store", "piped") == [b"16000"] * 4 + [b"480"]


def test_blpop_releases_the_gil_and_lpush_wakes_it() -> None:
    with kv.Store() as store:
        consumer = store.session()
        t, out = in_thread(lambda: consumer.execute("BLPOP", "q", "0"))
        blocked(store)
        # This thread runs Python while the other one waits.
        assert store.session().lpush("q", "job") == 1
        t.join(5)
        assert out == [[b"q", b"job"]]


def test_blpop_on_main_thread_lets_other_threads_run() -> None:
    with kv.Store() as store:
        ticks = []
        stop = threading.Event()

        def ticker() -> None:
            while not stop.is_set():
                ticks.append(1)
                time.sleep(0.001)

        def producer() -> None:
            blocked(store)
            time.sleep(0.05)
            store.session().rpush("q", "a")

        threads = [threading.Thread(target=ticker), threading.Thread(target=producer)]
        for t in threads:
            t.start()
        try:
            assert store.session().execute("BLPOP", "q", "5") == [b"q", b"a"]
        finally:
            stop.set()
            for t in threads:
                t.join()
        assert len(ticks) > 10


def test_blpop_times_out_with_none() -> None:
    with kv.Store() as store:
        s = store.session()
        started = time.monotonic()
        assert s.execute("BLPOP", "q", "0.1") is None
        assert 0.09 < time.monotonic() - started < 2


@pytest.mark.parametrize("how", ["interrupt_main", "sigint"])
def test_ctrl_c_wakes_blpop(how: str) -> None:
    with kv.Store() as store:
        s = store.session()

        def fire() -> None:
            blocked(store)
            if how == "interrupt_main":
                _thread.interrupt_main()
            else:
                os.kill(os.getpid(), signal.SIGINT)

        t = threading.Thread(target=fire)
        t.start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            s.execute("BLPOP", "q", "0")
        woke = time.monotonic() - started
        t.join()
        assert woke < 5
        # Nothing is left blocked, and the session is usable.
        assert b"blocked_clients:0\r" in store.execute("INFO", "clients")
        s.rpush("q", "x")
        assert s.execute("BLPOP", "q", "0") == [b"q", b"x"]


def test_ctrl_c_latency_under_200ms() -> None:
    with kv.Store() as store:
        s = store.session()
        fired = []

        def fire() -> None:
            blocked(store)
            fired.append(time.monotonic())
            _thread.interrupt_main()

        t = threading.Thread(target=fire)
        t.start()
        with pytest.raises(KeyboardInterrupt):
            s.execute("BZPOPMIN", "z", "0")
        latency = time.monotonic() - fired[0]
        t.join()
        assert latency < 0.2, latency


def test_one_session_used_while_it_blocks() -> None:
    # A second thread's call on a session whose BLPOP waits runs on a spare
    # engine session (as redis-py's pool gives another connection), on the
    # same database.
    with kv.Store() as store:
        s = store.session(db=2)
        t, out = in_thread(lambda: s.execute("BLPOP", "q", "0"))
        blocked(store)
        assert s.set("k", "v") is True and s.get("k") == b"v"
        assert s.execute("LPUSH", "q", "x") == 1
        t.join(5)
        assert out == [[b"q", b"x"]]
        assert store.session(db=2).get("k") == b"v" and store.execute("GET", "k") is None
        assert s.db == 2


def test_pipeline_with_blocking_command() -> None:
    with kv.Store() as store:
        s = store.session()
        t, out = in_thread(lambda: s.execute_many([("BLPOP", "q", "0"), ("GET", "after")]))
        blocked(store)
        store.execute("RPUSH", "q", "v")
        t.join(5)
        assert out == [[[b"q", b"v"], None]]
        # Inside MULTI nothing blocks.
        assert s.execute_many([("BLPOP", "q", "0")], transaction=True) == [None]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_blocking_call_in_a_forked_child() -> None:
    # The parent's helper threads do not exist in a child process.
    with kv.Store() as store:
        s = store.session()
        s.rpush("q", "a", "b")
        assert s.execute("BLPOP", "q", "0") == [b"q", b"a"]
        pid = os.fork()
        if pid == 0:
            ok = s.execute("BLPOP", "q", "1") == [b"q", b"b"] and s.execute("BLPOP", "q", "0.05") is None
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def test_short_call_waiting_for_a_slow_one_releases_the_gil() -> None:
    # FLUSHALL of many keys runs with the GIL released, holding every shard;
    # a SET meanwhile waits for its shard, and must not hold the GIL while
    # it waits: another Python thread keeps running.
    store = kv.Store(shard_bits=0)
    s = store.session()
    ticks = [0]
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks[0] += 1
            time.sleep(0.0005)

    threading.Thread(target=ticker, daemon=True).start()
    waits = []
    try:
        for _ in range(5):
            s.execute_many([("SET", f"k{i}", "v") for i in range(300_000)])
            entering = threading.Event()

            def flush() -> None:
                other = store.session()
                entering.set()
                other.execute("FLUSHALL")

            t = threading.Thread(target=flush)
            t.start()
            entering.wait()
            time.sleep(0.005)
            before, started = ticks[0], time.perf_counter()
            assert s.set("x", "y") is True
            waited, ticked = time.perf_counter() - started, ticks[0] - before
            t.join()
            if waited > 0.015:
                waits.append((waited, ticked))
            if len(waits) >= 2:
                break
    finally:
        stop.set()
        store.close()
    if not waits:
        pytest.skip("the SET never had to wait for FLUSHALL")
    assert all(ticked >= 3 for _, ticked in waits), waits


def test_interrupt_wakes_a_blocked_call() -> None:
    with kv.Store() as store:
        s = store.session()
        assert s.interrupt() is False
        t, out = in_thread(lambda: s.execute("BLPOP", "q", "0"))
        blocked(store)
        assert s.interrupt() is True
        t.join(5)
        assert len(out) == 1 and type(out[0]) is kv.exceptions.ResponseError
        assert str(out[0]) == "UNBLOCKED client unblocked via CLIENT UNBLOCK"
        # A spare session's blocked call too (the primary is busy meanwhile).
        t1, out1 = in_thread(lambda: s.execute("BLPOP", "q", "0"))
        blocked(store)
        t2, out2 = in_thread(lambda: s.execute("BRPOP", "q2", "0"))
        blocked(store, 2)
        assert s.interrupt() is True
        t1.join(5)
        t2.join(5)
        assert all(isinstance(o[0], kv.exceptions.ResponseError) for o in (out1, out2)), (out1, out2)
        assert b"blocked_clients:0\r" in store.execute("INFO", "clients")


def test_closing_a_session_wakes_its_blocked_call() -> None:
    with kv.Store() as store:
        s = store.session()
        t, out = in_thread(lambda: s.execute("BLPOP", "q", "0"))
        blocked(store)
        s.close()
        t.join(5)
        assert len(out) == 1 and type(out[0]) is kv.exceptions.ConnectionError, out
        assert str(out[0]) == "Session is closed"
