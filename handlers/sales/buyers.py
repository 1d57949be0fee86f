"""Buyers before move-in in the chat: /contract for the buyer (the contract's dates and
what is next), the answers to reminders (confirm, or ask for another time), the handover
slot; /buyers and /buyer for the sales service, who keep the register and move dates."""

from __future__ import annotations

import re
from datetime import date, datetime

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
    picker,
    text_answer,
)
from handlers.i18n import N_, Tr
from handlers.routes import routes
from storage.records import Draft
from storage.sales.buyers import Buyer, Event
from workflow.privacy import access as access_log
from workflow.sales import buyers
from workflow.settings import EstateSettings, FeeItem
from workflow.tickets import Refusal

MAX_LISTED = 30


def documents(tr: Tr, names: tuple[str, ...]) -> str:
    return tr.join(labels.of(tr, labels.DOCUMENTS, n) for n in names)


def next_step(tr: Tr, b: Buyer, now: datetime) -> str:
    if b.handed_over_at is not None:
        return tr("Handed over: welcome home.")
    if b.first_payment_due and b.first_paid_at is None:
        return tr("the first payment, due {date}", date=tr.date(b.first_payment_due))
    if b.mortgage_at and b.mortgage_at > now:
        return tr("the mortgage paperwork on {when}", when=tr.datetime(b.mortgage_at))
    if b.loan_documents_due and b.loan_documents_in_at is None:
        return tr("the loan documents, due {date}", date=tr.date(b.loan_documents_due))
    if b.handover_slot:
        return tr("the handover on {when}", when=tr.datetime(b.handover_slot))
    return tr("the handover, from {date}", date=tr.date(b.handover_due))


def contract_text(tr: Tr, b: Buyer, now: datetime) -> str:
    lines = [tr("Contract {contract}: {unit}, {name}", contract=b.contract_no,
                unit=b.unit.label, name=b.name)]
    if b.first_payment_due:
        lines.append(tr("First payment due: {date}", date=tr.date(b.first_payment_due))
                     + (" · " + tr("received") if b.first_paid_at else ""))
    if b.mortgage_at:
        lines.append(tr("Mortgage paperwork: {when}, {bank}, {place}",
                        when=tr.datetime(b.mortgage_at), bank=b.mortgage_bank or "-",
                        place=b.mortgage_place or "-"))
    if b.loan_documents_due:
        lines.append(tr("Loan documents due: {date}", date=tr.date(b.loan_documents_due))
                     + (" · " + tr("received") if b.loan_documents_in_at else ""))
    lines.append(tr("Handover (contract date): {date}", date=tr.date(b.handover_due)))
    if b.handover_slot:
        lines.append(tr("Your handover time: {when}", when=tr.datetime(b.handover_slot)))
    if b.handed_over_at:
        lines.append(tr("Handed over: {date}", date=tr.date(b.handed_over_at)))
        if b.days_late:
            lines.append(tr("{days} days after the contract's date (recorded for the "
                            "compensation the contract provides).", days=b.days_late))
    else:
        lines.append(tr("Next: {what}", what=next_step(tr, b, now)))
    return "\n".join(lines)


def move_in_text(tr: Tr, settings: EstateSettings, b: Buyer) -> str:
    """The move-in notice (入住通知書)."""
    lines = [tr("Move-in notice: {unit} (contract {contract}) is ready to be handed over "
                "from {date}.", unit=b.unit.label, contract=b.contract_no,
                date=tr.date(b.handover_due)),
             tr("Please bring: {things}.", things=documents(tr, settings.handover_bring))]
    if settings.handover_fees:
        lines.append(tr("To pay at the handover:"))
        lines += ["· " + tr.headed(fee_label(tr, f), tr.number(f.amount))
                  for f in settings.handover_fees]
    lines.append(tr("Book your handover time with the button below; our staff will walk the "
                    "unit with you and record anything to put right."))
    return "\n".join(lines)


def fee_label(tr: Tr, item: FeeItem) -> str:
    if item.labels:
        return item.labels.get(tr.language) or next(iter(item.labels.values()))
    return labels.of(tr, labels.FEE_ITEMS, item.key)


