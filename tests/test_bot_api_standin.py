"""The Bot API stand-in as a Telegram client sees it: python-telegram-bot's own Bot, over real
HTTP, sends what the desk sends, and the chat's history looks as a phone would show it."""

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto
from telegram.error import BadRequest

from sandbox.bot_api import BotApiStandIn
from sandbox.phones import Persona, Phone
from sandbox.seed import picture

pytestmark = pytest.mark.sqlite_only  # no database at all
CHAT = 4242


async def test_what_the_bot_sends_is_kept_as_a_phone_shows_it():
    with BotApiStandIn() as api:
        async with Bot("1:T", base_url=f"{api.url}/bot",
                       base_file_url=f"{api.url}/file/bot") as bot:
            # HTML as Telegram applies it: the plain text and its entities (UTF-16 units).
            sent = await bot.send_message(CHAT, "<b>R-2026-00001</b> 已派工 😀 <i>today</i>",
                                          parse_mode="HTML")
            assert sent.text == "R-2026-00001 已派工 😀 today"
            [bold, italic] = api.messages(CHAT)[-1]["entities"]
            assert (bold["type"], bold["offset"], bold["length"]) == ("bold", 0, 12)
            assert (italic["type"], italic["offset"], italic["length"]) == ("italic", 20, 5)

            # A photo uploaded, then downloaded back by its file id, as the desk does.
            photo = picture("#2a9d8f", "after")
            sent = await bot.send_photo(CHAT, photo, caption="after")
            got = await (await bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()
            assert bytes(got) == photo
            album = await bot.send_media_group(CHAT, [InputMediaPhoto(photo),
                                                      InputMediaPhoto(sent.photo[-1].file_id)])
            assert len({m.media_group_id for m in album}) == 1
            document = await bot.send_document(CHAT, b"PK\x03\x04", filename="ledger.xlsx")
            assert document.document.file_name == "ledger.xlsx"

            # Edits: a changed text is marked edited, a changed keyboard is not.
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Accept", callback_data="a")]])
            card = await bot.send_message(CHAT, "New job", reply_markup=keyboard)
            await bot.edit_message_reply_markup(CHAT, card.message_id, reply_markup=None)
            shown = next(m for m in api.messages(CHAT) if m["message_id"] == card.message_id)
            assert "reply_markup" not in shown and "edit_date" not in shown
            await bot.edit_message_text("Taken", CHAT, card.message_id)
            shown = next(m for m in api.messages(CHAT) if m["message_id"] == card.message_id)
            assert shown["text"] == "Taken" and "edit_date" in shown

            # What Telegram refuses, the stand-in refuses.
            with pytest.raises(BadRequest):
                await bot.edit_message_text("x", CHAT, 999_999)
            with pytest.raises(BadRequest):
                await bot.get_file("no-such-file")


async def test_a_tap_is_answered_with_a_toast_in_the_chat_of_the_tap():
    with BotApiStandIn() as api:
        async with Bot("1:T", base_url=f"{api.url}/bot") as bot:
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Accept", callback_data="a")]])
            card = await bot.send_message(CHAT, "New job", reply_markup=keyboard)
            phone = Phone(api, Persona(CHAT, "Unit", "contractor", "en"))
            with pytest.raises(Exception, match="no button 'b'"):
                phone.tap(card.message_id, "b")  # a client cannot tap what is not there
            phone.tap(card.message_id, "a")
            [update] = await bot.get_updates(offset=1, timeout=1)
            await update.callback_query.answer("Someone else took it", show_alert=True)
            assert api.toasts[CHAT][-1]["text"] == "Someone else took it"
            assert api.toasts[CHAT][-1]["alert"] is True
