"""The texts that show a ticket: to its resident, to the desk, to the technician."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from handlers import labels
from handlers.i18n import Tr
from storage.records import Person
from workflow.office import payers
from workflow.privacy import need_to_know
from workflow.privacy.need_to_know import Sight
from workflow.repairs import warranty
from workflow.settings import ASAP, EstateSettings
from workflow.tickets import COMPLETED, Kind, Party
from workflow.views import TicketFile, missed_deadline


def clock_length(seconds: int) -> str:
    """A recording's length as players show it: 0:23, 2:05."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def spoken_description(tr: Tr, text: str, voice) -> str:
    """The description, saying when a voice note is part of it ('voice note, 0:23')."""
    text = labels.erased(tr, text)
    if not voice:
        return text
    seconds = voice["seconds"] if isinstance(voice, dict) else voice.seconds
    note = tr("voice note, {length}", length=clock_length(seconds))
    return f"({note}) {text}".strip() if text else f"({note})"


def visit(tr: Tr, visit_day: str, slot: str) -> str:
    if slot == ASAP:
        return labels.of(tr, labels.SLOTS, slot)
    return tr.beside(tr.short_date(date.fromisoformat(visit_day)),
                     labels.of(tr, labels.SLOTS, slot))


def where(tr: Tr, settings: EstateSettings, ticket) -> str:
    """Where the problem is: a listed public place in the reader's language (it is stored
    by its key), or the place as the resident typed it."""
    if ticket.place and not ticket.place.startswith("~"):
        return labels.place(tr, settings, ticket.place)
    return labels.location(tr, ticket.location)  # a room chip, or as typed


def phone(number: str | None) -> str:
    """Telegram gives international numbers without the plus sign."""
    if number and number.isdigit() and not number.startswith("0"):
        return "+" + number
    return number or ""


def holder(tr: Tr, file: TicketFile, settings: EstateSettings | None = None) -> str | None:
    """Who has the ticket: its technician, its contractor, or a complaint's department."""
    if file.technician is not None:
        return file.technician.name
    if file.contractor is not None:
        return tr("{name} (responsible contractor)", name=file.contractor.name)
    if file.ticket.kind == Kind.COMPLAINT and file.ticket.department and settings is not None:
        return labels.department(tr, settings, file.ticket.department)
    return None


def declined_by(file: TicketFile) -> str | None:
    """The unit that declined the job, while it waits for the desk's next dispatch."""
    t = file.ticket
    if t.kind != Kind.REPAIR or t.technician_id is not None or t.contractor_id is not None or \
            t.status not in ("assigned", "reopened"):
        return None
    last = next((e for e in reversed(file.events) if e.action in (
        "contractor_declined", "assigned")), None)
    if last is None or last.action != "contractor_declined":
        return None
    return last.note.partition(": ")[0]


def nobody(tr: Tr, ticket) -> str:
    """Who has it when nobody does: a repair is not yet dispatched (尚未派工); a complaint is
    with the desk until it is routed, never 'not dispatched'."""
    if ticket.kind == Kind.COMPLAINT:
        return tr("the desk, not yet routed")
    return tr("nobody yet")


def name_of(tr: Tr, file: TicketFile, person_id: int | None, viewer: Person | None) -> str:
    """A person's name on the ticket as `viewer` may read it (need_to_know.may_name): a
    resident they may not know by name is "the resident", "the owner" or nobody."""
    if person_id is None:
        return ""
    if need_to_know.may_name(viewer, file.ticket, person_id, file.followers, file.people):
        return file.names.get(person_id, "")
    return tr("the resident") if person_id == file.ticket.resident_id else ""


def contact_lines(tr: Tr, file: TicketFile) -> list[str]:
    """The resident's name and phone (to whom need_to_know gives them)."""
    if file.resident is None:
        return []
    lines = [tr("Resident: {name} {phone}", name=labels.erased(tr, file.resident.name),
                phone=phone(file.resident.phone))]
    if file.resident.unreachable:
        lines.append(tr("The resident cannot be reached in the chat: please phone."))
    return lines


