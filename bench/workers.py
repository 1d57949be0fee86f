"""Several webhook workers, many estates, one PostgreSQL database, and a worker killed.

    .venv/bin/python bench/workers.py [--db URL] [--workers 3] [--estates 20] [--people 50]
                                      [--minutes 5] [--kill-at 3] [--smoke]

Each estate (a schema of its own) has a clerk, two technicians, a supervisor and residents
who each report a leak at a moment spread over the run. Every story goes through the
workers as Telegram delivers it (the Bot API stand-in: a queue per chat, the next update
after a 2xx, retries with back-off, a load balancer without sticky sessions): the resident
reports, the clerk dispatches, the technician is on the way, arrives, completes with a photo,
the resident confirms, and answers the callback survey. Service levels are short (assign in
1 minute, resolve in 3) and some clerks and technicians are slow, so warnings and alerts fire.
At `--kill-at` minutes the first worker is killed (SIGKILL); the others carry on.

Asserted at the end: every report confirmed to a resident is stored once; no step of a
ticket is recorded twice and each ticket's steps are in the story's order; every outbox
message is sent, and a person's messages in the order they were committed.
Printed: stories finished, webhook time (p50/p99), updates delivered again, alert lateness
(due to fired, fired to sent), memory per estate, and the pools' waits.

A story that waits in vain for a button or a text (the conversation offers something else
now) stops the run at once, saying what the chat showed instead; the run exits non-zero
then, and whenever a story did not finish. `--smoke`: two workers, one estate, a handful of
people, no one slow, in seconds (CI runs it: tests/test_benchmarks.py)."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/test"

import httpx  # noqa: E402

from bot.config import estate_settings  # noqa: E402
from sandbox.bot_api import BotApiStandIn  # noqa: E402
from storage.postgres import PgDatabase  # noqa: E402
from tests.fake_telegram import BOT  # noqa: E402
from tests.harness import DeskHarness, FakeClock  # noqa: E402
from tests.test_serve_process import free_port, ready  # noqa: E402
from workflow import admin, roles  # noqa: E402

SETTINGS = """
sweep_seconds = 5
survey_delay = "20s"
survey_hours = "00:00-23:59"
quiet_hours = "23:58-23:59"
[service_levels.default]
normal = { assign = "1m", resolve = "3m" }
"""
STAFF = {"clerk": 1, "tech_a": 2, "tech_b": 3, "boss": 4}
SMOKE_SETTINGS = """
sweep_seconds = 1
survey_delay = "1s"
survey_hours = "00:00-23:59"
quiet_hours = "23:58-23:59"
[service_levels.default]
normal = { assign = "1m", resolve = "3m" }
"""
STEPS = ("reported", "assigned", "en_route", "arrived", "completed", "confirmed")
POLL = 0.25
# How long a person waits for what the bot answers their own step with (it is there once the
# update is taken, unless Telegram was busy and it went through the outbox), and for what
# someone else's action brings them (a card, a task, the question whether it is fixed).
ANSWER_WAIT = 60.0
NOTICE_WAIT = 600.0
REFUSALS: list[tuple[str, str]] = []  # a tap answered with a toast: (its data, the words)


class Estate:
    def __init__(self, n: int, people: int, run: str) -> None:
        self.n, self.key = n, f"bench_{run}_{n:02d}"
        self.token = f"{7000 + n}:BENCH{n}"
        self.base = 1_000_000 * (n + 1)
        self.residents = [self.base + 100 + r for r in range(max(1, people - len(STAFF)))]
        self.secret = uuid.uuid4().hex
        self.ids = {name: self.base + k for name, k in STAFF.items()}

    def phone(self, user_id: int) -> str:
        r = user_id - self.base
        return f"09{self.n % 100:02d}-{r // 1000:03d}-{r % 1000:03d}"


async def prepare(estate: Estate, url: str, settings_file: Path) -> None:
    """The estate's roster, staff and residents signed up, through the bot in-process."""
    desk = DeskHarness(Path("unused"), settings=estate_settings(str(settings_file)),
                       clock=FakeClock(datetime.now(UTC)),
                       database=PgDatabase(url, estate.key, max_size=2))
    await desk.start()
    rows = "".join(f"A,{u - estate.base}F-1,R{u},{estate.phone(u)}\n" for u in estate.residents)
    await desk.import_roster("building,unit,name,phone\n" + rows)
    names = {"clerk": (roles.CLERK, "Clerk"), "tech_a": (roles.TECHNICIAN, "Ah Wai"),
             "tech_b": (roles.TECHNICIAN, "Ah Keung"), "boss": (roles.SUPERVISOR, "Boss")}
    for name, (role, label) in names.items():
        await desk.hire(desk.person(estate.ids[name], label, "en"), role, label)
    for user_id in estate.residents:
        person = desk.person(user_id, f"R{user_id}", "en")
        await person.send("/start")
        await person.share_contact(estate.phone(user_id))
    await admin.set_webhook_secret(desk.db, estate.secret)
    await desk.stop()


