"""Shared fixtures.

Differential testing: ``pair`` gives ``(kv client, redis-py client)``, the
redis-py one talking to a real redis-server started for the test session on a
free loopback port. ``assert_same(pair, fn)`` runs ``fn`` on both clients and
requires the same result, or the same exception class name and message.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import time
from typing import Any, Callable, Iterator, Optional, Tuple

import pytest

import kv

REDIS_SERVER = os.environ.get("REDIS_SERVER", shutil.which("redis-server") or "/usr/bin/redis-server")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serves(client: Any, proc: "subprocess.Popen[bytes]") -> bool:
    """Whether `proc` comes up and answers on the client's port (not
    another server that took the port first)."""
    import redis

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            return bool(client.info("server")["process_id"] == proc.pid)
        except redis.ConnectionError:
            time.sleep(0.02)
    return False


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A redis-server on a free loopback port for the whole session; yields the port."""
    import redis

    if not os.path.exists(REDIS_SERVER):
        pytest.fail(f"{REDIS_SERVER} not found: `make test` installs redis-server")
    workdir = tmp_path_factory.mktemp("redis-server")
    for _attempt in range(5):
        port = _free_port()
        proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(workdir), "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=port)
        if not _serves(client, proc):
            client.close()
            proc.kill()
            proc.wait()
            continue  # port taken between bind and start, or slow start: retry
        client.close()
        try:
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return
    pytest.fail("could not start redis-server")


Pair = Tuple[Any, Any]


def _make_pair(port: int, decode: bool, protocol: int = 2) -> Iterator[Pair]:
    import redis

    ours = kv.Redis(store=kv.Store(), decode_responses=decode, protocol=protocol)
    theirs = redis.Redis(port=port, decode_responses=decode, protocol=protocol)
    theirs.flushall()
    ours.flushall()
    try:
        yield ours, theirs
    finally:
        theirs.close()
        ours.close()


@pytest.fixture
def pair(redis_server: int) -> Iterator[Pair]:
    """(kv.Redis on a fresh store, redis.Redis on the test server), both empty."""
    yield from _make_pair(redis_server, False)


@pytest.fixture
def pair_decoded(redis_server: int) -> Iterator[Pair]:
    """As ``pair`` with decode_responses=True on both."""
    yield from _make_pair(redis_server, True)


@pytest.fixture
def pair_resp3(redis_server: int) -> Iterator[Pair]:
    """As ``pair`` with protocol=3 (HELLO 3) on both."""
    yield from _make_pair(redis_server, False, 3)


@pytest.fixture(params=["pair", "pair_decoded"])
def p(request: Any) -> Any:
    """Each differential test runs raw (bytes replies) and decoded (str replies)."""
    return request.getfixturevalue(request.param)


@pytest.fixture(params=[False, True], ids=["raw", "decoded"])
def p3(request: Any, redis_server: int) -> Iterator[Pair]:
    """As ``p`` over RESP3 (protocol=3) on both sides: redis-py then shapes
    replies with its RESP3 callbacks."""
    yield from _make_pair(redis_server, request.param, 3)


def _normalize(value: Any) -> Any:
    """A comparable form: the value's type is kept so list/tuple, bytes/str,
    int/float/bool differences fail; exceptions become (class name, message);
    NaN equals NaN."""
    if isinstance(value, BaseException):
        return ("<exception>", type(value).__name__, str(value))
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else value)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_normalize(v) for v in value])
    if isinstance(value, dict):
        return ("dict", sorted(((repr(k), _normalize(v)) for k, v in value.items())))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, sorted(repr(v) for v in value))
    return (type(value).__name__, value)


def run_captured(fn: Callable[[Any], Any], client: Any) -> Tuple[bool, Any]:
    """(True, result) or (False, exception)."""
    try:
        return True, fn(client)
    except Exception as e:  # noqa: BLE001 - comparing whatever is raised
        return False, e


# redis-py packs commands with hiredis when it is installed, and hiredis words
# an argument it cannot encode differently from redis-py's own Encoder (which
# kv follows: "Invalid input of type: 'NoneType'. Convert to a bytes, string,
# int or float first."). Both are DataError; the messages compare as one.
_HIREDIS_ENCODE_ERROR = "A tuple item must be str, int, float or bytes."
_ENCODER_ERROR_PREFIX = "Invalid input of type: "


def _message(e: BaseException) -> str:
    text = str(e)
    if type(e).__name__ == "DataError" and (text == _HIREDIS_ENCODE_ERROR or text.startswith(_ENCODER_ERROR_PREFIX)):
        return "<argument cannot be encoded>"
    return text


def compare_outcomes(ok_a: bool, a: Any, ok_b: bool, b: Any, key: Optional[Callable[[Any], Any]] = None) -> None:
    """kv's outcome (ok_a, a) must equal redis-py's (ok_b, b): equal values of
    the same types, or exceptions of the same class name and message."""
    if ok_a != ok_b:
        if ok_a:
            raise AssertionError(f"kv returned {a!r}, redis raised {type(b).__name__}: {b}")
        raise AssertionError(f"kv raised {type(a).__name__}: {a}, redis returned {b!r}")
    if not ok_a:
        assert (type(a).__name__, _message(a)) == (type(b).__name__, _message(b)), (a, b)
        return
    if key is not None:
        a, b = key(a), key(b)
    assert _normalize(a) == _normalize(b), f"kv: {a!r}\nredis: {b!r}"


def assert_same_impl(
    pair: Pair,
    fn: Callable[[Any], Any],
    key: Optional[Callable[[Any], Any]] = None,
) -> Any:
    """Run ``fn`` on both clients; the results (after ``key`` if given) must be
    equal with the same types, or both must raise the same class with the same
    message. Returns kv's result."""
    ours, theirs = pair
    ok_a, a = run_captured(fn, ours)
    ok_b, b = run_captured(fn, theirs)
    compare_outcomes(ok_a, a, ok_b, b, key)
    return a


@pytest.fixture
def assert_same() -> Callable[..., Any]:
    """``assert_same(pair, fn, key=None)``: see ``assert_same_impl``."""
    return assert_same_impl


@pytest.fixture
def r() -> Iterator[Any]:
    """A kv.Redis on its own fresh in-memory store."""
    client = kv.Redis(store=kv.Store())
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def rd() -> Iterator[Any]:
    """As ``r`` with decode_responses=True."""
    client = kv.Redis(store=kv.Store(), decode_responses=True)
    try:
        yield client
    finally:
        client.close()
