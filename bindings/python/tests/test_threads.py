"""One kv.Redis (and one store) used from many threads at once."""

from __future__ import annotations

import threading
import time
from typing import Any, List

import kv


def _run(threads: List[threading.Thread]) -> None:
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
        assert not t.is_alive()


def test_shared_client_counts_exactly() -> None:
    r = kv.Redis(store=kv.Store())
    errors: List[BaseException] = []

    def work(i: int) -> None:
        try:
            for j in range(500):
                r.incr("counter")
                r.set(f"t{i}:{j}", j)
                assert r.get(f"t{i}:{j}") == str(j).encode()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    _run([threading.Thread(target=work, args=(i,)) for i in range(8)])
    assert not errors
    assert r.get("counter") == b"4000"
    assert r.dbsize() == 4001


def test_blocking_call_does_not_hold_other_threads() -> None:
    """A BLPOP waiting in one thread; other threads keep using the same client."""
    r = kv.Redis(store=kv.Store())
    result: List[Any] = []
    t = threading.Thread(target=lambda: result.append(r.blpop(["q"], timeout=5) if hasattr(r, "blpop")
                                                      else r.execute_command("BLPOP", "q", 5)))
    t.start()
    time.sleep(0.1)
    start = time.monotonic()
    for i in range(100):
        r.set("k", i)
    assert time.monotonic() - start < 2
    r.rpush("q", "job")
    t.join(5)
    assert result and list(result[0]) == [b"q", b"job"]


def test_client_unblock_from_another_thread() -> None:
    store = kv.Store()
    waiter = kv.Redis(store=store)
    other = kv.Redis(store=store)
    waiter_id = waiter.client_id()
    result: List[Any] = []
    t = threading.Thread(target=lambda: result.append(waiter.execute_command("BLPOP", "q", 0)))
    t.start()
    deadline = time.monotonic() + 5
    while not other.client_unblock(waiter_id) and time.monotonic() < deadline:
        time.sleep(0.01)
    t.join(5)
    assert result == [None]


def test_pipelines_and_transactions_from_threads() -> None:
    r = kv.Redis(store=kv.Store())
    errors: List[BaseException] = []

    def work() -> None:
        try:
            for _ in range(50):
                def incr(pipe: Any) -> None:
                    value = int(pipe.get("n") or 0)
                    pipe.multi()
                    pipe.set("n", value + 1)

                r.transaction(incr, "n")
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    _run([threading.Thread(target=work) for _ in range(6)])
    assert not errors
    assert r.get("n") == b"300"


def test_job_queue_across_threads() -> None:
    r = kv.Redis(store=kv.Store())
    done: List[int] = []
    lock = threading.Lock()

    def consumer() -> None:
        while True:
            item = r.execute_command("BLPOP", "jobs", 5)
            if item is None or item[1] == b"stop":
                return
            with lock:
                done.append(int(item[1]))

    consumers = [threading.Thread(target=consumer) for _ in range(4)]
    for t in consumers:
        t.start()
    for i in range(400):
        r.rpush("jobs", i)
    for _ in consumers:
        r.rpush("jobs", "stop")
    for t in consumers:
        t.join(30)
    assert sorted(done) == list(range(400))


def test_many_clients_on_one_store() -> None:
    store = kv.Store()
    errors: List[BaseException] = []

    def work(i: int) -> None:
        try:
            c = kv.Redis(store=store, db=i % 4)
            for j in range(200):
                c.set(f"k{j}", i % 4)
            for j in range(200):
                assert c.get(f"k{j}") == str(i % 4).encode()
            c.close()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    _run([threading.Thread(target=work, args=(i,)) for i in range(8)])
    assert not errors
