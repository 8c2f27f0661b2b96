"""kv.Redis: redis-py's ``redis.Redis`` API over an in-process kv store.

A client holds one native session (selected database, client name, protocol)
on a store. Commands go through ``execute_command``: the native session runs
them and the response callback of the command (redis-py's RESP2 callbacks,
merged from every family module) shapes the reply. The hottest methods skip
that and call the session's typed fast paths directly (``FastPaths``).

Where kv.Redis knowingly differs from redis.Redis:

- It is one session, not a connection pool: SELECT, CLIENT SETNAME and
  RESET apply to the client (redis-py applies them to whichever pooled
  connection ran them). Calls from several threads still run side by side
  (the native session hands a call made while another runs to a spare
  session), and pipelines take a session of their own.
- Network arguments (``IGNORED_ARGUMENTS``) are accepted and ignored;
  ``from_url`` takes kv:// URLs only.
- An argument that cannot be encoded raises redis-py's Encoder message
  ("Invalid input of type: ..."); redis-py with hiredis installed words it
  "A tuple item must be str, int, float or bytes." (both DataError).
- No pub/sub, scripting (``eval``, ``register_script``), MONITOR or
  cluster/sentinel/ACL methods: kv has no such commands.
- Lock's release/extend/reacquire are WATCH/MULTI/EXEC check-and-set
  transactions instead of Lua scripts, with the same outcomes.
"""

from __future__ import annotations

import os
import time
import types
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Type, TypeVar, Union
from urllib.parse import parse_qs, unquote, urlparse

from . import exceptions
from ._store import Store
from .commands import CALLBACKS, CALLBACKS_RESP3, CoreCommands, HashCommands, KeyCommands, ListCommands, SortedSetCommands, StringCommands
from .exceptions import ConnectionError, ResponseError, WatchError
from .typing import AbsExpiryT, AnyKeyT, EncodableT, ExpiryT, FieldT, KeysT, KeyT, ResponseT

if TYPE_CHECKING:
    from .lock import Lock
    from .pipeline import Pipeline

# Options understood by execute_command, as redis-py's.
NEVER_DECODE = "NEVER_DECODE"
EMPTY_RESPONSE = "EMPTY_RESPONSE"

# Commands that may wait for another client. (On a kv.Redis they run on the
# client's session: a call made while another thread's call is in progress
# there runs on a spare session, as redis-py's pool would give another
# connection. kv.asyncio runs them on threads.)
BLOCKING_COMMANDS = frozenset(
    {"BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP"}
)

# redis-py's Redis() keyword arguments that describe a network connection and
# mean nothing in-process: accepted (so code written for redis-py runs
# unchanged) and ignored.
IGNORED_ARGUMENTS = frozenset(
    {
        "host", "port", "password", "socket_timeout", "socket_connect_timeout", "socket_keepalive",
        "socket_keepalive_options", "connection_pool", "unix_socket_path", "retry_on_timeout", "retry",
        "retry_on_error", "ssl", "ssl_keyfile", "ssl_certfile", "ssl_cert_reqs", "ssl_ca_certs",
        "ssl_ca_path", "ssl_ca_data", "ssl_check_hostname", "ssl_password", "ssl_validate_ocsp",
        "ssl_validate_ocsp_stapled", "ssl_ocsp_context", "ssl_ocsp_expected_cert", "ssl_min_version",
        "ssl_ciphers", "max_connections", "single_connection_client", "health_check_interval",
        "lib_name", "lib_version", "username", "redis_connect_func", "credential_provider", "cache",
        "cache_config", "event_dispatcher",
    }
)


_R = TypeVar("_R", bound="Redis")


class CaseInsensitiveDict(Dict[str, Any]):
    """A dict whose keys are upper-cased (response callbacks), as redis-py's."""

    def __init__(self, data: Dict[str, Any]) -> None:
        super().__init__()
        for k, v in data.items():
            self[k.upper()] = v

    def __contains__(self, k: object) -> bool:
        return super().__contains__(k.upper() if isinstance(k, str) else k)

    def __delitem__(self, k: str) -> None:
        super().__delitem__(k.upper())

    def __getitem__(self, k: str) -> Any:
        return super().__getitem__(k.upper())

    def get(self, k: str, default: Any = None) -> Any:
        return super().get(k.upper(), default)

    def __setitem__(self, k: str, v: Any) -> None:
        super().__setitem__(k.upper(), v)

    def update(self, data: Dict[str, Any]) -> None:  # type: ignore[override]
        for k, v in data.items():
            self[k] = v


