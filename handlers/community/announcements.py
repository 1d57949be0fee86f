"""Announcements in the chat: /announce writes one (text, or a photo or a document with its
caption), picks who receives it, shows it as it will arrive, and sends it now, at a time,
or every year; the pump sends it at Telegram's pace, after alerts and answers, with a
progress line to the author and a report at the end."""

from __future__ import annotations

import asyncio
import logging
from typing import cast

from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import CommandHandler

from handlers import pacing
from handlers.buttons import Buttons
from handlers.common import (
    MAX_CAPTION,
    MAX_MESSAGE,
    PRIVATE,
    Asker,
    Context,
    answer,
    button_data,
    clear_buttons,
    confirm_button,
    confirmed_draft,
    fit,
    handles,
    keyboard,
    kick,
    main_menu,
    message_of,
    utf16_len,
)
from handlers.i18n import Tr
from handlers.sending import Unparsed
from storage import accounts
from storage.records import Draft
from workflow import dates, views
from workflow.community import announcements
from workflow.tickets import Refusal

log = logging.getLogger(__name__)
PER_SECOND = 15  # without the desk's limiter (tests): a steady pace under Telegram's 30
AUDIENCES = ("all", "owners")


def header(tr: Tr, estate: str) -> str:
    return tr("Announcement from {estate}", estate=estate)


async def send_to(bot: Bot, chat: int, tr: Tr, estate: str, text: str, photo: str | None,
                  document: str | None) -> None:
    """Cut as Telegram counts (UTF-16 code units: an emoji is two), never inside an emoji."""
    body = f"{header(tr, estate)}\n\n{text}"
    if photo:
        await bot.send_photo(chat, photo, caption=fit(body, MAX_CAPTION))
    elif document:
        await bot.send_document(chat, document, caption=fit(body, MAX_CAPTION))
    else:
        await bot.send_message(chat, fit(body, MAX_MESSAGE))


@handles("announcements.write")
async def begin(update: Update, context: Context, who: Asker) -> None:
    d = context.desk
    await views.start_draft(d.db, announcements.start(who.user_id), d.now())
    await answer(update, who.tr("Send the announcement: a text, or a photo or a document with "
                                "its text as the caption."),
                 keyboard([[(who.tr("Cancel"), "r:x")]]))


async def _ask_audience(update: Update, who: Asker) -> None:
    tr = who.tr
    await answer(update, tr("Who receives it?"), keyboard([
        [(tr("Everyone"), "an:a:all"), (tr("Owners only"), "an:a:owners")],
        [(tr("A building"), "an:b"), (tr("A floor"), "an:f")], [(tr("Cancel"), "r:x")]]))


async def _preview(update: Update, context: Context, who: Asker, data: dict) -> None:
    tr, d = who.tr, context.desk
    chat = update.effective_chat
    assert chat is not None
    await answer(update, tr("This is how residents will see it:"))
    await send_to(context.bot, chat.id, tr, d.settings.estate_name, data["text"],
                  data.get("photo"), data.get("document"))
    await answer(update, tr("Send it?"), keyboard([
        [(tr("Send now"), confirm_button("an:go", data))], [(tr("At a set time"), "an:at")],
        [(tr("Every year, from a date"), "an:yr")], [(tr("Cancel"), "r:x")]]))


