"""The exceptions kv raises: redis-py's hierarchy (redis/exceptions.py of
redis-py 5 and 6), every class with the same name and bases, so code written
against redis-py catches the same things.

Errors a command replies with map to classes as redis-py's parser maps them
(``redis/_parsers/base.py``): the first word of the reply is its code; ``ERR``
is dropped from the message (``ResponseError("value is not an integer or out
of range")``), codes with a class of their own (``EXECABORT``, ``LOADING``,
``NOSCRIPT``, ``READONLY``, ``NOAUTH``, ``NOPERM``, ``OOM``, ...) give that
class without the code, and any other code stays in the message
(``ResponseError("WRONGTYPE Operation against a key holding the wrong kind of
value")``).

:class:`PersistenceError` is kv's own: a data directory could not be read or
written.
"""

from __future__ import annotations

from typing import Any, Optional


class RedisError(Exception):
    pass


class ConnectionError(RedisError):
    pass


class TimeoutError(RedisError):
    pass


class AuthenticationError(ConnectionError):
    pass


class AuthorizationError(ConnectionError):
    pass


class BusyLoadingError(ConnectionError):
    pass


class InvalidResponse(RedisError):
    pass


class ResponseError(RedisError):
    pass


class DataError(RedisError):
    pass


class PubSubError(RedisError):
    pass


class WatchError(RedisError):
    pass


class NoScriptError(ResponseError):
    pass


class OutOfMemoryError(ResponseError):
    """The database is full (maxmemory with no evictable keys)."""


class ExecAbortError(ResponseError):
    pass


class ReadOnlyError(ResponseError):
    pass


class NoPermissionError(ResponseError):
    pass


class ModuleError(ResponseError):
    pass


class LockError(RedisError, ValueError):
    "Errors acquiring or releasing a lock"

    # As redis-py: derives from ValueError, like threading.Lock's errors.

    def __init__(self, message: Optional[str] = None, lock_name: Optional[str] = None) -> None:
        self.message = message
        self.lock_name = lock_name


class LockNotOwnedError(LockError):
    "Error trying to extend or release a lock that is not owned (anymore)"


class ChildDeadlockedError(Exception):
    "Error indicating that a child process is deadlocked after a fork()"


class AuthenticationWrongNumberOfArgsError(ResponseError):
    """The wrong number of arguments was sent to AUTH."""


class RedisClusterException(Exception):
    """Base exception for the RedisCluster client."""


class ClusterError(RedisError):
    """Cluster errors occurred multiple times."""


class ClusterDownError(ClusterError, ResponseError):
    """CLUSTERDOWN: a hash slot is not served."""

    def __init__(self, resp: str) -> None:
        self.args = (resp,)
        self.message = resp


class AskError(ResponseError):
    """ASK redirection: ``"<slot> <host>:<port>"``."""

    def __init__(self, resp: str) -> None:
        self.args = (resp,)
        self.message = resp
        slot_id, new_node = resp.split(" ")
        host, port = new_node.rsplit(":", 1)
        self.slot_id = int(slot_id)
        self.node_addr = self.host, self.port = host, int(port)


class TryAgainError(ResponseError):
    """TRYAGAIN: the keys are being moved between nodes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


class ClusterCrossSlotError(ResponseError):
    """CROSSSLOT: the keys of a request hash to different slots."""

    message = "Keys in request don't hash to the same slot"


class MovedError(AskError):
    """MOVED redirection: the slot is served by another node."""


class MasterDownError(ClusterDownError):
    """MASTERDOWN: the link with the master is down."""


class SlotNotCoveredError(RedisClusterException):
    """No node covers a slot."""


class MaxConnectionsError(ConnectionError):
    """A connection pool has reached its max_connections limit."""


class CrossSlotTransactionError(RedisClusterException):
    """A transaction or watch spans keys of different slots."""


class InvalidPipelineStack(RedisClusterException):
    """Unexpected response length on pipelines."""


class PersistenceError(RedisError):
    """kv's own: the data directory could not be read or written (the
    message names the file and the operating system's error)."""
