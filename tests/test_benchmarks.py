"""Every benchmark still runs: each one's smoke mode (tiny sizes, seconds) in a process of its
own, failing the test when a story cannot finish or a figure cannot be computed, so a change
that breaks a benchmark fails CI rather than the next person who reruns it.

The suite runs once per backend: the SQLite run takes the benchmarks of a SQLite estate, the
PostgreSQL run those of PostgreSQL (the workers, and the commands at scale on PostgreSQL).
A run's benchmarks start together and each test waits for its own: they mostly wait (on the
workers, on Telegram's pace), so together they take about as long as the longest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import backends

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 300  # seconds: a smoke run takes seconds; one stuck is cut off and fails

if backends.POSTGRES:
    SMOKES = {
        "workers": ["bench/workers.py", "--smoke", "--db", backends.PG_URL],
        "scale on PostgreSQL": ["bench/scale.py", "--smoke", "--db", backends.PG_URL],
        "throughput on PostgreSQL": ["bench/throughput.py", "--smoke", "--backend", "postgres"],
    }
else:
    SMOKES = {
        "scale": ["bench/scale.py", "--smoke"],
        "documents": ["bench/documents.py", "--smoke"],
        "broadcast": ["bench/broadcast.py", "--smoke"],
        "throughput": ["bench/throughput.py", "--smoke"],
        "memory": ["bench/memory.py", "--smoke"],
    }


@pytest.fixture(scope="module")
def started(request):
    """The smoke runs of this backend that the session holds (all, unless `-k` chose),
    started at once."""
    chosen = {item.callspec.params["name"] for item in request.session.items
              if item.module is request.module and hasattr(item, "callspec")}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.pop("ESTATEDESK_CONFIG", None)
    runs = {name: subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for name, command in SMOKES.items() if name in chosen}
    yield runs
    for run in runs.values():
        if run.poll() is None:
            run.kill()
            run.communicate()


@pytest.mark.parametrize("name", list(SMOKES))
def test_the_benchmark_runs_to_its_figures(started, name):
    run = started[name]
    try:
        said, _ = run.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        run.kill()
        said, _ = run.communicate()
        pytest.fail(f"{name}: still running after {LIMIT} s:\n{said[-3000:]}")
    assert run.returncode == 0, f"{name} failed (exit {run.returncode}):\n{said[-3000:]}"