def mortgage_reminder(tr: Tr, settings: EstateSettings, b: Buyer, days: int) -> str:
    """Three days before, what to get ready; the day before (or on the day), what to bring:
    each says what is due and when."""
    assert b.mortgage_at is not None
    values = {"unit": b.unit.label, "when": tr.datetime(b.mortgage_at),
              "bank": b.mortgage_bank or "-", "place": b.mortgage_place or "-",
              "things": documents(tr, settings.mortgage_documents)}
    if days > 1:
        return tr("A reminder: the mortgage paperwork for {unit} is in {days}, on {when}, at "
                  "{bank}, {place}. Please start getting these ready: {things}.",
                  days=tr.plural("{n} day", "{n} days", days), **values)
    if days == 1:
        return tr("A reminder: the mortgage paperwork for {unit} is tomorrow, {when}, at "
                  "{bank}, {place}. Please bring: {things}.", **values)
    return tr("A reminder: the mortgage paperwork for {unit} is today, {when}, at {bank}, "
              "{place}. Please bring: {things}.", **values)


def answer_buttons(tr: Tr, b: Buyer, kind: str):
    return keyboard([[(tr("Confirm"), f"by:ok:{b.contract_no}:{kind}"),
                      (tr("Ask for another time"), f"by:rs:{b.contract_no}:{kind}")]])


def book_button(tr: Tr, b: Buyer) -> list[list[tuple[str, str]]]:
    return [[(tr("Book the handover time"), f"by:d:{b.contract_no}:x")],
            [(tr("Ask for another time"), f"by:rs:{b.contract_no}:{buyers.MOVE_IN}")]]


def day_buttons(tr: Tr, settings: EstateSettings, b: Buyer,
                now: datetime) -> list[list[tuple[str, str]]]:
    """The days with a time still ahead (numbered among all the days offered)."""
    days = sorted({s.date() for s in buyers.slots(settings, b)})
    ahead = {s.date() for s in buyers.slots(settings, b) if s > now}
    return [[(tr.date(day), f"by:d:{b.contract_no}:{n}")] for n, day in enumerate(days)
            if day in ahead]


