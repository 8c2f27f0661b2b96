"""What every command mixin relies on."""

from __future__ import annotations

from typing import Any, Callable, Dict

from ..typing import ResponseT

Callback = Callable[..., Any]
CallbackMap = Dict[str, Callback]


class CommandBase:
    """Base of the command mixins: a method builds the command's arguments and
    returns ``self.execute_command(...)``; reply shaping is a response callback
    (each family module's ``CALLBACKS``), so one method serves the client, the
    pipeline (which queues and returns itself) and the asyncio client (whose
    ``execute_command`` is a coroutine)."""

    __slots__ = ()

    def execute_command(self, *args: Any, **options: Any) -> ResponseT:
        raise NotImplementedError
