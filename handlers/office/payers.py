"""Who pays for a job, set by the desk from the card; an owner-paid job's quotation, which
the owner accepts or declines in the chat."""

from __future__ import annotations

from handlers import labels
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    allowed,
    answer,
    callback_args,
    clear_buttons,
    handles,
    int_arg,
    keyboard,
    kick,
    main_menu,
    picker,
    seen_version,
    stamp,
    text_answer,
)
from handlers.numbers import unreadable
from handlers.routes import routes
from storage.records import Draft
from workflow.numbers import Unreadable
from workflow.office import payers
from workflow.tickets import Refusal


def _payer_args(turn: Turn) -> tuple[int, list[str], int | None]:
    """A payer button's ticket, its arguments (that id first) and the card's version mark; a
    forged id is refused before anything is looked up."""
    args, seen = seen_version(callback_args(turn))
    return int_arg(args, 0), args, seen


@handles("button.per_action")
async def quotation_accepted(turn: Turn, context: Context, who: Asker) -> None:
    await _quotation_answered(turn, context, who, True)


@handles("button.per_action")
async def quotation_declined(turn: Turn, context: Context, who: Asker) -> None:
    await _quotation_answered(turn, context, who, False)


async def _quotation_answered(turn: Turn, context: Context, who: Asker, yes: bool) -> None:
    """The owner, on the quotation."""
    ticket_id, _, _ = _payer_args(turn)
    d, tr = context.desk, who.tr
    await allowed(context, who, "office.quotation_answer", ticket_id)
    ticket = await payers.answer(d.db, ticket_id, who.user_id, yes, d.now())
    await clear_buttons(turn)
    if ticket is None:
        await answer(turn, tr("You have already answered this quotation."))
        return
    kick(context)
    await answer(turn, tr("Thank you: the work can start. We will tell you who comes and "
                            "when.") if yes else
                 tr("We have told the desk that you decline the quotation; they will "
                    "contact you."), main_menu(who))


async def _payer_desk(turn: Turn, context: Context, who: Asker) -> tuple[int, list[str],
                                                                          int | None]:
    """The arguments of the desk's payer button, the desk's rule checked."""
    found = _payer_args(turn)
    await allowed(context, who, "office.payer", None)
    return found


@handles("button.per_action")
async def pick_payer(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, _, seen = await _payer_desk(turn, context, who)
    tr = who.tr
    rows = [[(tr("The responsible unit"), stamp(f"pa:s:{ticket_id}:unit", seen))],
            [(tr("The estate"), stamp(f"pa:s:{ticket_id}:estate", seen))],
            [(tr("The owner (with a quotation)"), stamp(f"pa:q:{ticket_id}", seen))]]
    await answer(turn, tr("Who pays for this job?"), picker(tr, rows))


@handles("button.per_action")
async def payer_chosen(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, args, seen = await _payer_desk(turn, context, who)
    d, tr = context.desk, who.tr
    ticket = await payers.set_payer(d.db, ticket_id, who.user_id,
                                    args[1] if len(args) > 1 else "", d.now(), seen)
    kick(context)
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: paid by {payer}.", ref=ticket.ref,
                            payer=labels.of(tr, labels.PAYERS, payers.payer_of(ticket))))


@handles("button.per_action")
async def start_quotation(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, _, seen = await _payer_desk(turn, context, who)
    d, tr = context.desk, who.tr
    ticket = await payers.start_quote(d.db, ticket_id, who.user_id, d.now(), seen)
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: the amount of the quotation and what it covers, for "
                            "example: 1200 replace the mixer tap", ref=ticket.ref),
                 keyboard([[(tr("Cancel"), "r:x")]]))


@handles("button.per_action")
async def unknown_payer_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another pa: button (forged, or from an old version): refused after the desk's check
    as before."""
    await _payer_desk(turn, context, who)
    raise Refusal(Refusal.INVALID)


async def on_quote(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The quotation's amount and what it covers (a step of the router)."""
    d, tr = context.desk, who.tr
    text = await text_answer(turn, who, 600)
    if text is None:
        return
    try:
        parsed = payers.parse_quote(text, tr.locale)
    except Unreadable as refused:
        await answer(turn, unreadable(tr, refused) + "\n" + tr(
            "Please send the amount first, then what it covers, for example: 1200 replace the "
            "mixer tap"))
        return
    ticket = await payers.quote(d.db, who.user_id, *parsed, d.now())
    if ticket is None:
        raise Refusal(Refusal.STALE)
    kick(context)
    await answer(turn, tr("{ref}: the quotation of {amount} went to the owner; the work "
                            "waits for their answer.", ref=ticket.ref,
                            amount=tr.money(parsed[0])), main_menu(who))



ROUTES = routes(
    buttons=[
        (r"^pa:y(:|$)", quotation_accepted),
        (r"^pa:n(:|$)", quotation_declined),
        (r"^pa:l(:|$)", pick_payer),
        (r"^pa:s(:|$)", payer_chosen),
        (r"^pa:q(:|$)", start_quotation),
        (r"^pa:", unknown_payer_button),  # the last of pa:
    ],
)
