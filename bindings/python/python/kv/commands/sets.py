"""Set commands, shaped as redis-py's ``SetCommands`` (plus SSCAN)."""

from __future__ import annotations

from typing import Any, Iterator, List, Optional, Set

from ..typing import EncodableT, FieldT, KeysT, KeyT, PatternT, ResponseT
from .base import CallbackMap, CommandBase
from .helpers import list_or_args, parse_scan, scan_args, to_bool


def to_set(response: Any, **options: Any) -> Set[Any]:
    return response and set(response) or set()


CALLBACKS: CallbackMap = {
    "SDIFF": to_set,
    "SINTER": to_set,
    "SMEMBERS": to_set,
    "SUNION": to_set,
    "SMOVE": to_bool,
    "SSCAN": parse_scan,
}

#: redis-py's callbacks for RESP3 sessions (HELLO 3): the same.
CALLBACKS_RESP3: CallbackMap = dict(CALLBACKS)


class SetCommands(CommandBase):
    """Redis commands for the set data type."""

    __slots__ = ()

    def sadd(self, name: KeyT, *values: FieldT) -> ResponseT:
        """Add ``value(s)`` to set ``name``"""
        return self.execute_command("SADD", name, *values)

    def scard(self, name: KeyT) -> ResponseT:
        """Return the number of elements in set ``name``"""
        return self.execute_command("SCARD", name)

    def sdiff(self, keys: KeysT, *args: KeyT) -> ResponseT:
        """Return the difference of sets specified by ``keys``"""
        return self.execute_command("SDIFF", *list_or_args(keys, args))

    def sdiffstore(self, dest: KeyT, keys: KeysT, *args: KeyT) -> ResponseT:
        """Store the difference of sets specified by ``keys`` into a new
        set named ``dest``.  Returns the number of keys in the new set."""
        return self.execute_command("SDIFFSTORE", dest, *list_or_args(keys, args))

    def sinter(self, keys: KeysT, *args: KeyT) -> ResponseT:
        """Return the intersection of sets specified by ``keys``"""
        return self.execute_command("SINTER", *list_or_args(keys, args))

    def sintercard(self, numkeys: int, keys: List[KeyT], limit: int = 0) -> ResponseT:
        """Return the cardinality of the intersection of the sets ``keys``,
        stopping at ``limit`` when it is not 0."""
        return self.execute_command("SINTERCARD", numkeys, *keys, "LIMIT", limit)

    def sinterstore(self, dest: KeyT, keys: KeysT, *args: KeyT) -> ResponseT:
        """Store the intersection of sets specified by ``keys`` into a new
        set named ``dest``.  Returns the number of keys in the new set."""
        return self.execute_command("SINTERSTORE", dest, *list_or_args(keys, args))

    def sismember(self, name: KeyT, value: EncodableT) -> ResponseT:
        """Return whether ``value`` is a member of set ``name``: 1 or 0."""
        return self.execute_command("SISMEMBER", name, value)

    def smembers(self, name: KeyT) -> ResponseT:
        """Return all members of the set ``name``"""
        return self.execute_command("SMEMBERS", name)

    def smismember(self, name: KeyT, values: Any, *args: EncodableT) -> ResponseT:
        """Return whether each value in ``values`` is a member of the set
        ``name``, as a list of 1 or 0 in the order of ``values``."""
        members = list_or_args(values, args)
        return self.execute_command("SMISMEMBER", name, *members)

    def smove(self, src: KeyT, dst: KeyT, value: EncodableT) -> ResponseT:
        """Move ``value`` from set ``src`` to set ``dst`` atomically"""
        return self.execute_command("SMOVE", src, dst, value)

    def spop(self, name: KeyT, count: Optional[int] = None) -> ResponseT:
        """Remove and return a random member of set ``name`` (a list of up to
        ``count`` members when ``count`` is given)."""
        args = (count is not None) and [count] or []
        return self.execute_command("SPOP", name, *args)

    def srandmember(self, name: KeyT, number: Optional[int] = None) -> ResponseT:
        """A random member of set ``name``; with ``number``, a list of that
        many (distinct when positive, possibly repeated when negative)."""
        args = (number is not None) and [number] or []
        return self.execute_command("SRANDMEMBER", name, *args)

    def srem(self, name: KeyT, *values: FieldT) -> ResponseT:
        """Remove ``values`` from set ``name``"""
        return self.execute_command("SREM", name, *values)

    def sunion(self, keys: KeysT, *args: KeyT) -> ResponseT:
        """Return the union of sets specified by ``keys``"""
        return self.execute_command("SUNION", *list_or_args(keys, args))

    def sunionstore(self, dest: KeyT, keys: KeysT, *args: KeyT) -> ResponseT:
        """Store the union of sets specified by ``keys`` into a new
        set named ``dest``.  Returns the number of keys in the new set."""
        return self.execute_command("SUNIONSTORE", dest, *list_or_args(keys, args))

    def sscan(
        self,
        name: KeyT,
        cursor: int = 0,
        match: Optional[PatternT] = None,
        count: Optional[int] = None,
    ) -> ResponseT:
        """Incrementally return lists of elements in a set, and a cursor."""
        return self.execute_command("SSCAN", *scan_args([name, cursor], match, count))

    def sscan_iter(
        self,
        name: KeyT,
        match: Optional[PatternT] = None,
        count: Optional[int] = None,
    ) -> Iterator[Any]:
        """Iterate over the set's members using SSCAN."""
        cursor: Any = "0"
        while cursor != 0:
            reply: Any = self.sscan(name, cursor=cursor, match=match, count=count)
            cursor, data = reply
            yield from data
