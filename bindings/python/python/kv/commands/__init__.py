"""The command mixins, one module per family, and their merged response callbacks."""

from __future__ import annotations

from . import bitmap, hashes, keys, lists, server, sets, sortedsets, strings
from .base import CallbackMap, CommandBase
from .bitmap import BitmapCommands
from .hashes import HashCommands
from .keys import KeyCommands
from .lists import ListCommands
from .server import ServerCommands
from .sets import SetCommands
from .sortedsets import SortedSetCommands
from .strings import StringCommands

_FAMILIES = (keys, strings, bitmap, server, hashes, lists, sets, sortedsets)


def _merge(attribute: str = "CALLBACKS") -> CallbackMap:
    merged: CallbackMap = {}
    for family in _FAMILIES:
        # A family without RESP3 callbacks of its own keeps its RESP2 ones.
        for name, cb in getattr(family, attribute, family.CALLBACKS).items():
            assert name == name.upper(), name
            assert name not in merged, f"callback for {name} defined twice"
            merged[name] = cb
    return merged


# Every family's response callbacks, keyed by upper-case command name
# ("CLIENT LIST" for a subcommand), as redis-py's RESP2 callbacks.
CALLBACKS: CallbackMap = _merge()

# The callbacks of a RESP3 session (protocol=3), as redis-py's
# _RedisCallbacks + _RedisCallbacksRESP3: maps and doubles arrive shaped.
CALLBACKS_RESP3: CallbackMap = _merge("CALLBACKS_RESP3")


class CoreCommands(
    KeyCommands,
    StringCommands,
    BitmapCommands,
    ServerCommands,
    HashCommands,
    ListCommands,
    SetCommands,
    SortedSetCommands,
):
    """Every command method kv supports, without an execution strategy."""

    __slots__ = ()


__all__ = [
    "CALLBACKS",
    "CALLBACKS_RESP3",
    "BitmapCommands",
    "CommandBase",
    "CoreCommands",
    "HashCommands",
    "KeyCommands",
    "ListCommands",
    "ServerCommands",
    "SetCommands",
    "SortedSetCommands",
    "StringCommands",
]
