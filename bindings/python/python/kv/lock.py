"""A shared lock with redis-py's ``redis.lock.Lock`` semantics.

redis-py makes release/extend/reacquire atomic with Lua scripts; kv has no
Lua, so each is a check-and-set transaction: WATCH the lock key, read the
token, and MULTI/EXEC the change only if this lock still owns the key; EXEC
fails (and the step is retried) if the key changed in between.
"""

from __future__ import annotations

import logging
import threading
import time as mod_time
import uuid
from types import SimpleNamespace, TracebackType
from typing import Any, Callable, Optional, Type, Union

from .exceptions import LockError, LockNotOwnedError, WatchError
from .typing import Number

logger = logging.getLogger(__name__)


class Lock:
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
        if token is None:
            token = uuid.uuid1().hex.encode()
        else:
            token = self.redis.get_encoder().encode(token)
        if blocking is None:
            blocking = self.blocking
        if blocking_timeout is None:
            blocking_timeout = self.blocking_timeout
        stop_trying_at = None
        if blocking_timeout is not None:
            stop_trying_at = mod_time.monotonic() + blocking_timeout
        while True:
            if self.do_acquire(token):
                self.local.token = token
                return True
            if not blocking:
                return False
            next_try_at = mod_time.monotonic() + sleep
            if stop_trying_at is not None and next_try_at > stop_trying_at:
                return False
            mod_time.sleep(sleep)

    def do_acquire(self, token: Any) -> bool:
        timeout = int(self.timeout * 1000) if self.timeout else None
        return bool(self.redis.set(self.name, token, nx=True, px=timeout))

    def locked(self) -> bool:
        """True if any owner holds the lock."""
        return self.redis.get(self.name) is not None

    def owned(self) -> bool:
        """True if this lock (this thread, with ``thread_local``) holds the key."""
        stored_token = self.redis.get(self.name)
        if stored_token and not isinstance(stored_token, bytes):
            stored_token = self.redis.get_encoder().encode(stored_token)
        return self.local.token is not None and stored_token == self.local.token

    def release(self) -> None:
        """Release the lock; LockNotOwnedError if it was lost (expired or taken) meanwhile."""
        expected_token = self.local.token
        if expected_token is None:
            raise LockError("Cannot release a lock that's not owned or is already unlocked.", lock_name=self.name)
        self.local.token = None
        self.do_release(expected_token)

    def do_release(self, expected_token: bytes) -> None:
        def delete(pipe: Any, pttl: int) -> None:
            pipe.delete(self.name)

        if not self._if_owned(expected_token, delete):
            raise LockNotOwnedError("Cannot release a lock that's no longer owned", lock_name=self.name)

    def extend(self, additional_time: Number, replace_ttl: bool = False) -> bool:
        """Add ``additional_time`` seconds to the lock's time to live (or set it, ``replace_ttl``)."""
        if self.local.token is None:
            raise LockError("Cannot extend an unlocked lock", lock_name=self.name)
        if self.timeout is None:
            raise LockError("Cannot extend a lock with no timeout", lock_name=self.name)
        return self.do_extend(additional_time, replace_ttl)

    def do_extend(self, additional_time: Number, replace_ttl: bool) -> bool:
        additional_ms = int(additional_time * 1000)

        def pexpire(pipe: Any, pttl: int) -> bool:
            if pttl < 0:
                return False  # no expiry: nothing to extend (as the Lua script)
            pipe.pexpire(self.name, additional_ms if replace_ttl else additional_ms + pttl)
            return True

        if not self._if_owned(self.local.token, pexpire):
            raise LockNotOwnedError("Cannot extend a lock that's no longer owned", lock_name=self.name)
        return True

    def reacquire(self) -> bool:
        """Reset the lock's time to live to ``timeout``."""
        if self.local.token is None:
            raise LockError("Cannot reacquire an unlocked lock", lock_name=self.name)
        if self.timeout is None:
            raise LockError("Cannot reacquire a lock with no timeout", lock_name=self.name)
        return self.do_reacquire()

    def do_reacquire(self) -> bool:
        assert self.timeout is not None
        timeout_ms = int(self.timeout * 1000)

        def pexpire(pipe: Any, pttl: int) -> None:
            pipe.pexpire(self.name, timeout_ms)

        if not self._if_owned(self.local.token, pexpire):
            raise LockNotOwnedError("Cannot reacquire a lock that's no longer owned", lock_name=self.name)
        return True

    def _if_owned(self, token: bytes, change: Callable[[Any, int], Optional[bool]]) -> bool:
        """Atomically: if the key holds ``token``, queue ``change(pipe, pttl)`` and EXEC it.

        False if the key does not hold the token (or ``change`` returns False);
        a concurrent change of the key between the check and EXEC retries."""
        encoder = self.redis.get_encoder()
        with self.redis.pipeline(True) as pipe:
            while True:
                try:
                    pipe.watch(self.name)
                    stored = pipe.get(self.name)
                    if stored is None or encoder.encode(stored) != token:
                        return False
                    pttl = pipe.pttl(self.name)
                    pipe.multi()
                    if change(pipe, pttl) is False:
                        pipe.reset()
                        return False
                    pipe.execute()
                    return True
                except WatchError:
                    continue