def _command_name(name: Any) -> str:
    if isinstance(name, str):
        return name.upper()
    if isinstance(name, (bytes, bytearray, memoryview)):
        return bytes(name).decode("utf-8", "replace").upper()
    return str(name).upper()


def _split_name(args: tuple) -> tuple:  # type: ignore[type-arg]
    """"CONFIG GET" sent as one argument is two words, as redis-py's packer does."""
    name = args[0]
    if isinstance(name, str):
        if " " in name:
            return tuple(name.split()) + args[1:]
    elif isinstance(name, bytes) and b" " in name:
        return tuple(name.split()) + args[1:]
    return args


def run_with_callback(
    callbacks: Dict[str, Callable[..., Any]], session: Any, args: tuple, name: Any, options: Dict[str, Any]  # type: ignore[type-arg]
) -> Any:
    """``session.execute(*args)`` shaped by the callback of ``name``, as redis-py's parse_response."""
    try:
        response = session.execute(*args)
    except ResponseError:
        if EMPTY_RESPONSE in options:
            return options[EMPTY_RESPONSE]
        raise
    if options:
        options.pop(NEVER_DECODE, None)
        options.pop(EMPTY_RESPONSE, None)
        options.pop("keys", None)
    # As redis-py: only a str command name finds its callback.
    callback = callbacks.get(name) if isinstance(name, str) else None
    if callback is not None:
        return callback(response, **options)
    return response


