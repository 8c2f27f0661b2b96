"""Placeholder: filled by the lists family's owner."""

from __future__ import annotations

from .base import CallbackMap, CommandBase

CALLBACKS: CallbackMap = {}


class ListCommands(CommandBase):
    pass
