"""Helpers for the collection-family differential tests.

``same(p, *steps)`` runs the steps (each ``client -> value``) in order on both
clients of a pair through ``assert_same``; a step that raises records
(exception class name, message) and the sequence goes on, so one test can
walk through normal, edge and error cases of a command.
"""

from __future__ import annotations

from typing import Any, Callable, List

import pytest

from conftest import assert_same_impl as assert_same

Step = Callable[[Any], Any]


def run(*steps: Step) -> Callable[[Any], List[Any]]:
    def fn(r: Any) -> List[Any]:
        out: List[Any] = []
        for step in steps:
            try:
                out.append(step(r))
            except Exception as e:  # compared by class name and message
                out.append(("raised", type(e).__name__, str(e)))
        return out

    return fn


def same(p: Any, *steps: Step) -> List[Any]:
    return assert_same(p, run(*steps))


@pytest.fixture(params=["pair", "pair_decoded"])
def p(request: Any) -> Any:
    """Each differential test runs raw (bytes replies) and decoded (str replies)."""
    return request.getfixturevalue(request.param)
