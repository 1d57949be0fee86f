"""The callback survey in the chat (rating, reason chips, a comment), the supervisors'
low-rating alert with its one-tap follow-up, and /callback for staff who phoned."""

from __future__ import annotations

from telegram import Bot, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers import labels
from handlers.common import (
    PRIVATE,
    Asker,
    Context,
    Desk,
    allowed,
    answer,
    button_data,
    clear_buttons,
    handles,
    int_arg,
    keyboard,
    kick,
    text_answer,
)
from handlers.i18n import Tr
from storage.records import Draft
from workflow import surveys, views
from workflow.tickets import Refusal
from workflow.views import TicketFile


def _stars(prefix: str) -> list[list[tuple[str, str]]]:
    return [[(f"{n}★", f"{prefix}:{n}") for n in surveys.RATINGS]]


async def send(bot: Bot, d: Desk, tr: Tr, chat: int, kind: str, file: TicketFile,
               rater: int | None) -> None:
    """The survey's notices (called by the outbox sender); a low rating's names whose survey
    it is (alerts written before followers had surveys name nobody: the reporter's)."""
    t = file.ticket
    if kind == "survey":
        await bot.send_message(chat, tr(
            "{ref} ({category}) is closed. How did we do? Please rate our service from 1 "
            "(poor) to 5 (excellent).", ref=t.ref,
            category=labels.kind_category(tr, d.settings, t)),
            reply_markup=keyboard(_stars(f"sv:r:{t.id}")))
    elif kind == "survey_reminder":
        await bot.send_message(chat, tr("A reminder: we would value your rating for {ref}, from "
                                        "1 (poor) to 5 (excellent).", ref=t.ref),
                               reply_markup=keyboard(_stars(f"sv:r:{t.id}")))
    else:
        rater = t.resident_id if rater is None else rater
        survey = await surveys.survey_of(d.db, t.id, rater)
        assert survey is not None  # a low rating is an answer to it
        reasons = tr.join(labels.chip(tr, d.settings, c) for c in survey.reasons) or "-"
        low = survey.rating is not None and survey.rating <= d.settings.low_rating
        head = tr("Low rating for {ref}: {rating}/5.", ref=t.ref, rating=survey.rating) if low \
            else tr("Needs attention: {ref} was rated {rating}/5, with a reason that alerts.",
                    ref=t.ref, rating=survey.rating)  # a 3★ that says 'not fixed' is not low
        await bot.send_message(chat, head + "\n" + tr(
            "Reasons: {reasons}\nComment: {comment}", reasons=reasons,
            comment=survey.comment or "-"),
            reply_markup=keyboard([[(tr("Open a follow-up"), f"sv:f:{t.id}:{rater}")],
                                   [(tr("Timeline"), f"t:v:{t.id}")]]))


def _chips(tr: Tr, d: Desk, survey, chosen) -> list:
    ticket_id = survey.ticket_id
    rows = [[(("✓ " if c in chosen else "") + labels.chip(tr, d.settings, c),
              f"sv:c:{ticket_id}:{c}")]
            for c in surveys.chips(d.settings, survey.rating, survey.kind)]
    return rows + [[(tr("Next"), f"sv:n:{ticket_id}")]]


@handles("button.per_action")
async def on_button(update: Update, context: Context, who: Asker) -> None:
    action, *args = button_data(update).split(":")[1:]
    d, tr = context.desk, who.tr
    ticket_id = int_arg(args, 0)
    await allowed(context, who, "surveys.follow_up" if action == "f" else "surveys.answer",
                  None if action == "f" else ticket_id)
    if action == "r":
        survey = await surveys.rate(d.db, d.settings, ticket_id, who.user_id, int_arg(args, 1),
                                    d.now())
        await clear_buttons(update)
        if survey is None:
            await answer(update, tr("You have already rated this one. Thank you!"))
            return
        praise = (survey.rating or 0) >= 4
        ask = tr("Thank you! What did you like? Tap all that apply, then 'Next'.") \
            if praise else tr("Thank you for telling us. What should we improve? "
                              "Tap all that apply, then 'Next'.")
        await answer(update, ask, keyboard(_chips(tr, d, survey, ())))
    elif action == "c":
        survey = await surveys.toggle_chip(d.db, d.settings, ticket_id, who.user_id,
                                           args[1] if len(args) > 1 else "", d.now())
        try:
            if update.callback_query is not None:
                await update.callback_query.edit_message_reply_markup(
                    keyboard(_chips(tr, d, survey, survey.reasons)))
        except BadRequest:  # the same keyboard again: nothing to show
            pass
    elif action == "n":
        await surveys.ask_comment(d.db, ticket_id, who.user_id, d.now())
        await clear_buttons(update)
        await answer(update, tr("Anything else you would like to tell us? Type it, or tap "
                                "'Skip'."), keyboard([[(tr("Skip"), f"sv:s:{ticket_id}")]]))
    elif action == "s":
        await clear_buttons(update)
        await _finish(update, context, who, None, ticket_id)
    elif action == "f":
        # an alert sent before followers had surveys of their own names no rater
        await _follow_up(update, context, who, ticket_id,
                         int_arg(args, 1) if len(args) > 1 else None)
    else:
        raise Refusal(Refusal.INVALID)


