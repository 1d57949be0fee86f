"""The desk at a million tickets: every interactive command, the sweep and start-up.

    .venv/bin/python bench/scale.py [--sizes 100000,1000000] [--residents 10000] [--db URL]
                                    [--smoke]

Builds a database per size through the schema (its migrations), as years of use leave it: one
ticket a minute from `--residents` residents, each with its four events (reported, assigned,
completed, closed) and its timers kept as history, surveys answered for most, a few thousand
tickets still open and a few hundred of them past their deadline and already alerted. Then
runs production's application on it with the offline Bot API and times each command from
the update to its answer: /mytickets (a resident with a hundred tickets), /queue (a clerk),
/mytasks (a technician), /overdue and /stats for the month (a supervisor); the sweep, whole,
as the JobQueue runs it every minute (production's job: every register's due steps, the old
replay marks and drafts forgotten, the checkpoint, the outbox), and every job the JobQueue
runs in a minute (the sweep, the outbox every 5 s, the announcements every second: taken from
the JobQueue as `schedule` fills it); start-up (open and migrate-check the file, schedule the
digest); and a resident's /mytickets answered while a /stats is being counted.
Prints the median and the worst of each, in milliseconds. With `--db postgresql://…` each
database is built the same way, then copied into a PostgreSQL schema of its own (as
`estatedesk db copy` does; dropped afterwards), and measured there. `--smoke`: one small
database and a few runs, in seconds, failing when a command goes unanswered or the steady
state's sweep sends something (CI runs it: tests/test_benchmarks.py)."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.throughput import Feeder  # noqa: E402
from bot.app import build_application, schedule  # noqa: E402
from storage.db import Database as SqliteDatabase  # noqa: E402
from storage.db import to_db_time  # noqa: E402
from storage.pg_copy import copy_file  # noqa: E402
from storage.postgres import PgDatabase  # noqa: E402
from tests.fake_telegram import FakeBotApi  # noqa: E402
from workflow import alerts  # noqa: E402
from workflow.settings import EstateSettings  # noqa: E402

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
OPEN = 4000
OVERDUE = 300
CLERK, TECH, BOSS = 1, 2, 3
FIRST_RESIDENT = 1000
RUNS = 30


def build(path: Path, size: int, residents: int,
          every: timedelta = timedelta(minutes=1)) -> None:
    """`size` tickets, one `every` so long up to NOW."""
    asyncio.run(_migrate(path))
    conn = sqlite3.connect(path)
    at = to_db_time(NOW - timedelta(days=800))
    conn.executemany(
        "INSERT INTO people (user_id, language, role, name, created_at) VALUES (?, 'en', ?, ?, ?)",
        [(CLERK, "clerk", "Clerk", at), (TECH, "technician", "Tech", at),
         (BOSS, "supervisor", "Boss", at)]
        + [(FIRST_RESIDENT + n, "resident", f"Resident {n}", at) for n in range(residents)])
    # each on their Telegram account, as the desk makes people (storage/accounts.py)
    conn.execute("INSERT INTO channel_accounts (channel, external_id, person_id, linked_at, "
                 "chosen) SELECT 'telegram', CAST(user_id AS TEXT), user_id, created_at, 1 "
                 "FROM people")
    conn.executemany("INSERT INTO units (id, building, unit) VALUES (?, ?, ?)",
                     [(n + 1, f"B{n % 20}", f"{n // 20}F-{n % 4}") for n in range(residents)])
    conn.executemany("INSERT INTO residencies (user_id, unit_id, linked_at) VALUES (?, ?, ?)",
                     [(FIRST_RESIDENT + n, n + 1, at) for n in range(residents)])
    for start in range(1, size + 1, 50_000):
        _tickets(conn, range(start, min(start + 50_000, size + 1)), size, residents, every)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def _tickets(conn: sqlite3.Connection, numbers: range, size: int, residents: int,
             every: timedelta) -> None:
    tickets, events, timers, surveys = [], [], [], []
    opened = min(OPEN, size // 10)  # a small database (a smoke run's) is mostly history too
    for n in numbers:
        created = NOW - every * (size - n)
        resident = n % residents
        assigned = created + timedelta(hours=2)
        if n > size - opened:  # open work, the newest
            late = n <= size - opened + min(OVERDUE, opened // 2)
            deadline = NOW - timedelta(hours=1) if late else NOW + timedelta(hours=48)
            status, completed, closed = "assigned", None, None
            timers += [(n, "resolve_warn", to_db_time(deadline - timedelta(hours=10)),
                        to_db_time(NOW) if late else None),
                       (n, "resolve_late", to_db_time(deadline), to_db_time(NOW) if late else None),
                       (n, "resolve_managers", to_db_time(deadline + timedelta(hours=36)), None)]
            steps = [("reported", None, "new"), ("assigned", "new", "assigned")]
        else:
            deadline = created + timedelta(hours=72)
            completed, closed = created + timedelta(hours=30), created + timedelta(hours=40)
            status = "closed"
            timers += [(n, "resolve_warn", to_db_time(deadline), to_db_time(deadline)),
                       (n, "auto_confirm", to_db_time(closed), to_db_time(closed))]
            steps = [("reported", None, "new"), ("assigned", "new", "assigned"),
                     ("completed", "assigned", "completed"), ("confirmed", "completed", "closed")]
            if n % 3:
                surveys.append((n, resident, to_db_time(closed),
                                to_db_time(closed + timedelta(hours=1)),
                                4 + n % 2))
        for step, (action, before, after) in enumerate(steps):
            events.append((n, to_db_time(created + timedelta(hours=step * 10)), CLERK, action,
                           before, after))
        tickets.append((n, f"R-{created.year}-{n:07d}", "R", FIRST_RESIDENT + resident,
                        resident + 1, "plumbing", "Kitchen", "Water drips from the pipe.",
                        created.date().isoformat(), "morning", status, TECH, to_db_time(created),
                        to_db_time(created), to_db_time(created + timedelta(hours=4)),
                        to_db_time(assigned), to_db_time(deadline), to_db_time(deadline),
                        to_db_time(completed) if completed else None,
                        to_db_time(closed) if closed else None))
    conn.executemany(
        "INSERT INTO tickets (id, ref, kind, resident_id, unit_id, category, location, "
        "description, visit_date, visit_slot, status, technician_id, created_at, updated_at, "
        "assign_due_at, assigned_at, deadline_at, target_at, completed_at, closed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", tickets)
    conn.executemany("INSERT INTO ticket_events (ticket_id, at, actor_id, action, from_status, "
                     "to_status) VALUES (?, ?, ?, ?, ?, ?)", events)
    conn.executemany("INSERT INTO timers (ticket_id, kind, due_at, fired_at) VALUES (?, ?, ?, ?)",
                     timers)
    conn.executemany("INSERT INTO surveys (ticket_id, resident_id, sent_at, answered_at, "
                     "rating) VALUES (?, ?, ?, ?, ?)", surveys)


async def _migrate(path: Path) -> None:
    db = SqliteDatabase(str(path))
    await db.open()
    await db.close()


async def to_postgres(path: Path, url: str, schema: str) -> None:
    db = PgDatabase(url, schema)
    await db.open()
    await copy_file(path, db)
    async with db.transaction() as conn:  # this schema's tables only: a plain ANALYZE would
        cur = await conn.raw.execute(  # lock every schema's (the suite's too) at once
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        for (table,) in await cur.fetchall():
            await conn.raw.execute(f'ANALYZE "{table}"')
    await db.close()


def minute_of_jobs(app) -> list[tuple[str, object, int]]:
    """Every job production's JobQueue runs, as `schedule` fills it: (name, the job, how many
    times a minute)."""
    schedule(app)
    found = []
    for job in app.job_queue.jobs():
        every = job.job.trigger.interval.total_seconds()
        found.append((job.name, job, max(1, round(60 / every))))
        job.schedule_removal()  # run here, by hand, never by the scheduler
    if "sweep" not in [name for name, _, _ in found]:
        raise SystemExit("the JobQueue has no job named sweep")
    return found


async def run_jobs(app, jobs, only: str | None = None) -> None:
    """A minute's runs of each job (or one run of the job `only`), their failures raised."""
    for name, job, times in jobs:
        if only is None or name == only:
            for _ in range(1 if only else times):
                await job.callback(app.context_types.context.from_job(job, app))


