"""The real process's memory, idle and after a long day (100,000 updates from 10,000
residents), beside a bare python-telegram-bot process fed the same.

    .venv/bin/python bench/memory.py [--residents 10000] [--per-resident 10] [--smoke]

The desk's process starts as `estatedesk run` does (the command line's modules loaded,
bot/polling.py, the production Application on a SQLite file), with one difference: without
Telegram's 30 messages a second (AIORateLimiter), which would make this an hour's run. The
bare process is production's ApplicationBuilder (no rate limiter either) with one handler
answering every message with one "hello", polling with PTB's own run_polling, up to 100
updates at once (the desk handles a fetched batch, at most 100, chat by chat side by side).
Each polls a local Bot API stand-in over HTTP and is fed, in batches as Telegram would, every
resident's /start, /help, /mytickets (three times), a /repair begun and cancelled, a stray
text and /language; the next batch goes once about one batch is left in flight (the desk's:
confirmed, which its polling does once an update is handled; the bare one's: answered, as
PTB's own polling confirms an update as soon as it is queued). Prints each process's resident memory
(VmRSS) once it is up and idle, after every 20,000 updates and at the end, its peak (VmHWM),
and the desk's figures over the bare process's (issue 27's targets: the desk idle ≤ 60 MiB
on SQLite; after 100,000 updates ≤ 1.2× the bare process). --smoke: 50 residents, 3
updates each; exits non-zero when a process stops taking updates or a figure cannot be
read."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 500
SAMPLE_EVERY = 20_000
SCRIPT = ["/start", "/help", "/mytickets", "/repair", "/cancel", "hello", "/mytickets",
          "/language", "/help", "/mytickets"]
IDLE_TARGET_MIB, AFTER_TARGET = 60, 1.2


def lean_stand_in():
    """A local Bot API stand-in that keeps no record of calls or chats (a hundred thousand
    answers): it counts the polls (the process is up once it asks) and what the bot confirmed.
    Imported here, not at the top: the processes measured run this file too, and the stand-in
    (Starlette, uvicorn) must not count in their memory."""
    from sandbox.bot_api import BotApiStandIn

    class LeanStandIn(BotApiStandIn):
        def __init__(self) -> None:
            super().__init__(keep_calls=False)
            self.polls = self.hellos = 0

        def _record(self, method: str, params: dict) -> None:
            if method == "getUpdates":
                self.polls += 1
            elif method == "sendMessage" and params.get("text") == "hello":
                self.hellos += 1

        def wait_taken(self, which: str, count: int, timeout: float = 600) -> bool:
            """The desk's polling confirms an update once handled; PTB's own confirms it
            once queued, so the bare process's is taken when answered (one "hello" each):
            else its memory would hold a backlog the desk's never does."""
            if which == "bare":
                return self.wait_until(lambda api: api.hellos >= count, timeout)
            return self.wait_until(lambda api: api.confirmed >= count, timeout)

        def wait_polled(self, timeout: float = 120) -> bool:
            return self.wait_until(lambda api: api.polls > 0, timeout)

    return LeanStandIn()


def update(user_id: int, n: int, text: str) -> dict:
    message = {"message_id": n, "date": int(time.time()), "text": text,
               "chat": {"id": user_id, "type": "private", "first_name": "R"},
               "from": {"id": user_id, "is_bot": False, "first_name": "R",
                        "language_code": "en"}}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"message": message}


