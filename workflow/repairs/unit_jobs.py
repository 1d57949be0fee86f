"""A responsible unit (施工責任單位) in the chat. A job the desk sends to a unit reaches all
its people at once; the first to accept holds it, like a technician (on my way, arrived,
complete); a decline with a reason goes back to the desk, which decides liability. A unit
with nobody in the chat keeps the phone path."""

from __future__ import annotations

from datetime import datetime

from storage import drafts, people, tickets
from storage.db import Connection, Database
from storage.records import Draft, Person, Ticket
from storage.repairs import contractors
from workflow import access, conversations, sla, told
from workflow import tickets as machine

DECLINE_FLOW = "decline"
MAX_REASON = 500
REASONS = ("not_under_warranty", "not_our_work")  # offered as buttons; any text will do
# why the desk sends a declined job back to the same unit: the unit reads it
RULINGS = ("under_warranty", "their_work", "checked_on_site")
TAKEABLE = (machine.ASSIGNED, machine.REOPENED)
Refusal = machine.Refusal


async def send_to_unit(conn: Connection, ticket: Ticket, contractor_id: int, actor_id: int,
                       now: datetime) -> bool:
    """Called as the desk dispatches to a unit: the job waits for one of its people to take
    it (each is told, by the table of who is told). False when none is in the chat (the desk
    phones the unit, as before)."""
    if not await people.of_contractor(conn, contractor_id):
        return False
    await tickets.update_fields(conn, ticket.id, now, unit_sent_at=now, accepted_at=None)
    return True


async def _unit_person(conn: Connection, user_id: int, ticket: Ticket) -> Person:
    """One of the people of the unit the job is with; nobody else."""
    return await access.require(conn, "repairs.unit_job", user_id, ticket.id)


async def accept(db: Database, settings, ticket_id: int, user_id: int, now: datetime,
                 seen: int | None = None) -> Ticket:
    """The first accept wins (compare-and-set on the version); the unit's others are told
    who took it."""
    async with db.transaction() as conn:
        # an old card first: one the desk gave to someone else says so, not "not allowed"
        ticket = machine.as_seen(await machine.load(conn, ticket_id), seen)
        person = await _unit_person(conn, user_id, ticket)
        if ticket.technician_id is not None or ticket.status not in TAKEABLE:
            raise Refusal(Refusal.STALE)
        await tickets.update_fields(conn, ticket.id, now, technician_id=user_id,
                                    accepted_at=now)
        await tickets.add_event(conn, ticket.id, now, user_id, "contractor_accepted",
                                ticket.status, ticket.status, person.name)
        await sla.arm(conn, settings, ticket.id, now)
        after = await machine.load(conn, ticket.id)
        await told.tell(conn, settings, "unit_taken", after, now, actor_id=user_id,
                        before=ticket)
        return after


async def start_decline(db: Database, ticket_id: int, user_id: int, now: datetime,
                        seen: int | None = None) -> Ticket:
    async with db.transaction() as conn:
        ticket = machine.as_seen(await machine.load(conn, ticket_id), seen)  # moved on?
        await _unit_person(conn, user_id, ticket)
        if ticket.technician_id not in (None, user_id) or ticket.status not in TAKEABLE:
            raise Refusal(Refusal.STALE)
        await conversations.begin(conn, Draft(user_id, DECLINE_FLOW, "reason",
                                              {"ticket_id": ticket.id, "seen": ticket.version}),
                                  now)
        return ticket


async def decline(db: Database, settings, user_id: int, reason: str,
                  now: datetime) -> tuple[Ticket, bool]:
    """The reason given: the job leaves the unit and goes back to the desk with it. The
    ticket, and False when it moved on while the reason was written (nothing declined)."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, user_id, DECLINE_FLOW, "reason", now)
        await drafts.delete(conn, user_id)
        ticket = await machine.load(conn, draft.data["ticket_id"])
        if ticket.version != draft.data["seen"] or ticket.status not in TAKEABLE:
            return ticket, False  # moved on (perhaps away from the unit): the draft ends
        await _unit_person(conn, user_id, ticket)
        unit = await contractors.get(conn, ticket.contractor_id or 0)
        name = unit.name if unit else ""
        await tickets.update_fields(conn, ticket.id, now, contractor_id=None, technician_id=None,
                                    unit_sent_at=None, accepted_at=None)
        await tickets.add_event(conn, ticket.id, now, user_id, "contractor_declined",
                                ticket.status, ticket.status, f"{name}: {reason}")
        await sla.arm(conn, settings, ticket.id, now)
        after = await machine.load(conn, ticket.id)
        await told.tell(conn, settings, "unit_declined", after, now, actor_id=user_id,
                        payload={"unit": name, "reason": reason}, before=ticket)
        if after.priority == "emergency":
            await told.tell(conn, settings, "emergency_declined", after, now, actor_id=user_id,
                            payload={"unit": name, "reason": reason}, before=ticket)
        return after, True


async def liability_after_decline(conn: Connection, ticket: Ticket, actor_id: int,
                                  contractor_id: int | None, now: datetime,
                                  ruling: str | None = None) -> dict:
    """The desk's next dispatch of a declined job is its decision on liability, audited: the
    same unit again (liable after all, for the reason `ruling`), or our own staff. Returns
    what the unit reads of it when the job goes back to it: the ruling and its decline."""
    if ticket.assigned_at is None:  # never given to anyone: nobody has declined it
        return {}
    events = await tickets.events(conn, ticket.id)
    declined = next((e for e in reversed(events) if e.action in (
        "contractor_declined", "assigned")), None)
    if declined is None or declined.action != "contractor_declined":
        return {}
    unit, _, reason = declined.note.partition(": ")
    chosen = await contractors.get(conn, contractor_id) if contractor_id is not None else None
    upheld = chosen is not None and chosen.name == unit
    if upheld and ruling not in RULINGS:
        ruling = RULINGS[0]
    await tickets.add_event(conn, ticket.id, now, actor_id,
                            "liability_upheld" if upheld else "liability_in_house",
                            ticket.status, ticket.status, unit)
    return {"ruling": ruling, "declined": reason} if upheld else {}


async def jobs(db: Database, user_id: int, limit: int) -> tuple[list[Ticket], list[Ticket]]:
    """A unit's person's /mytasks: the unit's jobs nobody has taken, and their own."""
    async with db.reading() as conn:
        person = await access.require(conn, "repairs.tasks", user_id)
        waiting = await tickets.awaiting_unit(conn, person.contractor_id or 0, limit)
        own, _ = await tickets.of_technician(conn, user_id, machine.WORKING, limit)
        return waiting, own
