"""Error replies become the exceptions redis-py's parser makes of them; a
closed store or session raises instead of crashing."""

from __future__ import annotations

import threading
import time

import pytest
import redis.exceptions
from redis._parsers.base import BaseParser

import kv
from kv import exceptions as kx

TEXTS = [
    "ERR value is not an integer or out of range",
    "ERR",
    "ERR ",
    "ERRX nope",
    "WRONGTYPE Operation against a key holding the wrong kind of value",
    "EXECABORT Transaction discarded because of previous errors.",
    "NOSCRIPT No matching script.",
    "LOADING Redis is loading the dataset in memory",
    "READONLY You can't write against a read only replica.",
    "NOAUTH Authentication required.",
    "WRONGPASS invalid username-password pair",
    "NOPERM this user has no permissions",
    "OOM command not allowed when used memory > 'maxmemory'.",
    "ASK 3999 127.0.0.1:6381",
    "MOVED 3999 127.0.0.1:6381",
    "TRYAGAIN Multiple keys request during rehashing of slot",
    "CLUSTERDOWN The cluster is down",
    "CROSSSLOT Keys in request don't hash to the same slot",
    "MASTERDOWN Link with MASTER is down",
    "BUSYGROUP Consumer Group name already exists",
    "UNBLOCKED client unblocked via CLIENT UNBLOCK",
    "ERR store closed",
    "",
    "é unicode code",
] + [f"ERR {m}" for m in BaseParser.EXCEPTION_CLASSES["ERR"]]


@pytest.mark.parametrize("text", TEXTS)
def test_mapping_as_redis_py_parser(text: str) -> None:
    ours, theirs = kv._kv._error_from_reply(text), BaseParser.parse_error(text)
    assert type(ours).__name__ == type(theirs).__name__
    assert str(ours) == str(theirs) and ours.args == theirs.args
    assert type(ours).__module__ == "kv.exceptions"


def test_hierarchy_matches_redis_py() -> None:
    names = [n for n, v in vars(redis.exceptions).items() if isinstance(v, type) and issubclass(v, BaseException)]
    assert len(names) > 30
    for name in names:
        ours, theirs = getattr(kx, name), getattr(redis.exceptions, name)
        assert [b.__name__ for b in ours.__bases__] == [b.__name__ for b in theirs.__bases__], name
    assert issubclass(kx.PersistenceError, kx.RedisError)


def test_engine_errors_raise_mapped_classes() -> None:
    with kv.Store() as store:
        s = store.session()
        s.execute("LPUSH", "l", "x")
        cases = [
            (("GET", "l"), kx.ResponseError, "WRONGTYPE Operation against a key holding the wrong kind of value"),
            (("INCR", "l"), kx.ResponseError, "WRONGTYPE Operation against a key holding the wrong kind of value"),
            (("SET", "k", "v", "XX", "NX"), kx.ResponseError, "syntax error"),
            (("GET",), kx.ResponseError, "wrong number of arguments for 'get' command"),
            (("NOSUCH", "a"), kx.ResponseError, "unknown command 'NOSUCH', with args beginning with: 'a' "),
            (("SELECT", "99"), kx.ResponseError, "DB index is out of range"),
        ]
        for args, cls, message in cases:
            with pytest.raises(cls) as e:
                s.execute(*args)
            assert type(e.value) is cls and str(e.value) == message
        with pytest.raises(kx.ResponseError, match="^WRONGTYPE"):
            s.get("l")
        s.execute("MULTI")
        with pytest.raises(kx.ResponseError):
            s.execute("GET")
        with pytest.raises(kx.ExecAbortError, match="^Transaction discarded because of previous errors.$"):
            s.execute("EXEC")
        with pytest.raises(kx.ResponseError, match="DB index is out of range"):
            store.session(db=16)
        with pytest.raises(kx.ResponseError, match="DB index is out of range"):
            store.session(db=-1)


def test_unicode_error_text_and_parse_only_once() -> None:
    e = kv._kv._error_from_reply("ERR ünïcode")
    assert isinstance(e, kx.ResponseError) and str(e) == "ünïcode"


def test_closed_session_raises() -> None:
    with kv.Store() as store:
        s = store.session()
        s.execute("WATCH", "k")
        s.close()
        s.close()
        assert s.closed
        for call in (lambda: s.execute("PING"), lambda: s.get("k"), lambda: s.execute_many([("PING",)]),
                     lambda: s.zadd("z", {"a": 1})):
            with pytest.raises(kx.ConnectionError, match="Session is closed"):
                call()
        # The store goes on; the closed session's watch is gone.
        t = store.session()
        t.execute("WATCH", "k")
        store.execute("SET", "k", "1")
        t.execute("MULTI")
        assert t.execute("EXEC") is None


def test_closed_store_raises() -> None:
    store = kv.Store()
    s = store.session()
    store.close()
    store.close()
    assert store.closed and s.closed
    for call in (lambda: store.execute("PING"), lambda: store.session(), lambda: store.save(), lambda: store.bgsave(),
                 lambda: s.execute("PING"), lambda: s.set("k", "v"), lambda: s.execute_many([("PING",)], transaction=True)):
        with pytest.raises(kx.ConnectionError, match="Store is closed"):
            call()
    assert isinstance(store.lastsave(), int)


def test_closing_wakes_blocked_calls() -> None:
    store = kv.Store()
    s = store.session()
    got = []

    def pop() -> None:
        try:
            got.append(s.execute("BLPOP", "q", "0"))
        except Exception as e:
            got.append(e)

    t = threading.Thread(target=pop)
    t.start()
    deadline = time.monotonic() + 5
    while store.execute("INFO", "clients").find(b"blocked_clients:1") < 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    store.close()
    t.join(5)
    assert not t.is_alive()
    assert len(got) == 1 and isinstance(got[0], kx.ConnectionError), got


def test_save_without_data_directory() -> None:
    with kv.Store() as store:
        with pytest.raises(kx.ResponseError, match="no data directory"):
            store.save()
        with pytest.raises(kx.ResponseError, match="no data directory"):
            store.execute("SAVE")
        with pytest.raises(kx.PersistenceError, match="/proc/no/such/dir"):
            store.backup("/proc/no/such/dir")


def test_store_options_are_checked() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        kv.Store(nope=1)
    with pytest.raises(ValueError, match="persistence"):
        kv.Store(persistence="sometimes")
    with pytest.raises(ValueError, match="needs a path"):
        kv.Store(persistence="log")
    with pytest.raises(ValueError, match="databases"):
        kv.Store(databases=0)
    with pytest.raises(ValueError, match="fsync"):
        kv.Store(fsync="never")
    with pytest.raises(ValueError, match="system clock"):
        kv.Store().advance_clock(1)
    with kv.Store(databases=2, hz=100, shard_bits=0, expiry_thread=True) as s:
        assert s.databases == 2
        with pytest.raises(kx.ResponseError):
            s.session(db=2)
