"""Sending without reading Telegram's echo. PTB turns every answer to a send into a
`Message` (the keyboard just sent included), which the desk mostly never reads: that parsing
cost a fifth of a write update's CPU. Here a send goes through `Bot.do_api_request`, the same
request (rate limiter, errors, time-outs) with the answer left as Telegram's JSON."""

from __future__ import annotations

import functools
import warnings
from typing import Any

from telegram import Bot, TelegramObject
from telegram.warnings import PTBUserWarning

# do_api_request warns when the method has a PTB wrapper: here skipping it is the point.
_WRAPPED = r"Please use 'Bot\.(send_|edit_message_reply_markup)"
warnings.filterwarnings("ignore", message=_WRAPPED, category=PTBUserWarning)

# The second positional argument of each send the desk makes, by its Bot API field.
_CONTENT = {"send_message": "text", "send_photo": "photo", "send_voice": "voice",
            "send_audio": "audio", "send_video_note": "video_note",
            "send_document": "document", "send_media_group": "media"}
# What goes as it is: a file to upload (bytes, a path, an open file, a file name) still takes
# PTB's own way, which prepares it.
_PLAIN = (str, int, float, bool, list, tuple, TelegramObject)


async def send(bot: Bot, method: str, chat_id: int, content: Any, *,
               read_timeout: float | None = None, **fields: Any) -> Any:
    """`bot.<method>(chat_id, content, **fields)` whose answer is Telegram's JSON: for a
    message a dict ("message_id", ...), for an album a list of them. `read_timeout`: seconds
    to wait for the answer (None: the request's own)."""
    if not isinstance(content, _PLAIN) or "filename" in fields or \
            not all(isinstance(v, _PLAIN) for v in fields.values() if v is not None):
        waits = {} if read_timeout is None else {"read_timeout": read_timeout}
        sent = await getattr(bot, method)(chat_id, content, **waits, **fields)
        return [m.to_dict() for m in sent] if isinstance(sent, tuple) else sent.to_dict()
    data = {"chat_id": chat_id, _CONTENT[method]: content}
    data.update((k, v) for k, v in fields.items() if v is not None)
    if read_timeout is None:
        return await bot.do_api_request(method, data)
    return await bot.do_api_request(method, data, read_timeout=read_timeout)


async def edit_buttons(bot: Bot, chat_id: int, message_id: int,
                       markup: TelegramObject | None = None) -> None:
    """A message's buttons replaced (None: removed); Telegram's echo of it is not read."""
    data: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id}
    if markup is not None:
        data["reply_markup"] = markup
    await bot.do_api_request("edit_message_reply_markup", data)


class Unparsed:
    """The bot as a renderer sees it: its sends answer Telegram's JSON (nobody reads the
    `Message`), waiting `read_timeout` seconds for the answer; the rest is the bot's own."""

    def __init__(self, bot: Bot, read_timeout: float | None = None) -> None:
        self._bot, self._read_timeout = bot, read_timeout

    def __getattr__(self, name: str):
        if name in _CONTENT:
            async def sent(chat_id: int, content: Any, **fields: Any) -> Any:
                return await send(self._bot, name, chat_id, content,
                                  read_timeout=self._read_timeout, **fields)
            return sent
        found = getattr(self._bot, name)
        if name.startswith("send") and callable(found) and self._read_timeout is not None:
            return functools.partial(found, read_timeout=self._read_timeout)
        return found
