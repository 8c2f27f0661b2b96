"""Hash commands, shaped as redis-py's ``HashCommands`` (plus HRANDFIELD and HSCAN)."""

from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

from ..exceptions import DataError
from ..typing import AbsExpiryT, ExpiryT, FieldT, KeyT, PatternT, ResponseT
from .base import CallbackMap, CommandBase
from .helpers import (
    expire_flags,
    list_or_args,
    pairs_to_dict,
    parse_hscan,
    scan_args,
    to_bool,
    to_float,
    unix_milliseconds,
    unix_seconds,
)
from .helpers import milliseconds as _milliseconds  # hpexpire's parameter is named milliseconds
from .helpers import seconds as _seconds  # and hexpire's seconds


def parse_hgetall(response: Any, **options: Any) -> Dict[Any, Any]:
    return response and pairs_to_dict(response) or {}


CALLBACKS: CallbackMap = {
    "HEXISTS": to_bool,
    "HMSET": to_bool,
    "HINCRBYFLOAT": to_float,
    "HGETALL": parse_hgetall,
    "HSCAN": parse_hscan,
}

#: redis-py's callbacks for RESP3 sessions (HELLO 3): HGETALL is a map already.
CALLBACKS_RESP3: CallbackMap = {name: cb for name, cb in CALLBACKS.items() if name != "HGETALL"}


def _condition(nx: bool, xx: bool, gt: bool, lt: bool) -> List[str]:
    """The HEXPIRE family's condition flag, at most one of them."""
    if sum([nx, xx, gt, lt]) > 1:
        raise ValueError("Only one of 'nx', 'xx', 'gt', 'lt' can be specified.")
    return expire_flags(nx, xx, gt, lt)


