"""What the fees' notices say: reminders and receipts to residents, large payments and the
day's close to managers."""

from __future__ import annotations

from decimal import Decimal

from handlers import labels
from handlers.fees import desk as fee_desk
from handlers.renderers import Notice, renders
from workflow import views
from workflow.fees import collection


@renders("fee_reminder", "fee_overdue", "large_payment", "day_closed", "fee_receipt",
         plain=True)
async def _fee_notice(n: Notice) -> None:
    tr, kind, p = n.tr, n.message.kind, n.payload
    if kind in ("fee_reminder", "fee_overdue"):
        await n.send(await _fee_reminder(n))
        return
    if kind == "fee_receipt":
        await n.send(await _fee_receipt(n))
        return
    if kind == "large_payment":
        if "amount" not in p:  # written before the alert said the amount
            await n.send(tr("A large payment today: {unit}, payment {id} (see the day's close).",
                            unit=p["unit"], id=p["payment"]))
            return
        await n.send(tr("A large payment today: {amount} by {method} for {unit}, receipt "
                        "{receipt} (payment {id}; see the day's close).",
                        amount=tr.number(p["amount"]), unit=p["unit"], id=p["payment"],
                        method=labels.of(tr, labels.PAY_METHODS, p["method"]),
                        receipt=p["receipt"]))
        return
    who = await views.person(n.d.db, n.message.actor_id or 0)
    text = tr("{day}, closed by {name}: cash {cash} counted, {cash_recorded} recorded; "
              "transfers {transfer} counted, {transfer_recorded} recorded; {payments} "
              "payments.", day=p["day"], name=who.name if who else "",
              cash=tr.number(p["cash"]), cash_recorded=tr.number(p["cash_recorded"]),
              transfer=tr.number(p["transfer"]),
              transfer_recorded=tr.number(p["transfer_recorded"]), payments=p["payments"])
    for method, counted in (("card", p.get("card", "0")), ("cheque", p.get("cheque", "0"))):
        recorded = p.get(f"{method}_recorded", "0")
        if Decimal(counted) or Decimal(recorded):
            text += "\n" + tr("{method}: {counted} counted, {recorded} recorded.",
                              method=labels.of(tr, labels.PAY_METHODS, method),
                              counted=tr.number(counted), recorded=tr.number(recorded))
    if p.get("reversals"):
        text += "\n" + tr("Reversals made today: payments {ids}.",
                          ids=tr.join(p["reversals"]))
    if p.get("explanation"):
        text += "\n" + tr("Difference explained: {why}", why=p["explanation"])
    await n.send(text)


async def _fee_reminder(n: Notice) -> str:
    """One message per unit and occasion: the bills overdue, then those due soon, each with
    what is still owed on it."""
    tr, p = n.tr, n.payload
    if "bill" in p:  # one bill a message, written before the reminders were by unit
        p = {**p, "overdue" if n.message.kind == "fee_overdue" else "soon": [p["bill"]]}
    overdue, soon = p.get("overdue", []), p.get("soon", [])
    statement = next((s for s in await collection.statements(n.d.db, n.recipient.user_id)
                      if s.unit.label == p["unit"]), None)
    lines = [tr("Fees of {unit} are overdue.", unit=p["unit"]) if overdue else
             tr("A reminder: fees of {unit} fall due soon.", unit=p["unit"])]
    if statement is None:
        return lines[0]
    owed, bills = statement.owed(), {b.id: b for b in statement.bills}
    for head, ids in ((tr("Overdue:"), overdue), (tr("Due soon:"), soon)):
        listed = [fee_desk.bill_line(tr, n.d.settings, bills[i], owed[i]) for i in ids
                  if i in bills]
        if listed and overdue and soon:
            lines.append(head)
        lines += listed
    lines.append(tr("Outstanding in all: {owed}. The statement: /fees",
                    owed=tr.money(max(statement.outstanding, Decimal(0)))))
    return "\n".join(lines)


async def _fee_receipt(n: Notice) -> str:
    tr, p = n.tr, n.payload
    paid = await collection.payment_of(n.d.db, p["payment"])
    if paid is None:
        return tr("A payment for {unit} was recorded.", unit=p["unit"])
    method = labels.of(tr, labels.PAY_METHODS, paid.method)
    if paid.reverses is not None:
        return tr("The office reversed the payment of {amount} for {unit} (receipt {receipt}): "
                  "{reason}. It no longer counts; your statement: /fees", unit=p["unit"],
                  amount=tr.money(-paid.amount), receipt=paid.receipt, reason=paid.reason)
    text = tr("Received for {unit}: {amount} by {method}, receipt {receipt}, on {when}. Thank "
              "you.", unit=p["unit"], amount=tr.money(paid.amount), method=method,
              receipt=paid.receipt, when=tr.datetime(paid.at)) if paid.amount > 0 else tr(
        "Paid out to {unit}: {amount} by {method}, receipt {receipt}, on {when}.",
        unit=p["unit"], amount=tr.money(-paid.amount), method=method, receipt=paid.receipt,
        when=tr.datetime(paid.at))
    statement = next((s for s in await collection.statements(n.d.db, n.recipient.user_id)
                      if s.unit.label == p["unit"]), None)
    if statement is not None:
        text += "\n" + tr("Outstanding now: {owed}.",
                          owed=tr.money(max(statement.outstanding, Decimal(0))))
        if statement.credit:
            text += "\n" + fee_desk.credit_text(tr, statement.credit)
    return text
