"""A local stand-in for the Telegram Bot API over real HTTP, served by asyncio (Starlette under
uvicorn). The bot talks to it as to Telegram: getUpdates, or, once a webhook is set, updates
posted to it (through a load balancer over `route` when given) with a queue per chat: a
chat's next update only after a 2xx for the one before, the others retried with back-off.

It keeps each chat's history as Telegram's servers do (messages both ways, edits, photos,
documents, the reply keyboard, the toasts of answered buttons) and the files either side
uploaded, which is what the sandbox's page shows; it records every call for the tests. The
tests run it on a thread of its own (`with BotApiStandIn() as api`); `estatedesk demo` mounts
its routes in the sandbox's server."""

from __future__ import annotations

import asyncio
import hmac
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.chats import NOT_A_CHAT_METHOD, ApiError, Chats, StoredFile

DEFAULT_BOT = {"id": 700000001, "is_bot": True, "first_name": "Estate Desk",
               "username": "estatedesk_demo_bot", "can_join_groups": False,
               "can_read_all_group_messages": False, "supports_inline_queries": False}
LONG_POLL_SECONDS = 0.5  # at most, whatever the bot asks: a stopping test is not held up
RETRY_FIRST, RETRY_MAX = 0.2, 3.0  # seconds between webhook attempts (Telegram's are longer)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CHATTY = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto",
          "sendMediaGroup", "sendDocument", "sendVoice")
# The parameters PTB sends JSON-encoded; every other one is a string as given (a text that
# looks like JSON stays text).
JSON_FIELDS = {"reply_markup", "media", "entities", "caption_entities", "allowed_updates",
               "commands", "link_preview_options", "reply_parameters", "scope", "show_alert",
               "disable_notification", "protect_content"}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "from_chat_id"}


