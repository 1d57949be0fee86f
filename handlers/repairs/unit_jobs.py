"""A responsible unit's person in the chat: the unit's jobs in /mytasks, accepting one (the
first accept wins) or declining it with a reason, which returns it to the desk."""

from __future__ import annotations

from handlers import cards, labels
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    allowed,
    answer,
    callback_args,
    clear_buttons,
    handles,
    happened_text,
    int_arg,
    keyboard,
    kick,
    main_menu,
    picker,
    seen_version,
    text_answer,
)
from handlers.repairs import visits
from handlers.repairs.actions import worker_buttons
from handlers.routes import routes
from storage.records import Draft
from workflow import views
from workflow.privacy import need_to_know
from workflow.repairs import unit_jobs, visit_times
from workflow.tickets import Refusal

JOBS_SHOWN = 30


async def my_jobs(turn: Turn, context: Context, who: Asker) -> None:
    """/mytasks for a unit's person: what waits for the unit to take, then their own."""
    tr = who.tr
    waiting, own = await unit_jobs.jobs(context.desk.db, who.user_id, JOBS_SHOWN)
    if not waiting and not own:
        await answer(turn, tr("Your unit has no open jobs."))
        return
    settings = context.desk.settings
    rows = [[(f"{t.ref} · {t.unit.label} · {labels.category(tr, settings, t.category)}",
              f"w:v:{t.id}")] for t in waiting]
    rows += [[(f"{t.ref} · {t.unit.label} · {cards.visit(tr, t.visit_date, t.visit_slot)}",
               f"w:v:{t.id}")] for t in own]
    await answer(turn, tr("Waiting for your unit to accept: {waiting}. Yours: {own}.",
                            waiting=len(waiting), own=len(own)), keyboard(rows))


def _job_args(turn: Turn) -> tuple[int, list[str], int | None]:
    """A unit's job button's ticket, its arguments (that id first) and the card's version
    mark; a forged id is refused before anything is looked up."""
    args, seen = seen_version(callback_args(turn))
    return int_arg(args, 0), args, seen


async def _still_theirs(context: Context, who: Asker, action: str, ticket_id: int) -> None:
    """The table's rule for the job; when the job moved on (a colleague took it, the desk
    sent it elsewhere) what happened is said, not "not allowed". (Accept and decline ask
    inside, after the card's version.)"""
    try:
        await allowed(context, who, action, ticket_id)
    except Refusal:
        if await views.no_longer_theirs(context.desk.db, ticket_id, who.user_id):
            raise Refusal(Refusal.HANDLED, ticket_id) from None  # said so, buttons dropped
        raise


@handles("repairs.unit_job")
async def accept(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, _, seen = _job_args(turn)
    d, tr = context.desk, who.tr
    ticket = await unit_jobs.accept(d.db, d.settings, ticket_id, who.user_id, d.now(), seen)
    kick(context)
    await clear_buttons(turn)
    file = await views.ticket_file(d.db, ticket.id, who.user_id)
    text = tr("{ref} is yours. The resident prefers {visit}; the deadline is {deadline}.",
              ref=ticket.ref, visit=cards.visit(tr, ticket.visit_date, ticket.visit_slot),
              deadline=tr.datetime(ticket.deadline_at))
    if need_to_know.sees_contact(who.member, file.ticket):  # the offer had the unit alone
        text += "\n" + "\n".join([tr("Unit: {unit}", unit=file.ticket.unit.label),
                                   *cards.contact_lines(tr, file)])
    await answer(turn, text, keyboard(worker_buttons(tr, file, who.member)))


@handles("repairs.unit_job")
async def start_decline(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, _, seen = _job_args(turn)
    d, tr = context.desk, who.tr
    ticket = await unit_jobs.start_decline(d.db, ticket_id, who.user_id, d.now(), seen)
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: why does your unit decline it? Tap a reason or type "
                            "your own.", ref=ticket.ref), keyboard(
        [[(labels.of(tr, labels.DECLINE_REASONS, r), f"u:r:{ticket.id}:{r}")]
         for r in unit_jobs.REASONS] + [[(tr("Cancel"), "r:x")]]))


