"""What Telegram's servers keep of each private chat, as the stand-in answers the bot's
methods: the messages both ways as a client shows them (a reply keyboard kept beside the
message that sent it), the toasts of answered buttons, and the files either side uploaded."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from sandbox.formatting import from_html

NOT_A_CHAT_METHOD = object()


class ApiError(Exception):
    """Telegram's answer {"ok": false}: a 400 for a bad request, and so on."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


@dataclass
class StoredFile:
    data: bytes
    name: str
    mime: str


def as_sent(message: dict) -> dict:
    """A kept message as Telegram hands it out: without what the stand-in keeps beside it
    (the reply keyboard, under keys starting with _)."""
    return {k: v for k, v in message.items() if not k.startswith("_")}


class Chats:
    def __init__(self, me: dict, keep: bool) -> None:
        self.me = me
        self.keep = keep  # off for a benchmark's hundred thousand answers
        self.history: dict[int, list[dict]] = {}
        self.toasts: dict[int, list[dict]] = {}
        self.files: dict[str, StoredFile] = {}
        self.answered: dict[str, str] = {}  # a button's query: the toast it was answered with
        self.query_chat: dict[str, int] = {}
        # The command menus set: (scope, chat or 0, two-letter language or "") -> commands.
        self.commands: dict[tuple[str, int, str], list[dict]] = {}
        self.message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)

    def remember_sent(self, update: dict) -> None:
        """What a person sent: in their chat; a tap: where its toast will show."""
        if not self.keep:
            return
        if message := update.get("message"):
            self.history.setdefault(int(message["chat"]["id"]), []).append(message)
        elif query := update.get("callback_query"):
            chat = (query.get("message") or {}).get("chat") or query["from"]
            self.query_chat[str(query["id"])] = int(chat["id"])

    def menu(self, chat_id: int, language_code: str) -> list[dict]:
        """The command menu a client shows in this chat, as Telegram picks it: the chat's own,
        then private chats', then the default; each in the person's language first."""
        language = language_code[:2].lower()
        for scope, chat in (("chat", chat_id), ("all_private_chats", 0), ("default", 0)):
            for code in (language, ""):
                if (scope, chat, code) in self.commands:
                    return self.commands[(scope, chat, code)]
        return []

    def answer(self, method: str, params: dict, files: dict[str, StoredFile]) -> Any:
        if method in ("setMyCommands", "deleteMyCommands"):
            scope = params.get("scope") or {"type": "default"}
            key = (scope["type"], int(scope.get("chat_id") or 0),
                   params.get("language_code") or "")
            self.commands[key] = params.get("commands") or [] if method == "setMyCommands" \
                else []
            return True
        if method == "sendMessage":
            return self._send(params, **_formatted(params, "text"))
        if method == "sendPhoto":
            return self._send(params, photo=self._photo(params["photo"], files),
                              **_caption(params))
        if method == "sendDocument":
            return self._send(params, document=self._document(params["document"], files),
                              **_caption(params))
        if method == "sendVoice":
            voice = self._file(params["voice"], files, "voice.ogg", "audio/ogg")
            return self._send(params, voice={"file_id": voice, "file_unique_id": voice,
                                             "duration": 1, "mime_type": "audio/ogg"})
        if method == "sendMediaGroup":
            return self._album(params, files)
        if method in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            return self._edit(method, params)
        if method == "deleteMessage":
            found = self._find(params)
            self.history[int(params["chat_id"])].remove(found)
            return True
        if method == "answerCallbackQuery":
            query = str(params.get("callback_query_id"))
            self.answered[query] = params.get("text") or ""
            if (chat := self.query_chat.get(query)) is not None and params.get("text"):
                self.toasts.setdefault(chat, []).append(
                    {"text": params["text"], "alert": bool(params.get("show_alert")),
                     "at": time.time()})
            return True
        if method == "getFile":
            stored = self.files.get(str(params.get("file_id")))
            if stored is None:
                raise ApiError(400, "Bad Request: invalid file_id")
            return {"file_id": params["file_id"], "file_unique_id": params["file_id"],
                    "file_size": len(stored.data), "file_path": params["file_id"]}
        return NOT_A_CHAT_METHOD

    def _send(self, params: dict, **content) -> dict:
        markup = params.get("reply_markup") or {}
        message = self._message(params, **content)
        if "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._remember(message, markup)
        return message

    def _message(self, params: dict, **content) -> dict:
        return {"message_id": next(self.message_ids), "date": int(time.time()),
                "from": self.me, "chat": {"id": int(params["chat_id"]), "type": "private"},
                **content}

    def _remember(self, message: dict, markup: dict) -> None:
        """In the chat's history; a reply keyboard (or its removal) is kept beside the message,
        where a client keeps it, not in what the bot is answered."""
        if not self.keep:
            return
        kept = dict(message)
        if "keyboard" in markup or "remove_keyboard" in markup:
            kept["_keyboard"] = markup
        self.history.setdefault(message["chat"]["id"], []).append(kept)

    def _album(self, params: dict, files: dict[str, StoredFile]) -> list[dict]:
        group = f"album{next(self._file_ids)}"
        sent = []
        for item in params.get("media") or []:
            content: dict[str, Any] = (
                {"document": self._document(item["media"], files)}
                if item.get("type") == "document"
                else {"photo": self._photo(item["media"], files)})
            message = self._message(params, media_group_id=group, **content,
                                    **_caption(item))
            self._remember(message, {})
            sent.append(message)
        return sent

    def _edit(self, method: str, params: dict) -> dict:
        found = self._find(params)
        if method == "editMessageText":
            found.pop("entities", None)
            found.update(_formatted(params, "text"))
        if method == "editMessageCaption":
            found.pop("caption_entities", None)
            found.update(_formatted({**params, "caption": params.get("caption") or ""},
                                    "caption"))
        markup = params.get("reply_markup") or {}
        if "inline_keyboard" in markup:
            found["reply_markup"] = markup
        else:  # an edit without a keyboard takes the old one away, as on Telegram
            found.pop("reply_markup", None)
        if method != "editMessageReplyMarkup":  # a client marks only a changed text edited
            found["edit_date"] = int(time.time())
        return as_sent(found)

    def _find(self, params: dict) -> dict:
        for message in self.history.get(int(params.get("chat_id") or 0), []):
            if message["message_id"] == int(params.get("message_id") or 0) and \
                    message["from"].get("is_bot"):
                return message
        if not self.keep:
            return {"message_id": params.get("message_id"), "from": self.me,
                    "chat": {"id": params.get("chat_id"), "type": "private"}, "date": 0}
        raise ApiError(400, "Bad Request: message to edit not found")

    def _photo(self, given: str, files: dict[str, StoredFile]) -> list[dict]:
        file_id = self._file(given, files, "photo.jpg", "image/jpeg")
        size = len(self.files[file_id].data) if file_id in self.files else 0
        return [{"file_id": file_id, "file_unique_id": file_id, "width": 800, "height": 600,
                 "file_size": size}]

    def _document(self, given: str, files: dict[str, StoredFile]) -> dict:
        file_id = self._file(given, files, "document", "application/octet-stream")
        stored = self.files.get(file_id)
        return {"file_id": file_id, "file_unique_id": file_id,
                "file_name": stored.name if stored else file_id,
                "mime_type": stored.mime if stored else "application/octet-stream"}

    def _file(self, given: str, files: dict[str, StoredFile], name: str, mime: str) -> str:
        """An upload gets a new file id; a file id is sent again as it is (one the stand-in
        never saw, as the tests' made-up ones, is kept without content)."""
        if isinstance(given, str) and given.startswith("attach://"):
            upload = files[given.removeprefix("attach://")]
            return self.store(upload.data, upload.name or name, upload.mime or mime)
        return str(given)

    def store(self, data: bytes, name: str, mime: str) -> str:
        file_id = f"file{next(self._file_ids)}-{len(data)}"
        if self.keep:
            self.files[file_id] = StoredFile(data, name, mime)
        return file_id


def _caption(params: dict) -> dict:
    return _formatted(params, "caption") if params.get("caption") else {}


def _formatted(params: dict, field: str) -> dict:
    """The text (or caption) as Telegram keeps it: with HTML, plain text and its entities."""
    text = params[field]
    if str(params.get("parse_mode", "")).upper() != "HTML":
        given = params.get("entities" if field == "text" else "caption_entities")
        return {field: text, **({_entities(field): given} if given else {})}
    plain, entities = from_html(text)
    return {field: plain, **({_entities(field): entities} if entities else {})}


def _entities(field: str) -> str:
    return "entities" if field == "text" else "caption_entities"


