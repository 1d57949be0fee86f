"""How the newer notices read: a responsible unit's jobs and visit times, an owner's
quotation, the repair form's signatures, one fault's many callers, and the office's
paperwork (the storeroom, the settlement, the monthly report). Registered with the others by
handlers.renderers, which imports this module."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from handlers import cards, labels
from handlers.common import keyboard
from handlers.fees import desk as fee_desk
from handlers.i18n import clause
from handlers.office import documents
from handlers.registers import archives as archives_ui
from handlers.registers import keys as keys_ui
from handlers.registers import renovations as renovation_ui
from handlers.renderers import Notice, renders
from handlers.repairs import signoffs as signoffs_ui
from workflow import roles, views
from workflow.community import activities
from workflow.fees import collection
from workflow.registers import archives, keys, renovations


@renders("unit_job_taken")
async def _unit_job_taken(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{ref} was taken by {name}.", ref=t.ref,
                      name=n.ticket_file.names.get(n.message.actor_id or 0, "")))


@renders("unit_job_withdrawn")
async def _unit_job_withdrawn(n: Notice) -> None:
    await n.send(n.tr("{ref} is no longer with your unit: the desk has given it to someone "
                      "else. Nothing more to do on it.", ref=n.ticket_file.ticket.ref))


@renders("task_withdrawn")
async def _task_withdrawn(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{ref} is no longer yours: the desk has given it to {name}. Its card's "
                      "buttons no longer work; nothing more to do on it.", ref=t.ref,
                      name=cards.holder(n.tr, n.ticket_file) or n.tr("someone else")))


@renders("unit_job_reminder")
async def _unit_job_reminder(n: Notice) -> None:
    t, unit = n.ticket_file.ticket, n.ticket_file.contractor
    closes = t.unit_sent_at + unit.response if unit and unit.response and t.unit_sent_at \
        else t.deadline_at
    await n.send(n.tr("A reminder: {ref} waits for your unit to accept it by {time}. After "
                      "that the desk is told, and may give it to someone else.", ref=t.ref,
                      time=n.tr.datetime(closes)) + "\n\n" + n.staff_card(), n.card_buttons())


@renders("unit_window_passed")
async def _unit_window_passed(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{ref}: your unit's time to accept it has passed, and the desk is told. "
                      "Until the desk decides, you can still accept it.", ref=t.ref),
                 n.card_buttons())


@renders("emergency_night")
async def _emergency_night(n: Notice) -> None:
    await n.card(n.tr("An emergency reported out of office hours: please see to it now."))


@renders("unit_job_declined")
async def _unit_job_declined(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{ref} was declined by {name}: {reason}. It is back with the desk.",
                      ref=t.ref, name=n.ticket_file.names.get(n.message.actor_id or 0, ""),
                      reason=clause(n.payload.get("reason", ""))))


@renders("visit_proposed")
async def _visit_proposed(n: Notice) -> None:
    t, p = n.ticket_file.ticket, n.payload
    await n.send(n.tr("{ref}: {name} of {unit} proposes to visit {visit}. Does it suit you?",
                      ref=t.ref, name=n.ticket_file.names.get(n.message.actor_id or 0, ""),
                      unit=n.ticket_file.contractor.name if n.ticket_file.contractor else "",
                      visit=cards.visit(n.tr, p["day"], p["slot"])),
                 keyboard([[(n.tr("Confirm"), f"v:ok:{t.id}:{p['day']}:{p['slot']}"),
                            (n.tr("Another time"), f"v:alt:{t.id}")]]))


@renders("visit_confirmed", "visit_chosen")
async def _visit_agreed(n: Notice) -> None:
    t, p = n.ticket_file.ticket, n.payload
    visit = cards.visit(n.tr, p["day"], p["slot"])
    await n.send(n.tr("{ref}: the resident confirmed the visit {visit}.", ref=t.ref, visit=visit)
                 if n.message.kind == "visit_confirmed" else
                 n.tr("{ref}: the resident asks for another time: {visit}.", ref=t.ref,
                      visit=visit), n.card_buttons())


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


@renders("unit_declined")
async def _unit_declined(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{unit} declined {ref}: {reason}\nThe desk decides who is liable: send it "
                      "to the unit again, or to our own staff (in-house or owner-paid).",
                      unit=n.payload.get("unit", ""), ref=t.ref,
                      reason=n.payload.get("reason", "")) + "\n\n" + n.staff_card(),
                 n.card_buttons())


def _form_head(tr, kind: str, party: str) -> str:
    name = labels.of(tr, labels.PARTIES, party)
    if kind == "signoff_reminder":
        return tr("A reminder: the repair form waits for your signature ({party}).", party=name)
    if kind == "signoff_corrected":
        return tr("The desk corrected the figures of the repair form: please sign it again as "
                  "{party}, or query it. A signature on the old figures no longer holds.",
                  party=name)
    return tr("Please sign the repair form as {party}, or query it.", party=name)


@renders("signoff_form", "signoff_reminder", "signoff_corrected")
async def _signoff_form(n: Notice) -> None:
    file, party = n.ticket_file, n.payload.get("party", "")
    rows = signoffs_ui.form_buttons(n.tr, file, party)
    await n.with_photos((file.report_photos + file.after_photos)[:10],
                        _form_head(n.tr, n.message.kind, party) + "\n\n" +
                        signoffs_ui.form_text(n.tr, n.d.settings, file),
                        keyboard(rows) if rows else None)


@renders("owner_signoff_form")
async def _owner_signoff_form(n: Notice) -> None:
    """The owner's form (a tenant's job, or their own confirmed by phone or automatically):
    the resident's card with the figures, to sign or query."""
    file, party = n.ticket_file, n.payload.get("party", "")
    rows = signoffs_ui.form_buttons(n.tr, file, party)
    await n.with_photos(file.after_photos[:10],
                        _form_head(n.tr, n.payload.get("as", "signoff_form"), party) + "\n\n" +
                        signoffs_ui.form_text(n.tr, n.d.settings, file, staff=False),
                        keyboard(rows) if rows else None)


