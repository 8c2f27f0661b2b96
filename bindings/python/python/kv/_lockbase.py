"""What kv.lock.Lock and kv.asyncio.lock.Lock share: everything but the I/O.

redis-py makes release/extend/reacquire atomic with Lua scripts; kv has no
Lua, so each is a check-and-set transaction: WATCH the lock key, read the
token, and MULTI/EXEC the change only if this lock still owns the key; EXEC
fails (and the step is retried) if the key changed in between. The
transaction is written once, as a generator of pipeline calls
(:meth:`LockBase._if_owned_steps`) that each Lock runs, awaiting the calls
for asyncio.
"""

from __future__ import annotations

import threading
import uuid
from types import SimpleNamespace
from typing import Any, Callable, Generator, Optional, Tuple, Union

from .exceptions import LockError
from .typing import Number

#: ``change(pipe, pttl)``: queue the change on a pipeline in MULTI, given the
#: key's remaining time to live; False cancels it.
Change = Callable[[Any, int], Optional[bool]]


class LockBase:
    """The state, argument handling, checks and transaction shape of a Lock."""

    redis: Any
    name: Any
    timeout: Optional[Number]
    sleep: Number
    blocking: bool
    blocking_timeout: Optional[Number]
    thread_local: bool
    raise_on_release_error: bool
    local: Any

    def _setup(
        self,
        redis: Any,
        name: Any,
        timeout: Optional[Number],
        sleep: Number,
        blocking: bool,
        blocking_timeout: Optional[Number],
        thread_local: bool,
        raise_on_release_error: bool,
    ) -> None:
        self.redis = redis
        self.name = name
        self.timeout = timeout
        self.sleep = sleep
        self.blocking = blocking
        self.blocking_timeout = blocking_timeout
        self.thread_local = bool(thread_local)
        self.raise_on_release_error = raise_on_release_error
        self.local = threading.local() if self.thread_local else SimpleNamespace()
        self.local.token = None

    def _acquire_args(
        self,
        blocking: Optional[bool],
        blocking_timeout: Optional[Number],
        token: Optional[Union[str, bytes]],
    ) -> Tuple[bytes, bool, Optional[Number]]:
        """acquire()'s token (a new random one unless given) and its
        ``blocking`` and ``blocking_timeout``, the lock's where not given."""
        if token is None:
            token = uuid.uuid1().hex.encode()
        else:
            token = self.redis.get_encoder().encode(token)
        if blocking is None:
            blocking = self.blocking
        if blocking_timeout is None:
            blocking_timeout = self.blocking_timeout
        return token, blocking, blocking_timeout  # type: ignore[return-value]

    @staticmethod
    def _may_retry(blocking: bool, clock: Callable[[], float], sleep: Number, stop_trying_at: Optional[float]) -> bool:
        """After a failed attempt to acquire: whether to sleep ``sleep`` and try again."""
        if not blocking:
            return False
        return stop_trying_at is None or clock() + sleep <= stop_trying_at

    def _do_acquire_px(self) -> Optional[int]:
        """The lock's SET PX in milliseconds (None: no expiry)."""
        return int(self.timeout * 1000) if self.timeout else None

    def _holds(self, stored_token: Any) -> bool:
        """Whether ``stored_token`` (the key's value) is this lock's token."""
        if stored_token and not isinstance(stored_token, bytes):
            stored_token = self.redis.get_encoder().encode(stored_token)
        return self.local.token is not None and stored_token == self.local.token

    def _release_token(self) -> bytes:
        """The token release() removes, forgotten by this lock."""
        expected_token = self.local.token
        if expected_token is None:
            raise LockError("Cannot release a lock that's not owned or is already unlocked.", lock_name=self.name)
        self.local.token = None
        return expected_token  # type: ignore[no-any-return]

    def _check_renewable(self, action: str, lock_name: Any) -> None:
        """extend()'s and reacquire()'s checks: the lock is held and expires."""
        if self.local.token is None:
            raise LockError(f"Cannot {action} an unlocked lock", lock_name=lock_name)
        if self.timeout is None:
            raise LockError(f"Cannot {action} a lock with no timeout", lock_name=lock_name)

    def _delete(self, pipe: Any, pttl: int) -> None:
        """release()'s change."""
        pipe.delete(self.name)

    def _extend_change(self, additional_time: Number, replace_ttl: bool) -> Change:
        """extend()'s change."""
        additional_ms = int(additional_time * 1000)

        def pexpire(pipe: Any, pttl: int) -> bool:
            if pttl < 0:
                return False  # no expiry: nothing to extend (as the Lua script)
            pipe.pexpire(self.name, additional_ms if replace_ttl else additional_ms + pttl)
            return True

        return pexpire

    def _reacquire_change(self) -> Change:
        """reacquire()'s change."""
        assert self.timeout is not None
        timeout_ms = int(self.timeout * 1000)

        def pexpire(pipe: Any, pttl: int) -> None:
            pipe.pexpire(self.name, timeout_ms)

        return pexpire

    def _if_owned_steps(self, pipe: Any, token: bytes, change: Change) -> Generator[Any, Any, bool]:
        """Atomically: if the key holds ``token``, queue ``change(pipe, pttl)``
        and EXEC it. Yields each pipeline call's result and is sent back its
        value (the awaited one for asyncio); returns False if the key does not
        hold the token (or ``change`` returns False). A concurrent change of
        the key between the check and EXEC raises WatchError: the caller
        retries."""
        encoder = self.redis.get_encoder()
        yield pipe.watch(self.name)
        stored = yield pipe.get(self.name)
        if stored is None or encoder.encode(stored) != token:
            return False
        pttl = yield pipe.pttl(self.name)
        pipe.multi()
        if change(pipe, pttl) is False:
            yield pipe.reset()
            return False
        yield pipe.execute()
        return True
