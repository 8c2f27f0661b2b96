"""kv.asyncio.Redis: ``redis.asyncio.Redis``'s API over an in-process kv store.

The class reuses the synchronous command mixins as they are: each mixin
method returns ``self.execute_command(...)``, which here is a coroutine, so
every command method is awaitable without a copy per method. Commands run
inline on the event loop's thread (they take microseconds), except the ones
that can wait or work long (BLPOP & co, SAVE, FLUSHALL, KEYS, SORT): those run
on a thread with a session of their own, so the loop never stalls; cancelling
the awaiting task unblocks a blocked command.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Type, TypeVar, Union

from .. import client as sync_client
from ..client import BLOCKING_COMMANDS, NEVER_DECODE, FastPaths, _command_name, _split_name, run_with_callback
from ..commands import CoreCommands
from ..exceptions import WatchError
from ..pipeline import Pipeline as SyncPipeline
from ..typing import EncodableT, KeyT, PatternT, ResponseT

# Run on a thread of their own: they may wait for another client, or work
# long enough to be felt by the other tasks of the loop.
OFFLOADED_COMMANDS = BLOCKING_COMMANDS | frozenset({"SAVE", "FLUSHALL", "FLUSHDB", "KEYS", "SORT", "SORT_RO"})

_R = TypeVar("_R", bound="Redis")


def _resolve(fut: "asyncio.Future[Any]", ok: bool, value: Any) -> None:
    if fut.cancelled():
        return
    if ok:
        fut.set_result(value)
    else:
        fut.set_exception(value)


async def run_in_thread(func: Callable[[], Any], unblock: Optional[Callable[[], None]] = None) -> Any:
    """``func()`` on a new daemon thread, awaited without blocking the loop.

    If the awaiting task is cancelled while ``func`` still runs, ``unblock``
    is called (repeatedly, until ``func`` returns) to make it return."""
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[Any] = loop.create_future()
    done = threading.Event()

    def work() -> None:
        try:
            result = func()
        except BaseException as e:  # noqa: BLE001 - handed to the awaiting task
            ok, value = False, e
        else:
            ok, value = True, result
        finally:
            done.set()
        try:
            loop.call_soon_threadsafe(_resolve, fut, ok, value)
        except RuntimeError:
            pass  # the loop is closed: nobody awaits any more

    threading.Thread(target=work, name="kv-asyncio", daemon=True).start()
    try:
        return await fut
    except asyncio.CancelledError:
        if unblock is not None and not done.is_set():

            def unblock_until_done() -> None:
                # The command may not have started blocking yet: repeat.
                while not done.wait(0.01):
                    unblock()

            threading.Thread(target=unblock_until_done, name="kv-asyncio-unblock", daemon=True).start()
        raise


class Redis(CoreCommands):
    """``redis.asyncio.Redis`` over an in-process kv store: the constructor
    takes kv.Redis's arguments; every command method is awaitable."""

    @classmethod
    def from_url(cls: Type[_R], url: str, **kwargs: Any) -> _R:
        """A client from a ``kv://`` URL (see kv.Redis.from_url)."""
        return cls(**sync_client._parse_url(url, kwargs))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._client = sync_client.Redis(*args, **kwargs)
        self._session = self._client._session
        self.response_callbacks = self._client.response_callbacks

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__}(store={self._client.store!r}, db={self.db})>"

    def __await__(self: _R) -> Any:
        return self.initialize().__await__()

    async def initialize(self: _R) -> _R:
        return self

    @property
    def store(self) -> Any:
        return self._client.store

    @property
    def db(self) -> int:
        return self._client.db

    def get_encoder(self) -> Any:
        return self._client.get_encoder()

    def get_connection_kwargs(self) -> Dict[str, Any]:
        return self._client.get_connection_kwargs()

    def set_response_callback(self, command: str, callback: Callable[..., Any]) -> None:
        """Set a custom response callback (the command's typed path is then skipped)."""
        self._client.set_response_callback(command, callback)

    def _custom_callbacks(self) -> Any:
        return self._client._custom_callbacks()

    # -- lifecycle ----------------------------------------------------------------

    async def __aenter__(self: _R) -> _R:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def aclose(self, close_connection_pool: Optional[bool] = None) -> None:
        """Close this client's sessions."""
        self._client.close()

    async def close(self, close_connection_pool: Optional[bool] = None) -> None:
        """Alias of ``aclose()``."""
        await self.aclose()

    # -- execution ------------------------------------------------------------------

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        """Run a command (inline, or on a thread if it may block) and shape its reply."""
        name = args[0]
        args = _split_name(args)
        client = self._client
        cname = _command_name(args[0])
        if cname in OFFLOADED_COMMANDS:
            return await self._offload(args, name, options, cname in BLOCKING_COMMANDS)
        if NEVER_DECODE in options and client._decode_responses:
            session = client._acquire_session(decode=False)
            try:
                return run_with_callback(self.response_callbacks, session, args, name, options)
            finally:
                client._release_session(session)
        return run_with_callback(self.response_callbacks, self._session, args, name, options)

    async def _offload(self, args: tuple, name: Any, options: Dict[str, Any], blocking: bool) -> Any:  # type: ignore[type-arg]
        client = self._client
        session = client._acquire_session()
        unblock = session.interrupt if blocking else None

        def work() -> Any:
            try:
                return run_with_callback(self.response_callbacks, session, args, name, options)
            finally:
                client._release_session(session)

        return await run_in_thread(work, unblock)

    # -- methods that do more than one command -----------------------------------------

    def __getitem__(self, name: KeyT) -> Any:
        raise TypeError("Async Redis client does not support class retrieval")

    def __setitem__(self, name: KeyT, value: EncodableT) -> None:
        raise TypeError("Async Redis client does not support class assignment")

    def __delitem__(self, name: KeyT) -> None:
        raise TypeError("Async Redis client does not support class deletion")

    def __contains__(self, name: KeyT) -> bool:  # type: ignore[override]
        raise TypeError("Async Redis client does not support class inclusion")

    async def scan_iter(  # type: ignore[override]
        self,
        match: Union[PatternT, None] = None,
        count: Optional[int] = None,
        _type: Optional[str] = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Iterate over every key with SCAN."""
        cursor: Any = "0"
        while cursor != 0:
            cursor, data = await self.scan(cursor=cursor, match=match, count=count, _type=_type, **kwargs)
            for d in data:
                yield d

    async def sscan_iter(  # type: ignore[override, unused-ignore]
        self, name: KeyT, match: Union[PatternT, None] = None, count: Optional[int] = None
    ) -> AsyncIterator[Any]:
        """Iterate over the members of the set ``name`` with SSCAN."""
        cursor: Any = "0"
        while cursor != 0:
            cursor, data = await self.sscan(name, cursor=cursor, match=match, count=count)
            for d in data:
                yield d

    async def hscan_iter(  # type: ignore[override, unused-ignore]
        self,
        name: KeyT,
        match: Union[PatternT, None] = None,
        count: Optional[int] = None,
        no_values: Union[bool, None] = None,
    ) -> AsyncIterator[Any]:
        """Iterate over the fields (and values) of the hash ``name`` with HSCAN."""
        cursor: Any = "0"
        while cursor != 0:
            cursor, data = await self.hscan(name, cursor=cursor, match=match, count=count, no_values=no_values)
            if no_values:
                for it in data:
                    yield it
            else:
                for it in data.items():
                    yield it

    async def zscan_iter(  # type: ignore[override, unused-ignore]
        self,
        name: KeyT,
        match: Union[PatternT, None] = None,
        count: Optional[int] = None,
        score_cast_func: Union[type, Callable[..., Any]] = float,
    ) -> AsyncIterator[Any]:
        """Iterate over the (member, score) pairs of the sorted set ``name`` with ZSCAN."""
        cursor: Any = "0"
        while cursor != 0:
            cursor, data = await self.zscan(
                name, cursor=cursor, match=match, count=count, score_cast_func=score_cast_func
            )
            for d in data:
                yield d

    async def watch(self, *names: KeyT) -> None:  # type: ignore[override]
        """WATCH belongs on a pipeline (as in redis-py, this only warns)."""
        CoreCommands.watch(self, *names)

    async def unwatch(self) -> None:  # type: ignore[override]
        """UNWATCH belongs on a pipeline (as in redis-py, this only warns)."""
        CoreCommands.unwatch(self)

    # -- pipelines, transactions, locks -----------------------------------------------------

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> "Pipeline":
        """An async pipeline: commands queue; ``await pipe.execute()`` runs them."""
        return Pipeline(self, transaction)

    async def transaction(
        self,
        func: Callable[["Pipeline"], Union[Any, Awaitable[Any]]],
        *watches: KeyT,
        shard_hint: Optional[str] = None,
        value_from_callable: bool = False,
        watch_delay: Optional[float] = None,
    ) -> Any:
        """Run ``func(pipe)`` (sync or async) and EXEC, retrying while ``watches`` change."""
        async with self.pipeline(True) as pipe:
            while True:
                try:
                    if watches:
                        await pipe.watch(*watches)
                    func_value = func(pipe)
                    if inspect.isawaitable(func_value):
                        func_value = await func_value
                    exec_value = await pipe.execute()
                    return func_value if value_from_callable else exec_value
                except WatchError:
                    if watch_delay is not None and watch_delay > 0:
                        await asyncio.sleep(watch_delay)
                    continue

    def lock(
        self,
        name: KeyT,
        timeout: Optional[float] = None,
        sleep: float = 0.1,
        blocking: bool = True,
        blocking_timeout: Optional[float] = None,
        lock_class: Optional[Type[Any]] = None,
        thread_local: bool = True,
        raise_on_release_error: bool = True,
    ) -> Any:
        """An asyncio Lock on key ``name`` (see kv.asyncio.lock.Lock)."""
        if lock_class is None:
            from .lock import Lock

            lock_class = Lock
        return lock_class(
            self,
            name,
            timeout=timeout,
            sleep=sleep,
            blocking=blocking,
            blocking_timeout=blocking_timeout,
            thread_local=thread_local,
            raise_on_release_error=raise_on_release_error,
        )

    def client(self: _R) -> _R:
        """A new client on the same store and database with a session of its own."""
        c = self._client
        return type(self)(
            db=c.db,
            encoding=c._encoding,
            encoding_errors=c._encoding_errors,
            decode_responses=c._decode_responses,
            protocol=c._protocol,
            store=c.store,
        )


def _fast_method(name: str, native: str) -> Callable[..., Any]:
    """``name`` straight to the session's typed method when called with
    positional arguments only (its command method otherwise); the signature
    shown is redis-py's (``__wrapped__``)."""
    generic = getattr(CoreCommands, name)

    async def method(self: Redis, *args: Any, **kwargs: Any) -> Any:
        if kwargs or self._custom_callbacks():
            return await generic(self, *args, **kwargs)
        return getattr(self._session, native)(*args)

    functools.update_wrapper(method, getattr(FastPaths, name))
    return method


for _name, _native in FastPaths.DIRECT.items():
    setattr(Redis, _name, _fast_method(_name, _native))
del _name, _native

StrictRedis = Redis


class Pipeline(SyncPipeline):
    """``redis.asyncio`` pipeline: queued commands return the pipeline; ``watch``,
    the commands between ``watch`` and ``multi``, ``execute``, ``reset`` are awaitable."""

    def __init__(self, client: Redis, transaction: bool = True) -> None:
        super().__init__(client._client, transaction)
        self.async_client = client

    async def __aenter__(self) -> "Pipeline":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.reset()

    def __enter__(self) -> "Pipeline":
        raise TypeError("use 'async with' with an asyncio pipeline")

    def __await__(self) -> Any:
        return self._async_self().__await__()

    async def _async_self(self) -> "Pipeline":
        return self

    async def reset(self) -> None:  # type: ignore[override]
        """Forget the queued commands and any WATCH."""
        self._reset()

    async def aclose(self) -> None:
        """Alias of ``reset()``."""
        await self.reset()

    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        if (self.watching or args[0] == "WATCH") and not self.explicit_transaction:
            return self.immediate_execute_command(*args, **kwargs)
        return self.pipeline_execute_command(*args, **kwargs)

    async def immediate_execute_command(self, *args: Any, **options: Any) -> Any:
        """Run a command now on the pipeline's session (between WATCH and MULTI)."""
        if _command_name(_split_name(args)[0]) in OFFLOADED_COMMANDS:
            return await run_in_thread(lambda: SyncPipeline.immediate_execute_command(self, *args, **options))
        return SyncPipeline.immediate_execute_command(self, *args, **options)

    async def execute(self, raise_on_error: bool = True) -> List[Any]:  # type: ignore[override]
        """Run every queued command; their replies, in order."""
        transactional = self.transaction or self.explicit_transaction
        # Outside MULTI a blocking command really waits: run the batch on a thread.
        if not transactional and any(
            _command_name(_split_name(args)[0]) in OFFLOADED_COMMANDS for args, _ in self.command_stack
        ):
            return await run_in_thread(lambda: SyncPipeline.execute(self, raise_on_error))  # type: ignore[no-any-return]
        return SyncPipeline.execute(self, raise_on_error)

    async def discard(self) -> None:  # type: ignore[override]
        await self.execute_command("DISCARD")

    async def watch(self, *names: KeyT) -> Any:  # type: ignore[override]
        """WATCH ``names``; commands then run immediately (awaited) until ``multi()``."""
        if self.explicit_transaction:
            from ..exceptions import RedisError

            raise RedisError("Cannot issue a WATCH after a MULTI")
        return await self.execute_command("WATCH", *names)

    async def unwatch(self) -> Any:  # type: ignore[override]
        return self.watching and await self.execute_command("UNWATCH") or True

    async def scan_iter(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:  # type: ignore[override]
        raise TypeError("scan_iter is not available on a pipeline")
        yield  # pragma: no cover


def from_url(url: str, **kwargs: Any) -> Redis:
    """``Redis.from_url``."""
    return Redis.from_url(url, **kwargs)


__all__ = ["Redis", "StrictRedis", "Pipeline", "from_url", "ResponseT"]
