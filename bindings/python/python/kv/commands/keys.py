"""Generic key commands (DEL, EXPIRE, RENAME, SCAN, SORT, ...), shaped as redis-py's."""

from __future__ import annotations

import warnings
from typing import Any, Iterator, List, Optional, Union, cast

from ..exceptions import DataError
from ..typing import AbsExpiryT, EncodableT, ExpiryT, KeyT, PatternT, ResponseT
from .base import CallbackMap, CommandBase
from .helpers import (
    bool_ok,
    expire_flags,
    limit_args,
    milliseconds,
    parse_scan,
    scan_args,
    seconds,
    sort_return_tuples,
    string_keys_to_dict,
    to_bool,
    unix_milliseconds,
    unix_seconds,
)


CALLBACKS: CallbackMap = {
    **string_keys_to_dict("COPY EXPIRE EXPIREAT MOVE PERSIST PEXPIRE PEXPIREAT RENAMENX", to_bool),
    "RENAME": bool_ok,
    "SCAN": parse_scan,
    "SORT": sort_return_tuples,
}


class KeyCommands(CommandBase):
    """Commands on keys of any type."""

    __slots__ = ()

    def copy(
        self,
        source: str,
        destination: str,
        destination_db: Optional[str] = None,
        replace: bool = False,
    ) -> ResponseT:
        """Copy the value stored in the ``source`` key to the ``destination`` key."""
        params: List[Any] = [source, destination]
        if destination_db is not None:
            params.extend(["DB", destination_db])
        if replace:
            params.append("REPLACE")
        return self.execute_command("COPY", *params)

    def delete(self, *names: KeyT) -> ResponseT:
        """Delete one or more keys specified by ``names``."""
        return self.execute_command("DEL", *names)

    def __delitem__(self, name: KeyT) -> None:
        self.delete(name)

    def dump(self, name: KeyT) -> ResponseT:
        """Return a serialized version of the value stored at the specified key (never decoded)."""
        from ..client import NEVER_DECODE

        options = {NEVER_DECODE: []}  # type: ignore[var-annotated]
        return self.execute_command("DUMP", name, **options)

    def exists(self, *names: KeyT) -> ResponseT:
        """Return the number of ``names`` that exist."""
        return self.execute_command("EXISTS", *names, keys=names)

    __contains__ = exists

    def expire(
        self, name: KeyT, time: ExpiryT, nx: bool = False, xx: bool = False, gt: bool = False, lt: bool = False
    ) -> ResponseT:
        """Set an expire flag on key ``name`` for ``time`` seconds (int or timedelta)."""
        return self.execute_command("EXPIRE", name, seconds(time), *expire_flags(nx, xx, gt, lt))

    def expireat(
        self, name: KeyT, when: AbsExpiryT, nx: bool = False, xx: bool = False, gt: bool = False, lt: bool = False
    ) -> ResponseT:
        """Set an expire flag on key ``name`` at ``when`` (unix seconds or datetime)."""
        return self.execute_command("EXPIREAT", name, unix_seconds(when), *expire_flags(nx, xx, gt, lt))

    def expiretime(self, key: str) -> ResponseT:
        """The absolute unix time in seconds at which ``key`` expires (-1 none, -2 no key)."""
        return self.execute_command("EXPIRETIME", key)

    def keys(self, pattern: PatternT = "*", **kwargs: Any) -> ResponseT:
        """Return a list of keys matching ``pattern``."""
        return self.execute_command("KEYS", pattern, **kwargs)

    def move(self, name: KeyT, db: int) -> ResponseT:
        """Move the key ``name`` to a different database ``db``."""
        return self.execute_command("MOVE", name, db)

    def object(self, infotype: str, key: KeyT, **kwargs: Any) -> ResponseT:
        """Return the encoding, idletime, freq or refcount of the key."""
        return self.execute_command("OBJECT", infotype, key, infotype=infotype, **kwargs)

    def persist(self, name: KeyT) -> ResponseT:
        """Remove an expiration on ``name``."""
        return self.execute_command("PERSIST", name)

    def pexpire(
        self, name: KeyT, time: ExpiryT, nx: bool = False, xx: bool = False, gt: bool = False, lt: bool = False
    ) -> ResponseT:
        """Set an expire flag on key ``name`` for ``time`` milliseconds (int or timedelta)."""
        return self.execute_command("PEXPIRE", name, milliseconds(time), *expire_flags(nx, xx, gt, lt))

    def pexpireat(
        self, name: KeyT, when: AbsExpiryT, nx: bool = False, xx: bool = False, gt: bool = False, lt: bool = False
    ) -> ResponseT:
        """Set an expire flag on key ``name`` at ``when`` (unix milliseconds or datetime)."""
        return self.execute_command("PEXPIREAT", name, unix_milliseconds(when), *expire_flags(nx, xx, gt, lt))

    def pexpiretime(self, key: str) -> ResponseT:
        """The absolute unix time in milliseconds at which ``key`` expires."""
        return self.execute_command("PEXPIRETIME", key)

    def pttl(self, name: KeyT) -> ResponseT:
        """Return the number of milliseconds until the key ``name`` will expire."""
        return self.execute_command("PTTL", name)

    def randomkey(self, **kwargs: Any) -> ResponseT:
        """Return the name of a random key."""
        return self.execute_command("RANDOMKEY", **kwargs)

    def rename(self, src: KeyT, dst: KeyT) -> ResponseT:
        """Rename key ``src`` to ``dst``."""
        return self.execute_command("RENAME", src, dst)

    def renamenx(self, src: KeyT, dst: KeyT) -> ResponseT:
        """Rename key ``src`` to ``dst`` if ``dst`` doesn't already exist."""
        return self.execute_command("RENAMENX", src, dst)

    def restore(
        self,
        name: KeyT,
        ttl: float,
        value: EncodableT,
        replace: bool = False,
        absttl: bool = False,
        idletime: Optional[int] = None,
        frequency: Optional[int] = None,
    ) -> ResponseT:
        """Create a key from a value obtained with DUMP."""
        params: List[Any] = [name, ttl, value]
        if replace:
            params.append("REPLACE")
        if absttl:
            params.append("ABSTTL")
        if idletime is not None:
            params.append("IDLETIME")
            try:
                params.append(int(idletime))
            except ValueError:
                raise DataError("idletimemust be an integer")
        if frequency is not None:
            params.append("FREQ")
            try:
                params.append(int(frequency))
            except ValueError:
                raise DataError("frequency must be an integer")
        return self.execute_command("RESTORE", *params)

    def scan(
        self,
        cursor: int = 0,
        match: Union[PatternT, None] = None,
        count: Optional[int] = None,
        _type: Optional[str] = None,
        **kwargs: Any,
    ) -> ResponseT:
        """Incrementally return lists of key names, with the next cursor."""
        pieces = scan_args([cursor], match, count)
        if _type is not None:
            pieces.extend([b"TYPE", _type])
        return self.execute_command("SCAN", *pieces, **kwargs)

    def scan_iter(
        self,
        match: Union[PatternT, None] = None,
        count: Optional[int] = None,
        _type: Optional[str] = None,
        **kwargs: Any,
    ) -> Iterator[Any]:
        """Iterate over every key with SCAN, without handling the cursor."""
        cursor: Any = "0"
        while cursor != 0:
            cursor, data = cast(Any, self.scan(cursor=cursor, match=match, count=count, _type=_type, **kwargs))
            yield from data

    def sort(
        self,
        name: str,
        start: Optional[int] = None,
        num: Optional[int] = None,
        by: Optional[str] = None,
        get: Optional[List[str]] = None,
        desc: bool = False,
        alpha: bool = False,
        store: Optional[str] = None,
        groups: Optional[bool] = False,
    ) -> ResponseT:
        """Sort and return (or ``store``) the list, set or sorted set at ``name``."""
        limit = limit_args(start, num)
        pieces: List[Any] = [name]
        if by is not None:
            pieces.extend([b"BY", by])
        pieces.extend(limit)
        if get is not None:
            # A str/bytes is one pattern; anything else an iterable of them.
            if isinstance(get, (bytes, str)):
                pieces.extend([b"GET", get])
            else:
                for g in get:
                    pieces.extend([b"GET", g])
        if desc:
            pieces.append(b"DESC")
        if alpha:
            pieces.append(b"ALPHA")
        if store is not None:
            pieces.extend([b"STORE", store])
        if groups:
            if not get or isinstance(get, (bytes, str)) or len(get) < 2:
                raise DataError(
                    'when using "groups" the "get" argument must be specified and contain at least two keys'
                )
        options: dict[str, Any] = {"groups": len(get) if groups and get else None, "keys": [name]}
        return self.execute_command("SORT", *pieces, **options)

    def sort_ro(
        self,
        key: str,
        start: Optional[int] = None,
        num: Optional[int] = None,
        by: Optional[str] = None,
        get: Optional[List[str]] = None,
        desc: bool = False,
        alpha: bool = False,
    ) -> ResponseT:
        """The elements of the list, set or sorted set at ``key``, sorted (redis-py sends SORT)."""
        return self.sort(key, start=start, num=num, by=by, get=get, desc=desc, alpha=alpha)

    def touch(self, *args: KeyT) -> ResponseT:
        """Alter the last access time of the keys ``args``."""
        return self.execute_command("TOUCH", *args)

    def ttl(self, name: KeyT) -> ResponseT:
        """Return the number of seconds until the key ``name`` will expire."""
        return self.execute_command("TTL", name)

    def type(self, name: KeyT) -> ResponseT:
        """Return the type of key ``name``."""
        return self.execute_command("TYPE", name, keys=[name])

    def unlink(self, *names: KeyT) -> ResponseT:
        """Unlink one or more keys specified by ``names``."""
        return self.execute_command("UNLINK", *names)

    def watch(self, *names: KeyT) -> None:
        """WATCH belongs on a pipeline (as in redis-py, this only warns)."""
        warnings.warn(DeprecationWarning("Call WATCH from a Pipeline object"))

    def unwatch(self) -> None:
        """UNWATCH belongs on a pipeline (as in redis-py, this only warns)."""
        warnings.warn(DeprecationWarning("Call UNWATCH from a Pipeline object"))


__all__ = ["CALLBACKS", "KeyCommands"]
