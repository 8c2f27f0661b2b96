"""Persistence across close and reopen in each mode; save, bgsave, backup;
the process-wide registry of stores."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict

import pytest

import kv
from kv.exceptions import PersistenceError, ResponseError


def fill(store: kv.Store) -> None:
    s = store.session()
    s.set("str", "v")
    s.rpush("list", "a", "b")
    s.hmset_dict("hash", {"f": "1"})
    s.zadd("zset", {"m": 2.5})
    s.execute("SADD", "set", "x")
    s.execute("SET", "ttl", "v", "EX", "1000")
    s1 = store.session(db=1)
    s1.set("other-db", "1")


def check(store: kv.Store) -> None:
    s = store.session()
    assert s.get("str") == b"v"
    assert s.execute("LRANGE", "list", 0, -1) == [b"a", b"b"]
    assert s.hget("hash", "f") == b"1"
    assert s.zscore("zset", "m") == 2.5
    assert s.sismember("set", "x") == 1
    assert 0 < s.execute("TTL", "ttl") <= 1000
    assert store.session(db=1).get("other-db") == b"1"


MODES: Dict[str, Dict[str, Any]] = {
    "snapshot-default": {},
    "snapshot": {"persistence": "snapshot", "save": [(3600, 1)]},
    "log-always": {"persistence": "log", "fsync": "always"},
    "log-everysec": {"persistence": "log", "fsync": "everysec"},
    "log-no": {"persistence": "log", "fsync": "no"},
    "both": {"persistence": "both", "fsync": "everysec"},
}


@pytest.mark.parametrize("mode", MODES, ids=list(MODES))
def test_data_survives_close_and_reopen(tmp_path: Path, mode: str) -> None:
    with kv.Store(tmp_path, **MODES[mode]) as store:
        fill(store)
    assert os.listdir(tmp_path)
    with kv.Store(tmp_path, **MODES[mode]) as store:
        check(store)
        store.session().set("second", "run")
    with kv.Store(tmp_path, **MODES[mode]) as store:
        check(store)
        assert store.execute("GET", "second") == b"run"


def test_snapshot_without_rules_keeps_only_saves(tmp_path: Path) -> None:
    with kv.Store(tmp_path, save=[]) as store:
        store.execute("SET", "a", "1")
        before = store.lastsave()
        assert store.save() is True
        assert store.lastsave() >= before
        store.execute("SET", "b", "1")
    with kv.Store(tmp_path, save=None) as store:
        assert store.execute("MGET", "a", "b") == [b"1", None]


def test_bgsave(tmp_path: Path) -> None:
    with kv.Store(tmp_path, save=[]) as store:
        for i in range(1000):
            store.execute("SET", f"k{i}", i)
        assert store.bgsave() is True
        store.wait_for_save()
        store.execute("SET", "after", "1")
    with kv.Store(tmp_path, save=[]) as store:
        assert store.execute("DBSIZE") == 1000 and store.execute("GET", "k999") == b"999"
        assert store.execute("GET", "after") is None


def test_backup_restores(tmp_path: Path) -> None:
    with kv.Store() as store:
        fill(store)
        store.backup(tmp_path / "copy")
        store.backup(str(tmp_path / "copy2"))
    for d in ("copy", "copy2"):
        assert (tmp_path / d / "snapshot.kvs").exists()
        with kv.Store(tmp_path / d) as restored:
            check(restored)


def test_persistence_off_with_path_writes_nothing(tmp_path: Path) -> None:
    with kv.Store(tmp_path, persistence="off") as store:
        store.execute("SET", "a", "1")
        with pytest.raises(ResponseError):
            store.save()
    with kv.Store(tmp_path) as store:
        assert store.execute("GET", "a") is None


def test_corrupt_snapshot_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "snapshot.kvs").write_bytes(b"not a snapshot at all" * 10)
    with pytest.raises(PersistenceError, match="snapshot.kvs"):
        kv.Store(tmp_path)
    # The failed open left nothing registered.
    (tmp_path / "snapshot.kvs").unlink()
    kv.Store(tmp_path).close()


def test_one_store_per_directory(tmp_path: Path) -> None:
    store = kv.Store(tmp_path)
    try:
        with pytest.raises(PersistenceError, match="already open"):
            kv.Store(tmp_path / "." / "")
        assert kv.Store.shared(tmp_path) is store
        assert kv.Store.shared(str(tmp_path) + "/") is store
        assert store.path == os.path.realpath(tmp_path)
    finally:
        store.close()
    again = kv.Store.shared(tmp_path)
    assert again is not store and not again.closed
    again.close()


def test_default_store_is_one(tmp_path: Path) -> None:
    a, b = kv.Store.default(), kv.Store.default()
    assert a is b and a.path is None
    a.execute("SET", "default-key", "1")
    assert b.execute("GET", "default-key") == b"1"
    a.execute("DEL", "default-key")


def test_store_repr_and_context(tmp_path: Path) -> None:
    with kv.Store(tmp_path) as store:
        assert "path=" in repr(store)
    assert "closed" in repr(store) and store.closed
    assert repr(kv.Store()) == "<kv.Store in memory>"
