"""What the registers' notices say: key loans, the archive's loans and checks, renovation
applications from the request to the deposit's refund."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from handlers import labels
from handlers.common import keyboard
from handlers.registers import archives as archives_ui
from handlers.registers import keys as keys_ui
from handlers.registers import renovations as renovation_ui
from handlers.renderers import Notice, renders
from workflow import roles, views
from workflow.registers import archives, keys, renovations


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
