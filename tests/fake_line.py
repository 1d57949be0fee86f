"""LINE in process, for the benchmarks: webhook bodies as LINE signs them, and an answer to
every call the SDK's async client makes without a socket (its aiohttp session replaced), so
a measurement counts the desk and the SDK, not a loopback HTTP server. The tests use the HTTP
stand-in (sandbox/line_api.py), which also plays LINE's faults and limits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from multidict import CIMultiDict


def signature(secret: str, body: bytes) -> str:
    """X-Line-Signature: the body's HMAC-SHA256 with the channel secret, in base64."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


_ids = itertools.count(1)


def event(user_id: str, **what: Any) -> dict:
    """One webhook event from a person's chat, with a fresh event id and reply token."""
    n = next(_ids)
    return {"type": "message", "mode": "active", "timestamp": 1_790_000_000_000 + n,
            "source": {"type": "user", "userId": user_id},
            "webhookEventId": f"01FAKE{n:020d}", "deliveryContext": {"isRedelivery": False},
            "replyToken": f"reply-{n:08d}", **what}


def text(user_id: str, said: str) -> dict:
    return event(user_id, message={"type": "text", "id": str(next(_ids)), "text": said,
                                   "quoteToken": "q"})


def image(user_id: str) -> dict:
    return event(user_id, message={"type": "image", "id": str(next(_ids)),
                                   "contentProvider": {"type": "line"}, "quoteToken": "q"})


def postback(user_id: str, data: str) -> dict:
    return event(user_id, type="postback", postback={"data": data})


def follow(user_id: str) -> dict:
    return event(user_id, type="follow", follow={"isUnblocked": False})


def body(*events: dict) -> bytes:
    return json.dumps({"destination": "U" + "0" * 32, "events": list(events)}).encode()


@dataclass
class Sent:
    """One call the desk made to LINE: the path and the JSON it sent."""
    method: str
    path: str
    json: Any
    headers: dict


def postbacks(found: Any) -> list[tuple[str, str]]:
    """Every (label, data) of postback actions in a message, quick replies and Flex alike."""
    out: list[tuple[str, str]] = []
    if isinstance(found, dict):
        action = found.get("action") if isinstance(found.get("action"), dict) else None
        if action and action.get("type") in ("postback", "datetimepicker"):
            out.append((action.get("label") or found.get("text", ""), action["data"]))
        elif found.get("type") in ("postback", "datetimepicker") and "data" in found:
            out.append((found.get("label", ""), found["data"]))
        for key, value in found.items():
            if key != "action":
                out += postbacks(value)
    elif isinstance(found, list):
        for item in found:
            out += postbacks(item)
    return out


class _Answer:
    def __init__(self, status: int, data: bytes, kind: str = "application/json") -> None:
        self.status, self.reason = status, "OK" if status < 400 else "Error"
        self.headers = CIMultiDict({"Content-Type": kind,
                                    "x-line-request-id": f"req-{next(_ids)}"})
        self._data = data

    async def read(self) -> bytes:
        return self._data

    def release(self) -> None:
        return None


@dataclass
class FakeLineSession:
    """Stands in for the SDK's aiohttp session (`rest_client.pool_manager`): answers as LINE
    does, records what was sent. Pushes with a retry key already seen answer 409."""
    sent: list[Sent] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    tokens: dict[str, str] = field(default_factory=dict)  # reply token: whose event
    content: bytes = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
                      b"\xff\xd9")
    closed: bool = False

    async def request(self, method: str, url: str, headers: dict | None = None,
                      data: Any = None, **_: Any) -> _Answer:
        path = "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        payload = json.loads(data) if isinstance(data, str | bytes) and data[:1] in \
            ("{", b"{") else None
        self.sent.append(Sent(method, path, payload, dict(headers or {})))
        if path.endswith("/content") and method == "GET":
            return _Answer(200, self.content, "image/jpeg")
        if path == "/v2/bot/message/push":
            key = (headers or {}).get("X-Line-Retry-Key")
            if key and key in self.keys:
                return _Answer(409, b'{"message":"The retry key is already accepted"}')
            if key:
                self.keys.add(key)
        if path in ("/v2/bot/message/reply", "/v2/bot/message/push"):
            count = len((payload or {}).get("messages", []))
            return _Answer(200, json.dumps({"sentMessages": [
                {"id": str(next(_ids)), "quoteToken": "q"} for _ in range(count)]}).encode())
        if path.startswith("/v2/bot/profile/"):
            user = path.rsplit("/", 1)[-1]
            return _Answer(200, json.dumps({"userId": user, "displayName": "P",
                                            "language": "en"}).encode())
        if path == "/v2/bot/message/quota":
            return _Answer(200, b'{"type":"limited","value":1000000}')
        if path == "/v2/bot/message/quota/consumption":
            return _Answer(200, b'{"totalUsage":0}')
        if path == "/v2/bot/richmenu" and method == "POST":
            return _Answer(200, json.dumps({"richMenuId": f"rm-{next(_ids)}"}).encode())
        if path == "/v2/bot/richmenu/list":
            return _Answer(200, b'{"richmenus":[]}')
        return _Answer(200, b"{}")

    async def close(self) -> None:
        self.closed = True

    def calls_to(self, user_id: str) -> list[list[dict]]:
        """The messages that reached a person, call by call: pushed to them, or replied
        with a token of one of their events (`tokens`, filled by whoever made the events)."""
        found = []
        for sent in self.sent:
            body = sent.json or {}
            if sent.path == "/v2/bot/message/push" and body.get("to") == user_id or \
                    sent.path == "/v2/bot/message/reply" and \
                    self.tokens.get(body.get("replyToken")) == user_id:
                found.append(body.get("messages", []))
        return found

    def newest(self, user_id: str, prefix: str) -> str:
        """The first postback that starts so in the newest call that showed one to the
        person (as the newest Telegram message's first such button)."""
        for messages in reversed(self.calls_to(user_id)):
            for _, data in postbacks(messages):
                if data.startswith(prefix):
                    return data
        raise LookupError(f"no postback {prefix}… shown to {user_id}")
