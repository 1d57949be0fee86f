"""Agreeing a visit in the chat: the unit's person who holds a job proposes a day and a time
of day; the resident confirms it or picks another, and the holder is told. The agreed time
replaces the preferred one (audited), so reminders and the visit's deadline follow it."""

from __future__ import annotations

from datetime import date, datetime

from storage import tickets
from storage.db import Connection, Database
from storage.records import Ticket
from workflow import access, sla, told
from workflow import tickets as machine
from workflow.repairs import report
from workflow.settings import EMERGENCY, EstateSettings, slot

PROPOSED, CONFIRMED, CHOSEN = "visit_proposed", "visit_confirmed", "visit_chosen"
Refusal = machine.Refusal


def checked(settings: EstateSettings, day: str, slot: str, now: datetime) -> tuple[str, str]:
    """A day and time of day still to come, as offered; anything else is refused."""
    local = now.astimezone(settings.tz)
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        raise Refusal(Refusal.INVALID) from None
    if chosen not in report.visit_days(local) or \
            slot not in {s.key for s in report.open_slots(chosen, local)}:
        raise Refusal(Refusal.STALE)
    return chosen.isoformat(), slot


def _note(day: str, slot_key: str) -> str:
    """As the timeline shows it in any language: 2026-12-01 09:00-12:00."""
    chosen = slot(slot_key)
    return f"{day} {chosen.start:%H:%M}-{chosen.end:%H:%M}" if chosen else f"{day} {slot_key}"


def after_deadline(settings: EstateSettings, ticket: Ticket, day: str, slot_key: str) -> bool:
    """An emergency's visit proposed for after its deadline: the proposer is warned."""
    chosen = slot(slot_key)
    if ticket.priority != EMERGENCY or chosen is None:
        return False
    return datetime.combine(date.fromisoformat(day), chosen.start, settings.tz) > \
        ticket.deadline_at


async def propose(db: Database, settings: EstateSettings, ticket_id: int, user_id: int,
                  day: str, slot: str, now: datetime) -> Ticket:
    day, slot = checked(settings, day, slot, now)
    async with db.transaction() as conn:
        await access.require(conn, "repairs.propose_visit", user_id, ticket_id)
        ticket = await machine.load(conn, ticket_id)
        if ticket.status not in (machine.ASSIGNED, machine.REOPENED):
            raise Refusal(Refusal.STALE)
        await tickets.add_event(conn, ticket.id, now, user_id, PROPOSED, ticket.status,
                                ticket.status, _note(day, slot))
        await told.tell(conn, settings, PROPOSED, ticket, now, actor_id=user_id,
                        payload={"day": day, "slot": slot})
        return ticket


async def _last_proposal(conn: Connection, ticket_id: int) -> str | None:
    """The proposal still waiting for an answer: none once it was answered (a double tap, or
    a second clerk recording the same call, finds it answered)."""
    events = await tickets.events(conn, ticket_id)
    last = next((e for e in reversed(events) if e.action in (PROPOSED, CONFIRMED, CHOSEN)), None)
    return last.note if last is not None and last.action == PROPOSED else None


async def agree(db: Database, settings: EstateSettings, ticket_id: int, resident_id: int,
                day: str, slot: str, now: datetime, *, proposed: bool,
                by_phone: bool = False) -> Ticket:
    """The resident's answer: the proposed time (which must be the latest proposal), or a
    time of their own. The holder is told either way. `by_phone`: a resident without
    Telegram agreed on the desk's call, and `resident_id` is the clerk who recorded it."""
    day, slot = checked(settings, day, slot, now)
    async with db.transaction() as conn:
        ticket = await machine.load(conn, ticket_id)
        if by_phone:
            await access.require(conn, "repairs.visit_by_phone", resident_id)
            if ticket.resident_id >= 0:  # on Telegram: their own answer, in the chat
                raise Refusal(Refusal.INVALID)
        else:
            await access.require(conn, "repairs.visit", resident_id, ticket.id)
        if ticket.status not in (machine.ASSIGNED, machine.REOPENED) or \
                ticket.technician_id is None:
            raise Refusal(Refusal.STALE)
        if proposed and await _last_proposal(conn, ticket.id) != _note(day, slot):
            raise Refusal(Refusal.STALE)  # an older proposal, or a forged time
        action = CONFIRMED if proposed else CHOSEN
        await tickets.update_fields(conn, ticket.id, now, visit_date=day, visit_slot=slot)
        await tickets.add_event(conn, ticket.id, now, resident_id, action, ticket.status,
                                ticket.status, _note(day, slot))
        await sla.arm(conn, settings, ticket.id, now, afresh=(sla.VISIT_LATE,
                                                              sla.REMIND_TECHNICIAN,
                                                              sla.REMIND_RESIDENT))
        await told.tell(conn, settings, action, ticket, now, actor_id=resident_id,
                        payload={"day": day, "slot": slot})
        return await machine.load(conn, ticket.id)
