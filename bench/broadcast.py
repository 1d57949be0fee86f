"""An announcement to every resident, against a stand-in of the Bot API that enforces
Telegram's limits (30 messages a second overall, one a second per chat: a 429 beyond them).

    .venv/bin/python bench/broadcast.py [--residents 10000]

The production application (as `build_application` makes it, with its rate limiter) sends
one announcement to everyone while residents keep using the bot (/mytickets every 100 ms).
Prints the sustained rate, the 429 answers, and the p99 of residents' commands during the
broadcast against the same commands with the bot idle (the baseline, same run)."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.throughput import Feeder  # noqa: E402
from bot.app import build_application  # noqa: E402
from handlers import pacing  # noqa: E402
from handlers.community import announcements as announcement_desk  # noqa: E402
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
        conn.executemany("INSERT INTO units (id, building, unit) VALUES (?, ?, ?)",
                         [(n + 1, f"B{n % 20}", f"{n // 20}F-1") for n in range(residents)])
        conn.executemany("INSERT INTO residencies (user_id, unit_id, linked_at) VALUES (?, ?, ?)",
                         [(FIRST + n, n + 1, at) for n in range(residents)])


async def _migrate(path: Path) -> None:
    db = Database(str(path))
    await db.open()
    await db.close()


async def measure(path: Path, residents: int) -> dict:
    db = Database(str(path))
    await db.open()
    api = LimitedBotApi()
    app = build_application(EstateSettings(), db, token="123:TEST",
                            api_url="http://bot-api.invalid", request=api)
    await app.initialize()
    feed = Feeder(app, first_id=10_000_000)
    desk = app.bot_data.desk

    async def commands(seconds: float) -> list[float]:
        spent, until, n = [], time.monotonic() + seconds, 0
        while time.monotonic() < until:
            spent.append(await feed(FIRST + (n * 37) % residents, text="/mytickets"))
            n += 1
            await asyncio.sleep(0.1)
        return spent

    await commands(3)  # warm-up: the first commands of a process are slower
    idle = await commands(10)
    async with db.transaction() as conn:
        from storage.community import announcements as store
        await store.add(conn, MANAGER, "Water off on Tuesday 9:00-12:00.", None, None, "all",
                        datetime.now(UTC), False, datetime.now(UTC))
    before = api.sent
    started = time.monotonic()

    async def broadcast() -> None:
        while True:
            tick = time.monotonic()
            await announcement_desk.pump(app.bot, desk,
                                         spacing=0.8 / pacing.BROADCAST_MAX)
            async with db.reading() as conn:
                from storage.community import announcements as store
                found = await store.get(conn, 1)
            if found is not None and found.state == "done":
                return
            await asyncio.sleep(max(0.0, 1 - (time.monotonic() - tick)))

    sending = asyncio.ensure_future(broadcast())
    busy: list[float] = []
    while not sending.done():
        busy += await commands(5)
    elapsed = time.monotonic() - started
    counts = await announcements.progress(db, 1)
    await app.shutdown()
    await db.close()
    return {"idle": idle, "busy": busy, "elapsed": elapsed, "sent": api.sent - before,
            "too_many": api.too_many, "delivered": counts.get("sent", 0)}


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] * 1000 if len(values) > 2 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "broadcast.sqlite3"
        build(path, args.residents)
        found = asyncio.run(measure(path, args.residents))
    print(f"broadcast to {args.residents:,} residents: {found['delivered']:,} delivered in "
          f"{found['elapsed']:.0f} s ({found['delivered'] / found['elapsed']:.1f} a second); "
          f"429 answers: {found['too_many']}")
    print(f"/mytickets p99: idle {p99(found['idle']):.2f} ms, during the broadcast "
          f"{p99(found['busy']):.2f} ms ({p99(found['busy']) / p99(found['idle']):.2f}x)")


if __name__ == "__main__":
    main()
