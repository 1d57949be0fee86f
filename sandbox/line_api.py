"""A local stand-in for LINE's Messaging API over real HTTP (Starlette under uvicorn on a thread
of its own), beside the Telegram one: the desk's LINE adapter talks to it through LINE's own SDK
as to api.line.me and api-data.line.me, both served on one root (`line.url`, given as
LINE_API_URL). It answers as LINE does: reply tokens single use and expiring, a monthly quota
that pushes consume (replies are free), 429 past a rate, a retry key accepted once (409 after),
400 with LINE's error JSON for what LINE refuses, 401 for a wrong token; and it sends webhooks
signed with the channel secret. Beside it: line_checks.py (what LINE refuses), line_history.py
(each chat both ways, for the tests and the sandbox's LINE phone), line_rich_menus.py and
line_webhooks.py (the events and their signature). It is LINE, not the desk: nothing here
imports the desk."""

from __future__ import annotations

import asyncio
import hmac
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

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.line_checks import LineError, checked, parse_body
from sandbox.line_history import Chats, Entry
from sandbox.line_rich_menus import RichMenus
from sandbox.line_webhooks import (
    REPLIED_EVENTS,
    line_user_id,
    new_event,
    post_webhook,
    sign,
    webhook_body,
)

__all__ = ["Handler", "LineApiStandIn", "line_user_id", "sign"]

