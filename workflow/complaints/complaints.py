"""Complaints (投訴): received, acknowledged within the service standard, routed to a
department whose head records what was done and replies; closing needs that reply."""

from __future__ import annotations

from datetime import datetime

from storage import drafts, outbox, people, tickets
from storage.db import Database, to_db_time
from storage.records import Draft, Ticket
from storage.repairs import followers
from workflow import access, conversations, filing, sla, told
from workflow import tickets as machine
from workflow.settings import NORMAL, EstateSettings
from workflow.tickets import Kind

FLOW = "complaint"
REPLY_FLOW = "complaint_reply"
STEPS = ("unit", "category", "text", "photos", "callback", "summary")
MAX_TEXT = 2000
MAX_PHOTOS = 5
MAX_REPLY = 1000
ROUTABLE = (machine.NEW, machine.ASSIGNED, machine.REOPENED)


def start(user_id: int, unit_ids: list[int]) -> Draft:
    data = {"photos": [], conversations.DRAFT_ID: conversations.new_id()}
    if len(unit_ids) == 1:
        return Draft(user_id, FLOW, "category", {"unit_id": unit_ids[0], **data})
    return Draft(user_id, FLOW, "unit", data)


EDITABLE = ("category", "text", "photos", "callback")


def advance(draft: Draft, **values) -> Draft:
    """The next step, or back to the summary when a field was being changed."""
    data = {**draft.data, **values}
    if data.pop("editing", False):
        return Draft(draft.user_id, FLOW, "summary", data)
    following = STEPS[STEPS.index(draft.step) + 1]
    while (following == "text" and "text" in data) or \
            (following == "photos" and data.get("photos")):  # begun from a photo
        following = STEPS[STEPS.index(following) + 1]
    return Draft(draft.user_id, FLOW, following, data)


def edit(draft: Draft, field: str) -> Draft:
    """Changes one answer before the complaint is sent."""
    return conversations.reopen_step(draft, field, EDITABLE)


async def submit(db: Database, settings: EstateSettings, user_id: int,
                 now: datetime, draft_id: str | None = None) -> Ticket | None:
    """Files the confirmed complaint; the draft `draft_id` (the button's) filed already: the
    ticket it became (a second tap, a redelivery); None when there is nothing to file."""
    async with db.transaction() as conn:
        filed_as = await conversations.became(conn, user_id, draft_id, Kind.COMPLAINT)
        if filed_as is not None:
            return await machine.load(conn, filed_as)
        draft = await drafts.get(conn, user_id)
        if draft is None or draft.flow != FLOW or draft.step != "summary":
            return None
        data = draft.data
        if settings.complaint_category(data.get("category", "")) is None or "text" not in data:
            raise machine.Refusal(machine.Refusal.INVALID)
        filed = await filing.check(conn, settings, user_id, data, Kind.COMPLAINT, data["category"],
                                   conversations.told(data["text"], data), now)
        ticket_id = await _file(conn, settings, filed.resident_id, data["unit_id"],
                                data["category"], data["text"], data.get("callback", False), now,
                                filed=filed)
        if filed.by_desk and filed.resident_id > 0:
            await outbox.add(conn, filed.resident_id, "filed_for_you", now, ticket_id,
                             actor_id=user_id)
        await tickets.add_photos(conn, ticket_id, "report", data.get("photos", []))
        voice = conversations.voice_of(data)
        if voice is not None:
            await tickets.add_voice(conn, ticket_id, voice)
        await conversations.finish(conn, draft, Kind.COMPLAINT, ticket_id, now)
        ticket = await machine.load(conn, ticket_id)
    return machine.logged(ticket, "reported", user_id)  # once committed


async def _file(conn, settings: EstateSettings, resident_id: int, unit_id: int, category: str,
                text: str, callback: bool, now: datetime, linked: int | None = None,
                filed: filing.Filing | None = None) -> int:
    ref = await machine.new_reference(conn, Kind.COMPLAINT, now, settings.tz)
    target = settings.target(category, NORMAL, kind=Kind.COMPLAINT)
    ticket_id = await tickets.insert(
        conn, ref=ref, kind=Kind.COMPLAINT, resident_id=resident_id, unit_id=unit_id,
        category=category, location="", description=text,
        visit_date=now.astimezone(settings.tz).date().isoformat(), visit_slot="",
        status=machine.NEW, priority=NORMAL, assign_due_at=now + target.assign,
        deadline_at=now + target.resolve, now=now, callback_requested=callback,
        linked_ticket_id=linked, channel=filed.channel if filed else "bot",
        caller_name=filed.caller_name if filed else None,
        caller_phone=filed.caller_phone if filed else None,
        filed_by=filed.filed_by if filed else None)
    reporter = (filed.filed_by or resident_id) if filed else \
        None if linked is not None else resident_id
    await tickets.add_event(conn, ticket_id, now, reporter, "reported", None, machine.NEW)
    for clerk in await machine.desk(conn):
        await outbox.add(conn, clerk.user_id, "dispatch", now, ticket_id)
    await sla.arm(conn, settings, ticket_id, now)
    return ticket_id


FOLLOW_UP = "survey"  # the channel of a follow-up: filed by the desk after a low rating


