"""What the LINE front's tests stand on: a small LINE Messaging API at the HTTP level (the
profile, the content host, the bot's info and its webhook settings: the SDK's own client
talks to it), a LINE channel that keeps what it shows in memory (the adapter's LineChannel
is tested on its own), and a LINE user who posts signed webhook events to the front."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import threading
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from aiohttp import web
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
)

from bot.app import DOORS
from handlers import router
from handlers.channels.line.front import LineFront
from handlers.channels.line.media import LineMedia
from handlers.channels.line.turns import Profiles
from tests.memory_channel import MemoryChannel

SECRET = "line-channel-secret"
TOKEN = "line-access-token"
PUBLIC = "https://desk.example.com"


class FakeLineApi:
    """LINE's API and content hosts on one root, in a thread of their own (so a test that
    is not async, the command line's, can use it too)."""

    def __init__(self) -> None:
        self.profiles: dict[str, dict] = {}
        self.contents: dict[str, tuple[bytes, str]] = {}
        self.fetched: list[str] = []
        self.webhook: dict[str, Any] = {"endpoint": "", "active": False}
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()

    def __enter__(self) -> FakeLineApi:
        threading.Thread(target=self._serve, daemon=True).start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application(middlewares=[self._bearer])
        app.router.add_get("/v2/bot/profile/{user}", self._profile)
        app.router.add_get("/v2/bot/message/{id}/content", self._content)
        app.router.add_get("/v2/bot/info", self._info)
        app.router.add_get("/v2/bot/channel/webhook/endpoint", self._endpoint)
        app.router.add_put("/v2/bot/channel/webhook/endpoint", self._set_endpoint)
        app.router.add_post("/v2/bot/channel/webhook/test", self._test)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        self._loop.run_forever()

    @web.middleware
    async def _bearer(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"message": "Authentication failed"}, status=401)
        return await handler(request)

    async def _profile(self, request: web.Request) -> web.Response:
        user = request.match_info["user"]
        found = self.profiles.get(user)
        if found is None:
            return web.json_response({"message": "Not found"}, status=404)
        return web.json_response({"userId": user, **found})

    async def _content(self, request: web.Request) -> web.Response:
        message = request.match_info["id"]
        self.fetched.append(message)
        if message not in self.contents:
            return web.json_response({"message": "Not found"}, status=404)
        data, content_type = self.contents[message]
        return web.Response(body=data, content_type=content_type)

    async def _info(self, request: web.Request) -> web.Response:
        return web.json_response({"userId": "Ubot", "basicId": "@123abcde",
                                  "displayName": "Lakeside desk", "chatMode": "bot",
                                  "markAsReadMode": "auto"})

    async def _endpoint(self, request: web.Request) -> web.Response:
        return web.json_response(self.webhook)

    async def _set_endpoint(self, request: web.Request) -> web.Response:
        self.webhook = {"endpoint": (await request.json())["endpoint"], "active": True}
        return web.json_response({})

    async def _test(self, request: web.Request) -> web.Response:
        return web.json_response({"success": False, "timestamp": "2026-12-07T04:00:00Z",
                                  "statusCode": 0, "reason": "COULD_NOT_CONNECT",
                                  "detail": "connection refused"})


class FakeLineChannel(MemoryChannel):
    """LINE's channel as the front uses it: what a turn answers is shown (in memory) inside
    `replying`, whose reply tokens and event ids are kept."""

    name = "line"

    def __init__(self) -> None:
        super().__init__()
        self.replies: list[tuple[str | None, str]] = []

    @contextlib.asynccontextmanager
    async def replying(self, reply_token: str | None, event_id: str, user_id: str,
                       desk: Any = None):
        self.replies.append((reply_token, event_id))
        yield


def build(desk, api: FakeLineApi, estate_key: str = "") -> tuple[LineFront, FakeLineChannel]:
    """The front on the desk's Application, as bot/line.py attaches it."""
    data = desk.app.bot_data
    client = AsyncApiClient(Configuration(host=api.url, access_token=TOKEN))
    settings = SimpleNamespace(secret=SECRET, token=TOKEN, public_url=PUBLIC)
    channel = FakeLineChannel()
    data.outboxes["line"] = channel
    media = LineMedia(data.desk.db, settings, data.outboxes, blob=AsyncMessagingApiBlob(client),
                      estate_key=estate_key, clock=desk.clock)
    every = (*DOORS, router.door(DOORS))
    front = LineFront(data.desk, channel, media, SECRET,
                      (r for door in every for r in door.routes), lambda: None,
                      Profiles(AsyncMessagingApi(client)), estate_key)
    front.client = client  # type: ignore[attr-defined]  # closed by the fixture
    data.line = front
    return front, channel


def signature(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


_ids = itertools.count(1)


def event_id() -> str:
    return f"01JLINE{next(_ids):019d}"


def body_of(*events: dict) -> bytes:
    return json.dumps({"destination": "Ubot", "events": list(events)}).encode()


@dataclass
class LineUser:
    """Someone writing to the desk's LINE account: each thing they do is a signed webhook
    event posted to the front; they read what the channel showed them."""
    front: LineFront
    channel: FakeLineChannel
    user_id: str
    name: str
    language: str = "en"
    statuses: list[int] = field(default_factory=list)
    last_event: dict | None = None

    def event(self, kind: str, **more: Any) -> dict:
        found = {"type": kind, "mode": "active", "timestamp": 1765080000000,
                 "source": {"type": "user", "userId": self.user_id},
                 "webhookEventId": event_id(), "deliveryContext": {"isRedelivery": False},
                 **more}
        if kind != "unfollow":
            found["replyToken"] = f"reply-{found['webhookEventId']}"
        return found

    async def post(self, *events: dict) -> int:
        body = body_of(*events)
        status = await self.front.handle(body, signature(body))
        self.statuses.append(status)
        self.last_event = events[-1] if events else None
        return status

    async def again(self) -> int:
        """LINE delivers the last event again (its answer was lost)."""
        assert self.last_event is not None
        redelivered = {**self.last_event, "deliveryContext": {"isRedelivery": True}}
        return await self.post(redelivered)

    async def send(self, text: str) -> int:
        return await self.post(self.event("message", message={
            "type": "text", "id": f"m{next(_ids)}", "quoteToken": "q", "text": text}))

    async def send_image(self, message_id: str) -> int:
        return await self.post(self.event("message", message={
            "type": "image", "id": message_id, "quoteToken": "q",
            "contentProvider": {"type": "line"}}))

    async def follow(self) -> int:
        return await self.post(self.event("follow", follow={"isUnblocked": False}))

    async def unfollow(self) -> int:
        return await self.post(self.event("unfollow"))

    async def tap(self, label: str) -> int:
        for shown in reversed(self.shown):
            for row in shown.choices.rows if shown.choices else ():
                for found, token in row:
                    if found == label:
                        return await self.post(self.event("postback",
                                                          postback={"data": token}))
        raise AssertionError(f"not shown to {self.name}: {label}")

    @property
    def shown(self) -> list:
        return self.channel.chats.get(self.user_id, [])

    def texts(self) -> list[str]:
        return [s.text for s in self.shown]

    @property
    def last_text(self) -> str:
        return next((s.text for s in reversed(self.shown) if s.text != "…"), "")


def user_id(n: int) -> str:
    return f"U{n:032x}"
