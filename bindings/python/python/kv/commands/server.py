"""Server and connection commands (PING, INFO, FLUSHALL, SAVE, CLIENT ..., COMMAND ...),
shaped as redis-py's. Commands kv does not have (replication, ACL, CLIENT KILL,
SHUTDOWN, ...) have no method; through execute_command the engine answers them
as Redis answers an unknown command."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Union

from ..exceptions import DataError
from ..typing import EncodableT, KeyT, PatternT, ResponseT
from .base import CallbackMap, CommandBase
from .helpers import bool_ok, pairs_to_dict, str_if_bytes, string_keys_to_dict, timestamp_to_datetime, to_bool


def parse_info(response: Any, **options: Any) -> Dict[str, Any]:
    """INFO's text as a dict, values typed as redis-py types them."""
    info: Dict[str, Any] = {}
    response = str_if_bytes(response)

    def get_value(value: str) -> Any:
        if "," not in value and "=" not in value:
            try:
                if "." in value:
                    return float(value)
                return int(value)
            except ValueError:
                return value
        if "=" not in value:
            return [get_value(v) for v in value.split(",") if v]
        sub_dict: Dict[str, Any] = {}
        for item in value.split(","):
            if not item:
                continue
            if "=" in item:
                k, v = item.rsplit("=", 1)
                sub_dict[k] = get_value(v)
            else:
                sub_dict[item] = True
        return sub_dict

    for line in response.splitlines():
        if line and not line.startswith("#"):
            if line.find(":") != -1:
                # The value may hold ':'; only 'cmdstat_host' has one in its key.
                key, value = line.split(":", 1)
                if key == "cmdstat_host":
                    key, value = line.rsplit(":", 1)
                if key == "module":
                    info.setdefault("modules", []).append(get_value(value))
                else:
                    info[key] = get_value(value)
            else:
                info.setdefault("__raw__", []).append(line)
    return info


def parse_client_list(response: Any, **options: Any) -> List[Dict[str, str]]:
    clients = []
    for c in str_if_bytes(response).splitlines():
        clients.append(dict(pair.split("=", 1) for pair in c.split(" ")))
    return clients


_CLIENT_INFO_INTS = {
    "id", "age", "idle", "db", "sub", "psub", "multi", "qbuf", "qbuf-free", "obl", "argv-mem", "oll",
    "omem", "tot-mem",
}


def parse_client_info(value: Any, **options: Any) -> Dict[str, Any]:
    """CLIENT INFO's "k=v k=v" line as a dict (the integer fields as ints)."""
    client_info: Dict[str, Any] = {}
    for info in str_if_bytes(value).strip().split():
        key, val = info.split("=")
        client_info[key] = val
    for int_key in _CLIENT_INFO_INTS:
        if int_key in client_info:
            client_info[int_key] = int(client_info[int_key])
    return client_info


def parse_config_get(response: Any, **options: Any) -> Dict[Any, Any]:
    response = [str_if_bytes(i) if i is not None else None for i in response]
    return response and pairs_to_dict(response) or {}


def parse_command(response: Any, **options: Any) -> Dict[str, Dict[str, Any]]:
    commands = {}
    for command in response:
        cmd_dict: Dict[str, Any] = {}
        cmd_name = str_if_bytes(command[0])
        cmd_dict["name"] = cmd_name
        cmd_dict["arity"] = int(command[1])
        cmd_dict["flags"] = [str_if_bytes(flag) for flag in command[2]]
        cmd_dict["first_key_pos"] = command[3]
        cmd_dict["last_key_pos"] = command[4]
        cmd_dict["step_count"] = command[5]
        if len(command) > 7:
            cmd_dict["tips"] = command[7]
            cmd_dict["key_specifications"] = command[8]
            cmd_dict["subcommands"] = command[9]
        commands[cmd_name] = cmd_dict
    return commands


def _true(response: Any, **options: Any) -> bool:
    return True


def _pong(response: Any, **options: Any) -> bool:
    return bool(str_if_bytes(response) == "PONG")


def _decoded(response: Any, **options: Any) -> Any:
    return str_if_bytes(response)


def _decoded_list(response: Any, **options: Any) -> List[Any]:
    return list(map(str_if_bytes, response))


def _time(response: Any, **options: Any) -> Any:
    return (int(response[0]), int(response[1]))


