"""The webhook worker as an operator runs it: `estatedesk webhook set` registers the address
with a new secret; `estatedesk serve` answers Telegram's posts with that secret, says it is
healthy and ready, refuses a second worker on a SQLite file, and stops cleanly on SIGTERM."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from sandbox.bot_api import BotApiStandIn
from tests.test_end_to_end import ROOT

pytestmark = pytest.mark.sqlite_only  # the process on a SQLite file; PostgreSQL: test_workers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def estatedesk(api, db, *args, wait: bool = True):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:E2E", "TELEGRAM_API_URL": api.url,
           "ESTATEDESK_DB": str(db)}
    env.pop("ESTATEDESK_CONFIG", None)
    command = [sys.executable, "-m", "bot", *args]
    if wait:
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=60)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def ready(url: str, timeout: float = 30) -> bool:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return False


def test_a_worker_registered_serves_updates_and_stops_on_sigterm(tmp_path):
    db = tmp_path / "desk.sqlite3"
    port = free_port()
    with BotApiStandIn() as api:
        told = estatedesk(api, db, "webhook", "set", "https://desk.example.com/telegram")
        assert told.returncode == 0, told.stderr
        [registered] = [p for m, p in api.calls if m == "setWebhook"]
        secret = registered["secret_token"]
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT value FROM meta WHERE key = 'webhook_secret'"
                                ).fetchall() == [(secret,)]
        worker = estatedesk(api, db, "serve", "--port", str(port), wait=False)
        try:
            url = f"http://127.0.0.1:{port}"
            assert ready(url), "the worker never became ready"
            start = {"update_id": 1, "message": {
                "message_id": 1, "date": int(time.time()), "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                "chat": {"id": 4242, "type": "private", "first_name": "May"},
                "from": {"id": 4242, "is_bot": False, "first_name": "May",
                         "language_code": "en"}}}
            assert httpx.post(f"{url}/telegram", json=start).status_code == 403
            answered = httpx.post(f"{url}/telegram", json=start, timeout=30,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": secret})
            assert answered.status_code == 200
            assert any(m == "sendMessage" and int(p["chat_id"]) == 4242 for m, p in api.calls)
            second = estatedesk(api, db, "serve", "--port", str(free_port()))
            assert second.returncode == 2
            assert "one process serves an estate" in second.stderr
            worker.send_signal(signal.SIGTERM)
            output, _ = worker.communicate(timeout=30)
            assert worker.returncode == 0, output
        finally:
            if worker.poll() is None:
                worker.kill()
