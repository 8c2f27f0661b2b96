"""kv: an embeddable Redis with redis-py's API.

``kv.Redis`` is ``redis.Redis`` over an in-process store (``kv.Store``);
``kv.asyncio.Redis`` is ``redis.asyncio.Redis``'s counterpart.
"""

from . import exceptions
from ._store import Store
from .client import Redis, StrictRedis, from_url
from .exceptions import (
    ConnectionError,
    DataError,
    PersistenceError,
    RedisError,
    ResponseError,
    WatchError,
)
from .lock import Lock

__all__ = [
    "ConnectionError",
    "DataError",
    "Lock",
    "PersistenceError",
    "RedisError",
    "Redis",
    "ResponseError",
    "Store",
    "StrictRedis",
    "WatchError",
    "exceptions",
    "from_url",
]
