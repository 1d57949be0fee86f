"""Deadlines from the desk's side: priority, pausing the clock, extending a deadline, and
/overdue for supervisors and managers."""

from __future__ import annotations

from handlers import cards, labels
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    clear_buttons,
    handles,
    int_arg,
    keyboard,
    kick,
    picker,
    stamp,
    text_answer,
)
from handlers.routes import routes
from storage.records import Draft
from workflow import sla, views
from workflow.settings import PRIORITIES
from workflow.tickets import Refusal


async def on_desk_button(turn: Turn, context: Context, who: Asker, action: str,
                         ticket_id: int, args: list[str], seen: int | None) -> None:
    """The deadline buttons of a desk card or an alert (routed here by
    handlers.repairs.dispatch)."""
    d, tr = context.desk, who.tr
    if action == "pr":
        ticket = (await views.ticket_file(d.db, ticket_id, who.user_id)).ticket
        rows = [[(labels.of(tr, labels.PRIORITIES, p), stamp(f"d:pp:{ticket_id}:{p}", seen))]
                for p in PRIORITIES if p != ticket.priority]
        await answer(turn, tr("{ref} is {priority} now. Its new priority?", ref=ticket.ref,
                                priority=labels.of(tr, labels.PRIORITIES, ticket.priority)),
                     picker(tr, rows))
    elif action == "pp":
        ticket = await sla.change_priority(d.db, d.settings, ticket_id, who.user_id,
                                           args[1] if len(args) > 1 else "", d.now(), seen)
        await clear_buttons(turn)
        await answer(turn, tr("{ref} is now {priority}. Deadline: {deadline}.", ref=ticket.ref,
                                priority=labels.of(tr, labels.PRIORITIES, ticket.priority),
                                deadline=tr.datetime(ticket.deadline_at)))
    elif action == "pa":
        ticket = await sla.start_with_reason(d.db, sla.PAUSE_FLOW, ticket_id, who.user_id,
                                             d.now(), seen)
        await answer(turn, tr("{ref}: why does the clock stop? For example: waiting for "
                                "parts, or for the resident.", ref=ticket.ref),
                     keyboard([[(tr("Cancel"), "r:x")]]))
    elif action == "re":
        ticket = await sla.resume(d.db, d.settings, ticket_id, who.user_id, d.now(), seen)
        await clear_buttons(turn)
        await answer(turn, tr("{ref}: the clock runs again. Deadline: {deadline}.",
                                ref=ticket.ref, deadline=tr.datetime(ticket.deadline_at)))
    elif action == "ex":
        rows = [[(tr.plural("+{n} day", "+{n} days", n), stamp(f"d:xd:{ticket_id}:{n}", seen))
                 for n in sla.EXTEND_CHOICES]]
        await answer(turn, tr("Extend the deadline by how much?"), picker(tr, rows))
    elif action == "xd":
        days = int_arg(args, 1)
        if days not in sla.EXTEND_CHOICES:
            raise Refusal(Refusal.INVALID)
        ticket = await sla.start_with_reason(d.db, sla.EXTEND_FLOW, ticket_id, who.user_id,
                                             d.now(), seen, days=days)
        await clear_buttons(turn)
        await answer(turn, tr("{ref}: why is the deadline extended?", ref=ticket.ref),
                     keyboard([[(tr("Cancel"), "r:x")]]))
    else:
        raise Refusal(Refusal.INVALID)


async def on_reason(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The reason for a pause or an extension (a step of the router)."""
    d, tr = context.desk, who.tr
    text = await text_answer(turn, who, sla.MAX_REASON)
    if text is None:
        return
    if draft.flow == sla.PAUSE_FLOW:
        ticket = await sla.pause(d.db, d.settings, who.user_id, text, d.now())
        if ticket is None:
            raise Refusal(Refusal.STALE)
        await answer(turn, tr("{ref}: the clock is paused.", ref=ticket.ref))
    else:
        ticket = await sla.extend(d.db, d.settings, who.user_id, text, d.now())
        if ticket is None:
            raise Refusal(Refusal.STALE)
        kick(context)
        await answer(turn, tr("{ref}: the deadline is now {deadline}.", ref=ticket.ref,
                                deadline=tr.datetime(ticket.deadline_at)))


@handles("escalation.overdue")
async def overdue(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    now = d.now()
    late, names = await sla.overdue(d.db, who.user_id, now)
    lines = [tr("Late tickets, the most late first:") if late else tr("Nothing is late.")]
    for ticket in late:
        technician, contractor = names.get(ticket.id, (None, None))
        holder = technician or (tr("{name} (responsible contractor)", name=contractor)
                                if contractor else None) or \
            (labels.department(tr, d.settings, ticket.department) if ticket.department
             else cards.nobody(tr, ticket))
        lines.append(tr("{ref} {unit}: late by {late}, held by {holder}", ref=ticket.ref,
                        unit=ticket.unit.label, late=tr.duration(sla.lateness(ticket, now)),
                        holder=holder))
    unreachable = await views.unreachable(d.db)
    if unreachable:
        lines.append(tr("Blocked the bot, so not reachable: {names}",
                        names=tr.join(p.name for p in unreachable)))
    rows = [[(t.ref, f"d:v:{t.id}")] for t in late]
    await answer(turn, "\n".join(lines), keyboard(rows) if rows else None)



ROUTES = routes(
    commands={"overdue": overdue},
    buttons=[
        (r"^m:overdue$", overdue),
    ],
)
