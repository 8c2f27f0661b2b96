"""Placeholder: filled by the hashes family's owner."""

from __future__ import annotations

from .base import CallbackMap, CommandBase

CALLBACKS: CallbackMap = {}


class HashCommands(CommandBase):
    pass
