"""How the newer notices read: a responsible unit's jobs and visit times, an owner's
quotation, the repair form's signatures, one fault's many callers, and the office's
paperwork (the storeroom, the settlement, the monthly report). Registered with the others by
handlers.renderers, which imports this module."""

from __future__ import annotations

from datetime import datetime

from handlers import cards, labels
from handlers.common import keyboard
from handlers.fees import desk as fee_desk
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


@renders("unit_job_declined")
async def _unit_job_declined(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{ref} was declined by {name}: {reason}. It is back with the desk.",
                      ref=t.ref, name=n.ticket_file.names.get(n.message.actor_id or 0, ""),
                      reason=n.payload.get("reason", "")))


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
                      amount=n.tr.number(t.quote_amount or 0), note=t.quote_note or "-"),
                 keyboard([[(n.tr("Accept the quotation"), f"pa:y:{t.id}"),
                            (n.tr("Decline the quotation"), f"pa:n:{t.id}")]]))


@renders("quotation_answered")
async def _quotation_answered(n: Notice) -> None:
    t = n.ticket_file.ticket
    text = n.tr("{ref}: the owner accepted the quotation of {amount}: the work can start.",
                ref=t.ref, amount=n.tr.number(t.quote_amount or 0)) \
        if n.payload.get("state") == "accepted" else \
        n.tr("{ref}: the owner declined the quotation of {amount}. Please contact them.",
             ref=t.ref, amount=n.tr.number(t.quote_amount or 0))
    await n.send(text + "\n\n" + n.staff_card(), n.card_buttons())


@renders("unit_declined")
async def _unit_declined(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{unit} declined {ref}: {reason}\nThe desk decides who is liable: send it "
                      "to the unit again, or to our own staff (in-house or owner-paid).",
                      unit=n.payload.get("unit", ""), ref=t.ref,
                      reason=n.payload.get("reason", "")) + "\n\n" + n.staff_card(),
                 n.card_buttons())


@renders("signoff_form", "signoff_reminder")
async def _signoff_form(n: Notice) -> None:
    file, party = n.ticket_file, n.payload.get("party", "")
    head = n.tr("Please sign the repair form as {party}, or query it.",
                party=labels.of(n.tr, labels.PARTIES, party)) \
        if n.message.kind == "signoff_form" else \
        n.tr("A reminder: the repair form waits for your signature ({party}).",
             party=labels.of(n.tr, labels.PARTIES, party))
    rows = signoffs_ui.form_buttons(n.tr, file, party)
    await n.with_photos((file.report_photos + file.after_photos)[:10],
                        head + "\n\n" + signoffs_ui.form_text(n.tr, n.d.settings, file),
                        keyboard(rows) if rows else None)


@renders("signoff_queried")
async def _signoff_queried(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{party} queries the repair form of {ref}: {reason}",
                      party=labels.of(n.tr, labels.PARTIES, n.payload.get("party", "")),
                      ref=t.ref, reason=n.payload.get("reason", "")) + "\n\n" +
                 n.staff_card(), n.card_buttons())


