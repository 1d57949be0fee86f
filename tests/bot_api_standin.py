"""A local stand-in for the Telegram Bot API over real HTTP, for end-to-end tests of the
bot process: it serves queued updates to getUpdates and records every call."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from tests.fake_telegram import BOT

LONG_POLL_SECONDS = 0.5


class BotApiStandIn:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.updates: list[dict] = []
        self._lock = threading.Condition()
        self._message_id = 0
        self.held: set[int] = set()  # chats whose messages hang, as on a broken network
        self.hanging: list[dict] = []
        self._release = threading.Event()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                method = self.path.rsplit("/", 1)[-1]
                params = _params(self.headers, body)
                if method == "sendMessage" and params.get("chat_id") in standin.held:
                    standin.hang(params)
                    self.send_error(502)  # never delivered
                    return
                result = standin.answer(method, params)
                payload = json.dumps({"ok": True, "result": result}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> BotApiStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

    def hang(self, params: dict) -> None:
        with self._lock:
            self.hanging.append(params)
            self._lock.notify_all()
        self._release.wait()

    def release(self) -> None:
        """Held messages fail; later ones to those chats are delivered."""
        self.held.clear()
        self._release.set()

    def push(self, *updates: dict) -> None:
        """Queues updates; several pushed at once arrive in one getUpdates batch."""
        with self._lock:
            for update in updates:
                self.updates.append({"update_id": len(self.updates) + 1, **update})
            self._lock.notify_all()

    def answer(self, method: str, params: dict):
        with self._lock:
            self.calls.append((method, params))
            self._lock.notify_all()
            if method == "getMe":
                return BOT
            if method == "getUpdates":
                offset = int(params.get("offset") or 0)
                self._lock.wait_for(lambda: self._pending(offset), timeout=LONG_POLL_SECONDS)
                return self._pending(offset)
            if method == "sendMessage":
                self._message_id += 1
                return {"message_id": self._message_id, "date": int(time.time()), "from": BOT,
                        "chat": {"id": int(params["chat_id"]), "type": "private"},
                        "text": params["text"]}
            return True

    def _pending(self, offset: int) -> list[dict]:
        return [u for u in self.updates if u["update_id"] >= offset]

    def wait_for(self, predicate, timeout: float = 30) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: predicate(self.calls), timeout=timeout)

    def wait_for_hanging(self, timeout: float = 30) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: bool(self.hanging), timeout=timeout)


def _params(headers, body: str) -> dict:
    if headers.get("Content-Type", "").startswith("application/json"):
        return json.loads(body or "{}")
    params = {}
    for key, values in parse_qs(body).items():
        try:
            params[key] = json.loads(values[0])
        except ValueError:
            params[key] = values[0]
    return params
