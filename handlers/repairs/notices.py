"""What the repairs' notices say: a responsible unit's jobs and visit times, a job taken
from its holder, an emergency out of hours, the repair form's signatures, one fault's many
callers (joined reports, followers)."""

from __future__ import annotations

from handlers import cards, labels
from handlers.common import keyboard
from handlers.i18n import clause
from handlers.renderers import Notice, renders
from handlers.repairs import signoffs as signoffs_ui
from workflow.privacy import access as access_log
from workflow.privacy import need_to_know


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
    await n.card(n.tr("An emergency reported out of office hours: please see to it now."),
                 need_to_know.on_duty(n.ticket_file.ticket))  # whoever is on duty calls


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
    n.opened(access_log.on_card(n.recipient, file), access_log.TICKET, file.ticket.ref)
    await n.with_photos((file.report_photos + file.after_photos)[:10],
                        _form_head(n.tr, n.message.kind, party) + "\n\n" +
                        signoffs_ui.form_text(n.tr, n.d.settings, file,
                                              viewer=n.recipient),
                        keyboard(rows) if rows else None)


@renders("owner_signoff_form")
async def _owner_signoff_form(n: Notice) -> None:
    """The owner's form (a tenant's job, or their own confirmed by phone or automatically):
    the resident's card with the figures, to sign or query."""
    file, party = n.ticket_file, n.payload.get("party", "")
    rows = signoffs_ui.form_buttons(n.tr, file, party)
    await n.with_photos(file.after_photos[:10],
                        _form_head(n.tr, n.payload.get("as", "signoff_form"), party) + "\n\n" +
                        # the unit's owner (told.py sends it to them alone): their
                        # household's job, the tenant who reported it named as before
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