def summary(tr: Tr, settings: EstateSettings, file: TicketFile, *, staff: bool,
            follower: bool = False, work: list[str] | None = None,
            viewer: Person | None = None, sight: Sight | None = None) -> str:
    """A follower (who reported the same public fault) is not shown the reporter's unit.
    `work`: the repair form's lines of every visit's work (form_work.py), in place of the
    last visit's note and the visits' figures. `viewer`: whom the card is for, and so what
    it shows of the resident (need_to_know); None is the office's own tools. `sight`: what
    need_to_know gave for a reason other than the viewer's role (on duty out of hours)."""
    seen = sight or need_to_know.sight(viewer, file.ticket)
    follower = follower or seen is Sight.NOTHING
    contact = staff and seen is Sight.CONTACT
    if file.ticket.kind == Kind.COMPLAINT:
        return complaint_summary(tr, settings, file, staff=staff, contact=contact)
    t = file.ticket
    declined = declined_by(file)  # the unit is named to staff alone
    lines = [f"{t.ref} · {labels.status(tr, t)}" if declined is None or not staff else
             f"{t.ref} · " + tr("Waiting for the desk: {unit} declined it", unit=declined)]
    if file.kept_ref:
        lines.append(tr("Merged into {ref}, which reports the same problem.", ref=file.kept_ref))
    if t.priority != "normal":
        lines.append(tr("Priority: {priority}", priority=labels.of(tr, labels.PRIORITIES,
                                                                  t.priority)))
    if file.followers:
        lines.append(tr("Residents affected: {count}", count=1 + len(file.followers)))
    if not follower:
        lines.append(tr("Unit: {unit}", unit=t.unit.label))
    lines += intake_lines(tr, file, staff=staff, contact=contact)
    if contact:
        lines += contact_lines(tr, file)
    lines += [
        tr("Category: {category}", category=labels.category(tr, settings, t.category)),
        tr("Where: {location}", location=where(tr, settings, t)),
        tr("Problem: {description}", description=spoken_description(
            tr, t.description, file.voice)),
        tr("Preferred visit: {visit}", visit=visit(tr, t.visit_date, t.visit_slot)),
    ]
    if file.report_photos:
        lines.append(tr("Photos: {count}", count=len(file.report_photos)))
    if staff:
        lines += warranty_lines(tr, settings, file)
        lines += payer_lines(tr, file)
    who = holder(tr, file)
    if who:
        lines.append(tr("Assigned to: {name}", name=who))
    if staff and file.contractor is not None and file.contractor.phone:
        lines.append(tr("Contractor's phone: {phone}", phone=phone(file.contractor.phone)))
    if staff and t.status == "new" and t.assign_due_at:
        lines.append(tr("Assign by: {deadline}", deadline=tr.datetime(t.assign_due_at)))
    if t.deadline_at and declined is None:  # a declined job's deadline is the desk's to set
        lines.append(tr("Deadline: {deadline}", deadline=tr.datetime(t.deadline_at)))
    if staff and t.target_at and t.target_at != t.deadline_at:
        # a moved deadline never hides the service level's own target
        lines.append(tr("Service-level target: {target}", target=tr.datetime(t.target_at)))
    if staff and t.paused_at:
        why = next((e.note for e in reversed(file.events) if e.action == "paused"), "")
        lines.append(tr("Clock paused since {time}: {reason}", time=tr.datetime(t.paused_at),
                        reason=why) if why else
                     tr("Clock paused since {time}", time=tr.datetime(t.paused_at)))
    if work is not None:
        lines += work
    elif t.work_note:
        lines.append(tr("Work done: {note}", note=t.work_note))
    found = file.figures
    if staff and found is not None:  # the one set: as recorded, or as the desk corrected it
        lines.append(tr("Labour: {hours} h, materials: {cost}",
                        hours=tr.number(found.labour_hours),
                        cost=tr.money(found.materials_cost)))
    elif staff and t.labour_hours is not None:
        lines.append(tr("Labour: {hours} h, materials: {cost}", hours=tr.number(t.labour_hours),
                        cost=tr.money(t.materials_cost or 0)))
    if staff and file.items:
        lines.append(tr("Materials used: {items}", items=tr.join(
            f"{i.name} × {tr.number(i.quantity)}{' ' + i.unit if i.unit else ''} "
            f"({tr.money(i.amount)})" for i in file.items)))
    if staff and file.figures is not None:
        lines.append(measured_line(tr, file.figures, measured_by(file)))
    if staff and len(file.visits) > 1 and work is None:  # the total above is their sum
        for v in file.visits:
            lines.append(tr("· Visit {round}, {time}: {hours} h, materials: {cost}",
                            round=v.round, time=tr.datetime(v.completed_at),
                            hours=tr.number(v.labour_hours), cost=tr.money(v.materials_cost)))
    if staff:
        lines += signature_lines(tr, file, viewer)
    return "\n".join(lines)


