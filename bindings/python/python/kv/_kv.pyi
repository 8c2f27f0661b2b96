"""kv's native module (private: use kv.Store and kv.Redis).

Arguments (keys, values, command names) are encoded as redis-py's
Encoder.encode does: bytes and memoryview as they are; str with the
session's encoding and error handler; int and float as repr() (any size);
bool and any other type raise DataError("Invalid input of type: 'NoneType'.
Convert to a bytes, string, int or float first."). The first argument of a
command is split on whitespace when it is a str or holds a space, as
redis-py's connection does ("CONFIG GET" -> CONFIG, GET).

Replies, as redis-py with hiredis gives them: nil -> None, integer -> int,
bulk/status/verbatim string -> bytes (str with decode_responses), array ->
list; in RESP3 sessions (after HELLO 3) map -> dict, set -> set, double ->
float, boolean -> bool. An error reply is raised as the kv.exceptions class
redis-py's parser gives it (ERR dropped: ResponseError("value is not an
integer or out of range"); EXECABORT -> ExecAbortError, ...); inside a list
(pipelines, EXEC) it is an exception instance in place.

A closed store or session raises kv.exceptions.ConnectionError.
"""

import os
from typing import Any, Iterable, Optional, Sequence, Union, final

_Encodable = Union[bytes, memoryview, str, int, float]
_Path = Union[str, "os.PathLike[str]"]

__all__ = ["Session", "Store", "__version__", "_error_from_reply"]
__version__: str

def _error_from_reply(text: str) -> Exception:
    """The exception an error reply with this text becomes (for tests)."""

@final
class Store:
    """An open store: in memory without `path`, else the data directory
    `path` (created if missing; its snapshot and log are loaded).

    Options (kv_core::Config): databases=16, shard_bits=5,
    expiry_thread=False, hz=10, persistence="off"|"snapshot"|"log"|"both"
    (with a path the default is "snapshot" with Redis's save rules),
    fsync="always"|"everysec"|"no", save=[(seconds, changes), ...] (None or
    []: no automatic snapshots), auto_rewrite_percentage,
    auto_rewrite_min_size, manual_clock_ms (a clock that moves only with
    advance_clock, for tests). Failing to load raises PersistenceError.
    """

    def __new__(cls, path: Optional[_Path] = None, **config: Any) -> "Store": ...
    def session(
        self,
        db: int = 0,
        decode_responses: bool = False,
        encoding: str = "utf-8",
        encoding_errors: str = "strict",
    ) -> "Session":
        """A new client of this store on database `db` (ResponseError if it
        does not exist; LookupError for an unknown encoding)."""
    def execute(self, *args: _Encodable) -> Any:
        """Runs one command as on a new session on database 0; bytes replies."""
    def save(self) -> bool:
        """SAVE: a snapshot, durable when this returns. True. ResponseError
        without a data directory or while a save runs; PersistenceError if
        the files cannot be written."""
    def bgsave(self) -> bool:
        """BGSAVE: the point in time now, written on a thread. True."""
    def wait_for_save(self) -> None:
        """Waits until a running save has finished."""
    def backup(self, path: _Path) -> None:
        """A consistent copy of the store in the directory `path`
        (path/snapshot.kvs); Store(path) opens it."""
    def lastsave(self) -> int:
        """Unix seconds of the last successful save (or of the opening)."""
    def advance_clock(self, ms: int) -> None:
        """Moves the manual clock (manual_clock_ms=) forward `ms` ms."""
    def close(self) -> None:
        """With snapshots and save rules (the default with a path) saves one
        first, as Redis's SHUTDOWN does; waits for a running save, flushes
        the log, wakes blocked calls (they raise ConnectionError); later
        calls raise ConnectionError. Idempotent."""
    @property
    def closed(self) -> bool: ...
    @property
    def path(self) -> Optional[str]:
        """The data directory; None in memory."""
    @property
    def databases(self) -> int: ...