@renders("signoff_queried")
async def _signoff_queried(n: Notice) -> None:
    t = n.ticket_file.ticket
    buttons = n.card_buttons()
    if n.payload.get("query"):
        buttons = keyboard([[(n.tr("Answer the query"), f"s:qa:{n.payload['query']}")],
                            *[list(row) for row in buttons.rows]])
    await n.send(n.tr("{party} queries the repair form of {ref}: {reason}",
                      party=labels.of(n.tr, labels.PARTIES, n.payload.get("party", "")),
                      ref=t.ref, reason=n.payload.get("reason", "")) + "\n\n" +
                 n.staff_card(), buttons)


@renders("signoff_answered")
async def _signoff_answered(n: Notice) -> None:
    """The desk's answer to the signer's query; without a correction, the form's buttons
    again (the corrected form has come already, when there was one)."""
    file, party = n.ticket_file, n.payload.get("party", "")
    text = n.tr("The desk answered your question on the repair form of {ref} ({question}): "
                "{answer}", ref=file.ticket.ref, question=n.payload.get("question", ""),
                answer=n.payload.get("answer", ""))
    if n.payload.get("corrected"):
        text += "\n" + n.tr("The figures were corrected: the corrected form was sent to you "
                            "to sign.")
    rows = [] if n.payload.get("corrected") else signoffs_ui.form_buttons(n.tr, file, party)
    await n.send(text, keyboard(rows) if rows else None)


