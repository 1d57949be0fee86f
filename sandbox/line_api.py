"""A local stand-in for LINE's Messaging API over real HTTP (Starlette under uvicorn on a thread
of its own), beside the Telegram one: the desk's LINE adapter talks to it through LINE's own SDK
as to api.line.me and api-data.line.me, both served on one root (`line.url`, given as
LINE_API_URL). It answers as LINE does: reply tokens single use and expiring, a monthly quota
that pushes consume (replies are free), 429 past a rate, a retry key accepted once (409 after),
400 with LINE's error JSON for what LINE refuses, 401 for a wrong token; and it sends webhooks
signed with the channel secret. Each person's chat is kept both ways (sandbox/line_history.py)
for the tests and the sandbox's LINE phone. It is LINE, not the desk: nothing here imports
the desk."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import re
import secrets
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.line_history import Chats, Checker, Entry, LineError, png_size

Handler = Callable[[bytes, str], Awaitable[int]]  # a webhook taken in-process: (body, signature)
BOT_USER_ID = "U" + "b0" * 16
USER_ID = re.compile(r"^U[0-9a-f]{32}$")
JST = timezone(timedelta(hours=9))  # LINE's month turns in Japan's time
REPLIED_EVENTS = {"message", "postback", "follow", "join", "memberJoined", "beacon",
                  "accountLink", "things"}
QUOTED = {"text", "image", "video", "sticker"}  # the contents that carry a quoteToken
ULID_LETTERS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
WEBHOOK_SECONDS = 30.0
RETRY_KEY_HOURS = 24


def line_user_id(n: int) -> str:
    """A well-formed LINE user id ("U" and 32 hex digits) for a person numbered n."""
    return f"U{n:032x}"


def sign(secret: str, body: bytes) -> str:
    """X-Line-Signature: base64 of the HMAC-SHA256 of the raw body with the channel secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _ulid(now: float) -> str:
    stamp = int(now * 1000)
    head = "".join(ULID_LETTERS[(stamp >> (5 * i)) & 31] for i in reversed(range(10)))
    return head + "".join(secrets.choice(ULID_LETTERS) for _ in range(16))


