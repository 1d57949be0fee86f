"""Delivering the outbox: each stored message is rendered in its recipient's language at
the time of sending, sent, then marked sent. Failures are retried with back-off; a person
who blocked the bot is not retried, and whoever can phone them is told. Recipients are served
side by side, so one slow or failing chat never holds up the others; a message's photos are
remembered once sent, so a retry of its text does not send them twice."""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import timedelta

import httpx
from babel.lists import format_list
from telegram import Bot, InputMediaPhoto
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

from handlers import cards, labels
from handlers import surveys as surveys_ui
from handlers.actions import desk_buttons, task_buttons
from handlers.common import Desk, fit, keyboard, office
from handlers.i18n import N_, Tr
from storage.db import from_db_time
from storage.records import OutboxMessage
from workflow import delivery, roles, sla, views
from workflow.tickets import Kind

log = logging.getLogger(__name__)
MAX_ROUNDS = 5
SURVEY_NOTICES = ("survey", "survey_reminder", "low_rating")


async def deliver_due(application) -> int:
    """Sends what is due, one sender at a time, until nothing more is (a message rerouted
    from someone who blocked the bot goes out in the same round). Returns how many."""
    d: Desk = application.bot_data.desk
    lock = application.bot_data.outbox_lock
    count = 0
    async with lock:
        for _ in range(MAX_ROUNDS):
            batch = await delivery.due(d.db, d.now())
            if not batch:
                break
            chats: dict[int, list[OutboxMessage]] = {}
            for message in batch:
                chats.setdefault(message.recipient_id, []).append(message)
            sent = await asyncio.gather(*(_deliver_chat(application.bot, d, messages)
                                          for messages in chats.values()))
            count += sum(sent)
    return count


async def _deliver_chat(bot: Bot, d: Desk, messages: list[OutboxMessage]) -> int:
    """One recipient's messages in order; after a failure the rest wait for the next round."""
    count = 0
    for message in messages:
        done = await _deliver_one(bot, d, message)
        if not done:
            break
        count += 1
    return count


def unreachable_error(exc: BadRequest) -> bool:
    """Telegram's answers that mean the person has no chat with the bot any more."""
    text = str(exc).lower()
    return any(s in text for s in ("chat not found", "user is deactivated", "peer_id_invalid",
                                   "bot can't initiate conversation"))


async def _deliver_one(bot: Bot, d: Desk, message: OutboxMessage) -> bool:
    try:
        await _send(bot, d, message)
    except Forbidden as exc:
        await delivery.unreachable(d.db, message, d.now(), f"unreachable: {exc}")
    except WithoutTelegram:  # the desk phones them instead
        await delivery.unreachable(d.db, message, d.now(), "does not use Telegram")
        return True
    except RetryAfter as exc:
        await delivery.retry(d.db, message, d.now(), str(exc), retry_after(exc))
    except BadRequest as exc:
        if unreachable_error(exc):
            await delivery.unreachable(d.db, message, d.now(), f"unreachable: {exc}")
            return True  # settled: the others of this chat are tried, and fail alike
        log.error("outbox %s (%s) refused by Telegram: %s", message.id, message.kind, exc)
        await delivery.failed(d.db, message, d.now(), str(exc))
        return True
    except TimedOut as exc:
        if isinstance(exc.__cause__, httpx.ReadTimeout):
            # The request went out whole and Telegram answered too late: it was delivered.
            # Sending it again would show the person the same card twice.
            log.warning("outbox %s (%s): Telegram answered late; taken as delivered",
                        message.id, message.kind)
            await delivery.sent(d.db, message, d.now())
            return True
        await delivery.retry(d.db, message, d.now(), str(exc) or "timed out")
    except NetworkError as exc:
        await delivery.retry(d.db, message, d.now(), str(exc))
    else:
        await delivery.sent(d.db, message, d.now())
        return True
    return False


