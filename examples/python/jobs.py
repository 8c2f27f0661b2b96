"""A small program on kv: a job queue worked by threads, with a per-client
rate limiter, all in one process with no Redis server.

    python examples/python/jobs.py [data-dir]

Clients submit jobs (RPUSH jobs); a client may submit at most LIMIT jobs
per WINDOW seconds (a fixed-window counter: INCR, and EXPIRE when the
window opens, in one MULTI/EXEC). Worker threads wait for jobs with BLPOP,
"process" them and record results in a hash; a "stop" job per worker ends
them. With a data directory, the results survive a restart.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import List, Optional

import kv

LIMIT = 5
WINDOW = 60
WORKERS = 4


def allow(r: kv.Redis, client: str, limit: int = LIMIT, window: int = WINDOW) -> bool:
    """Whether ``client`` may act now: at most ``limit`` times per ``window`` seconds."""
    key = f"rate:{client}:{int(time.time()) // window}"
    pipe = r.pipeline()
    pipe.incr(key)
    pipe.expire(key, window, nx=True)
    count, _ = pipe.execute()
    return int(count) <= limit


def submit(r: kv.Redis, client: str, payload: str) -> bool:
    if not allow(r, client):
        return False
    r.rpush("jobs", f"{client}:{payload}")
    return True


def worker(r: kv.Redis, name: str, processed: List[str]) -> None:
    while True:
        item = r.blpop(["jobs"], timeout=10) if hasattr(r, "blpop") else r.execute_command("BLPOP", "jobs", 10)
        if item is None:
            return  # nothing for 10 s: give up
        job = item[1]
        if job == "stop":
            return
        client, payload = job.split(":", 1)
        r.hset("results", job, f"{payload.upper()} by {name}")
        r.incr(f"done:{client}")
        processed.append(job)


def main(path: Optional[str] = None) -> int:
    r = kv.Redis(path=path, decode_responses=True) if path else kv.Redis(store=kv.Store(), decode_responses=True)
    stale = ["jobs", "results", *r.scan_iter(match="rate:*"), *r.scan_iter(match="done:*")]
    r.delete(*stale)
    processed: List[str] = []
    threads = [threading.Thread(target=worker, args=(r, f"worker-{i}", processed)) for i in range(WORKERS)]
    for t in threads:
        t.start()

    accepted = refused = 0
    for client in ("alice", "bob", "carol"):
        for n in range(8):  # 8 attempts against a limit of 5
            if submit(r, client, f"job{n}"):
                accepted += 1
            else:
                refused += 1
    for _ in threads:
        r.rpush("jobs", "stop")
    for t in threads:
        t.join()

    results = r.execute_command("HLEN", "results")
    print(f"accepted {accepted}, refused {refused}, processed {len(processed)}, results {results}")
    for client in ("alice", "bob", "carol"):
        print(f"{client}: {r.get(f'done:{client}')} jobs done")
    ok = accepted == 15 and refused == 9 and len(processed) == 15 and results == 15
    print("ok" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