class FastPaths:
    """The hot commands straight to the native session's typed paths.

    Methods that map one to one onto a native method (``DIRECT``: same
    parameters, same result as redis-py's method) are bound per instance to
    the session's native bound method in ``Redis.__init__``, so ``r.get(k)``
    is one native call with no Python frame; a subclass that overrides one,
    or a response callback installed for its command, keeps the Python
    method. The others take redis-py's full signature and use the typed path
    only when no option is given.
    """

    _session: Any

    # name -> native method.
    DIRECT = {
        "get": "get", "delete": "delete", "exists": "exists", "hget": "hget", "lpush": "lpush", "rpush": "rpush", "llen": "llen", "sadd": "sadd", "srem": "srem",
        "scard": "scard", "sismember": "sismember", "zscore": "zscore", "zincrby": "zincrby",
    }
    # The methods below that take the typed path only without options, and
    # their commands: a custom callback for the command makes them generic.
    WRAPPED = {
        "set": "SET", "setex": "SETEX", "expire": "EXPIRE", "mget": "MGET", "hset": "HSET", "lpop": "LPOP",
        "rpop": "RPOP", "zadd": "ZADD", "incrby": "INCRBY", "incr": "INCRBY",
    }
    # The command each direct method runs (a custom callback for it unbinds it).
    COMMANDS = {
        "get": "GET", "delete": "DEL", "exists": "EXISTS", "hget": "HGET",
        "lpush": "LPUSH", "rpush": "RPUSH", "llen": "LLEN", "sadd": "SADD", "srem": "SREM", "scard": "SCARD",
        "sismember": "SISMEMBER", "zscore": "ZSCORE", "zincrby": "ZINCRBY",
    }

    def get(self, name: KeyT) -> ResponseT:
        """Return the value at key ``name``, or None if the key doesn't exist."""
        return self._session.get(name)

    def delete(self, *names: KeyT) -> ResponseT:
        """Delete one or more keys specified by ``names``."""
        return self._session.delete(*names)

    def exists(self, *names: KeyT) -> ResponseT:
        """Return the number of ``names`` that exist."""
        return self._session.exists(*names)

    def incrby(self, name: KeyT, amount: int = 1) -> ResponseT:
        """Increment the value of ``name`` by ``amount``."""
        if amount is None:  # the native path reads None as "no amount"; redis-py refuses it
            return StringCommands.incrby(self, name, amount)
        return self._session.incrby(name, amount)

    incr = incrby

    def hget(self, name: KeyT, key: FieldT) -> ResponseT:
        """Return the value of ``key`` within the hash ``name``."""
        return self._session.hget(name, key)

    def lpush(self, name: KeyT, *values: FieldT) -> ResponseT:
        """Push ``values`` onto the head of the list ``name``."""
        return self._session.lpush(name, *values)

    def rpush(self, name: KeyT, *values: FieldT) -> ResponseT:
        """Push ``values`` onto the tail of the list ``name``."""
        return self._session.rpush(name, *values)

    def llen(self, name: KeyT) -> ResponseT:
        """The length of the list ``name``."""
        return self._session.llen(name)

    def sadd(self, name: KeyT, *values: FieldT) -> ResponseT:
        """Add ``value(s)`` to set ``name``."""
        return self._session.sadd(name, *values)

    def srem(self, name: KeyT, *values: FieldT) -> ResponseT:
        """Remove ``values`` from set ``name``."""
        return self._session.srem(name, *values)

    def scard(self, name: KeyT) -> ResponseT:
        """The number of elements in set ``name``."""
        return self._session.scard(name)

    def sismember(self, name: KeyT, value: EncodableT) -> ResponseT:
        """Whether ``value`` is a member of set ``name`` (1 or 0, as redis-py)."""
        return self._session.sismember(name, value)

    def zscore(self, name: KeyT, value: EncodableT) -> ResponseT:
        """Return the score of element ``value`` in sorted set ``name``."""
        return self._session.zscore(name, value)

    def zincrby(self, name: KeyT, amount: float, value: EncodableT) -> ResponseT:
        """Increment the score of ``value`` in sorted set ``name`` by ``amount``."""
        return self._session.zincrby(name, amount, value)

    # -- the typed path when no option is given ------------------------------------

    def set(
        self,
        name: KeyT,
        value: EncodableT,
        ex: Optional[ExpiryT] = None,
        px: Optional[ExpiryT] = None,
        nx: bool = False,
        xx: bool = False,
        keepttl: bool = False,
        get: bool = False,
        exat: Optional[AbsExpiryT] = None,
        pxat: Optional[AbsExpiryT] = None,
    ) -> ResponseT:
        """Set the value at key ``name`` to ``value`` (EX/PX/EXAT/PXAT, NX/XX, KEEPTTL, GET)."""
        if ex is None and px is None and exat is None and pxat is None and not (nx or xx or keepttl or get):
            return self._session.set(name, value)
        return StringCommands.set(self, name, value, ex, px, nx, xx, keepttl, get, exat, pxat)  # type: ignore

    def setex(self, name: KeyT, time: ExpiryT, value: EncodableT) -> ResponseT:
        """Set ``name`` to ``value`` expiring in ``time`` seconds (int or timedelta)."""
        if type(time) is int:
            return self._session.setex(name, time, value)
        return StringCommands.setex(self, name, time, value)  # type: ignore

    def expire(
        self, name: KeyT, time: ExpiryT, nx: bool = False, xx: bool = False, gt: bool = False, lt: bool = False
    ) -> ResponseT:
        """Set an expire flag on key ``name`` for ``time`` seconds (int or timedelta)."""
        if type(time) is int and not (nx or xx or gt or lt):
            return self._session.expire(name, time)
        return KeyCommands.expire(self, name, time, nx, xx, gt, lt)  # type: ignore

    def mget(self, keys: KeysT, *args: EncodableT) -> ResponseT:
        """The values of ``keys``, in order (None for a missing key)."""
        if not args and keys:
            return self._session.mget(keys)
        return StringCommands.mget(self, keys, *args)  # type: ignore

    def hset(
        self,
        name: KeyT,
        key: Optional[FieldT] = None,
        value: Optional[FieldT] = None,
        mapping: Optional[Mapping[Any, Any]] = None,
        items: Optional[List[Any]] = None,
    ) -> ResponseT:
        """Set ``key`` to ``value`` within hash ``name`` (and every pair of ``mapping`` / ``items``)."""
        if mapping is None and items is None and key is not None and value is not None:
            return self._session.hset(name, key, value)
        return HashCommands.hset(self, name, key, value, mapping, items)  # type: ignore

    def lpop(self, name: KeyT, count: Optional[int] = None) -> ResponseT:
        """Remove and return the first element(s) of the list ``name``."""
        if count is None:
            return self._session.lpop(name)
        return ListCommands.lpop(self, name, count)  # type: ignore

    def rpop(self, name: KeyT, count: Optional[int] = None) -> ResponseT:
        """Remove and return the last element(s) of the list ``name``."""
        if count is None:
            return self._session.rpop(name)
        return ListCommands.rpop(self, name, count)  # type: ignore

    def zadd(
        self,
        name: KeyT,
        mapping: Mapping[AnyKeyT, EncodableT],
        nx: bool = False,
        xx: bool = False,
        ch: bool = False,
        incr: bool = False,
        gt: bool = False,
        lt: bool = False,
    ) -> ResponseT:
        """Add the {member: score} ``mapping`` to sorted set ``name`` (NX/XX/CH/INCR/GT/LT)."""
        if type(mapping) is dict and mapping and not (nx or xx or ch or incr or gt or lt):
            return self._session.zadd(name, mapping)
        return SortedSetCommands.zadd(self, name, mapping, nx, xx, ch, incr, gt, lt)  # type: ignore