def retry_after(exc: RetryAfter) -> timedelta:
    """Seconds in PTB 22, a timedelta in later versions."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        after = exc.retry_after
    return after if isinstance(after, timedelta) else timedelta(seconds=after)


async def _photos(bot: Bot, d: Desk, message: OutboxMessage, file_ids: list[str],
                  caption: str = "") -> bool:
    """The message's photos, once: False when Telegram refused them (the text still goes,
    saying so). A message matters more than its pictures."""
    if not file_ids or "photos" in message.progress:
        return True
    chat = message.recipient_id
    caption = caption or None  # the album's first photo names the ticket
    try:
        if len(file_ids) == 1:
            await bot.send_photo(chat, file_ids[0], caption=caption)
        else:
            await bot.send_media_group(chat, [InputMediaPhoto(f, caption=caption if i == 0
                                                              else None)
                                              for i, f in enumerate(file_ids[:10])])
    except BadRequest as exc:
        if unreachable_error(exc):
            raise
        log.warning("outbox %s: photos refused by Telegram: %s", message.id, exc)
        return False
    await delivery.progressed(d.db, message, "photos")
    return True


async def _text(bot: Bot, chat: int, text: str, reply_markup=None) -> None:
    """Cut to what Telegram accepts, as it counts (UTF-16 units): never refused as too long."""
    await bot.send_message(chat, fit(text), reply_markup=reply_markup)


def _with_photos_note(tr: Tr, text: str, shown: bool) -> str:
    return text if shown else text + "\n" + tr("(A photo could not be shown here.)")


class WithoutTelegram(Exception):
    """The recipient is a resident on the roster who does not use the bot."""


async def _send(bot: Bot, d: Desk, message: OutboxMessage) -> None:
    recipient = await views.person(d.db, message.recipient_id)
    if recipient is None:
        raise BadRequest("recipient unknown")
    if recipient.user_id < 0:
        raise WithoutTelegram()
    tr = d.tr(recipient.language)
    chat = message.recipient_id
    if message.ticket_id is None:
        await _send_plain(bot, d, tr, chat, message)
        return
    file = await views.ticket_file(d.db, message.ticket_id, None)
    ref = file.ticket.ref
    kind = message.kind
    buttons = keyboard(desk_buttons(tr, file, recipient)
                       if roles.can_dispatch(recipient.role) else task_buttons(tr, file))
    if kind == "dispatch":
        complaint = file.ticket.kind == Kind.COMPLAINT
        head = tr("New complaint") if complaint else tr("New repair report")
        if file.ticket.linked_ticket_id:
            head = tr("Follow-up complaint, opened after a low rating")
        shown = await _photos(bot, d, message, file.report_photos, ref)
        await _text(bot, chat, _with_photos_note(tr, head + "\n" + cards.summary(
            tr, d.settings, file, staff=True), shown), reply_markup=buttons)
    elif kind in ("task_assigned", "task_reopened", "complaint_routed"):
        routed_here = recipient.department == file.ticket.department
        head = {"task_assigned": tr("New task for you"),
                "complaint_routed": tr("A complaint for your department") if routed_here else
                tr("A complaint for {department}, which has no head here: please see to it.",
                   department=labels.department(tr, d.settings, file.ticket.department or "")),
                "task_reopened": tr("Reopened: the resident says it is not resolved: {reason}",
                                    reason=message.payload.get("reason", ""))}[kind]
        shown = await _photos(bot, d, message, file.report_photos, ref)
        await _text(bot, chat, _with_photos_note(tr, head + "\n" + cards.summary(
            tr, d.settings, file, staff=True), shown), reply_markup=buttons)
    elif kind == "complaint_reply":
        await _text(bot, chat, resident_text(tr, d, file, kind, message.payload),
                    reply_markup=keyboard([[(tr("Resolved"), f"s:ok:{file.ticket.id}"),
                                            (tr("Not resolved"), f"s:no:{file.ticket.id}")]]))
    elif kind == "owner_informed":
        t = file.ticket
        await _text(bot, chat, tr(
            "{ref}: a repair in your unit {unit} was reported by {name}: {category}, {where}: "
            "{description}\nThe desk keeps them informed of it.", ref=ref, unit=t.unit.label,
            name=file.resident.name if file.resident else "", where=t.location,
            category=labels.category(tr, d.settings, t.category), description=t.description))
    elif kind in ("complaint_acknowledged", "complaint_with_department"):
        await _text(bot, chat, resident_text(tr, d, file, kind, message.payload))
    elif kind == "filed_for_you":
        await _text(bot, chat, resident_text(tr, d, file, kind, message.payload),
                    reply_markup=keyboard([[(tr("Open {ref}", ref=ref),
                                             f"t:v:{file.ticket.id}")]]))
    elif kind == "resident_added":
        photo = message.payload.get("photo")
        shown = await _photos(bot, d, message, [photo] if photo else [], ref)
        await _text(bot, chat, _with_photos_note(tr, tr(
            "{ref}: the resident added: {text}", ref=ref,
            text=message.payload.get("text") or "-"), shown), reply_markup=buttons)
    elif kind in ("resident_assigned", "resident_en_route", "resident_arrived",
                  "resident_visit_reminder", "auto_confirmed"):
        await _text(bot, chat, resident_text(tr, d, file, kind, message.payload))
    elif kind == "signoff_request":
        shown = await _photos(bot, d, message, file.after_photos, ref)
        await _text(bot, chat, _with_photos_note(
            tr, resident_text(tr, d, file, kind, message.payload), shown),
            reply_markup=keyboard([[(tr("Confirm, it is fixed"), f"s:ok:{file.ticket.id}"),
                                    (tr("Not fixed"), f"s:no:{file.ticket.id}")]]))
    elif kind == "task_confirmed":
        await _text(bot, chat, tr("{ref}: the resident confirmed the repair. Thank you.",
                                        ref=ref))
    elif kind in ("sla_warning", "overdue_alert", "visit_reminder"):
        await _text(bot, chat, alert_text(tr, d, file, message) + "\n\n" + cards.summary(
            tr, d.settings, file, staff=True), reply_markup=buttons)
    elif kind in SURVEY_NOTICES:
        await surveys_ui.send(bot, d, tr, chat, kind, file)
    elif kind == "deadline_extended":
        await _text(bot, chat, tr("{ref}: the deadline is now {deadline}. Reason: {reason}",
                                        ref=ref, deadline=tr.datetime(file.ticket.deadline_at),
                                        reason=message.payload.get("reason", "")))
    elif kind == delivery.UNREACHABLE:
        await _text(bot, chat, await _unreachable_text(tr, d, message, file),
                    reply_markup=buttons)
    else:
        raise BadRequest(f"unknown notice {kind}")


async def _send_plain(bot: Bot, d: Desk, tr: Tr, chat: int, message: OutboxMessage) -> None:
    payload = message.payload
    if message.kind == "join_request":
        request, person, listed = await views.join_request(d.db, payload["request_id"])
        text = tr("Please confirm a resident: {name}, phone {phone}, says they live in {unit}.",
                  name=person.name, phone=cards.phone(request.phone), unit=request.claimed_unit)
        text += "\n" + (tr("The roster has for this unit: {people}", people=format_list(
            [f"{e.name} {cards.phone(e.phone)}" for e in listed], locale=tr.locale))
            if listed else tr("This unit is not on the roster."))
        await _text(bot, chat, text,
            reply_markup=keyboard([[(tr("Approve"), f"o:join:a:{request.id}"),
                                    (tr("Reject"), f"o:join:r:{request.id}")]]))
    elif message.kind == "digest":
        await _text(bot, chat, await digest_text(tr, d, payload))
    elif message.kind == "weekly":
        await _text(bot, chat, await weekly_text(tr, d, payload))
    elif message.kind == delivery.UNREACHABLE:
        await _text(bot, chat, await _unreachable_text(tr, d, message))
    elif message.kind == "join_approved":
        await _text(bot, chat, tr("Your unit {unit} is confirmed. You can now report "
                                        "repairs with /repair.", unit=payload["unit"]))
    elif message.kind == "join_rejected":
        await _text(bot, chat, tr("We could not confirm unit {unit}. Please contact {office}.",
                                  unit=payload["unit"], office=office(tr, d.settings)))
    else:
        raise BadRequest(f"unknown notice {message.kind}")


def resident_text(tr: Tr, d: Desk, file, kind: str, payload: dict) -> str:
    """What a resident is told; also what the desk reads out to one without Telegram."""
    t = file.ticket
    ref = t.ref
    if kind == "resident_assigned":
        return tr("{ref}: {name} will take care of your repair. Preferred visit: {visit}. "
                  "Deadline: {deadline}.", ref=ref, name=cards.holder(tr, file),
                  visit=cards.visit(tr, t.visit_date, t.visit_slot),
                  deadline=tr.datetime(t.deadline_at))
    if kind == "resident_en_route":
        return tr("{ref}: the technician is on the way.", ref=ref)
    if kind == "resident_arrived":
        return tr("{ref}: the technician has arrived.", ref=ref)
    if kind == "signoff_request":
        return tr("{ref} is reported as repaired: {note}\nIs it fixed? Without an answer "
                  "within {days} it will be confirmed automatically.", ref=ref,
                  note=t.work_note or "", days=tr.plural("{n} day", "{n} days",
                                                         d.settings.auto_confirm_days))
    if kind == "resident_visit_reminder":
        return tr("Reminder: for {ref}, {name} will visit you {visit}. If that no longer suits "
                  "you, please call {office}.", ref=ref, office=office(tr, d.settings),
                  name=cards.holder(tr, file), visit=cards.visit(tr, t.visit_date, t.visit_slot))
    if kind == "auto_confirmed":
        return tr("{ref} was confirmed automatically, as we had no answer. If something is "
                  "still wrong, please report it again with /repair.", ref=ref)
    if kind == "complaint_reply":
        return tr("{ref}: the reply to your complaint:\n{reply}\nIs the matter resolved? "
                  "Without an answer within {days} we will take it as resolved.", ref=ref,
                  reply=t.reply or "", days=tr.plural("{n} day", "{n} days",
                                                      d.settings.auto_confirm_days))
    if kind == "complaint_acknowledged":
        return tr("{ref}: the desk has received your complaint and is looking into it. We will "
                  "answer by {deadline}.", ref=ref, deadline=tr.datetime(t.deadline_at))
    if kind == "complaint_with_department":
        return tr("{ref}: your complaint is now with {department}, who will answer you by "
                  "{deadline}.", ref=ref, deadline=tr.datetime(t.deadline_at),
                  department=labels.department(tr, d.settings, t.department or ""))
    if kind == "filed_for_you":
        what = tr("complaint") if t.kind == Kind.COMPLAINT else tr("repair")
        return tr("The management office recorded your {what} {channel}: {ref}. You can follow "
                  "it here with /mytickets.", what=what, ref=ref,
                  channel=labels.of(tr, labels.CHANNELS, t.channel))
    if kind in SURVEY_NOTICES:
        return tr("{ref} is closed: please ask how we did (a rating from 1 to 5) and record it "
                  "with /callback {ref}.", ref=ref)
    return ref


async def _unreachable_text(tr: Tr, d: Desk, message: OutboxMessage, file=None) -> str:
    """`file` is the ticket's, already loaded by the sender (None for a plain notice)."""
    person = await views.person(d.db, message.payload["person"])
    name = person.name if person else "?"
    phone = cards.phone(person.phone) if person and person.phone else tr("no number on file")
    if person is not None and person.user_id < 0 and file is not None:
        return tr("{ref}: {name} does not use the bot. Please phone them at {phone} and tell "
                  "them:\n{what}", ref=file.ticket.ref, name=name, phone=phone,
                  what=resident_text(tr, d, file, message.payload.get("about", ""), {}))
    if file is None:
        return tr("{name} cannot be reached on Telegram (they blocked the bot or closed the "
                  "chat). Please call them: {phone}.", name=name, phone=phone)
    return tr("{ref}: {name} cannot be reached on Telegram (they blocked the bot or closed "
              "the chat), so they were not told. Please call them: {phone}.",
              ref=file.ticket.ref, name=name, phone=phone)


