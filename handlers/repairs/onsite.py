"""The technician on site (/mytasks, on my way, arrived, complete with proof) and the
sign-offs that follow: the resident's confirm or 'not fixed', the supervisor's signature."""

from __future__ import annotations

from handlers import cards
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    allowed,
    answer,
    callback_args,
    clear_buttons,
    collect_photo,
    draft_at,
    handles,
    int_arg,
    keyboard,
    kick,
    main_menu,
    photo_ask,
    seen_version,
    text_answer,
)
from handlers.i18n import Tr
from handlers.office import materials
from handlers.repairs import unit_jobs
from handlers.repairs.actions import task_buttons, worker_buttons
from handlers.routes import routes
from storage.records import Draft, Person
from workflow import access, numbers, roles, views
from workflow import tickets as machine
from workflow.privacy import access as access_log
from workflow.repairs import onsite
from workflow.tickets import Refusal
from workflow.views import TicketFile


def task_card(tr: Tr, context: Context, file: TicketFile, viewer: Person) -> str:
    """The job as its worker may read it: the resident's contact while they hold it."""
    return cards.summary(tr, context.desk.settings, file, staff=True, viewer=viewer)


@handles("repairs.tasks")
async def my_tasks(turn: Turn, context: Context, who: Asker) -> None:
    if who.role == roles.CONTRACTOR:
        await unit_jobs.my_jobs(turn, context, who)
        return
    found, total = await onsite.my_tasks(context.desk.db, who.user_id)
    if not found:
        await answer(turn, who.tr("You have no open tasks."))
        return
    rows = [[(f"{t.ref} · {t.unit.label} · {cards.visit(who.tr, t.visit_date, t.visit_slot)}",
              f"w:v:{t.id}")] for t in found]
    head = who.tr("Your open tasks:")
    if total > len(found):
        head = who.tr("Your open tasks: {total} in all; these are the {shown} with the soonest "
                      "visits:", total=total, shown=len(found))
    await answer(turn, head, keyboard(rows))


def _task_args(turn: Turn) -> tuple[int, int | None]:
    """A technician's button's ticket and the card's version mark; a forged id is refused
    before anything is looked up."""
    args, seen = seen_version(callback_args(turn))
    return int_arg(args, 0), seen


@handles("button.per_action")
async def show_task(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, _ = _task_args(turn)
    d, tr = context.desk, who.tr
    await allowed(context, who, "tickets.view", ticket_id)
    file = await views.ticket_file(d.db, ticket_id, who.user_id)
    await access_log.ticket_opened(d.db, who.person, file, d.now())
    await answer(turn, task_card(tr, context, file, who.member),
                 keyboard(worker_buttons(tr, file, who.member)))


@handles("button.per_action")
async def on_my_way(turn: Turn, context: Context, who: Asker) -> None:
    await _progress(turn, context, who, machine.EN_ROUTE)


@handles("button.per_action")
async def arrived(turn: Turn, context: Context, who: Asker) -> None:
    await _progress(turn, context, who, machine.ON_SITE)


async def _progress(turn: Turn, context: Context, who: Asker, to: str) -> None:
    ticket_id, seen = _task_args(turn)
    # The workflow checks the relation after the card's version: a technician taken off the
    # job is told it moved on, not refused; the role first, so a stranger is refused, not
    # told of the job.
    if not access.may("repairs.progress", who.person):
        raise Refusal(Refusal.FORBIDDEN)
    d, tr = context.desk, who.tr
    file = await onsite.progress(d.db, d.settings, ticket_id, who.user_id, to, d.now(), seen)
    ticket = file.ticket
    kick(context)
    await clear_buttons(turn)
    done = tr("{ref}: the resident knows you are on the way.", ref=ticket.ref) \
        if to == machine.EN_ROUTE else tr("{ref}: arrival recorded.", ref=ticket.ref)
    if file.resident is not None and file.resident.unreachable:  # say only what is true
        done = tr("{ref}: recorded. The resident cannot be reached in the chat: please "
                  "phone them at {phone}.", ref=ticket.ref,
                  phone=cards.phone(file.resident.phone))
        await access_log.ticket_opened(d.db, who.person, file, d.now())
    await answer(turn, done, keyboard(task_buttons(tr, file)))


@handles("button.per_action")
async def start_completion(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, seen = _task_args(turn)
    if not access.may("repairs.work", who.person):  # the role first, as on the way
        raise Refusal(Refusal.FORBIDDEN)
    d, tr = context.desk, who.tr
    ticket = await onsite.start_completion(d.db, ticket_id, who.user_id, d.now(), seen)
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: please send at least one photo of the finished work, "
                            "then tap 'Done'.", ref=ticket.ref),
                 keyboard([[(tr("Cancel"), "r:x")]]), photo_ask(tr))


