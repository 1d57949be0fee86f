"""Agreeing a visit in the chat: the resident's side (confirm the proposed time, or pick
another), and the day and time-of-day pickers both sides use."""

from __future__ import annotations

from datetime import date

from handlers import cards, labels
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    allowed,
    answer,
    button_data,
    callback_args,
    clear_buttons,
    handles,
    int_arg,
    kick,
    picker,
)
from handlers.i18n import Tr
from handlers.routes import routes
from workflow.repairs import report, visit_times
from workflow.tickets import Refusal


def day_rows(tr: Tr, context: Context, prefix: str) -> list[list[tuple[str, str]]]:
    """The next two weeks as buttons, three a row; each button's data is prefix:YYYY-MM-DD."""
    local = context.desk.now().astimezone(context.desk.settings.tz)
    buttons = [(tr.short_date(day), f"{prefix}:{day.isoformat()}")
               for day in report.visit_days(local)]
    return [buttons[i:i + 3] for i in range(0, len(buttons), 3)]


def slot_rows(tr: Tr, context: Context, day: str, prefix: str) -> list[list[tuple[str, str]]]:
    """That day's times of day still to come; each button's data is prefix:YYYY-MM-DD:slot."""
    local = context.desk.now().astimezone(context.desk.settings.tz)
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        raise Refusal(Refusal.INVALID) from None
    return [[(labels.of(tr, labels.SLOTS, s.key), f"{prefix}:{day}:{s.key}")]
            for s in report.open_slots(chosen, local)]


async def _visit_args(turn: Turn, context: Context, who: Asker) -> tuple[int, list[str]]:
    """The ticket of a visit's button and its arguments (that id first), the resident's own
    ticket: a forged id is refused before anything is looked up."""
    args = callback_args(turn)
    ticket_id = int_arg(args, 0)
    await allowed(context, who, "repairs.visit", ticket_id)
    return ticket_id, args


@handles("repairs.visit")
async def proposal_agreed(turn: Turn, context: Context, who: Asker) -> None:
    await _agree(turn, context, who, proposed=True)


@handles("repairs.visit")
async def slot_chosen(turn: Turn, context: Context, who: Asker) -> None:
    await _agree(turn, context, who, proposed=False)


async def _agree(turn: Turn, context: Context, who: Asker, proposed: bool) -> None:
    ticket_id, args = await _visit_args(turn, context, who)
    d, tr = context.desk, who.tr
    day, slot = (args[1], args[2]) if len(args) > 2 else ("", "")
    ticket = await visit_times.agree(d.db, d.settings, ticket_id, who.user_id, day, slot,
                                     d.now(), proposed=proposed)
    kick(context)
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: the visit is {visit}. We have told them.", ref=ticket.ref,
                            visit=cards.visit(tr, ticket.visit_date, ticket.visit_slot)))


@handles("repairs.visit")
async def other_day(turn: Turn, context: Context, who: Asker) -> None:
    """The proposal keeps its buttons: closing the days changes nothing."""
    ticket_id, _ = await _visit_args(turn, context, who)
    tr = who.tr
    await answer(turn, tr("Which day suits you for a visit?"),
                 picker(tr, day_rows(tr, context, f"v:d:{ticket_id}")))


@handles("repairs.visit")
async def day_chosen(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, args = await _visit_args(turn, context, who)
    tr = who.tr
    await clear_buttons(turn)
    await answer(turn, tr("Which time of day?"), picker(
        tr, slot_rows(tr, context, args[1] if len(args) > 1 else "", f"v:s:{ticket_id}")))


@handles("repairs.visit")
async def unknown_visit_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another v: button (forged, or from an old version): refused after the same checks of
    the ticket as before."""
    await _visit_args(turn, context, who)
    raise Refusal(Refusal.INVALID)


@handles("repairs.visit_by_phone")
async def on_phone_button(turn: Turn, context: Context, who: Asker) -> None:
    """A resident without Telegram agreed to the proposed visit on the desk's call."""
    args = button_data(turn).split(":")[1:]  # vp:<ticket>:<day>:<slot>
    d, tr = context.desk, who.tr
    day, slot = (args[1], args[2]) if len(args) > 2 else ("", "")
    ticket = await visit_times.agree(d.db, d.settings, int_arg(args, 0), who.user_id, day, slot,
                                     d.now(), proposed=True, by_phone=True)
    kick(context)
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: the visit is {visit}, as the resident agreed by phone. We "
                            "have told them.", ref=ticket.ref,
                            visit=cards.visit(tr, ticket.visit_date, ticket.visit_slot)))



ROUTES = routes(
    buttons=[
        (r"^v:ok(:|$)", proposal_agreed),
        (r"^v:s(:|$)", slot_chosen),
        (r"^v:alt(:|$)", other_day),
        (r"^v:d(:|$)", day_chosen),
        (r"^v:", unknown_visit_button),  # the last of v:
        (r"^vp:", on_phone_button),
    ],
)
