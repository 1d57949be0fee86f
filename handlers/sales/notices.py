"""What the sales side sends: the buyers' reminders and move-in notice, the sales service's
requests, the reservations to verify, and the day's sales report."""

from __future__ import annotations

from handlers import labels
from handlers.common import keyboard
from handlers.renderers import Notice, renders
from handlers.sales.buyers import (
    answer_buttons,
    book_button,
    contract_text,
    documents,
    mortgage_reminder,
    move_in_text,
)
from workflow import views
from workflow.privacy import access as access_log
from workflow.sales import buyers, reservations


@renders("buyer_first_payment", "buyer_mortgage", "buyer_loan_documents",
         "buyer_loan_documents_staff", "buyer_move_in", "buyer_new_date", "buyer_reschedule",
         "buyer_slot_booked", "buyer_handed_over", plain=True)
async def _buyer_notice(n: Notice) -> None:
    tr, kind, p = n.tr, n.message.kind, n.payload
    found = await buyers.get(n.d.db, p["contract"])
    if found is None:
        return
    if found.user_id is not None:  # logged when it reaches staff (their name and phone)
        n.opened([found.user_id], access_log.RECORD, found.contract_no)
    answers = keyboard([[(tr("Confirm"), f"by:ok:{found.contract_no}:{kind[6:]}"),
                         (tr("Ask for another time"), f"by:rs:{found.contract_no}:{kind[6:]}")]])
    if kind == "buyer_first_payment" and found.first_payment_due:
        await n.send(tr("A reminder: the first payment for {unit} (contract {contract}) is due "
                        "on {date}.", unit=found.unit.label, contract=found.contract_no,
                        date=tr.date(found.first_payment_due)), answers)
    elif kind == "buyer_mortgage" and found.mortgage_at:
        await n.send(tr("A reminder: the mortgage paperwork for {unit} is on {when} at {bank}, "
                        "{place}. Please bring: {things}.", unit=found.unit.label,
                        when=tr.datetime(found.mortgage_at), bank=found.mortgage_bank or "-",
                        place=found.mortgage_place or "-",
                        things=documents(tr, n.d.settings.mortgage_documents)), answers)
    elif kind == "buyer_loan_documents" and found.loan_documents_due:
        await n.send(tr("Your loan documents for {unit} were due on {date} and have not reached "
                        "us yet. Please bring or send them as soon as you can: {things}.",
                        unit=found.unit.label, date=tr.date(found.loan_documents_due),
                        things=documents(tr, n.d.settings.mortgage_documents)))
    elif kind == "buyer_loan_documents_staff" and found.loan_documents_due:
        await n.send(tr("Loan documents overdue: {contract} {unit} {name} ({phone}), due "
                        "{date}. Record them with /buyer {contract} docsin.",
                        contract=found.contract_no, unit=found.unit.label, name=found.name,
                        phone=found.phone, date=tr.date(found.loan_documents_due)))
    elif kind == "buyer_move_in":
        await n.send(move_in_text(tr, n.d.settings, found), keyboard(book_button(tr, found)))
    elif kind == "buyer_new_date":
        await n.send(tr("Our sales service changed a date of your contract:") + "\n"
                     + contract_text(tr, found, n.d.now()))
    elif kind == "buyer_reschedule":
        what = tr("the first payment") if p["what"] == buyers.FIRST_PAYMENT else \
            tr("the handover") if p["what"] == buyers.MOVE_IN else tr("the mortgage paperwork")
        text = tr("{name} ({contract}, {unit}, {phone}) asks for another time for "
                  "{what}. Set it with /buyer {contract} {command} …",
                  name=found.name, contract=found.contract_no, unit=found.unit.label,
                  phone=found.phone, what=what,
                  command={buyers.FIRST_PAYMENT: "firstpay", buyers.MOVE_IN: "handover"}.get(
                      p["what"], "mortgage"))
        if p.get("wish"):
            text += "\n" + tr("Their wish: {wish}", wish=p["wish"])
        await n.send(text)
    elif kind == "buyer_slot_booked" and found.handover_slot:
        await n.send(tr("Handover booked: {contract} {unit} {name}, {when}.",
                        contract=found.contract_no, unit=found.unit.label, name=found.name,
                        when=tr.datetime(found.handover_slot)))
    elif kind == "buyer_handed_over":
        text = tr("Welcome home: {unit} is handed over to you.", unit=found.unit.label)
        if p.get("filed"):
            text += "\n" + tr("The defects found at the inspection are filed as repairs: "
                              "{refs}. Follow them with /mytickets.", refs=tr.join(p["filed"]))
        await n.send(text)


@renders("reservation_to_verify", "unit_reserved", "reservation_void", plain=True)
async def _reservation_notice(n: Notice) -> None:
    tr, kind = n.tr, n.message.kind
    found = await reservations.get(n.d.db, n.payload["reservation"])
    if found is None:
        return
    who = await views.person(n.d.db, found.recorded_by)
    if kind == "reservation_to_verify":
        await n.send(tr("Reservation {id} to verify: {unit}, {buyer}, {amount}, receipt "
                        "{receipt}, recorded by {name}. Is the money received?", id=found.id,
                        unit=found.unit.label, buyer=found.buyer, amount=tr.number(found.amount),
                        receipt=found.receipt, name=who.name if who else "-"),
                     keyboard([[(tr("Verified"), f"rs:v:{found.id}"),
                                (tr("Not received"), f"rs:n:{found.id}")]]))
    elif kind == "unit_reserved":
        await n.send(tr("{unit} is reserved (reservation {id}, {buyer}): stop offering it.",
                        unit=found.unit.label, id=found.id, buyer=found.buyer))
    else:
        await n.send(tr("Reservation {id} of {unit} was not verified: the payment was not "
                        "found. The unit is available again.", id=found.id,
                        unit=found.unit.label))


@renders("sales_report", plain=True)
async def _sales_report(n: Notice) -> None:
    tr = n.tr
    changed, recorded = await reservations.day_figures(n.d.db, n.d.settings, n.payload["day"])
    lines = [tr("Sales on {day}:", day=n.payload["day"])]
    for status in ("reserved", "contracted", "available"):
        units = [u.label for u, s in changed if s == status]
        if units:
            lines.append(tr("{status}: {units}", status=labels.of(tr, labels.SALES_STATUSES,
                                                                   status),
                            units=tr.join(units)))
    lines.append(tr("Reservation payments recorded: {count}, {amount} in all.",
                    count=len(recorded), amount=tr.number(sum(r.amount for r in recorded))))
    await n.send("\n".join(lines))


@renders(buyers.MORTGAGE_REMINDER, plain=True)
async def _mortgage_reminder(n: Notice) -> None:
    found = await buyers.get(n.d.db, n.payload["contract"])
    if found is not None and found.mortgage_at is not None:
        await n.send(mortgage_reminder(n.tr, n.d.settings, found, int(n.payload["days"])),
                     answer_buttons(n.tr, found, buyers.MORTGAGE))
