"""The desk's side: new tickets with dispatch buttons, /queue, assigning to a technician or
to the responsible contractor with a deadline."""

from __future__ import annotations

from handlers import cards, labels
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    button_data,
    clear_buttons,
    handles,
    int_arg,
    keyboard,
    kick,
    picker,
    seen_version,
    stamp,
)
from handlers.complaints import complaints as complaint_desk
from handlers.repairs.actions import desk_buttons
from handlers.routes import routes
from handlers.tickets import escalation
from workflow import views
from workflow.privacy import access as access_log
from workflow.repairs import dispatch, onsite, unit_jobs
from workflow.tickets import Refusal


@handles("repairs.queue")
async def queue(turn: Turn, context: Context, who: Asker) -> None:
    found = await dispatch.queue(context.desk.db, who.user_id)
    if not found:
        await answer(turn, who.tr("No open tickets. Well done."))
        return
    rows = [[(f"{t.ref} · {labels.status(who.tr, t)} · {t.unit.label}",
              f"d:v:{t.id}")] for t in found]
    await answer(turn, who.tr("Open tickets, waiting for dispatch first:"), keyboard(rows))


def _desk_args(turn: Turn) -> tuple[str, int, list[str], int | None]:
    """A desk button's action, its ticket, its arguments (the ticket's id first) and the
    card's version mark; a forged id is refused before anything is looked up."""
    action, *args = button_data(turn).split(":")[1:]
    args, seen = seen_version(args)
    return action, int_arg(args, 0), args, seen


@handles("repairs.dispatch")
async def show(turn: Turn, context: Context, who: Asker) -> None:
    _, ticket_id, _, _ = _desk_args(turn)
    d, tr = context.desk, who.tr
    file = await views.ticket_file(d.db, ticket_id, who.user_id)
    await access_log.ticket_opened(d.db, who.person, file, d.now())
    await answer(turn, cards.summary(tr, d.settings, file, staff=True, viewer=who.member),
                 keyboard(desk_buttons(tr, file, who.member)))


@handles("repairs.dispatch")
async def pick_technician(turn: Turn, context: Context, who: Asker) -> None:
    _, ticket_id, _, seen = _desk_args(turn)
    d, tr = context.desk, who.tr
    ticket, technicians, _ = await dispatch.choices(d.db, ticket_id, who.user_id, seen)
    if not technicians:
        await answer(turn, tr("No technician has joined yet. Invite one with: estatedesk "
                                "staff invite --role technician"))
        return
    rows = [[(p.name, stamp(f"d:pt:{ticket.id}:{p.user_id}", seen))] for p in technicians]
    await answer(turn, tr("{ref}: which technician?", ref=ticket.ref), picker(tr, rows))


@handles("repairs.dispatch")
async def pick_contractor(turn: Turn, context: Context, who: Asker) -> None:
    _, ticket_id, _, seen = _desk_args(turn)
    d, tr = context.desk, who.tr
    ticket, _, contractors = await dispatch.choices(d.db, ticket_id, who.user_id, seen)
    if not contractors:
        await answer(turn, tr("No contractor is registered for this trade. Add one with: "
                                "estatedesk contractor add"))
        return
    rows = [[(c.name, stamp(f"d:pc:{ticket.id}:{c.id}", seen))] for c in contractors]
    await answer(turn, tr("{ref}: which responsible contractor?", ref=ticket.ref),
                 picker(tr, rows))


@handles("repairs.dispatch")
async def pick_own_technician(turn: Turn, context: Context, who: Asker) -> None:
    _, ticket_id, _, seen = _desk_args(turn)
    d, tr = context.desk, who.tr
    ticket, technicians, _ = await dispatch.choices(d.db, ticket_id, who.user_id, seen)
    rows = [[(p.name, stamp(f"d:po:{ticket.id}:{p.user_id}", seen))] for p in technicians]
    await answer(turn, tr("{ref}: which of our technicians takes over from the "
                            "contractor?", ref=ticket.ref), picker(tr, rows))