def rss_kib(pid: int) -> tuple[int, int]:
    """VmRSS and VmHWM of the process, in KiB."""
    fields = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def feed(which: str, residents: int, per_resident: int) -> dict[int, int]:
    """Starts the process (`desk` or `bare`), feeds it; RSS in KiB by updates taken (0: idle),
    and its peak under -1."""
    script = (SCRIPT * (per_resident // len(SCRIPT) + 1))[:per_resident]
    seen: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as folder, lean_stand_in() as api:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:BENCH", "TELEGRAM_API_URL": api.url,
               "ESTATEDESK_DB": str(Path(folder) / "desk.sqlite3")}
        env.pop("ESTATEDESK_CONFIG", None)
        bot = subprocess.Popen([sys.executable, __file__, f"--serve-{which}"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL,  # BENCH_LOG=1 shows its log
                               stderr=None if os.environ.get("BENCH_LOG") else subprocess.DEVNULL)
        try:
            if not api.wait_polled():
                raise SystemExit(f"the {which} process did not start polling")
            time.sleep(2)  # up, migrated, idle
            seen[0], _ = rss_kib(bot.pid)
            sent = 0
            for step in script:
                for first in range(0, residents, BATCH):
                    users = range(first, min(first + BATCH, residents))
                    api.push(*[update(1_000_000 + u, sent + i, step)
                               for i, u in enumerate(users)])
                    sent += len(users)
                    if not api.wait_taken(which, sent - BATCH):  # keep a batch or so in flight
                        raise SystemExit(f"the {which} process stopped taking updates")
                    if sent % SAMPLE_EVERY == 0:
                        seen[sent], _ = rss_kib(bot.pid)
            if not api.wait_taken(which, sent):
                raise SystemExit(f"the {which} process stopped taking updates")
            if bot.poll() is not None:
                raise SystemExit(f"the {which} process ended (exit {bot.returncode})")
            seen[sent], seen[-1] = rss_kib(bot.pid)
        finally:
            bot.terminate()
            try:
                bot.wait(timeout=3)
            except subprocess.TimeoutExpired:  # PTB's run_polling waits out its long poll
                bot.kill()
                bot.wait()
    return seen


def main(residents: int, per_resident: int) -> None:
    started = time.perf_counter()
    desk = feed("desk", residents, per_resident)
    bare = feed("bare", residents, per_resident)
    elapsed = time.perf_counter() - started
    if set(desk) != set(bare) or not all(desk.values()) or not all(bare.values()):
        raise SystemExit("a figure cannot be read")
    print(f"{'updates':>10} {'desk MiB':>9} {'x idle':>7} {'bare MiB':>9} {'desk/bare':>9}")
    for taken in sorted(n for n in desk if n >= 0):
        print(f"{taken:>10,} {desk[taken] / 1024:9.1f} {desk[taken] / desk[0]:7.2f} "
              f"{bare[taken] / 1024:9.1f} {desk[taken] / bare[taken]:9.2f}")
    print(f"{'peak':>10} {desk[-1] / 1024:9.1f} {desk[-1] / desk[0]:7.2f} "
          f"{bare[-1] / 1024:9.1f} {desk[-1] / bare[-1]:9.2f}")
    last = max(desk)
    idle_mib = desk[0] / 1024
    print(f"idle: the desk {idle_mib:.1f} MiB (target ≤ {IDLE_TARGET_MIB}: "
          f"{'met' if idle_mib <= IDLE_TARGET_MIB else 'missed'}), bare PTB "
          f"{bare[0] / 1024:.1f} MiB; after {last:,} updates from {residents:,} residents: "
          f"{desk[last] / bare[last]:.2f}x the bare process (target ≤ {AFTER_TARGET}: "
          f"{'met' if desk[last] / bare[last] <= AFTER_TARGET else 'missed'}); "
          f"{elapsed:.0f} s in all")


def serve_desk() -> None:
    """The bot process: bot/cli.py's `run`, unthrottled."""
    import bot.cli  # noqa: F401  (the modules `estatedesk run` loads, measured with them)
    from bot import polling
    from bot.app import build_application
    from bot.config import deployment, estate_settings
    from storage.db import Database

    env = deployment()
    app = build_application(estate_settings(env.config_path), Database(env.db_path),
                            token=env.token or "", api_url=env.api_url, rate_limited=False)
    polling.run(app)


def serve_bare() -> None:
    """The bare library: one handler answering every message, PTB's own polling."""
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    api_url = os.environ["TELEGRAM_API_URL"]

    async def hello(update, context) -> None:
        await update.effective_chat.send_message("hello")

    # up to 100 updates at once, as the desk handles a getUpdates batch (at most 100)
    app = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"])
           .base_url(f"{api_url}/bot").base_file_url(f"{api_url}/file/bot")
           .concurrent_updates(100).build())
    app.add_handler(MessageHandler(filters.ALL, hello))
    app.run_polling(allowed_updates=["message", "callback_query"], timeout=10)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve-desk"]:
        serve_desk()
        raise SystemExit(0)
    if sys.argv[1:] == ["--serve-bare"]:
        serve_bare()
        raise SystemExit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--per-resident", type=int, default=10)
    parser.add_argument("--smoke", action="store_true",
                        help="50 residents, 3 updates each: fails when a process stops taking "
                             "updates or a figure cannot be read")
    args = parser.parse_args()
    if args.smoke:
        args.residents, args.per_resident = 50, 3
    main(args.residents, args.per_resident)
