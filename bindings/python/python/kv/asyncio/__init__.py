"""The asyncio API: ``kv.asyncio.Redis`` is ``redis.asyncio.Redis``'s shape over a kv store."""

from .client import Pipeline, Redis, StrictRedis, from_url
from .lock import Lock

__all__ = ["Lock", "Pipeline", "Redis", "StrictRedis", "from_url"]