@handles("repairs.dispatch")
async def holder_chosen(turn: Turn, context: Context, who: Asker) -> None:
    """A technician (pt), a contractor (pc) or our own technician (po): the deadline next;
    a contractor that declined it is asked why it is theirs after all first."""
    action, ticket_id, args, seen = _desk_args(turn)
    if action == "pc" and await _ask_ruling(turn, context, who, ticket_id, int_arg(args, 1),
                                            seen):
        return
    await _ask_deadline(turn, context, who, ticket_id,
                        {"pt": "t", "pc": "c", "po": "o"}[action] + str(int_arg(args, 1)), seen)


@handles("repairs.dispatch")
async def ruled(turn: Turn, context: Context, who: Asker) -> None:
    """The unit that declined is liable after all, for this reason: the deadline next."""
    _, ticket_id, args, seen = _desk_args(turn)
    await _ask_deadline(turn, context, who, ticket_id, f"c{int_arg(args, 1)}r{int_arg(args, 2)}",
                        seen)


@handles("repairs.dispatch")
async def deadline_chosen(turn: Turn, context: Context, who: Asker) -> None:
    _, ticket_id, args, seen = _desk_args(turn)
    await _assign(turn, context, who, ticket_id, args, seen)


@handles("repairs.dispatch")
async def confirmed_by_phone(turn: Turn, context: Context, who: Asker) -> None:
    _, ticket_id, _, seen = _desk_args(turn)
    d, tr = context.desk, who.tr
    ticket = await onsite.confirm_by_phone(d.db, d.settings, ticket_id, who.user_id, d.now(),
                                           seen)
    kick(context)
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: the resident's confirmation by phone is recorded; the "
                            "job is closed.", ref=ticket.ref))


@handles("repairs.dispatch")
async def not_fixed_by_phone(turn: Turn, context: Context, who: Asker) -> None:
    """On the phone, the resident says it is not fixed: their reason next."""
    _, ticket_id, _, seen = _desk_args(turn)
    d, tr = context.desk, who.tr
    ticket = await onsite.start_not_fixed(d.db, ticket_id, who.user_id, d.now(), seen,
                                          by_phone=True)
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: what is still wrong, as the resident says? It reopens the "
                            "job to its holder.", ref=ticket.ref))


@handles("repairs.dispatch")
async def contractor_phoned(turn: Turn, context: Context, who: Asker) -> None:
    _, ticket_id, _, seen = _desk_args(turn)
    d, tr = context.desk, who.tr
    ticket = await dispatch.contractor_notified_by_phone(d.db, ticket_id, who.user_id,
                                                         d.now(), seen)
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: recorded that the contractor was notified by phone.",
                            ref=ticket.ref))


@handles("repairs.dispatch")
async def on_desk_button(turn: Turn, context: Context, who: Asker) -> None:
    """The desk card's other buttons: a complaint's (acknowledge, route) or a deadline's."""
    action, ticket_id, args, seen = _desk_args(turn)
    if not await complaint_desk.on_desk_button(turn, context, who, action, ticket_id, args,
                                               seen):
        await escalation.on_desk_button(turn, context, who, action, ticket_id, args, seen)


async def _ask_ruling(turn: Turn, context: Context, who: Asker, ticket_id: int,
                      contractor_id: int, seen: int | None) -> bool:
    """Sending a job back to the unit that declined it: first why it is theirs after all
    (the unit reads it). False when the unit is another one."""
    d, tr = context.desk, who.tr
    file = await views.ticket_file(d.db, ticket_id, who.user_id)
    _, _, contractors = await dispatch.choices(d.db, ticket_id, who.user_id, seen)
    unit = next((c for c in contractors if c.id == contractor_id), None)
    if unit is None or cards.declined_by(file) != unit.name:
        return False
    rows = [[(labels.of(tr, labels.RULINGS, r),
              stamp(f"d:ru:{ticket_id}:{unit.id}:{i}", seen))]
            for i, r in enumerate(unit_jobs.RULINGS)]
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: {unit} declined it. Why is it theirs after all? They read "
                            "your answer.", ref=file.ticket.ref, unit=unit.name),
                 picker(tr, rows))
    return True


