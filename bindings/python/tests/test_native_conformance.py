"""The conformance vectors (tests/conformance/*.kvt) through kv's native
Session.execute: the same files the core and the C binding run, with replies
as Python sees them (see kvt.py for how they are compared)."""

from __future__ import annotations

import pytest

import kv
import kvt

FILES = sorted(kvt.VECTOR_DIR.glob("*.kvt"))


def test_vectors_found() -> None:
    assert len(FILES) >= 10, kvt.VECTOR_DIR


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_vectors(path) -> None:
    cases, errors = kvt.parse(path.read_text())
    shown = f"tests/conformance/{path.name}"
    failures = [f"{shown}:{line}: {msg}" for line, msg in errors]
    assert cases, f"{shown} has no cases"
    for case in cases:
        failures += kvt.run_case(kv, shown, case)
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)


def test_runner_reports_mismatches() -> None:
    cases, errors = kvt.parse('@test t\n> SET k v\n+OK\n> GET k\n"w"\n> GET k\n"v"\n> ECHO x\n-ERR no\n')
    assert not errors
    failures = kvt.run_case(kv, "x.kvt", cases[0])
    assert len(failures) == 2, failures
    assert failures[0].startswith("x.kvt:4: [t] > GET k\n"), failures[0]
    assert 'expected: "w"' in failures[0] and "actual:   b'v'" in failures[0]
    assert "actual:   b'x'" in failures[1]


def test_runner_sessions_clock_and_protocols() -> None:
    src = """@test t
> SELECT 1
+OK
> SET k v PX 100
+OK
@session b
> GET k
_
@session main
@advance 101
> GET k
_
> HELLO 3
...
> ZADD z 1.5 m
:1
> ZSCORE z m
,1.5
> HGETALL nope
%[]
> ZSCORE z m
"1.5"
"""
    cases, errors = kvt.parse(src)
    assert not errors
    failures = kvt.run_case(kv, "x.kvt", cases[0])
    # The last expectation is RESP2's shape while the session speaks RESP3.
    assert len(failures) == 1 and "x.kvt:21:" in failures[0], failures


def test_notation_errors_have_lines() -> None:
    _, errors = kvt.parse('> PING\n@test t\n@advance x\n> ECHO "a\n+OK\n> PING\n*[\n@bogus\n> PING\n')
    assert [e[0] for e in errors] == [1, 3, 4, 5, 7, 8, 9], errors
