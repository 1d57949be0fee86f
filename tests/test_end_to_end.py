"""The real process: `python -m bot run` polling a local Bot API stand-in over HTTP."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.sandbox.bot_api import BotApiStandIn

ROOT = Path(__file__).resolve().parent.parent


def start_bot(api: BotApiStandIn, db: Path, options: list[str] | None = None,
              extra_env: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:E2E", "TELEGRAM_API_URL": api.url,
           "ESTATEDESK_DB": str(db), **(extra_env or {})}
    env.pop("ESTATEDESK_CONFIG", None)
    return subprocess.Popen([sys.executable, "-m", "bot", "run", *(options or [])], cwd=ROOT,
                            env=env,
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
            ("estatedesk_demo_bot",)]
    assert any(m == "setMyCommands" for m, _ in api.calls)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, update: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, json.dumps(update).encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_webhook_mode_checks_telegrams_secret_on_every_request(tmp_path):
    port = free_port()
    with BotApiStandIn() as api:
        env = {"TELEGRAM_WEBHOOK_SECRET": "s3cret-token"}
        bot = start_bot(api, tmp_path / "desk.sqlite3",
                        ["--webhook", "https://desk.example.invalid/telegram", "--port",
                         str(port)], env)
        try:
            assert api.wait_for(lambda calls: any(m == "setWebhook" for m, _ in calls)), \
                "the webhook was never set"
            hook = next(p for m, p in api.calls if m == "setWebhook")
            assert hook["url"] == "https://desk.example.invalid/telegram"
            assert hook["secret_token"] == "s3cret-token"
            url = f"http://127.0.0.1:{port}/telegram"
            update = {"update_id": 1, "message": {
                "message_id": 1, "date": int(time.time()), "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                "chat": {"id": 4343, "type": "private", "first_name": "May"},
                "from": {"id": 4343, "is_bot": False, "first_name": "May",
                         "language_code": "en"}}}
            for _ in range(100):  # the server starts listening just after setWebhook
                try:
                    status = post(url, update, None)
                    break
                except OSError:
                    time.sleep(0.1)
            assert status == 403
            assert post(url, update, "guessed") == 403
            assert not any(m == "sendMessage" for m, _ in api.calls)
            assert post(url, update, "s3cret-token") == 200
            assert api.wait_for(lambda calls: any(
                m == "sendMessage" and p.get("chat_id") == 4343 for m, p in calls))
            bot.send_signal(signal.SIGTERM)
            output, _ = bot.communicate(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()
    assert bot.returncode == 0, output


def test_webhook_mode_wants_an_https_address(tmp_path):
    with BotApiStandIn() as api:
        bot = start_bot(api, tmp_path / "desk.sqlite3", ["--webhook", "http://plain.invalid/x"])
        output, _ = bot.communicate(timeout=30)
    assert bot.returncode == 2 and "https" in output