def confirmation_line(tr: Tr, file: TicketFile, viewer: Person | None = None) -> str | None:
    """Who confirmed the repair, and how: in the chat, by phone (recorded by a clerk), or
    automatically. A confirmation, never a signature of the form."""
    t = file.ticket
    s = next((s for s in file.signoffs if s.party == Party.RESIDENT), None)
    if s is None:
        return tr("Repair not yet confirmed by the resident.") if t.status == COMPLETED \
            else None
    if s.automatic or s.user_id is None:
        return tr("Repair confirmed automatically {time}, {after} after completion without an "
                  "answer.", time=tr.datetime(s.at),
                  after=tr.duration(s.at - (t.completed_at or s.at)))
    resident = name_of(tr, file, t.resident_id, viewer) if file.resident else ""
    if s.channel == "phone":
        return tr("Repair confirmed by {name} by phone {time}, recorded by {clerk}.",
                  name=resident, time=tr.datetime(s.at), clerk=file.names.get(s.user_id, ""))
    who = name_of(tr, file, s.user_id, viewer) or tr("the resident") \
        if s.user_id in file.names else resident
    return tr("Repair confirmed by {name} in the chat {time}.", name=who,
              time=tr.datetime(s.at))


def signature_lines(tr: Tr, file: TicketFile, viewer: Person | None = None) -> list[str]:
    confirmed = confirmation_line(tr, file, viewer)
    if not file.required:
        return [confirmed] if confirmed else []
    signed = {s.party: s for s in file.signoffs}
    lines = [confirmed] if confirmed else []
    lines.append(tr("Signatures:"))
    for party in file.required:
        s = signed.get(party)
        name = labels.of(tr, labels.PARTIES, party)
        if s is None:
            lines.append("· " + tr("{party}: waiting", party=name))
        elif s.channel == "paper":
            lines.append("· " + tr("{party}: {name}, on paper (recorded by {clerk}) {time}",
                                   party=name, name=paper_signer(tr, file, s, viewer),
                                   clerk=file.names.get(s.user_id or 0, ""),
                                   time=tr.datetime(s.at)))
        else:
            who = tr("automatic") if s.automatic or s.user_id is None else \
                name_of(tr, file, s.user_id, viewer) or tr("the owner")
            lines.append("· " + tr("{party}: {name} {time}", party=name, name=who,
                                   time=tr.datetime(s.at)))
    if all(p in signed for p in file.required):
        lines.append(tr("Signed off by every party."))
    return lines


def paper_signer(tr: Tr, file: TicketFile, s, viewer: Person | None) -> str:
    """Who signed on paper: the owner's name is theirs to know whom the office lets."""
    if s.party == Party.OWNER and not need_to_know.sees_contact(viewer, file.ticket):
        return tr("the owner")
    return s.signer_name or ""


def measured_by(file: TicketFile) -> tuple[str, datetime] | None:
    """Who last confirmed or corrected the figures, and when (its event)."""
    event = next((e for e in reversed(file.events)
                  if e.action in ("measurement_confirmed", "measurement_corrected")), None)
    if event is None:
        return None
    return file.names.get(event.actor_id or 0, ""), event.at


def labour(tr: Tr, found) -> str:
    """The labour cost, or 'no rate' for hours its trade has no hourly rate to price."""
    return tr("no rate") if found.unpriced else tr.money(found.labour_cost)