async def follow_up(conn, settings: EstateSettings, original: Ticket, resident_id: int,
                    text: str, now: datetime, filed_by: int | None = None) -> int:
    """A complaint opened by the desk (`filed_by`) for a resident of the ticket it follows
    up (its reporter, or a resident who followed it, from their own unit): theirs to
    follow, but not written by them."""
    unit_id = dict(await followers.of_ticket(conn, original.id)).get(resident_id) \
        if resident_id != original.resident_id else None
    filed = filing.Filing(resident_id, channel=FOLLOW_UP, filed_by=filed_by) \
        if filed_by is not None else None
    return await _file(conn, settings, resident_id, unit_id or original.unit.id, "other", text,
                       True, now, linked=original.id, filed=filed)


async def _complaint(conn, ticket_id: int) -> Ticket:
    ticket = await machine.load(conn, ticket_id)
    if ticket.kind != Kind.COMPLAINT:
        raise machine.Refusal(machine.Refusal.INVALID)
    return ticket


async def acknowledge(db: Database, settings: EstateSettings, ticket_id: int, actor_id: int,
                      now: datetime, seen: int | None = None) -> Ticket:
    """The first response: the desk has seen it (stops the acknowledgement clock)."""
    async with db.transaction() as conn:
        await access.require(conn, "repairs.dispatch", actor_id)
        ticket = machine.as_seen(await _complaint(conn, ticket_id), seen)
        if ticket.status != machine.NEW or ticket.assigned_at is not None:
            raise machine.Refusal(machine.Refusal.STALE)
        await tickets.update_fields(conn, ticket.id, now, assigned_at=now)
        await tickets.add_event(conn, ticket.id, now, actor_id, "acknowledged", ticket.status,
                                ticket.status)
        renewed = await _renew_deadline(conn, settings, ticket, actor_id, now)
        await sla.arm(conn, settings, ticket.id, now, afresh=sla.RESOLVE_STEPS if renewed
                      else ())
        await outbox.add(conn, ticket.resident_id, "complaint_acknowledged", now, ticket.id,
                         {"renewed": True} if renewed else None, actor_id=actor_id)
        return await machine.load(conn, ticket.id)


async def route(db: Database, settings: EstateSettings, ticket_id: int, actor_id: int,
                department: str, now: datetime, seen: int | None = None) -> Ticket:
    if settings.department(department) is None:
        raise machine.Refusal(machine.Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "repairs.dispatch", actor_id)
        ticket = machine.as_seen(await _complaint(conn, ticket_id), seen)
        if ticket.status not in ROUTABLE:
            raise machine.Refusal(machine.Refusal.STALE)
        await machine.transition(conn, ticket, machine.ASSIGNED, actor_id, now, "routed",
                                 department)
        await tickets.update_fields(conn, ticket.id, now, department=department,
                                    assigned_at=ticket.assigned_at or now)
        renewed = await _renew_deadline(conn, settings, ticket, actor_id, now)
        routed = await machine.load(conn, ticket.id)
        await told.tell(conn, settings, "complaint_routed", routed, now, actor_id=actor_id,
                        payload={"renewed": True} if renewed else None)
        await sla.arm(conn, settings, ticket.id, now, afresh=sla.RESOLVE_STEPS if renewed
                      else ())
        return routed


async def _renew_deadline(conn, settings: EstateSettings, ticket: Ticket, actor_id: int,
                          now: datetime) -> bool:
    """Acknowledged or routed after its deadline: the service level's full time from now, so
    nobody is promised a date already past (the missed one stays in the overdue event and in
    target_at)."""
    if ticket.deadline_at > now:
        return False
    new = now + settings.target(ticket.category, ticket.priority, kind=Kind.COMPLAINT).resolve
    await tickets.update_fields(conn, ticket.id, now, deadline_at=new)
    status = (await machine.load(conn, ticket.id)).status
    await tickets.add_event(conn, ticket.id, now, actor_id, "deadline_renewed", status, status,
                            to_db_time(ticket.deadline_at))
    return True


async def start_reply(db: Database, ticket_id: int, actor_id: int, now: datetime) -> Ticket:
    async with db.transaction() as conn:
        ticket = await _complaint(conn, ticket_id)
        if ticket.status not in machine.WORKING or ticket.department is None:
            raise machine.Refusal(machine.Refusal.STALE)
        await access.require(conn, "complaints.reply", actor_id, ticket.id)
        await conversations.begin(conn, Draft(actor_id, REPLY_FLOW, "action",
                                              {"ticket_id": ticket.id}),
                         now)
        return ticket


async def reply(db: Database, settings: EstateSettings, actor_id: int, text: str,
                now: datetime) -> Ticket | None:
    """The reply, the last answer, filed with what was done in one transaction; the resident
    is asked whether it is resolved. None when the complaint moved on meanwhile."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, REPLY_FLOW, "reply", now)
        draft.data["reply"] = text
        await drafts.delete(conn, actor_id)
        person = await people.get(conn, actor_id)
        ticket = await _complaint(conn, draft.data["ticket_id"])
        if ticket.status not in machine.WORKING or \
                not await access.allows(conn, "complaints.reply", person, ticket.id):
            return None
        await machine.transition(conn, ticket, machine.COMPLETED, actor_id, now, "replied",
                                 draft.data["reply"])
        await tickets.update_fields(conn, ticket.id, now, work_note=draft.data["action"],
                                    reply=draft.data["reply"], completed_at=now)
        await sla.arm(conn, settings, ticket.id, now)
        await outbox.add(conn, ticket.resident_id, "complaint_reply", now, ticket.id,
                         actor_id=actor_id)
        return await machine.load(conn, ticket.id)
