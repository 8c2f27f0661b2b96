"""``redis.asyncio.lock.Lock``'s semantics over kv.asyncio.Redis (check-and-set
transactions instead of Lua, as kv.lock.Lock)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Optional, Union

from .._lockbase import Change, LockBase
from ..exceptions import LockError, LockNotOwnedError, WatchError
from ..typing import Number

logger = logging.getLogger(__name__)


class Lock(LockBase):
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
        self._setup(redis, name, timeout, sleep, blocking, blocking_timeout, thread_local, raise_on_release_error)

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
        token, blocking, blocking_timeout = self._acquire_args(blocking, blocking_timeout, token)
        loop = asyncio.get_running_loop()
        stop_trying_at = None
        if blocking_timeout is not None:
            stop_trying_at = loop.time() + blocking_timeout
        while True:
            if await self.do_acquire(token):
                self.local.token = token
                return True
            if not self._may_retry(blocking, loop.time, sleep, stop_trying_at):
                return False
            await asyncio.sleep(sleep)

    async def do_acquire(self, token: Union[str, bytes]) -> bool:
        return bool(await self.redis.set(self.name, token, nx=True, px=self._do_acquire_px()))

    async def locked(self) -> bool:
        """True if any owner holds the lock."""
        return await self.redis.get(self.name) is not None

    async def owned(self) -> bool:
        """True if this lock holds the key."""
        return self._holds(await self.redis.get(self.name))

    def release(self) -> Awaitable[None]:
        """Release the lock; LockNotOwnedError if it was lost meanwhile."""
        return self.do_release(self._release_token())

    async def do_release(self, expected_token: bytes) -> None:
        if not await self._if_owned(expected_token, self._delete):
            raise LockNotOwnedError("Cannot release a lock that's no longer owned")

    def extend(self, additional_time: Number, replace_ttl: bool = False) -> Awaitable[bool]:
        """Add ``additional_time`` seconds to the lock's time to live (or set it, ``replace_ttl``)."""
        self._check_renewable("extend", lock_name=None)
        return self.do_extend(additional_time, replace_ttl)

    async def do_extend(self, additional_time: Number, replace_ttl: bool) -> bool:
        if not await self._if_owned(self.local.token, self._extend_change(additional_time, replace_ttl)):
            raise LockNotOwnedError("Cannot extend a lock that's no longer owned")
        return True

    def reacquire(self) -> Awaitable[bool]:
        """Reset the lock's time to live to ``timeout``."""
        self._check_renewable("reacquire", lock_name=None)
        return self.do_reacquire()

    async def do_reacquire(self) -> bool:
        if not await self._if_owned(self.local.token, self._reacquire_change()):
            raise LockNotOwnedError("Cannot reacquire a lock that's no longer owned")
        return True

    async def _if_owned(self, token: bytes, change: Change) -> bool:
        """Runs LockBase._if_owned_steps awaiting each call, again after a WatchError."""
        async with self.redis.pipeline(True) as pipe:
            while True:
                steps = self._if_owned_steps(pipe, token, change)
                try:
                    call = next(steps)
                    while True:
                        call = steps.send(await call)
                except StopIteration as done:
                    return bool(done.value)
                except WatchError:
                    continue