def measured_line(tr: Tr, found, by: tuple[str, datetime] | None = None) -> str:
    """The job's cost, and whether the desk has confirmed it (計量確認); `by`: who corrected
    it and when, for the card and the form."""
    parts = {"total": tr.money(found.labour_cost + found.materials_cost),
             "labour": labour(tr, found),
             "materials": tr.money(found.materials_cost)}
    if found.kind == "confirmed":
        line = tr("Cost {total} (labour {labour}, materials {materials}): measurement "
                  "confirmed.", **parts)
    elif found.kind == "corrected" and by is not None:
        line = tr("Cost {total} (labour {labour}, materials {materials}): corrected by "
                  "{clerk} on {date}: {reason}", clerk=by[0],
                  date=tr.date(by[1].astimezone(tr.tz).date()),
                  reason=found.reason, **parts)
    elif found.kind == "corrected":
        line = tr("Cost {total} (labour {labour}, materials {materials}): corrected by the "
                  "desk: {reason}", reason=found.reason, **parts)
    else:
        line = tr("Cost {total} (labour {labour}, materials {materials}): measurement not yet "
                  "confirmed.", **parts)
    quoted = getattr(found, "quoted", None)  # costs.Cost: what every document charges
    if quoted is not None:
        line += "\n" + tr("Charged to the owner as quoted: {amount}",
                          amount=tr.money(quoted))
    return line


def payer_lines(tr: Tr, file: TicketFile) -> list[str]:
    t = file.ticket
    if t.kind != Kind.REPAIR:
        return []
    # the figures' payer once there are figures: costs.of, as every document has it
    paid_by = file.figures.payer if file.figures is not None else payers.payer_of(t)
    lines = [tr("Paid by: {payer}", payer=labels.of(tr, labels.PAYERS, paid_by))]
    if t.payer == payers.OWNER and t.quote_amount is not None:
        lines.append(tr("Quotation: {amount} ({note}), {state}", amount=tr.money(t.quote_amount),
                        note=t.quote_note or "-",
                        state=labels.of(tr, labels.QUOTE_STATES, t.quote_state or "")))
    return lines


def warranty_lines(tr: Tr, settings: EstateSettings, file: TicketFile) -> list[str]:
    """Who is liable, from the warranty on the day of the report."""
    t = file.ticket
    handovers = dict(settings.handover)
    if file.handed_over is not None:  # the unit's own, when sold by contract
        handovers[t.unit.building] = file.handed_over.astimezone(settings.tz).date()
    found = warranty.standing(settings.warranty, handovers, t.unit.building,
                              t.category, t.created_at.astimezone(settings.tz).date())
    if found is None:
        return []
    if found.within:
        return [tr("Within the warranty of {unit} until {date}.",
                   unit=tr.join(file.liable) or tr("the responsible unit"),
                   date=tr.date(found.until))]
    return [tr("Warranty expired {date}: in-house or owner-paid.", date=tr.date(found.until))]


PRIORITY_CHANGE = re.compile(r"^(\w+) → (\w+)(?: \((\d+)\))?$")  # as workflow/sla.py notes it
QUOTED = re.compile(r"^(\d+(?:\.\d+)?)(?: (.*))?$", re.S)  # workflow/office/payers.py's note


def event_note(tr: Tr, event) -> str:
    """An event's note as the reader reads it, never a stored key: a change of priority names
    the levels as the card does (一般 → 急件) and how many residents raised it; an emergency
    report, the payer and a quotation's amount are said in the reader's words."""
    note, action = event.note, event.action
    if action == "reported" and note in labels.PRIORITIES:
        return labels.of(tr, labels.PRIORITIES, note)
    if action == "payer_set" and note in labels.PAYERS:
        return labels.of(tr, labels.PAYERS, note)
    quoted = QUOTED.match(note) if action == "quotation_sent" else None
    if quoted is not None:
        amount = tr.money(Decimal(quoted[1]))
        return tr("{amount} ({note})", amount=amount, note=quoted[2]) if quoted[2] else amount
    found = PRIORITY_CHANGE.match(note) if action.startswith("priority_") else None
    if found is None or not {found[1], found[2]} <= labels.PRIORITIES.keys():
        return note
    old, new = (labels.of(tr, labels.PRIORITIES, found[i]) for i in (1, 2))
    if found[3] is None:
        return tr("{old} → {new}", old=old, new=new)
    return tr.plural("{old} → {new}, {n} resident affected",
                     "{old} → {new}, {n} residents affected", int(found[3]), old=old, new=new)