@renders("follower_completed")
async def _follower_completed(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.with_photos(n.ticket_file.after_photos, n.tr(
        "{ref} ({place}), which you reported too, is repaired: {note}\nThank you for telling "
        "us. If it is still not right, please report it again with /repair.", ref=t.ref,
        place=t.location, note=t.work_note or ""))


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
    await n.send(n.tr("{ref}: {count} residents report this fault, so it is now urgent. "
                      "Deadline: {deadline}.", ref=t.ref, count=n.payload.get("count", 0),
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
    await documents.send_settlement(n.bot, n.d, n.tr, n.chat, n.message, n.recipient)


@renders("monthly_report", plain=True)
async def _monthly_report(n: Notice) -> None:
    await documents.send_monthly(n.bot, n.d, n.tr, n.chat, n.message)


@renders("key_consent", "key_emergency", "key_answered", "key_ready", "key_overdue",
         "key_overdue_alert", "spares_incomplete", "key_approval", plain=True)
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
    await n.send(f"{head}: " + keys_ui.loan_line(tr, loan, found, borrower),
                 keyboard([buttons]) if buttons else None)


@renders("archive_approval", "archive_ready", "archive_answered", "archive_overdue",
         plain=True)
async def _archive_notice(n: Notice) -> None:
    tr, kind = n.tr, n.message.kind
    loan, item, who = await archives.loan_file(n.d.db, n.payload["loan"])
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
    await n.send(f"{head}: " + archives_ui.loan_line(tr, loan, item, who),
                 keyboard([buttons]) if buttons else None)


@renders("archive_check_due", plain=True)
async def _archive_check_due(n: Notice) -> None:
    await n.send(n.tr("The archive's check is due ({date}): check it, then record the result "
                      "from /archives.", date=n.tr.datetime(
                          datetime.fromisoformat(n.payload["due"]))))


@renders("renovation_applied", "renovation_review", "renovation_reviewed", "renovation_permit",
         "renovation_inspection", "renovation_inspected", plain=True)
async def _renovation_notice(n: Notice) -> None:
    tr, kind, p = n.tr, n.message.kind, n.payload
    found, unit, photos = await renovations.file_of(n.d.db, p["renovation"])
    text = renovation_ui.card(tr, found, unit, n.d.settings.renovation_hours)
    role = n.recipient.role
    if kind == "renovation_applied":
        await n.with_photos(photos, tr("A renovation application") + "\n" + text, keyboard([
            [(tr("Record the fees"), f"rn:pay:{found.id}")],
            [(tr("Approve the permit"), f"rn:ok:{found.id}:{found.version}")]]), found.ref)
    elif kind == "renovation_review":
        await n.with_photos(photos, tr("Please review: this renovation touches structure or "
                                       "building services.") + "\n" + text, keyboard([
            [(tr("Approve"), f"rn:ra:{found.id}"), (tr("Refuse"), f"rn:rr:{found.id}")],
            [(tr("Needs changes"), f"rn:rc:{found.id}")]]), found.ref)
    elif kind == "renovation_reviewed":
        await n.send(tr("{ref}: the repair department's review: {verdict}. {note}",
                        ref=found.ref, verdict=labels.of(tr, labels.REVIEWS, p["verdict"]),
                        note=p.get("note", "")))
    elif kind == "renovation_permit":
        await n.send(tr("Your renovation permit {ref}: from {start} to {end}, working hours "
                        "{hours}. Please keep the building's rules. When the work is done, ask "
                        "for the acceptance inspection.", ref=found.ref, start=found.start_date,
                        end=found.end_date, hours=n.d.settings.renovation_hours),
                     keyboard([[(tr("Request the acceptance inspection"),
                                 f"rv:in:{found.id}")]]))
    elif kind == "renovation_inspection":
        buttons = [[(tr("Record the inspection"), f"rn:in:{found.id}")]] \
            if role == roles.TECHNICIAN else None
        await n.send(tr("Acceptance inspection asked for") + "\n" + text,
                     keyboard(buttons) if buttons else None)
    elif p.get("passed"):
        await n.send(tr("{ref}: the renovation passed its acceptance inspection. The deposit of "
                        "{deposit} is refunded.", ref=found.ref,
                        deposit=tr.number(found.deposit or 0)))
    else:
        await n.send(tr("{ref}: the acceptance inspection found what must still be fixed: "
                        "{note}. Ask again when it is done.", ref=found.ref, note=p.get("note")),
                     keyboard([[(tr("Request the acceptance inspection"),
                                 f"rv:in:{found.id}")]]))


@renders("activity_place", "activity_reminder", "activity_rating", plain=True)
async def _activity_notice(n: Notice) -> None:
    tr, kind = n.tr, n.message.kind
    activity = await activities.of(n.d.db, n.payload["activity"])
    when = tr.datetime(activity.starts_at)
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


@renders("fee_reminder", "fee_overdue", "large_payment", "day_closed", plain=True)
async def _fee_notice(n: Notice) -> None:
    tr, kind, p = n.tr, n.message.kind, n.payload
    if kind in ("fee_reminder", "fee_overdue"):
        head = tr("A reminder: fees of {unit} fall due soon.", unit=p["unit"]) \
            if kind == "fee_reminder" else tr("Fees of {unit} are overdue.", unit=p["unit"])
        for statement in await collection.statements(n.d.db, n.recipient.user_id):
            if statement.unit.label == p["unit"]:
                await n.send(head + "\n" + fee_desk.statement_text(tr, n.d.settings, statement))
        return
    if kind == "large_payment":
        await n.send(tr("A large payment today: {unit}, payment {id} (see the day's close).",
                        unit=p["unit"], id=p["payment"]))
        return
    who = await views.person(n.d.db, n.message.actor_id or 0)
    text = tr("{day}, closed by {name}: cash {cash} counted, {cash_recorded} recorded; "
              "transfers {transfer} counted, {transfer_recorded} recorded; {payments} "
              "payments.", day=p["day"], name=who.name if who else "",
              cash=tr.number(p["cash"]), cash_recorded=tr.number(p["cash_recorded"]),
              transfer=tr.number(p["transfer"]),
              transfer_recorded=tr.number(p["transfer_recorded"]), payments=p["payments"])
    if p.get("explanation"):
        text += "\n" + tr("Difference explained: {why}", why=p["explanation"])
    await n.send(text)