class Stuck(Exception):
    """A story waited in vain for a button or a text: the desk answers that step otherwise."""


class Chat:
    """A person on Telegram as the benchmark plays them: sends, taps, and waits to see."""

    def __init__(self, api: BotApiStandIn, estate: Estate, user_id: int) -> None:
        self.api, self.estate, self.user_id = api, estate, user_id
        self.lock = asyncio.Lock()  # one conversation at a time in this chat

    def _user(self) -> dict:
        return {"id": self.user_id, "is_bot": False, "first_name": "P", "language_code": "en"}

    def _message(self, **content) -> dict:
        return {"message_id": random.randrange(1, 2**31), "date": int(time.time()),
                "chat": {"id": self.user_id, "type": "private"}, "from": self._user(),
                **content}

    async def _push(self, update: dict) -> None:
        [update_id] = self.api.push(update, bot=self.estate.token)
        while update_id not in self.api.acked:
            await asyncio.sleep(POLL)

    async def send(self, text: str) -> None:
        content: dict = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        await self._push({"message": self._message(**content)})

    async def photo(self, file_id: str) -> None:
        sizes = [{"file_id": file_id, "file_unique_id": file_id[-12:], "width": 1280,
                  "height": 960}]
        await self._push({"message": self._message(photo=sizes)})

    async def tap(self, prefix: str, label: str | None = None, wait: float | None = None,
                  nth: int = 0) -> str:
        """Taps the newest message's button whose data starts so (and reads `label`; the
        `nth` of those), once it shows (within ANSWER_WAIT unless told `wait`)."""
        wait = ANSWER_WAIT if wait is None else wait
        until = time.monotonic() + wait
        while (data := self._button(prefix, label, nth)) is None:
            if time.monotonic() > until:
                raise Stuck(f"{self.estate.key} person {self.user_id} waited {wait:.0f} s for a "
                            f"button {prefix!r}{f' reading {label!r}' if label else ''}; "
                            f"the chat shows: {self.shown()}")
            await asyncio.sleep(POLL)
        shown = {**self._message(text="..."), "from": BOT}  # the bot's message with the button
        query = {"id": uuid.uuid4().hex, "from": self._user(), "chat_instance": "1",
                 "data": data, "message": shown}
        await self._push({"callback_query": query})
        if told := self.api.answered.get(query["id"]):  # a toast: what the tap was told
            REFUSALS.append((data, told))
        return data

    def _button(self, prefix: str, label: str | None, nth: int = 0) -> str | None:
        whole = prefix if prefix.endswith(":") else prefix + ":"  # 2 is not 23
        for _, params, _ in reversed(self.api.by_chat.get(self.user_id, [])):
            found = [data for data, text in _buttons(params)
                     if (data == prefix or data.startswith(whole)) and
                     (label is None or text == label)]
            if len(found) > nth:
                return found[nth]
        return None

    def shown(self, last: int = 2) -> str:
        """The chat's last messages and their buttons, to say where a story got stuck."""
        calls = self.api.by_chat.get(self.user_id, [])[-last:]
        if not calls:
            return "nothing"
        return " | ".join(
            f"{(params.get('text') or params.get('caption') or method)[:120]!r} "
            f"[{', '.join(data for data, _ in _buttons(params)) or 'no buttons'}]"
            for method, params, _ in calls)

    def mark(self) -> int:
        """Where this chat's messages stand now: `seen(..., after=)` looks only beyond."""
        return len(self.api.by_chat.get(self.user_id, []))

    async def seen(self, words: str, wait: float | None = None, after: int = 0) -> str:
        wait = ANSWER_WAIT if wait is None else wait
        until = time.monotonic() + wait
        while True:
            calls = self.api.by_chat.get(self.user_id, [])
            for _, params, _ in reversed(calls[after:]):
                if words in (params.get("text") or ""):
                    return params["text"]
            if time.monotonic() > until:
                raise Stuck(f"{self.estate.key} person {self.user_id} waited {wait:.0f} s to "
                            f"see {words!r}; the chat shows: {self.shown()}")
            await asyncio.sleep(POLL)


