"""The conformance vectors (tests/conformance/*.kvt, format in its README.md)
read and matched in Python, following core/tests/support/{vectors,notation}.rs.

Vectors write replies in the core's RESP3 shapes; through kv's Python API a
session speaking RESP2 sees them folded (doubles as bulk strings, booleans as
integers, maps as flat lists, sets as lists, verbatim strings as bulk), and
every string arrives as bytes (status and bulk alike), as redis-py shows
them. :func:`matches` compares an expected reply with such a Python value for
the protocol the session speaks. Error replies are compared with what
redis-py's own parser makes of the expected text (class and message).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

from redis._parsers.base import BaseParser

VECTOR_DIR = Path(__file__).resolve().parents[3] / "tests" / "conformance"
START_MS = 1_700_000_000_000


# ------------------------------------------------------------------ patterns


@dataclass
class Pat:
    """An expected reply: kind is one of any, anyint, anybulk, nil, int,
    double, bool, bulk, status, error, errorprefix, verbatim, array, set,
    map; value holds what the kind needs (items for aggregates, pairs for
    maps)."""

    kind: str
    value: Any = None
    unordered: bool = False


@dataclass
class Command:
    line: int
    text: str
    args: List[bytes]
    expect: Pat
    expect_text: str


@dataclass
class Case:
    name: str
    line: int
    # Command, ("advance", ms) or ("session", name).
    steps: List[Union[Command, Tuple[str, Any]]] = field(default_factory=list)


class NotationError(ValueError):
    pass


def _hex(c: int) -> Optional[int]:
    ch = chr(c)
    return int(ch, 16) if ch in "0123456789abcdefABCDEF" else None


_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("a"): 7, ord("b"): 8}


def _quoted(b: bytes, start: int) -> Tuple[bytes, int]:
    """A "..." string at b[start]; its bytes and the index past the quote."""
    i, out = start + 1, bytearray()
    while True:
        if i >= len(b):
            raise NotationError("unbalanced double quote")
        c = b[i]
        if c == ord('"'):
            return bytes(out), i + 1
        if c == ord("\\"):
            if i + 1 >= len(b):
                raise NotationError("unbalanced double quote")
            e = b[i + 1]
            if e == ord("x") and i + 3 < len(b):
                h, lo = _hex(b[i + 2]), _hex(b[i + 3])
                if h is not None and lo is not None:
                    out.append(h * 16 + lo)
                    i += 4
                    continue
            out.append(_ESCAPES.get(e, e))
            i += 2
            continue
        out.append(c)
        i += 1


def _closing_ok(b: bytes, i: int) -> None:
    if i < len(b) and not chr(b[i]).isspace():
        raise NotationError("closing quote must be followed by a space or the end of the line")


def split_args(line: str) -> List[bytes]:
    """A command line split as redis-cli splits it."""
    b, i, out = line.encode(), 0, []
    while True:
        while i < len(b) and b[i] in b" \t\r\n\x0b\x0c":
            i += 1
        if i >= len(b):
            return out
        cur = bytearray()
        while i < len(b) and b[i] not in b" \t\r\n\x0b\x0c":
            c = b[i]
            if c == ord('"'):
                s, i = _quoted(b, i)
                cur += s
                _closing_ok(b, i)
            elif c == ord("'"):
                i += 1
                while True:
                    if i >= len(b):
                        raise NotationError("unbalanced single quote")
                    if b[i] == ord("\\") and i + 1 < len(b) and b[i + 1] == ord("'"):
                        cur.append(ord("'"))
                        i += 2
                    elif b[i] == ord("'"):
                        i += 1
                        break
                    else:
                        cur.append(b[i])
                        i += 1
                _closing_ok(b, i)
            else:
                cur.append(c)
                i += 1
        out.append(bytes(cur))


class _Parser:
    def __init__(self, line: str) -> None:
        self.b = line.encode()
        self.i = 0

    def peek(self) -> Optional[int]:
        return self.b[self.i] if self.i < len(self.b) else None

    def eat(self, c: str) -> bool:
        if self.peek() == ord(c):
            self.i += 1
            return True
        return False

    def word(self, top: bool) -> str:
        start = self.i
        while self.i < len(self.b):
            if not top and self.b[self.i] in b" ]":
                break
            self.i += 1
        return self.b[start : self.i].decode("utf-8", "replace")

    def text(self, top: bool) -> str:
        if self.peek() == ord('"'):
            s, nxt = _quoted(self.b, self.i)
            if top and nxt != len(self.b):
                raise NotationError("text after a quoted status or error")
            self.i = nxt
            return s.decode()
        return self.word(top)

    def item(self, top: bool) -> Pat:
        c = self.peek()
        if c is None:
            raise NotationError("expected a reply")
        self.i += 1
        ch = chr(c)
        if ch == "+":
            return Pat("status", self.text(top))
        if ch == "-":
            if self.eat("~"):
                return Pat("errorprefix", self.text(top))
            return Pat("error", self.text(top))
        if ch == ":":
            if self.eat("~"):
                return Pat("anyint")
            w = self.word(False)
            try:
                return Pat("int", int(w))
            except ValueError:
                raise NotationError(f"bad integer {w!r}") from None
        if ch == ",":
            w = self.word(False)
            if _double(w) is None:
                raise NotationError(f"bad double {w!r}")
            return Pat("double", w)
        if ch == "#":
            w = self.word(False)
            if w not in ("t", "f"):
                raise NotationError(f"bad boolean {w!r}")
            return Pat("bool", w == "t")
        if ch == '"':
            start = self.i - 1
            s, self.i = _quoted(self.b, start)
            return Pat("anybulk") if self.b[start : self.i] == b'"~"' else Pat("bulk", s)
        if ch == "_":
            return Pat("nil")
        if ch == "." and self.b[self.i : self.i + 2] == b"..":
            self.i += 2
            return Pat("any")
        if ch == "=":
            fmt = self.b[self.i : self.i + 3].decode()
            self.i += 3
            if not self.eat(":") or self.peek() != ord('"'):
                raise NotationError('verbatim is written =fmt:"..."')
            s, self.i = _quoted(self.b, self.i)
            return Pat("verbatim", (fmt, s))
        if ch == "*":
            unordered = self.eat("?")
            return Pat("array", self.list(), unordered)
        if ch == "~":
            return Pat("set", self.list(), True)
        if ch == "%":
            unordered = self.eat("?")
            items = self.list()
            if len(items) % 2:
                raise NotationError("a map needs an even number of elements")
            return Pat("map", list(zip(items[::2], items[1::2])), unordered)
        raise NotationError(f"unknown reply notation {ch!r}")

    def list(self) -> List[Pat]:
        if not self.eat("["):
            raise NotationError("expected '['")
        items = []
        while True:
            while self.eat(" "):
                pass
            if self.eat("]"):
                return items
            if self.peek() is None:
                raise NotationError("unclosed '['")
            items.append(self.item(False))
            if self.peek() not in (ord(" "), ord("]")):
                raise NotationError(f"expected a space or ']' at column {self.i + 1}")


def parse_reply(line: str) -> Pat:
    p = _Parser(line.lstrip().rstrip("\r\n"))
    pat = p.item(True)
    if p.i != len(p.b):
        raise NotationError(f"unexpected text after the reply at column {p.i + 1}")
    return pat


def _directive(line: str, name: str) -> Optional[str]:
    if not line.startswith(name):
        return None
    rest = line[len(name) :]
    if not rest[:1] in (" ", "\t"):
        return None
    return rest.strip() or None


def parse(src: str) -> Tuple[List[Case], List[Tuple[int, str]]]:
    """A file's cases, and its notation errors as (line, message)."""
    cases: List[Case] = []
    errors: List[Tuple[int, str]] = []
    items = iter(
        (n, line.rstrip("\r"))
        for n, line in enumerate(src.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    )
    for n, raw in items:
        line = raw.strip()
        name = _directive(line, "@test")
        if name is not None:
            cases.append(Case(name, n))
            continue
        if not cases:
            errors.append((n, "expected `@test NAME` before anything else"))
            continue
        case = cases[-1]
        ms = _directive(line, "@advance")
        session = _directive(line, "@session")
        if ms is not None:
            if ms.isdigit():
                case.steps.append(("advance", int(ms)))
            else:
                errors.append((n, f"bad @advance amount {ms!r}"))
        elif session is not None:
            case.steps.append(("session", session))
        elif line.startswith(">"):
            text = line[1:].strip()
            try:
                args = split_args(text)
            except NotationError as e:
                errors.append((n, f"bad arguments: {e}"))
                continue
            if not args:
                errors.append((n, "empty command"))
                continue
            nxt = next(items, None)
            if nxt is None:
                errors.append((n, "command without an expected reply at the end of the file"))
                break
            rn, reply = nxt
            try:
                case.steps.append(Command(n, text, args, parse_reply(reply), reply.lstrip()))
            except NotationError as e:
                errors.append((rn, f"bad expected reply: {e}"))
        elif line.startswith("@"):
            errors.append((n, f"unknown directive {line!r}"))
        else:
            errors.append((n, f"expected `> command` or a directive, found {line!r}"))
    return cases, errors


# ------------------------------------------------------------------ matching


def _double(text: Union[str, bytes]) -> Optional[float]:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _same_double(a: Optional[float], b: Optional[float]) -> bool:
    if a is None or b is None:
        return False
    return (math.isnan(a) and math.isnan(b)) or a == b


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _error_matches(pat: Pat, v: Any) -> bool:
    if not isinstance(v, Exception):
        return False
    text = pat.value
    expected = BaseParser.parse_error(text)
    if type(v).__name__ != type(expected).__name__:
        return False
    if pat.kind == "error":
        return str(v) == str(expected)
    return str(v).startswith(str(expected))


def _multiset(pats: Sequence[Any], values: Sequence[Any], match: Callable[[Any, Any], bool]) -> bool:
    if len(pats) != len(values):
        return False
    used = [False] * len(values)

    def assign(k: int) -> bool:
        if k == len(pats):
            return True
        for i, v in enumerate(values):
            if not used[i] and match(pats[k], v):
                used[i] = True
                if assign(k + 1):
                    return True
                used[i] = False
        return False

    return assign(0)


def matches(p: Pat, v: Any, protocol: int) -> bool:
    """Does the Python value `v` (an exception instance for an error reply)
    match `p` for a session speaking `protocol`?"""
    k = p.kind
    resp3 = protocol >= 3
    if k == "any":
        return True
    if k in ("error", "errorprefix"):
        return _error_matches(p, v)
    if k == "anyint":
        return _is_int(v)
    if k == "anybulk":
        return isinstance(v, bytes)
    if k == "nil":
        return v is None
    if k == "int":
        return _is_int(v) and v == p.value
    if k == "double":
        if resp3:
            return isinstance(v, float) and _same_double(v, _double(p.value))
        return isinstance(v, bytes) and _same_double(_double(v), _double(p.value))
    if k == "bool":
        if resp3:
            return isinstance(v, bool) and v == p.value
        return _is_int(v) and v == int(p.value)
    if k == "bulk":
        return isinstance(v, bytes) and v == p.value
    if k == "status":
        return isinstance(v, bytes) and v == p.value.encode()
    if k == "verbatim":
        return isinstance(v, bytes) and v == p.value[1]
    if k == "array":
        if not isinstance(v, list):
            return False
        if p.unordered:
            return _multiset(p.value, v, lambda q, x: matches(q, x, protocol))
        return len(v) == len(p.value) and all(matches(q, x, protocol) for q, x in zip(p.value, v))
    if k == "set":
        if resp3 and not isinstance(v, (set, list)):
            return False
        if not resp3 and not isinstance(v, list):
            return False
        return _multiset(p.value, list(v), lambda q, x: matches(q, x, protocol))
    if k == "map":
        pair = lambda q, kv: matches(q[0], kv[0], protocol) and matches(q[1], kv[1], protocol)  # noqa: E731
        if resp3:
            if not isinstance(v, dict):
                return False
            items = list(v.items())
        else:
            if not isinstance(v, list) or len(v) % 2:
                return False
            items = list(zip(v[::2], v[1::2]))
        if p.unordered:
            return _multiset(p.value, items, pair)
        return len(items) == len(p.value) and all(pair(q, kv) for q, kv in zip(p.value, items))
    raise AssertionError(f"unknown pattern kind {k}")


def show(v: Any) -> str:
    """A Python reply, for failure messages."""
    if isinstance(v, Exception):
        return f"{type(v).__name__}({str(v)!r})"
    return repr(v)


# ------------------------------------------------------------------ running


def run_case(kv: Any, file: str, case: Case) -> List[str]:
    """Runs a case on a fresh store (manual clock at START_MS) through
    Session.execute; its failures as printable paragraphs."""
    store = kv.Store(manual_clock_ms=START_MS)
    sessions = {"main": store.session()}
    current = "main"
    failures = []
    try:
        for step in case.steps:
            if isinstance(step, tuple):
                what, arg = step
                if what == "advance":
                    store.advance_clock(arg)
                else:
                    current = arg
                    if arg not in sessions:
                        sessions[arg] = store.session()
                continue
            s = sessions[current]
            args: List[Any] = list(step.args)
            # A command name holding a space would be split as redis-py
            # splits it; the vectors mean it as one argument.
            if any(c in args[0] for c in b" \t\r\n\x0b\x0c"):
                args[0] = memoryview(args[0])
            try:
                actual = s.execute(*args)
            except kv.exceptions.RedisError as e:
                actual = e
            if not matches(step.expect, actual, s.protocol):
                failures.append(
                    f"{file}:{step.line}: [{case.name}] > {step.text}\n"
                    f"    expected: {step.expect_text}\n    actual:   {show(actual)}"
                )
    finally:
        store.close()
    return failures
