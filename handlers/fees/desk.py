"""Fees in the chat: /fees for a resident's statement; /pay for the cashier to record a
payment; /closeday to close the cashier's day; /reverse for a manager to reverse a payment
with a reason."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from handlers import labels
from handlers.channels.turns import Turn
from handlers.common import Asker, Context, answer, handles, int_arg, kick
from handlers.i18n import Tr
from handlers.numbers import unreadable
from handlers.routes import routes
from workflow import dates, numbers, views
from workflow.fees import collection
from workflow.settings import EstateSettings
from workflow.tickets import Refusal


def item_label(tr: Tr, settings: EstateSettings, key: str) -> str:
    found = next((i for i in settings.fee_items if i.key == key), None)
    if found is not None and found.labels:
        return found.labels.get(tr.language) or next(iter(found.labels.values()))
    return labels.of(tr, labels.FEE_ITEMS, key)


PERIOD = re.compile(r"^(?P<month>\d{4}-\d{2})(?P<day>-\d{2})?(?:-\w+)?$")  # 2026-11-26-refund


def period(tr: Tr, text: str) -> str:
    """A bill's period as the reader writes a month or a day (「2026年12月」, 'December
    2026'), never the stored '2026-12'."""
    found = PERIOD.match(text)
    try:
        if found and found["day"]:
            return tr.day(date.fromisoformat(found["month"] + found["day"]))
        if found:
            return tr.month(date.fromisoformat(found["month"] + "-01"))
    except ValueError:
        pass
    return text  # an estate's own period's name


def bill_line(tr: Tr, settings: EstateSettings, bill, owed: Decimal | None = None) -> str:
    """「· 2026年12月物業管理費：3,200 元（繳費期限 2026年12月10日）」, with what is still
    owed on it when part was paid."""
    name = item_label(tr, settings, bill.item) + (f" {bill.reference}" if bill.reference else "")
    # Chinese: a full-width colon and brackets, no spaces between them
    colon, space = (": ", " ") if tr.language == "en" else ("：", "")
    line = f"· {tr.beside(period(tr, bill.period), name)}{colon}{tr.money(bill.amount)}"
    if bill.amount < 0:  # a sum paid back (a deposit refunded) falls due on no one
        return line
    line += space + tr("(due {date})", date=period(tr, bill.due_date))
    if owed is not None and bill.amount > 0 and owed == 0:
        line += space + tr("(paid)")
    elif owed is not None and 0 < owed < bill.amount:
        line += space + tr("({owed} still owed)", owed=tr.money(owed))
    return line


def credit_text(tr: Tr, credit: Decimal) -> str:
    return tr("Credit carried forward: {credit} (taken off the next bill).",
              credit=tr.money(credit))


def statement_text(tr: Tr, settings: EstateSettings, found: collection.Statement) -> str:
    lines = [tr("Fees of {unit}:", unit=found.unit.label)]
    owed = found.owed()
    lines += [bill_line(tr, settings, b, owed[b.id]) for b in found.bills]
    lines.append(tr("Paid: {paid}. Outstanding: {owed}.", paid=tr.money(found.paid),
                    owed=tr.money(max(found.outstanding, Decimal(0)))))
    if found.credit:
        lines.append(credit_text(tr, found.credit))
    return "\n".join(lines)


@handles("fees.mine")
async def fees(turn: Turn, context: Context, who: Asker) -> None:
    tr, d = who.tr, context.desk
    found = await collection.statements(d.db, who.user_id)
    if not any(s.bills for s in found):
        await answer(turn, tr("No fees are billed to your unit yet."))
        return
    for statement in found:
        await answer(turn, statement_text(tr, d.settings, statement))


MINUS = "-−－﹣‐"  # a minus as phones type it


def _method(tr: Tr, text: str) -> str | None:
    """A method as typed, in any language (「現金」 on an English desk too), or None."""
    return collection.method_of(text) or next(
        (k for k, label in labels.PAY_METHODS.items()
         if tr(label).casefold() == text.strip().casefold()), None)