COMPLAINT_ALERTS = {
    sla.ASSIGN_WARN: N_("Early warning: complaint {ref} must be acknowledged by {due} ({left} "
                        "left)."),
    sla.RESOLVE_WARN: N_("Early warning: complaint {ref} must be answered by {due} ({left} "
                         "left)."),
    sla.ASSIGN_LATE: N_("Late: complaint {ref} was not acknowledged by {due}. With {holder}."),
    sla.RESOLVE_LATE: N_("Late: complaint {ref} was not answered by {due}. With {holder}."),
}


def alert_text(tr: Tr, d: Desk, file, message: OutboxMessage) -> str:
    """The head of a warning, an overdue alert or a visit reminder: what, how late, who."""
    t, step = file.ticket, message.payload.get("step")
    holder = cards.holder(tr, file, d.settings) or tr("nobody yet")
    if t.kind == Kind.COMPLAINT and step in COMPLAINT_ALERTS:  # 受理 and 回覆, never 派工
        due = t.assign_due_at if step in (sla.ASSIGN_WARN, sla.ASSIGN_LATE) else t.deadline_at
        text = tr(COMPLAINT_ALERTS[step], ref=t.ref, due=tr.datetime(due),
                  left=tr.duration(due - d.now()), holder=holder)
    elif step == sla.ASSIGN_WARN:
        text = tr("Early warning: {ref} must be assigned by {due} ({left} left).", ref=t.ref,
                  due=tr.datetime(t.assign_due_at), left=tr.duration(t.assign_due_at - d.now()))
    elif step == sla.RESOLVE_WARN:
        text = tr("Early warning: {ref} must be resolved by {due} ({left} left).", ref=t.ref,
                  due=tr.datetime(t.deadline_at), left=tr.duration(t.deadline_at - d.now()))
    elif step == sla.ASSIGN_LATE:
        text = tr("Late: {ref} was not assigned by {due}. Held by {holder}.", ref=t.ref,
                  due=tr.datetime(t.assign_due_at), holder=holder)
    elif step == sla.RESOLVE_LATE:
        text = tr("Late: {ref} missed its deadline of {due}. Held by {holder}.", ref=t.ref,
                  due=tr.datetime(t.deadline_at), holder=holder)
    elif step == sla.VISIT_LATE:
        text = tr("Late: the visit for {ref} ({visit}) has not started. Held by {holder}.",
                  ref=t.ref, visit=cards.visit(tr, t.visit_date, t.visit_slot), holder=holder)
    elif step == sla.REMIND_TECHNICIAN:
        text = tr("Reminder: your visit for {ref} is {visit}, at {unit}.", ref=t.ref,
                  visit=cards.visit(tr, t.visit_date, t.visit_slot), unit=t.unit.label)
    else:
        missed = t.assign_due_at if step == sla.ASSIGN_MANAGERS else t.deadline_at
        text = tr("Still late after the supervisors were told: {ref}, late by {late}; held by "
                  "{holder}.", ref=t.ref, late=tr.duration(d.now() - missed), holder=holder)
    if message.payload.get("late_sent"):
        text += "\n" + tr("(Sent late: the bot was offline when this fell due.)")
    return text


