"""kv: an embeddable Redis with redis-py's API."""

from . import exceptions
from ._store import Store
from .exceptions import (
    ConnectionError,
    DataError,
    PersistenceError,
    RedisError,
    ResponseError,
    WatchError,
)

__all__ = [
    "ConnectionError",
    "DataError",
    "PersistenceError",
    "RedisError",
    "ResponseError",
    "Store",
    "WatchError",
    "exceptions",
]
