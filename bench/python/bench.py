#!/usr/bin/env python3
"""kv's Python binding against the alternatives a Python program has.

Operations: GET, SET, INCR, HSET, HGET, LPUSH, LPOP, ZADD, ZSCORE, and a
pipeline of 100 SETs (its time is per pipeline). Contestants:

  dict            plain Python structures (dict, deque): the floor
  kv-native       kv._kv.Session's typed methods (session.get(k), ...)
  kv-execute      kv.Store.execute("GET", k): the generic path
  kv.Redis        kv.Redis: redis-py's API on the in-process store
  fakeredis       fakeredis.FakeRedis (in-process redis-py fake)
  redis-py pinned redis-py + hiredis to a redis-server over a unix socket,
                  client and server pinned to the same CPU
  redis-py        the same, unpinned

Each operation runs over 1000 keys (16 characters, str) with 32-byte values,
as a tight loop of calls to a bound method; the time per call includes that
loop (about 15 ns). Every figure is the best of --repeats runs of about
--seconds each. Writes python.md and python.png into --out.

Usage: bench.py [--out DIR] [--seconds S] [--repeats N] [--only NAME,...]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from typing import Any, Callable, Dict, List, Optional, Tuple

OPS = ["GET", "SET", "INCR", "HSET", "HGET", "LPUSH", "LPOP", "ZADD", "ZSCORE", "PIPE100"]
OP_TITLES = {"PIPE100": "pipeline 100 SET"}
NKEYS = 1000
VALUE = b"v" * 32


def keys_for(prefix: str) -> List[str]:
    """NKEYS keys of 16 characters."""
    return [f"{prefix}:{i:0{15 - len(prefix)}d}" for i in range(NKEYS)]


# One key family per data type, so the operations do not meet WRONGTYPE.
KEYS = keys_for("str")
COUNTERS = keys_for("n")
HASHES = keys_for("hash")
LISTS = keys_for("list")
ZSETS = keys_for("zset")
PIPE_KEYS = KEYS[:100]

Runner = Callable[[], None]


# ------------------------------------------------------------------ loops
# One round = one call per key (one pipeline for PIPE100). Kept as small
# separate functions so every contestant pays the same loop.


def loop_k(f: Callable[[Any], Any], keys: List[str]) -> Runner:

    def run() -> None:
        for k in keys:
            f(k)

    return run


def loop_ka(f: Callable[[Any, Any], Any], a: Any, keys: List[str]) -> Runner:

    def run() -> None:
        for k in keys:
            f(k, a)

    return run


def loop_kab(f: Callable[[Any, Any, Any], Any], a: Any, b: Any, keys: List[str]) -> Runner:

    def run() -> None:
        for k in keys:
            f(k, a, b)

    return run


def loop_xk(f: Callable[..., Any], name: str, keys: List[str]) -> Runner:

    def run() -> None:
        for k in keys:
            f(name, k)

    return run


def loop_xka(f: Callable[..., Any], name: str, a: Any, keys: List[str]) -> Runner:

    def run() -> None:
        for k in keys:
            f(name, k, a)

    return run


def loop_xkab(f: Callable[..., Any], name: str, a: Any, b: Any, keys: List[str]) -> Runner:

    def run() -> None:
        for k in keys:
            f(name, k, a, b)

    return run


# ------------------------------------------------------------------ contestants


def dict_ops() -> Dict[str, Runner]:
    d: Dict[str, Any] = {k: VALUE for k in KEYS}
    counters: Dict[str, int] = {}
    hashes: Dict[str, Dict[str, bytes]] = {k: {} for k in HASHES}
    lists: Dict[str, deque] = {k: deque() for k in LISTS}
    zsets: Dict[str, Dict[str, float]] = {k: {} for k in ZSETS}
    keys, pipe_keys, v = KEYS, PIPE_KEYS, VALUE
    get = d.get

    def op_get() -> None:
        for k in keys:
            get(k)

    def op_set() -> None:
        for k in keys:
            d[k] = v

    def op_incr() -> None:
        for k in COUNTERS:
            counters[k] = counters.get(k, 0) + 1

    def op_hset() -> None:
        for k in HASHES:
            hashes[k]["f"] = v

    def op_hget() -> None:
        for k in HASHES:
            hashes[k].get("f")

    def op_lpush() -> None:
        for k in LISTS:
            lists[k].appendleft(v)

    def op_lpop() -> None:
        for k in LISTS:
            lists[k].popleft()

    def op_zadd() -> None:
        for k in ZSETS:
            zsets[k]["m"] = 1.5

    def op_zscore() -> None:
        for k in ZSETS:
            zsets[k].get("m")

    def op_pipe() -> None:
        for k in pipe_keys:
            d[k] = v

    return {"GET": op_get, "SET": op_set, "INCR": op_incr, "HSET": op_hset, "HGET": op_hget, "LPUSH": op_lpush,
            "LPOP": op_lpop, "ZADD": op_zadd, "ZSCORE": op_zscore, "PIPE100": op_pipe}


def redis_api_ops(r: Any, incr: Optional[Callable[[Any], Any]] = None) -> Dict[str, Runner]:
    """redis-py's method names (redis.Redis, fakeredis, kv.Redis)."""
    for k in KEYS:
        r.set(k, VALUE)
    pipe_keys, v = PIPE_KEYS, VALUE

    def op_pipe() -> None:
        p = r.pipeline(transaction=False)
        for k in pipe_keys:
            p.set(k, v)
        p.execute()

    return {
        "GET": loop_k(r.get, KEYS), "SET": loop_ka(r.set, VALUE, KEYS), "INCR": loop_k(incr or r.incr, COUNTERS),
        "HSET": loop_kab(r.hset, "f", VALUE, HASHES), "HGET": loop_ka(r.hget, "f", HASHES),
        "LPUSH": loop_ka(r.lpush, VALUE, LISTS), "LPOP": loop_k(r.lpop, LISTS),
        "ZADD": loop_ka(r.zadd, {"m": 1.5}, ZSETS), "ZSCORE": loop_ka(r.zscore, "m", ZSETS),
        "PIPE100": op_pipe,
    }


