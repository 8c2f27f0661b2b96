"""String commands (SET, GET, INCR, MSET, LCS, ...), shaped as redis-py's."""

from __future__ import annotations

import datetime
from typing import Any, Callable, Dict, List, Mapping, Optional

from ..exceptions import DataError
from ..typing import AbsExpiryT, AnyKeyT, EncodableT, ExpiryT, KeysT, KeyT, ResponseT
from .base import CallbackMap, CommandBase
from .helpers import (
    bool_ok,
    list_or_args,
    milliseconds,
    seconds,
    string_keys_to_dict,
    to_bool,
    to_float,
    unix_milliseconds,
    unix_seconds,
)


def extract_expire_flags(
    ex: Optional[ExpiryT] = None,
    px: Optional[ExpiryT] = None,
    exat: Optional[AbsExpiryT] = None,
    pxat: Optional[AbsExpiryT] = None,
) -> List[EncodableT]:
    """EX/PX/EXAT/PXAT arguments from redis-py's keyword forms (first one given wins)."""
    options: List[EncodableT] = []
    if ex is not None:
        if isinstance(ex, str) and ex.isdigit():
            ex = int(ex)
        options.extend(["EX", _relative_time("ex", ex, seconds)])
    elif px is not None:
        options.extend(["PX", _relative_time("px", px, milliseconds)])
    elif exat is not None:
        options.extend(["EXAT", unix_seconds(exat)])
    elif pxat is not None:
        options.extend(["PXAT", unix_milliseconds(pxat)])
    return options


def _relative_time(option: str, time: Any, convert: Callable[[Any], Any]) -> Any:
    """EX's or PX's value: a timedelta converted, an int as is."""
    if isinstance(time, datetime.timedelta):
        return convert(time)
    if isinstance(time, int):
        return time
    raise DataError(f"{option} must be datetime.timedelta or int")


def parse_set_result(response: Any, **options: Any) -> Any:
    """True for OK, None when NX/XX prevented the write; the old value with GET."""
    if options and options.get("get"):
        return response
    if response is None:
        return None
    return response == b"OK" or response == "OK"


CALLBACKS: CallbackMap = {
    **string_keys_to_dict("MSETNX PSETEX SETEX SETNX", to_bool),
    "INCRBYFLOAT": to_float,
    "MSET": bool_ok,
    "SET": parse_set_result,
}


