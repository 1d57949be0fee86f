"""People on LINE, for the tests: what LINE's app sends the desk (through the stand-in's signed
webhook) when a person types, sends a photo or a voice note, shares a place, taps a quick reply
or a card's button, picks a date; and what their chat shows them."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sandbox.line_api import Handler, LineApiStandIn
from storage.records import Account

LANGUAGE_TAGS = {"zh_Hant": "zh-TW", "zh_Hans": "zh-CN", "en": "en"}  # LINE's profile's
PICKED = {"date": "%Y-%m-%d", "time": "%H:%M", "datetime": "%Y-%m-%dT%H:%M"}


class NoSuchLabel(AssertionError):
    """Nothing with that label is in the person's chat: LINE's app cannot tap it."""


def quick_actions(message: dict) -> list[dict]:
    return [item["action"] for item in (message.get("quickReply") or {}).get("items", [])]


def button_actions(message: dict) -> list[dict]:
    """The actions of a Flex message's components or of a template's buttons."""
    found: list[dict] = []
    if message.get("type") == "flex":
        _walk(message.get("contents") or {}, found)
    if message.get("type") == "template":
        template = message.get("template") or {}
        for column in [template, *template.get("columns", [])]:
            found += column.get("actions", [])
    return found


def _walk(part: Any, found: list[dict]) -> None:
    if isinstance(part, dict):
        if isinstance(part.get("action"), dict):
            found.append(part["action"])
        for key in ("contents", "header", "hero", "body", "footer"):
            _walk(part.get(key), found)
    elif isinstance(part, list):
        for child in part:
            _walk(child, found)


def text_of(message: dict) -> str | None:
    """What the person reads of a message (a Flex one: its altText and its texts)."""
    kind = message.get("type")
    if kind == "text":
        return message["text"]
    if kind == "flex":
        texts: list[str] = []
        _texts(message.get("contents"), texts)
        return "\n".join([message.get("altText", ""), *texts])
    if kind == "template":
        template = message.get("template") or {}
        parts = [message.get("altText", "")]
        for column in [template, *template.get("columns", [])]:
            parts += [column[k] for k in ("title", "text") if column.get(k)]
        return "\n".join(parts)
    if kind == "location":
        return "\n".join(p for p in (message.get("title"), message.get("address")) if p)
    return None  # a picture, a sticker, a recording: nothing to read


def _texts(part: Any, found: list[str]) -> None:
    if isinstance(part, dict):
        if part.get("type") in ("text", "span") and part.get("text"):
            found.append(part["text"])
        for key in ("contents", "header", "hero", "body", "footer"):
            _texts(part.get(key), found)
    elif isinstance(part, list):
        for child in part:
            _texts(child, found)


class LinePerson:
    """Someone on LINE: each action is one signed webhook, awaited until the desk answers it
    (its HTTP status is returned); what they were shown is read from the stand-in."""

    def __init__(self, line: LineApiStandIn, user_id: str, name: str,
                 language: str = "zh_Hant", handler: Handler | None = None) -> None:
        self.line, self.user_id, self.name, self.language = line, user_id, name, language
        self.handler = handler  # e.g. a LineFront's handle; else the stand-in's own or its URL
        self.seen = 0  # messages read so far (new_texts)
        self.last_event: dict | None = None
        line.add_user(user_id, name, LANGUAGE_TAGS.get(language, language))

    @property
    def account(self) -> Account:
        return Account("line", self.user_id)

    async def _send(self, kind: str, **content: Any) -> int:
        self.last_event = self.line.event(self.user_id, kind, **content)
        return await self.line.deliver([self.last_event], self.handler)

    async def redeliver(self) -> int:
        """LINE sends the last event again (isRedelivery), as after a failed webhook."""
        assert self.last_event is not None
        return await self.line.redeliver(self.last_event["webhookEventId"],
                                         handler=self.handler)

    # --- what they send ------------------------------------------------------------------

    async def send(self, text: str) -> int:
        return await self._send("message", message={"type": "text", "text": text})

    async def send_photo(self, data: bytes, content_type: str = "image/jpeg") -> int:
        message_id = self.line.put_content(data, content_type)
        return await self._send("message", message={
            "type": "image", "id": message_id, "contentProvider": {"type": "line"}})

    async def send_voice(self, data: bytes, ms: int) -> int:
        message_id = self.line.put_content(data, "audio/x-m4a")
        return await self._send("message", message={
            "type": "audio", "id": message_id, "duration": ms,
            "contentProvider": {"type": "line"}})

    async def send_location(self, lat: float, lon: float, title: str | None = None,
                            address: str | None = None) -> int:
        place: dict = {"type": "location", "latitude": lat, "longitude": lon}
        place.update({k: v for k, v in (("title", title), ("address", address)) if v})
        return await self._send("message", message=place)

    async def send_sticker(self) -> int:
        return await self._send("message", message={
            "type": "sticker", "packageId": "446", "stickerId": "1988",
            "stickerResourceType": "STATIC"})

    async def follow(self) -> int:
        unblocked = self.user_id in self.line.blocked
        return await self._send("follow", follow={"isUnblocked": unblocked})

    async def unfollow(self) -> int:
        return await self._send("unfollow")

    async def postback(self, data: str, params: dict | None = None) -> int:
        """A postback with this data, shown or not: what a stale or forged button sends."""
        content: dict = {"data": data, **({"params": params} if params else {})}
        return await self._send("postback", postback=content)

    async def tap(self, label: str) -> int:
        """A quick reply of the last message that has them, else a card's button (newest
        first): a postback with its data, or a message action's text sent."""
        action = self._action(label, lambda a: a.get("label") == label)
        kind = action["type"]
        if kind == "postback":
            return await self._send("postback", postback={"data": action["data"]})
        if kind == "message":
            return await self.send(action["text"])
        raise NoSuchLabel(f"{label!r} is a {kind} action: use "
                          + {"uri": "link()", "datetimepicker": "pick()",
                             "location": "send_location()"}.get(kind, "send_photo()"))

    def link(self, label: str) -> str:
        """The address a uri button with this label opens."""
        action = self._action(label, lambda a: a.get("label") == label)
        if action["type"] != "uri":
            raise NoSuchLabel(f"{label!r} is a {action['type']} action, not a link")
        return action["uri"]

    async def pick(self, value: str | date | time | datetime, label: str | None = None) -> int:
        """Picks a value in the newest date/time picker (or the one with this label), within
        its min and max as LINE's picker keeps it."""
        action = self._action(label or "a date-time picker", lambda a: (
            a.get("type") == "datetimepicker" and label in (None, a.get("label"))))
        mode = action["mode"]
        picked = value if isinstance(value, str) else value.strftime(PICKED[mode])
        if not (action.get("min", picked) <= picked <= action.get("max", picked)):
            raise ValueError(f"{picked} is outside {action.get('min')}..{action.get('max')}")
        return await self._send("postback", postback={"data": action["data"],
                                                      "params": {mode: picked}})

    def _action(self, label: str, wanted) -> dict:
        shown = self.line.shown(self.user_id)
        for message in reversed(shown):
            if quick_actions(message):
                found = [a for a in quick_actions(message) if wanted(a)]
                if found:
                    return found[0]
                break  # the quick replies are those of the last message that has them
        for message in reversed(shown):
            found = [a for a in button_actions(message) if wanted(a)]
            if found:
                return found[0]
        raise NoSuchLabel(f"no {label!r} in the LINE chat of {self.name}; it shows "
                          f"{self.labels()} under {self.texts()[-2:]}")

    # --- what they see -------------------------------------------------------------------

    def shown(self) -> list[dict]:
        return self.line.shown(self.user_id)

    def texts(self) -> list[str]:
        return [t for t in map(text_of, self.shown()) if t is not None]

    @property
    def last_text(self) -> str:
        texts = self.texts()
        return texts[-1] if texts else ""

    def new_texts(self) -> list[str]:
        """What arrived since the last time this was asked."""
        shown = self.shown()
        fresh, self.seen = shown[self.seen:], len(shown)
        return [t for t in map(text_of, fresh) if t is not None]

    def labels(self) -> list[str]:
        """The quick replies and buttons of the newest message that has any."""
        for message in reversed(self.shown()):
            actions = quick_actions(message) + button_actions(message)
            if actions:
                return [a.get("label", "") for a in actions]
        return []
