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
    callback_args,
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


def _key_args(turn: Turn) -> tuple[int, list[str]]:
    """A key button's subject (the ticket, the loan) and its arguments, that id first; a
    forged id is refused before anything is looked up."""
    args = callback_args(turn)
    return int_arg(args, 0), args


@handles("button.per_action")
async def keys_for_job(turn: Turn, context: Context, who: Asker) -> None:
    """The holder chooses the keys the job needs."""
    ticket_id, _ = _key_args(turn)
    await allowed(context, who, "keys.for_job", ticket_id)
    await _pick(turn, context, who, ticket_id, None)


@handles("button.per_action")
async def key_toggled(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, args = _key_args(turn)
    await allowed(context, who, "keys.for_job", ticket_id)
    await _pick(turn, context, who, ticket_id, _chosen(args))


async def _pick(turn: Turn, context: Context, who: Asker, ticket_id: int,
                chosen: set[int] | None) -> None:
    """The picker of the unit's deposited keys: asked first (chosen None), then redrawn."""
    d, tr = context.desk, who.tr
    deposited = await keys.deposited(d.db, ticket_id, who.user_id)
    if not deposited:
        await answer(turn, tr("No keys of this unit are deposited with the office."))
        return
    markup = keyboard(_pick_rows(tr, ticket_id, deposited, chosen or set()))
    if chosen is None:
        await answer(turn, tr("Which keys does the job need? Tap each, then ask."), markup)
        return
    await context.channel.set_choices(turn, markup)


@handles("button.per_action")
async def ask_for_keys(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, args = _key_args(turn)
    d, tr = context.desk, who.tr
    await allowed(context, who, "keys.for_job", ticket_id)
    try:
        loan = await keys.for_job(d.db, ticket_id, who.user_id, d.now(), sorted(_chosen(args)))
    except Refusal as refused:
        if refused.reason != Refusal.NOT_FOUND:
            raise
        await answer(turn, tr("No keys of this unit are deposited with the office."))
        return
    await clear_buttons(turn)
    kick(context)
    await answer(turn, tr("The resident is asked to allow it ({ref}); you hear the "
                            "answer.", ref=loan.reason))


@handles("button.per_action")
async def resident_allows(turn: Turn, context: Context, who: Asker) -> None:
    await _consent(turn, context, who, True)


@handles("button.per_action")
async def resident_refuses(turn: Turn, context: Context, who: Asker) -> None:
    await _consent(turn, context, who, False)


async def _consent(turn: Turn, context: Context, who: Asker, given: bool) -> None:
    loan_id, _ = _key_args(turn)
    d, tr = context.desk, who.tr
    await allowed(context, who, "keys.consent", loan_id)
    done = await keys.consent(d.db, loan_id, who.user_id, given, d.now())
    await clear_buttons(turn)
    if done is None:
        await answer(turn, tr("This was already answered."))
        return
    kick(context)
    await answer(turn, tr("Thank you: the keys will be used for this job only, and "
                            "recorded.") if given else
                 tr("Understood: your keys stay with the office."))


@handles("button.per_action")
async def emergency(turn: Turn, context: Context, who: Asker) -> None:
    loan_id, _ = _key_args(turn)
    d = context.desk
    await allowed(context, who, "keys.emergency", loan_id)
    await keys.emergency(d.db, loan_id, who.user_id, d.now())
    await _recorded(turn, context, who)


@handles("button.per_action")
async def approve(turn: Turn, context: Context, who: Asker) -> None:
    await _decide(turn, context, who, True)


@handles("button.per_action")
async def refuse(turn: Turn, context: Context, who: Asker) -> None:
    await _decide(turn, context, who, False)


async def _decide(turn: Turn, context: Context, who: Asker, approved: bool) -> None:
    loan_id, _ = _key_args(turn)
    d = context.desk
    await allowed(context, who, "keys.decide", loan_id)
    if await keys.decide(d.db, loan_id, who.user_id, approved, d.now()) is None:
        await clear_buttons(turn)
        await answer(turn, who.tr("This was already answered."))
        return
    await _recorded(turn, context, who)


async def _recorded(turn: Turn, context: Context, who: Asker) -> None:
    await clear_buttons(turn)
    kick(context)
    await answer(turn, who.tr("Recorded."))


@handles("button.per_action")
async def hand_out(turn: Turn, context: Context, who: Asker) -> None:
    loan_id, _ = _key_args(turn)
    d, tr = context.desk, who.tr
    await allowed(context, who, "keys.hand_out", loan_id)
    loan = await keys.hand_out(d.db, loan_id, who.user_id, d.now())
    await clear_buttons(turn)
    kick(context)
    await answer(turn, tr("Handed out; due back {time}.", time=tr.datetime(
        loan.due_at or d.now())), keyboard([[(tr("Returned"), f"ky:back:{loan.id}")]]))


@handles("button.per_action")
async def take_back(turn: Turn, context: Context, who: Asker) -> None:
    loan_id, _ = _key_args(turn)
    d, tr = context.desk, who.tr
    await allowed(context, who, "keys.take_back", loan_id)
    loan_back = await keys.take_back(d.db, loan_id, who.user_id, d.now())
    await clear_buttons(turn)
    await answer(turn, tr("Returned: the keys are back in the cabinet.") if loan_back
                 else tr("This was already recorded."))


@handles("button.per_action")
async def unknown_key_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another ky: button (forged, or from an old version): its id is read first, as before."""
    _key_args(turn)
    raise Refusal(Refusal.INVALID)


ROUTES = routes(
    commands={"keys": register_view, "borrow": borrow},
    buttons=[
        (r"^ky:job(:|$)", keys_for_job),
        (r"^ky:pk(:|$)", key_toggled),
        (r"^ky:ask(:|$)", ask_for_keys),
        (r"^ky:y(:|$)", resident_allows),
        (r"^ky:n(:|$)", resident_refuses),
        (r"^ky:em(:|$)", emergency),
        (r"^ky:ok(:|$)", approve),
        (r"^ky:no(:|$)", refuse),
        (r"^ky:out(:|$)", hand_out),
        (r"^ky:back(:|$)", take_back),
        (r"^ky:", unknown_key_button),  # the last of ky:
    ],
)
