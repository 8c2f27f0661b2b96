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
                if j % 100 == 0:
                    own.execute_many([("INCR", "piped"), ("INCRBY", "piped", 2)], transaction=i % 2 == 0)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert store.execute("MGET", "typed", "generic", "shared", "piped") == [b"16000", b"16000", b"16000", b"480"]


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