CALLBACKS: CallbackMap = {
    **string_keys_to_dict("FLUSHALL FLUSHDB QUIT SAVE SELECT SWAPDB WATCH UNWATCH", bool_ok),
    **string_keys_to_dict("BGREWRITEAOF BGSAVE", _true),
    "CLIENT GETNAME": _decoded,
    "CLIENT INFO": parse_client_info,
    "CLIENT LIST": parse_client_list,
    "CLIENT SETINFO": bool_ok,
    "CLIENT SETNAME": bool_ok,
    "CLIENT UNBLOCK": to_bool,
    "COMMAND": parse_command,
    "COMMAND GETKEYS": _decoded_list,
    "CONFIG GET": parse_config_get,
    "CONFIG RESETSTAT": bool_ok,
    "CONFIG SET": bool_ok,
    "INFO": parse_info,
    "LASTSAVE": timestamp_to_datetime,
    "PING": _pong,
    "RESET": _decoded,
    "TIME": _time,
}


def parse_command_resp3(response: Any, **options: Any) -> Dict[str, Dict[str, Any]]:
    commands = {}
    for command in response:
        cmd_name = str_if_bytes(command[0])
        cmd_dict: Dict[str, Any] = {
            "name": cmd_name,
            "arity": command[1],
            "flags": {str_if_bytes(flag) for flag in command[2]},
            "first_key_pos": command[3],
            "last_key_pos": command[4],
            "step_count": command[5],
            "acl_categories": command[6],
        }
        if len(command) > 7:
            cmd_dict["tips"] = command[7]
            cmd_dict["key_specifications"] = command[8]
            cmd_dict["subcommands"] = command[9]
        commands[cmd_name] = cmd_dict
    return commands


def _config_get_resp3(response: Any, **options: Any) -> Dict[Any, Any]:
    return {
        str_if_bytes(k) if k is not None else None: str_if_bytes(v) if v is not None else None
        for k, v in response.items()
    }


# RESP3 sessions: redis-py keeps only its protocol-independent callbacks here
# (no decoding of CLIENT GETNAME/RESET, no True for BGSAVE) and shapes the
# maps of CONFIG GET and COMMAND.
_RESP2_ONLY = {"BGREWRITEAOF", "BGSAVE", "CLIENT GETNAME", "RESET", "COMMAND GETKEYS"}
CALLBACKS_RESP3: CallbackMap = {
    **{name: cb for name, cb in CALLBACKS.items() if name not in _RESP2_ONLY},
    "COMMAND": parse_command_resp3,
    "CONFIG GET": _config_get_resp3,
}


