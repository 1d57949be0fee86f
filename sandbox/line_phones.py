"""A sandbox persona on LINE: what LINE's app sends to the desk, through the LINE stand-in's
signed webhook, when a person types, taps a quick reply, a Flex button or a rich menu area,
picks a date, shares a place or sends a photo or a voice note; and their chat as LINE's app
shows it (LINE's own message objects, both ways)."""

from __future__ import annotations

import asyncio
import time

from sandbox.line_api import LineApiStandIn
from sandbox.phones import NoSuchButton, Persona

# Where the demo estate stands, for the location quick reply (a phone would ask its GPS).
DEMO_PLACE = {"title": "示範花園", "address": "台北市信義區示範路 1 號",
              "latitude": 25.0330, "longitude": 121.5654}


def line_user_id(persona: Persona) -> str:
    """LINE's userId: "U" and 32 hex digits, from the page's number for the persona."""
    return f"U{persona.user_id:032x}"


def actions_of(message: dict) -> list[dict]:
    """Every action a person can tap on a message from the desk: its quick replies, its Flex
    buttons (any depth) and its template's buttons."""
    found: list[dict] = [item.get("action") or {} for item in
                         ((message.get("quickReply") or {}).get("items") or [])]

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "button" and isinstance(node.get("action"), dict):
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


class LinePhone:
    """One persona's LINE app, talking to the desk through the stand-in."""

    def __init__(self, line: LineApiStandIn, persona: Persona) -> None:
        self.line, self.persona = line, persona

    @property
    def user_id(self) -> str:
        return line_user_id(self.persona)

    def chat(self) -> list[dict]:
        """The chat both ways, oldest first: {"id", "outgoing", "message"}."""
        return [shown_entry(entry) for entry in self.line.history_of(self.user_id)]

    async def _send(self, event: dict) -> None:
        """The event, signed and posted to the desk's webhook; back once the desk answered
        (the webhook answers after the event is handled). Off the loop: the desk that
        answers may be served by this very loop (the demo)."""
        event = {"timestamp": int(time.time() * 1000), "mode": "active",
                 "source": {"type": "user", "userId": self.user_id}, **event}
        await asyncio.to_thread(self.line.deliver, [event])

    def menu(self) -> dict | None:
        """The rich menu linked to the person (or the account's default), as LINE keeps it:
        size, chatBarText, selected and its areas with their actions."""
        return self.line.menu_of(self.user_id)

    async def command(self, command: str) -> None:
        """A command as a rich menu area sends it: a postback whose data starts with "/"."""
        await self._send({"type": "postback", "postback": {"data": command}})

    async def follow(self) -> None:
        """Adds the desk's account as a friend: LINE's "follow" event."""
        await self._send({"type": "follow"})

    async def say(self, text: str) -> None:
        await self._send({"type": "message", "message": {
            "type": "text", "id": self.line.next_message_id(), "text": text}})

    async def send_photo(self, data: bytes, mime: str = "image/jpeg", caption: str = "") -> None:
        """A photo (LINE has no captions: a caption goes as the text after it)."""
        await self._send({"type": "message", "message": {
            "type": "image", "id": self.line.keep_content(data, mime),
            "contentProvider": {"type": "line"}}})
        if caption:
            await self.say(caption)

    async def send_voice(self, data: bytes, mime: str, seconds: int) -> None:
        await self._send({"type": "message", "message": {
            "type": "audio", "id": self.line.keep_content(data, mime),
            "duration": max(seconds, 1) * 1000, "contentProvider": {"type": "line"}}})

    async def share_location(self) -> None:
        await self._send({"type": "message", "message": {
            "type": "location", "id": self.line.next_message_id(), **DEMO_PLACE}})

    async def tap(self, message_id: str | None, data: str,
                  params: dict | None = None) -> None:
        """A postback action on what the person was shown: a quick reply, a Flex or template
        button of that message, or (no message) an area of their rich menu."""
        action = self.find(message_id, data)
        if action is None:
            raise NoSuchButton(f"no postback {data!r} on message {message_id}")
        postback: dict = {"data": data}
        if params and action.get("type") == "datetimepicker":
            mode = action.get("mode") or "datetime"
            if set(params) != {mode}:
                raise NoSuchButton(f"the picker asks for a {mode}")
            postback["params"] = {mode: str(params[mode])}
        elif action.get("type") != "postback":
            raise NoSuchButton(f"{data!r} is not a postback")
        await self._send({"type": "postback", "postback": postback,
                          **({"displayText": action["displayText"]}
                             if action.get("displayText") else {})})

    def find(self, message_id: str | None, data: str) -> dict | None:
        if message_id is None:
            menu = self.line.menu_of(self.user_id) or {}
            actions = [area.get("action") or {} for area in menu.get("areas") or []]
        else:
            entry = next((e for e in self.chat() if not e["outgoing"]
                          and str(e["id"]) == str(message_id)), None)
            actions = actions_of(entry["message"]) if entry else []
        return next((a for a in actions if a.get("data") == data), None)

    def action(self, prefix: str) -> tuple[str, dict] | None:
        """The newest message with actions, and its action whose data starts so."""
        for entry in reversed(self.chat()):
            if entry["outgoing"]:
                continue
            actions = actions_of(entry["message"])
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


def shown_entry(entry: dict) -> dict:
    return entry
