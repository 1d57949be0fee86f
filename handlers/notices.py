"""Delivering the outbox: each stored message is rendered in its recipient's language at
the time of sending, sent, then marked sent. Failures are retried with back-off; a person
who blocked the bot is not retried."""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import timedelta

from telegram import Bot, InputMediaPhoto
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from handlers import cards
from handlers.actions import desk_buttons, task_buttons
from handlers.common import Context, Desk, keyboard
from handlers.i18n import Tr
from storage.records import OutboxMessage
from workflow import delivery, views

log = logging.getLogger(__name__)


def kick(context: Context) -> None:
    """Deliver soon, without making the person who acted wait for it."""
    d: Desk = context.application.bot_data["desk"]
    if d.deliver_at_once:
        context.application.create_task(deliver_due(context.application), name="outbox")


async def deliver_due(application) -> int:
    """Sends what is due; one sender at a time. Returns how many were sent."""
    d: Desk = application.bot_data["desk"]
    lock: asyncio.Lock = application.bot_data.setdefault("outbox_lock", asyncio.Lock())
    count = 0
    async with lock:
        for message in await delivery.due(d.db, d.now()):
            try:
                await _send(application.bot, d, message)
            except Forbidden as exc:
                await delivery.failed(d.db, message, d.now(), f"unreachable: {exc}")
            except RetryAfter as exc:
                await delivery.retry(d.db, message, d.now(), str(exc), _retry_after(exc))
            except BadRequest as exc:
                log.error("outbox %s (%s) refused by Telegram: %s", message.id, message.kind, exc)
                await delivery.failed(d.db, message, d.now(), str(exc))
            except NetworkError as exc:
                await delivery.retry(d.db, message, d.now(), str(exc))
            else:
                await delivery.sent(d.db, message, d.now())
                count += 1
    return count


def _retry_after(exc: RetryAfter) -> timedelta:
    """Seconds in PTB 22, a timedelta in later versions."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        after = exc.retry_after
    return after if isinstance(after, timedelta) else timedelta(seconds=after)


async def _photos(bot: Bot, chat_id: int, file_ids: list[str]) -> None:
    if len(file_ids) == 1:
        await bot.send_photo(chat_id, file_ids[0])
    elif file_ids:
        await bot.send_media_group(chat_id, [InputMediaPhoto(f) for f in file_ids])


async def _send(bot: Bot, d: Desk, message: OutboxMessage) -> None:
    recipient = await views.person(d.db, message.recipient_id)
    if recipient is None:
        raise BadRequest("recipient unknown")
    tr = d.tr(recipient.language)
    chat = message.recipient_id
    if message.ticket_id is None:
        await _send_plain(bot, d, tr, chat, message)
        return
    file = await views.ticket_file(d.db, message.ticket_id, None)
    ref = file.ticket.ref
    kind = message.kind
    if kind == "dispatch":
        await _photos(bot, chat, file.report_photos)
        await bot.send_message(chat, tr("New repair report") + "\n" + cards.summary(
            tr, d.settings, file, staff=True),
            reply_markup=keyboard(desk_buttons(tr, file, recipient.role)))
    elif kind in ("task_assigned", "task_reopened"):
        head = tr("New task for you") if kind == "task_assigned" else tr(
            "Reopened: the resident says it is not fixed: {reason}",
            reason=message.payload.get("reason", ""))
        await _photos(bot, chat, file.report_photos)
        await bot.send_message(chat, head + "\n" + cards.summary(tr, d.settings, file, staff=True),
                               reply_markup=keyboard(task_buttons(tr, file)))
    elif kind == "resident_assigned":
        await bot.send_message(chat, tr(
            "{ref}: {name} will take care of your repair. Preferred visit: {visit}. "
            "Deadline: {deadline}.", ref=ref, name=cards.holder(tr, file),
            visit=cards.visit(tr, file.ticket.visit_date, file.ticket.visit_slot),
            deadline=tr.datetime(file.ticket.deadline_at)))
    elif kind == "resident_en_route":
        await bot.send_message(chat, tr("{ref}: the technician is on the way.", ref=ref))
    elif kind == "resident_arrived":
        await bot.send_message(chat, tr("{ref}: the technician has arrived.", ref=ref))
    elif kind == "signoff_request":
        await _photos(bot, chat, file.after_photos)
        await bot.send_message(chat, tr(
            "{ref} is reported as repaired: {note}\nIs it fixed? Without an answer within "
            "{days} days it will be confirmed automatically.", ref=ref,
            note=file.ticket.work_note or "", days=d.settings.auto_confirm_days),
            reply_markup=keyboard([[(tr("Confirm, it is fixed"), f"s:ok:{file.ticket.id}"),
                                    (tr("Not fixed"), f"s:no:{file.ticket.id}")]]))
    elif kind == "task_confirmed":
        await bot.send_message(chat, tr("{ref}: the resident confirmed the repair. Thank you.",
                                        ref=ref))
    elif kind == "auto_confirmed":
        await bot.send_message(chat, tr(
            "{ref} was confirmed automatically, as we had no answer. If something is still "
            "wrong, please report it again with /repair.", ref=ref))
    else:
        raise BadRequest(f"unknown notice {kind}")


async def _send_plain(bot: Bot, d: Desk, tr: Tr, chat: int, message: OutboxMessage) -> None:
    payload = message.payload
    if message.kind == "join_request":
        request, person = await views.join_request(d.db, payload["request_id"])
        await bot.send_message(chat, tr(
            "Please confirm a resident: {name}, phone {phone}, says they live in {unit}.",
            name=person.name, phone=request.phone, unit=request.claimed_unit),
            reply_markup=keyboard([[(tr("Approve"), f"o:join:a:{request.id}"),
                                    (tr("Reject"), f"o:join:r:{request.id}")]]))
    elif message.kind == "join_approved":
        await bot.send_message(chat, tr("Your unit {unit} is confirmed. You can now report "
                                        "repairs with /repair.", unit=payload["unit"]))
    elif message.kind == "join_rejected":
        await bot.send_message(chat, tr("We could not confirm unit {unit}. Please contact the "
                                        "management office.", unit=payload["unit"]))
    else:
        raise BadRequest(f"unknown notice {message.kind}")