class HashCommands(CommandBase):
    """Redis commands for the hash data type."""

    __slots__ = ()

    def hdel(self, name: KeyT, *keys: FieldT) -> ResponseT:
        """Delete ``keys`` from hash ``name``"""
        return self.execute_command("HDEL", name, *keys)

    def hexists(self, name: KeyT, key: FieldT) -> ResponseT:
        """Returns a boolean indicating if ``key`` exists within hash ``name``"""
        return self.execute_command("HEXISTS", name, key)

    def hget(self, name: KeyT, key: FieldT) -> ResponseT:
        """Return the value of ``key`` within the hash ``name``"""
        return self.execute_command("HGET", name, key)

    def hgetall(self, name: KeyT) -> ResponseT:
        """Return a Python dict of the hash's name/value pairs"""
        return self.execute_command("HGETALL", name)

    def hincrby(self, name: KeyT, key: FieldT, amount: int = 1) -> ResponseT:
        """Increment the value of ``key`` in hash ``name`` by ``amount``"""
        return self.execute_command("HINCRBY", name, key, amount)

    def hincrbyfloat(self, name: KeyT, key: FieldT, amount: float = 1.0) -> ResponseT:
        """Increment the value of ``key`` in hash ``name`` by floating ``amount``"""
        return self.execute_command("HINCRBYFLOAT", name, key, amount)

    def hkeys(self, name: KeyT) -> ResponseT:
        """Return the list of keys within hash ``name``"""
        return self.execute_command("HKEYS", name)

    def hlen(self, name: KeyT) -> ResponseT:
        """Return the number of elements in hash ``name``"""
        return self.execute_command("HLEN", name)

    def hset(
        self,
        name: KeyT,
        key: Optional[FieldT] = None,
        value: Optional[FieldT] = None,
        mapping: Optional[Mapping[Any, Any]] = None,
        items: Optional[List[Any]] = None,
    ) -> ResponseT:
        """Set ``key`` to ``value`` within hash ``name``; ``mapping`` (a dict) and
        ``items`` (a flat list of field, value) add more pairs. Returns the
        number of fields that were added."""
        if key is None and not mapping and not items:
            raise DataError("'hset' with no key value pairs")
        pieces: List[Any] = []
        if items:
            pieces.extend(items)
        if key is not None:
            pieces.extend((key, value))
        if mapping:
            for pair in mapping.items():
                pieces.extend(pair)
        return self.execute_command("HSET", name, *pieces)

    def hsetnx(self, name: KeyT, key: FieldT, value: FieldT) -> ResponseT:
        """Set ``key`` to ``value`` within hash ``name`` if ``key`` does not
        exist.  Returns 1 if HSETNX created a field, otherwise 0."""
        return self.execute_command("HSETNX", name, key, value)

    def hmset(self, name: KeyT, mapping: Mapping[Any, Any]) -> ResponseT:
        """Set key to value within hash ``name`` for each corresponding
        key and value from the ``mapping`` dict (deprecated: use ``hset``)."""
        warnings.warn(
            "Call to deprecated hmset. (Use 'hset' instead.) -- Deprecated since version 4.0.0.",
            category=DeprecationWarning,
            stacklevel=2,
        )
        if not mapping:
            raise DataError("'hmset' with 'mapping' of length 0")
        items: List[Any] = []
        for pair in mapping.items():
            items.extend(pair)
        return self.execute_command("HMSET", name, *items)

    def hmget(self, name: KeyT, keys: Any, *args: FieldT) -> ResponseT:
        """Returns a list of values ordered identically to ``keys``"""
        args = list_or_args(keys, args)  # type: ignore[assignment]
        return self.execute_command("HMGET", name, *args)

    def hvals(self, name: KeyT) -> ResponseT:
        """Return the list of values within hash ``name``"""
        return self.execute_command("HVALS", name)

    def hstrlen(self, name: KeyT, key: FieldT) -> ResponseT:
        """Return the number of bytes stored in the value of ``key``
        within hash ``name``"""
        return self.execute_command("HSTRLEN", name, key)

    def hrandfield(self, key: KeyT, count: Optional[int] = None, withvalues: bool = False) -> ResponseT:
        """Return a random field from the hash value stored at key (``count``
        fields if given: distinct when positive, possibly repeated when
        negative; ``withvalues`` interleaves their values)."""
        params: List[Any] = []
        if count is not None:
            params.append(count)
        if withvalues:
            params.append("WITHVALUES")
        return self.execute_command("HRANDFIELD", key, *params)

    def hscan(
        self,
        name: KeyT,
        cursor: int = 0,
        match: Optional[PatternT] = None,
        count: Optional[int] = None,
        no_values: Optional[bool] = None,
    ) -> ResponseT:
        """Incrementally return key/value slices in a hash, and a cursor.
        ``no_values=True`` returns only the fields. (redis-py 6 sends NOVALUES
        for ``no_values=False`` too, then pairs up the field names; here False
        means what it says.)"""
        pieces = scan_args([name, cursor], match, count)
        if no_values:
            pieces.append(b"NOVALUES")
        return self.execute_command("HSCAN", *pieces, no_values=no_values)

    def hscan_iter(
        self,
        name: KeyT,
        match: Optional[PatternT] = None,
        count: Optional[int] = None,
        no_values: Optional[bool] = None,
    ) -> Iterator[Any]:
        """Iterate over the hash's (field, value) pairs (fields only with
        ``no_values``) using HSCAN."""
        cursor: Any = "0"
        while cursor != 0:
            reply: Any = self.hscan(name, cursor=cursor, match=match, count=count, no_values=no_values)
            cursor, data = reply
            if no_values:
                yield from data
            else:
                yield from data.items()

    def hexpire(
        self,
        name: KeyT,
        seconds: ExpiryT,
        *fields: FieldT,
        nx: bool = False,
        xx: bool = False,
        gt: bool = False,
        lt: bool = False,
    ) -> ResponseT:
        """Set or update the expiration of ``fields`` of hash ``name`` to
        ``seconds`` from now (int or timedelta). Per field: -2 no such field,
        0 condition not met, 1 set, 2 deleted (time in the past)."""
        return self._hexpire("HEXPIRE", name, seconds, _seconds, fields, nx, xx, gt, lt)

    def hpexpire(
        self,
        name: KeyT,
        milliseconds: ExpiryT,
        *fields: FieldT,
        nx: bool = False,
        xx: bool = False,
        gt: bool = False,
        lt: bool = False,
    ) -> ResponseT:
        """As ``hexpire``, with the time in milliseconds (int or timedelta)."""
        return self._hexpire("HPEXPIRE", name, milliseconds, _milliseconds, fields, nx, xx, gt, lt)

    def hexpireat(
        self,
        name: KeyT,
        unix_time_seconds: AbsExpiryT,
        *fields: FieldT,
        nx: bool = False,
        xx: bool = False,
        gt: bool = False,
        lt: bool = False,
    ) -> ResponseT:
        """As ``hexpire``, at a Unix time in seconds (int or datetime)."""
        return self._hexpire("HEXPIREAT", name, unix_time_seconds, unix_seconds, fields, nx, xx, gt, lt)

    def hpexpireat(
        self,
        name: KeyT,
        unix_time_milliseconds: AbsExpiryT,
        *fields: FieldT,
        nx: bool = False,
        xx: bool = False,
        gt: bool = False,
        lt: bool = False,
    ) -> ResponseT:
        """As ``hexpire``, at a Unix time in milliseconds (int or datetime)."""
        return self._hexpire("HPEXPIREAT", name, unix_time_milliseconds, unix_milliseconds, fields, nx, xx, gt, lt)

    def _hexpire(
        self,
        command: str,
        name: KeyT,
        time: Any,
        convert: Callable[[Any], Any],
        fields: Tuple[FieldT, ...],
        nx: bool,
        xx: bool,
        gt: bool,
        lt: bool,
    ) -> ResponseT:
        """The HEXPIRE family: the condition checked before the time is converted."""
        flags = _condition(nx, xx, gt, lt)
        return self.execute_command(command, name, convert(time), *flags, "FIELDS", len(fields), *fields)

    def hpersist(self, name: KeyT, *fields: FieldT) -> ResponseT:
        """Remove the expiration of ``fields``. Per field: -2 no such field,
        -1 no expiration, 1 removed."""
        return self.execute_command("HPERSIST", name, "FIELDS", len(fields), *fields)

    def hexpiretime(self, key: KeyT, *fields: FieldT) -> ResponseT:
        """Expiration Unix times of ``fields`` in seconds (-2 no field, -1 none)."""
        return self.execute_command("HEXPIRETIME", key, "FIELDS", len(fields), *fields)

    def hpexpiretime(self, key: KeyT, *fields: FieldT) -> ResponseT:
        """Expiration Unix times of ``fields`` in milliseconds (-2 no field, -1 none)."""
        return self.execute_command("HPEXPIRETIME", key, "FIELDS", len(fields), *fields)

    def httl(self, key: KeyT, *fields: FieldT) -> ResponseT:
        """Remaining time to live of ``fields`` in seconds (-2 no field, -1 none)."""
        return self.execute_command("HTTL", key, "FIELDS", len(fields), *fields)

    def hpttl(self, key: KeyT, *fields: FieldT) -> ResponseT:
        """Remaining time to live of ``fields`` in milliseconds (-2 no field, -1 none)."""
        return self.execute_command("HPTTL", key, "FIELDS", len(fields), *fields)
