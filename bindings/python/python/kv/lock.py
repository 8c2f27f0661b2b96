"""A shared lock with redis-py's ``redis.lock.Lock`` semantics (release,
extend and reacquire are check-and-set transactions: see kv._lockbase)."""

from __future__ import annotations

import logging
import time as mod_time
from types import TracebackType
from typing import Any, Optional, Type, Union

from ._lockbase import Change, LockBase
from .exceptions import LockError, LockNotOwnedError, WatchError
from .typing import Number

logger = logging.getLogger(__name__)


class Lock(LockBase):
    """A lock on the key ``name`` whose value is the owner's random token.

    ``timeout``: the lock's maximum life in seconds (None: until released).
    ``sleep``: seconds between attempts while blocking. ``blocking``: whether
    ``acquire`` waits. ``blocking_timeout``: the longest wait (None: forever).
    ``thread_local``: keep the token per thread, so another thread using the
    same Lock cannot release it. ``raise_on_release_error``: whether leaving
    the ``with`` block raises when the lock was lost meanwhile.
    """

    def __init__(
        self,
        redis: Any,
        name: Any,
        timeout: Optional[Number] = None,
        sleep: Number = 0.1,
        blocking: bool = True,
        blocking_timeout: Optional[Number] = None,
        thread_local: bool = True,
        raise_on_release_error: bool = True,
    ) -> None:
        self._setup(redis, name, timeout, sleep, blocking, blocking_timeout, thread_local, raise_on_release_error)

    def __enter__(self) -> "Lock":
        if self.acquire():
            return self
        raise LockError("Unable to acquire lock within the time specified", lock_name=self.name)

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        try:
            self.release()
        except LockError:
            if self.raise_on_release_error:
                raise
            logger.warning("Lock was unlocked or no longer owned when exiting context manager.")

    def acquire(
        self,
        sleep: Optional[Number] = None,
        blocking: Optional[bool] = None,
        blocking_timeout: Optional[Number] = None,
        token: Optional[Union[str, bytes]] = None,
    ) -> bool:
        """Take the lock; True once held. Non-blocking, or past ``blocking_timeout``: False."""
        if sleep is None:
            sleep = self.sleep
        token, blocking, blocking_timeout = self._acquire_args(blocking, blocking_timeout, token)
        stop_trying_at = None
        if blocking_timeout is not None:
            stop_trying_at = mod_time.monotonic() + blocking_timeout
        while True:
            if self.do_acquire(token):
                self.local.token = token
                return True
            if not self._may_retry(blocking, mod_time.monotonic, sleep, stop_trying_at):
                return False
            mod_time.sleep(sleep)

    def do_acquire(self, token: Any) -> bool:
        return bool(self.redis.set(self.name, token, nx=True, px=self._do_acquire_px()))

    def locked(self) -> bool:
        """True if any owner holds the lock."""
        return self.redis.get(self.name) is not None

    def owned(self) -> bool:
        """True if this lock (this thread, with ``thread_local``) holds the key."""
        return self._holds(self.redis.get(self.name))

    def release(self) -> None:
        """Release the lock; LockNotOwnedError if it was lost (expired or taken) meanwhile."""
        self.do_release(self._release_token())

    def do_release(self, expected_token: bytes) -> None:
        if not self._if_owned(expected_token, self._delete):
            raise LockNotOwnedError("Cannot release a lock that's no longer owned", lock_name=self.name)

    def extend(self, additional_time: Number, replace_ttl: bool = False) -> bool:
        """Add ``additional_time`` seconds to the lock's time to live (or set it, ``replace_ttl``)."""
        self._check_renewable("extend", lock_name=self.name)
        return self.do_extend(additional_time, replace_ttl)

    def do_extend(self, additional_time: Number, replace_ttl: bool) -> bool:
        if not self._if_owned(self.local.token, self._extend_change(additional_time, replace_ttl)):
            raise LockNotOwnedError("Cannot extend a lock that's no longer owned", lock_name=self.name)
        return True

    def reacquire(self) -> bool:
        """Reset the lock's time to live to ``timeout``."""
        self._check_renewable("reacquire", lock_name=self.name)
        return self.do_reacquire()

    def do_reacquire(self) -> bool:
        if not self._if_owned(self.local.token, self._reacquire_change()):
            raise LockNotOwnedError("Cannot reacquire a lock that's no longer owned", lock_name=self.name)
        return True

    def _if_owned(self, token: bytes, change: Change) -> bool:
        """Runs LockBase._if_owned_steps, again after a WatchError."""
        with self.redis.pipeline(True) as pipe:
            while True:
                steps = self._if_owned_steps(pipe, token, change)
                try:
                    result = next(steps)
                    while True:
                        result = steps.send(result)
                except StopIteration as done:
                    return bool(done.value)
                except WatchError:
                    continue