def _buttons(params: dict) -> list[tuple[str, str]]:
    """A message's inline buttons: (callback data, label)."""
    markup = params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return [(b.get("callback_data", ""), b.get("text", "")) for row in rows for b in row]


async def story(api: BotApiStandIn, estate: Estate, staff: dict[str, Chat], resident: Chat,
                start_after: float, outcome: dict, slow: bool = True) -> None:
    """One resident's leak, from the report to the survey, as tests/stories.py tells it."""
    await asyncio.sleep(start_after)
    rng = random.Random(resident.user_id)

    def pause(long: float) -> float:  # a slow clerk or visit for a quarter, else a moment
        if not slow:
            return rng.uniform(0, 1)
        return long if rng.random() < 0.25 else rng.uniform(0, 10)

    await resident.send("/repair")
    await resident.tap("r:c:plumbing")
    await resident.tap("r:g:normal")
    await resident.send("Kitchen sink")
    await resident.send("Water drips from the pipe under the sink.")
    await resident.tap("r:pd")
    await resident.tap("r:d:", nth=1)  # the second day offered: every slot of it is open
    await resident.tap("r:s:")  # the first time of day offered
    clerk = staff["clerk"]
    before = clerk.mark()
    await resident.tap("r:ok")
    said = await resident.seen("registered as R-")
    ref = said.split("registered as ")[1].split()[0].rstrip(".,")
    outcome["reported"].add((estate.key, ref))
    ticket = await _ticket_of(clerk, ref, before)
    tech = staff["tech_a"] if rng.random() < 0.5 else staff["tech_b"]
    await asyncio.sleep(pause(75))  # a slow clerk?
    async with clerk.lock:
        await clerk.tap(f"d:tech:{ticket}:", wait=NOTICE_WAIT)
        await clerk.tap(f"d:pt:{ticket}:{tech.user_id}:")
        await clerk.tap(f"d:dl:{ticket}:t{tech.user_id}:")
    await asyncio.sleep(pause(120))  # a slow visit?
    async with tech.lock:
        await tech.tap(f"w:go:{ticket}", wait=NOTICE_WAIT)
        await tech.tap(f"w:at:{ticket}")
        await tech.tap(f"w:done:{ticket}")
        await tech.photo(f"after-{estate.key}-{ticket}")
        await tech.tap("w:pd")
        await tech.send("Replaced the trap seal.")
        await tech.send("1.5")
        await tech.send("120")
    await resident.tap(f"s:ok:{ticket}", wait=NOTICE_WAIT)
    await resident.tap(f"sv:r:{ticket}:", label="5★", wait=NOTICE_WAIT)  # after survey_delay
    await resident.tap("sv:", label="Next")
    await resident.send("Quick and tidy.")
    await resident.seen("Thank you for your feedback")
    outcome["finished"] += 1


