"""Bitmap commands (SETBIT, BITCOUNT, BITOP, BITFIELD, ...), shaped as redis-py's."""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from ..exceptions import DataError
from ..typing import BitfieldOffsetT, EncodableT, KeyT, ResponseT
from .base import CallbackMap, CommandBase

CALLBACKS: CallbackMap = {}


class BitFieldOperation:
    """Builds one BITFIELD command from chained GET/SET/INCRBY/OVERFLOW calls."""

    def __init__(self, client: CommandBase, key: KeyT, default_overflow: Optional[str] = None) -> None:
        self.client = client
        self.key = key
        self._default_overflow = default_overflow
        self.operations: List[Tuple[EncodableT, ...]] = []
        self._last_overflow = "WRAP"
        self.reset()

    def reset(self) -> None:
        """Forget the queued operations."""
        self.operations = []
        self._last_overflow = "WRAP"
        self.overflow(self._default_overflow or self._last_overflow)

    def overflow(self, overflow: str) -> "BitFieldOperation":
        """The overflow behaviour (WRAP, SAT, FAIL) of the INCRBY operations that follow."""
        overflow = overflow.upper()
        if overflow != self._last_overflow:
            self._last_overflow = overflow
            self.operations.append(("OVERFLOW", overflow))
        return self

    def incrby(
        self, fmt: str, offset: BitfieldOffsetT, increment: int, overflow: Optional[str] = None
    ) -> "BitFieldOperation":
        """Increment the field ``fmt`` (e.g. 'u8') at ``offset`` ('#n' multiplies by the width)."""
        if overflow is not None:
            self.overflow(overflow)
        self.operations.append(("INCRBY", fmt, offset, increment))
        return self

    def get(self, fmt: str, offset: BitfieldOffsetT) -> "BitFieldOperation":
        """Read the field ``fmt`` at ``offset``."""
        self.operations.append(("GET", fmt, offset))
        return self

    def set(self, fmt: str, offset: BitfieldOffsetT, value: int) -> "BitFieldOperation":
        """Write ``value`` into the field ``fmt`` at ``offset``."""
        self.operations.append(("SET", fmt, offset, value))
        return self

    @property
    def command(self) -> List[Any]:
        cmd: List[Any] = ["BITFIELD", self.key]
        for ops in self.operations:
            cmd.extend(ops)
        return cmd

    def execute(self) -> ResponseT:
        """Run the queued operations as one BITFIELD (queued, on a pipeline)."""
        command = self.command
        self.reset()
        return self.client.execute_command(*command)


class BitmapCommands(CommandBase):
    """Commands on strings as bit arrays."""

    __slots__ = ()

    def bitcount(
        self, key: KeyT, start: Optional[int] = None, end: Optional[int] = None, mode: Optional[str] = None
    ) -> ResponseT:
        """The number of set bits in ``key``, optionally between ``start`` and ``end`` (BYTE/BIT ``mode``)."""
        params: List[Any] = [key]
        if start is not None and end is not None:
            params.append(start)
            params.append(end)
        elif (start is not None and end is None) or (end is not None and start is None):
            raise DataError("Both start and end must be specified")
        if mode is not None:
            params.append(mode)
        return self.execute_command("BITCOUNT", *params, keys=[key])

    def bitfield(self, key: KeyT, default_overflow: Optional[str] = None) -> BitFieldOperation:
        """A BitFieldOperation building a BITFIELD command on ``key``."""
        return BitFieldOperation(self, key, default_overflow=default_overflow)

    def bitfield_ro(
        self,
        key: KeyT,
        encoding: str,
        offset: BitfieldOffsetT,
        items: Optional[list] = None,  # type: ignore[type-arg]
    ) -> ResponseT:
        """BITFIELD_RO GET ``encoding`` ``offset``, then one GET per (encoding, offset) of ``items``."""
        params: List[Any] = [key, "GET", encoding, offset]
        for enc, off in items or []:
            params.extend(["GET", enc, off])
        return self.execute_command("BITFIELD_RO", *params, keys=[key])

    def bitop(self, operation: str, dest: KeyT, *keys: KeyT) -> ResponseT:
        """Store ``operation`` (AND, OR, XOR, NOT) of ``keys`` in ``dest``."""
        return self.execute_command("BITOP", operation, dest, *keys)

    def bitpos(
        self,
        key: KeyT,
        bit: int,
        start: Optional[int] = None,
        end: Optional[int] = None,
        mode: Optional[str] = None,
    ) -> ResponseT:
        """The position of the first ``bit`` (0 or 1) in ``key``, within the byte (or BIT ``mode``) range."""
        if bit not in (0, 1):
            raise DataError("bit must be 0 or 1")
        params: List[Any] = [key, bit]
        if start is not None:
            params.append(start)
        if start is not None and end is not None:
            params.append(end)
        elif start is None and end is not None:
            raise DataError("start argument is not set, when end is specified")
        if mode is not None:
            params.append(mode)
        return self.execute_command("BITPOS", *params, keys=[key])

    def getbit(self, name: KeyT, offset: int) -> ResponseT:
        """The bit at ``offset`` in ``name``."""
        return self.execute_command("GETBIT", name, offset, keys=[name])

    def setbit(self, name: KeyT, offset: int, value: int) -> ResponseT:
        """Set the bit at ``offset`` in ``name`` to ``value``; return the old bit."""
        value = value and 1 or 0
        return self.execute_command("SETBIT", name, offset, value)
