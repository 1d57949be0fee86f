"""An announcement to every resident, against a stand-in of the Bot API that enforces
Telegram's limits (30 messages a second overall, one a second per chat: a 429 beyond them).

    .venv/bin/python bench/broadcast.py [--residents 10000] [--smoke]

The production application (as `build_application` makes it, with its rate limiter, and its
JobQueue running the jobs `schedule` gives it: the announcements every second, the outbox
every 5 s, the sweep) sends one announcement to everyone while residents keep using the bot
(/mytickets every 100 ms). Prints the sustained rate, the 429 answers, the residents' answers
that Telegram refused and the outbox sent later, and the p99 of residents' commands during
the broadcast against the same commands with the bot idle (the baseline, same run). A
broadcast that does not finish in time fails the run. `--smoke`: 60 residents, in seconds
(CI runs it: tests/test_benchmarks.py)."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.throughput import Feeder  # noqa: E402
from bot.app import build_application, schedule  # noqa: E402
from storage.community import announcements as store  # noqa: E402
from storage.db import Database, to_db_time  # noqa: E402
from tests.fake_telegram import FakeBotApi, TelegramError  # noqa: E402
from workflow.community import announcements  # noqa: E402
from workflow.settings import EstateSettings  # noqa: E402

MANAGER = 1
FIRST = 1000


class LimitedBotApi(FakeBotApi):
    """Answers 429 the way Telegram does past 30 sends a second, or a second send to one
    chat within a second."""

    def __init__(self) -> None:
        super().__init__()
        self.window: deque[float] = deque()
        self.last: dict[int, float] = {}
        self.too_many = 0
        self.sent = 0

    def _answer(self, call):
        if call.method.startswith("send"):
            now = time.monotonic()
            while self.window and now - self.window[0] > 1:
                self.window.popleft()
            chat = call.chat_id or 0
            if len(self.window) >= 30 or now - self.last.get(chat, -10) < 1:
                self.too_many += 1
                raise TelegramError(429, "Too Many Requests: retry after 1", retry_after=1)
            self.window.append(now)
            self.last[chat] = now
            self.sent += 1
        return super()._answer(call)


def build(path: Path, residents: int) -> None:
    import sqlite3
    asyncio.run(_migrate(path))
    at = to_db_time(datetime(2026, 1, 1, tzinfo=UTC))
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO people (user_id, language, role, name, created_at) VALUES "
                     "(?, 'en', 'manager', 'Manager', ?)", (MANAGER, at))
        conn.executemany("INSERT INTO people (user_id, language, role, name, created_at) "
                         "VALUES (?, 'en', 'resident', ?, ?)",
                         [(FIRST + n, f"Resident {n}", at) for n in range(residents)])
        # each on their Telegram account, as the desk makes people (storage/accounts.py)
        conn.execute("INSERT INTO channel_accounts (channel, external_id, person_id, "
                     "linked_at, chosen) SELECT 'telegram', CAST(user_id AS TEXT), user_id, "
                     "created_at, 1 FROM people")
        conn.executemany("INSERT INTO units (id, building, unit) VALUES (?, ?, ?)",
                         [(n + 1, f"B{n % 20}", f"{n // 20}F-1") for n in range(residents)])
        conn.executemany("INSERT INTO residencies (user_id, unit_id, linked_at) VALUES (?, ?, ?)",
                         [(FIRST + n, n + 1, at) for n in range(residents)])


async def _migrate(path: Path) -> None:
    db = Database(str(path))
    await db.open()
    await db.close()


async def measure(path: Path, residents: int, warm_up: float = 3,
                  idle_seconds: float = 10) -> dict:
    db = Database(str(path))
    await db.open()
    api = LimitedBotApi()
    app = build_application(EstateSettings(), db, token="123:TEST",
                            api_url="http://bot-api.invalid", request=api)
    await app.initialize()
    schedule(app)  # production's jobs, as its start-up schedules them
    await app.start()
    feed = Feeder(app, api, first_id=10_000_000)

    turn = itertools.count()  # whose turn, on across the phases: no one asks twice in a second

    async def commands(seconds: float, done: asyncio.Event | None = None) -> list[float]:
        spent, until = [], time.monotonic() + seconds
        while time.monotonic() < until and not (done and done.is_set()):
            spent.append(await feed(FIRST + (next(turn) * 37) % residents, text="/mytickets"))
            await asyncio.sleep(0.1)
        return spent

    await commands(warm_up)  # the first commands of a process are slower
    idle = await commands(idle_seconds)
    replies = await _replies_deferred(db)
    async with db.transaction() as conn:
        await store.add(conn, MANAGER, "Water off on Tuesday 9:00-12:00.", None, None, "all",
                        datetime.now(UTC), False, datetime.now(UTC))
    before = api.sent
    started = time.monotonic()
    finished = asyncio.Event()

    async def watch() -> None:
        while True:
            async with db.reading() as conn:
                found = await store.get(conn, 1)
            if found is not None and found.state == "done":
                finished.set()
                return
            await asyncio.sleep(0.1)

    watching = asyncio.ensure_future(watch())
    limit = residents / 5 + 60  # Telegram's 30 a second allows 10,000 in six minutes
    busy = await commands(limit, finished)
    elapsed = time.monotonic() - started
    watching.cancel()
    counts = await announcements.progress(db, 1)
    deferred = await _replies_deferred(db) - replies
    await app.stop()
    await app.shutdown()
    await db.close()
    if not finished.is_set():
        raise SystemExit(f"FAILED: the broadcast did not finish in {limit:.0f} s: {counts}")
    return {"idle": idle, "busy": busy, "elapsed": elapsed, "sent": api.sent - before,
            "too_many": api.too_many, "delivered": counts.get("sent", 0),
            "deferred": deferred}


async def _replies_deferred(db: Database) -> int:
    """Answers Telegram refused (429) that went through the outbox instead."""
    async with db.reading() as conn:
        cur = await conn.execute("SELECT count(*) FROM outbox WHERE kind = 'reply'", ())
        return (await cur.fetchall())[0][0]


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] * 1000 if len(values) > 2 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--smoke", action="store_true",
                        help="60 residents, 1 s of warm-up and 2 s idle: seconds")
    args = parser.parse_args()
    seconds = (3, 10)
    if args.smoke:
        args.residents, seconds = 60, (1, 2)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "broadcast.sqlite3"
        build(path, args.residents)
        found = asyncio.run(measure(path, args.residents, *seconds))
    print(f"broadcast to {args.residents:,} residents: {found['delivered']:,} delivered in "
          f"{found['elapsed']:.0f} s ({found['delivered'] / found['elapsed']:.1f} a second); "
          f"429 answers: {found['too_many']}; residents' answers refused and sent later "
          f"through the outbox: {found['deferred']}")
    print(f"/mytickets p99: idle {p99(found['idle']):.2f} ms, during the broadcast "
          f"{p99(found['busy']):.2f} ms ({p99(found['busy']) / p99(found['idle']):.2f}x)")

    if found["delivered"] < args.residents or len(found["idle"]) < 3 or len(found["busy"]) < 3:
        raise SystemExit(f"FAILED: {found['delivered']} of {args.residents} delivered, "
                         f"{len(found['idle'])} idle and {len(found['busy'])} busy commands timed")


if __name__ == "__main__":
    main()
