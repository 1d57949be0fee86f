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
    button_data,
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


@handles("button.per_action")
async def on_button(turn: Turn, context: Context, who: Asker) -> None:
    action, *args = button_data(turn).split(":")[1:]
    args, seen = seen_version(args)
    d, tr = context.desk, who.tr
    ticket_id = int_arg(args, 0)
    owner = action in ("y", "n")
    await allowed(context, who, "office.quotation_answer" if owner else "office.payer",
                  ticket_id if owner else None)
    if owner:  # the owner, on the quotation
        ticket = await payers.answer(d.db, ticket_id, who.user_id, action == "y", d.now())
        await clear_buttons(turn)
        if ticket is None:
            await answer(turn, tr("You have already answered this quotation."))
            return
        kick(context)
        await answer(turn, tr("Thank you: the work can start. We will tell you who comes and "
                                "when.") if action == "y" else
                     tr("We have told the desk that you decline the quotation; they will "
                        "contact you."), main_menu(who))
        return
    if action == "l":
        rows = [[(tr("The responsible unit"), stamp(f"pa:s:{ticket_id}:unit", seen))],
                [(tr("The estate"), stamp(f"pa:s:{ticket_id}:estate", seen))],
                [(tr("The owner (with a quotation)"), stamp(f"pa:q:{ticket_id}", seen))]]
        await answer(turn, tr("Who pays for this job?"), picker(tr, rows))
    elif action == "s":
        ticket = await payers.set_payer(d.db, ticket_id, who.user_id,
                                        args[1] if len(args) > 1 else "", d.now(), seen)
        kick(context)
        await clear_buttons(turn)
        await answer(turn, tr("{ref}: paid by {payer}.", ref=ticket.ref,
                                payer=labels.of(tr, labels.PAYERS, payers.payer_of(ticket))))
    elif action == "q":
        ticket = await payers.start_quote(d.db, ticket_id, who.user_id, d.now(), seen)
        await clear_buttons(turn)
        await answer(turn, tr("{ref}: the amount of the quotation and what it covers, for "
                                "example: 1200 replace the mixer tap", ref=ticket.ref),
                     keyboard([[(tr("Cancel"), "r:x")]]))
    else:
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
        (r"^pa:", on_button),
    ],
)
