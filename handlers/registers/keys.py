"""The key register in the chat: a worker asks for a unit's deposited keys from the job's
card; the resident consents (or a supervisor declares an emergency); /borrow asks for one of
the estate's keys with a reason a supervisor approves; the key keeper hands keys out and takes
them back from /keys, which also shows what is out and each kind's spare set."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers import labels
from handlers.common import (
    PRIVATE,
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
)
from handlers.i18n import Tr
from storage.registers.keys import Key, Loan
from workflow import roles, views
from workflow.registers import keys
from workflow.tickets import Refusal


def key_names(tr: Tr, found: list[Key]) -> str:
    return tr.join(f"{labels.of(tr, labels.KEY_KINDS, k.kind)} {k.label} ({k.tag})"
                   for k in found)


def loan_line(tr: Tr, loan: Loan, found: list[Key], who: str) -> str:
    state = labels.of(tr, labels.LOAN_STATES, loan.state)
    line = tr("{keys}: {who}, for {reason}; {state}", keys=key_names(tr, found), who=who,
              reason=loan.reason, state=state)
    if loan.due_at is not None and loan.state == keys.OUT:
        line += " " + tr("(due back {time})", time=tr.datetime(loan.due_at))
    return line


def loan_buttons(tr: Tr, loan: Loan, role: str | None) -> list[tuple[str, str]]:
    """What the viewer may do with a loan from here, by its state."""
    if role == roles.KEY_KEEPER and loan.state == keys.READY:
        return [(tr("Handed out"), f"ky:out:{loan.id}")]
    if role == roles.KEY_KEEPER and loan.state == keys.OUT:
        return [(tr("Returned"), f"ky:back:{loan.id}")]
    if roles.can_sign_as_supervisor(role) and loan.state == keys.APPROVAL:
        return [(tr("Approve"), f"ky:ok:{loan.id}"), (tr("Refuse"), f"ky:no:{loan.id}")]
    if roles.can_sign_as_supervisor(role) and loan.state == keys.CONSENT:
        return [(tr("Emergency: enter now"), f"ky:em:{loan.id}")]
    return []


@handles("keys.view")
async def register_view(update: Update, context: Context, who: Asker) -> None:
    """/keys: the loans waiting or out, then each kind's emergency spare set."""
    tr = who.tr
    loans, spares = await keys.register_view(context.desk.db, who.user_id)
    names = await _names(context, [loan.borrower_id for loan, _ in loans])
    if not loans:
        await answer(update, tr("No keys are out or asked for."))
    for loan, found in loans:
        buttons = loan_buttons(tr, loan, who.role)
        await answer(update, loan_line(tr, loan, found, names.get(loan.borrower_id, "")),
                     keyboard([buttons]) if buttons else None)
    if spares:
        await answer(update, tr("Emergency spare sets:") + "\n" + "\n".join(
            "· " + spare_line(tr, s) for s in spares))


def spare_line(tr: Tr, found: keys.SpareSet) -> str:
    kind = labels.of(tr, labels.KEY_KINDS, found.kind)
    if found.total == 0:
        return tr("{kind}: no spare set", kind=kind)
    if found.complete:
        return tr("{kind}: complete", kind=kind)
    return tr("{kind}: {present} of {total} in the cabinet", kind=kind, present=found.present,
              total=found.total)


async def _names(context: Context, user_ids: list[int]) -> dict[int, str]:
    found = {}
    for user_id in set(user_ids):
        person = await views.person(context.desk.db, user_id)
        found[user_id] = person.name if person else ""
    return found


@handles("keys.borrow")
async def borrow(update: Update, context: Context, who: Asker) -> None:
    """/borrow <tag> <reason>: one of the estate's keys, for a work reason."""
    tr, d = who.tr, context.desk
    args = context.args or []
    reason = " ".join(args[1:]).strip()
    if not args or not reason or len(reason) > keys.MAX_REASON:
        await answer(update, tr("Please give the key's tag and the reason, for example: "
                                "/borrow PR-B1 check the pump room's water leak"))
        return
    try:
        loan = await keys.for_reason(d.db, who.user_id, args[0].strip().upper(), reason,
                                     d.now())
    except Refusal as refused:
        if refused.reason == Refusal.NOT_FOUND:
            await answer(update, tr("No key has the tag {tag}.", tag=args[0]))
            return
        if refused.reason == Refusal.FORBIDDEN and roles.is_staff(who.role):
            await answer(update, tr("A resident's key goes out only for a job, with the "
                                    "resident's consent: ask from the job's card."))
            return
        raise
    kick(context)
    await answer(update, tr("Asked: a supervisor approves, then the key keeper hands it out "
                            "(request {id}).", id=loan.id))


# Each button's action in the table of who may (workflow/access.py); its record is the
# loan (the job's ticket for "job").
BUTTONS = {"job": "keys.for_job", "y": "keys.consent", "n": "keys.consent",
           "em": "keys.emergency", "ok": "keys.decide", "no": "keys.decide",
           "out": "keys.hand_out", "back": "keys.take_back"}


@handles("button.per_action")
async def on_button(update: Update, context: Context, who: Asker) -> None:
    action, *args = button_data(update).split(":")[1:]
    d, tr = context.desk, who.tr
    subject = int_arg(args, 0)
    if action not in BUTTONS:
        raise Refusal(Refusal.INVALID)
    await allowed(context, who, BUTTONS[action], subject)
    if action == "job":
        try:
            loan = await keys.for_job(d.db, subject, who.user_id, d.now())
        except Refusal as refused:
            if refused.reason != Refusal.NOT_FOUND:
                raise
            await answer(update, tr("No keys of this unit are deposited with the office."))
            return
        kick(context)
        await answer(update, tr("The resident is asked to allow it ({ref}); you hear the "
                                "answer.", ref=loan.reason))
        return
    if action in ("y", "n"):
        done = await keys.consent(d.db, subject, who.user_id, action == "y", d.now())
        await clear_buttons(update)
        if done is None:
            await answer(update, tr("This was already answered."))
            return
        kick(context)
        await answer(update, tr("Thank you: the keys will be used for this job only, and "
                                "recorded.") if action == "y" else
                     tr("Understood: your keys stay with the office."))
        return
    if action == "em":
        await keys.emergency(d.db, subject, who.user_id, d.now())
    elif action in ("ok", "no"):
        if await keys.decide(d.db, subject, who.user_id, action == "ok", d.now()) is None:
            await clear_buttons(update)
            await answer(update, tr("This was already answered."))
            return
    elif action == "out":
        loan = await keys.hand_out(d.db, subject, who.user_id, d.now())
        await clear_buttons(update)
        kick(context)
        await answer(update, tr("Handed out; due back {time}.", time=tr.datetime(
            loan.due_at or d.now())), keyboard([[(tr("Returned"), f"ky:back:{loan.id}")]]))
        return
    elif action == "back":
        loan_back = await keys.take_back(d.db, subject, who.user_id, d.now())
        await clear_buttons(update)
        await answer(update, tr("Returned: the keys are back in the cabinet.") if loan_back
                     else tr("This was already recorded."))
        return
    else:
        raise Refusal(Refusal.INVALID)
    await clear_buttons(update)
    kick(context)
    await answer(update, tr("Recorded."))


def register(app) -> None:
    app.add_handler(CommandHandler("keys", register_view, filters=PRIVATE))
    app.add_handler(CommandHandler("borrow", borrow, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^ky:"))
