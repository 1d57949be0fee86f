"""A Telegram update as the flows read it: a turn."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import Chat, Message, Update
from telegram.warnings import PTBDeprecationWarning

from handlers.channels.turns import Channel, Contact, Turn, Voice
from storage import accounts


def turn_of(update: Update, channel: Channel, args: list[str] | None = None) -> Turn | None:
    """None for an update from nobody or from no chat (a channel post, a poll's answer)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    turn = Turn(channel, update.update_id, accounts.telegram(user.id), chat.id,
                private=chat.type == Chat.PRIVATE, language=user.language_code,
                first_name=user.first_name, last_name=user.last_name, args=args or [])
    query = update.callback_query
    if query is not None:
        turn.token, turn.tap = query.data, query
        if query.message is not None:
            turn.card = query.message.message_id
        return turn
    message = update.effective_message
    if message is not None:
        _read(turn, message)
    return turn


def _read(turn: Turn, message: Message) -> None:
    turn.text, turn.caption, turn.album = message.text, message.caption, message.media_group_id
    if turn.text and turn.text.startswith("/"):
        turn.command = turn.text[1:].split(maxsplit=1)[0].split("@")[0].lower()
    if message.photo:
        turn.photos = (message.photo[-1].file_id,)  # the largest size
    if message.document is not None:
        turn.document = message.document.file_id
    if message.contact is not None:
        c = message.contact
        turn.contact = Contact(c.phone_number, c.first_name, c.last_name,
                               str(c.user_id) if c.user_id else None)
    if message.location is not None:
        turn.location = (message.location.latitude, message.location.longitude)
    turn.voice = _voice(message)


def _voice(message: Message) -> Voice | None:
    """A voice note, an audio file or a round video note; None if the message has none."""
    for kind in ("voice", "audio", "video_note"):
        media = getattr(message, kind)
        if media is not None:
            with warnings.catch_warnings():  # PTB 22 moves durations to timedelta
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                length = media.duration
            seconds = length.total_seconds() if isinstance(length, timedelta) else length or 0
            return Voice(kind, media.file_id, int(seconds))
    return None