def greeting(tr: Tr, d: Desk) -> str:
    """By the estate's time of day when the message goes out."""
    hour = d.now().astimezone(d.settings.tz).hour
    if hour < 12:
        return tr("Good morning.")
    return tr("Good afternoon.") if hour < 18 else tr("Good evening.")


async def weekly_text(tr: Tr, d: Desk, payload: dict) -> str:
    start, end = from_db_time(payload["start"]), from_db_time(payload["end"])
    lines = [tr("The desk's week, {start} to {end}: {reported} reported, {resolved} resolved, "
                "{in_time} of them within the first service-level target.",
                start=tr.datetime(start), end=tr.datetime(end), reported=payload["reported"],
                resolved=payload["resolved"], in_time=payload["in_time"])]
    if payload["late"]:
        lines.append(tr.plural("Still late now: {n} ticket", "Still late now: {n} tickets",
                               payload["overdue"]))
        for ticket_id in payload["late"]:
            file = await views.ticket_file(d.db, ticket_id, None)
            lines.append("· " + tr("{ref} {unit}, late by {late}", ref=file.ticket.ref,
                                   unit=file.ticket.unit.label,
                                   late=tr.duration(sla.lateness(file.ticket, d.now()))))
    else:
        lines.append(tr("Nothing is late."))
    if payload.get("late_sent"):
        lines.append(tr("(Sent late: the bot was offline when this fell due.)"))
    return "\n".join(lines)


