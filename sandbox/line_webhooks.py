"""The webhooks the LINE stand-in sends, as LINE makes them: each event with a webhookEventId
(a ULID), its time in milliseconds, its source, mode "active" and its delivery context; the
body with the bot's user id as `destination`, signed with the channel secret
(`X-Line-Signature`: base64 of the HMAC-SHA256 of the raw body), POSTed as LINE's own agent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

import httpx

REPLIED_EVENTS = {"message", "postback", "follow", "join", "memberJoined", "beacon",
                  "accountLink", "things"}  # the events that carry a reply token
QUOTED = {"text", "image", "video", "sticker"}  # the contents that carry a quoteToken
ULID_LETTERS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
WEBHOOK_SECONDS = 30.0


def line_user_id(n: int) -> str:
    """A well-formed LINE user id ("U" and 32 hex digits) for a person numbered n."""
    return f"U{n:032x}"


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def ulid(now: float) -> str:
    stamp = int(now * 1000)
    head = "".join(ULID_LETTERS[(stamp >> (5 * i)) & 31] for i in reversed(range(10)))
    return head + "".join(secrets.choice(ULID_LETTERS) for _ in range(16))


def new_event(user_id: str, kind: str, now: float, message_id: str, content: dict) -> dict:
    """An event from this user (its reply token is the stand-in's to add)."""
    event: dict[str, Any] = {
        "type": kind, **content, "timestamp": int(now * 1000), "mode": "active",
        "source": {"type": "user", "userId": user_id}, "webhookEventId": ulid(now),
        "deliveryContext": {"isRedelivery": False}}
    message = event.get("message")
    if isinstance(message, dict):
        event["message"] = message = dict(message)
        message.setdefault("id", message_id)
        if message.get("type") in QUOTED:
            message.setdefault("quoteToken", secrets.token_urlsafe(24))
    return event


def webhook_body(destination: str, events: list[dict]) -> bytes:
    return json.dumps({"destination": destination, "events": events},
                      ensure_ascii=False, separators=(",", ":")).encode()


async def post_webhook(url: str, body: bytes, signature: str) -> int:
    """The HTTP status of the desk's answer (0: none, as LINE's console shows it)."""
    headers = {"Content-Type": "application/json; charset=utf-8",
               "X-Line-Signature": signature, "User-Agent": "LineBotWebhook/2.0"}
    try:
        async with httpx.AsyncClient(timeout=WEBHOOK_SECONDS) as client:
            return (await client.post(url, content=body, headers=headers)).status_code
    except httpx.HTTPError:
        return 0
