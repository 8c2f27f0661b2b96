"""examples/python runs and checks its own results."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "python", "jobs.py")


def _run(*args: str) -> str:
    proc = subprocess.run([sys.executable, EXAMPLE, *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_jobs_example_in_memory() -> None:
    out = _run()
    assert "accepted 15, refused 9, processed 15, results 15" in out
    assert out.strip().endswith("ok")


def test_jobs_example_on_disk_twice(tmp_path: Any) -> None:
    # A second run on the same directory starts from the first run's data.
    assert _run(str(tmp_path)).strip().endswith("ok")
    assert _run(str(tmp_path)).strip().endswith("ok")
