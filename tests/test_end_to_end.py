"""The real process: `python -m bot run` polling a local Bot API stand-in over HTTP."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import httpx

from sandbox.bot_api import BotApiStandIn

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
        # the privacy notice is shown, and nothing is kept until it is accepted
        assert conn.execute("SELECT count(*) FROM people WHERE user_id = 4242").fetchall() == [
            (0,)]
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


def start_webhook(api: BotApiStandIn, db: Path, port: int, secret: str) -> subprocess.Popen:
    bot = start_bot(api, db, ["--webhook", "https://desk.example.invalid/telegram", "--port",
                              str(port)], {"TELEGRAM_WEBHOOK_SECRET": secret})
    assert api.wait_for(lambda calls: any(m == "setWebhook" for m, _ in calls))
    for _ in range(100):  # listening just after setWebhook
        try:
            post(f"http://127.0.0.1:{port}/telegram", {}, None)
            return bot
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the webhook never listened")


def an_update(update_id: int, chat: int, text: str = "/start") -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        "chat": {"id": chat, "type": "private", "first_name": "May"},
        "from": {"id": chat, "is_bot": False, "first_name": "May", "language_code": "en"}}}


def test_a_webhook_update_is_acknowledged_only_once_handled_so_a_crash_loses_nothing(tmp_path):
    port, db = free_port(), tmp_path / "desk.sqlite3"
    answered: dict = {}

    def deliver() -> None:  # as Telegram does: it counts the update delivered on a 200 only
        try:
            answered["status"] = post(f"http://127.0.0.1:{port}/telegram",
                                      an_update(7, 4545), "s3cret")
        except OSError as exc:
            answered["status"] = exc

    with BotApiStandIn() as api:
        api.held.add(4545)  # the answer to May hangs: the update is being handled
        bot = start_webhook(api, db, port, "s3cret")
        try:
            delivering = threading.Thread(target=deliver)
            delivering.start()
            assert api.wait_for_hanging()
            time.sleep(0.3)
            assert "status" not in answered  # no 200 while the update is being handled
            bot.kill()  # the crash, in the middle of handling it
            bot.wait(10)
            delivering.join(10)
        finally:
            if bot.poll() is None:
                bot.kill()
            api.release()
    assert answered["status"] != 200  # unacknowledged: Telegram delivers it again


def test_a_webhook_refuses_what_is_not_an_update_and_bodies_over_a_megabyte(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    with BotApiStandIn() as api:
        bot = start_webhook(api, tmp_path / "desk.sqlite3", port, "s3cret")
        try:
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
            assert httpx.post(url, content=b"[1, 2]", headers=headers).status_code == 400
            assert httpx.post(url, content=b"<html>", headers=headers).status_code == 400
            huge = b"{" + b" " * (2 * 2 ** 20) + b"}"
            assert httpx.post(url, content=huge, headers=headers).status_code == 413

            def chunked():  # no Content-Length: counted as it streams in
                for _ in range(40):
                    yield b" " * 65536

            assert httpx.post(url, content=chunked(), headers=headers).status_code == 413
            assert httpx.post(url, content=huge).status_code == 403  # the secret comes first
            assert post(url, an_update(1, 4646), "s3cret") == 200  # and it still works
            bot.send_signal(signal.SIGTERM)
            output, _ = bot.communicate(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()
    assert "Traceback" not in output
    assert output.count("refused (400)") == 2 and output.count("refused (413)") == 2
