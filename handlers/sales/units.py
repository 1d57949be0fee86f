"""Unit sales control in the chat: /units (each unit's status), /reserve (a reservation
payment, which holds the unit's place in line), and the second person's check."""

from __future__ import annotations

from decimal import Decimal

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers import labels
from handlers.common import (
    PRIVATE,
    Asker,
    Context,
    answer,
    button_data,
    clear_buttons,
    handles,
    int_arg,
    kick,
)
from handlers.i18n import N_, Tr
from storage.records import Unit
from workflow import numbers
from workflow.sales import reservations
from workflow.tickets import Refusal

MAX_LISTED = 60


def board_text(tr: Tr, board: list[tuple[Unit, str]]) -> str:
    if not board:
        return tr("No units on the roster yet.")
    counts = {s: sum(1 for _, st in board if st == s) for s in labels.SALES_STATUSES}
    lines = [tr.join(f"{labels.of(tr, labels.SALES_STATUSES, s)} {n}" for s, n in counts.items())]
    available = [u.label for u, s in board if s == "available"]
    if available:
        lines.append(tr("Available: {units}", units=", ".join(available[:MAX_LISTED])))
        if len(available) > MAX_LISTED:
            lines.append(tr("… and {count} more.", count=len(available) - MAX_LISTED))
    return "\n".join(lines)


@handles("sales.units")
async def units(update: Update, context: Context, who: Asker) -> None:
    d = context.desk
    board = await reservations.board(d.db, who.user_id)
    building = " ".join(context.args or []).upper()
    if building:
        board = [(u, s) for u, s in board if u.building == building]
    await answer(update, board_text(who.tr, board))


def _amount_at(args: list[str], locale) -> tuple[int, Decimal] | None:
    """The first word after the unit's first that is a number, and the amount; a number that
    cannot be taken ("1,5", "-5", "nan") is refused (numbers.Unreadable), not skipped."""
    for at, word in enumerate(args[1:], start=1):
        try:
            return at, numbers.amount(word, locale, maximum=reservations.MAX_AMOUNT)
        except numbers.Unreadable as refused:
            if refused.reason != numbers.Unreadable.NOT_A_NUMBER:
                raise
    return None


RESERVE_HELP = N_("Please write: /reserve unit amount receipt buyer, for example: "
                  "/reserve A 12F-3 50000 R0043 Chan Tai Man")


@handles("sales.reserve")
async def reserve(update: Update, context: Context, who: Asker) -> None:
    """/reserve A 12F-3 50000 R0043 Chan Tai Man: the amount is the first number after the
    unit; then the receipt; the rest is the buyer's name."""
    d, tr, args = context.desk, who.tr, context.args or []
    found = _amount_at(args, tr.locale)
    if found is None or len(args) < found[0] + 3:
        await answer(update, tr(RESERVE_HELP))
        return
    at, amount = found
    unit = " ".join(args[:at])
    try:
        made = await reservations.reserve(d.db, who.user_id, unit, amount, args[at + 1],
                                          " ".join(args[at + 2:]), d.now())
    except reservations.Taken as taken:
        status = labels.of(tr, labels.SALES_STATUSES, taken.status)
        text = tr("{unit} cannot be reserved: it is {status}.", unit=taken.unit.label,
                  status=status)
        if taken.holder is not None:
            text = tr("{unit} is already held by reservation {id} ({buyer}, recorded {when}): "
                      "first paid, first served. Nothing was recorded.",
                      unit=taken.unit.label, id=taken.holder.id, buyer=taken.holder.buyer,
                      when=tr.datetime(taken.holder.recorded_at))
        await answer(update, text)
        return
    except Refusal as refused:
        if refused.reason == Refusal.NOT_FOUND:
            await answer(update, tr("No single unit matches {unit}.", unit=unit))
            return
        if refused.reason == Refusal.INVALID:
            await answer(update, tr(RESERVE_HELP))
            return
        raise
    kick(context)
    await answer(update, tr("Reservation {id} recorded: {unit}, {buyer}, {amount}, receipt "
                            "{receipt}. It holds the unit's place in line; a second person "
                            "verifies the payment before the unit counts as reserved.",
                            id=made.id, unit=made.unit.label, buyer=made.buyer,
                            amount=tr.number(made.amount), receipt=made.receipt))


@handles("sales.verify")
async def on_button(update: Update, context: Context, who: Asker) -> None:
    action, *args = button_data(update).split(":")[1:]
    d, tr = context.desk, who.tr
    if action not in ("v", "n"):
        raise Refusal(Refusal.INVALID)
    try:
        found = await reservations.verify(d.db, who.user_id, int_arg(args, 0), action == "v",
                                          d.now())
    except reservations.SamePerson:
        await answer(update, tr("You recorded this reservation: a second person must verify "
                                "it."))
        return
    kick(context)
    await clear_buttons(update)
    await answer(update, tr("Reservation {id} verified: {unit} is reserved.", id=found.id,
                            unit=found.unit.label) if action == "v" else
                 tr("Reservation {id} is void; {unit} is available again.", id=found.id,
                    unit=found.unit.label))


def register(app) -> None:
    app.add_handler(CommandHandler("units", units, filters=PRIVATE))
    app.add_handler(CommandHandler("reserve", reserve, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^rs:"))