async def _finish(update: Update, context: Context, who: Asker, comment: str | None,
                  ticket_id: int | None = None) -> None:
    d = context.desk
    await surveys.finish(d.db, d.settings, who.user_id, comment, d.now(), ticket_id)
    kick(context)
    await answer(update, who.tr("Thank you for your feedback."))


async def on_comment(update: Update, context: Context, who: Asker, draft: Draft) -> None:
    """The survey's comment (a step of the router)."""
    text = await text_answer(update, who, surveys.MAX_COMMENT)
    if text is not None:
        await _finish(update, context, who, text)


async def _follow_up(update: Update, context: Context, who: Asker, ticket_id: int,
                     rater: int | None) -> None:
    d = context.desk
    followup = await surveys.open_follow_up(d.db, d.settings, ticket_id, rater, who.user_id,
                                            d.now())
    await clear_buttons(update)
    if followup is None:
        await answer(update, who.tr("A follow-up was already opened for this rating."))
        return
    kick(context)
    await answer(update, who.tr("Follow-up complaint {ref} opened; the desk has it.",
                                ref=followup.ref))


@handles("surveys.call")
async def callback_command(update: Update, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    if not context.args:
        await answer(update, tr("Please give the reference, for example: /callback "
                                "R-2026-00001"))
        return
    ticket = await surveys.start_call(d.db, context.args[0][:20], who.user_id, d.now())
    await answer(update, tr("{ref}: did you reach the resident?", ref=ticket.ref), keyboard([
        [(tr("Reached"), f"cb:y:{ticket.id}"), (tr("Not reached"), f"cb:n:{ticket.id}")]]))


async def _call_draft(context: Context, who: Asker, ticket_id: int) -> Draft:
    draft = await views.draft(context.desk.db, who.user_id, context.desk.now())
    if draft is None or draft.flow != surveys.CALL_FLOW or draft.data["ticket_id"] != ticket_id:
        raise Refusal(Refusal.STALE)
    return draft


@handles("surveys.call")
async def on_call_button(update: Update, context: Context, who: Asker) -> None:
    action, *args = button_data(update).split(":")[1:]
    d, tr = context.desk, who.tr
    ticket_id = int_arg(args, 0)
    draft = await _call_draft(context, who, ticket_id)
    await clear_buttons(update)
    if action in ("y", "n"):
        data = {**draft.data, "reached": action == "y"}
        await views.save_draft(d.db, Draft(who.user_id, draft.flow, "call", data), d.now())
        if action == "y":
            await answer(update, tr("Their rating, from 1 (poor) to 5 (excellent)?"),
                         keyboard(_stars(f"cb:r:{ticket_id}")))
            return
    elif action == "r":
        rating = int_arg(args, 1)
        if rating not in surveys.RATINGS or "reached" not in draft.data:
            raise Refusal(Refusal.INVALID)
        await views.save_draft(d.db, Draft(who.user_id, draft.flow, "call",
                                           {**draft.data, "rating": rating}), d.now())
    elif action == "s":
        await _record(update, context, who, "")
        return
    else:
        raise Refusal(Refusal.INVALID)
    await answer(update, tr("A note about the call? Type it, or tap 'Skip'."),
                 keyboard([[(tr("Skip"), f"cb:s:{ticket_id}")]]))


async def _record(update: Update, context: Context, who: Asker, note: str) -> None:
    d = context.desk
    ticket = await surveys.record_call(d.db, who.user_id, note, d.now())
    if ticket is None:
        raise Refusal(Refusal.STALE)
    await answer(update, who.tr("{ref}: the callback is recorded.", ref=ticket.ref))


async def on_call_note(update: Update, context: Context, who: Asker, draft: Draft) -> None:
    """The note of a phone callback (a step of the router)."""
    note = await text_answer(update, who, surveys.MAX_COMMENT)
    if note is not None:
        await _record(update, context, who, note)


def register(app) -> None:
    app.add_handler(CommandHandler("callback", callback_command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^sv:"))
    app.add_handler(CallbackQueryHandler(on_call_button, pattern=r"^cb:"))
