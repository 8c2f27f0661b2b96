"""kv.Store: the engine, in memory or kept in a data directory."""

from __future__ import annotations

import os
import threading
from types import TracebackType
from typing import Any, ClassVar, Dict, Optional, Type, Union

from . import _kv
from .exceptions import PersistenceError

PathLike = Union[str, "os.PathLike[str]"]


def _resolve(path: PathLike) -> str:
    return os.path.realpath(os.path.abspath(os.fspath(path)))


class Store:
    """An in-process Redis database.

    ``Store()`` is in memory; ``Store(path)`` keeps its data in the directory
    ``path`` (created if missing; what is there is loaded). Options mirror the
    engine's configuration::

        Store(path, persistence="log", fsync="everysec")   # append-only log
        Store(path, save=[(60, 1000)])                     # snapshot rules
        Store(databases=4)

    persistence is "off", "snapshot" (the default with a path, with Redis's
    save rules), "log" or "both"; fsync "always", "everysec" or "no".

    A process opens a data directory once: ``Store(path)`` on a directory
    that an open store of this process already uses raises PersistenceError;
    :meth:`shared` returns that store instead. :meth:`default` is the one
    in-memory store that ``kv.Redis()`` uses.

    A store is a context manager; :meth:`close` (or leaving the ``with``)
    waits for a running save and makes later calls raise ConnectionError.
    """

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _default: ClassVar[Optional["Store"]] = None
    _open: ClassVar[Dict[str, "Store"]] = {}

    def __init__(self, path: Optional[PathLike] = None, **config: Any) -> None:
        self._key = None if path is None else _resolve(path)
        with Store._lock:
            self._register()
            try:
                self._native = _kv.Store(self._key, **config)
            except BaseException:
                self._unregister()
                raise
        # The native methods themselves: no Python frame per call.
        self.execute = self._native.execute  # type: ignore[method-assign]
        self.session = self._native.session  # type: ignore[method-assign]

    def _register(self) -> None:
        if self._key is None:
            return
        other = Store._open.get(self._key)
        if other is not None and not other.closed:
            raise PersistenceError(
                f"{self._key} is already open in this process (kv.Store.shared(path) returns that store)"
            )
        Store._open[self._key] = self

    def _unregister(self) -> None:
        if self._key is not None and Store._open.get(self._key) is self:
            del Store._open[self._key]

    @classmethod
    def default(cls) -> "Store":
        """The process's default in-memory store (made on first use, again
        if it was closed)."""
        with cls._lock:
            store = cls._default
            if store is not None and not store.closed:
                return store
        store = cls()
        with cls._lock:
            if cls._default is None or cls._default.closed:
                cls._default = store
            return cls._default

    @classmethod
    def shared(cls, path: PathLike, **config: Any) -> "Store":
        """The store open on the data directory ``path`` in this process,
        opened (with ``config``) if there is none."""
        key = _resolve(path)
        with cls._lock:
            store = cls._open.get(key)
            if store is not None and not store.closed:
                return store
        try:
            return cls(key, **config)
        except PersistenceError:
            # Another thread opened it meanwhile.
            with cls._lock:
                store = cls._open.get(key)
            if store is None:
                raise
            return store

    def execute(self, *args: Any) -> Any:
        """Runs one command as on a new connection to database 0; the reply
        as redis-py gives it (bytes), an error reply raised."""
        return self._native.execute(*args)

    def session(
        self,
        db: int = 0,
        decode_responses: bool = False,
        encoding: str = "utf-8",
        encoding_errors: str = "strict",
    ) -> _kv.Session:
        """A new native session (a connection's state) on database ``db``."""
        return self._native.session(db, decode_responses, encoding, encoding_errors)

    def save(self) -> bool:
        """SAVE: writes a snapshot and returns once it is durable."""
        return self._native.save()

    def bgsave(self) -> bool:
        """BGSAVE: takes the point in time now and writes it on a thread."""
        return self._native.bgsave()

    def wait_for_save(self) -> None:
        """Waits until a running save has finished."""
        self._native.wait_for_save()

    def backup(self, path: PathLike) -> None:
        """Writes a consistent copy of the store into the directory ``path``;
        ``Store(path)`` opens it."""
        self._native.backup(os.fspath(path))

    def lastsave(self) -> int:
        """Unix time (seconds) of the last successful save."""
        return self._native.lastsave()

    def advance_clock(self, ms: int) -> None:
        """Moves a manual clock (``manual_clock_ms=``) forward by ``ms``."""
        self._native.advance_clock(ms)

    def close(self) -> None:
        """Closes the store (idempotent). With snapshots and save rules (the
        default with a path) it saves one first, as Redis's SHUTDOWN does."""
        try:
            self._native.close()
        finally:
            with Store._lock:
                self._unregister()

    @property
    def closed(self) -> bool:
        return self._native.closed

    @property
    def path(self) -> Optional[str]:
        """The data directory, None in memory."""
        return self._key

    @property
    def databases(self) -> int:
        return self._native.databases

    def __enter__(self) -> "Store":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        where = f"path={self._key!r}" if self._key else "in memory"
        return f"<kv.Store {where}{' closed' if self.closed else ''}>"