@handles("fees.pay")
async def pay(turn: Turn, context: Context, who: Asker) -> None:
    """/pay A 12F-3 3200 cash R0042 [payer]"""
    tr, d = who.tr, context.desk
    args = context.args or []
    usage = tr("Please write: /pay unit amount method receipt [payer], the method cash, "
               "transfer, card or cheque (現金, 轉帳, 刷卡, 支票), for example: "
               "/pay A 12F-3 3200 cash R0042")
    at = next((i for i in range(2, len(args) - 1) if _method(tr, args[i])), None)
    if at is None:
        await answer(turn, usage)
        return
    typed = args[at - 1]
    try:
        if typed.lstrip()[:1] in MINUS:
            raise numbers.Unreadable(numbers.Unreadable.NEGATIVE, typed)
        amount = numbers.amount(typed, tr.locale, maximum=collection.MAX_AMOUNT)
    except numbers.Unreadable as refused:  # "nan", "-5", "1e308", "1,5": named, nothing stored
        if refused.reason == numbers.Unreadable.NEGATIVE:
            await answer(turn, tr("“{text}” is below zero. A payment is more than 0; to undo "
                                    "a payment, a manager reverses it: /reverse "
                                    "payment-number reason.", text=typed) + "\n" + usage)
            return
        await answer(turn, unreadable(tr, refused) + "\n" + usage)
        return
    unit, receipt = " ".join(args[:at - 1]), args[at + 1]
    try:
        paid, statement = await collection.record_payment(
            d.db, d.settings, who.user_id, unit, amount, _method(tr, args[at]) or "", receipt,
            d.now(), payer=" ".join(args[at + 2:]))
    except Refusal as refused:
        if refused.reason != Refusal.NOT_FOUND:
            raise
        await answer(turn, tr("No single unit matches {unit}.", unit=unit))
        return
    except collection.ReceiptUsed as used:
        await answer(turn, receipt_used(tr, used))
        return
    except collection.NothingBilled:
        await answer(turn, tr("Nothing is billed to {unit} yet: a payment needs its bill. "
                                "Nothing was recorded.", unit=unit))
        return
    kick(context)
    lines = []
    today = d.now().astimezone(d.settings.tz).date()
    if paid.day and paid.day != today.isoformat():
        lines.append(tr("Today's takings are closed already: this payment counts in {day}.",
                        day=tr.date(date.fromisoformat(paid.day))))
    lines.append(tr("Payment {id} recorded: {amount} by {method}, receipt {receipt}, "
                    "for {unit}. Outstanding now: {owed}.", id=paid.id,
                    amount=tr.money(paid.amount),
                    method=labels.of(tr, labels.PAY_METHODS, paid.method),
                    receipt=paid.receipt, unit=statement.unit.label,
                    owed=tr.money(max(statement.outstanding, Decimal(0)))))
    if statement.credit:
        lines.append(credit_text(tr, statement.credit))
    await answer(turn, "\n".join(lines))


def _counts(tr: Tr, args: list[str]) -> tuple[list[Decimal], str]:
    """The counted totals at the head (cash and transfers, then card and cheques if given;
    0 when left out) and the explanation after them."""
    counted: list[Decimal] = []
    for n, typed in enumerate(args[:4]):
        # a day that paid out more than it took in (a deposit refunded) counts below zero
        paid_out = numbers.normal(typed)[:1] in ("-", "\u2212")
        try:
            counted.append(numbers.amount(numbers.normal(typed)[1:] if paid_out else typed,
                                          tr.locale, maximum=collection.MAX_AMOUNT,
                                          zero=True) * (-1 if paid_out else 1))
        except numbers.Unreadable as refused:
            if n < 2 or refused.reason != numbers.Unreadable.NOT_A_NUMBER:
                raise
            break
    rest = args[len(counted):]
    return counted + [Decimal(0)] * (4 - len(counted)), " ".join(rest).strip()


def _paid_out_hint(tr: Tr, cash: Decimal) -> str:
    """When the day's cash recorded is below zero (more paid out than taken in), how to
    count it."""
    if cash >= 0:
        return ""
    return "\n" + tr("More cash was paid out than taken in today: count it with a minus sign, "
                     "for example /closeday {cash} 0.", cash=tr.number(cash).replace(",", ""))