@renders("follower_completed")
async def _follower_completed(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.with_photos(n.ticket_file.after_photos, n.tr(
        "{ref} ({place}), which you reported too, is repaired: {note}\nThank you for telling "
        "us. If it is still not right, please report it again with /repair.", ref=t.ref,
        place=cards.where(n.tr, n.d.settings, t), note=t.work_note or ""))


@renders("merged_away")
async def _merged_away(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{ref} is the same problem as {kept}, reported already: the desk has "
                      "joined them. You now follow {kept}, and will hear about each step.",
                      ref=t.ref, kept=n.payload.get("kept", "")))


@renders("merged_in")
async def _merged_in(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{ref}: another report of the same problem ({duplicate}) was joined to "
                      "yours. Residents affected: {count}.", ref=t.ref,
                      duplicate=n.payload.get("duplicate", ""),
                      count=1 + len(n.ticket_file.followers)))


@renders("task_merged")
async def _task_merged(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{ref} was a duplicate of {kept} and is closed: nothing more to do on "
                      "it.", ref=t.ref, kept=n.payload.get("kept", "")))


@renders("affected_raised")
async def _affected_raised(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{ref}: {count} residents report this fault, so its priority is now "
                      "{priority}. Deadline: {deadline}.", ref=t.ref,
                      count=n.payload.get("count", 0),
                      priority=labels.of(n.tr, labels.PRIORITIES, t.priority),
                      deadline=n.tr.datetime(t.deadline_at)) + "\n\n" + n.staff_card(),
                 n.card_buttons())


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


@renders("key_consent", "key_emergency", "key_answered", "key_ready", "key_overdue",
         "key_overdue_alert", "spares_incomplete", "key_approval", "key_out", plain=True)
async def _key_notice(n: Notice) -> None:
    tr, kind = n.tr, n.message.kind
    loan, found, unit = await keys.loan_file(n.d.db, n.payload["loan"])
    who = await views.person(n.d.db, loan.borrower_id)
    names = keys_ui.key_names(tr, found)
    borrower = who.name if who else ""
    if kind == "key_consent":
        await n.send(tr("{name} asks to use the keys you deposited ({keys}) to enter {unit} "
                        "for {reason}, while you are away. Do you allow it? Without your yes, "
                        "the keys stay with the office.", name=borrower, keys=names, unit=unit,
                        reason=loan.reason),
                     keyboard([[(tr("Allow"), f"ky:y:{loan.id}"),
                                (tr("Refuse"), f"ky:n:{loan.id}")]]))
        return
    if kind == "key_emergency":
        await n.send(tr("An emergency in {unit}: a supervisor has allowed the office to use the "
                        "keys you deposited ({keys}) at once, for {reason}.", unit=unit,
                        keys=names, reason=loan.reason))
        return
    if kind == "key_answered":
        await n.send(tr("Keys for {reason}: {state}.", reason=loan.reason,
                        state=labels.of(tr, labels.LOAN_STATES, loan.state)))
        return
    if kind == "key_out":
        await n.send(tr("The keys {keys} are handed out to you for {reason}: please bring "
                        "them back to the key keeper by {time}.", keys=names,
                        reason=loan.reason, time=tr.datetime(loan.due_at or loan.requested_at)))
        return
    if kind == "key_overdue":
        await n.send(tr("Please return the keys {keys}: they were due back {time}.", keys=names,
                        time=tr.datetime(loan.due_at or loan.requested_at)))
        return
    if kind == "key_overdue_alert":
        await n.send(tr("Keys not back: {keys}, borrowed by {name} for {reason}, due {time}.",
                        keys=names, name=borrower, reason=loan.reason,
                        time=tr.datetime(loan.due_at or loan.requested_at)))
        return
    if kind == "spares_incomplete":
        await n.send(tr("An emergency spare set is incomplete: {keys} went out. See /keys.",
                        keys=names))
        return
    head = tr("Keys to hand out") if kind == "key_ready" else tr("Keys asked for")
    buttons = keys_ui.loan_buttons(tr, loan, n.recipient.role)
    await n.send(tr.headed(head, keys_ui.loan_line(tr, loan, found, borrower)),
                 keyboard([buttons]) if buttons else None)