@handles("sales.contract")
async def contract(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    found = await buyers.contracts_of(d.db, who.user_id)
    if not found:
        await answer(turn, who.tr("No purchase contract is registered to your phone number."))
        return
    today = d.now().astimezone(d.settings.tz).date()
    for b in found:
        ready = b.handed_over_at is None and today >= b.handover_due  # the notice has come
        await answer(turn, contract_text(who.tr, b, d.now()),
                     keyboard(book_button(who.tr, b)) if ready else None)


async def _answer_args(turn: Turn, context: Context, who: Asker) -> tuple[str, list[str]]:
    """A buyer's button's contract and what follows it: by:ok|rs:CONTRACT:KIND (a
    reminder's answer), by:d:CONTRACT:N (a handover day), by:t:CONTRACT:N (a handover time,
    the Nth offered). The contract is the buyer's own (the table's rule)."""
    parts = callback_args(turn)
    if len(parts) < 1:  # forged
        raise Refusal(Refusal.INVALID)
    contract_no, *rest = parts
    await allowed(context, who, "sales.buyer_answer", contract_no)
    return contract_no, rest


async def _contract(context: Context, who: Asker, contract_no: str) -> Buyer:
    return next(b for b in await buyers.contracts_of(context.desk.db, who.user_id)
                if b.contract_no == contract_no)  # theirs: the table's rule


@handles("sales.buyer_answer")
async def ask_another_time(turn: Turn, context: Context, who: Asker) -> None:
    contract_no, rest = await _answer_args(turn, context, who)
    if not rest:
        await _contract(context, who, contract_no)
        raise Refusal(Refusal.INVALID)
    d, tr = context.desk, who.tr
    await buyers.ask_wish(d.db, who.user_id, contract_no, rest[0], d.now())
    await clear_buttons(turn)
    await answer(turn, tr("When would suit you? Please write your wish, for example: a "
                            "weekday afternoon next week."),
                 keyboard([[(tr("Cancel"), "r:x")]]))


@handles("sales.buyer_answer")
async def confirmed(turn: Turn, context: Context, who: Asker) -> None:
    contract_no, rest = await _answer_args(turn, context, who)
    if not rest:
        await _contract(context, who, contract_no)
        raise Refusal(Refusal.INVALID)
    d, tr = context.desk, who.tr
    await buyers.answer(d.db, who.user_id, contract_no, rest[0], buyers.CONFIRMED, d.now())
    kick(context)
    await clear_buttons(turn)
    await answer(turn, tr("Thank you: confirmed."))


@handles("sales.buyer_answer")
async def handover_day(turn: Turn, context: Context, who: Asker) -> None:
    contract_no, rest = await _answer_args(turn, context, who)
    d, tr = context.desk, who.tr
    found = await _contract(context, who, contract_no)
    offered = buyers.slots(d.settings, found)
    days = sorted({s.date() for s in offered})
    if rest[:1] == ["x"]:
        await _pick_day(turn, tr, d.settings, found, d.now())
        return
    day = days[int_arg(rest, 0)] if int_arg(rest, 0) < len(days) else None
    if day is None:
        raise Refusal(Refusal.STALE)
    times = [(f"{s:%H:%M}", f"by:t:{contract_no}:{n}")
             for n, s in enumerate(offered) if s.date() == day and s > d.now()]
    if not times:
        await _passed(turn, tr, d.settings, found, d.now())
        return
    await answer(turn, tr("What time on {date}?", date=tr.date(day)), picker(tr, [times]))


@handles("sales.buyer_answer")
async def handover_time(turn: Turn, context: Context, who: Asker) -> None:
    contract_no, rest = await _answer_args(turn, context, who)
    d, tr = context.desk, who.tr
    found = await _contract(context, who, contract_no)
    offered = buyers.slots(d.settings, found)
    index = int_arg(rest, 0)
    if index >= len(offered):
        raise Refusal(Refusal.STALE)
    try:
        booked = await buyers.book(d.db, d.settings, who.user_id, contract_no,
                                   offered[index], d.now())
    except buyers.Passed:
        await _passed(turn, tr, d.settings, found, d.now())
        return
    kick(context)
    await clear_buttons(turn)
    assert booked.handover_slot is not None
    await answer(turn, tr("Booked: your handover is on {when}. Please bring: {things}.",
                            when=tr.datetime(booked.handover_slot),
                            things=documents(tr, d.settings.handover_bring)))


@handles("sales.buyer_answer")
async def unknown_buyer_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another by: button (forged, or from an old version): refused after the same checks
    of the contract as before."""
    contract_no, _ = await _answer_args(turn, context, who)
    await _contract(context, who, contract_no)
    raise Refusal(Refusal.INVALID)


async def _pick_day(turn: Turn, tr: Tr, settings: EstateSettings, found: Buyer,
                    now: datetime) -> None:
    buttons = day_buttons(tr, settings, found, now)
    if not buttons:
        await answer(turn, tr("The handover times offered have all passed. Tap 'Ask for "
                                "another time' and write when suits you."),
                     keyboard(book_button(tr, found)[1:]))
        return
    await answer(turn, tr("Which day suits you?"), picker(tr, buttons))


async def _passed(turn: Turn, tr: Tr, settings: EstateSettings, found: Buyer,
                  now: datetime) -> None:
    """A time that is past when tapped: nothing booked, the days still ahead offered."""
    await answer(turn, tr("That time has already passed, so it cannot be booked. Please "
                            "choose a later one."))
    await _pick_day(turn, tr, settings, found, now)


async def on_wish(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The buyer's wish for another time (a step of the router), passed to the sales
    service."""
    d, tr = context.desk, who.tr
    wish = await text_answer(turn, who, buyers.MAX_TEXT)
    if wish is None:
        return
    await buyers.answer(d.db, who.user_id, draft.data["contract"], draft.data["kind"],
                        buyers.RESCHEDULE, d.now(), wish=wish)
    kick(context)
    await answer(turn, tr("We have asked our sales service to arrange another time; they "
                            "will contact you."))


def listing(tr: Tr, found: list[Buyer], now: datetime) -> str:
    if not found:
        return tr("No contracts before move-in.")
    lines = [tr("Contracts before move-in ({count}):", count=len(found))]
    lines += ["· " + tr.headed(f"{b.contract_no} {b.unit.label} {b.name}", next_step(tr, b, now))
              + (tr.after("", tr("(not in the chat)")) if b.user_id is None else "")
              for b in found[:MAX_LISTED]]
    if len(found) > MAX_LISTED:
        lines.append(tr("… and {count} more.", count=len(found) - MAX_LISTED))
    return "\n".join(lines)


@handles("sales.buyers")
async def list_buyers(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    found = await buyers.upcoming(d.db, who.user_id)
    await access_log.opened(d.db, who.user_id, [b.user_id for b in found if b.user_id],
                            access_log.RECORD, "buyers", "/buyers", d.now())
    await answer(turn, listing(who.tr, found, d.now()))


# The contract's audit trail in words (the codes workflow/sales records)
TRAIL = {
    "imported": N_("Imported from the register"),
    "updated": N_("Updated by an import of the register"),
    "first_payment_due": N_("First payment date changed"),
    "mortgage_at": N_("Mortgage appointment changed"),
    "loan_documents_due": N_("Loan documents date changed"),
    "handover_due": N_("Handover date changed"),
    "first_paid_at": N_("First payment received"),
    "loan_documents_in_at": N_("Loan documents received"),
    "first_payment_confirmed": N_("The buyer confirmed the first payment date"),
    "first_payment_reschedule": N_("The buyer asked for another first payment date"),
    "mortgage_confirmed": N_("The buyer confirmed the mortgage appointment"),
    "mortgage_reschedule": N_("The buyer asked for another mortgage appointment"),
    "slot_booked": N_("Handover time booked"),
    "defect": N_("Defect found at the handover, filed as a repair"),
    "handed_over": N_("Handed over"),
}
_DAYS_LATE = re.compile(r"^(\d+) days late$")


def _moment(tr: Tr, text: str) -> str:
    """A date or time of the trail (stored as ISO text, some in UTC) in the reader's words
    and the estate's time; anything else as it is."""
    try:
        if len(text) == 10:
            return tr.date(date.fromisoformat(text))
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return tr.datetime(moment) if moment.tzinfo else text


def trail_line(tr: Tr, event: Event) -> str:
    late = _DAYS_LATE.match(event.detail)
    if late:
        detail = tr("{days} after the contract's date",
                    days=tr.plural("{n} day", "{n} days", int(late.group(1))))
    else:
        detail = " → ".join(_moment(tr, part.strip()) for part in event.detail.split(" -> ")) \
            if event.detail else ""
    line = f"· {tr.datetime(event.at)} {labels.of(tr, TRAIL, event.action)}"
    if detail:
        line += tr(": {note}", note=detail)
    if event.actor_name:
        line += tr(" ({name})", name=event.actor_name)
    return line


CHANGE_HELP = N_("Please write: /buyer CONTRACT, or /buyer CONTRACT firstpay 2026-12-05 | "
                 "mortgage 2026-12-05 10:00 | docs 2026-12-10 | handover 2027-01-15 | paid | "
                 "docsin")


@handles("sales.buyers")
async def buyer(turn: Turn, context: Context, who: Asker) -> None:
    """/buyer C-001 shows the contract and its trail; /buyer C-001 mortgage 2026-12-05 10:00
    changes a date (audited; the buyer is told; the reminders re-arm)."""
    d, tr, args = context.desk, who.tr, context.args or []
    if not args:
        await answer(turn, tr(CHANGE_HELP))
        return
    if len(args) == 1:
        found, trail = await buyers.find(d.db, who.user_id, args[0])
        if found.user_id is not None:  # the contract names its buyer
            await access_log.opened(d.db, who.user_id, [found.user_id], access_log.RECORD,
                                    found.contract_no, f"/buyer {found.contract_no}", d.now())
        lines = [contract_text(tr, found, d.now()), tr("Record:")]
        lines += [trail_line(tr, event) for event in trail[-15:]]
        await answer(turn, "\n".join(lines))
        return
    what = args[1].lower()
    if what not in buyers.DATES and what not in buyers.MARKS:
        await answer(turn, tr(CHANGE_HELP))
        return
    try:
        changed = await buyers.change(d.db, d.settings, who.user_id, args[0], what,
                                      " ".join(args[2:]), d.now())
    except Refusal as refused:
        if refused.reason != Refusal.INVALID:
            raise
        await answer(turn, tr(CHANGE_HELP))
        return
    kick(context)
    await answer(turn, tr("Changed.") + "\n" + contract_text(tr, changed, d.now()))



ROUTES = routes(
    commands={"contract": contract, "buyers": list_buyers, "buyer": buyer},
    buttons=[
        (r"^by:rs:", ask_another_time),
        (r"^by:ok:", confirmed),
        (r"^by:d:", handover_day),
        (r"^by:t:", handover_time),
        (r"^by:", unknown_buyer_button),  # the last of by:
    ],
)
