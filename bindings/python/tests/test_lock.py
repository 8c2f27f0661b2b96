"""kv.lock.Lock: redis-py's Lock semantics, compared with redis-py's Lua-based
Lock on a real server, and its check-and-set steps proven under threads."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, List, Tuple

import pytest

import kv
from kv.exceptions import LockError, LockNotOwnedError

Case = Tuple[str, Callable[[Any], Any]]


def _err(fn: Callable[[], Any]) -> Any:
    """The exception's class name and message (kv's and redis-py's classes have the same names)."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001
        return (type(e).__name__, str(e), getattr(e, "message", None), getattr(e, "lock_name", None))


def _basic(c: Any) -> Any:
    lock = c.lock("L", timeout=100)
    out = [lock.locked(), lock.owned(), lock.acquire(blocking=False), lock.locked(), lock.owned(), c.ttl("L")]
    out += [lock.extend(50), 140 <= c.ttl("L") <= 150, lock.extend(10, replace_ttl=True), c.ttl("L")]
    out += [lock.reacquire(), c.ttl("L"), lock.release(), lock.locked(), lock.owned()]
    return out


def _second_acquire_fails(c: Any) -> Any:
    a = c.lock("L")
    b = c.lock("L")
    return [a.acquire(), b.acquire(blocking=False), b.acquire(blocking_timeout=0.05), a.release(), b.acquire(blocking=False)]


def _release_unowned(c: Any) -> Any:
    lock = c.lock("L")
    return _err(lock.release)


def _release_lost(c: Any) -> Any:
    lock = c.lock("L")
    lock.acquire()
    c.set("L", "someone else")
    return [_err(lock.release), c.get("L")]


def _release_expired(c: Any) -> Any:
    lock = c.lock("L", timeout=10)
    lock.acquire()
    c.delete("L")
    return _err(lock.release)


def _extend_errors(c: Any) -> Any:
    no_timeout = c.lock("L1")
    timed = c.lock("L2", timeout=10)
    out = [_err(lambda: no_timeout.extend(1)), _err(lambda: timed.extend(1)), _err(timed.reacquire)]
    no_timeout.acquire()
    out += [_err(lambda: no_timeout.extend(1)), _err(no_timeout.reacquire)]
    timed.acquire()
    c.set("L2", "other")
    out += [_err(lambda: timed.extend(1)), _err(timed.reacquire)]
    return out


def _extend_persisted(c: Any) -> Any:
    lock = c.lock("L", timeout=10)
    lock.acquire()
    c.persist("L")  # the key has no TTL any more: extend refuses (the Lua script returns 0)
    return [_err(lambda: lock.extend(5)), c.ttl("L")]


def _token(c: Any) -> Any:
    lock = c.lock("L")
    return [lock.acquire(token="mytoken"), c.get("L"), lock.owned(), lock.release()]


def _context_manager(c: Any) -> Any:
    with c.lock("L", timeout=10) as lock:
        inside = [lock.owned(), c.exists("L")]
    return inside + [c.exists("L")]


def _context_manager_not_acquired(c: Any) -> Any:
    c.set("L", "held")

    def enter() -> Any:
        with c.lock("L", blocking=False):
            return "entered"

    return _err(enter)


def _context_manager_lost(c: Any) -> Any:
    def run() -> Any:
        with c.lock("L", timeout=10):
            c.delete("L")
        return "exited"

    quiet = c.lock("Q", timeout=10, raise_on_release_error=False)

    def run_quiet() -> Any:
        with quiet:
            c.delete("Q")
        return "exited"

    return [_err(run), run_quiet()]


CASES: List[Case] = [
    ("basic", _basic),
    ("second-acquire-fails", _second_acquire_fails),
    ("release-unowned", _release_unowned),
    ("release-lost", _release_lost),
    ("release-expired", _release_expired),
    ("extend-errors", _extend_errors),
    ("extend-persisted", _extend_persisted),
    ("token", _token),
    ("context-manager", _context_manager),
    ("context-manager-not-acquired", _context_manager_not_acquired),
    ("context-manager-lost", _context_manager_lost),
]


@pytest.mark.parametrize("fn", [fn for _, fn in CASES], ids=[name for name, _ in CASES])
def test_same_as_redis_py_lock(pair: Any, assert_same: Any, fn: Callable[[Any], Any]) -> None:
    assert_same(pair, fn)


