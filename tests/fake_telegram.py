"""An offline Bot API: a python-telegram-bot request object that records every call and
answers the way Telegram does, including its limits and its errors."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from sandbox.bot_api import DEFAULT_BOT

BOT = DEFAULT_BOT  # the same bot as the HTTP stand-in's
MAX_TEXT = 4096  # UTF-16 code units, as Telegram counts
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


CLIENT_READ_TIMEOUT = 5.0  # PTB's HTTPXRequest waits this long unless a call says otherwise


class AnsweredLate(Exception):
    """Telegram answers `after` seconds later: with the message delivered (no `error`), or
    with an error (nothing delivered). A client that stops waiting before then never sees
    the answer (a read timeout); one that waits long enough reads it."""

    def __init__(self, after: float = 600, error: TelegramError | None = None) -> None:
        super().__init__(after)
        self.after, self.error = after, error

# A 2x2 grey PNG: what the stand-in serves for any file the bot downloads (a report's photo).
TINY_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02"
            b"\x00\x00\x00\xfd\xd4\x9as\x00\x00\x00\x0eIDATx\x9cch\x00\x03\x06\x08\x05\x00*"
            b"\x0e\x06\x01\x15\x9eB\xd7\x00\x00\x00\x00IEND\xaeB`\x82")

@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # name: (file, bytes)

    @property
    def chat_id(self) -> int | None:
        chat = self.params.get("chat_id")
        return int(chat) if chat is not None else None

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""

    def buttons(self) -> list[dict]:
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [b for row in markup.get("inline_keyboard", []) for b in row]


class TelegramError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class FakeBotApi(BaseRequest):
    calls: list[Call] = field(default_factory=list)
    failures: dict[int, list[TelegramError]] = field(default_factory=dict)
    _message_id: int = 1000
    now: int = 1_790_000_000
    held: dict[int, asyncio.Event] = field(default_factory=dict)  # chats that answer slowly
    gone: set[str] = field(default_factory=set)  # file ids Telegram no longer serves

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def fail_next(self, chat_id: int, error: TelegramError | AnsweredLate | None) -> None:
        """The next message to this chat fails the way Telegram would fail it (None: the next
        one goes through, so that a later one can fail)."""
        self.failures.setdefault(chat_id, []).append(error)

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=None, write_timeout=None, connect_timeout=None,
                         pool_timeout=None) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file's content, as getFile's path serves it
            return 200, TINY_PNG
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        files = {}
        if request_data is not None and request_data.contains_files:
            for key, value in (request_data.multipart_data or {}).items():
                files[key] = (value[0], value[1])  # (file name, content, mime type)
        call = Call(name, params, files)
        if call.chat_id in self.held and name.startswith("send"):
            await self.held[call.chat_id].wait()
        failures = self.failures.get(call.chat_id) if call.chat_id is not None else None
        if failures and isinstance(failures[0], AnsweredLate) and name.startswith("send"):
            late = failures.pop(0)
            assert isinstance(late, AnsweredLate)
            waited = read_timeout if isinstance(read_timeout, (int, float)) \
                else CLIENT_READ_TIMEOUT
            if late.error is not None and waited >= late.after:
                return self._refusal(late.error)
            if late.error is None:
                self.calls.append(call)
            if waited < late.after:
                raise TimedOut("Timed out") from httpx.ReadTimeout("read timed out")
            return 200, json.dumps({"ok": True, "result": self._answer(call)}).encode()
        try:
            result = self._answer(call)
        except TelegramError as error:
            return self._refusal(error)
        self.calls.append(call)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    @staticmethod
    def _refusal(error: TelegramError) -> tuple[int, bytes]:
        body: dict[str, Any] = {"ok": False, "error_code": error.code,
                                "description": error.description}
        if error.retry_after:
            body["parameters"] = {"retry_after": error.retry_after}
        return error.code, json.dumps(body).encode()

    def _answer(self, call: Call) -> Any:
        if call.chat_id is not None and self.failures.get(call.chat_id) and \
                call.method.startswith("send"):
            failure = self.failures[call.chat_id].pop(0)
            if failure is not None:
                raise failure
        if call.method == "getMe":
            return BOT
        if call.method == "getUpdates":
            return []
        if call.method == "sendMessage":
            self._check_message(call)
            return self._message(call, text=call.params["text"])
        if utf16_len(call.params.get("caption") or "") > MAX_CAPTION:
            raise TelegramError(400, "Bad Request: message caption is too long")
        if call.method == "sendPhoto":  # a file id, or an uploaded picture (a chart)
            photo = call.params.get("photo") or f"upload-{self._message_id}"
            return self._message(call, photo=[self._photo(photo)])
        if call.method in ("sendVoice", "sendAudio", "sendVideoNote"):
            kind = {"sendVoice": "voice", "sendAudio": "audio",
                    "sendVideoNote": "video_note"}[call.method]
            sent = call.params.get(kind) or f"upload-{self._message_id}"  # a file id, or bytes
            media = {"file_id": sent, "file_unique_id": sent[-8:], "duration": 23}
            if kind == "video_note":
                media["length"] = 240
            return self._message(call, **{kind: media})
        if call.method == "getFile":
            file_id = call.params["file_id"]
            if file_id in self.gone:
                raise TelegramError(400, "Bad Request: wrong file_id or the file is "
                                         "temporarily unavailable")
            return {"file_id": file_id, "file_unique_id": file_id[-8:], "file_size": 70,
                    "file_path": f"photos/{file_id}.png"}
        if call.method == "sendDocument" and not call.files:  # a file id sent on
            file_id = call.params["document"]
            return self._message(call, document={"file_id": file_id,
                                                 "file_unique_id": file_id[-8:]})
        if call.method == "sendDocument":
            name, _ = next(iter(call.files.values()))
            return self._message(call, document={"file_id": f"doc-{self._message_id}",
                                                 "file_unique_id": f"d{self._message_id}",
                                                 "file_name": name})
        if call.method == "sendMediaGroup":
            media = call.params["media"]
            if not 2 <= len(media) <= 10:
                raise TelegramError(400, "Bad Request: wrong number of media in the album")
            return [self._message(call, photo=[self._photo(m["media"])]) for m in media]
        return True

    def _check_message(self, call: Call) -> None:
        text = call.params.get("text", "")
        if not text.strip():
            raise TelegramError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise TelegramError(400, "Bad Request: message is too long")
        for button in call.buttons():
            if len(button.get("callback_data", "").encode()) > MAX_CALLBACK_DATA:
                raise TelegramError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _message(self, call: Call, **content) -> dict:
        self._message_id += 1
        message = {"message_id": self._message_id, "date": self.now, "from": BOT,
                   "chat": {"id": call.chat_id, "type": "private"}, **content}
        if "reply_markup" in call.params and isinstance(call.params["reply_markup"], dict) \
                and "inline_keyboard" in call.params["reply_markup"]:
            message["reply_markup"] = call.params["reply_markup"]
        return message

    @staticmethod
    def _photo(file_id: str) -> dict:
        return {"file_id": file_id, "file_unique_id": file_id[-8:], "width": 800, "height": 600}