Handler = Callable[[bytes, str], Awaitable[int]]  # a webhook taken in-process: (body, signature)
BOT_USER_ID = "U" + "b0" * 16
USER_ID = re.compile(r"^U[0-9a-f]{32}$")
JST = timezone(timedelta(hours=9))  # LINE's month turns in Japan's time
RETRY_KEY_HOURS = 24


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
        self.events: dict[str, dict] = {}  # every event delivered, by webhookEventId
        self.deliveries: list[tuple[list[str], int]] = []  # event ids, status (0: no answer)
        self.calls: list[dict] = []  # method, path, headers, body, status of every request
        self.version = 0  # rises with every change: a page waits on it
        self._faults: list[tuple[str, int, dict, dict]] = []
        self._time_outs: list[float] = []
        self._recent: deque[float] = deque()
        self._lock = threading.Condition()
        self.rich_menus = RichMenus(self._lock)
        self._release: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # --- serving -------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        r, menus = self._route, self.rich_menus
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
            r("/v2/bot/richmenu", menus.create, "POST"),
            r("/v2/bot/richmenu/list", menus.listed, "GET"),
            r("/v2/bot/richmenu/{richMenuId}", menus.one, "GET", "DELETE"),
            r("/v2/bot/richmenu/{richMenuId}/content", menus.image, "GET", "POST"),
            r("/v2/bot/user/all/richmenu", menus.everyone, "GET", "DELETE"),
            r("/v2/bot/user/all/richmenu/{richMenuId}", menus.everyone, "POST"),
            r("/v2/bot/user/{userId}/richmenu", menus.user, "GET", "DELETE"),
            r("/v2/bot/user/{userId}/richmenu/{richMenuId}", menus.user, "POST", "DELETE"),
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
            for n, (path, status, body, headers) in enumerate(self._faults):
                if path in (request.url.path, template):
                    del self._faults[n]
                    raise LineError(status, body.get("message", ""), headers=headers, body=body)
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

    def fail_next(self, path: str, status: int, body: dict | None = None,
                  headers: dict | None = None) -> None:
        """The next request to `path` (as sent, or as the route's template) gets this answer
        (e.g. 500, or 429 with a Retry-After header), before anything else is checked."""
        with self._lock:
            self._faults.append((path, status, body or {"message": "Internal server error"},
                                 headers or {}))

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
        return self.rich_menus.shown_to(user_id)

    def put_content(self, data: bytes, content_type: str) -> str:
        """Something a user sends (a photo, a voice note): its new message id."""
        with self._lock:
            return self.chats.keep(data, content_type)

    def expire_content(self, message_id: str | None = None) -> None:
        """LINE deletes what users sent after a while: this one (or all) is gone now."""
        with self._lock:
            self.chats.expire(message_id)

    # --- messages ------------------------------------------------------------------------

    async def _reply(self, request: Request, body: bytes) -> dict:
        payload = parse_body(body)
        if "x-line-retry-key" in request.headers:
            raise LineError(400, "The retry key is not supported by the reply API")
        checked(lambda c: c.messages(payload.get("messages")))
        with self._lock:
            token = self.tokens.get(str(payload.get("replyToken")))
            if (token is None or token[2]
                    or self.now() - token[1] > self.reply_token_seconds):
                raise LineError(400, "Invalid reply token")
            token[2] = True
            self.replies += 1
            return {"sentMessages": self.chats.show(token[0], payload["messages"], "reply")}

    async def _push(self, request: Request, body: bytes) -> dict:
        payload = parse_body(body)
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
        checked(lambda c: c.messages(payload.get("messages")))
        with self._lock:
            reachable = to in self.friends and to not in self.blocked
            if reachable and self.quota is not None and self.used >= self.quota:
                raise LineError(429, "You have reached your monthly limit.")
            # A user who blocked the account (or never added it) is not shown it, nor counted.
            sent = (self.chats.show(to, payload["messages"], "push") if reachable
                    else self.chats.drop(to, payload["messages"]))
            if reachable:
                self.usage[self.month()] = self.used + 1  # one per recipient, not per bubble
            self.pushes += 1
            if key:
                self.accepted[key] = (request.state.request_id, sent, self.now())
            if self._time_outs:
                request.state.hold = self._time_outs.pop(0)
            return {"sentMessages": sent}

    async def _validate(self, request: Request, body: bytes) -> dict:
        payload = parse_body(body)
        checked(lambda c: c.messages(payload.get("messages")))
        return {}

    async def _quota(self, request: Request, body: bytes) -> dict:
        if self.quota is None:
            return {"type": "none"}
        return {"type": "limited", "value": self.quota}

    async def _consumption(self, request: Request, body: bytes) -> dict:
        return {"totalUsage": self.used}

    async def _content(self, request: Request, body: bytes) -> Response:
        with self._lock:
            found = self.chats.contents.get(request.path_params["messageId"])
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
        endpoint = parse_body(body).get("endpoint")
        checked(lambda c: c.webhook_url(endpoint))
        with self._lock:
            self.webhook_url = str(endpoint)
        return {}

    async def _test_webhook(self, request: Request, body: bytes) -> dict:
        endpoint = (parse_body(body) if body else {}).get("endpoint") or self.webhook_url
        if not endpoint:
            raise LineError(400, "The webhook URL is not set")
        raw = json.dumps({"destination": self.bot_user_id, "events": []}).encode()
        status = await post_webhook(endpoint, raw, sign(self.secret, raw))
        return {"success": 200 <= status < 300, "statusCode": status,
                "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "reason": "OK" if 200 <= status < 300 else "ERROR", "detail": str(status)}

    # --- webhooks out --------------------------------------------------------------------

    def event(self, user_id: str, kind: str, **content: Any) -> dict:
        """A whole webhook event from this user, as LINE makes it: a fresh webhookEventId, the
        time, the source, and (for what can be answered) a fresh reply token."""
        now = self.now()
        event = new_event(user_id, kind, now, self.chats.next_id(), content)
        if kind in REPLIED_EVENTS:
            event["replyToken"] = secrets.token_hex(16)
            with self._lock:
                self.tokens[event["replyToken"]] = [user_id, now, False]
        return event

    async def deliver(self, events: list[dict], handler: Handler | None = None,
                      signature: str | None = None) -> int:
        """Sends these events in one signed webhook, to the handler given or set, else to the
        endpoint set; the HTTP status (0: no answer). An event not made by `event` (without a
        webhookEventId) is made whole from its `type`, `userId` and content. `signature`
        forges the signature."""
        events = [e if "webhookEventId" in e else self._whole(e) for e in events]
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
        body = webhook_body(self.bot_user_id, events)
        status = await self.post(body, signature or sign(self.secret, body), handler)
        with self._lock:
            self.deliveries.append(([e["webhookEventId"] for e in events], status))
            self._changed()
        return status

    def _whole(self, partial: dict) -> dict:
        content = dict(partial)
        source = content.pop("source", None) or {}
        user_id = content.pop("userId", None) or source["userId"]
        return self.event(user_id, content.pop("type"), **content)

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
        return await post_webhook(self.webhook_url, body, signature)


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
