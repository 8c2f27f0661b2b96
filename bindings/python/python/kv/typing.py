"""Type aliases of the public API, named as redis-py's ``redis.typing``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Awaitable, Iterable, Protocol, TypeVar, Union

Number = Union[int, float]
EncodedT = Union[bytes, bytearray, memoryview]
DecodedT = Union[str, int, float]
EncodableT = Union[EncodedT, DecodedT]
AbsExpiryT = Union[int, datetime]
ExpiryT = Union[int, timedelta]
ZScoreBoundT = Union[float, str]  # str allows the "(" and "[" prefixes
BitfieldOffsetT = Union[int, str]  # str allows the "#x" syntax
_StringLikeT = Union[bytes, str, memoryview]
KeyT = _StringLikeT
PatternT = _StringLikeT
FieldT = EncodableT
KeysT = Union[KeyT, Iterable[KeyT]]
# What a command method returns: the reply on Redis, the pipeline on Pipeline,
# an awaitable on kv.asyncio.Redis; as in redis-py, one alias for all three.
ResponseT = Union[Awaitable[Any], Any]
ChannelT = _StringLikeT
TimeoutSecT = Union[int, float, _StringLikeT]
AnyKeyT = TypeVar("AnyKeyT", bytes, str, memoryview)
AnyFieldT = TypeVar("AnyFieldT", bytes, str, memoryview)


class CommandsProtocol(Protocol):
    def execute_command(self, *args: Any, **options: Any) -> ResponseT: ...