@pytest.mark.parametrize("fn", [fn for _, fn in CASES], ids=[name for name, _ in CASES])
def test_same_as_redis_py_lock_decoded(pair_decoded: Any, assert_same: Any, fn: Callable[[Any], Any]) -> None:
    assert_same(pair_decoded, fn)


def test_exceptions_are_redis_py_shaped(r: kv.Redis) -> None:
    lock = r.lock("L")
    with pytest.raises(LockError) as info:
        lock.release()
    assert isinstance(info.value, ValueError)
    assert info.value.lock_name == "L"
    lock.acquire()
    r.delete("L")
    with pytest.raises(LockNotOwnedError):
        lock.release()


def test_timeout_expires_the_lock(r: kv.Redis) -> None:
    lock = r.lock("L", timeout=0.05)
    assert lock.acquire()
    time.sleep(0.1)
    assert not lock.locked()
    other = r.lock("L")
    assert other.acquire(blocking=False)


def test_blocking_acquire_waits_for_release(r: kv.Redis) -> None:
    holder = r.lock("L", thread_local=False)
    holder.acquire()
    threading.Timer(0.1, holder.release).start()
    waiter = r.lock("L", sleep=0.01)
    start = time.monotonic()
    assert waiter.acquire(blocking_timeout=5)
    assert 0.05 < time.monotonic() - start < 4


def test_thread_local_token(r: kv.Redis) -> None:
    lock = r.lock("L")
    lock.acquire()
    result: List[Any] = []

    def other_thread() -> None:
        # The token lives in the acquiring thread's storage: here it is not
        # even set, so (as with redis-py) using the lock fails.
        try:
            lock.release()
        except (AttributeError, LockError) as e:
            result.append(type(e).__name__)

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    assert result == ["AttributeError"]
    assert lock.owned()
    lock.release()


def test_shared_token_without_thread_local(r: kv.Redis) -> None:
    lock = r.lock("L", thread_local=False)
    lock.acquire()
    t = threading.Thread(target=lock.release)
    t.start()
    t.join()
    assert not lock.locked()


def test_mutual_exclusion_under_threads(r: kv.Redis) -> None:
    """Read-modify-write under the lock from 8 threads loses no update."""
    r.set("counter", 0)
    errors: List[BaseException] = []

    def worker() -> None:
        client = r.client()
        try:
            for _ in range(25):
                with client.lock("L", sleep=0.001, timeout=10):
                    value = int(client.get("counter"))
                    time.sleep(0.0005)
                    client.set("counter", value + 1)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert r.get("counter") == b"200"


def test_release_never_deletes_another_owners_lock(r: kv.Redis) -> None:
    """A release racing with the key's change: the check-and-set either
    deletes our own token or refuses; it never deletes the new owner's lock.

    Many rounds: A holds the lock; B overwrites the key with its own token
    (as after A's expiry) concurrently with A's release."""
    lost = 0
    for i in range(200):
        a = r.lock("L", thread_local=False)
        a.acquire(token=f"a{i}")
        b_token = f"b{i}".encode()
        barrier = threading.Barrier(2)

        def steal() -> None:
            barrier.wait()
            r.client().set("L", b_token)

        t = threading.Thread(target=steal)
        t.start()
        barrier.wait()
        try:
            a.release()
        except LockNotOwnedError:
            lost += 1
        t.join()
        value = r.get("L")
        # Either A released first (then B set its token) or B's token was
        # there when A checked (A refused): B's token survives either way.
        assert value == b_token, (i, value)
        r.delete("L")
    assert 0 <= lost <= 200


def test_extend_races_with_release_of_new_owner(r: kv.Redis) -> None:
    """extend() checks the token and sets the TTL atomically: when another
    owner holds the key, its TTL is never touched."""
    for i in range(100):
        a = r.lock("L", timeout=100, thread_local=False)
        a.acquire(token=f"a{i}")

        def replace() -> None:
            r.client().set("L", "other")

        t = threading.Thread(target=replace)
        t.start()
        try:
            a.extend(1000)
        except LockNotOwnedError:
            pass
        t.join()
        if r.get("L") == b"other":
            # SET without options cleared the TTL; extend must not have set one after.
            assert r.ttl("L") == -1, i
        r.delete("L")