async def digest_text(tr: Tr, d: Desk, payload: dict) -> str:
    lines = [greeting(tr, d) + " " + tr("The desk today: {open} open, {overdue} late, {paused} "
                                        "paused.",
                open=payload["open"], overdue=payload["overdue"], paused=payload["paused"])]
    if payload["visits"]:
        lines.append(tr("Visits today:"))
        for ticket_id in payload["visits"]:
            file = await views.ticket_file(d.db, ticket_id, None)
            lines.append(f"· {file.ticket.ref} {file.ticket.unit.label} "
                         f"{labels.of(tr, labels.SLOTS, file.ticket.visit_slot)} "
                         f"{cards.holder(tr, file, d.settings) or tr('nobody yet')}")
    if payload["oldest"]:
        lines.append(tr("Oldest open tickets:"))
        for ticket_id in payload["oldest"]:
            file = await views.ticket_file(d.db, ticket_id, None)
            lines.append("· " + tr("{ref} {unit}, reported {time}", ref=file.ticket.ref,
                                   unit=file.ticket.unit.label,
                                   time=tr.datetime(file.ticket.created_at)))
    if payload["unreachable"]:
        names = [p.name for p in [await views.person(d.db, u) for u in payload["unreachable"]]
                 if p]
        lines.append(tr("Blocked the bot, so not reachable: {names}", names=tr.join(names)))
    if payload.get("late_sent"):
        lines.append(tr("(Sent late: the bot was offline when this fell due.)"))
    return "\n".join(lines)