async def _ask_deadline(turn: Turn, context: Context, who: Asker, ticket_id: int,
                        target: str, seen: int | None) -> None:
    d, tr = context.desk, who.tr
    ticket, _, contractors = await dispatch.choices(d.db, ticket_id, who.user_id, seen)
    contractor = next((c for c in contractors if f"c{c.id}" == target.split("r")[0]), None)
    visit = dispatch.visit_ends(d.settings, ticket)
    standard = dispatch.standard_deadline(ticket, contractor, d.now(), visit)
    rows = []
    if standard is not None:  # a target already missed, or before the visit, is not offered
        due, by_contract = standard
        label = tr("Contract: {deadline}", deadline=tr.datetime(due)) if by_contract else \
            tr("Service level: {deadline}", deadline=tr.datetime(due))
        rows.append([(label, stamp(f"d:dl:{ticket.id}:{target}:{dispatch.STANDARD}", seen))])
    days = dispatch.deadline_days(d.settings, ticket, d.now())
    others = [(tr.plural("{n} day", "{n} days", n), stamp(f"d:dl:{ticket.id}:{target}:{n}", seen))
              for n in days]
    rows += [others[i:i + 3] for i in range(0, len(others), 3)]
    text = tr("{ref}: repair deadline?", ref=ticket.ref)
    dropped = days != list(dispatch.DEADLINE_CHOICES) or standard is None and \
        dispatch.standard_deadline(ticket, contractor, d.now()) is not None
    if visit is not None and dropped:  # say why a choice is missing
        text += "\n" + tr("The resident chose {visit}: only deadlines after it are offered.",
                           visit=cards.visit(tr, ticket.visit_date, ticket.visit_slot))
    await clear_buttons(turn)
    await answer(turn, text, picker(tr, rows))


async def _assign(turn: Turn, context: Context, who: Asker, ticket_id: int,
                  args: list[str], seen: int | None) -> None:
    d, tr = context.desk, who.tr
    target = args[1] if len(args) > 1 else ""
    target, _, ruled = target.partition("r")
    target_id = int_arg([target[1:]], 0)
    ruling = unit_jobs.RULINGS[int_arg([ruled], 0) % len(unit_jobs.RULINGS)] if ruled else None
    days = int_arg(args, 2)
    if target[:1] in ("t", "o"):
        file = await dispatch.assign(d.db, d.settings, ticket_id, who.user_id, d.now(), days,
                                       technician_id=target_id, own_staff=target[:1] == "o",
                                       seen=seen)
    elif target[:1] == "c":
        file = await dispatch.assign(d.db, d.settings, ticket_id, who.user_id, d.now(), days,
                                       contractor_id=target_id, seen=seen, ruling=ruling)
    else:
        raise Refusal(Refusal.INVALID)
    kick(context)
    await clear_buttons(turn)
    ticket = file.ticket
    text = tr("{ref} assigned to {name}. Deadline: {deadline}.", ref=ticket.ref,
              name=cards.holder(tr, file), deadline=tr.datetime(ticket.deadline_at))
    if file.contractor is not None and ticket.unit_sent_at is not None:
        text += "\n" + tr("Sent to {name}'s people in the chat: the first to accept holds it; "
                          "you hear if they decline.", name=file.contractor.name)
    elif file.contractor is not None:
        text += "\n" + (tr("Please phone {name} at {phone}, then tap 'Notified by phone'.",
                            name=file.contractor.name, phone=cards.phone(file.contractor.phone))
                         if file.contractor.phone else
                         tr("Please phone the contractor, then tap 'Notified by phone'."))
    await answer(turn, text, keyboard(desk_buttons(tr, file, who.member)))


ROUTES = routes(
    commands={"queue": queue},
    buttons=[
        (r"^m:queue$", queue),
        (r"^d:v:", show),
        (r"^d:tech:", pick_technician),
        (r"^d:con:", pick_contractor),
        (r"^d:own:", pick_own_technician),
        (r"^d:pt:", holder_chosen),
        (r"^d:pc:", holder_chosen),
        (r"^d:po:", holder_chosen),
        (r"^d:ru:", ruled),
        (r"^d:dl:", deadline_chosen),
        (r"^d:cp:", confirmed_by_phone),
        (r"^d:nf:", not_fixed_by_phone),
        (r"^d:ph:", contractor_phoned),
        (r"^d:", on_desk_button),  # the complaint's and the deadline's buttons of a desk card
    ],
)
