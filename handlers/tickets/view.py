"""Looking at tickets: a resident's /mytickets, and any ticket's status and timeline."""

from __future__ import annotations

from handlers import cards, held, labels
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    allowed,
    answer,
    callback_args,
    handles,
    int_arg,
    keyboard,
)
from handlers.routes import routes
from workflow import roles, views
from workflow import tickets as machine
from workflow.privacy import access as access_log
from workflow.registers import renovations


@handles("tickets.mine")
async def my_tickets(turn: Turn, context: Context, who: Asker) -> None:
    await _held_back(turn, context, who)
    found = await views.resident_tickets(context.desk.db, who.user_id)
    permits = await renovations.mine(context.desk.db, who.user_id)
    if permits:  # renovations are followed here too
        await answer(turn, "\n".join([who.tr("Your renovations:")] + [
            f"· {r.ref} · {labels.of(who.tr, labels.RENOVATION_STATES, r.state)} · "
            + who.tr("{start} to {end}", start=who.tr.stored_day(r.start_date),
                     end=who.tr.stored_day(r.end_date))
            for r in permits]))
    if not found:
        if not permits:
            await answer(turn, who.tr("You have no tickets yet. Report a repair with "
                                        "/repair."))
        return
    rows = [[(f"{t.ref} · {labels.status(who.tr, t)}" + (
        "" if t.resident_id == who.user_id else " · " + who.tr("following")), f"t:v:{t.id}")]
            for t in found]
    await answer(turn, who.tr("Your tickets, newest first. Tap one to see its progress:"),
                 keyboard(rows))


async def _held_back(turn: Turn, context: Context, who: Asker) -> None:
    """What was not pushed near the month's LINE cap (handlers/held.py), shown here first."""
    texts = await held.take(context.desk, who.user_id)
    if texts:
        head = who.tr.plural("{n} update was not pushed to save the month's LINE messages; "
                             "here it is:", "{n} updates were not pushed to save the month's "
                             "LINE messages; here they are:", len(texts))
        for text in held.folded(who.tr, texts, turn.channel.limits.text, head):
            await answer(turn, text)


@handles("tickets.view")
async def show(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    ticket_id = int_arg(callback_args(turn), 0)
    await allowed(context, who, "tickets.view", ticket_id)
    file = await views.ticket_file(d.db, ticket_id, who.user_id)
    staff = roles.is_staff(who.role) and file.ticket.resident_id != who.user_id
    follower = not staff and who.user_id in file.followers
    await access_log.ticket_opened(d.db, who.person, file, d.now())
    # what of the resident this viewer may read: need_to_know decides, not the card
    text = cards.summary(who.tr, d.settings, file, staff=staff, follower=follower,
                         viewer=who.person) + \
        "\n\n" + cards.timeline(who.tr, file, follower=follower, viewer=who.person)
    mine = file.ticket.resident_id == who.user_id and file.ticket.status in machine.OPEN
    await answer(turn, text, keyboard([[(who.tr("Add a message or photo"),
                                           f"t:add:{file.ticket.id}")]]) if mine else None)



ROUTES = routes(
    commands={"mytickets": my_tickets},
    buttons=[
        (r"^m:mytickets$", my_tickets),
        (r"^t:v:", show),
    ],
)