class StringCommands(CommandBase):
    """Commands on string values."""

    __slots__ = ()

    def append(self, key: KeyT, value: EncodableT) -> ResponseT:
        """Append ``value`` to the string at ``key``; return the new length."""
        return self.execute_command("APPEND", key, value)

    def decrby(self, name: KeyT, amount: int = 1) -> ResponseT:
        """Decrement the value of ``name`` by ``amount``."""
        return self.execute_command("DECRBY", name, amount)

    decr = decrby

    def get(self, name: KeyT) -> ResponseT:
        """Return the value at key ``name``, or None if the key doesn't exist."""
        return self.execute_command("GET", name, keys=[name])

    def getdel(self, name: KeyT) -> ResponseT:
        """Get the value at key ``name`` and delete the key."""
        return self.execute_command("GETDEL", name)

    def getex(
        self,
        name: KeyT,
        ex: Optional[ExpiryT] = None,
        px: Optional[ExpiryT] = None,
        exat: Optional[AbsExpiryT] = None,
        pxat: Optional[AbsExpiryT] = None,
        persist: bool = False,
    ) -> ResponseT:
        """Get the value of ``name`` and optionally set or remove its expiration."""
        opset = {ex, px, exat, pxat}
        if len(opset) > 2 or len(opset) > 1 and persist:
            raise DataError("``ex``, ``px``, ``exat``, ``pxat``, and ``persist`` are mutually exclusive.")
        exp_options = extract_expire_flags(ex, px, exat, pxat)
        if persist:
            exp_options.append("PERSIST")
        return self.execute_command("GETEX", name, *exp_options)

    def __getitem__(self, name: KeyT) -> Any:
        """The value at ``name``; KeyError if the key doesn't exist."""
        value = self.get(name)
        if value is not None:
            return value
        raise KeyError(name)

    def getrange(self, key: KeyT, start: int, end: int) -> ResponseT:
        """The substring of the string at ``key`` between ``start`` and ``end`` (inclusive)."""
        return self.execute_command("GETRANGE", key, start, end, keys=[key])

    def getset(self, name: KeyT, value: EncodableT) -> ResponseT:
        """Set ``name`` to ``value`` and return the old value."""
        return self.execute_command("GETSET", name, value)

    def incrby(self, name: KeyT, amount: int = 1) -> ResponseT:
        """Increment the value of ``name`` by ``amount``."""
        return self.execute_command("INCRBY", name, amount)

    incr = incrby

    def incrbyfloat(self, name: KeyT, amount: float = 1.0) -> ResponseT:
        """Increment the value at ``name`` by the float ``amount``."""
        return self.execute_command("INCRBYFLOAT", name, amount)

    def lcs(
        self,
        key1: str,
        key2: str,
        len: Optional[bool] = False,
        idx: Optional[bool] = False,
        minmatchlen: Optional[int] = 0,
        withmatchlen: Optional[bool] = False,
    ) -> ResponseT:
        """The longest common subsequence of the strings at ``key1`` and ``key2``."""
        pieces: List[Any] = [key1, key2]
        if len:
            pieces.append("LEN")
        if idx:
            pieces.append("IDX")
        if minmatchlen != 0:
            pieces.extend(["MINMATCHLEN", minmatchlen])
        if withmatchlen:
            pieces.append("WITHMATCHLEN")
        return self.execute_command("LCS", *pieces, keys=[key1, key2])

    def mget(self, keys: KeysT, *args: EncodableT) -> ResponseT:
        """The values of ``keys``, in order (None for a missing key)."""
        from ..client import EMPTY_RESPONSE

        names = list_or_args(keys, args)
        options: Dict[str, Any] = {}
        if not names:
            options[EMPTY_RESPONSE] = []
        options["keys"] = names
        return self.execute_command("MGET", *names, **options)

    def mset(self, mapping: Mapping[AnyKeyT, EncodableT]) -> ResponseT:
        """Set every key of ``mapping`` to its value."""
        items: List[Any] = []
        for pair in mapping.items():
            items.extend(pair)
        return self.execute_command("MSET", *items)

    def msetnx(self, mapping: Mapping[AnyKeyT, EncodableT]) -> ResponseT:
        """Set every key of ``mapping`` if none of them exists; True if set."""
        items: List[Any] = []
        for pair in mapping.items():
            items.extend(pair)
        return self.execute_command("MSETNX", *items)

    def psetex(self, name: KeyT, time_ms: ExpiryT, value: EncodableT) -> ResponseT:
        """Set ``name`` to ``value`` expiring in ``time_ms`` milliseconds (int or timedelta)."""
        return self.execute_command("PSETEX", name, milliseconds(time_ms), value)

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
            return self.execute_command("SET", name, value)
        opset = {ex, px, exat, pxat}
        if len(opset) > 2 or len(opset) > 1 and keepttl:
            raise DataError("``ex``, ``px``, ``exat``, ``pxat``, and ``keepttl`` are mutually exclusive.")
        if nx and xx:
            raise DataError("``nx`` and ``xx`` are mutually exclusive.")
        pieces: List[EncodableT] = [name, value]
        options: Dict[str, Any] = {}
        pieces.extend(extract_expire_flags(ex, px, exat, pxat))
        if keepttl:
            pieces.append("KEEPTTL")
        if nx:
            pieces.append("NX")
        if xx:
            pieces.append("XX")
        if get:
            pieces.append("GET")
            options["get"] = True
        return self.execute_command("SET", *pieces, **options)

    def __setitem__(self, name: KeyT, value: EncodableT) -> None:
        self.set(name, value)

    def setex(self, name: KeyT, time: ExpiryT, value: EncodableT) -> ResponseT:
        """Set ``name`` to ``value`` expiring in ``time`` seconds (int or timedelta)."""
        return self.execute_command("SETEX", name, seconds(time), value)

    def setnx(self, name: KeyT, value: EncodableT) -> ResponseT:
        """Set ``name`` to ``value`` if the key doesn't exist."""
        return self.execute_command("SETNX", name, value)

    def setrange(self, name: KeyT, offset: int, value: EncodableT) -> ResponseT:
        """Overwrite the string at ``name`` from ``offset`` with ``value``; return the new length."""
        return self.execute_command("SETRANGE", name, offset, value)

    def strlen(self, name: KeyT) -> ResponseT:
        """The number of bytes stored at ``name``."""
        return self.execute_command("STRLEN", name, keys=[name])

    def substr(self, name: KeyT, start: int, end: int = -1) -> ResponseT:
        """A substring of the string at ``name`` (SUBSTR)."""
        return self.execute_command("SUBSTR", name, start, end, keys=[name])
