"""The desk against the bare library: updates per second and latency, path by path.

    .venv/bin/python bench/throughput.py [--reps 300] [--residents 200]

Runs in one process, interleaved rep by rep so that the machine's noise falls on both alike:
- "bare PTB": production's ApplicationBuilder with one command handler replying "hello";
- "bare PTB + 1 tx": the same handler, plus one aiosqlite BEGIN IMMEDIATE / INSERT / COMMIT
  on a WAL file with synchronous=FULL (the least a write can cost);
- the desk: production's `build_application` on a SQLite file, the same offline Bot API
  stand-in, each update followed by the outbox delivery it caused (what the bot does for it).

The rate counts each update's whole cost, the outbox delivery it caused included; p50 and
p99 are the time until the person's answer was sent (the outbox goes to other people, in a
task of its own in production).

Paths: read-only (`/mytickets`, `/help`), the whole repair conversation (9 updates), a clerk's
dispatch (3 taps), a technician's completion (on my way, arrived, complete with a photo, a
note, hours and materials: 8 updates). Prints for each the rate, p50, p99 and the ratio of its
rate to the bare application's (read-only) or to "bare + 1 tx" (the write paths)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiosqlite
from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.db import commits_so_far  # noqa: E402
from tests.fake_telegram import FakeBotApi  # noqa: E402
from tests.harness import DeskHarness  # noqa: E402
from workflow import roles  # noqa: E402
from workflow.settings import EstateSettings  # noqa: E402

CLERK, TECH = 9001, 9002


class Feeder:
    """Updates as Telegram sends them, numbered, to one application."""

    def __init__(self, app, after: Callable[[], Awaitable[object]] | None = None,
                 first_id: int = 1) -> None:
        self.app, self.after = app, after
        self.update_id = first_id - 1  # ids already used would be dropped as replays
        self.work: list[float] = []  # each update's whole cost, its outbox delivery included

    async def __call__(self, user_id: int, *, text: str | None = None, data: str | None = None,
                      photo: str | None = None) -> float:
        self.update_id += 1
        chat = {"id": user_id, "type": "private", "first_name": "P"}
        user = {"id": user_id, "is_bot": False, "first_name": "P", "language_code": "en"}
        message: dict = {"message_id": self.update_id, "date": 1_790_000_000, "chat": chat,
                         "from": user}
        if data is not None:
            body = {"callback_query": {"id": str(self.update_id), "from": user, "data": data,
                                       "chat_instance": "1",
                                       "message": {**message, "text": "...",
                                                   "from": {"id": 1, "is_bot": True,
                                                            "first_name": "Bot"}}}}
        elif photo is not None:
            body = {"message": {**message, "photo": [{"file_id": photo, "file_unique_id": photo,
                                                       "width": 800, "height": 600}]}}
        else:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(text.split()[0])}]
            body = {"message": message}
        commits, start = commits_so_far(), time.perf_counter()
        await self.app.process_update(Update.de_json({"update_id": self.update_id, **body},
                                                     self.app.bot))
        answered = time.perf_counter()
        if self.after is not None and commits_so_far() > commits:
            await self.after()  # as production kicks the outbox after a change
        self.work.append(time.perf_counter() - start)
        return answered - start


def newest_button(api: FakeBotApi, chat_id: int, prefix: str) -> str:
    for call in reversed(api.calls):
        if call.chat_id == chat_id:
            for button in call.buttons():
                if button["callback_data"].startswith(prefix):
                    return button["callback_data"]
    said = [c.text for c in api.calls if c.chat_id == chat_id][-3:]
    raise LookupError(f"no button {prefix} for {chat_id}; it was told {said}")


class Desk:
    """The desk with a roster of residents, a clerk and a technician."""

    def __init__(self, folder: Path, residents: int) -> None:
        self.residents = residents
        settings = EstateSettings(daily_report_limit=10_000)
        self.harness = DeskHarness(folder / "desk.sqlite3", settings=settings)
        self.next_resident = 0

    async def start(self) -> None:
        h = self.harness
        await h.start()
        rows = "".join(f"A,{n}F-1,Resident {n},0912-{n:06d}\n"
                       for n in range(1, self.residents + 1))
        await h.import_roster("building,unit,name,phone\n" + rows)
        for role, user_id in ((roles.CLERK, CLERK), (roles.TECHNICIAN, TECH)):
            await h.hire(h.person(user_id, role, "en"), role, role)
        for n in range(1, self.residents + 1):
            person = h.person(self.uid(n), f"R{n}", "en")
            await person.send("/start")
            await person.share_contact(f"0912-{n:06d}")
        self.feed = Feeder(h.app, h.deliver, h.next_update_id + 1)
        h.api.calls.clear()

    def uid(self, n: int) -> int:
        return 100_000 + n

    def resident(self) -> int:
        self.next_resident = self.next_resident % self.residents + 1
        return self.uid(self.next_resident)

    async def read_only(self, rep: int) -> list[float]:
        user = self.resident()
        return [await self.feed(user, text="/mytickets"), await self.feed(user, text="/help")]

    async def report(self, rep: int) -> list[float]:
        user, f, api = self.resident(), self.feed, self.harness.api
        api.calls.clear()
        times = [await f(user, text="/repair"), await f(user, data="r:c:plumbing"),
                 await f(user, data="r:g:normal"), await f(user, text="Kitchen sink"),
                 await f(user, text=f"Water drips from the pipe, round {rep}."),
                 await f(user, data="r:pd")]
        times.append(await f(user, data=newest_button(api, user, "r:d:")))
        times += [await f(user, data="r:s:morning"), await f(user, data="r:ok")]
        self.ticket = rep + 1
        return times

    async def dispatch(self, rep: int) -> list[float]:
        f, api, t = self.feed, self.harness.api, self.ticket
        times = [await f(CLERK, data=newest_button(api, CLERK, f"d:tech:{t}:"))]
        times.append(await f(CLERK, data=newest_button(api, CLERK, f"d:pt:{t}:{TECH}:")))
        times.append(await f(CLERK, data=newest_button(api, CLERK, f"d:dl:{t}:t{TECH}:2:")))
        return times

    async def completion(self, rep: int) -> list[float]:
        f, api, t = self.feed, self.harness.api, self.ticket
        times = [await f(TECH, data=newest_button(api, TECH, f"w:go:{t}:"))]
        times.append(await f(TECH, data=newest_button(api, TECH, f"w:at:{t}:")))
        times.append(await f(TECH, data=newest_button(api, TECH, f"w:done:{t}:")))
        times += [await f(TECH, photo=f"after-{t}"), await f(TECH, data="w:pd"),
                  await f(TECH, text="Replaced the washer."), await f(TECH, text="1"),
                  await f(TECH, text="120")]
        return times


class Bare:
    """The bare library: one handler replying "hello", optionally after one transaction."""

    def __init__(self, folder: Path, with_transaction: bool) -> None:
        self.folder, self.with_transaction = folder, with_transaction

    async def start(self) -> None:
        self.api = FakeBotApi()
        app = (ApplicationBuilder().token("123:TEST").base_url("http://bot-api.invalid/bot")
               .request(self.api).get_updates_request(self.api).build())
        self.conn = None
        if self.with_transaction:
            self.conn = await aiosqlite.connect(self.folder / "bare.sqlite3", isolation_level=None)
            await self.conn.execute("PRAGMA journal_mode=WAL")
            await self.conn.execute("PRAGMA synchronous=FULL")
            await self.conn.execute("CREATE TABLE seen (update_id INTEGER PRIMARY KEY)")
        app.add_handler(CommandHandler("hello", self.hello))
        await app.initialize()
        self.app, self.feed = app, Feeder(app)

    async def hello(self, update, context) -> None:
        if self.conn is not None:
            await self.conn.execute("BEGIN IMMEDIATE")
            await self.conn.execute("INSERT INTO seen VALUES (?)", (update.update_id,))
            await self.conn.execute("COMMIT")
        await update.effective_chat.send_message("hello")

    async def step(self, rep: int) -> list[float]:
        times = [await self.feed(7, text="/hello") for _ in range(4)]
        self.api.calls.clear()
        return times

    async def stop(self) -> None:
        await self.app.shutdown()
        if self.conn is not None:
            await self.conn.close()


def figures(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return len(times) / sum(times), statistics.median(ordered) * 1000, p99 * 1000


async def main(reps: int, residents: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        bare, bare_tx = Bare(Path(folder), False), Bare(Path(folder), True)
        desk = Desk(Path(folder), residents)
        for thing in (bare, bare_tx, desk):
            await thing.start()
        paths = {"bare PTB": bare.step, "bare PTB + 1 tx": bare_tx.step,
                 "read-only (/mytickets, /help)": desk.read_only,
                 "repair conversation (9 updates)": desk.report,
                 "clerk dispatch (3 taps)": desk.dispatch,
                 "technician completion (8 updates)": desk.completion}
        times: dict[str, list[float]] = {name: [] for name in paths}
        work: dict[str, list[float]] = {name: [] for name in paths}
        feeders = {name: bare.feed if name == "bare PTB" else bare_tx.feed
                   if name.startswith("bare") else desk.feed for name in paths}
        try:
            for rep in range(-20, reps):  # the first 20 warm up, unmeasured
                for name, step in paths.items():
                    feeders[name].work.clear()
                    taken = await step(rep + 20)
                    if rep >= 0:
                        times[name] += taken
                        work[name] += feeders[name].work
                if rep % 50 == 0:  # what the minute's sweep does, unmeasured
                    await desk.harness.db.checkpoint()
                    gc.collect()
        finally:  # aiosqlite's thread would keep a failed run alive
            for thing in (bare, bare_tx):
                await thing.stop()
            await desk.harness.stop()
    base, base_tx = figures(work["bare PTB"])[0], figures(work["bare PTB + 1 tx"])[0]
    print(f"{'path':38} {'updates/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}")
    for name, taken in times.items():
        rate = figures(work[name])[0]
        _, p50, p99 = figures(taken)
        against = base_tx if name.startswith(("repair", "clerk", "technician")) else base
        ratio = "" if name.startswith("bare") else f"{rate / against:6.2f}x"
        print(f"{name:38} {rate:10.0f} {p50:8.2f} {p99:8.2f} {ratio:>7}")
    print("ratio: read-only against bare PTB; the write paths against bare PTB + 1 tx")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite",
                        help="the desk's database (postgres: ESTATEDESK_TEST_PG, else the "
                             "local server's database test); the bare baselines stay SQLite")
    args = parser.parse_args()
    if args.backend == "postgres":
        from tests import backends
        backends.POSTGRES = True
    asyncio.run(main(args.reps, args.residents))
