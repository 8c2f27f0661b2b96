"""Placeholder: filled by the sortedsets family's owner."""

from __future__ import annotations

from .base import CallbackMap, CommandBase

CALLBACKS: CallbackMap = {}


class SortedSetCommands(CommandBase):
    pass
