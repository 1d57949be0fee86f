"""The archive in the chat: /archive CODE reason asks to read or borrow an item (a manager
decides); /archive CODE inspection reason records an inspection by the higher departments;
/archives shows the archivist and managers what waits or is out, and when the next check is
due, with the check recorded from there."""

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
    main_menu,
    text_answer,
)
from handlers.i18n import Tr
from storage.records import Draft
from storage.registers.archives import Item, Loan
from workflow import roles, views
from workflow.registers import archives
from workflow.tickets import Refusal

INSPECTION = "inspection"


def item_name(tr: Tr, item: Item) -> str:
    return tr("{code} {title} ({kind}, {level}, at {location})", code=item.code,
              title=item.title, kind=labels.of(tr, labels.ARCHIVE_KINDS, item.kind),
              level=labels.of(tr, labels.CONFIDENTIALITY, item.confidentiality),
              location=item.location)


def loan_line(tr: Tr, loan: Loan, item: Item, who: str) -> str:
    line = tr("{item}: {who}, for {reason}; {state}", item=item_name(tr, item), who=who,
              reason=loan.reason, state=labels.of(tr, labels.ARCHIVE_STATES, loan.state))
    if loan.inspection:
        line += " " + tr("(an inspection by the higher departments)")
    if loan.state == archives.OUT and loan.due_at is not None:
        line += " " + tr("(due back {time})", time=tr.datetime(loan.due_at))
    return line


def loan_buttons(tr: Tr, loan: Loan, role: str | None) -> list[tuple[str, str]]:
    if role == roles.MANAGER and loan.state == archives.APPROVAL:
        return [(tr("Approve"), f"ar:ok:{loan.id}"), (tr("Refuse"), f"ar:no:{loan.id}")]
    if role == roles.ARCHIVIST and loan.state == archives.READY:
        return [(tr("Handed out"), f"ar:out:{loan.id}")]
    if role == roles.ARCHIVIST and loan.state == archives.OUT:
        return [(tr("Returned"), f"ar:back:{loan.id}")]
    return []


@handles("archives.ask")
async def ask(update: Update, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    args = context.args or []
    inspecting = len(args) > 1 and args[1].lower() == INSPECTION
    reason = " ".join(args[2:] if inspecting else args[1:]).strip()
    if not args or not reason or len(reason) > archives.MAX_REASON:
        await answer(update, tr("Please give the item's code and the reason, for example: "
                                "/archive DRW-A-07 check the riser's route"))
        return
    try:
        if inspecting:
            await allowed(context, who, "archives.inspect")
            await archives.inspection(d.db, who.user_id, args[0], reason, d.now())
        else:
            await archives.request(d.db, who.user_id, args[0], reason, d.now())
    except Refusal as refused:
        if refused.reason != Refusal.NOT_FOUND:
            raise
        await answer(update, tr("No archive item has the code {code}.", code=args[0]))
        return
    kick(context)
    await answer(update, tr("Recorded as an inspection: the archivist hands it out.")
                 if inspecting else
                 tr("Asked: a manager decides, then the archivist hands it out."))


@handles("archives.view")
async def register_view(update: Update, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    loans, due = await archives.register_view(d.db, who.user_id, d.now())
    for loan, item in loans:
        person = await views.person(d.db, loan.requester_id)
        buttons = loan_buttons(tr, loan, who.role)
        await answer(update, loan_line(tr, loan, item, person.name if person else ""),
                     keyboard([buttons]) if buttons else None)
    text = tr("Nothing of the archive is out or asked for.") if not loans else ""
    if due is not None:
        text += ("\n" if text else "") + tr("The next check is due {date}.",
                                            date=tr.datetime(due))
    checks = [[(tr("Record a check: in order"), "ar:ck:ok"),
               (tr("Record a check: problems found"), "ar:ck:bad")]] \
        if who.role == roles.ARCHIVIST else None
    await answer(update, text or tr("The archive has no items yet."),
                 keyboard(checks) if checks else None)


@handles("button.per_action")
async def on_button(update: Update, context: Context, who: Asker) -> None:
    action, *args = button_data(update).split(":")[1:]
    d, tr = context.desk, who.tr
    if action == "ck":
        await allowed(context, who, "archives.keep")
        if not args or args[0] not in ("ok", "bad"):
            raise Refusal(Refusal.INVALID)
        await views.start_draft(d.db, Draft(who.user_id, archives.CHECK_FLOW, "result",
                                            {"in_order": args[0] == "ok"}), d.now())
        await answer(update, tr("What did the check find? A short note for the record."))
        return
    loan_id = int_arg(args, 0)
    await allowed(context, who, "archives.decide" if action in ("ok", "no") else "archives.keep")
    if action in ("ok", "no"):
        done = await archives.decide(d.db, loan_id, who.user_id, action == "ok", d.now())
        text = tr("Recorded.") if done else tr("This was already answered.")
    elif action == "out":
        loan = await archives.hand_out(d.db, loan_id, who.user_id, d.now())
        await clear_buttons(update)
        kick(context)
        await answer(update, tr("Handed out; due back {time}.", time=tr.datetime(
            loan.due_at or d.now())), keyboard([[(tr("Returned"), f"ar:back:{loan.id}")]]))
        return
    elif action == "back":
        done_back = await archives.take_back(d.db, loan_id, who.user_id, d.now())
        text = tr("Returned to the archive.") if done_back else tr("This was already recorded.")
    else:
        raise Refusal(Refusal.INVALID)
    await clear_buttons(update)
    kick(context)
    await answer(update, text)


async def on_check(update: Update, context: Context, who: Asker, draft: Draft) -> None:
    """The check's result (a step of the router)."""
    d = context.desk
    result = await text_answer(update, who, archives.MAX_REASON)
    if result is None:
        return
    following = await archives.record_check(d.db, who.user_id, result, d.now())
    await answer(update, who.tr("The check is recorded; the next one is due {date}.",
                                date=who.tr.datetime(following)), main_menu(who))


def register(app) -> None:
    app.add_handler(CommandHandler("archive", ask, filters=PRIVATE))
    app.add_handler(CommandHandler("archives", register_view, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^ar:"))
