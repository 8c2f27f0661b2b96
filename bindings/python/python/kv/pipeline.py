"""Pipelines and transactions with redis-py's semantics.

Commands queue in Python; ``execute()`` runs them in one native call
(``Session.execute_many``): with ``transaction=True`` as MULTI ... EXEC,
atomically. A pipeline takes a session of its own from its client while it
needs one (after ``watch()``, or for ``execute()``), so WATCH state never
leaks into the client's other calls; ``reset()`` gives it back.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from .commands import CoreCommands
from .exceptions import ExecAbortError, RedisError, ResponseError, WatchError

if TYPE_CHECKING:
    from .client import Redis

Command = Tuple[Tuple[Any, ...], Dict[str, Any]]

# Commands after which a session is (WATCH) or is no longer (the others) watching.
_WATCH_STATE = {"WATCH", "UNWATCH", "EXEC", "DISCARD"}


def _sent(args: Tuple[Any, ...]) -> Tuple[Any, ...]:
    """The arguments as sent: "CONFIG GET" as one argument is two words."""
    name = args[0]
    if type(name) is str and " " in name:
        return tuple(name.split()) + args[1:]
    return args


def _safe_str(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def annotate_exception(exception: BaseException, number: int, command: Sequence[Any]) -> None:
    """Prefix the message with the failing command's position, as redis-py does."""
    cmd = " ".join(map(_safe_str, command))
    shortened = textwrap.shorten(text=cmd, width=100, placeholder="...", break_long_words=True)
    msg = f"Command # {number} ({shortened}) of pipeline caused error: {exception.args[0]}"
    exception.args = (msg,) + exception.args[1:]