class ServerCommands(CommandBase):
    """Server, connection and introspection commands."""

    __slots__ = ()

    def bgrewriteaof(self, **kwargs: Any) -> ResponseT:
        """Rewrite the append-only log in the background."""
        return self.execute_command("BGREWRITEAOF", **kwargs)

    def bgsave(self, schedule: bool = True, **kwargs: Any) -> ResponseT:
        """Save the store to disk in the background."""
        pieces = []
        if schedule:
            pieces.append("SCHEDULE")
        return self.execute_command("BGSAVE", *pieces, **kwargs)

    def client_getname(self, **kwargs: Any) -> ResponseT:
        """The name of this client's session."""
        return self.execute_command("CLIENT GETNAME", **kwargs)

    def client_id(self, **kwargs: Any) -> ResponseT:
        """The id of this client's session."""
        return self.execute_command("CLIENT ID", **kwargs)

    def client_info(self, **kwargs: Any) -> ResponseT:
        """Information about this client's session, as a dict."""
        return self.execute_command("CLIENT INFO", **kwargs)

    def client_list(
        self,
        _type: Optional[str] = None,
        client_id: List[EncodableT] = [],  # noqa: B006 - redis-py's signature
        **kwargs: Any,
    ) -> ResponseT:
        """The sessions open on the store, as a list of dicts."""
        args: List[Any] = []
        if _type is not None:
            client_types = ("normal", "master", "replica", "pubsub")
            if str(_type).lower() not in client_types:
                raise DataError(f"CLIENT LIST _type must be one of {client_types!r}")
            args.append(b"TYPE")
            args.append(_type)
        if not isinstance(client_id, list):
            raise DataError("client_id must be a list")
        if client_id:
            args.append(b"ID")
            args += client_id
        return self.execute_command("CLIENT LIST", *args, **kwargs)

    def client_setinfo(self, attr: str, value: str, **kwargs: Any) -> ResponseT:
        """Set the session's library name or version (LIB-NAME, LIB-VER)."""
        return self.execute_command("CLIENT SETINFO", attr, value, **kwargs)

    def client_setname(self, name: str, **kwargs: Any) -> ResponseT:
        """Name this client's session."""
        return self.execute_command("CLIENT SETNAME", name, **kwargs)

    def client_unblock(self, client_id: int, error: bool = False, **kwargs: Any) -> ResponseT:
        """Unblock the session ``client_id`` blocked in BLPOP & co (as a timeout, or an error)."""
        args: List[Any] = ["CLIENT UNBLOCK", int(client_id)]
        if error:
            args.append(b"ERROR")
        return self.execute_command(*args, **kwargs)

    def command(self, **kwargs: Any) -> ResponseT:
        """Details of every command, as a dict by name."""
        return self.execute_command("COMMAND", **kwargs)

    def command_info(self, **kwargs: Any) -> None:
        raise NotImplementedError("COMMAND INFO is intentionally not implemented in the client.")

    def command_count(self, **kwargs: Any) -> ResponseT:
        """The number of commands."""
        return self.execute_command("COMMAND COUNT", **kwargs)

    def command_list(
        self, module: Optional[str] = None, category: Optional[str] = None, pattern: Optional[str] = None
    ) -> ResponseT:
        """The command names, optionally filtered by module, ACL category or pattern."""
        pieces: List[Any] = []
        if module is not None:
            pieces.extend(["MODULE", module])
        if category is not None:
            pieces.extend(["ACLCAT", category])
        if pattern is not None:
            pieces.extend(["PATTERN", pattern])
        if pieces:
            pieces.insert(0, "FILTERBY")
        return self.execute_command("COMMAND LIST", *pieces)

    def command_getkeys(self, *args: Any) -> ResponseT:
        """The keys a full command names."""
        return self.execute_command("COMMAND GETKEYS", *args)

    def command_docs(self, *args: Any) -> None:
        raise NotImplementedError("COMMAND DOCS is intentionally not implemented in the client.")

    def config_get(self, pattern: PatternT = "*", *args: PatternT, **kwargs: Any) -> ResponseT:
        """The configuration parameters matching ``pattern``, as a dict."""
        return self.execute_command("CONFIG GET", pattern, *args, **kwargs)

    def config_set(self, name: KeyT, value: EncodableT, *args: Union[KeyT, EncodableT], **kwargs: Any) -> ResponseT:
        """Set configuration parameters (the engine refuses the ones it does not have)."""
        return self.execute_command("CONFIG SET", name, value, *args, **kwargs)

    def dbsize(self, **kwargs: Any) -> ResponseT:
        """The number of keys in the selected database."""
        return self.execute_command("DBSIZE", **kwargs)

    def echo(self, value: EncodableT, **kwargs: Any) -> ResponseT:
        """``value``, echoed."""
        return self.execute_command("ECHO", value, **kwargs)

    def flushall(self, asynchronous: bool = False, **kwargs: Any) -> ResponseT:
        """Delete every key of every database."""
        args = []
        if asynchronous:
            args.append(b"ASYNC")
        return self.execute_command("FLUSHALL", *args, **kwargs)

    def flushdb(self, asynchronous: bool = False, **kwargs: Any) -> ResponseT:
        """Delete every key of the selected database."""
        args = []
        if asynchronous:
            args.append(b"ASYNC")
        return self.execute_command("FLUSHDB", *args, **kwargs)

    def hello(self) -> None:
        raise NotImplementedError("HELLO is intentionally not implemented in the client.")

    def info(self, section: Optional[str] = None, *args: str, **kwargs: Any) -> ResponseT:
        """INFO as a dict; ``section`` selects sections."""
        if section is None:
            return self.execute_command("INFO", **kwargs)
        return self.execute_command("INFO", section, *args, **kwargs)

    def lastsave(self, **kwargs: Any) -> ResponseT:
        """The time of the last successful save, as a local datetime."""
        return self.execute_command("LASTSAVE", **kwargs)

    def ping(self, **kwargs: Any) -> ResponseT:
        """True (PONG)."""
        return self.execute_command("PING", **kwargs)

    def quit(self, **kwargs: Any) -> ResponseT:
        """QUIT: True; the session stays usable in-process."""
        return self.execute_command("QUIT", **kwargs)

    def reset(self) -> ResponseT:
        """Reset the session (database 0, no name, RESP2, no MULTI or WATCH)."""
        return self.execute_command("RESET")

    def save(self, **kwargs: Any) -> ResponseT:
        """Save the store to disk, returning when done."""
        return self.execute_command("SAVE", **kwargs)

    def select(self, index: int, **kwargs: Any) -> ResponseT:
        """Select the database ``index`` for this client."""
        return self.execute_command("SELECT", index, **kwargs)

    def swapdb(self, first: int, second: int, **kwargs: Any) -> ResponseT:
        """Swap two databases."""
        return self.execute_command("SWAPDB", first, second, **kwargs)

    def time(self, **kwargs: Any) -> ResponseT:
        """(seconds, microseconds) of the store's clock."""
        return self.execute_command("TIME", **kwargs)