class BotApiStandIn:
    def __init__(self, first_update_id: int = 1, me: dict | None = None,
                 keep_calls: bool = True, token: str | None = None) -> None:
        self.token = token  # when given, the only one answered (as Telegram answers 401)
        self.first_update_id = first_update_id  # Telegram's ids go on rising across restarts
        self.me = me or DEFAULT_BOT
        self.keep_calls = keep_calls  # off for a benchmark's hundred thousand answers
        self.calls: list[tuple[str, dict]] = []
        self.updates: list[dict] = []
        self.confirmed = first_update_id - 1  # polling: every update up to this one is handled
        self.chats = Chats(self.me, keep_calls)  # what a phone shows of each chat
        self.version = 0  # rises with every change: the sandbox's page waits on it
        self.held: set[int] = set()  # chats whose messages hang, as on a broken network
        self.hanging: list[dict] = []
        self.webhook: dict | None = None  # url and secret_token, as setWebhook registered
        self.webhooks: dict[str, dict] = {}  # the same per bot token (several estates)
        self.route: list[str] = []  # the load balancer's workers (base URLs); else the url
        self.deliveries: list[tuple[int, str, int | str]] = []  # update, worker, status|error
        self.timings: list[float] = []  # seconds each update taken (2xx) spent with a worker
        self.acked: set[int] = set()  # updates a worker took (2xx)
        self.by_chat: dict[int, list[tuple[str, dict, float]]] = {}  # calls, with their time
        self.url = ""
        self.loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Condition()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self._released = False
        self._queues: dict[tuple[str, int], deque] = {}
        self._tasks: set[asyncio.Task] = set()
        self._client: httpx.AsyncClient | None = None
        self._turn = 0
        self._down: dict[str, float] = {}  # a worker that refused connections, until when
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._server: Any = None

    # --- serving -------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        return [Route("/bot{token}/{method}", self._api_endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file_endpoint)]

    def attach(self, loop: asyncio.AbstractEventLoop, url: str) -> None:
        """Served by someone else's server (the sandbox's) on this loop, at this address."""
        self.loop, self.url = loop, url

    def __enter__(self) -> BotApiStandIn:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(1024)  # a batch's answers arrive side by side
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(Starlette(routes=self.routes()), log_level="warning",
                                access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        started = threading.Event()

        async def serve() -> None:
            self.attach(asyncio.get_running_loop(), url)
            started.set()
            await self._server.serve(sockets=[sock])
            await self.close()

        self._thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
        self._thread.start()
        started.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(15)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._released = True
            self._changed()

    async def close(self) -> None:
        self.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._client is not None:
            await self._client.aclose()

    def _unknown(self, token: str) -> bool:
        return self.token is not None and not hmac.compare_digest(token.encode(),
                                                                  self.token.encode())

    async def _api_endpoint(self, request: Request) -> Response:
        if self._unknown(request.path_params["token"]):
            return JSONResponse({"ok": False, "error_code": 401,
                                 "description": "Unauthorized"}, status_code=401)
        method = request.path_params["method"]
        params, files = await _params(request)
        params["_bot"] = request.path_params["token"]
        if method in CHATTY and params.get("chat_id") in self.held:
            await self._hang(params)
            return Response(status_code=502)  # never delivered
        try:
            if method == "getUpdates":
                result = await self._get_updates(params)
            else:
                result = self.answer(method, params, files)
        except ApiError as exc:
            return JSONResponse({"ok": False, "error_code": exc.code,
                                 "description": exc.description}, status_code=exc.code)
        return JSONResponse({"ok": True, "result": result})

    async def _file_endpoint(self, request: Request) -> Response:
        stored = self.chats.files.get(request.path_params["path"])
        if stored is None or self._unknown(request.path_params["token"]):
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"},
                                status_code=404)
        return Response(stored.data, media_type=stored.mime)

    # --- waiting, from a thread (tests) or from a coroutine (getUpdates, the page) ----------

    def _changed(self) -> None:
        """Under the lock: wake whoever waits, on whatever thread or loop."""
        self.version += 1
        self._lock.notify_all()
        waiters, self._waiters = self._waiters, []
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:
                pass  # that loop has closed

    async def until(self, predicate: Callable[[], Any], timeout: float | None) -> Any:
        """`predicate()` under the lock, awaited until true or `timeout` seconds pass."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            with self._lock:
                found = predicate()
                if found or self._stopped:
                    return found
                event = asyncio.Event()
                self._waiters.append((loop, event))
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                return found
            try:
                await asyncio.wait_for(event.wait(), left)
            except TimeoutError:
                pass

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

    async def _hang(self, params: dict) -> None:
        with self._lock:
            self.hanging.append(params)
            self._changed()
        await self.until(lambda: self._released, None)

    def release(self) -> None:
        """Held messages fail; later ones to those chats are delivered."""
        with self._lock:
            self.held.clear()
            self._released = True
            self._changed()

    # --- updates in --------------------------------------------------------------------

    def push(self, *updates: dict, bot: str | None = None) -> list[int]:
        """Queues updates; several pushed at once arrive in one getUpdates batch, or, with a
        webhook (that of the `bot` token, when several bots share the stand-in), each in its
        chat's queue."""
        with self._lock:
            hook = self.webhooks[bot] if bot is not None else self.webhook
            ids = []
            for content in updates:
                update = {"update_id": self.first_update_id + len(self.updates), **content}
                self.updates.append(update)
                ids.append(update["update_id"])
                self.chats.remember_sent(update)
                if hook is not None:
                    self._enqueue(hook, update)
            self._changed()
            return ids

    @property
    def lock(self) -> threading.Condition:
        """Held while reading several things that must agree (the sandbox's snapshot)."""
        return self._lock

    def touch(self) -> None:
        """Something beside the chats changed (the demo clock): the page looks again."""
        with self._lock:
            self._changed()

    def next_message_id(self) -> int:
        """Message ids are one sequence for both sides, as in a private chat."""
        with self._lock:
            return next(self.chats.message_ids)

    def messages(self, chat_id: int) -> list[dict]:
        with self._lock:
            return list(self.chats.history.get(chat_id, []))

    # The chats, as the sandbox's page and the tests read them.
    @property
    def history(self) -> dict[int, list[dict]]:
        return self.chats.history

    @property
    def toasts(self) -> dict[int, list[dict]]:
        return self.chats.toasts

    @property
    def files(self) -> dict[str, StoredFile]:
        return self.chats.files

    @property
    def answered(self) -> dict[str, str]:
        return self.chats.answered

    def store(self, data: bytes, name: str, mime: str) -> str:
        """A file a person uploads: its new file id."""
        with self._lock:
            return self.chats.store(data, name, mime)

    def handled(self, update_id: int) -> bool:
        """Whether the bot has taken the update: confirmed by its next getUpdates, or a 2xx."""
        with self._lock:
            return update_id <= self.confirmed or update_id in self.acked

    async def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        with self._lock:
            self._record("getUpdates", params)
            self._lock.notify_all()  # a test waiting for the poll; the page need not look
            if offset - 1 > self.confirmed:
                self.confirmed = offset - 1
                self._changed()
        timeout = min(float(params.get("timeout") or 0), LONG_POLL_SECONDS)
        await self.until(lambda: self._pending(offset), timeout)
        with self._lock:
            return self._pending(offset)

    def _pending(self, offset: int) -> list[dict]:
        start = max(offset - self.first_update_id, 0)  # ids are consecutive
        return self.updates[start:start + 100]

    def pending(self) -> int:
        """Updates not yet taken by the webhook."""
        with self._lock:
            return sum(len(q) for q in self._queues.values())

    # --- webhook delivery ----------------------------------------------------------------

    def _enqueue(self, hook: dict, update: dict) -> None:
        key = (hook["url"], _chat_of(update))
        queue = self._queues.setdefault(key, deque())
        queue.append((hook, update))
        if len(queue) == 1 and self.loop is not None:  # nobody delivers this chat's yet
            self.loop.call_soon_threadsafe(self._start_delivery, key)

    def _start_delivery(self, key: tuple[str, int]) -> None:
        task = asyncio.ensure_future(self._deliver_chat(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver_chat(self, key: tuple[str, int]) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=60, limits=httpx.Limits(
                max_connections=None, max_keepalive_connections=200))
        while not self._stopped:
            with self._lock:
                hook, update = self._queues[key][0]
            await self._post_until_taken(self._client, hook, update)
            with self._lock:
                self._queues[key].popleft()
                if not self._queues[key]:
                    return

    async def _post_until_taken(self, client: httpx.AsyncClient, hook: dict,
                                update: dict) -> None:
        attempt = 0
        while not self._stopped:
            base, target = self._next_target(hook["url"])
            began = time.monotonic()
            try:
                outcome: int | str = (await client.post(
                    target, json=update,
                    headers={SECRET_HEADER: hook.get("secret_token") or ""})).status_code
            except httpx.ConnectError as exc:
                outcome = type(exc).__name__
                self._down[base] = time.monotonic() + 5  # the balancer's passive check
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            with self._lock:
                self.deliveries.append((update["update_id"], target, outcome))
                taken = isinstance(outcome, int) and 200 <= outcome < 300
                if taken:
                    self.timings.append(time.monotonic() - began)
                    self.acked.add(update["update_id"])
                self._changed()
            if taken:
                return
            await asyncio.sleep(min(RETRY_FIRST * 2 ** attempt, RETRY_MAX))
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

    # --- the methods ---------------------------------------------------------------------

    def answer(self, method: str, params: dict,
               files: dict[str, StoredFile] | None = None) -> Any:
        with self._lock:
            self._record(method, params)
            try:
                return self._answer(method, params, files or {})
            finally:
                self._changed()

    def _record(self, method: str, params: dict) -> None:
        if self.keep_calls:
            self.calls.append((method, params))
            if isinstance(params.get("chat_id"), int):
                self.by_chat.setdefault(params["chat_id"], []).append(
                    (method, params, time.monotonic()))

    def _answer(self, method: str, params: dict, files: dict[str, StoredFile]) -> Any:
        if method == "getMe":
            return self.me
        if method == "setWebhook":
            self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
            self.webhooks[params["_bot"]] = self.webhook
            return True
        if method == "deleteWebhook":
            self.webhook = None
            self.webhooks.pop(params["_bot"], None)
            return True
        if method == "getWebhookInfo":
            return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": sum(len(q) for q in self._queues.values())}
        found = self.chats.answer(method, params, files)
        if found is not NOT_A_CHAT_METHOD:
            return found
        return True  # setMyCommands, sendChatAction and the like

def _chat_of(update: dict) -> int:
    """Telegram's queue of an update: its chat, else its sender."""
    content = update.get("message") or update.get("callback_query") or {}
    chat = content.get("chat") or (content.get("message") or {}).get("chat")
    return int(chat["id"]) if chat else int(content["from"]["id"])


async def _params(request: Request) -> tuple[dict, dict[str, StoredFile]]:
    """What PTB sent: JSON, a form, or a multipart form with files in it."""
    if request.method == "GET":
        raw: dict = dict(request.query_params)
    elif request.headers.get("Content-Type", "").startswith("application/json"):
        return json.loads((await request.body()) or b"{}"), {}
    else:
        raw = dict((await request.form(max_part_size=50 * 2 ** 20)).multi_items())
    params: dict = {}
    files: dict[str, StoredFile] = {}
    for key, value in raw.items():
        if isinstance(value, UploadFile):
            files[key] = StoredFile(await value.read(), value.filename or key,
                                    value.content_type or "application/octet-stream")
            params[key] = f"attach://{key}"
        elif key in JSON_FIELDS:
            params[key] = json.loads(value)
        elif key in INT_FIELDS:
            try:
                params[key] = int(value)
            except ValueError:
                params[key] = value  # "@channel"
        else:
            params[key] = value
    return params, files