def timeline(tr: Tr, file: TicketFile, *, follower: bool = False,
             viewer: Person | None = None) -> str:
    """A follower sees what happened, not who (other residents) nor their notes; nobody
    sees a resident's name, or their words, whom need_to_know does not let."""
    follower = follower or need_to_know.sight(viewer, file.ticket) is Sight.NOTHING
    lines = [tr("Timeline:")]
    for event in file.events:
        named = event.actor_id is None or need_to_know.may_name(
            viewer, file.ticket, event.actor_id, file.followers, file.people)
        actor = labels.actor_name(tr, file.names.get(event.actor_id) if named else None) \
            if event.actor_id else tr("the desk")
        line = f"· {tr.datetime(event.at)} {labels.of(tr, labels.ACTIONS, event.action)}"
        if actor and not follower:
            line += tr(" ({name})", name=actor)
        missed = missed_deadline(event)
        if missed is not None:
            line += tr(": {note}", note=tr.datetime(missed))
        elif event.note and not follower and named and need_to_know.may_read_note(
                viewer, file.ticket, event.action):
            line += tr(": {note}", note=event_note(tr, event))
        lines.append(line)
    confirmed = confirmation_line(tr, file, viewer)
    if confirmed and not follower:
        lines.append(confirmed)
    if any(s.party != Party.RESIDENT for s in file.signoffs):
        lines.append(tr("Signed off by:"))
        for s in file.signoffs:
            if s.party == Party.RESIDENT:
                continue
            name = tr("automatic") if s.automatic or s.user_id is None else \
                name_of(tr, file, s.user_id, viewer) or tr("the owner")
            if s.channel == "paper":
                name = tr("{name}, on paper", name=paper_signer(tr, file, s, viewer))
            lines.append("· " + tr("{party}: {name} {time}",
                                   party=labels.of(tr, labels.PARTIES, s.party), name=name,
                                   time=tr.datetime(s.at)))
    return "\n".join(lines)


def intake_lines(tr: Tr, file: TicketFile, *, staff: bool, contact: bool = True) -> list[str]:
    """A report the desk took: how it came in, who recorded it, who called."""
    t = file.ticket
    if t.channel == "bot":
        return []
    lines = [tr("Received {channel}, recorded by {name}",
                channel=labels.of(tr, labels.CHANNELS, t.channel),
                name=file.names.get(t.filed_by, "") if t.filed_by else "")]
    if staff and contact and (t.caller_name or t.caller_phone):
        lines.append(tr("Caller: {name} {phone}", name=t.caller_name or "",
                        phone=phone(t.caller_phone)).strip())
    return lines


def complaint_summary(tr: Tr, settings: EstateSettings, file: TicketFile, *, staff: bool,
                      contact: bool = True) -> str:
    t = file.ticket
    lines = [f"{t.ref} · {labels.status(tr, t)}", tr("Unit: {unit}", unit=t.unit.label)]
    lines += intake_lines(tr, file, staff=staff, contact=contact)
    if staff and contact and file.resident is not None:
        lines.append(tr("Resident: {name} {phone}",
                        name=labels.erased(tr, file.resident.name),
                        phone=phone(file.resident.phone)))
    lines += [
        tr("Category: {category}", category=labels.complaint_category(tr, settings,
                                                                      t.category)),
        tr("Complaint: {text}", text=spoken_description(tr, t.description, file.voice)),
    ]
    if file.report_photos:
        lines.append(tr("Photos: {count}", count=len(file.report_photos)))
    for ref, unit, start, end in file.permits if staff else ():
        lines.append(tr("Renovation permit in this building: {ref}, {unit}, {start} to {end}, "
                        "working hours {hours}", ref=ref, unit=unit, start=tr.stored_day(start),
                        end=tr.stored_day(end),
                        hours=settings.renovation_hours))
    if t.callback_requested:
        lines.append(tr("Wants a phone call back."))
    if t.department:
        lines.append(tr("Department: {department}",
                        department=labels.department(tr, settings, t.department)))
    if staff and t.status == "new" and t.assign_due_at and t.assigned_at is None:
        lines.append(tr("Acknowledge by: {deadline}", deadline=tr.datetime(t.assign_due_at)))
    if t.deadline_at and t.status not in ("completed", "closed"):
        lines.append(tr("To be resolved by: {deadline}", deadline=tr.datetime(t.deadline_at)))
    if staff and t.work_note:
        lines.append(tr("Action taken: {note}", note=t.work_note))
    if t.reply:
        lines.append(tr("Reply: {reply}", reply=t.reply))
    return "\n".join(lines)
