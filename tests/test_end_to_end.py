"""The real process: `python -m bot run` polling a local Bot API stand-in over HTTP."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.bot_api_standin import BotApiStandIn

ROOT = Path(__file__).resolve().parent.parent


def start_bot(api: BotApiStandIn, db: Path) -> subprocess.Popen:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:E2E", "TELEGRAM_API_URL": api.url,
           "ESTATEDESK_DB": str(db)}
    env.pop("ESTATEDESK_CONFIG", None)
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_the_bot_answers_start_and_stops_cleanly_on_sigterm(tmp_path):
    db = tmp_path / "desk.sqlite3"
    with BotApiStandIn() as api:
        bot = start_bot(api, db)
        try:
            assert api.wait_for(lambda calls: any(m == "getUpdates" for m, _ in calls)), \
                "the bot never polled"
            api.push({"message": {
                "message_id": 1, "date": int(time.time()), "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                "chat": {"id": 4242, "type": "private", "first_name": "May"},
                "from": {"id": 4242, "is_bot": False, "first_name": "May",
                         "language_code": "en"}}})
            assert api.wait_for(lambda calls: any(
                m == "sendMessage" and p.get("chat_id") == 4242 for m, p in calls)), \
                "no answer to /start"
            bot.send_signal(signal.SIGTERM)
            output, _ = bot.communicate(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()
    assert bot.returncode == 0, output
    answer = next(p for m, p in api.calls if m == "sendMessage" and p.get("chat_id") == 4242)
    assert answer["text"].startswith("Welcome to the estatedesk service desk")
    assert answer["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT language FROM people WHERE user_id = 4242").fetchall() == [
            ("en",)]
        assert conn.execute("SELECT value FROM meta WHERE key = 'bot_username'").fetchall() == [
            ("estatedesk_test_bot",)]
    assert any(m == "setMyCommands" for m, _ in api.calls)
