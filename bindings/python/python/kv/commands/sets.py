"""Placeholder: filled by the sets family's owner."""

from __future__ import annotations

from .base import CallbackMap, CommandBase

CALLBACKS: CallbackMap = {}


class SetCommands(CommandBase):
    pass
