"""Announcements sent at Telegram's pace: a second's worth at a time, after the desk's
answers and alerts, one a second to a chat, with a progress line to the author and a report
at the end (the flow that writes them: handlers/community/announcements.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import cast

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from handlers.channels.telegram import pacing
from handlers.channels.telegram.context import TelegramContext
from handlers.channels.telegram.sending import Unparsed
from handlers.common import MAX_CAPTION, MAX_MESSAGE, fit
from handlers.community.announcements import header
from handlers.i18n import Tr
from storage import accounts
from workflow import views
from workflow.community import announcements

log = logging.getLogger(__name__)
PER_SECOND = 15  # without the desk's limiter (tests): a steady pace under Telegram's 30


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


async def pump_job(context: TelegramContext) -> None:
    # a broadcast's sends are not parsed into Message objects: nobody reads them
    await pump(cast(Bot, Unparsed(context.bot)), context.application.bot_data.desk,
               spacing=0.8 / pacing.BROADCAST_MAX)