@renders("archive_approval", "archive_ready", "archive_answered", "archive_overdue",
         plain=True)
async def _archive_notice(n: Notice) -> None:
    tr, kind = n.tr, n.message.kind
    loan, item, who = await archives.loan_file(n.d.db, n.payload["loan"])
    if kind == "archive_answered" and loan.refusal:
        await n.send(tr("{code}, for {reason}: refused. The manager's reason: {why}",
                        code=item.code, reason=loan.reason, why=loan.refusal))
        return
    if kind == "archive_answered":
        await n.send(tr("{code}, for {reason}: {state}.", code=item.code, reason=loan.reason,
                        state=labels.of(tr, labels.ARCHIVE_STATES, loan.state)))
        return
    if kind == "archive_overdue":
        await n.send(tr("Not back in the archive: {item}, taken by {name} for {reason}, due "
                        "{time}.", item=archives_ui.item_name(tr, item), name=who,
                        reason=loan.reason, time=tr.datetime(loan.due_at or loan.requested_at)))
        return
    head = tr("Asked of the archive") if kind == "archive_approval" else tr("To hand out")
    buttons = archives_ui.loan_buttons(tr, loan, n.recipient.role)
    await n.send(tr.headed(head, archives_ui.loan_line(tr, loan, item, who)),
                 keyboard([buttons]) if buttons else None)


@renders("archive_check_problem", plain=True)
async def _archive_check_problem(n: Notice) -> None:
    who = await views.person(n.d.db, n.message.actor_id or 0)
    await n.send(n.tr("The archive's check found problems ({name}): {result}",
                      name=who.name if who else "", result=n.payload["result"]))


@renders("archive_check_due", plain=True)
async def _archive_check_due(n: Notice) -> None:
    await n.send(n.tr("The archive's check is due ({date}): check it, then record the result "
                      "from /archives.", date=n.tr.datetime(
                          datetime.fromisoformat(n.payload["due"]))))


@renders("renovation_applied", "renovation_review", "renovation_reviewed", "renovation_permit",
         "renovation_inspection", "renovation_inspected", "renovation_paid",
         "renovation_refund_due", "renovation_refunded", plain=True)
