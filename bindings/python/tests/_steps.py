"""Helpers for the collection-family differential tests.

``same(p, *steps)`` runs the steps (each ``client -> value``) in order on both
clients of a pair and compares the results as ``assert_same`` does; a step that raises records
(exception class name, message) and the sequence goes on, so one test can
walk through normal, edge and error cases of a command.
"""

from __future__ import annotations

from typing import Any, Callable, List

import pytest
from conftest import _normalize

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


# With hiredis installed redis-py packs commands with hiredis, whose message for
# an argument it cannot encode differs from redis-py's Encoder (which kv
# follows, as redis-py does without hiredis).
_HIREDIS_PACK_ERROR = ("raised", "DataError", "A tuple item must be str, int, float or bytes.")
_ENCODER_ERROR = "Invalid input of type: '"


def _equivalent(ours: Any, theirs: Any) -> bool:
    if theirs == _HIREDIS_PACK_ERROR and isinstance(ours, tuple) and len(ours) == 3:
        return ours[:2] == theirs[:2] and str(ours[2]).startswith(_ENCODER_ERROR)
    return bool(_normalize(ours) == _normalize(theirs))


def same(p: Any, *steps: Step) -> List[Any]:
    """``assert_same`` over the steps; a failure names each step that differs."""
    ours, theirs = p
    a, b = run(*steps)(ours), run(*steps)(theirs)
    diffs = [f"step {i}: kv {x!r} / redis {y!r}" for i, (x, y) in enumerate(zip(a, b)) if not _equivalent(x, y)]
    assert not diffs, "\n".join(diffs)
    return a


def public_methods(cls: type) -> List[str]:
    return sorted(n for n, v in vars(cls).items() if not n.startswith("_") and callable(v))


def assert_signature_as_redis_py(name: str, asyncio: bool = False) -> None:
    """kv.Redis's method (a fast path or the mixin's) takes the parameters of
    redis.Redis's: names, kinds and defaults (kv.asyncio.Redis's those of
    redis.asyncio.Redis's with ``asyncio``)."""
    import inspect

    import kv
    import kv.asyncio
    import redis
    import redis.asyncio

    def shape(fn: Any) -> List[Any]:
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    if asyncio:
        assert shape(getattr(kv.asyncio.Redis, name)) == shape(getattr(redis.asyncio.Redis, name))
    else:
        assert shape(getattr(kv.Redis, name)) == shape(getattr(redis.Redis, name))


def signature_test(cls: type) -> Callable[[str, bool], None]:
    """A test that each public method of the mixin ``cls`` takes redis-py's
    parameters, on kv.Redis and kv.asyncio.Redis."""

    @pytest.mark.parametrize("name, asyncio", signature_params(cls))
    def test_signature(name: str, asyncio: bool) -> None:
        assert_signature_as_redis_py(name, asyncio)

    return test_signature


def assert_random_picks(pick: Callable[..., Any], population: Any, distinct: int, repeated: int, all_: int) -> None:
    """SRANDMEMBER-like ``pick(count)``: one element without a count,
    ``distinct`` distinct ones for that count, ``repeated`` possibly repeated
    ones for ``-repeated``, and the whole population for ``all_``."""
    assert pick() in population
    got = pick(distinct)
    assert len(got) == distinct and len(set(got)) == distinct and set(got) <= set(population)
    got = pick(-repeated)
    assert len(got) == repeated and set(got) <= set(population)
    assert sorted(pick(all_)) == sorted(population)


def wrongtype(r: Any) -> str:
    """Makes ``s`` a string key, for the WRONGTYPE cases; its name."""
    r.set("s", "x")
    return "s"


def random_steps(seed: int, n: int, makers: List[Callable[[Any], Step]]) -> List[Step]:
    """``n`` steps drawn with a seeded RNG: each maker takes the RNG and
    returns a step, so a failure replays from the seed."""
    import random

    rng = random.Random(seed)
    return [rng.choice(makers)(rng) for _ in range(n)]


def signature_params(cls: type) -> List[Any]:
    """(name, asyncio) cases for every public method of a mixin."""
    cases = []
    for name in public_methods(cls):
        cases.append(pytest.param(name, False, id=f"sync-{name}"))
        cases.append(pytest.param(name, True, id=f"asyncio-{name}"))
    return cases
