"""bitmap commands, shaped as redis-py's."""

from __future__ import annotations

from .base import CallbackMap, CommandBase

CALLBACKS: CallbackMap = {}


class BitmapCommands(CommandBase):
    pass