async def on_message(update: Update, context: Context, who: Asker, draft: Draft) -> None:
    """The announcement's content, a floor, or a time (steps of the router)."""
    d, tr, message = context.desk, who.tr, message_of(update)
    if draft.step == "content":
        photo = message.photo[-1].file_id if message.photo else None
        document = message.document.file_id if message.document else None
        text = (message.text or message.caption or "").strip()
        if not text or utf16_len(text) > announcements.MAX_TEXT:
            await answer(update, tr("Please send the announcement's text (with a photo or a "
                                    "document if you like), up to {n} characters.",
                                    n=announcements.MAX_TEXT))
            return
        await views.advance_draft(d.db, who.user_id, announcements.FLOW, "content", "audience",
                                  d.now(), text=text, photo=photo, document=document)
        await _ask_audience(update, who)
    elif draft.step == "floor":
        parts = (message.text or "").upper().split()
        if len(parts) != 2:
            await answer(update, tr("Please write the building and the floor, for example: "
                                    "A 12F"))
            return
        moved = await views.advance_draft(d.db, who.user_id, announcements.FLOW, "floor",
                                          "preview", d.now(),
                                          audience=f"floor:{parts[0]}:{parts[1]}")
        await _preview(update, context, who, moved.data)
    elif draft.step == "time":
        try:
            when = dates.moment(message.text or "", d.settings.tz)
        except ValueError:
            await answer(update, tr("Please write the day and time, for example: "
                                    "2026-12-01 09:00"))
            return
        await views.advance_draft(d.db, who.user_id, announcements.FLOW, "time", "preview",
                                  d.now())
        found = await announcements.create(d.db, who.user_id, when, draft.data.get("yearly",
                                                                                  False),
                                           d.now())
        kick(context)
        await answer(update, tr("Scheduled for {time}.", time=tr.datetime(found.send_at)),
                     main_menu(who))
    else:
        await answer(update, tr("Please use the buttons above, or /cancel to stop."))


@handles("announcements.write")
async def on_button(update: Update, context: Context, who: Asker) -> None:
    action, *args = button_data(update).split(":")[1:]
    d, tr = context.desk, who.tr
    if action == "go":  # before the draft: a second tap finds what it became
        await clear_buttons(update)
        await _send_now(update, context, who)
        return
    draft = await views.draft(d.db, who.user_id, d.now())
    if draft is None or draft.flow != announcements.FLOW:
        raise Refusal(Refusal.STALE)
    await clear_buttons(update)
    if action == "a" and draft.step == "audience":
        audience = ":".join(args)
        if not announcements.audience_ok(audience):
            raise Refusal(Refusal.INVALID)
        moved = await views.advance_draft(d.db, who.user_id, announcements.FLOW, "audience",
                                          "preview", d.now(), audience=audience)
        await _preview(update, context, who, moved.data)
    elif action == "b" and draft.step == "audience":
        buildings = sorted({u.building for u in await views.all_units(d.db)})
        await answer(update, tr("Which building?"), keyboard(
            [[(b, f"an:a:building:{b}")] for b in buildings] + [[(tr("Cancel"), "r:x")]]))
    elif action == "f" and draft.step == "audience":
        await views.advance_draft(d.db, who.user_id, announcements.FLOW, "audience", "floor",
                                  d.now())
        await answer(update, tr("Which floor? Write the building and the floor, for "
                                "example: A 12F"))
    elif action in ("at", "yr") and draft.step == "preview":
        await views.advance_draft(d.db, who.user_id, announcements.FLOW, "preview", "time",
                                  d.now(), yearly=action == "yr")
        await answer(update, tr("When? Write the day and time, for example: "
                                "2026-12-01 09:00"))
    else:
        raise Refusal(Refusal.STALE)


async def _send_now(update: Update, context: Context, who: Asker) -> None:
    """The previewed announcement goes now; the same tap again (a double tap, a redelivery
    after a crash) is told the same announcement's number."""
    d = context.desk
    found = await announcements.create(d.db, who.user_id, d.now(), False, d.now(),
                                       confirmed_draft(update))
    kick(context)
    chat = update.effective_chat
    assert chat is not None  # handles() answers only updates with a chat
    message = await context.bot.send_message(chat.id, who.tr(
        "Sending announcement {id}: starting.", id=found.id))
    await announcements.remember_progress_message(d.db, found.id, message.message_id)