class Redis(FastPaths, CoreCommands):
    """redis-py's ``redis.Redis`` over an in-process kv store.

    ``store`` (a ``kv.Store``) or ``path`` (a data directory, opened once per
    process and shared by every client naming it) choose the store; with
    neither, the process's default in-memory store. ``db`` selects the
    database. Arguments in ``IGNORED_ARGUMENTS`` describe a network
    connection and are accepted and ignored.
    """

    RESPONSE_CALLBACKS: Dict[str, Callable[..., Any]] = CALLBACKS
    RESPONSE_CALLBACKS_RESP3: Dict[str, Callable[..., Any]] = CALLBACKS_RESP3

    @classmethod
    def from_url(cls: Type[_R], url: str, **kwargs: Any) -> _R:
        """A client from a ``kv://`` URL.

        ``kv://`` is the process's default in-memory store;
        ``kv:///abs/path/to/dir`` a store on disk. Query arguments, e.g.
        ``kv:///data?db=2&decode_responses=true``, set the constructor's
        keyword arguments (they win over ``kwargs``, as in redis-py).
        """
        return cls(**_parse_url(url, kwargs))

    def __init__(
        self,
        host: str = "localhost",
        port: int = 6379,
        db: int = 0,
        password: Optional[str] = None,
        socket_timeout: Optional[float] = None,
        socket_connect_timeout: Optional[float] = None,
        socket_keepalive: Optional[bool] = None,
        socket_keepalive_options: Any = None,
        connection_pool: Any = None,
        unix_socket_path: Optional[str] = None,
        encoding: str = "utf-8",
        encoding_errors: str = "strict",
        decode_responses: bool = False,
        *,
        client_name: Optional[str] = None,
        protocol: Optional[int] = 2,
        store: Optional[Store] = None,
        path: Optional[Union[str, "os.PathLike[str]"]] = None,
        **kwargs: Any,
    ) -> None:
        unknown = set(kwargs) - IGNORED_ARGUMENTS
        if unknown:
            raise TypeError(f"Redis.__init__() got an unexpected keyword argument {sorted(unknown)[0]!r}")
        if store is not None and path is not None:
            raise ValueError("give store= or path=, not both")
        if store is None:
            store = Store.shared(os.fspath(path)) if path is not None else Store.default()
        self._store = store
        self._decode_responses = bool(decode_responses)
        self._encoding = encoding
        self._encoding_errors = encoding_errors
        self._protocol = int(protocol) if protocol is not None else 2
        self._client_name = client_name
        self._session = self._new_session(int(db))
        self._spare_sessions: List[Any] = []
        self._raw_sessions: List[Any] = []
        self._closed = False
        self.response_callbacks = CaseInsensitiveDict(
            self.RESPONSE_CALLBACKS_RESP3 if self._protocol == 3 else self.RESPONSE_CALLBACKS
        )
        self._bind_fast_paths()

    # -- sessions -------------------------------------------------------------

    def _new_session(self, db: int) -> Any:
        session = self._store.session(
            db=db,
            decode_responses=self._decode_responses,
            encoding=self._encoding,
            encoding_errors=self._encoding_errors,
        )
        if self._protocol != 2:
            session.execute("HELLO", self._protocol)
        if self._client_name is not None:
            session.execute("CLIENT", "SETNAME", self._client_name)
        return session

    def _bind_fast_paths(self) -> None:
        cls = type(self)
        custom = self._custom_callbacks()
        for name, native in FastPaths.DIRECT.items():
            if getattr(cls, name) is not getattr(FastPaths, name):
                self.__dict__.pop(name, None)  # a subclass's own method
            elif FastPaths.COMMANDS[name] not in custom:
                self.__dict__[name] = getattr(self._session, native)
            else:
                # A custom callback: the command method that goes through execute_command.
                generic = getattr(CoreCommands, name, None)
                if generic is None:
                    self.__dict__.pop(name, None)
                else:
                    self.__dict__[name] = types.MethodType(generic, self)
        for name, command in FastPaths.WRAPPED.items():
            generic = getattr(CoreCommands, name, None)
            if command in custom and getattr(cls, name) is getattr(FastPaths, name) and generic is not None:
                self.__dict__[name] = types.MethodType(generic, self)

    def _custom_callbacks(self) -> Iterable[str]:
        return getattr(self, "_custom", ())

    @property
    def store(self) -> Store:
        """The kv.Store this client runs on."""
        return self._store

    @property
    def db(self) -> int:
        """The database this client's session has selected."""
        return int(self._session.db)

    def get_encoder(self) -> Any:
        return _Encoder(self._encoding, self._encoding_errors, self._decode_responses)

    def get_connection_kwargs(self) -> Dict[str, Any]:
        return {
            "db": self.db,
            "encoding": self._encoding,
            "encoding_errors": self._encoding_errors,
            "decode_responses": self._decode_responses,
            "protocol": self._protocol,
            "client_name": self._client_name,
        }

    def set_response_callback(self, command: str, callback: Callable[..., Any]) -> None:
        """Set a custom response callback (the command's fast path is then skipped)."""
        self.response_callbacks[command] = callback
        custom = set(self._custom_callbacks())
        custom.add(command.upper())
        self._custom = custom
        self._bind_fast_paths()

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__}(store={self._store!r}, db={self.db})>"

    # -- lifecycle --------------------------------------------------------------

    def __enter__(self: _R) -> _R:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def close(self) -> None:
        """Close this client's sessions (the store stays open for its other users)."""
        session = self.__dict__.get("_session")
        if session is None or self._closed:
            return
        self._closed = True
        for pool in (self._spare_sessions, self._raw_sessions):
            while pool:
                pool.pop().close()
        session.close()

    # -- execution ----------------------------------------------------------------

    def execute_command(self, *args: Any, **options: Any) -> Any:
        """Run a command and shape its reply with the command's response callback."""
        name = args[0]
        args = _split_name(args)
        if NEVER_DECODE in options and self._decode_responses:
            session = self._acquire_session(decode=False)
            try:
                return run_with_callback(self.response_callbacks, session, args, name, options)
            finally:
                self._release_session(session)
        return run_with_callback(self.response_callbacks, self._session, args, name, options)

    def _acquire_session(self, decode: Optional[bool] = None) -> Any:
        """A spare session on the client's current database (for a pipeline,
        a blocking command, or an undecoded reply); give it back with
        ``_release_session``."""
        if self._closed:
            raise ConnectionError("Session is closed")
        db = self._session.db
        pool = self._spare_sessions if decode is None else self._raw_sessions
        try:
            session = pool.pop()
        except IndexError:
            if decode is None:
                return self._new_session(db)
            return self._store.session(db=db, decode_responses=decode)
        if session.db != db:
            session.execute("SELECT", db)
        return session

    def _release_session(self, session: Any) -> None:
        if self._closed:
            session.close()
        elif session.decode_responses == self._decode_responses:
            self._spare_sessions.append(session)
        else:
            self._raw_sessions.append(session)

    # -- pipelines, transactions, locks ----------------------------------------------

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> "Pipeline":
        """A pipeline: commands queue and run in one native call on ``execute()``."""
        from .pipeline import Pipeline

        return Pipeline(self, transaction)

    def transaction(self, func: Callable[["Pipeline"], Any], *watches: KeyT, **kwargs: Any) -> Any:
        """Run ``func(pipe)`` and EXEC, retrying on WatchError while ``watches`` change."""
        kwargs.pop("shard_hint", None)
        value_from_callable = kwargs.pop("value_from_callable", False)
        watch_delay = kwargs.pop("watch_delay", None)
        with self.pipeline(True) as pipe:
            while True:
                try:
                    if watches:
                        pipe.watch(*watches)
                    func_value = func(pipe)
                    exec_value = pipe.execute()
                    return func_value if value_from_callable else exec_value
                except WatchError:
                    if watch_delay is not None and watch_delay > 0:
                        time.sleep(watch_delay)
                    continue

    def lock(
        self,
        name: KeyT,
        timeout: Optional[float] = None,
        sleep: float = 0.1,
        blocking: bool = True,
        blocking_timeout: Optional[float] = None,
        lock_class: Any = None,
        thread_local: bool = True,
        raise_on_release_error: bool = True,
    ) -> "Lock":
        """A Lock on key ``name`` with redis-py's semantics (see kv.lock.Lock)."""
        if lock_class is None:
            from .lock import Lock

            lock_class = Lock
        return lock_class(  # type: ignore[no-any-return]
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
        return type(self)(
            db=self.db,
            encoding=self._encoding,
            encoding_errors=self._encoding_errors,
            decode_responses=self._decode_responses,
            protocol=self._protocol,
            store=self._store,
        )

StrictRedis = Redis


class _Encoder:
    """redis-py's Encoder shape, for code that calls ``get_encoder()``."""

    def __init__(self, encoding: str, encoding_errors: str, decode_responses: bool) -> None:
        self.encoding = encoding
        self.encoding_errors = encoding_errors
        self.decode_responses = decode_responses

    def encode(self, value: EncodableT) -> bytes:
        if isinstance(value, (bytes, memoryview)):
            return bytes(value)
        if isinstance(value, bool):
            raise exceptions.DataError(
                "Invalid input of type: 'bool'. Convert to a bytes, string, int or float first."
            )
        if isinstance(value, (int, float)):
            return repr(value).encode() if isinstance(value, float) else str(value).encode()
        if not isinstance(value, str):
            raise exceptions.DataError(
                f"Invalid input of type: '{type(value).__name__}'. "
                "Convert to a bytes, string, int or float first."
            )
        return value.encode(self.encoding, self.encoding_errors)

    def decode(self, value: Any, force: bool = False) -> Any:
        if self.decode_responses or force:
            if isinstance(value, memoryview):
                value = value.tobytes()
            if isinstance(value, bytes):
                value = value.decode(self.encoding, self.encoding_errors)
        return value


_FALSE_STRINGS = ("0", "F", "FALSE", "N", "NO")


def _to_bool(value: str) -> Optional[bool]:
    if value == "":
        return None
    return value.upper() not in _FALSE_STRINGS


_URL_ARGUMENTS: Dict[str, Callable[[str], Any]] = {
    "db": int,
    "decode_responses": _to_bool,
    "encoding": str,
    "encoding_errors": str,
    "protocol": int,
    "client_name": str,
}


def _parse_url(url: str, kwargs: Dict[str, Any]) -> Dict[str, Any]:
    parsed = urlparse(url)
    if parsed.scheme != "kv":
        raise ValueError(
            f"kv.Redis.from_url takes a kv:// URL, not {url!r}: 'kv://' is the in-memory default "
            "store, 'kv:///path/to/dir' a store on disk (redis://, rediss:// and unix:// name a "
            "redis-server; use redis.Redis for those)"
        )
    if parsed.netloc not in ("", "localhost"):
        raise ValueError(f"kv URL {url!r}: the path must be absolute, e.g. kv:///path/to/dir")
    out = dict(kwargs)
    for name, values in parse_qs(parsed.query, keep_blank_values=True).items():
        if name not in _URL_ARGUMENTS:
            raise ValueError(f"kv URL {url!r}: unknown argument {name!r}")
        value = unquote(values[0])
        try:
            parsed_value = _URL_ARGUMENTS[name](value)
        except (TypeError, ValueError):
            raise ValueError(f"Invalid value for '{name}' in connection URL.") from None
        if parsed_value is not None:
            out[name] = parsed_value
    path = unquote(parsed.path)
    if path not in ("", "/"):
        out["path"] = path
    return out


def from_url(url: str, **kwargs: Any) -> Redis:
    """``Redis.from_url``, as ``redis.from_url``."""
    return Redis.from_url(url, **kwargs)


__all__ = ["Redis", "StrictRedis", "FastPaths", "CaseInsensitiveDict", "from_url"]