@handles("fees.close_day")
async def close_day(turn: Turn, context: Context, who: Asker) -> None:
    """/closeday 12800 3200 [1500 [0]] [what explains a difference]"""
    tr, d = who.tr, context.desk
    args = context.args or []
    usage = tr("Please write: /closeday cash transfers [card] [cheques] [what explains a "
               "difference], for example: /closeday 12800 3200 1500")
    day = None
    if args:
        try:  # an earlier day left open: /closeday 2026-11-26 3200 0
            day = dates.day(args[0])
            args = args[1:]
        except ValueError:
            day = None
    if len(args) < 2:
        await answer(turn, usage)
        return
    try:
        (cash, transfer, card, cheque), explanation = _counts(tr, args)
    except numbers.Unreadable as refused:  # "nan", "inf": named, the day stays open
        await answer(turn, unreadable(tr, refused) + "\n" + usage)
        return
    try:
        recorded = await collection.close_day(d.db, d.settings, who.user_id, cash, transfer,
                                              explanation, d.now(), card=card, cheque=cheque,
                                              day=day)
    except collection.Unexplained as exc:
        await answer(turn, tr("The counted totals differ from the payments recorded (cash "
                                "{cash}, transfers {transfer}, card {card}, cheques {cheque}). "
                                "Send /closeday again with what explains it.",
                                cash=tr.number(exc.cash), transfer=tr.number(exc.transfer),
                                card=tr.number(exc.card), cheque=tr.number(exc.cheque))
                     + _paid_out_hint(tr, cash - exc.cash))
        return
    except collection.DayClosed as closed:
        names = await views.person(d.db, closed.closed.cashier_id)
        await answer(turn, tr("This day is closed already: at {when}, by {name}. What is "
                                "recorded now counts in the next day.",
                                when=tr.datetime(closed.closed.at),
                                name=names.name if names else ""))
        return
    kick(context)
    still = await _left_open(tr, context, who)
    if recorded.card or recorded.cheque:
        await answer(turn, tr("The day is closed: cash {cash}, transfers {transfer}, card "
                                "{card}, cheques {cheque} recorded. The manager has the "
                                "summary.", cash=tr.number(recorded.cash),
                                transfer=tr.number(recorded.transfer),
                                card=tr.number(recorded.card),
                                cheque=tr.number(recorded.cheque)) + still)
        return
    await answer(turn, tr("The day is closed: cash {cash}, transfers {transfer} recorded. The "
                            "manager has the summary.", cash=tr.number(recorded.cash),
                            transfer=tr.number(recorded.transfer)) + still)


async def _left_open(tr: Tr, context: Context, who: Asker) -> str:
    """The cashier's earlier days with payments but no close, and how to close one."""
    d = context.desk
    found = await collection.left_open(d.db, d.settings, who.user_id, d.now())
    if not found:
        return ""
    days = tr.join(tr.plural("{day} ({n} payment)", "{day} ({n} payments)", n, day=day)
                   for day, n in found)
    return "\n" + tr("Earlier days not closed yet: {days}. Close each with its date, for "
                     "example /closeday {day} 3200 0.", days=days, day=found[0][0])


@handles("fees.reverse")
async def reverse(turn: Turn, context: Context, who: Asker) -> None:
    """/reverse 17 the cheque bounced"""
    tr, d = who.tr, context.desk
    args = context.args or []
    if len(args) < 2 or not args[0].isdigit():
        await answer(turn, tr("Please write: /reverse payment-number reason, for example: "
                                "/reverse 17 the transfer was returned"))
        return
    try:
        done = await collection.reverse(d.db, who.user_id, int_arg(args, 0),
                                        " ".join(args[1:]), d.now(), d.settings)
    except Refusal as refused:
        if refused.reason == Refusal.FORBIDDEN:
            raise
        await answer(turn, tr("Payment {id} cannot be reversed: it does not exist, is a "
                                "reversal, or is reversed already.", id=args[0]))
        return
    kick(context)
    await answer(turn, tr("Payment {id} is reversed ({amount}); both stay on record.",
                            id=args[0], amount=tr.number(done.amount)))



ROUTES = routes(
    commands={"fees": fees, "pay": pay, "closeday": close_day, "reverse": reverse},
)


def receipt_used(tr, used: collection.ReceiptUsed) -> str:
    """The answer to a receipt number already on a payment (at /pay or any other till)."""
    return tr("Receipt {receipt} is on payment {id} already ({unit}, {amount}, {when}). A "
              "receipt number is used once: nothing was recorded.",
              receipt=used.earlier.receipt, id=used.earlier.id, unit=used.unit,
              amount=tr.number(used.earlier.amount), when=tr.datetime(used.earlier.at))
