"""The archive in the chat: /archive CODE reason asks to borrow an item, /archive CODE read
reason to read it in the archive room (a manager decides, and a refusal says why);
/archive CODE inspection reason records an inspection by the higher departments;
/archive CODE history shows the item's changes and who made them; /archives shows the
archivist and managers what waits or is out, and when the next check is due, with the check
recorded from there."""

from __future__ import annotations

from handlers import labels
from handlers.channels.turns import Turn
from handlers.common import (
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
    main_menu,
    text_answer,
)
from handlers.i18n import N_, Tr
from handlers.routes import routes
from storage.records import Draft
from storage.registers.archives import Change, Item, Loan
from workflow import roles, views
from workflow.registers import archives
from workflow.tickets import Refusal

INSPECTION = "inspection"
READ = ("read", "閱覽", "阅览")  # on site: the item does not leave the archive room
HISTORY = ("history", "紀錄", "记录")


def item_name(tr: Tr, item: Item) -> str:
    return tr("{code} {title} ({kind}, {level}, at {location})", code=item.code,
              title=item.title, kind=labels.of(tr, labels.ARCHIVE_KINDS, item.kind),
              level=labels.of(tr, labels.CONFIDENTIALITY, item.confidentiality),
              location=item.location)


def loan_line(tr: Tr, loan: Loan, item: Item, who: str) -> str:
    line = tr("{item}: {who}, for {reason}; {state}", item=item_name(tr, item), who=who,
              reason=loan.reason, state=labels.of(tr, labels.ARCHIVE_STATES, loan.state))
    if loan.inspection:
        line = tr.after(line, tr("(an inspection by the higher departments)"))
    if loan.on_site:
        line = tr.after(line, tr("(to read in the archive room)"))
    elif loan.state in (archives.APPROVAL, archives.READY):  # out: its due time says it
        line = tr.after(line, tr("(to borrow)"))
    if loan.state == archives.OUT and loan.due_at is not None:
        line = tr.after(line, tr("(due back {time})", time=tr.datetime(loan.due_at)))
    return line


def loan_buttons(tr: Tr, loan: Loan, role: str | None) -> list[tuple[str, str]]:
    if role == roles.MANAGER and loan.state == archives.APPROVAL:
        return [(tr("Approve"), f"ar:ok:{loan.id}"), (tr("Refuse"), f"ar:no:{loan.id}")]
    if role == roles.ARCHIVIST and loan.state == archives.READY:
        return [(tr("Handed over to read here") if loan.on_site else tr("Handed out"),
                 f"ar:out:{loan.id}")]
    if role == roles.ARCHIVIST and loan.state == archives.OUT:
        return [(tr("Returned"), f"ar:back:{loan.id}")]
    return []


