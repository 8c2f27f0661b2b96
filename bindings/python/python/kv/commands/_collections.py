"""Types and reply helpers shared by the hash, list, set and sorted-set mixins.

The aliases follow redis-py's ``redis.typing``; the helpers are redis-py's
``list_or_args`` and the RESP2 reply shapers of ``redis._parsers.helpers`` that
these four families use, so every callback returns what redis-py returns.
"""

from __future__ import annotations

import datetime
from typing import (
    TYPE_CHECKING,
    Any,
    Awaitable,
    Callable,
    Dict,
    Iterable,
    List,
    Optional,
    Tuple,
    TypeVar,
    Union,
)

_T = TypeVar("_T")

#: What a command method returns: the reply shaped by its callback on
#: kv.Redis, an awaitable of it on kv.asyncio.Redis, the pipeline in a pipeline.
Resp = Union[Awaitable[_T], _T]
ResponseT = Union[Awaitable[Any], Any]

Number = Union[int, float]
EncodedT = Union[bytes, bytearray, memoryview]
DecodedT = Union[str, int, float]
EncodableT = Union[EncodedT, DecodedT]
KeyT = Union[bytes, str, memoryview]
PatternT = KeyT
FieldT = EncodableT
KeysT = Union[KeyT, Iterable[KeyT]]
ExpiryT = Union[int, datetime.timedelta]
AbsExpiryT = Union[int, datetime.datetime]
ZScoreBoundT = Union[float, str]
TimeoutSecT = Union[int, float, KeyT]
AnyKeyT = TypeVar("AnyKeyT", bytes, str, memoryview)
ScoreCastT = Union[type, Callable[[Any], Any]]
#: A reply element: bytes, or str with decode_responses.
Item = Union[bytes, str]


class CommandsBase:
    """Declares the one method every mixin relies on (for type checkers only)."""

    if TYPE_CHECKING:

        def execute_command(self, *args: Any, **options: Any) -> Any: ...


def list_or_args(keys: Any, args: Optional[Tuple[Any, ...]]) -> List[Any]:
    """One new list of ``keys`` (a name or an iterable of names) then ``args``."""
    try:
        iter(keys)
        # a str or bytes is iterable but names a single key
        if isinstance(keys, (bytes, str)):
            keys = [keys]
        else:
            keys = list(keys)
    except TypeError:
        keys = [keys]
    if args:
        keys.extend(args)
    return keys


def pairs_to_dict(response: Any) -> Dict[Any, Any]:
    if response is None:
        return {}
    it = iter(response)
    return dict(zip(it, it))


def to_set(response: Any, **options: Any) -> Any:
    return response and set(response) or set()


def to_bool(response: Any, **options: Any) -> bool:
    return bool(response)


def to_float(response: Any, **options: Any) -> float:
    return float(response)


def float_or_none(response: Any, **options: Any) -> Optional[float]:
    if response is None:
        return None
    return float(response)


def bool_ok(response: Any, **options: Any) -> bool:
    if isinstance(response, bytes):
        response = response.decode("utf-8", "replace")
    return response == "OK"


def as_is(response: Any, **options: Any) -> Any:
    return response


def parse_scan(response: Any, **options: Any) -> Tuple[int, Any]:
    cursor, r = response
    return int(cursor), r


def zset_score_pairs(response: Any, **options: Any) -> Any:
    """With the ``withscores`` option, a flat member/score reply as (member, score) pairs."""
    if not response or not options.get("withscores"):
        return response
    score_cast_func = options.get("score_cast_func", float)
    it = iter(response)
    return list(zip(it, map(score_cast_func, it)))