@handles("repairs.unit_job")
async def propose_visit(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, _, _ = _job_args(turn)
    await _still_theirs(context, who, "repairs.propose_visit", ticket_id)
    tr = who.tr
    await answer(turn, tr("Which day will you visit?"),
                 picker(tr, visits.day_rows(tr, context, f"u:pd:{ticket_id}")))


@handles("repairs.unit_job")
async def visit_day_chosen(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, args, _ = _job_args(turn)
    await _still_theirs(context, who, "repairs.propose_visit", ticket_id)
    tr = who.tr
    await clear_buttons(turn)
    await answer(turn, tr("Which time of day?"), picker(tr, visits.slot_rows(
        tr, context, args[1] if len(args) > 1 else "", f"u:ps:{ticket_id}")))


@handles("repairs.unit_job")
async def visit_proposed(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, args, _ = _job_args(turn)
    await _still_theirs(context, who, "repairs.propose_visit", ticket_id)
    d, tr = context.desk, who.tr
    day, slot = (args[1], args[2]) if len(args) > 2 else ("", "")
    ticket = await visit_times.propose(d.db, d.settings, ticket_id, who.user_id, day, slot,
                                       d.now())
    kick(context)
    await clear_buttons(turn)
    text = tr("{ref}: {visit} is proposed to the resident; you hear when they answer.",
              ref=ticket.ref, visit=cards.visit(tr, day, slot))
    if visit_times.after_deadline(d.settings, ticket, day, slot):
        text += "\n" + tr("Careful: this is an emergency, due by {deadline}, and that visit "
                           "is after it. Please go sooner, or tell the desk why you "
                           "cannot.", deadline=tr.datetime(ticket.deadline_at))
    await answer(turn, text)


@handles("repairs.unit_job")
async def reason_chosen(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, args, _ = _job_args(turn)
    await _still_theirs(context, who, "repairs.unit_job", ticket_id)
    reason = args[1] if len(args) > 1 else ""
    if reason not in unit_jobs.REASONS:
        raise Refusal(Refusal.INVALID)
    await clear_buttons(turn)
    await _decline(turn, context, who, labels.of(who.tr, labels.DECLINE_REASONS, reason))


@handles("repairs.unit_job")
async def unknown_job_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another u: button (forged, or from an old version): refused after the same checks of
    the job as before."""
    ticket_id, _, _ = _job_args(turn)
    await _still_theirs(context, who, "repairs.unit_job", ticket_id)
    raise Refusal(Refusal.INVALID)


async def _decline(turn: Turn, context: Context, who: Asker, reason: str) -> None:
    d = context.desk
    ticket, declined = await unit_jobs.decline(d.db, d.settings, who.user_id, reason, d.now())
    if not declined:  # a colleague took it meanwhile, or the desk sent it elsewhere: who
        last, _ = await views.stale_view(d.db, ticket.id, who.user_id)
        text = who.tr("The job changed while you wrote: nothing was declined. See /mytasks.")
        await answer(turn, (happened_text(who, last) + "\n" if last else "") + text,
                     main_menu(who))
        return
    kick(context)
    await answer(turn, who.tr("{ref} is declined and back with the desk, with your reason.",
                                ref=ticket.ref), main_menu(who))


async def on_reason(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """A typed reason for declining (a step of the router)."""
    reason = await text_answer(turn, who, unit_jobs.MAX_REASON)
    if reason is not None:
        await _decline(turn, context, who, reason)



ROUTES = routes(
    buttons=[
        (r"^u:ok(:|$)", accept),
        (r"^u:no(:|$)", start_decline),
        (r"^u:pv(:|$)", propose_visit),
        (r"^u:pd(:|$)", visit_day_chosen),
        (r"^u:ps(:|$)", visit_proposed),
        (r"^u:r(:|$)", reason_chosen),
        (r"^u:", unknown_job_button),  # the last of u:
    ],
)
