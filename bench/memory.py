"""The real process's memory after a long day: 100,000 updates from 10,000 residents.

    .venv/bin/python bench/memory.py [--residents 10000] [--per-resident 10]

Starts the bot's process as `estatedesk run` does (bot/polling.py, the production
Application), with one difference: without Telegram's 30 messages a second (AIORateLimiter),
which would make this an hour's run. It polls a local Bot API stand-in over HTTP and is fed,
in batches as Telegram would, every resident's /start, /help, /mytickets (three times), a
/repair begun and cancelled, a stray text and /language. Prints the process's resident
memory (VmRSS) once it is up and idle, after every 20,000 updates, and its peak (VmHWM),
with the ratio to the idle figure: what the desk keeps per person and per update must not
grow with them."""

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

from bot.sandbox.bot_api import BotApiStandIn  # noqa: E402

BATCH = 500
SCRIPT = ["/start", "/help", "/mytickets", "/repair", "/cancel", "hello", "/mytickets",
          "/language", "/help", "/mytickets"]


class LeanStandIn(BotApiStandIn):
    """Keeps no record of calls or chats (a hundred thousand answers), only what the bot
    confirmed."""

    def __init__(self) -> None:
        super().__init__(keep_calls=False)

    def wait_taken(self, count: int, timeout: float = 600) -> bool:
        return self.wait_until(lambda api: api.confirmed >= count, timeout)


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


def main(residents: int, per_resident: int) -> None:
    script = (SCRIPT * (per_resident // len(SCRIPT) + 1))[:per_resident]
    with tempfile.TemporaryDirectory() as folder, LeanStandIn() as api:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:BENCH", "TELEGRAM_API_URL": api.url,
               "ESTATEDESK_DB": str(Path(folder) / "desk.sqlite3")}
        env.pop("ESTATEDESK_CONFIG", None)
        bot = subprocess.Popen([sys.executable, __file__, "--serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL,  # BENCH_LOG=1 shows its log
                               stderr=None if os.environ.get("BENCH_LOG") else subprocess.DEVNULL)
        try:
            api.wait_taken(0)
            time.sleep(2)  # up, migrated, idle
            idle, _ = rss_kib(bot.pid)
            print(f"{'updates':>10} {'RSS MiB':>9} {'x idle':>7}")
            print(f"{0:>10,} {idle / 1024:9.1f} {1:7.2f}")
            sent, started = 0, time.perf_counter()
            for step in script:
                for first in range(0, residents, BATCH):
                    users = range(first, min(first + BATCH, residents))
                    api.push(*[update(1_000_000 + u, sent + i, step)
                               for i, u in enumerate(users)])
                    sent += len(users)
                    if not api.wait_taken(sent - BATCH):  # keep a batch or so in flight
                        raise SystemExit("the bot stopped taking updates")
                    if sent % 20_000 == 0:
                        now, _ = rss_kib(bot.pid)
                        print(f"{sent:>10,} {now / 1024:9.1f} {now / idle:7.2f}")
            api.wait_taken(sent)
            elapsed = time.perf_counter() - started
            now, peak = rss_kib(bot.pid)
            print(f"after {sent:,} updates from {residents:,} residents ({sent / elapsed:,.0f} "
                  f"updates/s over HTTP): RSS {now / 1024:.1f} MiB ({now / idle:.2f}x idle), "
                  f"peak {peak / 1024:.1f} MiB")
        finally:
            bot.terminate()
            bot.wait(timeout=30)


def serve() -> None:
    """The bot process: bot/cli.py's `run`, unthrottled."""
    from bot import polling
    from bot.app import build_application
    from bot.config import deployment, estate_settings
    from storage.db import Database

    env = deployment()
    app = build_application(estate_settings(env.config_path), Database(env.db_path),
                            token=env.token or "", api_url=env.api_url, rate_limited=False)
    polling.run(app)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
        raise SystemExit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--per-resident", type=int, default=10)
    args = parser.parse_args()
    main(args.residents, args.per_resident)