async def pump(bot: Bot, d, spacing: float = 0.0) -> int:
    """A second's worth of an announcement's deliveries (called by the JobQueue every
    second, `spacing` apart so as not to burst): as many as the desk's answers and alerts
    leave free, skipping people just written to; returns how many were tried."""
    found_limiter = getattr(bot, "rate_limiter", None)
    limiter = found_limiter if isinstance(found_limiter, pacing.DeskRateLimiter) else None
    batch = await announcements.next_batch(d.db, d.now(),
                                           pacing.BROADCAST_MAX if limiter else PER_SECOND)
    if batch is None:
        return 0
    found, recipients = batch
    results: dict[int, str] = {}
    token = pacing.broadcasting.set(True)
    until = limiter.clock() + 0.9 if limiter else 0.0
    try:
        for n, (user_id, _) in enumerate(recipients):
            if limiter and not await limiter.room_until(until):  # answers came first
                results.update((later, announcements.PENDING) for later, _ in recipients[n:])
                break
            if limiter and limiter.recently_sent(user_id):
                results[user_id] = announcements.PENDING  # next second: one a second a chat
                continue
            if n and spacing:
                await asyncio.sleep(spacing)
            results[user_id] = await _deliver(bot, d, found, user_id)
            if results[user_id] == announcements.PENDING:  # Telegram said slow down
                results.update((later, announcements.PENDING) for later, _ in recipients[n:])
                break
    finally:
        pacing.broadcasting.reset(token)
    await announcements.delivered(d.db, found.id, results)
    author, author_chat = await views.person_and_chat(d.db, found.author_id)
    tr = d.tr(author.language if author else d.settings.default_language)
    # the author hears of it on the Telegram account they chose (none: not on Telegram)
    chat = int(author_chat.external_id) if author_chat is not None and \
        author_chat.channel == accounts.TELEGRAM else None
    counts = await announcements.progress(d.db, found.id)
    total = sum(counts.values())
    done = total - counts.get(announcements.PENDING, 0)
    if found.progress_message is not None and chat is not None:
        try:
            await bot.edit_message_text(tr("Sending announcement {id}: {done} of {total}.",
                                           id=found.id, done=done, total=total),
                                        chat, found.progress_message)
        except TelegramError:
            pass  # the progress line is a courtesy
    report = await announcements.finish(d.db, found)
    if report is not None:
        counts, units = report
        text = tr("Announcement {id} is sent: {sent} delivered, {blocked} blocked the bot, "
                  "{failed} failed.", id=found.id, sent=counts.get(announcements.SENT, 0),
                  blocked=counts.get(announcements.BLOCKED, 0),
                  failed=counts.get(announcements.FAILED, 0) +
                  counts.get(announcements.SENDING, 0))
        if units:
            text += "\n" + tr("Tell these units another way: {units}", units=tr.join(units))
        if chat is not None:
            await bot.send_message(chat, fit(text))
    return len(recipients)


async def _deliver(bot: Bot, d, found, user_id: int) -> str:
    person, chat = await views.person_and_chat(d.db, user_id)
    tr = d.tr(person.language if person else d.settings.default_language)
    if chat is None or chat.channel != accounts.TELEGRAM:
        return announcements.BLOCKED  # on no chat app: told another way
    try:
        await send_to(bot, int(chat.external_id), tr, d.settings.estate_name, found.text,
                      found.photo, found.document)
        return announcements.SENT
    except (Forbidden, BadRequest):
        return announcements.BLOCKED
    except RetryAfter:
        return announcements.PENDING
    except TelegramError as exc:
        log.warning("announcement %s to %s: %s", found.id, user_id, exc)
        return announcements.FAILED


async def pump_job(context: Context) -> None:
    # a broadcast's sends are not parsed into Message objects: nobody reads them
    await pump(cast(Bot, Unparsed(context.bot)), context.application.bot_data.desk,
               spacing=0.8 / pacing.BROADCAST_MAX)


def register(app) -> None:
    app.add_handler(CommandHandler("announce", begin, filters=PRIVATE))
    app.add_handler(Buttons(on_button, pattern=r"^an:"))
