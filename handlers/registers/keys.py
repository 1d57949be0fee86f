"""The key register in the chat: a worker asks for a unit's deposited keys from the job's
card, choosing the keys the job needs; the resident consents (or a supervisor declares an
emergency); /borrow asks for one of the estate's keys with a reason a supervisor approves; the
key keeper hands keys out and takes them back from /keys, which also shows what is out and
each kind's spare set, and the loan history: /keys TAG of a key, /keys A 12F-3 of a unit's
keys, /keys export of every loan as a workbook."""

from __future__ import annotations

import tempfile
from pathlib import Path

from handlers import labels
from handlers.channels.turns import Turn
from handlers.common import (
    CLOSE,
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
from handlers.office import spreadsheets
from handlers.routes import routes
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
        line = tr.after(line, tr("(due back {time})", time=tr.datetime(loan.due_at)))
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
async def register_view(turn: Turn, context: Context, who: Asker) -> None:
    """/keys: the loans waiting or out, then each kind's emergency spare set; /keys TAG or
    /keys A 12F-3: the loan history of a key or of a unit's keys; /keys export: every loan
    as a workbook."""
    tr = who.tr
    subject = " ".join(context.args or []).strip()
    if subject.lower() == EXPORT:
        await export(turn, context, who)
        return
    if subject:
        await history(turn, context, who, subject)
        return
    loans, spares = await keys.register_view(context.desk.db, who.user_id)
    names = await _names(context, [loan.borrower_id for loan, _ in loans])
    if not loans:
        await answer(turn, tr("No keys are out or asked for."))
    for loan, found in loans:
        buttons = loan_buttons(tr, loan, who.role)
        await answer(turn, loan_line(tr, loan, found, names.get(loan.borrower_id, "")),
                     keyboard([buttons]) if buttons else None)
    if spares:
        await answer(turn, tr("Emergency spare sets:") + "\n" + "\n".join(
            "· " + spare_line(tr, s) for s in spares))


def spare_line(tr: Tr, found: keys.SpareSet) -> str:
    kind = labels.of(tr, labels.KEY_KINDS, found.kind)
    if found.total == 0:
        return tr("{kind}: no spare set", kind=kind)
    if found.complete:
        return tr("{kind}: complete", kind=kind)
    line = tr("{kind}: {present} of {total} in the cabinet", kind=kind, present=found.present,
              total=found.total)
    if found.missing:
        line = tr("{line}; no spare for {keys}", line=line, keys=tr.join(
            f"{k.label} ({k.tag})" for k in found.missing))
    if found.out:
        line = tr("{line}; the spare is out for {keys}", line=line, keys=tr.join(
            f"{k.label} ({k.tag})" for k in found.out))
    return line


EXPORT = "export"


def history_line(tr: Tr, loan: Loan, found: list[Key], names: dict[int, str]) -> str:
    """A loan in the history: which keys, to whom, why, who handed out, when, when back."""
    line = tr("{out}: {keys} to {who} for {reason}, handed out by {keeper}", out=tr.datetime(
        loan.out_at or loan.requested_at), keys=key_names(tr, found),
        who=names.get(loan.borrower_id, ""), reason=loan.reason,
        keeper=names.get(loan.handed_out_by or 0, "") or "—")
    if loan.returned_at is not None:
        return tr("{line}; back {time}, taken by {keeper}", line=line, time=tr.datetime(
            loan.returned_at), keeper=names.get(loan.taken_back_by or 0, "") or "—")
    return tr("{line}; not back yet (due {time})", line=line, time=tr.datetime(
        loan.due_at or loan.requested_at))


HISTORY_SHOWN = 15  # the chat shows the newest; the workbook has them all


async def history(turn: Turn, context: Context, who: Asker, subject: str) -> None:
    tr = who.tr
    try:
        name, found, names = await keys.history(context.desk.db, who.user_id, subject)
    except Refusal as refused:
        if refused.reason != Refusal.NOT_FOUND:
            raise
        await answer(turn, tr("No key has the tag {tag}, and no unit is called so. Write "
                                "/keys TAG, /keys A 12F-3 or /keys export.", tag=subject))
        return
    if not found:
        await answer(turn, tr("{name}: no key of it has been handed out yet.", name=name))
        return
    lines = [history_line(tr, loan, keys_, names) for loan, keys_ in found[:HISTORY_SHOWN]]
    more = len(found) - HISTORY_SHOWN
    await answer(turn, tr("Loan history of {name}:", name=name) + "\n" + "\n".join(
        "· " + line for line in lines) + ("\n" + tr("… and {n} earlier: /keys export",
                                                    n=more) if more > 0 else ""))


async def export(turn: Turn, context: Context, who: Asker) -> None:
    """Every loan that went out, as an Excel workbook."""
    d, tr = context.desk, who.tr
    _, found, names = await keys.history(d.db, who.user_id)
    name = spreadsheets.file_name("key-loans", f"{d.now().astimezone(d.settings.tz):%Y-%m-%d}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        spreadsheets.key_loans_xlsx(tr, d.settings, found, names, path)
        with path.open("rb") as document:
            await context.channel.send_document(turn.address, document, filename=name,
                                            caption=tr("Key loans: {n}", n=len(found)))


async def _names(context: Context, user_ids: list[int]) -> dict[int, str]:
    found = {}
    for user_id in set(user_ids):
        person = await views.person(context.desk.db, user_id)
        found[user_id] = person.name if person else ""
    return found


@handles("keys.borrow")
async def borrow(turn: Turn, context: Context, who: Asker) -> None:
    """/borrow <tag> <reason>: one of the estate's keys, for a work reason."""
    tr, d = who.tr, context.desk
    args = context.args or []
    reason = " ".join(args[1:]).strip()
    if not args or not reason or len(reason) > keys.MAX_REASON:
        await answer(turn, tr("Please give the key's tag and the reason, for example: "
                                "/borrow PR-B1 check the pump room's water leak"))
        return
    try:
        loan = await keys.for_reason(d.db, who.user_id, args[0].strip().upper(), reason,
                                     d.now())
    except Refusal as refused:
        if refused.reason == Refusal.NOT_FOUND:
            await answer(turn, tr("No key has the tag {tag}.", tag=args[0]))
            return
        if refused.reason == Refusal.FORBIDDEN and roles.is_staff(who.role):
            await answer(turn, tr("A resident's key goes out only for a job, with the "
                                    "resident's consent: ask from the job's card."))
            return
        raise
    kick(context)
    await answer(turn, tr("Asked: a supervisor approves, then the key keeper hands it out "
                            "(request {id}).", id=loan.id))


# Each button's action in the table of who may (workflow/access.py); its record is the
# loan (the job's ticket for "job").
BUTTONS = {"job": "keys.for_job", "pk": "keys.for_job", "ask": "keys.for_job",
           "y": "keys.consent", "n": "keys.consent",
           "em": "keys.emergency", "ok": "keys.decide", "no": "keys.decide",
           "out": "keys.hand_out", "back": "keys.take_back"}


def _chosen(args: list[str]) -> set[int]:
    """The key ids a picker button carries ("12.13"); the workflow checks they are the
    unit's."""
    text = args[1] if len(args) > 1 else ""
    return {int(p) for p in text.split(".") if p.isdigit() and len(p) < 12}


def _pick_rows(tr: Tr, ticket_id: int, deposited: list[Key],
               chosen: set[int]) -> list[list[tuple[str, str]]]:
    def ids(found: set[int]) -> str:
        return ".".join(str(i) for i in sorted(found))
    rows = [[(("☑ " if k.id in chosen else "☐ ") + key_names(tr, [k]),
              f"ky:pk:{ticket_id}:{ids(chosen ^ {k.id})}")] for k in deposited]
    if chosen:
        rows.append([(tr("Ask for these keys"), f"ky:ask:{ticket_id}:{ids(chosen)}")])
    return rows + [[(tr("Close"), CLOSE)]]


@handles("button.per_action")
async def on_button(turn: Turn, context: Context, who: Asker) -> None:
    action, *args = button_data(turn).split(":")[1:]
    d, tr = context.desk, who.tr
    subject = int_arg(args, 0)
    if action not in BUTTONS:
        raise Refusal(Refusal.INVALID)
    await allowed(context, who, BUTTONS[action], subject)
    if action in ("job", "pk"):  # the holder chooses the keys the job needs
        deposited = await keys.deposited(d.db, subject, who.user_id)
        if not deposited:
            await answer(turn, tr("No keys of this unit are deposited with the office."))
            return
        chosen = _chosen(args) if action == "pk" else set()
        markup = keyboard(_pick_rows(tr, subject, deposited, chosen))
        if action == "job":
            await answer(turn, tr("Which keys does the job need? Tap each, then ask."),
                         markup)
            return
        await context.channel.set_choices(turn, markup)
        return
    if action == "ask":
        try:
            loan = await keys.for_job(d.db, subject, who.user_id, d.now(), sorted(_chosen(args)))
        except Refusal as refused:
            if refused.reason != Refusal.NOT_FOUND:
                raise
            await answer(turn, tr("No keys of this unit are deposited with the office."))
            return
        await clear_buttons(turn)
        kick(context)
        await answer(turn, tr("The resident is asked to allow it ({ref}); you hear the "
                                "answer.", ref=loan.reason))
        return
    if action in ("y", "n"):
        done = await keys.consent(d.db, subject, who.user_id, action == "y", d.now())
        await clear_buttons(turn)
        if done is None:
            await answer(turn, tr("This was already answered."))
            return
        kick(context)
        await answer(turn, tr("Thank you: the keys will be used for this job only, and "
                                "recorded.") if action == "y" else
                     tr("Understood: your keys stay with the office."))
        return
    if action == "em":
        await keys.emergency(d.db, subject, who.user_id, d.now())
    elif action in ("ok", "no"):
        if await keys.decide(d.db, subject, who.user_id, action == "ok", d.now()) is None:
            await clear_buttons(turn)
            await answer(turn, tr("This was already answered."))
            return
    elif action == "out":
        loan = await keys.hand_out(d.db, subject, who.user_id, d.now())
        await clear_buttons(turn)
        kick(context)
        await answer(turn, tr("Handed out; due back {time}.", time=tr.datetime(
            loan.due_at or d.now())), keyboard([[(tr("Returned"), f"ky:back:{loan.id}")]]))
        return
    elif action == "back":
        loan_back = await keys.take_back(d.db, subject, who.user_id, d.now())
        await clear_buttons(turn)
        await answer(turn, tr("Returned: the keys are back in the cabinet.") if loan_back
                     else tr("This was already recorded."))
        return
    else:
        raise Refusal(Refusal.INVALID)
    await clear_buttons(turn)
    kick(context)
    await answer(turn, tr("Recorded."))



ROUTES = routes(
    commands={"keys": register_view, "borrow": borrow},
    buttons=[
        (r"^ky:", on_button),
    ],
)