async def _ticket_of(clerk: Chat, ref: str, after: int) -> int:
    """The report's id, from the card the clerk received for it."""
    until = time.monotonic() + NOTICE_WAIT
    while True:
        if time.monotonic() > until:
            raise Stuck(f"{clerk.estate.key}: the clerk never got a card with a 'd:tech:' "
                        f"button for {ref}; the chat shows: {clerk.shown()}")
        for _, params, _ in clerk.api.by_chat.get(clerk.user_id, [])[after:]:
            markup = params.get("reply_markup") or {}
            if ref in (params.get("text") or "") and isinstance(markup, dict):
                for row in markup.get("inline_keyboard", []):
                    for button in row:
                        if button.get("callback_data", "").startswith("d:tech:"):
                            return int(button["callback_data"].split(":")[2])
        await asyncio.sleep(POLL)


def worker(api: BotApiStandIn, estates_file: Path, estates: list[Estate], url: str,
           port: int) -> subprocess.Popen:
    """A `serve` process; its log kept beside the estates' file (errors() reads them)."""
    env = {**os.environ, "TELEGRAM_API_URL": api.url, "ESTATEDESK_DB": url,
           **{f"BENCH_TOKEN_{e.n}": e.token for e in estates}}
    env.pop("ESTATEDESK_CONFIG", None)
    with open(estates_file.parent / f"worker-{port}.log", "w") as log:
        return subprocess.Popen([sys.executable, "-m", "bot", "serve", "--estates",
                                 str(estates_file), "--port", str(port)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=log)


def errors(folder: Path, most: int = 8) -> list[str]:
    """The workers' logged errors and the desk's warnings, each once (without its time):
    what a story that stopped met."""
    found: list[str] = []
    for log in sorted(folder.glob("worker-*.log")):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            words = line.split(" ", 2)  # date, time, the rest
            said = words[2] if len(words) == 3 else line
            if (said.startswith("ERROR") or said.startswith("WARNING") and
                    "apscheduler" not in said) and said not in found:
                found.append(said)
    return found[:most]


def metrics(url: str) -> dict[str, float]:
    try:
        text = httpx.get(f"{url}/metrics", timeout=10).text
    except httpx.HTTPError:
        return {}
    return {k: float(v) for k, v in (line.split() for line in text.splitlines())}


async def check(url: str, estates: list[Estate], outcome: dict) -> dict[str, list[float]]:
    """Exactly once and in order, from what each estate stored (what is not is put in
    outcome["problems"]); the alerts' lateness."""
    lateness: dict[str, list[float]] = {"due to fired": [], "fired to sent": []}
    problems = outcome["problems"]

    def expect(condition: bool, problem: str) -> None:
        if not condition:
            problems.append(problem)

    for estate in estates:
        db = PgDatabase(url, estate.key, max_size=2)
        await db.open()
        async with db.reading() as conn:
            async def rows(sql: str, *args):
                return await (await conn.execute(sql, args)).fetchall()

            refs = {ref for key, ref in outcome["reported"] if key == estate.key}
            stored = {r[0] for r in await rows("SELECT ref FROM tickets")}
            expect(refs <= stored, f"{estate.key}: reports confirmed and not stored")
            twice = await rows("SELECT resident_id FROM tickets GROUP BY resident_id "
                               "HAVING count(*) > 1")
            expect(not twice, f"{estate.key}: a report stored twice: {twice}")
            steps = await rows("SELECT ticket_id, action FROM ticket_events WHERE action IN "
                               "(?, ?, ?, ?, ?, ?) ORDER BY id", *STEPS)
            seen: dict[int, list[str]] = {}
            for ticket, action in steps:
                seen.setdefault(ticket, []).append(action)
            for ticket, actions in seen.items():  # in order, none twice ("arrived" may be
                places = [STEPS.index(a) for a in actions]  # skipped: a stale button's)
                expect(places == sorted(set(places)), f"{estate.key} {ticket}: {actions}")
            unsent = await rows("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND "
                                "failed_at IS NULL")
            expect(unsent == [(0,)], f"{estate.key}: {unsent[0][0]} messages never sent")
            order = await rows("SELECT recipient_id, id, sent_at FROM outbox WHERE sent_at IS "
                               "NOT NULL ORDER BY recipient_id, id")
            last: dict[int, str] = {}
            for recipient, _, sent in order:
                expect(sent >= last.get(recipient, ""), f"{estate.key}: {recipient} out of order")
                last[recipient] = sent
            for due, fired in await rows("SELECT due_at, fired_at FROM timers WHERE fired_at "
                                         "IS NOT NULL AND kind LIKE '%late%'"):
                lateness["due to fired"].append(_seconds(fired) - _seconds(due))
            for created, sent in await rows(
                    "SELECT created_at, sent_at FROM outbox WHERE kind IN ('overdue_alert', "
                    "'sla_warning') AND sent_at IS NOT NULL"):
                lateness["fired to sent"].append(_seconds(sent) - _seconds(created))
        await db.close()
    return lateness


def _seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main_async(args) -> None:
    run = uuid.uuid4().hex[:6]
    estates = [Estate(n, args.people, run) for n in range(args.estates)]
    folder = Path(tempfile.mkdtemp())
    settings_file = folder / "estate.toml"
    settings_file.write_text(SMOKE_SETTINGS if args.smoke else SETTINGS, encoding="utf-8")
    estates_file = folder / "estates.toml"
    estates_file.write_text("\n".join(
        f'[[estates]]\nkey = "{e.key}"\ntoken_env = "BENCH_TOKEN_{e.n}"\n'
        f'settings = "{settings_file}"\n' for e in estates), encoding="utf-8")
    one_file = folder / "one_estate.toml"
    one_file.write_text(estates_file.read_text(encoding="utf-8").split("\n\n")[0] + "\n",
                        encoding="utf-8")
    outcome: dict = {"reported": set(), "finished": 0, "failed": [], "problems": []}
    try:  # the estates' schemas dropped however the run ends
        began = time.perf_counter()
        for estate in estates:
            await prepare(estate, args.db, settings_file)
        print(f"prepared {len(estates)} estates x {args.people} people in "
              f"{time.perf_counter() - began:.0f} s", file=sys.stderr)
        with BotApiStandIn(first_update_id=10_000_000) as api:  # after the sign-ups
            for estate in estates:
                api.webhooks[estate.token] = {
                    "url": f"https://lb.example/telegram/{estate.key}",
                    "secret_token": estate.secret}
            if len(estates) > 1:  # a worker serving one estate: what a worker costs itself
                outcome["one estate"] = _memory_of_one(api, one_file, estates, args.db)
            ports = [free_port() for _ in range(args.workers)]
            api.route = [f"http://127.0.0.1:{p}" for p in ports]
            procs = [worker(api, estates_file, estates, args.db, p) for p in ports]
            try:
                for url in api.route:
                    if not ready(url, 120):
                        raise SystemExit(f"the worker at {url} never became ready")
                memory_idle = [metrics(u).get("estatedesk_resident_memory_bytes", 0)
                               for u in api.route]
                outcome.setdefault("one estate", memory_idle[0])  # the workers serve one
                await drive(api, estates, args, procs, outcome)
                scraped = [metrics(u) for u in api.route[1:]]
                outcome["cpu"] = {"workers": sum(_cpu_seconds(p.pid) for p in procs[1:]),
                                  "driver and stand-in": time.process_time()}
            finally:
                for proc in procs:
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGTERM)
                for proc in procs:
                    try:
                        proc.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        proc.kill()
            timings, deliveries = list(api.timings), list(api.deliveries)
        lateness = await check(args.db, estates, outcome)
    finally:
        for estate in estates:
            await PgDatabase(args.db, estate.key).drop()
    outcome["errors"], outcome["logs"] = errors(folder), folder
    report(args, outcome, timings, deliveries, lateness, memory_idle, scraped)