@handles("archives.ask")
async def ask(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    args = context.args or []
    word = args[1].lower() if len(args) > 1 else ""
    if word in HISTORY and len(args) == 2:
        await allowed(context, who, "archives.history")
        await history(turn, context, who, args[0])
        return
    inspecting, reading = word == INSPECTION, word in READ
    reason = " ".join(args[2:] if inspecting or reading else args[1:]).strip()
    if not args or not reason or len(reason) > archives.MAX_REASON:
        await answer(turn, tr("Please give the item's code and the reason: /archive "
                                "DRW-A-07 check the riser's route to borrow it, /archive "
                                "DRW-A-07 read check the riser's route to read it in the "
                                "archive room."))
        return
    try:
        if inspecting:
            await allowed(context, who, "archives.inspect")
            await archives.inspection(d.db, who.user_id, args[0], reason, d.now())
        else:
            await archives.request(d.db, who.user_id, args[0], reason, d.now(), reading)
    except Refusal as refused:
        if refused.reason != Refusal.NOT_FOUND:
            raise
        await answer(turn, tr("No archive item has the code {code}.", code=args[0]))
        return
    kick(context)
    await answer(turn, tr("Recorded as an inspection: the archivist hands it out.")
                 if inspecting else
                 tr("Asked to read it in the archive room: a manager decides, then the "
                    "archivist hands it to you there.") if reading else
                 tr("Asked: a manager decides, then the archivist hands it out."))


async def history(turn: Turn, context: Context, who: Asker, code: str) -> None:
    """/archive CODE history: every change to the item, when, and who made it."""
    tr = who.tr
    try:
        item, changes, names = await archives.history(context.desk.db, who.user_id, code)
    except Refusal as refused:
        if refused.reason != Refusal.NOT_FOUND:
            raise
        await answer(turn, tr("No archive item has the code {code}.", code=code))
        return
    lines = [tr("{time}: {what} (by {who})", time=tr.datetime(c.at),
                what=_what(tr, c.what),
                who=_changed_by(tr, c, names)) for c in changes]
    await answer(turn, tr("Changes to {item}:", item=item_name(tr, item)) + "\n" + "\n".join(
        "· " + line for line in lines[-HISTORY_SHOWN:]))


HISTORY_SHOWN = 30


FIELDS = {"title": N_("Title"), "kind": N_("Kind"), "location": N_("Location"),
          "confidentiality": N_("Confidentiality")}


def _what(tr: Tr, what: str) -> str:
    """A change as stored ("added", or "location: Cabinet 3 → Cabinet 4; kind: …") in the
    reader's words."""
    if what == "added":
        return tr("added")
    parts = []
    for part in what.split("; "):
        field, _, values = part.partition(": ")
        before, arrow, after = values.partition(" → ")
        table = {"kind": labels.ARCHIVE_KINDS,
                 "confidentiality": labels.CONFIDENTIALITY}.get(field)
        if field not in FIELDS or not arrow:
            parts.append(part)  # written otherwise: as it is
            continue
        if table is not None:
            before, after = labels.of(tr, table, before), labels.of(tr, table, after)
        parts.append(tr("{field}: {before} → {after}", field=tr(FIELDS[field]),
                        before=before, after=after))
    return tr.join(parts)


def _changed_by(tr: Tr, change: Change, names: dict[int, str]) -> str:
    imported = archives.imported_by(change.source)
    if imported is not None:
        return tr("the import of {file}, run by {account}", file=imported[0],
                  account=imported[1])
    return names.get(change.actor_id or 0, "") or change.source or "—"


@handles("archives.view")
async def register_view(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    loans, due = await archives.register_view(d.db, who.user_id, d.now())
    for loan, item in loans:
        person = await views.person(d.db, loan.requester_id)
        buttons = loan_buttons(tr, loan, who.role)
        await answer(turn, loan_line(tr, loan, item, person.name if person else ""),
                     keyboard([buttons]) if buttons else None)
    text = tr("Nothing of the archive is out or asked for.") if not loans else ""
    if due is not None:
        text += ("\n" if text else "") + tr("The next check is due {date}.",
                                            date=tr.datetime(due))
    checks = [[(tr("Record a check: in order"), "ar:ck:ok"),
               (tr("Record a check: problems found"), "ar:ck:bad")]] \
        if who.role == roles.ARCHIVIST else None
    await answer(turn, text or tr("The archive has no items yet."),
                 keyboard(checks) if checks else None)


@handles("button.per_action")
async def record_check(turn: Turn, context: Context, who: Asker) -> None:
    """The archivist records a check of the archive: in order, or problems found."""
    d, tr = context.desk, who.tr
    await allowed(context, who, "archives.keep")
    args = callback_args(turn)
    if not args or args[0] not in ("ok", "bad"):
        raise Refusal(Refusal.INVALID)
    await views.start_draft(d.db, Draft(who.user_id, archives.CHECK_FLOW, "result",
                                        {"in_order": args[0] == "ok"}), d.now())
    await answer(turn, tr("What did the check find? A short note for the record."))


def _loan(turn: Turn) -> int:
    """The loan a button names; a forged id is refused before anything is looked up."""
    return int_arg(callback_args(turn), 0)


@handles("button.per_action")
async def approve(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    loan_id = _loan(turn)
    await allowed(context, who, "archives.decide")
    done = await archives.decide(d.db, loan_id, who.user_id, True, d.now())
    await _recorded(turn, context, tr("Recorded.") if done else
                    tr("This was already answered."))


@handles("button.per_action")
async def refuse(turn: Turn, context: Context, who: Asker) -> None:
    """A refusal says why: asked first."""
    d, tr = context.desk, who.tr
    loan_id = _loan(turn)
    await allowed(context, who, "archives.decide")
    await clear_buttons(turn)
    if await archives.ask_refusal(d.db, loan_id, who.user_id, d.now()):
        await answer(turn, tr("Why is it refused? Write the reason: the requester is "
                                "told it."))
    else:
        await answer(turn, tr("This was already answered."))


@handles("button.per_action")
async def hand_out(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    loan_id = _loan(turn)
    await allowed(context, who, "archives.keep")
    loan = await archives.hand_out(d.db, loan_id, who.user_id, d.now())
    await clear_buttons(turn)
    kick(context)
    back = keyboard([[(tr("Returned"), f"ar:back:{loan.id}")]])
    if loan.on_site:
        await answer(turn, tr("Handed over to read in the archive room: it does not "
                                "leave the room. Tap when it is back on its shelf."), back)
        return
    await answer(turn, tr("Handed out; due back {time}.", time=tr.datetime(
        loan.due_at or d.now())), back)


@handles("button.per_action")
async def take_back(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    loan_id = _loan(turn)
    await allowed(context, who, "archives.keep")
    done_back = await archives.take_back(d.db, loan_id, who.user_id, d.now())
    await _recorded(turn, context, tr("Returned to the archive.") if done_back else
                    tr("This was already recorded."))


async def _recorded(turn: Turn, context: Context, text: str) -> None:
    await clear_buttons(turn)
    kick(context)
    await answer(turn, text)


@handles("button.per_action")
async def unknown_archive_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another ar: button (forged, or from an old version): refused after the keeper's check
    as before."""
    _loan(turn)
    await allowed(context, who, "archives.keep")
    raise Refusal(Refusal.INVALID)


async def on_refusal(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The reason of a refusal (a step of the router)."""
    d = context.desk
    reason = await text_answer(turn, who, archives.MAX_REASON)
    if reason is None:
        return
    done = await archives.refuse(d.db, who.user_id, reason, d.now())
    kick(context)
    await answer(turn, who.tr("Refused; the requester is told why.") if done else
                 who.tr("This was already answered."), main_menu(who))


async def on_check(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The check's result (a step of the router)."""
    d = context.desk
    result = await text_answer(turn, who, archives.MAX_REASON)
    if result is None:
        return
    following = await archives.record_check(d.db, who.user_id, result, d.now())
    await answer(turn, who.tr("The check is recorded; the next one is due {date}.",
                                date=who.tr.datetime(following)), main_menu(who))



ROUTES = routes(
    commands={"archive": ask, "archives": register_view},
    buttons=[
        (r"^ar:ck(:|$)", record_check),
        (r"^ar:ok(:|$)", approve),
        (r"^ar:no(:|$)", refuse),
        (r"^ar:out(:|$)", hand_out),
        (r"^ar:back(:|$)", take_back),
        (r"^ar:", unknown_archive_button),  # the last of ar:
    ],
)
