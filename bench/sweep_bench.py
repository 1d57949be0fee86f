"""How long one sweep takes over many tickets, mostly closed.

    .venv/bin/python bench/sweep_bench.py [--sizes 100000,1000000]

Builds a database per size (a realistic few thousand open tickets, a few hundred of them past
their deadline and already alerted, the rest closed with their fired timers kept as history),
then times the sweep the JobQueue runs every minute, the /overdue query and the digest's
counts, the whole /overdue answer (its holders' names included) and /stats for the month.
Prints `sweep: N ms` per size; the goal is under 5 ms, flat in the closed tickets."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import tickets  # noqa: E402
from storage.db import Database, to_db_time  # noqa: E402
from workflow import alerts, sla, stats  # noqa: E402
from workflow.settings import EstateSettings  # noqa: E402

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
OPEN = 4000
OVERDUE = 300
RUNS = 200


def build(path: Path, size: int) -> None:
    asyncio.run(_migrate(path))
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO people (user_id, language, role, name, created_at) VALUES "
                 "(1, 'en', 'resident', 'Resident', ?), (2, 'en', 'supervisor', 'Boss', ?)",
                 (to_db_time(NOW), to_db_time(NOW)))
    conn.execute("INSERT INTO units (id, building, unit) VALUES (1, 'A', '1F')")
    rows, timer_rows = [], []
    for n in range(1, size + 1):
        created = NOW - timedelta(minutes=size - n)
        if n > size - OPEN:  # open work, newest
            late = n <= size - OPEN + OVERDUE
            deadline = NOW - timedelta(hours=1) if late else NOW + timedelta(hours=48)
            status, closed = "assigned", None
            timer_rows += [(n, "resolve_warn", to_db_time(deadline - timedelta(hours=10)),
                            to_db_time(NOW) if late else None),
                           (n, "resolve_late", to_db_time(deadline),
                            to_db_time(NOW) if late else None),
                           (n, "resolve_managers", to_db_time(deadline + timedelta(hours=36)),
                            None)]
        else:
            deadline, status, closed = created + timedelta(hours=72), "closed", created
            timer_rows += [(n, "resolve_warn", to_db_time(deadline), to_db_time(deadline)),
                           (n, "auto_confirm", to_db_time(deadline), to_db_time(deadline))]
        rows.append((n, f"R-{n}", "R", 1, 1, "plumbing", "kitchen", "leak",
                     created.date().isoformat(), "morning", status, to_db_time(created),
                     to_db_time(created), to_db_time(created + timedelta(hours=24)),
                     to_db_time(deadline), to_db_time(closed) if closed else None))
    conn.executemany(
        "INSERT INTO tickets (id, ref, kind, resident_id, unit_id, category, location, "
        "description, visit_date, visit_slot, status, created_at, updated_at, assign_due_at, "
        "deadline_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO timers (ticket_id, kind, due_at, fired_at) VALUES (?, ?, ?, ?)",
                     timer_rows)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


async def _migrate(path: Path) -> None:
    db = Database(str(path))
    await db.open()
    await db.close()


def ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def measure(path: Path) -> dict[str, float]:
    db = Database(str(path))
    await db.open()
    settings = EstateSettings()
    figures: dict[str, list[float]] = {"sweep": [], "overdue": [], "digest": [],
                                       "/overdue": [], "/stats": []}
    month = NOW.date().replace(day=1)
    for _ in range(5):
        start = time.perf_counter()
        await stats.compute(db, settings, 2, month)
        figures["/stats"].append(time.perf_counter() - start)
        start = time.perf_counter()
        await sla.overdue(db, 2, NOW)
        figures["/overdue"].append(time.perf_counter() - start)
    for _ in range(RUNS):
        start = time.perf_counter()
        fired = await alerts.sweep(db, settings, NOW)
        figures["sweep"].append(time.perf_counter() - start)
        assert fired == 0, "the steady state fires nothing"
        async with db.reading() as conn:
            start = time.perf_counter()
            late = await tickets.overdue(conn, NOW, 30)
            figures["overdue"].append(time.perf_counter() - start)
            start = time.perf_counter()
            counts = await tickets.unresolved_counts(conn, NOW)
            figures["digest"].append(time.perf_counter() - start)
    assert len(late) == 30 and counts[:2] == (OPEN, OVERDUE), (len(late), counts)
    await db.close()
    return {name: ms(samples) for name, samples in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = Path(folder) / f"bench-{size}.sqlite3"
            started = time.perf_counter()
            build(path, size)
            print(f"built {size:,} tickets in {time.perf_counter() - started:.1f} s",
                  file=sys.stderr)
            results[size] = asyncio.run(measure(path))
    print(f"{'tickets':>12} {'sweep':>10} {'overdue q':>10} {'digest':>10} {'/overdue':>10} "
          f"{'/stats':>10}   (median ms)")
    for size, figures in results.items():
        print(f"{size:>12,} {figures['sweep']:>10.3f} {figures['overdue']:>10.3f} "
              f"{figures['digest']:>10.3f} {figures['/overdue']:>10.3f} "
              f"{figures['/stats']:>10.1f}")
    for size, figures in results.items():
        print(f"sweep: {figures['sweep']:.3f} ms  ({size:,} tickets, {OPEN:,} open, "
              f"{OVERDUE} overdue)")


if __name__ == "__main__":
    main()