def native_ops(s: Any) -> Dict[str, Runner]:
    ops = redis_api_ops(s, incr=s.incrby)
    pipe_keys, v = PIPE_KEYS, VALUE
    execute_many = s.execute_many

    def op_pipe() -> None:
        execute_many([("SET", k, v) for k in pipe_keys])

    ops["PIPE100"] = op_pipe
    return ops


def execute_ops(store: Any) -> Dict[str, Runner]:
    e = store.execute
    for k in KEYS:
        e("SET", k, VALUE)
    return {
        "GET": loop_xk(e, "GET", KEYS), "SET": loop_xka(e, "SET", VALUE, KEYS), "INCR": loop_xk(e, "INCR", COUNTERS),
        "HSET": loop_xkab(e, "HSET", "f", VALUE, HASHES), "HGET": loop_xka(e, "HGET", "f", HASHES),
        "LPUSH": loop_xka(e, "LPUSH", VALUE, LISTS), "LPOP": loop_xk(e, "LPOP", LISTS),
        "ZADD": loop_xkab(e, "ZADD", 1.5, "m", ZSETS), "ZSCORE": loop_xka(e, "ZSCORE", "m", ZSETS),
    }


# ------------------------------------------------------------------ redis-server


class Server:
    """A redis-server on a unix socket in a scratch directory."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="kv-pybench-")
        self.sock = os.path.join(self.dir, "redis.sock")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", self.sock, "--save", "", "--appendonly", "no",
             "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.socket(socket.AF_UNIX) as c:
                    c.connect(self.sock)
                    break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.02)

    def pin(self, cpus: set) -> None:
        os.sched_setaffinity(self.proc.pid, cpus)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------ timing


def measure(run: Runner, seconds: float, repeats: int, per_round: int, undo: Optional[Runner] = None) -> float:
    """Best ns per operation over `repeats` runs of about `seconds`."""
    rounds, elapsed = 1, 0.0
    while True:  # calibrate
        t = time.perf_counter()
        for _ in range(rounds):
            run()
        elapsed = time.perf_counter() - t
        if undo:
            for _ in range(rounds):
                undo()
        if elapsed >= seconds / 10 or rounds >= 1 << 20:
            break
        rounds *= 2
    rounds = max(1, math.ceil(rounds * seconds / max(elapsed, 1e-9)))
    best = math.inf
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(rounds):
            run()
        best = min(best, (time.perf_counter() - t) / (rounds * per_round))
        if undo:
            for _ in range(rounds):
                undo()
    return best * 1e9


def measure_all(ops: Dict[str, Runner], seconds: float, repeats: int) -> Dict[str, float]:
    out = {}
    for op in OPS:
        if op not in ops:
            continue
        per_round = 1 if op == "PIPE100" else NKEYS
        if op == "LPUSH":
            # Pushes then pops the same count, so lists stay small.
            out[op] = measure(ops["LPUSH"], seconds, repeats, per_round, undo=ops["LPOP"])
        elif op == "LPOP":
            out[op] = measure_pops(ops, seconds, repeats)
        else:
            out[op] = measure(ops[op], seconds, repeats, per_round)
    return out


def measure_pops(ops: Dict[str, Runner], seconds: float, repeats: int) -> float:
    """LPOP of elements pushed before each timed run (untimed)."""
    push, pop = ops["LPUSH"], ops["LPOP"]
    t = time.perf_counter()
    pop_rounds = 1
    while True:
        for _ in range(pop_rounds):
            push()
        t = time.perf_counter()
        for _ in range(pop_rounds):
            pop()
        elapsed = time.perf_counter() - t
        if elapsed >= seconds / 10 or pop_rounds >= 1 << 20:
            break
        pop_rounds *= 2
    pop_rounds = max(1, math.ceil(pop_rounds * seconds / max(elapsed, 1e-9)))
    best = math.inf
    for _ in range(repeats):
        for _ in range(pop_rounds):
            push()
        t = time.perf_counter()
        for _ in range(pop_rounds):
            pop()
        best = min(best, (time.perf_counter() - t) / (pop_rounds * NKEYS))
    return best * 1e9


# ------------------------------------------------------------------ report


def fmt(ns: Optional[float]) -> str:
    if ns is None:
        return "—"
    if ns >= 10000:
        return f"{ns / 1000:,.1f} µs"
    return f"{ns:,.0f} ns" if ns >= 100 else f"{ns:.1f} ns"


def ratio(a: Optional[float], b: Optional[float]) -> str:
    if a is None or b is None:
        return "—"
    return f"{b / a:,.1f}x"


def versions() -> Dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("redis", "hiredis", "fakeredis", "kv"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    try:
        out["redis-server"] = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()[2]
    except (OSError, IndexError):
        out["redis-server"] = "not found"
    return out


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def write_report(out: str, results: Dict[str, Dict[str, float]], missing: Dict[str, str], args: Any) -> None:
    v = versions()
    names = list(results) + [m for m in missing if m not in results]
    lines = [
        "# Python binding",
        "",
        "Each figure is the time of one call (one pipeline for the last column) made from",
        f"Python in a tight loop over {NKEYS} keys of 16 characters with 32-byte values, the best",
        f"of {args.repeats} runs of about {args.seconds} s; the loop itself costs about 15 ns. `kv-native` is",
        "kv._kv.Session's typed methods, `kv-execute` is `kv.Store.execute(\"GET\", k)`, `kv.Redis`",
        "redis-py's API on the in-process store, `fakeredis` fakeredis.FakeRedis, `redis-py` redis-py",
        "with hiredis to a local redis-server over a unix socket (`pinned`: client and server on",
        "the same CPU), `dict` plain Python structures (dict, deque): the floor.",
        f"Command: `make pybench` (bench/python/bench.py, release build of the module).",
        f"Machine: {cpu_model()}, {os.cpu_count()} CPUs shared with other work; load average when",
        f"the report was written: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        f"Versions: Python {v['python']}, redis-py {v['redis']}, hiredis {v['hiredis']}, fakeredis {v['fakeredis']}, "
        f"redis-server {v['redis-server']}.",
        "",
        "| | " + " | ".join(OP_TITLES.get(o, o) for o in OPS) + " |",
        "|---|" + "---:|" * len(OPS),
    ]
    for name in names:
        r = results.get(name, {})
        lines.append(f"| {name} | " + " | ".join(fmt(r.get(o)) for o in OPS) + " |")
    for name, why in missing.items():
        lines.append("")
        lines.append(f"`{name}`: {why}")

    def best_redis(op: str) -> Optional[float]:
        xs = [results[n][op] for n in ("redis-py pinned", "redis-py") if n in results and op in results[n]]
        return min(xs) if xs else None

    def get(name: str, op: str) -> Optional[float]:
        return results.get(name, {}).get(op)

    lines += ["", "## Ratios", "", "How many times longer the other takes than kv for the same call:", "",
              "| | " + " | ".join(OP_TITLES.get(o, o) for o in OPS) + " |", "|---|" + "---:|" * len(OPS)]
    rows: List[Tuple[str, str, Callable[[str], Optional[float]]]] = [
        ("kv.Redis", "redis-py, best of pinned/unpinned", best_redis),
        ("kv.Redis", "fakeredis", lambda op: get("fakeredis", op)),
        ("kv-native", "redis-py, best of pinned/unpinned", best_redis),
        ("kv-native", "fakeredis", lambda op: get("fakeredis", op)),
    ]
    for ours, theirs, f in rows:
        if ours in results:
            lines.append(f"| {theirs} / {ours} | " + " | ".join(ratio(get(ours, o), f(o)) for o in OPS) + " |")
    lines += ["", "And against the floor, how many times a dict operation kv's call costs:", "",
              "| | " + " | ".join(OP_TITLES.get(o, o) for o in OPS) + " |", "|---|" + "---:|" * len(OPS)]
    for ours in ("kv-native", "kv.Redis", "kv-execute"):
        if ours in results:
            lines.append(f"| {ours} / dict | " + " | ".join(ratio(get("dict", o), get(ours, o)) for o in OPS) + " |")

    lines += ["", "## Targets", ""]
    checks = []
    if "kv.Redis" in results:
        for op in ("GET", "SET"):
            ours = get("kv.Redis", op)
            br, fr = best_redis(op), get("fakeredis", op)
            if ours and br:
                checks.append(f"kv.Redis {op} >= 40x redis-py's best case: {br / ours:.0f}x "
                              f"({'met' if br / ours >= 40 else 'NOT met'})")
            if ours and fr:
                checks.append(f"kv.Redis {op} >= 60x fakeredis: {fr / ours:.0f}x ({'met' if fr / ours >= 60 else 'NOT met'})")
    n, d = get("kv-native", "GET"), get("dict", "GET")
    if n and d:
        checks.append(f"kv-native GET within 3x of dict.get: {n / d:.1f}x in this loop ({fmt(n)} against {fmt(d)}); "
                      f"against the 104 ns dict.get the issue quotes, {n / 104:.2f}x")
    lines += [f"- {c}" for c in checks]
    with open(os.path.join(out, "python.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    chart(out, results)


def chart(out: str, results: Dict[str, Dict[str, float]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    fig, ax = plt.subplots(figsize=(13, 5.5))
    width = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(OPS))]
        ys = [results[name].get(o, float("nan")) for o in OPS]
        ax.bar(xs, ys, width, label=name)
    ax.set_yscale("log")
    ax.set_xticks(range(len(OPS)))
    ax.set_xticklabels([OP_TITLES.get(o, o) for o in OPS])
    ax.set_ylabel("ns per call (log scale; pipeline: per 100 SETs)")
    ax.set_title("kv's Python binding against dict, fakeredis and redis-py + redis-server")
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.legend(ncol=4, fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "python.png"), dpi=110)


# ------------------------------------------------------------------ main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "results"))
    ap.add_argument("--seconds", type=float, default=0.25)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated contestants")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    want = lambda name: not only or name in only  # noqa: E731

    import kv

    all_cpus = os.sched_getaffinity(0)
    results: Dict[str, Dict[str, float]] = {}
    missing: Dict[str, str] = {}

    def run(name: str, make: Callable[[], Dict[str, Runner]], cleanup: Optional[Callable[[], None]] = None) -> None:
        if not want(name):
            return
        print(f"{name} ...", file=sys.stderr, flush=True)
        try:
            ops = make()
            results[name] = measure_all(ops, args.seconds, args.repeats)
        finally:
            if cleanup:
                cleanup()
        print("  " + "  ".join(f"{o}={fmt(results[name].get(o))}" for o in OPS), file=sys.stderr, flush=True)

    run("dict", dict_ops)
    store = kv.Store()
    run("kv-native", lambda: native_ops(store.session()))
    run("kv-execute", lambda: execute_ops(kv.Store()))
    if hasattr(kv, "Redis"):
        run("kv.Redis", lambda: redis_api_ops(kv.Redis(store=kv.Store())))
    else:
        missing["kv.Redis"] = "not measured: this build of the package has no kv.Redis yet."
    store.close()
    try:
        import fakeredis

        run("fakeredis", lambda: redis_api_ops(fakeredis.FakeRedis()))
    except ImportError:
        missing["fakeredis"] = "not installed"
    try:
        import redis
    except ImportError:
        missing["redis-py"] = "not installed"
    else:
        if shutil.which("redis-server") and (want("redis-py") or want("redis-py pinned")):
            server = Server()
            try:
                cpu = {min(all_cpus)}
                server.pin(cpu)
                os.sched_setaffinity(0, cpu)
                client = redis.Redis(unix_socket_path=server.sock)
                run("redis-py pinned", lambda: redis_api_ops(client), client.flushall)
                server.pin(all_cpus)
                os.sched_setaffinity(0, all_cpus)
                run("redis-py", lambda: redis_api_ops(client), client.flushall)
                client.close()
            finally:
                os.sched_setaffinity(0, all_cpus)
                server.stop()
        else:
            missing["redis-py"] = "redis-server not found"
    os.makedirs(args.out, exist_ok=True)
    write_report(args.out, results, missing, args)
    print(open(os.path.join(args.out, "python.md")).read())


if __name__ == "__main__":
    main()
