"""Fees in the chat: /fees for a resident's statement; /pay for the cashier to record a
payment; /closeday to close the cashier's day; /reverse for a manager to reverse a payment
with a reason."""

from __future__ import annotations

from decimal import Decimal

from telegram import Update
from telegram.ext import CommandHandler

from handlers import labels
from handlers.common import PRIVATE, Asker, Context, answer, handles, int_arg, kick
from handlers.i18n import Tr
from handlers.numbers import unreadable
from workflow import numbers
from workflow.fees import collection
from workflow.settings import EstateSettings
from workflow.tickets import Refusal


def item_label(tr: Tr, settings: EstateSettings, key: str) -> str:
    found = next((i for i in settings.fee_items if i.key == key), None)
    if found is not None and found.labels:
        return found.labels.get(tr.language) or next(iter(found.labels.values()))
    return labels.of(tr, labels.FEE_ITEMS, key)


def statement_text(tr: Tr, settings: EstateSettings, found: collection.Statement) -> str:
    lines = [tr("Fees of {unit}:", unit=found.unit.label)]
    lines += [f"· {b.period} {item_label(tr, settings, b.item)}: {tr.number(b.amount)} "
              + tr("(due {date})", date=b.due_date) for b in found.bills]
    lines.append(tr("Paid: {paid}. Outstanding: {owed}.", paid=tr.number(found.paid),
                    owed=tr.number(max(found.outstanding, Decimal(0)))))
    if found.outstanding < 0:
        lines.append(tr("In credit: {credit}.", credit=tr.number(-found.outstanding)))
    return "\n".join(lines)


@handles("fees.mine")
async def fees(update: Update, context: Context, who: Asker) -> None:
    tr, d = who.tr, context.desk
    found = await collection.statements(d.db, who.user_id)
    if not any(s.bills for s in found):
        await answer(update, tr("No fees are billed to your unit yet."))
        return
    for statement in found:
        await answer(update, statement_text(tr, d.settings, statement))


@handles("fees.pay")
async def pay(update: Update, context: Context, who: Asker) -> None:
    """/pay A 12F-3 3200 cash R0042"""
    tr, d = who.tr, context.desk
    args = context.args or []
    usage = tr("Please write: /pay unit amount cash|transfer|card receipt, for example: "
               "/pay A 12F-3 3200 cash R0042")
    if len(args) < 4 or args[-2].lower() not in collection.METHODS:
        await answer(update, usage)
        return
    try:
        amount = numbers.amount(args[-3], tr.locale, maximum=collection.MAX_AMOUNT)
    except numbers.Unreadable as refused:  # "nan", "-5", "1e308", "1,5": named, nothing stored
        await answer(update, unreadable(tr, refused) + "\n" + usage)
        return
    try:
        paid, statement = await collection.record_payment(
            d.db, d.settings, who.user_id, " ".join(args[:-3]), amount, args[-2].lower(),
            args[-1], d.now())
    except Refusal as refused:
        if refused.reason != Refusal.NOT_FOUND:
            raise
        await answer(update, tr("No single unit matches {unit}.", unit=" ".join(args[:-3])))
        return
    kick(context)
    await answer(update, tr("Payment {id} recorded: {amount} by {method}, receipt {receipt}, "
                            "for {unit}. Outstanding now: {owed}.", id=paid.id,
                            amount=tr.number(paid.amount),
                            method=labels.of(tr, labels.PAY_METHODS, paid.method),
                            receipt=paid.receipt, unit=statement.unit.label,
                            owed=tr.number(max(statement.outstanding, Decimal(0)))))


@handles("fees.close_day")
async def close_day(update: Update, context: Context, who: Asker) -> None:
    """/closeday 12800 3200 [what explains a difference]"""
    tr, d = who.tr, context.desk
    args = context.args or []
    usage = tr("Please write: /closeday cash transfers [what explains a difference], for "
               "example: /closeday 12800 3200")
    if len(args) < 2:
        await answer(update, usage)
        return
    try:
        cash, transfer = (numbers.amount(a, tr.locale, maximum=collection.MAX_AMOUNT, zero=True)
                          for a in args[:2])
    except numbers.Unreadable as refused:  # "nan", "inf": named, the day stays open
        await answer(update, unreadable(tr, refused) + "\n" + usage)
        return
    try:
        recorded = await collection.close_day(d.db, d.settings, who.user_id, cash, transfer,
                                              " ".join(args[2:]).strip(), d.now())
    except collection.Unexplained as exc:
        await answer(update, tr("The counted totals differ from the payments recorded (cash "
                                "{cash}, transfers {transfer}). Send /closeday again with what "
                                "explains it.", cash=tr.number(exc.cash),
                                transfer=tr.number(exc.transfer)))
        return
    kick(context)
    await answer(update, tr("The day is closed: cash {cash}, transfers {transfer} recorded. The "
                            "manager has the summary.", cash=tr.number(recorded[0]),
                            transfer=tr.number(recorded[1])))


@handles("fees.reverse")
async def reverse(update: Update, context: Context, who: Asker) -> None:
    """/reverse 17 the cheque bounced"""
    tr, d = who.tr, context.desk
    args = context.args or []
    if len(args) < 2 or not args[0].isdigit():
        await answer(update, tr("Please write: /reverse payment-number reason, for example: "
                                "/reverse 17 the transfer was returned"))
        return
    try:
        done = await collection.reverse(d.db, who.user_id, int_arg(args, 0),
                                        " ".join(args[1:]), d.now())
    except Refusal as refused:
        if refused.reason == Refusal.FORBIDDEN:
            raise
        await answer(update, tr("Payment {id} cannot be reversed: it does not exist, is a "
                                "reversal, or is reversed already.", id=args[0]))
        return
    kick(context)
    await answer(update, tr("Payment {id} is reversed ({amount}); both stay on record.",
                            id=args[0], amount=tr.number(done.amount)))


def register(app) -> None:
    app.add_handler(CommandHandler("fees", fees, filters=PRIVATE))
    app.add_handler(CommandHandler("pay", pay, filters=PRIVATE))
    app.add_handler(CommandHandler("closeday", close_day, filters=PRIVATE))
    app.add_handler(CommandHandler("reverse", reverse, filters=PRIVATE))