async def _renovation_notice(n: Notice) -> None:
    tr, kind, p = n.tr, n.message.kind, n.payload
    found, unit, photos = await renovations.file_of(n.d.db, p["renovation"])
    text = renovation_ui.card(tr, found, unit, n.d.settings.renovation_hours,
                              await renovations.amendments(n.d.db, found.id))
    role = n.recipient.role
    if kind == "renovation_applied":
        take = [[(tr("Record the fees"), f"rn:pay:{found.id}")]] if role == roles.CASHIER \
            else [[(tr("Approve the permit"), f"rn:ok:{found.id}:{found.version}")]]
        await n.with_photos(photos, tr("A renovation application") + "\n" + text,
                            keyboard(take), found.ref)
    elif kind == "renovation_paid":
        await n.send(tr("The renovation fees are paid at the cashier.") + "\n" + text,
                     keyboard([[(tr("Approve the permit"),
                                 f"rn:ok:{found.id}:{found.version}")]]))
    elif kind == "renovation_review":
        if p.get("amended"):  # the amendment's drawings, then the card
            photos, files = await renovations.drawings(n.d.db, found.id, p["amended"])
            for file_id in files:
                await n.document(file_id)
        head = tr("Please review again: the resident amended this application.") \
            if p.get("amended") else tr("Please review: this renovation touches structure or "
                                        "building services.")
        await n.with_photos(photos, head + "\n" + text, keyboard([
            [(tr("Approve"), f"rn:ra:{found.id}"), (tr("Refuse"), f"rn:rr:{found.id}")],
            [(tr("Needs changes"), f"rn:rc:{found.id}")]]), found.ref)
    elif kind == "renovation_reviewed":
        amend = p["verdict"] == "changes" and n.recipient.user_id == found.resident_id
        await n.send(tr("{ref}: the repair department's review: {verdict}. {note}",
                        ref=found.ref, verdict=labels.of(tr, labels.REVIEWS, p["verdict"]),
                        note=p.get("note", "")),
                     keyboard([[(tr("Amend the application"), f"rv:am:{found.id}")]])
                     if amend else None)
    elif kind == "renovation_refund_due":
        await n.send(tr("{ref} passed its acceptance inspection: refund the deposit of "
                        "{deposit}, less anything to deduct.", ref=found.ref,
                        deposit=tr.money(found.deposit or 0)) + "\n" + text,
                     keyboard([[(tr("Refund the deposit"), f"rn:rf:{found.id}")]]))
    elif kind == "renovation_refunded":
        lines = [tr("{ref}: your renovation deposit is refunded: {amount}.", ref=found.ref,
                    amount=tr.money(Decimal(p["refunded"])))]
        if Decimal(p["deducted"]):
            lines.append(tr("Deducted: {amount}, because: {why}",
                            amount=tr.money(Decimal(p["deducted"])), why=p["why"]))
        await n.send("\n".join(lines))
    elif kind == "renovation_permit":
        await n.send(tr("Your renovation permit {ref}: from {start} to {end}, working hours "
                        "{hours}. Please keep the building's rules. When the work is done, ask "
                        "for the acceptance inspection.", ref=found.ref,
                        start=tr.stored_day(found.start_date),
                        end=tr.stored_day(found.end_date), hours=n.d.settings.renovation_hours),
                     keyboard([[(tr("Request the acceptance inspection"),
                                 f"rv:in:{found.id}")]]))
    elif kind == "renovation_inspection":
        buttons = [[(tr("Record the inspection"), f"rn:in:{found.id}")]] \
            if role == roles.TECHNICIAN else None
        await n.send(tr("Acceptance inspection asked for") + "\n" + text,
                     keyboard(buttons) if buttons else None)
    elif p.get("passed"):
        await n.send(tr("{ref}: the renovation passed its acceptance inspection. The cashier "
                        "refunds the deposit of {deposit}; you are told when it is done.",
                        ref=found.ref, deposit=tr.money(found.deposit or 0))
                     if found.deposit else
                     tr("{ref}: the renovation passed its acceptance inspection.",
                        ref=found.ref))
    else:
        await n.send(tr("{ref}: the acceptance inspection found what must still be fixed: "
                        "{note}. Ask again when it is done.", ref=found.ref, note=p.get("note")),
                     keyboard([[(tr("Request the acceptance inspection"),
                                 f"rv:in:{found.id}")]]))


@renders("activity_place", "activity_reminder", "activity_rating", "activity_new", plain=True)
async def _activity_notice(n: Notice) -> None:
    tr, kind = n.tr, n.message.kind
    activity = await activities.of(n.d.db, n.payload["activity"])
    when = tr.datetime(activity.starts_at)
    if kind == "activity_new":
        await n.send(tr("A new community activity: {title}, {when} at {place}. Sign up with "
                        "the button or /activities. (Turn these notices off with "
                        "/notifications.)", title=activity.title, when=when,
                        place=activity.place),
                     keyboard([[(tr("Sign up"), f"ac:j:{activity.id}")]]))
        return
    if kind == "activity_place":
        await n.send(tr("Good news: places freed up, and you are in for {title} on {when} at "
                        "{place}.", title=activity.title, when=when, place=activity.place))
    elif kind == "activity_reminder":
        await n.send(tr("A reminder: {title} is on {when} at {place}. If you cannot come, "
                        "cancel with /activities so that others can.", title=activity.title,
                        when=when, place=activity.place))
    else:
        await n.send(tr("How was {title}? Please rate it from 1 to 5.", title=activity.title),
                     keyboard([[(f"{r}★", f"ac:r:{activity.id}:{r}") for r in range(1, 6)]]))


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
