"""``redis.asyncio.lock.Lock``'s semantics over kv.asyncio.Redis (check-and-set
transactions instead of Lua, as kv.lock.Lock)."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from types import SimpleNamespace
from typing import Any, Awaitable, Callable, Optional, Union

from ..exceptions import LockError, LockNotOwnedError, WatchError
from ..typing import Number

logger = logging.getLogger(__name__)


class Lock:
    """An asyncio lock on the key ``name``; see kv.lock.Lock for the parameters."""

    def __init__(
        self,
        redis: Any,
        name: Any,
        timeout: Optional[float] = None,
        sleep: float = 0.1,
        blocking: bool = True,
        blocking_timeout: Optional[Number] = None,
        thread_local: bool = True,
        raise_on_release_error: bool = True,
    ) -> None:
        self.redis = redis
        self.name = name
        self.timeout = timeout
        self.sleep = sleep
        self.blocking = blocking
        self.blocking_timeout = blocking_timeout
        self.thread_local = bool(thread_local)
        self.raise_on_release_error = raise_on_release_error
        self.local: Any = threading.local() if self.thread_local else SimpleNamespace()
        self.local.token = None

    async def __aenter__(self) -> "Lock":
        if await self.acquire():
            return self
        raise LockError("Unable to acquire lock within the time specified")

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await self.release()
        except LockError:
            if self.raise_on_release_error:
                raise
            logger.warning("Lock was unlocked or no longer owned when exiting context manager.")

    async def acquire(
        self,
        blocking: Optional[bool] = None,
        blocking_timeout: Optional[Number] = None,
        token: Optional[Union[str, bytes]] = None,
    ) -> bool:
        """Take the lock; True once held. Non-blocking, or past ``blocking_timeout``: False."""
        sleep = self.sleep
        if token is None:
            token = uuid.uuid1().hex.encode()
        else:
            token = self.redis.get_encoder().encode(token)
        if blocking is None:
            blocking = self.blocking
        if blocking_timeout is None:
            blocking_timeout = self.blocking_timeout
        loop = asyncio.get_running_loop()
        stop_trying_at = None
        if blocking_timeout is not None:
            stop_trying_at = loop.time() + blocking_timeout
        while True:
            if await self.do_acquire(token):
                self.local.token = token
                return True
            if not blocking:
                return False
            next_try_at = loop.time() + sleep
            if stop_trying_at is not None and next_try_at > stop_trying_at:
                return False
            await asyncio.sleep(sleep)

    async def do_acquire(self, token: Union[str, bytes]) -> bool:
        timeout = int(self.timeout * 1000) if self.timeout else None
        return bool(await self.redis.set(self.name, token, nx=True, px=timeout))

    async def locked(self) -> bool:
        """True if any owner holds the lock."""
        return await self.redis.get(self.name) is not None

    async def owned(self) -> bool:
        """True if this lock holds the key."""
        stored_token = await self.redis.get(self.name)
        if stored_token and not isinstance(stored_token, bytes):
            stored_token = self.redis.get_encoder().encode(stored_token)
        return self.local.token is not None and stored_token == self.local.token

    def release(self) -> Awaitable[None]:
        """Release the lock; LockNotOwnedError if it was lost meanwhile."""
        expected_token = self.local.token
        if expected_token is None:
            raise LockError("Cannot release a lock that's not owned or is already unlocked.", lock_name=self.name)
        self.local.token = None
        return self.do_release(expected_token)

    async def do_release(self, expected_token: bytes) -> None:
        def delete(pipe: Any, pttl: int) -> None:
            pipe.delete(self.name)

        if not await self._if_owned(expected_token, delete):
            raise LockNotOwnedError("Cannot release a lock that's no longer owned")

    def extend(self, additional_time: Number, replace_ttl: bool = False) -> Awaitable[bool]:
        """Add ``additional_time`` seconds to the lock's time to live (or set it, ``replace_ttl``)."""
        if self.local.token is None:
            raise LockError("Cannot extend an unlocked lock")
        if self.timeout is None:
            raise LockError("Cannot extend a lock with no timeout")
        return self.do_extend(additional_time, replace_ttl)

    async def do_extend(self, additional_time: Number, replace_ttl: bool) -> bool:
        additional_ms = int(additional_time * 1000)

        def pexpire(pipe: Any, pttl: int) -> bool:
            if pttl < 0:
                return False
            pipe.pexpire(self.name, additional_ms if replace_ttl else additional_ms + pttl)
            return True

        if not await self._if_owned(self.local.token, pexpire):
            raise LockNotOwnedError("Cannot extend a lock that's no longer owned")
        return True

    def reacquire(self) -> Awaitable[bool]:
        """Reset the lock's time to live to ``timeout``."""
        if self.local.token is None:
            raise LockError("Cannot reacquire an unlocked lock")
        if self.timeout is None:
            raise LockError("Cannot reacquire a lock with no timeout")
        return self.do_reacquire()

    async def do_reacquire(self) -> bool:
        assert self.timeout is not None
        timeout_ms = int(self.timeout * 1000)

        def pexpire(pipe: Any, pttl: int) -> None:
            pipe.pexpire(self.name, timeout_ms)

        if not await self._if_owned(self.local.token, pexpire):
            raise LockNotOwnedError("Cannot reacquire a lock that's no longer owned")
        return True

    async def _if_owned(self, token: bytes, change: Callable[[Any, int], Optional[bool]]) -> bool:
        """As kv.lock.Lock._if_owned: WATCH, compare the token, MULTI/EXEC the change."""
        encoder = self.redis.get_encoder()
        async with self.redis.pipeline(True) as pipe:
            while True:
                try:
                    await pipe.watch(self.name)
                    stored = await pipe.get(self.name)
                    if stored is None or encoder.encode(stored) != token:
                        return False
                    pttl = await pipe.pttl(self.name)
                    pipe.multi()
                    if change(pipe, pttl) is False:
                        await pipe.reset()
                        return False
                    await pipe.execute()
                    return True
                except WatchError:
                    continue
