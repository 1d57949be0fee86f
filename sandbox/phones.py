"""The people of the sandbox and their phones: what a Telegram client sends to the stand-in
when a person types, taps a button, shares the contact or sends a photo."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from sandbox.bot_api import BotApiStandIn
from sandbox.chats import as_sent

# What Telegram's clients report as the language, for the desk's guess at the first /start.
LANGUAGE_CODES = {"zh_Hant": "zh-TW", "zh_Hans": "zh-CN", "en": "en"}
SETTLE_SECONDS = 20.0


class NoSuchButton(Exception):
    """The message or its button is not in the chat: a client cannot tap it."""


@dataclass
class Persona:
    user_id: int
    name: str
    role: str  # what the page calls them: resident, clerk, technician, ...
    language: str  # the page's choice: zh_Hant, zh_Hans or en
    phone: str = ""  # shared with the contact button
    channel: str = "telegram"  # or "line": the app the persona uses, and the page's phone

    def as_json(self) -> dict:
        return {"user_id": self.user_id, "name": self.name, "role": self.role,
                "language": self.language, "phone": self.phone, "channel": self.channel}


class Phone:
    """One persona's Telegram client, talking to the bot through the stand-in."""

    def __init__(self, api: BotApiStandIn, persona: Persona) -> None:
        self.api, self.persona = api, persona

    @property
    def user(self) -> dict:
        return {"id": self.persona.user_id, "is_bot": False, "first_name": self.persona.name,
                "language_code": LANGUAGE_CODES.get(self.persona.language, "en")}

    def _message(self, **content) -> dict:
        return {"message_id": self.api.next_message_id(), "date": int(time.time()),
                "chat": {"id": self.persona.user_id, "type": "private",
                         "first_name": self.persona.name},
                "from": self.user, **content}

    def say(self, text: str) -> int:
        content: dict = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(command)}]
        [update_id] = self.api.push({"message": self._message(**content)})
        return update_id

    def share_contact(self) -> int:
        contact = {"phone_number": self.persona.phone, "first_name": self.persona.name,
                   "user_id": self.persona.user_id}
        [update_id] = self.api.push({"message": self._message(contact=contact)})
        return update_id

    def send_photo(self, data: bytes, mime: str = "image/jpeg", caption: str = "") -> int:
        file_id = self.api.store(data, "photo", mime)
        content: dict = {"photo": [{"file_id": file_id, "file_unique_id": file_id,
                                    "width": 800, "height": 600, "file_size": len(data)}]}
        if caption:
            content["caption"] = caption
        [update_id] = self.api.push({"message": self._message(**content)})
        return update_id

    def send_voice(self, data: bytes, mime: str, seconds: int) -> int:
        """A voice note (or a sound file) recorded elsewhere."""
        file_id = self.api.store(data, "voice", mime)
        voice = {"file_id": file_id, "file_unique_id": file_id, "duration": max(seconds, 1),
                 "mime_type": mime, "file_size": len(data)}
        [update_id] = self.api.push({"message": self._message(voice=voice)})
        return update_id

    def tap(self, message_id: int, data: str) -> int:
        """A button of a message in this chat, as the client shows it now."""
        message = next((m for m in self.api.messages(self.persona.user_id)
                        if m["message_id"] == message_id and m["from"].get("is_bot")), None)
        buttons = [b for row in ((message or {}).get("reply_markup") or {}).get(
            "inline_keyboard", []) for b in row]
        if not any(b.get("callback_data") == data for b in buttons):
            raise NoSuchButton(f"no button {data!r} on message {message_id}")
        assert message is not None
        shown = as_sent(message)
        query = {"id": uuid.uuid4().hex[:16], "from": self.user, "chat_instance": "sandbox",
                 "data": data, "message": shown}
        [update_id] = self.api.push({"callback_query": query})
        return update_id

    def button(self, prefix: str) -> tuple[int, str] | None:
        """The button of the newest message with buttons whose data starts so: (message id,
        data). Older messages are not looked at: their buttons belong to an earlier step."""
        for message in reversed(self.api.messages(self.persona.user_id)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            if not rows:
                continue
            for b in (b for row in rows for b in row):
                if str(b.get("callback_data", "")).startswith(prefix):
                    return message["message_id"], b["callback_data"]
            return None
        return None

    async def settle(self, update_id: int, timeout: float = SETTLE_SECONDS) -> None:
        """Until the bot has handled the update."""
        if not await self.api.until(lambda: self.api.handled(update_id), timeout):
            raise TimeoutError(f"the bot did not handle update {update_id}")

    async def tap_starting(self, prefix: str, timeout: float = SETTLE_SECONDS) -> None:
        """Waits for such a button (a card may still be on its way), taps it, and waits for
        the bot to handle the tap."""
        found = await self.api.until(lambda: self.button(prefix), timeout)
        if not found:
            raise NoSuchButton(f"no button starting {prefix!r} reached {self.persona.name}")
        await self.settle(self.tap(*found))

    async def send(self, text: str) -> None:
        await self.settle(self.say(text))
