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

try:
    from telegram._utils.strings import to_camel_case  # how PTB names a method on the wire
except ImportError:  # a PTB that moved it: the wrappers' own names (and their warning)
    to_camel_case = None  # type: ignore[assignment]

# do_api_request warns when the method has a PTB wrapper: here skipping it is the point.
_WRAPPED = r"Please use 'Bot\.(send_|edit_message_reply_markup|answer_callback_query)"
warnings.filterwarnings("ignore", message=_WRAPPED, category=PTBUserWarning)


@functools.cache
def _endpoint(method: str) -> str:
    """The name do_api_request is given for a Bot API method: one that names no attribute
    of the bot ("send_Message"), which PTB still sends as the method ("sendMessage"). With
    the wrapper's own name, PTB raises and filters a warning on every call (1-2% of an
    update's CPU) only to say what the filter above ignores."""
    if to_camel_case is None:
        return method
    first, _, rest = method.partition("_")
    name = f"{first}_{rest[:1].upper()}{rest[1:]}" if rest else method
    if hasattr(Bot, name) or to_camel_case(name) != to_camel_case(method):
        return method  # a PTB whose names work otherwise: its warning is filtered above
    return name

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
    if not isinstance(content, _PLAIN) or fields.get("filename") is not None or \
            not all(isinstance(v, _PLAIN) for v in fields.values() if v is not None):
        waits = {} if read_timeout is None else {"read_timeout": read_timeout}
        sent = await getattr(bot, method)(chat_id, content, **waits, **fields)
        return [m.to_dict() for m in sent] if isinstance(sent, tuple) else sent.to_dict()
    data = {"chat_id": chat_id, _CONTENT[method]: content}
    data.update((k, v) for k, v in fields.items() if v is not None)
    if read_timeout is None:
        return await bot.do_api_request(_endpoint(method), data)
    return await bot.do_api_request(_endpoint(method), data, read_timeout=read_timeout)


async def edit_buttons(bot: Bot, chat_id: int, message_id: int,
                       markup: TelegramObject | None = None) -> None:
    """A message's buttons replaced (None: removed); Telegram's echo of it is not read."""
    data: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id}
    if markup is not None:
        data["reply_markup"] = markup
    await bot.do_api_request(_endpoint("edit_message_reply_markup"), data)


async def stop_spinner(bot: Bot, query_id: str) -> None:
    """A button's tap answered without a notice (`CallbackQuery.answer()`, less PTB)."""
    await bot.do_api_request(_endpoint("answer_callback_query"),
                             {"callback_query_id": query_id})


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
            self.__dict__[name] = sent  # made once: the next send finds it
            return sent
        found = getattr(self._bot, name)
        if name.startswith("send") and callable(found) and self._read_timeout is not None:
            return functools.partial(found, read_timeout=self._read_timeout)
        return found
