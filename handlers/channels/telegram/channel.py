"""Content as Telegram shows it: a text with an inline keyboard, the contact button of a
reply keyboard, edits of sent messages, photos and files, a tapped button's alert. A file the
desk keeps itself (`media:<n>`: what a person sent on LINE) is uploaded from the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
)
from telegram.error import BadRequest, NetworkError, RetryAfter

from handlers.channels.content import Ask, Asking, Choices, Limits
from handlers.channels.outcomes import Fault
from handlers.channels.telegram import faults, keyboards, menus, sending
from handlers.channels.telegram.sending import Unparsed
from handlers.channels.turns import Channel, Turn, Voice
from storage.channels import media
from storage.db import Database

# Telegram's limits: a message's and a caption's length in UTF-16 units; an inline keyboard
# takes 100 buttons.
LIMITS = Limits(choices=100, edits=True, text=4096, caption=1024, free_replies=True)


def markup(choices: Choices | None, asking: Asking | None = None) -> TelegramObject | None:
    """The inline keyboard of the choices. A contact or a place asked for is the reply
    keyboard's button instead (Telegram has one for each); a photo or a time asked for has
    no button on Telegram: the text asks, the choices stay."""
    if asking is not None and asking.what in (Ask.CONTACT, Ask.LOCATION):
        button = KeyboardButton(asking.label, request_contact=asking.what is Ask.CONTACT,
                                request_location=asking.what is Ask.LOCATION)
        return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    if asking is not None and asking.what is None:
        return ReplyKeyboardRemove()
    return keyboards.built(choices.rows) if choices else None


class TelegramChannel(Channel):
    name = "telegram"
    limits = LIMITS

    def __init__(self, bot: Bot, read_timeout: float | None = None,
                 db: Database | None = None) -> None:
        """`read_timeout`: seconds to wait for Telegram's answer to a send (None: the
        request's own); `db`: where the files the desk keeps itself are."""
        self.bot = bot
        self.read_timeout = read_timeout
        self.db = db
        self.sender = Unparsed(bot, read_timeout)  # sends whose echo nobody reads

    @classmethod
    def for_outbox(cls, bot: Bot, db: Database | None = None) -> TelegramChannel:
        """The outbox's: it waits long enough for an answer to read a late error in it."""
        return cls(bot, faults.PATIENCE, db)

    async def _kept(self, ref: Any) -> media.Kept | None:
        """The desk's own file of a `media:` ref (None: Telegram's file id, or bytes)."""
        number = media.id_of(ref) if isinstance(ref, str) else None
        if number is None or self.db is None:
            return None
        async with self.db.reading() as conn:
            found = await media.get(conn, number)
        if found is None:
            raise FileNotFoundError(f"{ref}: no longer kept")
        return found

    async def _upload(self, ref: Any) -> Any:
        kept = await self._kept(ref)
        return kept.data if kept is not None else ref

    async def send(self, address: Any, text: str, choices: Choices | None = None,
                   asking: Asking | None = None) -> Any:
        sent = await self.sender.send_message(address, text,
                                              reply_markup=markup(choices, asking))
        return sent["message_id"]

    async def edit(self, address: Any, ref: Any, text: str, choices: Choices | None) -> bool:
        try:
            await self.bot.edit_message_text(
                text, address, ref, reply_markup=keyboards.built(choices.rows) if choices else None)
        except BadRequest:
            return False
        return True

    async def set_choices(self, turn: Turn, choices: Choices | None) -> None:
        if turn.card is None:
            return
        try:
            await sending.edit_buttons(self.bot, turn.address, turn.card,
                                       markup(choices) if choices else None)
        except BadRequest:
            pass  # already so (a double tap), or too old to change

    async def toast(self, turn: Turn, text: str) -> None:
        if turn.tap is not None:
            await turn.tap.answer(text, show_alert=True)

    async def done(self, turn: Turn) -> None:
        if turn.tap is not None:
            await sending.stop_spinner(self.bot, turn.tap.id)

    async def send_photos(self, address: Any, photos: list[Any],
                          caption: str | None = None) -> None:
        photos = [await self._upload(p) for p in photos[:10]]
        if len(photos) > 1 and any(isinstance(p, bytes) for p in photos):  # PTB uploads them
            await self.bot.send_media_group(address, [
                InputMediaPhoto(photo, caption=caption if i == 0 else None)
                for i, photo in enumerate(photos)], read_timeout=self.read_timeout)
        elif len(photos) == 1:
            await self.sender.send_photo(address, photos[0], caption=caption)
        elif photos:  # an album takes ten
            await self.sender.send_media_group(address, [
                InputMediaPhoto(photo, caption=caption if i == 0 else None)
                for i, photo in enumerate(photos[:10])])

    async def send_document(self, address: Any, document: Any, filename: str | None = None,
                            caption: str | None = None, choices: Choices | None = None) -> None:
        kept = await self._kept(document)
        if kept is not None:
            document, filename = kept.data, filename or kept.name or "file"
        await self.sender.send_document(address, document, filename=filename, caption=caption,
                                        reply_markup=markup(choices))

    async def send_recording(self, address: Any, recording: Voice,
                             caption: str | None = None) -> None:
        kept = await self._kept(recording.ref)
        if kept is not None:  # LINE's voice notes are m4a: Telegram plays them as audio
            await self.sender.send_audio(address, kept.data, caption=caption,
                                         filename=kept.name or "voice.m4a")
        elif recording.kind == "audio":
            await self.sender.send_audio(address, recording.ref, caption=caption)
        elif recording.kind == "video_note":  # a round video takes no caption
            await self.sender.send_video_note(address, recording.ref)
        else:
            await self.sender.send_voice(address, recording.ref, caption=caption)

    async def send_stored(self, address: Any, text: str, markup: dict) -> None:
        await self.sender.send_message(address, text, reply_markup=_stored_markup(markup))

    def classify(self, exc: BaseException) -> Fault | None:
        return faults.classify(exc, self.read_timeout)

    async def fetch(self, ref: str) -> bytes:
        kept = await self._kept(ref)
        if kept is not None:
            return kept.data
        return bytes(await (await self.bot.get_file(ref)).download_as_bytearray())

    async def set_menu(self, address: Any, tr: Any, role: str | None,
                       lives_here: bool = False) -> None:
        await menus.set_for_chat(self.bot, address, tr, role, lives_here)

    def address_of(self, external_id: str) -> Any:
        return int(external_id)  # a private chat's id is its person's user id

    def passing(self, exc: BaseException) -> bool:
        return isinstance(exc, (NetworkError, RetryAfter)) and faults.passing(exc)

    def wait_for(self, exc: BaseException) -> timedelta | None:
        return faults.retry_after(exc) if isinstance(exc, RetryAfter) else None

    def failing(self, exc: BaseException) -> bool:
        return isinstance(exc, (NetworkError, RetryAfter))


def _stored_markup(data: dict
                   ) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """Buttons stored as Telegram's (to_dict), by an earlier version."""
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.de_json(data, None)
    if "keyboard" in data:
        return ReplyKeyboardMarkup.de_json(data, None)
    return ReplyKeyboardRemove.de_json(data, None)