@final
class Session:
    """A client of a store, as a connection is to redis-py: selected
    database, protocol (HELLO), MULTI queue, WATCHed keys.

    Usable from many threads: a call made while another thread's call still
    runs on it (a BLPOP waiting) runs on a spare session of the same store
    selected to the same database, as redis-py's pool would give another
    connection. So code that WATCHes or MULTIs should have a Session of its
    own (Store.session()). The GIL is held for the command table's fast
    commands and the typed methods below, released for the others (and for
    every call while such a slow call of the same store runs, since it may
    hold locks the call would wait for); a blocking call on the main thread
    wakes on Ctrl-C (KeyboardInterrupt).
    The typed methods run at once even inside MULTI (only execute queues).
    """

    def execute(self, *args: _Encodable) -> Any:
        """Runs one command; its reply, or its error raised."""
    def execute_many(self, commands: Iterable[Sequence[_Encodable]], transaction: bool = False) -> Optional[list[Any]]:
        """Runs a pipeline in one call. Each command's reply is in place in
        the list, an error reply as an exception instance (nothing raises
        for a command's error; an argument that cannot be encoded raises
        DataError before anything runs).

        transaction=True: MULTI, the commands, EXEC, atomically. Returns
        EXEC's replies with each command refused when queued (unknown
        command, wrong arity, ...) put back at its place; if a refusal
        discarded the transaction, every other command's entry is the
        ExecAbortError instance. None if EXEC was aborted by a WATCHed key
        having changed. Raises only if MULTI itself is refused (nested)."""
    @property
    def db(self) -> int:
        """The selected database (follows SELECT)."""
    @property
    def protocol(self) -> int:
        """2, or 3 after HELLO 3 (replies then keep their RESP3 shapes)."""
    @property
    def decode_responses(self) -> bool: ...
    @property
    def encoding(self) -> str: ...
    @property
    def encoding_errors(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    def interrupt(self) -> bool:
        """Wakes a call of this session blocked in another thread (BLPOP,
        ...): it raises ResponseError("UNBLOCKED client unblocked via CLIENT
        UNBLOCK"), as after CLIENT UNBLOCK id ERROR. Whether a blocked call
        was woken (one that has not blocked yet is not affected: retry)."""
    def close(self) -> None:
        """Drops the session's watches and transaction; a call blocked in
        another thread and later calls raise ConnectionError. Idempotent."""

    # Typed paths: each returns what redis-py's method returns (its
    # response callback applied). Arguments of other types than int/float
    # where a number is expected go through execute, with the command's
    # own behaviour and errors.
    def get(self, name: _Encodable) -> Any: ...
    def set(self, name: _Encodable, value: _Encodable) -> bool: ...
    def setex(self, name: _Encodable, time: _Encodable, value: _Encodable) -> bool: ...
    def incrby(self, name: _Encodable, amount: Optional[_Encodable] = None) -> int: ...
    def delete(self, *names: _Encodable) -> int: ...
    def exists(self, *names: _Encodable) -> int: ...
    def expire(self, name: _Encodable, time: _Encodable) -> bool: ...
    def mget(self, keys: Union[_Encodable, Iterable[_Encodable]]) -> list[Any]: ...
    def hget(self, name: _Encodable, key: _Encodable) -> Any: ...
    def hset(self, name: _Encodable, key: _Encodable, value: _Encodable) -> int: ...
    def hmset_dict(self, name: _Encodable, mapping: dict[Any, Any]) -> int:
        """HSET name with every field and value of `mapping`."""
    def lpush(self, name: _Encodable, *values: _Encodable) -> int: ...
    def rpush(self, name: _Encodable, *values: _Encodable) -> int: ...
    def lpop(self, name: _Encodable) -> Any: ...
    def rpop(self, name: _Encodable) -> Any: ...
    def llen(self, name: _Encodable) -> int: ...
    def sadd(self, name: _Encodable, *values: _Encodable) -> int: ...
    def srem(self, name: _Encodable, *values: _Encodable) -> int: ...
    def sismember(self, name: _Encodable, value: _Encodable) -> int:
        """1 or 0 (an int: redis-py has no callback for SISMEMBER)."""
    def scard(self, name: _Encodable) -> int: ...
    def zadd(self, name: _Encodable, mapping: dict[Any, Any]) -> int:
        """ZADD name score member ... from {member: score}: members added."""
    def zscore(self, name: _Encodable, value: _Encodable) -> Optional[float]: ...
    def zincrby(self, name: _Encodable, amount: _Encodable, value: _Encodable) -> float: ...
