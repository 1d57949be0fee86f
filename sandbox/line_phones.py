"""A sandbox persona on LINE: what LINE's app sends to the desk, through the LINE stand-in's
signed webhook, when a person types, taps a quick reply, a Flex button or a rich menu area,
picks a date, shares a place or sends a photo or a voice note; and their chat as LINE's app
shows it (LINE's own message objects, both ways)."""

from __future__ import annotations

import asyncio
import time
import weakref

from sandbox.line_api import LineApiStandIn, line_user_id
from sandbox.phones import LANGUAGE_CODES, NoSuchButton, Persona

# Where the demo estate stands, for the location quick reply (a phone would ask its GPS).
DEMO_PLACE = {"title": "示範花園", "address": "台北市信義區示範路 1 號",
              "latitude": 25.0330, "longitude": 121.5654}


def actions_of(message: dict, quick: bool = True) -> list[dict]:
    """Every action a person can tap on a message from the desk: its quick replies (`quick`:
    LINE shows them only under the chat's last message), its Flex buttons (any depth) and
    its template's buttons."""
    found: list[dict] = [item.get("action") or {} for item in
                         ((message.get("quickReply") or {}).get("items") or [])] if quick else []

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("action"), dict):
                found.append(node["action"])
            for key, value in node.items():
                if key in ("contents", "header", "hero", "body", "footer", "columns",
                           "template"):
                    walk(value)
            found.extend(a for a in node.get("actions") or [] if isinstance(a, dict))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("contents"))
    walk(message.get("template"))
    return found


# What LINE's app showed as the person's own message for a tap (a postback's displayText:
# LINE shows it in the chat but does not send it), by webhook event id, per stand-in.
_SAID: weakref.WeakKeyDictionary[LineApiStandIn, dict[str, str]] = \
    weakref.WeakKeyDictionary()


class LinePhone:
    """One persona's LINE app, talking to the desk through the stand-in."""

    def __init__(self, line: LineApiStandIn, persona: Persona) -> None:
        self.line, self.persona = line, persona
        self.said = _SAID.setdefault(line, {})

    @property
    def user_id(self) -> str:
        return line_user_id(self.persona.user_id)

    def chat(self) -> list[dict]:
        """The chat both ways as LINE's app shows it, oldest first: {"id", "outgoing",
        "message"} (a LINE message object; a file the person sent with its `content_url`)."""
        shown = []
        for entry in self.line.history(self.user_id):
            if entry.by == "bot":
                shown.append({"id": entry.message_id, "outgoing": False,
                              "message": entry.content})
                continue
            event = entry.content
            seen = self._as_sent(event)
            if seen is not None:
                shown.append({"id": event["webhookEventId"], "outgoing": True, **seen})
        return shown

    def _as_sent(self, event: dict) -> dict | None:
        if event["type"] == "message":
            message = event["message"]
            if message.get("type") in ("image", "audio", "video", "file"):
                return {"message": message, "content_url": f"/api/line/content/{message['id']}"}
            return {"message": message}
        if event["type"] == "postback":
            text = self.said.get(event["webhookEventId"])
            picked = (event["postback"].get("params") or {}).values()
            if text is None and picked:
                text = " ".join(str(v) for v in picked).replace("T", " ")
            return {"message": {"type": "text", "text": text}} if text else None
        return None  # following, unfollowing: nothing in the chat

    def menu(self) -> dict | None:
        """The rich menu LINE shows the person (their own, else the account's default): size,
        chatBarText, selected, and its areas with their actions."""
        return self.line.menu_of(self.user_id)

    async def _send(self, kind: str, shown_as: str | None = None, **content) -> int:
        """One event, signed and posted to the desk's webhook; back once the desk answered it
        (the webhook answers after the event is handled)."""
        event = self.line.event(self.user_id, kind, **content)
        if shown_as:
            self.said[event["webhookEventId"]] = shown_as
        return await self.line.deliver([event])

    async def follow(self) -> None:
        """Adds the desk's account as a friend: LINE's "follow" event."""
        self.line.add_user(self.user_id, self.persona.name,
                           LANGUAGE_CODES.get(self.persona.language, "en"))
        await self._send("follow", follow={"isUnblocked": False})

    async def say(self, text: str) -> None:
        await self._send("message", message={"type": "text", "text": text})

    async def command(self, command: str) -> None:
        """A command as a rich menu area sends it: a postback whose data starts with "/"."""
        await self._send("postback", postback={"data": command})

    async def send_photo(self, data: bytes, mime: str = "image/jpeg") -> None:
        await self._send("message", message={
            "type": "image", "id": self.line.put_content(data, mime),
            "contentProvider": {"type": "line"}})

    async def send_voice(self, data: bytes, mime: str, seconds: int) -> None:
        await self._send("message", message={
            "type": "audio", "id": self.line.put_content(data, mime),
            "duration": max(seconds, 1) * 1000, "contentProvider": {"type": "line"}})

    async def share_location(self) -> None:
        await self._send("message", message={"type": "location", **DEMO_PLACE})

    async def tap(self, message_id: str | None, data: str,
                  params: dict | None = None) -> None:
        """A postback action on what the person was shown: a quick reply, a Flex or template
        button of that message, or (no message) an area of their rich menu; a picker's with
        the value picked."""
        action = self.find(message_id, data)
        if action is None or action.get("type") not in ("postback", "datetimepicker"):
            raise NoSuchButton(f"no postback {data!r} on message {message_id}")
        postback: dict = {"data": data}
        if action["type"] == "datetimepicker":
            mode = action.get("mode") or "datetime"
            value = (params or {}).get(mode)
            if not isinstance(value, str) or not (
                    action.get("min", value) <= value <= action.get("max", value)):
                raise NoSuchButton(f"the picker asks for a {mode} in its range")
            postback["params"] = {mode: value}
        await self._send("postback", action.get("displayText"), postback=postback)

    def find(self, message_id: str | None, data: str) -> dict | None:
        if message_id is None:
            menu = self.menu() or {}
            actions = [area.get("action") or {} for area in menu.get("areas") or []]
        else:
            chat = self.chat()
            entry = next((e for e in chat if not e["outgoing"]
                          and str(e["id"]) == str(message_id)), None)
            actions = actions_of(entry["message"], entry is chat[-1]) if entry else []
        return next((a for a in actions if a.get("data") == data), None)

    def action(self, prefix: str) -> tuple[str, dict] | None:
        """The newest message with actions, and its action whose data starts so."""
        chat = self.chat()
        for entry in reversed(chat):
            if entry["outgoing"]:
                continue
            actions = actions_of(entry["message"], entry is chat[-1])
            if not actions:
                continue
            found = next((a for a in actions if str(a.get("data", "")).startswith(prefix)),
                         None)
            return (str(entry["id"]), found) if found else None
        return None

    async def tap_starting(self, prefix: str, timeout: float = 20.0) -> None:
        """Waits for such an action on the newest message with actions, and taps it."""
        deadline = time.monotonic() + timeout
        while (found := self.action(prefix)) is None:
            if time.monotonic() > deadline:
                raise NoSuchButton(f"no action starting {prefix!r} reached "
                                   f"{self.persona.name}")
            await asyncio.sleep(0.1)
        message_id, action = found
        await self.tap(message_id, action["data"])