def _memory_of_one(api: BotApiStandIn, one_file: Path, estates: list[Estate],
                   url: str) -> float:
    port = free_port()
    single = worker(api, one_file, estates[:1], url, port)
    if not ready(f"http://127.0.0.1:{port}", 120):
        raise SystemExit("a worker never became ready")
    found = metrics(f"http://127.0.0.1:{port}").get("estatedesk_resident_memory_bytes", 0)
    single.send_signal(signal.SIGTERM)
    single.wait(timeout=60)
    return found


async def drive(api, estates, args, procs, outcome) -> None:
    seconds = args.minutes * 60
    tasks = []
    for estate in estates:
        staff = {name: Chat(api, estate, uid) for name, uid in estate.ids.items()}
        for resident in estate.residents:
            start_after = random.uniform(0, seconds * 0.45)
            tasks.append(asyncio.create_task(story(api, estate, staff,
                                                   Chat(api, estate, resident),
                                                   start_after, outcome, slow=not args.smoke)))
    started = time.monotonic()
    killer = asyncio.create_task(_kill_later(procs[0], args.kill_at * 60)) \
        if args.kill_at is not None else None
    # the first story stuck stops the run: the others would wait as long for the same
    done, pending = await asyncio.wait(tasks, timeout=seconds + 240,
                                       return_when=asyncio.FIRST_EXCEPTION)
    for task in pending:
        task.cancel()
    for task in done:
        if task.exception() is not None:
            error = task.exception()
            outcome["failed"].append(str(error) if isinstance(error, Stuck) else repr(error))
            print(f"a story stopped: {outcome['failed'][-1]}", file=sys.stderr)
    if killer is not None:
        killer.cancel()
    outcome["seconds"] = time.monotonic() - started
    outcome["unfinished"] = len(pending)
    # what the sweeps and senders still owe is delivered before the count
    await _settled(args.db, estates, 10 if args.smoke else 60)


