"""Argument and reply helpers shared by the command families, as redis-py's
``redis.commands.helpers`` and ``redis._parsers.helpers``."""

from __future__ import annotations

import datetime
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from ..exceptions import DataError
from ..typing import AbsExpiryT, ExpiryT, KeysT, PatternT


def list_or_args(keys: KeysT, args: Tuple[Any, ...]) -> List[Any]:
    """One new list of ``keys`` (a key or an iterable of keys) followed by ``args``."""
    try:
        iter(keys)
        if isinstance(keys, (bytes, str)):
            out: List[Any] = [keys]
        else:
            out = list(keys)
    except TypeError:
        out = [keys]
    if args:
        out.extend(args)
    return out


def keys_then_timeout(keys: KeysT, timeout: Any) -> List[Any]:
    """The arguments of BLPOP, BRPOP, BZPOPMIN and BZPOPMAX: the keys (a key
    or an iterable of keys), then the timeout (None: 0, forever)."""
    if timeout is None:
        timeout = 0
    args = list_or_args(keys, ())
    args.append(timeout)
    return args


def scan_args(head: List[Any], match: Optional[PatternT], count: Optional[int]) -> List[Any]:
    """``head`` (the cursor, after the key for HSCAN/SSCAN/ZSCAN) followed by
    SCAN's MATCH and COUNT options when given."""
    if match is not None:
        head.extend([b"MATCH", match])
    if count is not None:
        head.extend([b"COUNT", count])
    return head


def limit_args(start: Optional[int], num: Optional[int]) -> List[Any]:
    """LIMIT ``start`` ``num`` when both are given, nothing when neither is."""
    if (start is not None and num is None) or (num is not None and start is None):
        raise DataError("``start`` and ``num`` must both be specified")
    if start is not None and num is not None:
        return [b"LIMIT", start, num]
    return []


def expire_flags(nx: bool, xx: bool, gt: bool, lt: bool) -> List[str]:
    """The NX/XX/GT/LT flags of the EXPIRE families that are set."""
    return [flag for flag, on in (("NX", nx), ("XX", xx), ("GT", gt), ("LT", lt)) if on]


def seconds(time: ExpiryT) -> Any:
    """A relative time in seconds: a timedelta converted, anything else as is."""
    if isinstance(time, datetime.timedelta):
        return int(time.total_seconds())
    return time


def milliseconds(time: ExpiryT) -> Any:
    """A relative time in milliseconds: a timedelta converted, anything else as is."""
    if isinstance(time, datetime.timedelta):
        return int(time.total_seconds() * 1000)
    return time


def unix_seconds(when: AbsExpiryT) -> Any:
    """An absolute time in unix seconds: a datetime converted, anything else as is."""
    if isinstance(when, datetime.datetime):
        return int(when.timestamp())
    return when


def unix_milliseconds(when: AbsExpiryT) -> Any:
    """An absolute time in unix milliseconds: a datetime converted, anything else as is."""
    if isinstance(when, datetime.datetime):
        return int(when.timestamp() * 1000)
    return when


def str_if_bytes(value: Any) -> Any:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def string_keys_to_dict(names: str, callback: Callable[..., Any]) -> Dict[str, Callable[..., Any]]:
    return dict.fromkeys(names.split(), callback)


def bool_ok(response: Any, **options: Any) -> bool:
    return bool(str_if_bytes(response) == "OK")


def to_bool(response: Any, **options: Any) -> bool:
    return bool(response)


def to_float(response: Any, **options: Any) -> float:
    return float(response)


def float_or_none(response: Any, **options: Any) -> Optional[float]:
    if response is None:
        return None
    return float(response)


def pairs_to_dict(
    response: Optional[Sequence[Any]], decode_keys: bool = False, decode_string_values: bool = False
) -> Dict[Any, Any]:
    """A dict from a flat [k1, v1, k2, v2, ...] reply."""
    if response is None:
        return {}
    if decode_keys or decode_string_values:
        keys: Iterable[Any] = response[::2]
        if decode_keys:
            keys = map(str_if_bytes, keys)
        values: Iterable[Any] = response[1::2]
        if decode_string_values:
            values = map(str_if_bytes, values)
        return dict(zip(keys, values))
    it = iter(response)
    return dict(zip(it, it))


def zset_score_pairs(response: Any, **options: Any) -> Any:
    """With ``withscores``, a list of (member, score) tuples."""
    if not response or not options.get("withscores"):
        return response
    score_cast_func = options.get("score_cast_func", float)
    it = iter(response)
    return list(zip(it, map(score_cast_func, it)))


def sort_return_tuples(response: Any, **options: Any) -> Any:
    """With ``groups=n``, a list of n-tuples."""
    if not response or not options.get("groups"):
        return response
    n = options["groups"]
    return list(zip(*[response[i::n] for i in range(n)]))


def parse_scan(response: Any, **options: Any) -> Tuple[int, Any]:
    cursor, r = response
    return int(cursor), r


def parse_hscan(response: Any, **options: Any) -> Tuple[int, Any]:
    cursor, r = response
    if options.get("no_values", False):
        return int(cursor), r or []
    return int(cursor), r and pairs_to_dict(r) or {}


def parse_zscan(response: Any, **options: Any) -> Tuple[int, List[Tuple[Any, Any]]]:
    score_cast_func = options.get("score_cast_func", float)
    cursor, r = response
    it = iter(r)
    return int(cursor), list(zip(it, map(score_cast_func, it)))


def timestamp_to_datetime(response: Any, **options: Any) -> Optional[datetime.datetime]:
    """A unix timestamp reply as a local naive datetime, as redis-py."""
    if not response:
        return None
    try:
        value = int(response)
    except ValueError:
        return None
    return datetime.datetime.fromtimestamp(value)