async def outbox_rows(db) -> int:
    async with db.reading() as conn:
        return (await (await conn.execute("SELECT count(*) FROM outbox", ())).fetchall())[0][0]


async def measure(path: Path, url: str | None = None, schema: str = "public",
                  runs: int = RUNS) -> dict[str, list[float]]:
    def database():  # the file, or the PostgreSQL schema it was copied to
        return PgDatabase(url, schema) if url else SqliteDatabase(str(path))

    settings = EstateSettings()
    times: dict[str, list[float]] = {"start-up": []}
    for _ in range(min(runs, 5)):
        start = time.perf_counter()
        db = database()
        await db.open()
        await alerts.schedule_digest(db, settings, NOW)
        times["start-up"].append(time.perf_counter() - start)
        await db.close()
    db = database()
    await db.open()
    app = build_application(settings, db, token="123:TEST", api_url="http://bot-api.invalid",
                            clock=lambda: NOW, request=FakeBotApi(), rate_limited=False)
    app.bot_data.desk.deliver_at_once = False
    await app.initialize()
    feed = Feeder(app, app.bot.request, first_id=10_000_000)
    commands = {"/mytickets": (FIRST_RESIDENT + 7, "/mytickets"), "/queue": (CLERK, "/queue"),
                "/mytasks": (TECH, "/mytasks"), "/overdue": (BOSS, "/overdue"),
                "/stats": (BOSS, "/stats")}
    jobs = minute_of_jobs(app)
    for name in [*commands, "sweep", "jobs a minute", "/mytickets during /stats"]:
        times[name] = []
    await run_jobs(app, jobs)  # what the build left due fires once, before the steady state
    sent = await outbox_rows(db)
    calls = app.bot.request.calls
    for _ in range(runs):
        for name, (user, text) in commands.items():
            before = len(calls)
            times[name].append(await feed(user, text=text))
            if not any(c.method == "sendMessage" and c.chat_id == user for c in calls[before:]):
                raise SystemExit(f"{name} was not answered")
        # a month's figures are counted off the loop: a resident is answered meanwhile
        running = asyncio.ensure_future(feed(BOSS, text="/stats"))
        await asyncio.sleep(0.02)
        times["/mytickets during /stats"].append(await feed(FIRST_RESIDENT + 8,
                                                            text="/mytickets"))
        await running
        start = time.perf_counter()
        await run_jobs(app, jobs, only="sweep")
        times["sweep"].append(time.perf_counter() - start)
        start = time.perf_counter()
        await run_jobs(app, jobs)
        times["jobs a minute"].append(time.perf_counter() - start)
    if await outbox_rows(db) != sent:
        raise SystemExit("the steady state's sweep sent something: it is not measured alone")
    said = [c.text for c in app.bot.request.calls if c.method == "sendMessage"]
    assert not any("went wrong" in text for text in said), said[-3:]
    await app.shutdown()
    await db.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--db", help="a postgresql:// URL: measure there instead of SQLite")
    parser.add_argument("--smoke", action="store_true",
                        help="2,000 tickets from 200 residents, 3 runs: seconds")
    args = parser.parse_args()
    runs = RUNS
    if args.smoke:
        args.sizes, args.residents, runs = "2000", 200, 3
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(folder) / f"bench-{size}.sqlite3"
            started = time.perf_counter()
            build(path, size, args.residents)
            print(f"built {size:,} tickets in {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)
            if not args.db:
                results[size] = asyncio.run(measure(path, runs=runs))
                continue
            schema = f"bench_{size}_{uuid.uuid4().hex[:8]}"
            started = time.perf_counter()
            try:  # the schema dropped even when the copy fails half way
                asyncio.run(to_postgres(path, args.db, schema))
                print(f"copied to PostgreSQL in {time.perf_counter() - started:.0f} s",
                      file=sys.stderr)
                results[size] = asyncio.run(measure(path, args.db, schema, runs))
            finally:
                asyncio.run(PgDatabase(args.db, schema).drop())
    names = list(next(iter(results.values())))
    print(f"{'tickets':>10} " + " ".join(f"{n:>16}" for n in names))
    for size, times in results.items():
        cells = [f"{statistics.median(t) * 1000:7.2f} /{max(t) * 1000:7.1f}" for t in
                 times.values()]
        print(f"{size:>10,} " + " ".join(f"{c:>16}" for c in cells))
    print(f"each: median / worst, in ms, on {'PostgreSQL' if args.db else 'SQLite'}")


if __name__ == "__main__":
    main()
