"""Unit sales control in the chat: /units (the developer's inventory, each unit with its
status), /reserve (a reservation payment, which holds the unit's place in line; only a unit
of the inventory), and the second person's check."""

from __future__ import annotations

from decimal import Decimal

from handlers import labels
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    callback_args,
    clear_buttons,
    handles,
    int_arg,
    kick,
)
from handlers.i18n import N_, Tr
from handlers.routes import routes
from storage.sales.units import ForSale
from workflow import numbers
from workflow.sales import reservations
from workflow.tickets import Refusal

MAX_LISTED = 60


def board_text(tr: Tr, board: list[ForSale]) -> str:
    if not board:
        return tr("No units for sale yet: the office imports the developer's inventory with "
                  "estatedesk units import.")
    counts = {s: sum(1 for u in board if u.status == s) for s in labels.SALES_STATUSES}
    lines = [tr.join(f"{labels.of(tr, labels.SALES_STATUSES, s)} {n}" for s, n in counts.items())]
    lines += [tr("{unit}: {status}, area {area}, price {price}", unit=u.unit.label,
                 status=labels.of(tr, labels.SALES_STATUSES, u.status),
                 area=tr.number(u.area), price=tr.number(u.price)) for u in board[:MAX_LISTED]]
    if len(board) > MAX_LISTED:
        lines.append(tr("… and {count} more.", count=len(board) - MAX_LISTED))
    return "\n".join(lines)


@handles("sales.units")
async def units(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    board = await reservations.board(d.db, who.user_id)
    building = " ".join(context.args or []).upper()
    if building:
        board = [u for u in board if u.unit.building == building]
    await answer(turn, board_text(who.tr, board))


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


def not_for_sale(tr: Tr, unit: str) -> str:
    return tr("{unit} is not in the developer's inventory of units for sale: only those can be "
              "reserved. Nothing was recorded.", unit=unit)


RESERVE_HELP = N_("Please write: /reserve unit amount receipt buyer, for example: "
                  "/reserve A 12F-3 50000 R0043 Chan Tai Man")


@handles("sales.reserve")
async def reserve(turn: Turn, context: Context, who: Asker) -> None:
    """/reserve A 12F-3 50000 R0043 Chan Tai Man: the amount is the first number after the
    unit; then the receipt; the rest is the buyer's name."""
    d, tr, args = context.desk, who.tr, context.args or []
    found = _amount_at(args, tr.locale)
    if found is None or len(args) < found[0] + 3:
        await answer(turn, tr(RESERVE_HELP))
        return
    at, amount = found
    unit = " ".join(args[:at])
    try:
        made = await reservations.reserve(d.db, who.user_id, unit, amount, args[at + 1],
                                          " ".join(args[at + 2:]), d.now())
    except reservations.NotForSale as refused:
        await answer(turn, not_for_sale(tr, refused.unit.label))
        return
    except reservations.Taken as taken:
        status = labels.of(tr, labels.SALES_STATUSES, taken.status)
        text = tr("{unit} cannot be reserved: it is {status}.", unit=taken.unit.label,
                  status=status)
        if taken.holder is not None:
            text = tr("{unit} is already held by reservation {id} ({buyer}, recorded {when}): "
                      "first paid, first served. Nothing was recorded.",
                      unit=taken.unit.label, id=taken.holder.id, buyer=taken.holder.buyer,
                      when=tr.datetime(taken.holder.recorded_at))
        await answer(turn, text)
        return
    except Refusal as refused:
        if refused.reason == Refusal.NOT_FOUND:
            await answer(turn, tr("No single unit matches {unit}.", unit=unit))
            return
        if refused.reason == Refusal.INVALID:
            await answer(turn, tr(RESERVE_HELP))
            return
        raise
    kick(context)
    await answer(turn, tr("Reservation {id} recorded: {unit}, {buyer}, {amount}, receipt "
                            "{receipt}. It holds the unit's place in line; a second person "
                            "verifies the payment before the unit counts as reserved.",
                            id=made.id, unit=made.unit.label, buyer=made.buyer,
                            amount=tr.number(made.amount), receipt=made.receipt))


@handles("sales.verify")
async def payment_received(turn: Turn, context: Context, who: Asker) -> None:
    await _verify(turn, context, who, True)


@handles("sales.verify")
async def payment_not_received(turn: Turn, context: Context, who: Asker) -> None:
    await _verify(turn, context, who, False)


async def _verify(turn: Turn, context: Context, who: Asker, received: bool) -> None:
    """A second person verifies a reservation's payment, or voids it."""
    d, tr = context.desk, who.tr
    try:
        found = await reservations.verify(d.db, who.user_id, int_arg(callback_args(turn), 0),
                                          received, d.now())
    except reservations.NotForSale as refused:  # "Not received" still voids it
        await answer(turn, not_for_sale(tr, refused.unit.label))
        return
    except reservations.SamePerson:
        await answer(turn, tr("You recorded this reservation: a second person must verify "
                                "it."))
        return
    kick(context)
    await clear_buttons(turn)
    await answer(turn, tr("Reservation {id} verified: {unit} is reserved.", id=found.id,
                            unit=found.unit.label) if received else
                 tr("Reservation {id} is void; {unit} is available again.", id=found.id,
                    unit=found.unit.label))


@handles("sales.verify")
async def unknown_reservation_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another rs: button (forged, or from an old version)."""
    raise Refusal(Refusal.INVALID)



ROUTES = routes(
    commands={"units": units, "reserve": reserve},
    buttons=[
        (r"^rs:v(:|$)", payment_received),
        (r"^rs:n(:|$)", payment_not_received),
        (r"^rs:", unknown_reservation_button),  # the last of rs:
    ],
)