@handles("button.per_action")
async def photos_done(turn: Turn, context: Context, who: Asker) -> None:
    """A step of one's own completion record: it checks the job."""
    d = context.desk
    draft = await draft_at(context, who, onsite.COMPLETE_FLOW, "photos")
    await allowed(context, who, "repairs.work", draft.data["ticket_id"])
    if not await onsite.photos_done(d.db, who.user_id, d.now()):
        await answer(turn, who.tr("At least one photo of the finished work is needed."))
        return
    await clear_buttons(turn)
    await answer(turn, who.tr("What was done? A short note for the record (up to {limit} "
                                "characters).", limit=onsite.MAX_NOTE))


async def on_completion_message(turn: Turn, context: Context, who: Asker,
                                draft: Draft) -> None:
    """A message during the completion record (a step of the router)."""
    tr, d = who.tr, context.desk
    step, flow = draft.step, onsite.COMPLETE_FLOW
    if step == "photos":
        await collect_photo(turn, context, who, draft, onsite.MAX_PHOTOS, "w:pd")
        return
    if step == "note":
        text = await text_answer(turn, who, onsite.MAX_NOTE)
        if text is None:
            return
        await views.advance_draft(d.db, who.user_id, flow, "note", "hours", d.now(), note=text)
        await answer(turn, tr("Labour hours? For example: 1.5"))
        return
    if step == "materials":
        await materials.on_message(turn, context, who, draft)
        return
    if not turn.text:
        await answer(turn, tr("Please send a number between 0 and {limit}, for example 1.5.",
                                limit=tr.number(onsite.MAX_HOURS if step == "hours"
                                                else onsite.MAX_COST)))
        return
    value = numbers.hours(turn.text, tr.locale, maximum=onsite.MAX_HOURS) \
        if step == "hours" else \
        numbers.amount(turn.text, tr.locale, maximum=onsite.MAX_COST, zero=True)
    if step == "hours":
        if await onsite.hours_given(d.db, who.user_id, value, d.now()) == "materials":
            await materials.ask(turn, context, who, draft.data["ticket_id"])
        else:
            await answer(turn, tr("Materials cost? Send 0 if none."))
        return
    ticket = await onsite.complete(d.db, d.settings, who.user_id, d.now(), cost=value)
    if ticket is None:
        raise Refusal(Refusal.STALE)
    kick(context)
    await answer(turn, tr("{ref} is complete. The resident has been asked to confirm.",
                            ref=ticket.ref), main_menu(who))


def _resident_args(turn: Turn) -> int:
    return int_arg(callback_args(turn), 0)


@handles("button.per_action")
async def confirmed_fixed(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    ticket_id = _resident_args(turn)
    await allowed(context, who, "repairs.confirm_fixed", ticket_id)
    ticket, signed = await onsite.confirm(d.db, d.settings, ticket_id, who.user_id, d.now())
    kick(context)
    await clear_buttons(turn)
    text = tr("Thank you for confirming. {ref} is closed.", ref=ticket.ref)
    if signed:
        text += "\n" + tr("As the owner, your confirmation is also your signature on the "
                          "repair form.")
    await answer(turn, text, main_menu(who))


@handles("button.per_action")
async def not_fixed(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    ticket_id = _resident_args(turn)
    await allowed(context, who, "repairs.confirm_fixed", ticket_id)
    ticket = await onsite.start_not_fixed(d.db, ticket_id, who.user_id, d.now())
    await clear_buttons(turn)
    await answer(turn, tr("Sorry to hear that. What is still wrong with {ref}?",
                            ref=ticket.ref))


@handles("button.per_action")
async def unknown_signoff(turn: Turn, context: Context, who: Asker) -> None:
    """Another s: button (forged, or from an old version): refused as before, after the same
    checks of the ticket."""
    ticket_id = _resident_args(turn)
    await allowed(context, who, "repairs.confirm_fixed", ticket_id)
    raise Refusal(Refusal.INVALID)


async def on_reason(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The resident's reason for 'not fixed' (a step of the router)."""
    d = context.desk
    text = await text_answer(turn, who, onsite.MAX_REASON)
    if text is None:
        return
    ticket = await onsite.not_fixed(d.db, d.settings, who.user_id, text, d.now())
    if ticket is None:
        raise Refusal(Refusal.STALE)
    kick(context)
    await answer(turn, who.tr("We have reopened {ref} and passed your reason on.",
                                ref=ticket.ref), main_menu(who))



ROUTES = routes(
    commands={"mytasks": my_tasks},
    buttons=[
        (r"^m:mytasks$", my_tasks),
        # w:m… is the storeroom's (office)
        (r"^w:v(:|$)", show_task),
        (r"^w:go(:|$)", on_my_way),
        (r"^w:at(:|$)", arrived),
        (r"^w:done(:|$)", start_completion),
        (r"^w:pd(:|$)", photos_done),
        (r"^s:ok(:|$)", confirmed_fixed),
        (r"^s:no(:|$)", not_fixed),
        (r"^s:", unknown_signoff),  # the sign-offs' s:… are tried before (door.py)
    ],
)