class Pipeline(CoreCommands):
    """Queues commands and runs them in one call to the engine.

    In transaction mode (the default) the queued commands run as one
    MULTI/EXEC. ``watch()`` switches the pipeline to immediate mode (commands
    run as they are called, to read the watched keys) until ``multi()``.
    Errors of single commands do not stop the others; ``execute()`` raises the
    first one, or with ``raise_on_error=False`` returns them in place.
    """

    UNWATCH_COMMANDS = {"DISCARD", "EXEC", "UNWATCH"}

    def __init__(self, client: "Redis", transaction: bool = True) -> None:
        self.client = client
        self.response_callbacks = client.response_callbacks
        self.transaction = transaction
        self.watching = False
        self.explicit_transaction = False
        self.command_stack: List[Command] = []
        self._session: Optional[Any] = None

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, *exc: Any) -> None:
        self._reset()

    def __del__(self) -> None:
        try:
            self._reset()
        except Exception:
            pass

    def __len__(self) -> int:
        return len(self.command_stack)

    def __bool__(self) -> bool:
        """A pipeline is always true, even when empty."""
        return True

    # -- session ----------------------------------------------------------------

    def _get_session(self) -> Any:
        session = self._session
        if session is None:
            session = self._session = self.client._acquire_session()
        return session

    def reset(self) -> None:
        """Forget the queued commands and any WATCH, and give the session back."""
        self._reset()

    def _reset(self) -> None:
        self.command_stack = []
        session = self.__dict__.get("_session")
        if session is not None:
            self._session = None
            if self.watching:
                try:
                    session.execute("UNWATCH")
                except RedisError:
                    pass
            self.client._release_session(session)
        self.watching = False
        self.explicit_transaction = False

    def close(self) -> None:
        """Reset the pipeline."""
        self.reset()

    # -- queueing -----------------------------------------------------------------

    def multi(self) -> None:
        """Start the transaction block after ``watch()``; ``execute()`` ends it."""
        if self.explicit_transaction:
            raise RedisError("Cannot issue nested calls to MULTI")
        if self.command_stack:
            raise RedisError("Commands without an initial WATCH have already been issued")
        self.explicit_transaction = True

    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        if (self.watching or args[0] == "WATCH") and not self.explicit_transaction:
            return self.immediate_execute_command(*args, **kwargs)
        return self.pipeline_execute_command(*args, **kwargs)

    def immediate_execute_command(self, *args: Any, **options: Any) -> Any:
        """Run a command now on the pipeline's session (between WATCH and MULTI)."""
        from .client import _split_name, run_with_callback

        command_name = args[0]
        session = self._get_session()
        result = run_with_callback(self.response_callbacks, session, _split_name(args), command_name, options)
        name = command_name.upper() if isinstance(command_name, str) else command_name
        if name in self.UNWATCH_COMMANDS:
            self.watching = False
        elif name == "WATCH":
            self.watching = True
        return result

    def pipeline_execute_command(self, *args: Any, **options: Any) -> "Pipeline":
        """Queue a command for ``execute()``; return the pipeline so calls chain."""
        self.command_stack.append((args, options))
        return self

    # -- execution ----------------------------------------------------------------

    def execute(self, raise_on_error: bool = True) -> List[Any]:
        """Run every queued command; their replies, in order."""
        stack = self.command_stack
        if not stack and not self.watching:
            return []
        try:
            if self.transaction or self.explicit_transaction:
                return self._execute_transaction(stack, raise_on_error)
            return self._execute_pipeline(stack, raise_on_error)
        finally:
            self._reset()

    def _execute_transaction(self, commands: List[Command], raise_on_error: bool) -> List[Any]:
        from .client import EMPTY_RESPONSE

        session = self._get_session()
        sent = [_sent(args) for args, options in commands if EMPTY_RESPONSE not in options]
        response = session.execute_many(sent, True)
        self.watching = False  # EXEC ends every WATCH
        if response is None:
            raise WatchError("Watched variable changed.")
        for i, (args, options) in enumerate(commands):
            if EMPTY_RESPONSE in options:
                response.insert(i, options[EMPTY_RESPONSE])
        if any(isinstance(r, ExecAbortError) for r in response):
            self._raise_queue_error(commands, response)
        if len(response) != len(commands):
            raise ResponseError("Wrong number of response items from pipeline execution")
        if raise_on_error:
            self.raise_first_error(commands, response)
        return self._apply_callbacks(response, commands)

    def _raise_queue_error(self, commands: List[Command], response: List[Any]) -> None:
        """EXECABORT: a command was refused when queued (unknown, wrong
        arity): as redis-py, raise that command's own error. The engine put
        each refusal in its place and ExecAbortError in the others'."""
        for i, r in enumerate(response):
            if isinstance(r, ResponseError) and not isinstance(r, ExecAbortError):
                annotate_exception(r, i + 1, commands[i][0])
                raise r
        raise ExecAbortError("Transaction discarded because of previous errors.")

    def _execute_pipeline(self, commands: List[Command], raise_on_error: bool) -> List[Any]:
        from .client import EMPTY_RESPONSE, NEVER_DECODE

        session = self._get_session()
        if session.decode_responses and any(NEVER_DECODE in options for _, options in commands):
            response = self._run_with_raw(session, commands)
        else:
            response = session.execute_many([_sent(args) for args, _ in commands], False)
        for i, (args, options) in enumerate(commands):
            name = args[0]
            if name in _WATCH_STATE:
                self.watching = name == "WATCH"
            if options and EMPTY_RESPONSE in options and isinstance(response[i], ResponseError):
                response[i] = options[EMPTY_RESPONSE]
        data = self._apply_callbacks(response, commands)
        if raise_on_error:
            self.raise_first_error(commands, data)
        return data

    def _apply_callbacks(self, response: List[Any], commands: List[Command]) -> List[Any]:
        """Each reply shaped by its command's callback (with the command's
        options), exceptions left as they are; the loop of every pipeline."""
        from .client import EMPTY_RESPONSE, NEVER_DECODE

        callbacks = self.response_callbacks
        lookup = dict.get  # the keys are upper-case: the command methods' names hit at once
        data: List[Any] = []
        append = data.append
        for r, (args, options) in zip(response, commands):
            if isinstance(r, Exception):
                append(r)
                continue
            name = args[0]
            if type(name) is str:
                callback = lookup(callbacks, name)
                if callback is None and not name.isupper():
                    callback = callbacks.get(name)
            else:
                callback = None  # as redis-py: a bytes name finds no callback
            if callback is not None:
                if options:
                    options.pop("keys", None)
                    options.pop(EMPTY_RESPONSE, None)
                    options.pop(NEVER_DECODE, None)
                    r = callback(r, **options)
                else:
                    r = callback(r)
            append(r)
        return data

    def _run_with_raw(self, session: Any, commands: List[Command]) -> List[Any]:
        """The batch in order, the commands whose reply must stay bytes (DUMP)
        on an undecoded session of the same database, the others in runs."""
        from .client import NEVER_DECODE, _split_name

        response: List[Any] = []
        run: List[Any] = []
        for args, options in commands:
            if NEVER_DECODE not in options:
                run.append(_split_name(args))
                continue
            if run:
                response.extend(session.execute_many(run, False))
                run = []
            raw = self.client._acquire_session(decode=False)
            try:
                if raw.db != session.db:
                    raw.execute("SELECT", session.db)
                response.extend(raw.execute_many([_split_name(args)], False))
            finally:
                self.client._release_session(raw)
        if run:
            response.extend(session.execute_many(run, False))
        return response

    def raise_first_error(self, commands: List[Command], response: List[Any]) -> None:
        for i, r in enumerate(response):
            if isinstance(r, ResponseError):
                annotate_exception(r, i + 1, commands[i][0])
                raise r

    def annotate_exception(self, exception: BaseException, number: int, command: Sequence[Any]) -> None:
        annotate_exception(exception, number, command)

    # -- transactions ---------------------------------------------------------------

    def discard(self) -> None:
        """DISCARD (as redis-py: sent, or queued inside a MULTI block)."""
        self.execute_command("DISCARD")

    def watch(self, *names: Any) -> Any:
        """WATCH ``names`` on the pipeline's session; the pipeline runs commands immediately until ``multi()``."""
        if self.explicit_transaction:
            raise RedisError("Cannot issue a WATCH after a MULTI")
        return self.execute_command("WATCH", *names)

    def unwatch(self) -> Any:
        """Forget the WATCHed keys."""
        return self.watching and self.execute_command("UNWATCH") or True
