"""What the office's notices say: an owner's quotation and its answer, the storeroom, the
settlement, the monthly report and LINE's month of messages."""

from __future__ import annotations

from decimal import Decimal

from handlers.common import keyboard
from handlers.office import documents
from handlers.renderers import Notice, renders


@renders("quotation")
async def _quotation(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{ref}: this repair is at your cost. The quotation: {amount} ({note}). "
                      "Do you accept it? The work starts once you do.", ref=t.ref,
                      amount=n.tr.money(t.quote_amount or 0), note=t.quote_note or "-"),
                 keyboard([[(n.tr("Accept the quotation"), f"pa:y:{t.id}"),
                            (n.tr("Decline the quotation"), f"pa:n:{t.id}")]]))


@renders("quotation_answered")
async def _quotation_answered(n: Notice) -> None:
    t = n.ticket_file.ticket
    text = n.tr("{ref}: the owner accepted the quotation of {amount}: the work can start.",
                ref=t.ref, amount=n.tr.money(t.quote_amount or 0)) \
        if n.payload.get("state") == "accepted" else \
        n.tr("{ref}: the owner declined the quotation of {amount}. Please contact them.",
             ref=t.ref, amount=n.tr.money(t.quote_amount or 0))
    await n.send(text + "\n\n" + n.staff_card(), n.card_buttons())


@renders("stock_low", plain=True)
async def _stock_low(n: Notice) -> None:
    p = n.payload
    await n.send(n.tr("Storeroom: {name} ({code}) is down to {stock} {unit}, under its minimum "
                      "of {minimum}. Please reorder.", name=p["name"], code=p["code"],
                      stock=n.tr.number(p["stock"]), unit=p["unit"],
                      minimum=n.tr.number(p["minimum"])))


@renders("stock_shortfall", plain=True)
async def _stock_shortfall(n: Notice) -> None:
    p = n.payload
    await n.send(n.tr("Storeroom: {ref} used {quantity} {unit} of {name} ({code}) more than the "
                      "stock held, which is now {stock}. Please check the shelf and resolve "
                      "shortfall #{number} (see /stock).", ref=p["ref"],
                      quantity=n.tr.number(p["quantity"]), unit=p["unit"], name=p["name"],
                      code=p["code"], stock=n.tr.number(p["stock"]), number=p["shortfall"]))


@renders("settlement", plain=True)
async def _settlement(n: Notice) -> None:
    await documents.send_settlement(n.channel, n.d, n.tr, n.address, n.message, n.recipient)


@renders("monthly_report", plain=True)
async def _monthly_report(n: Notice) -> None:
    await documents.send_monthly(n.channel, n.d, n.tr, n.address, n.message)


@renders("line_quota_warning", "line_quota_cap", plain=True)
async def _line_quota(n: Notice) -> None:
    """LINE's month to the managers (handlers/channels/line/budget.py): how much of the plan
    is used, where the month is heading, and what the desk does near the cap."""
    p, tr = n.payload, n.tr
    figures = dict(used=tr.number(p["used"]), quota=tr.number(p["quota"]),
                   forecast=tr.number(p["forecast"]),
                   cost=tr.money(Decimal(p["cost"]) / 100))
    if n.message.kind == "line_quota_warning":
        text = tr("LINE: the desk has pushed {used} of the plan's {quota} messages this month. "
                  "At this pace the month takes {forecast} messages (about {cost}). Near the "
                  "cap the desk stops pushing progress notes: each waits for the person's next "
                  "message or /mytickets. The details: estatedesk line quota.", **figures)
    else:
        text = tr("LINE: {used} of the plan's {quota} messages are used this month. From now "
                  "on the desk pushes only what matters (assignments, alerts, confirmations, "
                  "surveys); progress notes wait for each person's next message or /mytickets. "
                  "A larger plan is chosen in LINE Official Account Manager.", **figures)
    await n.send(text)
