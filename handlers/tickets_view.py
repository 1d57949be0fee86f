"""Looking at tickets: a resident's /mytickets, and any ticket's status and timeline."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from handlers import cards, labels
from handlers.buttons import Buttons
from handlers.common import (
    PRIVATE,
    Asker,
    Context,
    allowed,
    answer,
    callback_args,
    handles,
    int_arg,
    keyboard,
)
from workflow import roles, views
from workflow import tickets as machine
from workflow.registers import renovations


@handles("tickets.mine")
async def my_tickets(update: Update, context: Context, who: Asker) -> None:
    found = await views.resident_tickets(context.desk.db, who.user_id)
    permits = await renovations.mine(context.desk.db, who.user_id)
    if permits:  # renovations are followed here too
        await answer(update, "\n".join([who.tr("Your renovations:")] + [
            f"· {r.ref} · {labels.of(who.tr, labels.RENOVATION_STATES, r.state)} · "
            + who.tr("{start} to {end}", start=who.tr.stored_day(r.start_date),
                     end=who.tr.stored_day(r.end_date))
            for r in permits]))
    if not found:
        if not permits:
            await answer(update, who.tr("You have no tickets yet. Report a repair with "
                                        "/repair."))
        return
    rows = [[(f"{t.ref} · {labels.status(who.tr, t)}" + (
        "" if t.resident_id == who.user_id else " · " + who.tr("following")), f"t:v:{t.id}")]
            for t in found]
    await answer(update, who.tr("Your tickets, newest first. Tap one to see its progress:"),
                 keyboard(rows))


@handles("tickets.view")
async def show(update: Update, context: Context, who: Asker) -> None:
    d = context.desk
    ticket_id = int_arg(callback_args(update), 0)
    await allowed(context, who, "tickets.view", ticket_id)
    file = await views.ticket_file(d.db, ticket_id, who.user_id)
    staff = roles.is_staff(who.role) and file.ticket.resident_id != who.user_id
    follower = not staff and who.user_id in file.followers
    text = cards.summary(who.tr, d.settings, file, staff=staff, follower=follower) + \
        "\n\n" + cards.timeline(who.tr, file, follower=follower)
    mine = file.ticket.resident_id == who.user_id and file.ticket.status in machine.OPEN
    await answer(update, text, keyboard([[(who.tr("Add a message or photo"),
                                           f"t:add:{file.ticket.id}")]]) if mine else None)


def register(app) -> None:
    app.add_handler(CommandHandler("mytickets", my_tickets, filters=PRIVATE))
    app.add_handler(Buttons(my_tickets, pattern=r"^m:mytickets$"))
    app.add_handler(Buttons(show, pattern=r"^t:v:"))