async def _settled(url: str, estates: list[Estate], wait: float) -> None:
    """Until every estate's outbox is sent (or `wait` seconds have passed: check() says)."""
    until = time.monotonic() + wait
    for estate in estates:
        db = PgDatabase(url, estate.key, max_size=1)
        await db.open()
        try:
            while time.monotonic() < until:
                async with db.reading() as conn:
                    left = await (await conn.execute(
                        "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS "
                        "NULL", ())).fetchall()
                if left == [(0,)]:
                    break
                await asyncio.sleep(0.5)
        finally:
            await db.close()


async def _kill_later(proc: subprocess.Popen, after: float) -> None:
    await asyncio.sleep(after)
    proc.send_signal(signal.SIGKILL)
    print(f"worker {proc.pid} killed", file=sys.stderr)


def report(args, outcome, timings, deliveries, lateness, memory_idle, scraped) -> None:
    stories = args.estates * max(1, args.people - len(STAFF))
    again = sum(1 for _, _, s in deliveries if s != 200)
    why: dict[str, int] = {}  # the failures by answer (503, a timeout, a refused connection)
    for _, _, status in deliveries:
        if status != 200:
            why[str(status)] = why.get(str(status), 0) + 1
    killed = f"worker 1 killed at minute {args.kill_at}" if args.kill_at is not None else \
        "no worker killed"
    print(f"{args.workers} workers, {args.estates} estates x {args.people} people, "
          f"{outcome['seconds']:.0f} s; {killed}")
    print(f"stories finished       {outcome['finished']} of {stories} "
          f"({outcome['unfinished']} unfinished, {len(outcome['failed'])} failed)")
    print(f"updates handled        {len(timings)}, delivered again after a failure {again}"
          + (" (" + ", ".join(f"{k}: {n}" for k, n in sorted(why.items())) + ")" if why else ""))
    print(f"webhook time           p50 {percentile(timings, .5) * 1000:.0f} ms, "
          f"p99 {percentile(timings, .99) * 1000:.0f} ms")
    for name, values in lateness.items():
        print(f"alerts {name:<15} p50 {percentile(values, .5):.1f} s, "
              f"p99 {percentile(values, .99):.1f} s ({len(values)})")
    rss = statistics.mean([m.get("estatedesk_resident_memory_bytes", 0) for m in scraped]
                          or [outcome["one estate"]])  # no worker left to ask
    alone = outcome["one estate"]
    each = (rss - alone) / max(1, args.estates - 1)
    print(f"memory per estate      {each / 2**20:.1f} MiB (a worker: {alone / 2**20:.0f} MiB "
          f"with one estate; with {args.estates}, {statistics.mean(memory_idle) / 2**20:.0f} "
          f"MiB idle, {rss / 2**20:.0f} MiB at the end)")
    waits = sum(m.get("estatedesk_pool_requests_queued", 0) for m in scraped)
    wait_ms = sum(m.get("estatedesk_pool_requests_wait_ms", 0) for m in scraped)
    asked = sum(m.get("estatedesk_pool_requests_num", 0) for m in scraped)
    print(f"pool waits             {waits:.0f} of {asked:.0f} requests waited, "
          f"{wait_ms / max(waits, 1):.0f} ms each on average (surviving workers)")
    if outcome["failed"]:
        print("stuck or failed stories:", *outcome["failed"][:5], sep="\n  ")
    if outcome["errors"]:
        print(f"the workers logged ({outcome['logs']}):",
              *(e[:300] for e in outcome["errors"]), sep="\n  ")
    cpu = outcome.get("cpu", {})
    print("CPU seconds            " + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items()) +
          f" (surviving workers; {os.cpu_count()} cores x {outcome['seconds']:.0f} s)")
    if REFUSALS:
        told: dict[str, int] = {}
        for data, text in REFUSALS:
            key = f"{data.split(':')[0]}:{data.split(':')[1]}: {text[:70]}"
            told[key] = told.get(key, 0) + 1
        print("taps answered with a toast:",
              *(f"{n:5} {k}" for k, n in sorted(told.items(), key=lambda x: -x[1])[:8]),
              sep="\n  ")
    if outcome["problems"]:
        print(f"NOT exactly once and in order ({len(outcome['problems'])}):",
              *outcome["problems"][:10], sep="\n  ")
        raise SystemExit(1)
    print("exactly once and in order: checked")
    if outcome["finished"] < stories:
        raise SystemExit(f"FAILED: {stories - outcome['finished']} of {stories} stories did not "
                         "finish" + (f"; the first stuck: {outcome['failed'][0]}"
                                     if outcome["failed"] else " in time"))
    if not timings or not alone or not rss:
        raise SystemExit("FAILED: no webhook timings or no memory figures")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU a live process has used (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("ESTATEDESK_TEST_PG") or DEFAULT_DB)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--estates", type=int, default=20)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--kill-at", type=float, default=3,
                        help="the minute worker 1 is killed at (negative: none)")
    parser.add_argument("--smoke", action="store_true",
                        help="2 workers, 1 estate, 7 people, none slow, none killed: seconds")
    args = parser.parse_args()
    if args.smoke:
        global POLL, ANSWER_WAIT
        args.workers, args.estates, args.people, args.minutes = 2, 1, 7, 0.1
        args.kill_at, POLL, ANSWER_WAIT = -1, 0.05, 20.0
    if args.kill_at < 0:
        args.kill_at = None
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
