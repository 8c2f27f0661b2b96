"""Sorted-set commands, shaped as redis-py's ``SortedSetCommands`` (plus ZSCAN)."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from ..exceptions import DataError
from ..typing import AnyKeyT, EncodableT, FieldT, KeysT, KeyT, PatternT, ResponseT, TimeoutSecT, ZScoreBoundT
from .base import CallbackMap, CommandBase
from .helpers import float_or_none, keys_then_timeout, limit_args, parse_zscan, scan_args, zset_score_pairs


def parse_zadd(response: Any, **options: Any) -> Union[int, float, None]:
    """ZADD: the count, or with INCR the new score (None when NX/XX/GT/LT refused)."""
    if response is None:
        return None
    if options.get("as_score"):
        return float(response)
    return int(response)


def parse_zmscore(response: Any, **options: Any) -> List[Optional[float]]:
    return [float(score) if score is not None else None for score in response]


def parse_bzpop(response: Any, **options: Any) -> Optional[Tuple[Any, Any, float]]:
    """BZPOPMIN/BZPOPMAX: (key, member, score), or None on timeout."""
    return response and (response[0], response[1], float(response[2])) or None


_SCORE_PAIRS = (
    "ZDIFF ZINTER ZPOPMAX ZPOPMIN ZRANGE ZRANGEBYSCORE ZRANK ZREVRANGE ZREVRANGEBYSCORE ZREVRANK ZUNION"
).split()

CALLBACKS: CallbackMap = {
    **dict.fromkeys(_SCORE_PAIRS, zset_score_pairs),
    "ZINCRBY": float_or_none,
    "ZSCORE": float_or_none,
    "BZPOPMAX": parse_bzpop,
    "BZPOPMIN": parse_bzpop,
    "ZADD": parse_zadd,
    "ZMSCORE": parse_zmscore,
    "ZSCAN": parse_zscan,
}

#: redis-py's callbacks for RESP3 sessions (HELLO 3): scores arrive as doubles
#: and WITHSCORES replies as [member, score] arrays, left as they are.
CALLBACKS_RESP3: CallbackMap = {"ZSCAN": parse_zscan}

#: What ``score_cast_func`` may be: float, int, Decimal, any callable of the score.
ScoreCastT = Union[type, Callable[[Any], Any]]


def _min_or_max(min: Optional[bool], max: Optional[bool]) -> str:
    return "MIN" if min else "MAX"


class SortedSetCommands(CommandBase):
    """Redis commands for the sorted-set data type."""

    __slots__ = ()

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
        """Set any number of member/score pairs (``mapping``: member -> score)
        in the sorted set ``name``. ``nx``: only add new members; ``xx``: only
        update existing ones; ``ch``: count changed members too; ``incr``: act
        as ZINCRBY on the one pair and return the new score; ``gt``/``lt``:
        only update when the new score is greater/less."""
        if not mapping:
            raise DataError("ZADD requires at least one element/score pair")
        if nx and xx:
            raise DataError("ZADD allows either 'nx' or 'xx', not both")
        if gt and lt:
            raise DataError("ZADD allows either 'gt' or 'lt', not both")
        if incr and len(mapping) != 1:
            raise DataError("ZADD option 'incr' only works when passing a single element/score pair")
        if nx and (gt or lt):
            raise DataError("Only one of 'nx', 'lt', or 'gr' may be defined.")
        pieces: List[Any] = []
        options: Dict[str, Any] = {}
        if nx:
            pieces.append(b"NX")
        if xx:
            pieces.append(b"XX")
        if ch:
            pieces.append(b"CH")
        if incr:
            pieces.append(b"INCR")
            options["as_score"] = True
        if gt:
            pieces.append(b"GT")
        if lt:
            pieces.append(b"LT")
        for member, score in mapping.items():
            pieces.append(score)
            pieces.append(member)
        return self.execute_command("ZADD", name, *pieces, **options)

    def zcard(self, name: KeyT) -> ResponseT:
        """Return the number of elements in the sorted set ``name``"""
        return self.execute_command("ZCARD", name)

    def zcount(self, name: KeyT, min: ZScoreBoundT, max: ZScoreBoundT) -> ResponseT:
        """The number of members of ``name`` with a score between ``min`` and ``max``."""
        return self.execute_command("ZCOUNT", name, min, max)

    def zdiff(self, keys: Sequence[KeyT], withscores: bool = False) -> ResponseT:
        """The members of the first sorted set of ``keys`` that are in none of
        the others (with ``withscores``, a flat member, score list, as redis-py)."""
        pieces: List[Any] = [len(keys), *keys]
        if withscores:
            pieces.append("WITHSCORES")
        return self.execute_command("ZDIFF", *pieces)

    def zdiffstore(self, dest: KeyT, keys: Sequence[KeyT]) -> ResponseT:
        """Store the difference of the sorted sets ``keys`` in ``dest``; its size."""
        return self.execute_command("ZDIFFSTORE", dest, len(keys), *keys)

    def zincrby(self, name: KeyT, amount: float, value: EncodableT) -> ResponseT:
        """Increment the score of ``value`` in sorted set ``name`` by ``amount``"""
        return self.execute_command("ZINCRBY", name, amount, value)

    def zinter(
        self,
        keys: Union[Sequence[KeyT], Mapping[AnyKeyT, float]],
        aggregate: Optional[str] = None,
        withscores: bool = False,
    ) -> ResponseT:
        """The intersection of the sorted sets ``keys`` (a dict gives weights),
        scores aggregated by ``aggregate`` (SUM, MIN or MAX)."""
        return self._zaggregate("ZINTER", None, keys, aggregate, withscores=withscores)

    def zinterstore(
        self,
        dest: KeyT,
        keys: Union[Sequence[KeyT], Mapping[AnyKeyT, float]],
        aggregate: Optional[str] = None,
    ) -> ResponseT:
        """Store the intersection of the sorted sets ``keys`` in ``dest``; its size."""
        return self._zaggregate("ZINTERSTORE", dest, keys, aggregate)

    def zintercard(self, numkeys: int, keys: List[KeyT], limit: int = 0) -> ResponseT:
        """The cardinality of the intersection of the sorted sets ``keys``,
        stopping at ``limit`` when it is not 0."""
        return self.execute_command("ZINTERCARD", numkeys, *keys, "LIMIT", limit)

    def zlexcount(self, name: KeyT, min: EncodableT, max: EncodableT) -> ResponseT:
        """The number of members of ``name`` between the lexicographical range
        ``min`` and ``max``."""
        return self.execute_command("ZLEXCOUNT", name, min, max)

    def zpopmax(self, name: KeyT, count: Optional[int] = None) -> ResponseT:
        """Remove and return up to ``count`` members with the highest scores."""
        return self._zpop("ZPOPMAX", name, count)

    def zpopmin(self, name: KeyT, count: Optional[int] = None) -> ResponseT:
        """Remove and return up to ``count`` members with the lowest scores."""
        return self._zpop("ZPOPMIN", name, count)

    def _zpop(self, command: str, name: KeyT, count: Optional[int]) -> ResponseT:
        args = (count is not None) and [count] or []
        return self.execute_command(command, name, *args, withscores=True)

    def zrandmember(self, key: KeyT, count: Optional[int] = None, withscores: bool = False) -> ResponseT:
        """A random member of the sorted set ``key``; with ``count``, a list
        (distinct when positive, possibly repeated when negative); with
        ``withscores``, a flat member, score list."""
        params: List[Any] = []
        if count is not None:
            params.append(count)
        if withscores:
            params.append("WITHSCORES")
        return self.execute_command("ZRANDMEMBER", key, *params)

    def bzpopmax(self, keys: KeysT, timeout: TimeoutSecT = 0) -> ResponseT:
        """ZPOPMAX a member off the first non-empty sorted set of ``keys``,
        blocking up to ``timeout`` seconds (0: forever)."""
        return self.execute_command("BZPOPMAX", *keys_then_timeout(keys, timeout))

    def bzpopmin(self, keys: KeysT, timeout: TimeoutSecT = 0) -> ResponseT:
        """ZPOPMIN a member off the first non-empty sorted set of ``keys``,
        blocking up to ``timeout`` seconds (0: forever)."""
        return self.execute_command("BZPOPMIN", *keys_then_timeout(keys, timeout))

    def zmpop(
        self,
        num_keys: int,
        keys: List[KeyT],
        min: Optional[bool] = False,
        max: Optional[bool] = False,
        count: Optional[int] = 1,
    ) -> ResponseT:
        """Pop ``count`` members (default 1) off the first non-empty sorted set
        of ``keys``, the lowest (``min``) or highest (``max``) scores."""
        if (min and max) or (not min and not max):
            raise DataError
        args: List[Any] = [num_keys, *keys, _min_or_max(min, max)]
        if count != 1:
            args.extend(["COUNT", count])
        return self.execute_command("ZMPOP", *args)

    def bzmpop(
        self,
        timeout: float,
        numkeys: int,
        keys: List[KeyT],
        min: Optional[bool] = False,
        max: Optional[bool] = False,
        count: Optional[int] = 1,
    ) -> ResponseT:
        """Blocking zmpop: waits up to ``timeout`` seconds (0: forever)."""
        if (min and max) or (not min and not max):
            raise DataError("Either min or max, but not both must be set")
        args: List[Any] = [timeout, numkeys, *keys, _min_or_max(min, max), "COUNT", count]
        return self.execute_command("BZMPOP", *args)

    def _zrange(
        self,
        command: str,
        dest: Optional[KeyT],
        name: KeyT,
        start: Any,
        end: Any,
        desc: bool = False,
        byscore: bool = False,
        bylex: bool = False,
        withscores: bool = False,
        score_cast_func: Optional[ScoreCastT] = float,
        offset: Optional[int] = None,
        num: Optional[int] = None,
    ) -> ResponseT:
        if byscore and bylex:
            raise DataError("``byscore`` and ``bylex`` can not be specified together.")
        if (offset is not None and num is None) or (num is not None and offset is None):
            raise DataError("``offset`` and ``num`` must both be specified.")
        if bylex and withscores:
            raise DataError("``withscores`` not supported in combination with ``bylex``.")
        pieces: List[Any] = [command]
        if dest:
            pieces.append(dest)
        pieces.extend([name, start, end])
        if byscore:
            pieces.append("BYSCORE")
        if bylex:
            pieces.append("BYLEX")
        if desc:
            pieces.append("REV")
        if offset is not None and num is not None:
            pieces.extend(["LIMIT", offset, num])
        return self._scored(pieces, withscores, score_cast_func)

    def _scored(self, pieces: List[Any], withscores: bool, score_cast_func: Optional[ScoreCastT]) -> ResponseT:
        """The command in ``pieces``, WITHSCORES and its reply as pairs when asked."""
        if withscores:
            pieces.append(b"WITHSCORES")
        return self.execute_command(*pieces, withscores=withscores, score_cast_func=score_cast_func)

    def zrange(
        self,
        name: KeyT,
        start: Any,
        end: Any,
        desc: bool = False,
        withscores: bool = False,
        score_cast_func: ScoreCastT = float,
        byscore: bool = False,
        bylex: bool = False,
        offset: Optional[int] = None,
        num: Optional[int] = None,
    ) -> ResponseT:
        """Members of the sorted set ``name`` from ``start`` to ``end``: by
        rank, by score (``byscore``) or lexicographically (``bylex``, bounds
        starting with ``(`` or ``[``); ``desc`` reverses the order; ``offset``
        and ``num`` take a slice; ``withscores`` returns (member, score) pairs
        with scores cast by ``score_cast_func``."""
        # A plain descending rank range is ZREVRANGE, as redis-py sends it.
        if not byscore and not bylex and (offset is None and num is None) and desc:
            return self.zrevrange(name, start, end, withscores, score_cast_func)
        return self._zrange(
            "ZRANGE", None, name, start, end, desc, byscore, bylex,
            withscores, score_cast_func, offset, num,
        )  # fmt: skip

    def zrevrange(
        self,
        name: KeyT,
        start: int,
        end: int,
        withscores: bool = False,
        score_cast_func: ScoreCastT = float,
    ) -> ResponseT:
        """Members of ``name`` from rank ``start`` to ``end``, highest scores first."""
        return self._scored(["ZREVRANGE", name, start, end], withscores, score_cast_func)

    def zrangestore(
        self,
        dest: KeyT,
        name: KeyT,
        start: Any,
        end: Any,
        byscore: bool = False,
        bylex: bool = False,
        desc: bool = False,
        offset: Optional[int] = None,
        num: Optional[int] = None,
    ) -> ResponseT:
        """Store in ``dest`` the range ``zrange`` would return; its size."""
        return self._zrange(
            "ZRANGESTORE", dest, name, start, end, desc, byscore, bylex,
            False, None, offset, num,
        )  # fmt: skip

    def zrangebylex(
        self,
        name: KeyT,
        min: EncodableT,
        max: EncodableT,
        start: Optional[int] = None,
        num: Optional[int] = None,
    ) -> ResponseT:
        """Members of ``name`` between the lexicographical bounds ``min`` and
        ``max``; ``start`` and ``num`` take a slice."""
        return self.execute_command("ZRANGEBYLEX", name, min, max, *limit_args(start, num))

    def zrevrangebylex(
        self,
        name: KeyT,
        max: EncodableT,
        min: EncodableT,
        start: Optional[int] = None,
        num: Optional[int] = None,
    ) -> ResponseT:
        """As ``zrangebylex``, from ``max`` down to ``min``."""
        return self.execute_command("ZREVRANGEBYLEX", name, max, min, *limit_args(start, num))

    def zrangebyscore(
        self,
        name: KeyT,
        min: ZScoreBoundT,
        max: ZScoreBoundT,
        start: Optional[int] = None,
        num: Optional[int] = None,
        withscores: bool = False,
        score_cast_func: ScoreCastT = float,
    ) -> ResponseT:
        """Members of ``name`` with scores between ``min`` and ``max``;
        ``start`` and ``num`` take a slice; ``withscores`` gives pairs."""
        return self._scored(["ZRANGEBYSCORE", name, min, max, *limit_args(start, num)], withscores, score_cast_func)

    def zrevrangebyscore(
        self,
        name: KeyT,
        max: ZScoreBoundT,
        min: ZScoreBoundT,
        start: Optional[int] = None,
        num: Optional[int] = None,
        withscores: bool = False,
        score_cast_func: ScoreCastT = float,
    ) -> ResponseT:
        """As ``zrangebyscore``, from ``max`` down to ``min``."""
        return self._scored(["ZREVRANGEBYSCORE", name, max, min, *limit_args(start, num)], withscores, score_cast_func)

    def zrank(self, name: KeyT, value: EncodableT, withscore: bool = False) -> ResponseT:
        """The 0-based rank of ``value`` in ``name`` (with ``withscore``,
        [rank, score] as the reply gives it)."""
        return self._zrank("ZRANK", name, value, withscore)

    def _zrank(self, command: str, name: KeyT, value: EncodableT, withscore: bool) -> ResponseT:
        if withscore:
            return self.execute_command(command, name, value, "WITHSCORE")
        return self.execute_command(command, name, value)

    def zrem(self, name: KeyT, *values: FieldT) -> ResponseT:
        """Remove member ``values`` from sorted set ``name``"""
        return self.execute_command("ZREM", name, *values)

    def zremrangebylex(self, name: KeyT, min: EncodableT, max: EncodableT) -> ResponseT:
        """Remove the members between the lexicographical bounds ``min`` and
        ``max``; the number removed."""
        return self.execute_command("ZREMRANGEBYLEX", name, min, max)

    def zremrangebyrank(self, name: KeyT, min: int, max: int) -> ResponseT:
        """Remove the members with ranks between ``min`` and ``max``; the number removed."""
        return self.execute_command("ZREMRANGEBYRANK", name, min, max)

    def zremrangebyscore(self, name: KeyT, min: ZScoreBoundT, max: ZScoreBoundT) -> ResponseT:
        """Remove the members with scores between ``min`` and ``max``; the number removed."""
        return self.execute_command("ZREMRANGEBYSCORE", name, min, max)

    def zrevrank(self, name: KeyT, value: EncodableT, withscore: bool = False) -> ResponseT:
        """The 0-based rank of ``value`` in ``name``, highest score first."""
        return self._zrank("ZREVRANK", name, value, withscore)

    def zscore(self, name: KeyT, value: EncodableT) -> ResponseT:
        """Return the score of element ``value`` in sorted set ``name``"""
        return self.execute_command("ZSCORE", name, value)

    def zunion(
        self,
        keys: Union[Sequence[KeyT], Mapping[AnyKeyT, float]],
        aggregate: Optional[str] = None,
        withscores: bool = False,
    ) -> ResponseT:
        """The union of the sorted sets ``keys`` (a dict gives weights),
        scores aggregated by ``aggregate`` (SUM, MIN or MAX)."""
        return self._zaggregate("ZUNION", None, keys, aggregate, withscores=withscores)

    def zunionstore(
        self,
        dest: KeyT,
        keys: Union[Sequence[KeyT], Mapping[AnyKeyT, float]],
        aggregate: Optional[str] = None,
    ) -> ResponseT:
        """Store the union of the sorted sets ``keys`` in ``dest``; its size."""
        return self._zaggregate("ZUNIONSTORE", dest, keys, aggregate)

    def zmscore(self, key: KeyT, members: List[EncodableT]) -> ResponseT:
        """The scores of ``members`` in ``key`` (None for a missing member)."""
        if not members:
            raise DataError("ZMSCORE members must be a non-empty list")
        return self.execute_command("ZMSCORE", key, *members)

    def zscan(
        self,
        name: KeyT,
        cursor: int = 0,
        match: Optional[PatternT] = None,
        count: Optional[int] = None,
        score_cast_func: ScoreCastT = float,
    ) -> ResponseT:
        """Incrementally return (member, score) pairs of a sorted set, and a cursor."""
        return self.execute_command("ZSCAN", *scan_args([name, cursor], match, count), score_cast_func=score_cast_func)

    def zscan_iter(
        self,
        name: KeyT,
        match: Optional[PatternT] = None,
        count: Optional[int] = None,
        score_cast_func: ScoreCastT = float,
    ) -> Iterator[Tuple[Any, Any]]:
        """Iterate over the sorted set's (member, score) pairs using ZSCAN."""
        cursor: Any = "0"
        while cursor != 0:
            reply: Any = self.zscan(
                name, cursor=cursor, match=match, count=count,
                score_cast_func=score_cast_func,
            )  # fmt: skip
            cursor, data = reply
            yield from data

    def _zaggregate(
        self,
        command: str,
        dest: Optional[KeyT],
        keys: Union[Sequence[KeyT], Mapping[AnyKeyT, float]],
        aggregate: Optional[str] = None,
        **options: Any,
    ) -> ResponseT:
        pieces: List[Any] = [command]
        if dest is not None:
            pieces.append(dest)
        pieces.append(len(keys))
        weights: Any = None
        if isinstance(keys, dict):
            keys, weights = keys.keys(), keys.values()  # type: ignore[assignment]
        pieces.extend(keys)
        if weights:
            pieces.append(b"WEIGHTS")
            pieces.extend(weights)
        if aggregate:
            if aggregate.upper() in ["SUM", "MIN", "MAX"]:
                pieces.append(b"AGGREGATE")
                pieces.append(aggregate)
            else:
                raise DataError("aggregate can be sum, min or max.")
        if options.get("withscores", False):
            pieces.append(b"WITHSCORES")
        return self.execute_command(*pieces, **options)
