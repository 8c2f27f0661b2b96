"""keys commands, shaped as redis-py's."""

from __future__ import annotations

from .base import CallbackMap, CommandBase

CALLBACKS: CallbackMap = {}


class KeyCommands(CommandBase):
    pass
