"""A local stand-in for the Telegram Bot API over real HTTP, for end-to-end tests of the
bot process: it records every call, and hands updates out as Telegram does: to getUpdates, or,
once a webhook is set, posted to it (through a load balancer over `route` when given) with
a queue per chat: a chat's next update only after a 2xx for the one before, the others retried
with back-off."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.fake_telegram import BOT

LONG_POLL_SECONDS = 0.5
RETRY_FIRST, RETRY_MAX = 0.2, 3.0  # seconds between webhook attempts (Telegram's are longer)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CHATTY = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto",
          "sendMediaGroup", "sendDocument")


class BotApiStandIn:
    def __init__(self, first_update_id: int = 1) -> None:
        self.first_update_id = first_update_id  # Telegram's ids go on rising across restarts
        self.calls: list[tuple[str, dict]] = []
        self.updates: list[dict] = []
        self._lock = threading.Condition()
        self._message_id = 0
        self.held: set[int] = set()  # chats whose messages hang, as on a broken network
        self.hanging: list[dict] = []
        self._release = threading.Event()
        self.webhook: dict | None = None  # url and secret_token, as setWebhook registered
        self.webhooks: dict[str, dict] = {}  # the same per bot token (several estates)
        self.route: list[str] = []  # the load balancer's workers (base URLs); else the url
        self.deliveries: list[tuple[int, str, int | str]] = []  # update, worker, status|error
        self.timings: list[float] = []  # seconds each update taken (2xx) spent with a worker
        self.acked: set[int] = set()  # updates a worker took (2xx)
        self.answered: dict[str, str] = {}  # a button's query: the toast it was answered with
        self.by_chat: dict[int, list[tuple[str, dict, float]]] = {}  # calls, with their time
        self._queues: dict[tuple[str, int], deque] = {}
        self._turn = 0
        self._down: dict[str, float] = {}  # a worker that refused connections, until when
        self._stopped = False
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                method = self.path.rsplit("/", 1)[-1]
                params = _params(self.headers, body)
                first = self.path.split("/")[1]
                params["_bot"] = first[3:] if first.startswith("bot") else ""
                if method in CHATTY and params.get("chat_id") in standin.held:
                    standin.hang(params)
                    try:
                        self.send_error(502)  # never delivered
                    except OSError:
                        pass  # the process that asked was killed meanwhile
                    return
                result = standin.answer(method, params)
                payload = json.dumps({"ok": True, "result": result}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the process that asked was killed meanwhile

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> BotApiStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopped = True
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

    def push(self, *updates: dict, bot: str | None = None) -> list[int]:
        """Queues updates; several pushed at once arrive in one getUpdates batch, or, with a
        webhook (that of the `bot` token, when several bots share the stand-in), each in its
        chat's queue."""
        with self._lock:
            hook = self.webhooks[bot] if bot is not None else self.webhook
            for update in updates:
                self.updates.append({"update_id": self.first_update_id + len(self.updates),
                                     **update})
                if hook is not None:
                    self._enqueue(hook, self.updates[-1])
            self._lock.notify_all()
            return [u["update_id"] for u in self.updates[-len(updates):]]

    def _enqueue(self, hook: dict, update: dict) -> None:
        key = (hook["url"], _chat_of(update))
        queue = self._queues.setdefault(key, deque())
        queue.append((hook, update))
        if len(queue) == 1:  # nobody delivers this chat's updates yet
            threading.Thread(target=self._deliver_chat, args=(key,), daemon=True).start()

    def _deliver_chat(self, key: tuple[str, int]) -> None:
        with httpx.Client(timeout=60) as client:
            while not self._stopped:
                with self._lock:
                    hook, update = self._queues[key][0]
                self._post_until_taken(client, hook, update)
                with self._lock:
                    self._queues[key].popleft()
                    if not self._queues[key]:
                        return

    def _post_until_taken(self, client: httpx.Client, hook: dict, update: dict) -> None:
        attempt = 0
        while not self._stopped:
            base, target = self._next_target(hook["url"])
            began = time.monotonic()
            try:
                outcome: int | str = client.post(
                    target, json=update,
                    headers={SECRET_HEADER: hook.get("secret_token") or ""}).status_code
            except httpx.ConnectError as exc:
                outcome = type(exc).__name__
                self._down[base] = time.monotonic() + 5  # the balancer's passive check
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            with self._lock:
                self.deliveries.append((update["update_id"], target, outcome))
                if isinstance(outcome, int) and 200 <= outcome < 300:
                    self.timings.append(time.monotonic() - began)
                    self.acked.add(update["update_id"])
                    self._lock.notify_all()
                    return
                self._lock.notify_all()
            time.sleep(min(RETRY_FIRST * 2 ** attempt, RETRY_MAX))
            attempt += 1

    def _next_target(self, url: str) -> tuple[str, str]:
        """Round robin over the workers, as a load balancer without sticky sessions, passing
        over one that refused a connection in the last seconds while another is left."""
        if not self.route:
            return url, url
        with self._lock:
            now = time.monotonic()
            for _ in range(len(self.route)):
                self._turn += 1
                base = self.route[(self._turn - 1) % len(self.route)]
                if self._down.get(base, 0) <= now:
                    break
        return base, base + urlsplit(url).path

    def pending(self) -> int:
        """Updates not yet taken by the webhook."""
        with self._lock:
            return sum(len(q) for q in self._queues.values())

    def answer(self, method: str, params: dict):
        with self._lock:
            self.calls.append((method, params))
            if "chat_id" in params:
                chat = int(params["chat_id"])
                self.by_chat.setdefault(chat, []).append((method, params, time.monotonic()))
            self._lock.notify_all()
            if method == "answerCallbackQuery":
                self.answered[str(params.get("callback_query_id"))] = params.get("text") or ""
            if method == "getMe":
                return BOT
            if method == "setWebhook":
                self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
                self.webhooks[params["_bot"]] = self.webhook
                return True
            if method == "deleteWebhook":
                self.webhook = None
                self.webhooks.pop(params["_bot"], None)
                return True
            if method == "getWebhookInfo":
                return {"url": (self.webhook or {}).get("url", ""),
                        "has_custom_certificate": False,
                        "pending_update_count": sum(len(q) for q in self._queues.values())}
            if method == "getUpdates":
                offset = int(params.get("offset") or 0)
                self._lock.wait_for(lambda: self._pending(offset), timeout=LONG_POLL_SECONDS)
                return self._pending(offset)
            if method == "sendMessage":
                return {**self._message(params), "text": params["text"]}
            if method in ("sendPhoto", "sendDocument"):
                return self._message(params)
            if method == "sendMediaGroup":
                return [self._message(params) for _ in params.get("media") or [None]]
            return True

    def _message(self, params: dict) -> dict:
        self._message_id += 1
        return {"message_id": self._message_id, "date": int(time.time()), "from": BOT,
                "chat": {"id": int(params["chat_id"]), "type": "private"}}

    def _pending(self, offset: int) -> list[dict]:
        return [u for u in self.updates if u["update_id"] >= offset]

    def wait_for(self, predicate, timeout: float = 30) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: predicate(self.calls), timeout=timeout)

    def wait_until(self, predicate, timeout: float = 30) -> bool:
        """`predicate(self)` under the stand-in's lock, waited for."""
        with self._lock:
            return self._lock.wait_for(lambda: predicate(self), timeout=timeout)

    def wait_for_hanging(self, timeout: float = 30) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: bool(self.hanging), timeout=timeout)


def _chat_of(update: dict) -> int:
    """Telegram's queue of an update: its chat, else its sender."""
    content = update.get("message") or update.get("callback_query") or {}
    chat = content.get("chat") or (content.get("message") or {}).get("chat")
    return int(chat["id"]) if chat else int(content["from"]["id"])


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
