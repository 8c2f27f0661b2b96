"""List commands, shaped as redis-py's ``ListCommands`` (plus LMOVE and BLMOVE)."""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from ..typing import EncodableT, FieldT, KeysT, KeyT, Number, ResponseT
from .base import CallbackMap, CommandBase
from .helpers import bool_ok, keys_then_timeout


def parse_bpop(response: Any, **options: Any) -> Optional[Tuple[Any, ...]]:
    """BLPOP/BRPOP: (key, value), or None on timeout."""
    return response and tuple(response) or None


CALLBACKS: CallbackMap = {
    "LSET": bool_ok,
    "LTRIM": bool_ok,
    "BLPOP": parse_bpop,
    "BRPOP": parse_bpop,
}

#: redis-py's callbacks for RESP3 sessions (HELLO 3): BLPOP/BRPOP stay lists.
CALLBACKS_RESP3: CallbackMap = {"LSET": bool_ok, "LTRIM": bool_ok}


class ListCommands(CommandBase):
    """Redis commands for the list data type."""

    __slots__ = ()

    def blpop(self, keys: KeysT, timeout: Optional[Number] = 0) -> ResponseT:
        """LPOP a value off of the first non-empty list named in ``keys``,
        blocking up to ``timeout`` seconds (0: forever) for one to be pushed."""
        return self.execute_command("BLPOP", *keys_then_timeout(keys, timeout))

    def brpop(self, keys: KeysT, timeout: Optional[Number] = 0) -> ResponseT:
        """RPOP a value off of the first non-empty list named in ``keys``,
        blocking up to ``timeout`` seconds (0: forever) for one to be pushed."""
        return self.execute_command("BRPOP", *keys_then_timeout(keys, timeout))

    def brpoplpush(self, src: KeyT, dst: KeyT, timeout: Optional[Number] = 0) -> ResponseT:
        """Pop a value off the tail of ``src``, push it on the head of ``dst``
        and return it, blocking up to ``timeout`` seconds (0: forever)."""
        if timeout is None:
            timeout = 0
        return self.execute_command("BRPOPLPUSH", src, dst, timeout)

    def blmpop(
        self,
        timeout: float,
        numkeys: int,
        *args: KeyT,
        direction: str,
        count: Optional[int] = 1,
    ) -> ResponseT:
        """Pop ``count`` values (default 1) from the first non-empty list of
        ``args``, blocking up to ``timeout`` seconds (0: forever)."""
        pieces = [timeout, numkeys, *args, direction, "COUNT", count]
        return self.execute_command("BLMPOP", *pieces)

    def lmpop(
        self,
        num_keys: int,
        *args: KeyT,
        direction: str,
        count: Optional[int] = 1,
    ) -> ResponseT:
        """Pop ``count`` values (default 1) from the first non-empty list of ``args``."""
        pieces: List[Any] = [num_keys, *args, direction]
        if count != 1:
            pieces.extend(["COUNT", count])
        return self.execute_command("LMPOP", *pieces)

    def lindex(self, name: KeyT, index: int) -> ResponseT:
        """Return the item from list ``name`` at position ``index`` (negative
        indexes count from the end)."""
        return self.execute_command("LINDEX", name, index)

    def linsert(self, name: KeyT, where: str, refvalue: EncodableT, value: EncodableT) -> ResponseT:
        """Insert ``value`` in list ``name`` either immediately before or after
        [``where``] ``refvalue``; the new length, or -1 without ``refvalue``."""
        return self.execute_command("LINSERT", name, where, refvalue, value)

    def llen(self, name: KeyT) -> ResponseT:
        """Return the length of the list ``name``"""
        return self.execute_command("LLEN", name)

    def lmove(
        self,
        first_list: KeyT,
        second_list: KeyT,
        src: str = "LEFT",
        dest: str = "RIGHT",
    ) -> ResponseT:
        """Atomically pop the first/last element of ``first_list`` and push it
        as the first/last element of ``second_list``; returns the element."""
        return self.execute_command("LMOVE", first_list, second_list, src, dest)

    def blmove(
        self,
        first_list: KeyT,
        second_list: KeyT,
        timeout: Number,
        src: str = "LEFT",
        dest: str = "RIGHT",
    ) -> ResponseT:
        """Blocking version of lmove."""
        return self.execute_command("BLMOVE", first_list, second_list, src, dest, timeout)

    def lpop(self, name: KeyT, count: Optional[int] = None) -> ResponseT:
        """Remove and return the first element of the list ``name`` (up to
        ``count`` of them as a list when ``count`` is given)."""
        if count is not None:
            return self.execute_command("LPOP", name, count)
        return self.execute_command("LPOP", name)

    def lpush(self, name: KeyT, *values: FieldT) -> ResponseT:
        """Push ``values`` onto the head of the list ``name``"""
        return self.execute_command("LPUSH", name, *values)

    def lpushx(self, name: KeyT, *values: FieldT) -> ResponseT:
        """Push ``value`` onto the head of the list ``name`` if ``name`` exists"""
        return self.execute_command("LPUSHX", name, *values)

    def lrange(self, name: KeyT, start: int, end: int) -> ResponseT:
        """Return a slice of the list ``name`` between position ``start`` and
        ``end`` (inclusive; negative positions count from the end)."""
        return self.execute_command("LRANGE", name, start, end)

    def lrem(self, name: KeyT, count: int, value: EncodableT) -> ResponseT:
        """Remove the first ``count`` occurrences of ``value`` from the list
        ``name`` (count > 0: from the head, < 0: from the tail, 0: all)."""
        return self.execute_command("LREM", name, count, value)

    def lset(self, name: KeyT, index: int, value: EncodableT) -> ResponseT:
        """Set element at ``index`` of list ``name`` to ``value``"""
        return self.execute_command("LSET", name, index, value)

    def ltrim(self, name: KeyT, start: int, end: int) -> ResponseT:
        """Trim the list ``name``, removing all values not within the slice
        between ``start`` and ``end``"""
        return self.execute_command("LTRIM", name, start, end)

    def rpop(self, name: KeyT, count: Optional[int] = None) -> ResponseT:
        """Remove and return the last element of the list ``name`` (up to
        ``count`` of them as a list when ``count`` is given)."""
        if count is not None:
            return self.execute_command("RPOP", name, count)
        return self.execute_command("RPOP", name)

    def rpoplpush(self, src: KeyT, dst: KeyT) -> ResponseT:
        """RPOP a value off of the ``src`` list and atomically LPUSH it
        on to the ``dst`` list.  Returns the value."""
        return self.execute_command("RPOPLPUSH", src, dst)

    def rpush(self, name: KeyT, *values: FieldT) -> ResponseT:
        """Push ``values`` onto the tail of the list ``name``"""
        return self.execute_command("RPUSH", name, *values)

    def rpushx(self, name: KeyT, *values: FieldT) -> ResponseT:
        """Push ``value`` onto the tail of the list ``name`` if ``name`` exists"""
        return self.execute_command("RPUSHX", name, *values)

    def lpos(
        self,
        name: KeyT,
        value: EncodableT,
        rank: Optional[int] = None,
        count: Optional[int] = None,
        maxlen: Optional[int] = None,
    ) -> ResponseT:
        """Position of ``value`` within the list ``name``: the ``rank``-th match
        (negative: from the tail), a list of up to ``count`` positions (0: all)
        when ``count`` is given, scanning at most ``maxlen`` elements."""
        pieces: List[Any] = [name, value]
        if rank is not None:
            pieces.extend(["RANK", rank])
        if count is not None:
            pieces.extend(["COUNT", count])
        if maxlen is not None:
            pieces.extend(["MAXLEN", maxlen])
        return self.execute_command("LPOS", *pieces)