class LineApiStandIn:
    def __init__(self, secret: str = "standin-secret", token: str = "standin-token", *,
                 quota: int | None = 200, per_second: int | None = None,
                 reply_token_seconds: float = 60.0, handler: Handler | None = None,
                 bot_user_id: str = BOT_USER_ID, name: str = "Estate Desk") -> None:
        self.secret, self.token = secret, token
        self.quota = quota  # pushes a month (None: no limit, LINE's "none" quota)
        self.per_second = per_second  # requests a second before 429 (None: no limit)
        self.reply_token_seconds = reply_token_seconds
        self.handler = handler  # when given, webhooks go to it instead of the endpoint URL
        self.bot_user_id, self.name = bot_user_id, name
        self.clock: Callable[[], float] = time.time
        self.ahead = 0.0  # seconds the stand-in's clock runs ahead (advance)
        self.url = ""
        self.webhook_url = ""
        self.webhook_active = True
        self.chats = Chats()
        self.profiles: dict[str, dict] = {}
        self.friends: set[str] = set()
        self.blocked: set[str] = set()  # unfollowed: pushes to them are not shown
        self.tokens: dict[str, list] = {}  # reply token: [user id, issued at, used]
        self.usage: dict[str, int] = {}  # pushes counted per month ("2026-12")
        self.pushes = self.replies = 0
        self.accepted: dict[str, tuple[str, list[dict], float]] = {}  # retry key: id, sent, when
        self.contents: dict[str, tuple[bytes, str]] = {}  # what users sent, by message id
        self.menus: dict[str, dict] = {}
        self.menu_images: dict[str, tuple[bytes, str]] = {}
        self.user_menus: dict[str, str] = {}
        self.default_menu: str | None = None
        self.events: dict[str, dict] = {}  # every event delivered, by webhookEventId
        self.deliveries: list[tuple[list[str], int]] = []  # event ids, status (0: no answer)
        self.calls: list[dict] = []  # method, path, headers, body, status of every request
        self.version = 0  # rises with every change: a page waits on it
        self._faults: list[tuple[str, int, dict]] = []
        self._time_outs: list[float] = []
        self._recent: deque[float] = deque()
        self._ids = itertools.count(600_000_000_000_000_001)
        self._lock = threading.Condition()
        self._release: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # --- serving -------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        r = self._route
        return [
            r("/v2/bot/message/reply", self._reply, "POST"),
            r("/v2/bot/message/push", self._push, "POST"),
            r("/v2/bot/message/validate/{kind}", self._validate, "POST"),
            r("/v2/bot/message/quota", self._quota, "GET"),
            r("/v2/bot/message/quota/consumption", self._consumption, "GET"),
            r("/v2/bot/message/{messageId}/content", self._content, "GET"),
            r("/v2/bot/info", self._info, "GET"),
            r("/v2/bot/profile/{userId}", self._profile, "GET"),
            r("/v2/bot/chat/loading/start", self._loading, "POST"),
            r("/v2/bot/channel/webhook/endpoint", self._endpoint, "GET", "PUT"),
            r("/v2/bot/channel/webhook/test", self._test_webhook, "POST"),
            r("/v2/bot/richmenu", self._create_menu, "POST"),
            r("/v2/bot/richmenu/list", self._list_menus, "GET"),
            r("/v2/bot/richmenu/{richMenuId}", self._menu, "GET", "DELETE"),
            r("/v2/bot/richmenu/{richMenuId}/content", self._menu_image, "GET", "POST"),
            r("/v2/bot/user/all/richmenu", self._default_menu, "GET", "DELETE"),
            r("/v2/bot/user/all/richmenu/{richMenuId}", self._default_menu, "POST"),
            r("/v2/bot/user/{userId}/richmenu", self._user_menu, "GET", "DELETE"),
            r("/v2/bot/user/{userId}/richmenu/{richMenuId}", self._user_menu, "POST", "DELETE"),
        ]

    def attach(self, loop: asyncio.AbstractEventLoop, url: str) -> None:
        """Served by someone else's server (the sandbox's) on this loop, at this address."""
        self.loop, self.url = loop, url
        self._release = asyncio.Event()

    def __enter__(self) -> LineApiStandIn:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(256)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(Starlette(routes=self.routes()), log_level="warning",
                                access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        started = threading.Event()

        async def serve() -> None:
            self.attach(asyncio.get_running_loop(), url)
            started.set()
            await self._server.serve(sockets=[sock])

        self._thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
        self._thread.start()
        started.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self.release_held()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(15)

    def _route(self, path: str, answer: Callable, *methods: str) -> Route:
        async def endpoint(request: Request) -> Response:
            request.state.request_id = str(uuid.uuid4())
            body = await request.body()
            try:
                self._admit(request, path)
                found = await answer(request, body)
            except LineError as exc:
                response: Response = JSONResponse(exc.as_json(), exc.status, headers=exc.headers)
            else:
                response = found if isinstance(found, Response) else JSONResponse(found)
            response.headers["x-line-request-id"] = request.state.request_id
            with self._lock:
                self.calls.append({"method": request.method, "path": request.url.path,
                                   "headers": {k: v for k, v in request.headers.items()
                                               if k.startswith("x-line")},
                                   "body": _json_or_bytes(body),
                                   "status": response.status_code})
                self._changed()
            if getattr(request.state, "hold", None) is not None:
                await self._hold(request.state.hold)
            return response
        return Route(path, endpoint, methods=list(methods))

    def _admit(self, request: Request, template: str) -> None:
        """A fault asked for, then the token, then the rate: what LINE checks first."""
        with self._lock:
            for n, (path, status, body) in enumerate(self._faults):
                if path in (request.url.path, template):
                    del self._faults[n]
                    raise LineError(status, body.get("message", ""), body.get("details"))
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
            raise LineError(401, "Authentication failed. Confirm that the access token in the "
                                 "authorization header is valid.")
        if self.per_second is not None:
            with self._lock:
                now = time.monotonic()
                while self._recent and self._recent[0] <= now - 1:
                    self._recent.popleft()
                if len(self._recent) >= self.per_second:
                    raise LineError(429, "Too many requests")
                self._recent.append(now)

    # --- the clock, faults and waiting ----------------------------------------------------

    def now(self) -> float:
        return self.clock() + self.ahead

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.ahead += seconds

    def month(self) -> str:
        return datetime.fromtimestamp(self.now(), JST).strftime("%Y-%m")

    @property
    def used(self) -> int:
        """Pushes counted this month (settable, for a month that began elsewhere)."""
        return self.usage.get(self.month(), 0)

    @used.setter
    def used(self, count: int) -> None:
        with self._lock:
            self.usage[self.month()] = count

    def expire_reply_tokens(self) -> None:
        with self._lock:
            for token in self.tokens.values():
                token[1] = float("-inf")

    def fail_next(self, path: str, status: int, body: dict | None = None) -> None:
        """The next request to `path` (as sent, or as the route's template) gets this answer."""
        with self._lock:
            self._faults.append((path, status, body or {"message": "Internal server error"}))

    def time_out_next_push(self, hold_seconds: float = 30.0) -> None:
        """The next push is accepted and shown, but its answer is held this long (or until the
        stand-in stops): the client's timeout comes first, as on a slow network."""
        with self._lock:
            self._time_outs.append(hold_seconds)

    def release_held(self) -> None:
        if self.loop is not None and self._release is not None:
            try:
                self.loop.call_soon_threadsafe(self._release.set)
            except RuntimeError:
                pass  # that loop has closed

    async def _hold(self, seconds: float) -> None:
        assert self._release is not None
        try:
            await asyncio.wait_for(self._release.wait(), seconds)
        except TimeoutError:
            pass

    def _changed(self) -> None:
        """Under the lock: whoever waits looks again."""
        self.version += 1
        self._lock.notify_all()

    def wait_until(self, predicate: Callable[[LineApiStandIn], Any],
                   timeout: float = 30) -> bool:
        """`predicate(self)` under the stand-in's lock, waited for (from a thread)."""
        with self._lock:
            return self._lock.wait_for(lambda: predicate(self), timeout=timeout)

    @property
    def lock(self) -> threading.Condition:
        return self._lock

    # --- people and their chats ----------------------------------------------------------

    def add_user(self, user_id: str, name: str, language: str = "zh-TW") -> None:
        """A LINE user: their profile (a BCP 47 language) as the profile API gives it."""
        with self._lock:
            self.profiles[user_id] = {"userId": user_id, "displayName": name,
                                      "language": language}

    def shown(self, user_id: str) -> list[dict]:
        """The messages the bot showed this user, in order, as the bot sent them."""
        with self._lock:
            return self.chats.shown(user_id)

    def history(self, user_id: str) -> list[Entry]:
        """The chat both ways: the user's events and the bot's messages (with `via`)."""
        with self._lock:
            return self.chats.entries(user_id)

    def menu_of(self, user_id: str) -> dict | None:
        """The rich menu the user's LINE shows: their own, else the default one."""
        with self._lock:
            menu_id = self.user_menus.get(user_id) or self.default_menu
            return dict(self.menus[menu_id]) if menu_id in self.menus else None

    def put_content(self, data: bytes, content_type: str) -> str:
        """Something a user sends (a photo, a voice note): its new message id."""
        with self._lock:
            message_id = str(next(self._ids))
            self.contents[message_id] = (data, content_type)
            return message_id

    def expire_content(self, message_id: str | None = None) -> None:
        """LINE deletes what users sent after a while: this one (or all) is gone now."""
        with self._lock:
            if message_id is None:
                self.contents.clear()
            else:
                self.contents.pop(message_id, None)

    def _show(self, user_id: str, messages: list[dict], via: str) -> list[dict]:
        sent = []
        for message in messages:
            message_id = str(next(self._ids))
            self.chats.showed(user_id, message, via, message_id)
            sent.append({"id": message_id})
        return sent

    # --- messages ------------------------------------------------------------------------

    async def _reply(self, request: Request, body: bytes) -> dict:
        payload = _body(body)
        if "x-line-retry-key" in request.headers:
            raise LineError(400, "The retry key is not supported by the reply API")
        _check(lambda c: c.messages(payload.get("messages")))
        with self._lock:
            token = self.tokens.get(str(payload.get("replyToken")))
            if (token is None or token[2]
                    or self.now() - token[1] > self.reply_token_seconds):
                raise LineError(400, "Invalid reply token")
            token[2] = True
            self.replies += 1
            return {"sentMessages": self._show(token[0], payload["messages"], "reply")}

    async def _push(self, request: Request, body: bytes) -> dict:
        payload = _body(body)
        key = request.headers.get("x-line-retry-key")
        if key is not None and not _is_uuid(key):
            raise LineError(400, "The value for the 'X-Line-Retry-Key' header is invalid")
        with self._lock:
            earlier = self.accepted.get(key) if key else None
            if earlier and self.now() - earlier[2] < RETRY_KEY_HOURS * 3600:
                raise LineError(409, "The retry key is already accepted",
                                headers={"x-line-accepted-request-id": earlier[0]})
        to = payload.get("to")
        if not isinstance(to, str) or not USER_ID.match(to):
            raise LineError(400, "The property, 'to', in the request body is invalid "
                                 "(line: -, column: -)")
        _check(lambda c: c.messages(payload.get("messages")))
        with self._lock:
            reachable = to in self.friends and to not in self.blocked
            if reachable and self.quota is not None and self.used >= self.quota:
                raise LineError(429, "You have reached your monthly limit.")
            # A user who blocked the account (or never added it) is not shown it, nor counted.
            sent = (self._show(to, payload["messages"], "push") if reachable
                    else [{"id": str(next(self._ids))} for _ in payload["messages"]])
            if reachable:
                self.usage[self.month()] = self.used + 1  # one per recipient, not per bubble
            self.pushes += 1
            if key:
                self.accepted[key] = (request.state.request_id, sent, self.now())
            if self._time_outs:
                request.state.hold = self._time_outs.pop(0)
            return {"sentMessages": sent}

    async def _validate(self, request: Request, body: bytes) -> dict:
        payload = _body(body)
        _check(lambda c: c.messages(payload.get("messages")))
        return {}

    async def _quota(self, request: Request, body: bytes) -> dict:
        if self.quota is None:
            return {"type": "none"}
        return {"type": "limited", "value": self.quota}

    async def _consumption(self, request: Request, body: bytes) -> dict:
        return {"totalUsage": self.used}

    async def _content(self, request: Request, body: bytes) -> Response:
        with self._lock:
            found = self.contents.get(request.path_params["messageId"])
        if found is None:
            raise LineError(404, "Not found")
        return Response(found[0], media_type=found[1])

    async def _info(self, request: Request, body: bytes) -> dict:
        return {"userId": self.bot_user_id, "basicId": "@000estate", "displayName": self.name,
                "chatMode": "bot", "markAsReadMode": "auto"}

    async def _profile(self, request: Request, body: bytes) -> dict:
        user_id = request.path_params["userId"]
        with self._lock:
            if user_id not in self.friends or user_id in self.blocked:
                raise LineError(404, "Not found")
            return dict(self.profiles.get(user_id) or {"userId": user_id,
                                                       "displayName": "LINE user"})

    async def _loading(self, request: Request, body: bytes) -> Response:
        return JSONResponse({}, 202)

    # --- the webhook endpoint ------------------------------------------------------------

    async def _endpoint(self, request: Request, body: bytes) -> dict:
        if request.method == "GET":
            if not self.webhook_url:
                raise LineError(404, "Not found")
            return {"endpoint": self.webhook_url, "active": self.webhook_active}
        endpoint = _body(body).get("endpoint")
        _check(lambda c: _webhook_url(c, endpoint))
        with self._lock:
            self.webhook_url = endpoint
        return {}

    async def _test_webhook(self, request: Request, body: bytes) -> dict:
        endpoint = (_body(body) if body else {}).get("endpoint") or self.webhook_url
        if not endpoint:
            raise LineError(400, "The webhook URL is not set")
        raw = json.dumps({"destination": self.bot_user_id, "events": []}).encode()
        status = await self._post_to(endpoint, raw, sign(self.secret, raw))
        return {"success": 200 <= status < 300, "statusCode": status,
                "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "reason": "OK" if 200 <= status < 300 else "ERROR", "detail": str(status)}

    # --- rich menus ----------------------------------------------------------------------

    async def _create_menu(self, request: Request, body: bytes) -> dict:
        menu = _body(body)
        _check(lambda c: c.rich_menu(menu))
        with self._lock:
            menu_id = f"richmenu-{uuid.uuid4().hex}"
            self.menus[menu_id] = {"richMenuId": menu_id, **menu}
            return {"richMenuId": menu_id}

    async def _list_menus(self, request: Request, body: bytes) -> dict:
        with self._lock:
            return {"richmenus": [dict(m) for m in self.menus.values()]}

    def _known_menu(self, menu_id: str) -> dict:
        if menu_id not in self.menus:
            raise LineError(404, "richmenu not found")
        return self.menus[menu_id]

    async def _menu(self, request: Request, body: bytes) -> dict:
        menu_id = request.path_params["richMenuId"]
        with self._lock:
            menu = self._known_menu(menu_id)
            if request.method == "GET":
                return dict(menu)
            del self.menus[menu_id]
            self.menu_images.pop(menu_id, None)
            self.user_menus = {u: m for u, m in self.user_menus.items() if m != menu_id}
            if self.default_menu == menu_id:
                self.default_menu = None
            return {}

    async def _menu_image(self, request: Request, body: bytes) -> Response | dict:
        menu_id = request.path_params["richMenuId"]
        with self._lock:
            menu = self._known_menu(menu_id)
            if request.method == "GET":
                if menu_id not in self.menu_images:
                    raise LineError(404, "Not found")
                data, kind = self.menu_images[menu_id]
                return Response(data, media_type=kind)
            kind = request.headers.get("content-type", "")
            if kind not in ("image/png", "image/jpeg"):
                raise LineError(415, "Unsupported Media Type")
            if len(body) > 1024 * 1024:
                raise LineError(400, "The image is larger than 1 MB")
            size = png_size(body)
            if size is not None and size != (menu["size"]["width"], menu["size"]["height"]):
                raise LineError(400, "The image's size does not match the richmenu's size")
            if menu_id in self.menu_images:
                raise LineError(400, "An image has already been uploaded to the richmenu")
            self.menu_images[menu_id] = (body, kind)
            return {}

    def _usable_menu(self, menu_id: str) -> None:
        self._known_menu(menu_id)
        if menu_id not in self.menu_images:
            raise LineError(400, "must upload richmenu image before applying it to user")

    async def _user_menu(self, request: Request, body: bytes) -> dict:
        user_id = request.path_params["userId"]
        with self._lock:
            if request.method == "GET":
                if user_id not in self.user_menus:
                    raise LineError(404, "the user has no richmenu")
                return {"richMenuId": self.user_menus[user_id]}
            if request.method == "DELETE":
                self.user_menus.pop(user_id, None)
                return {}
            self._usable_menu(request.path_params["richMenuId"])
            self.user_menus[user_id] = request.path_params["richMenuId"]
            return {}

    async def _default_menu(self, request: Request, body: bytes) -> dict:
        with self._lock:
            if request.method == "GET":
                if self.default_menu is None:
                    raise LineError(404, "no default richmenu")
                return {"richMenuId": self.default_menu}
            if request.method == "DELETE":
                self.default_menu = None
                return {}
            self._usable_menu(request.path_params["richMenuId"])
            self.default_menu = request.path_params["richMenuId"]
            return {}

    # --- webhooks out --------------------------------------------------------------------

    def event(self, user_id: str, kind: str, **content: Any) -> dict:
        """A whole webhook event from this user, as LINE makes it: a fresh webhookEventId, the
        time, the source, and (for what can be answered) a fresh reply token."""
        now = self.now()
        event = {"type": kind, **content, "timestamp": int(now * 1000), "mode": "active",
                 "source": {"type": "user", "userId": user_id},
                 "webhookEventId": _ulid(now), "deliveryContext": {"isRedelivery": False}}
        message = event.get("message")
        if isinstance(message, dict):
            message.setdefault("id", str(next(self._ids)))
            if message.get("type") in QUOTED:
                message.setdefault("quoteToken", secrets.token_urlsafe(24))
        if kind in REPLIED_EVENTS:
            token = secrets.token_hex(16)
            with self._lock:
                self.tokens[token] = [user_id, now, False]
            event["replyToken"] = token
        return event

    async def deliver(self, events: list[dict], handler: Handler | None = None,
                      signature: str | None = None) -> int:
        """Sends these events (made by `event`) in one signed webhook, to the handler given or
        set, else to the endpoint set; the HTTP status (0: no answer). `signature` forges one."""
        with self._lock:
            for event in events:
                user_id = event["source"]["userId"]
                self.events[event["webhookEventId"]] = event
                if event["type"] == "unfollow":
                    self.blocked.add(user_id)
                elif event["type"] == "follow" or user_id not in self.blocked:
                    self.blocked.discard(user_id)
                    self.friends.add(user_id)
                if not event["deliveryContext"]["isRedelivery"]:
                    self.chats.came(user_id, event)
            self._changed()
        body = json.dumps({"destination": self.bot_user_id, "events": events},
                          ensure_ascii=False, separators=(",", ":")).encode()
        status = await self.post(body, signature or sign(self.secret, body), handler)
        with self._lock:
            self.deliveries.append(([e["webhookEventId"] for e in events], status))
            self._changed()
        return status

    async def redeliver(self, *event_ids: str, handler: Handler | None = None) -> int:
        """The same events again, marked as redelivered, as LINE does when a webhook failed."""
        with self._lock:
            again = [json.loads(json.dumps(self.events[i])) for i in event_ids]
        for event in again:
            event["deliveryContext"] = {"isRedelivery": True}
        return await self.deliver(again, handler)

    async def post(self, body: bytes, signature: str, handler: Handler | None = None) -> int:
        """A raw webhook POST: to the handler given or set, else to the endpoint set."""
        handler = handler or self.handler
        if handler is not None:
            return await handler(body, signature)
        if not self.webhook_url:
            raise RuntimeError("no webhook endpoint is set and no handler is given")
        return await self._post_to(self.webhook_url, body, signature)

    async def _post_to(self, url: str, body: bytes, signature: str) -> int:
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "X-Line-Signature": signature, "User-Agent": "LineBotWebhook/2.0"}
        try:
            async with httpx.AsyncClient(timeout=WEBHOOK_SECONDS) as client:
                return (await client.post(url, content=body, headers=headers)).status_code
        except httpx.HTTPError:
            return 0


def _check(what: Callable[[Checker], None]) -> None:
    checker = Checker()
    what(checker)
    checker.raise_if_any()


def _body(body: bytes) -> dict:
    try:
        found = json.loads(body or b"{}")
    except ValueError:
        raise LineError(400, "The request body could not be parsed as JSON") from None
    if not isinstance(found, dict):
        raise LineError(400, "The request body must be a JSON object")
    return found


def _json_or_bytes(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body


def _is_uuid(key: str) -> bool:
    try:
        return str(uuid.UUID(key)) == key.lower()
    except ValueError:
        return False


def _webhook_url(checker: Checker, endpoint: Any) -> None:
    """LINE takes only https; the stand-in also lets a test's own machine listen on http."""
    local = isinstance(endpoint, str) and endpoint.startswith(
        ("http://127.0.0.1", "http://localhost"))
    if not local:
        checker.https(endpoint, "endpoint", 500)
