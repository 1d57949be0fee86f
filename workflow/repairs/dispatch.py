"""Dispatch: a clerk gives a ticket to a technician or to the responsible contractor."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from storage import people, ticket_files, tickets
from storage.db import Database
from storage.records import Contractor, Person, Ticket
from storage.repairs import contractors
from workflow import access, roles, sla, told, views
from workflow import tickets as machine
from workflow.repairs import unit_jobs
from workflow.settings import EstateSettings, slot

ASSIGNABLE = (machine.NEW, machine.ASSIGNED, machine.EN_ROUTE, machine.ON_SITE, machine.REOPENED)
DEADLINE_CHOICES = (1, 2, 3, 5, 7, 14)  # days; 0 means the standard deadline
STANDARD = 0
MAX_DAYS = 60


def deadline(settings: EstateSettings, now: datetime, days: int) -> datetime:
    """The end of the estate's local day, `days` days from now."""
    local = now.astimezone(settings.tz).date() + timedelta(days=days)
    return datetime.combine(local, time(23, 59), settings.tz)


def visit_ends(settings: EstateSettings, ticket: Ticket) -> datetime | None:
    """The end of the visit slot the resident chose; None for 'as soon as possible'."""
    chosen = slot(ticket.visit_slot) if ticket.visit_date else None
    if chosen is None:
        return None
    return datetime.combine(date.fromisoformat(ticket.visit_date), chosen.end, settings.tz)


def standard_deadline(ticket: Ticket, contractor: Contractor | None, now: datetime,
                      not_before: datetime | None = None) -> tuple[datetime, bool] | None:
    """The earlier of the service level's target and a contractor's contractual deadline from
    now, and whether it is the contract's. Only a time still to come, and not before the
    resident's visit (`not_before`), is offered: None when none is left (a late ticket is
    given a deadline in days)."""
    options = [(ticket.target_at or ticket.deadline_at, False)]
    if contractor is not None and contractor.deadline:
        options.append((now + contractor.deadline, True))
    future = [o for o in options if o[0] > now and (not_before is None or o[0] >= not_before)]
    return min(future) if future else None


def deadline_days(settings: EstateSettings, ticket: Ticket, now: datetime) -> list[int]:
    """The deadlines in days a dispatcher is offered: none that ends before the visit the
    resident chose; the visit's own day when it is not among them (a visit weeks ahead)."""
    after = visit_ends(settings, ticket)
    if after is None:
        return list(DEADLINE_CHOICES)
    days = [n for n in DEADLINE_CHOICES if deadline(settings, now, n) >= after]
    visit_day = (after.date() - now.astimezone(settings.tz).date()).days
    if 0 < visit_day <= MAX_DAYS and visit_day not in days:
        days.append(visit_day)
    return sorted(days)


def liable(contractor: Contractor, category: str) -> bool:
    return contractor.active and category in contractor.trades


async def choices(db: Database, ticket_id: int, actor_id: int,
                  seen: int | None) -> tuple[Ticket, list[Person], list[Contractor]]:
    """What a dispatcher may pick from for this ticket. A picker opened from a card another
    clerk has acted on since (`seen`: the card's version) is refused at once, not at the
    last step."""
    async with db.reading() as conn:
        await access.require(conn, "repairs.dispatch", actor_id)
        found = await ticket_files.with_choices(conn, ticket_id, roles.TECHNICIAN)
    if found is None:
        raise machine.Refusal(machine.Refusal.NOT_FOUND)
    ticket, technicians, units = found
    return machine.as_seen(ticket, seen), technicians, [
        c for c in units if liable(c, ticket.category)]


async def assign(db: Database, settings: EstateSettings, ticket_id: int, actor_id: int,
                 now: datetime, days: int, technician_id: int | None = None,
                 contractor_id: int | None = None, own_staff: bool = False,
                 seen: int | None = None, ruling: str | None = None) -> views.TicketFile:
    """To a technician or a contractor, with the standard deadline (days 0) or the end of
    the day `days` days on. `own_staff` takes a contractor's late job back to our own
    technician (seed step 4) and records the contractor's default for settlement. `seen` is
    the version of the ticket the dispatcher's card showed. `ruling` is why a unit that
    declined the job is liable after all (one of unit_jobs.RULINGS): the unit reads it.
    Returns the ticket's file as it now stands, read once, for the dispatcher's card (who
    may dispatch may view)."""
    if (technician_id is None) == (contractor_id is None) or not 0 <= days <= MAX_DAYS:
        raise machine.Refusal(machine.Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "repairs.dispatch", actor_id)
        # the technician's read is sent before the ticket's is answered: one wait for both
        tech_read = await people.sent(conn, technician_id) if technician_id is not None \
            else None
        before = await views.load_file(conn, ticket_id)  # read once when a technician's
        ticket = machine.as_seen(before.ticket, seen)
        if ticket.status not in ASSIGNABLE or (own_staff and ticket.contractor_id is None):
            raise machine.Refusal(machine.Refusal.STALE)
        unit = None
        tech = None
        if tech_read is not None:
            tech = await tech_read()
            if tech is None or tech.role != roles.TECHNICIAN or not tech.active:
                raise machine.Refusal(machine.Refusal.STALE)
            note = tech.name
        else:
            unit = await contractors.get(conn, contractor_id) if contractor_id else None
            if unit is None or not liable(unit, ticket.category):
                raise machine.Refusal(machine.Refusal.STALE)
            note = unit.name
        visit = visit_ends(settings, ticket)
        if days == STANDARD:
            standard = standard_deadline(ticket, unit, now, visit)
            if standard is None:
                raise machine.Refusal(machine.Refusal.STALE)
            due = standard[0]
        else:
            due = deadline(settings, now, days)
        if visit is not None and due < visit:  # never offered: a forged button
            raise machine.Refusal(machine.Refusal.INVALID)
        payload = await unit_jobs.liability_after_decline(conn, ticket, actor_id,
                                                          contractor_id, now, ruling)

        changes = dict(
            technician_id=technician_id, contractor_id=contractor_id,
            deadline_at=due, assigned_at=ticket.assigned_at or now,
            defaulted_contractor_id=ticket.contractor_id if own_staff
            else ticket.defaulted_contractor_id, unit_sent_at=None, accepted_at=None)
        if tech is not None and not own_staff and ticket.assigned_at is None:
            # a first assignment writes nothing else the file shows: the file read before
            # it, as the change leaves it
            change = await machine.transition_sent(conn, ticket, machine.ASSIGNED, actor_id,
                                                   now, "assigned", note, **changes)
            file = views.changed(before, await change(), actor_id, "assigned", now, note,
                                 technician=tech)
        elif tech is not None and not own_staff:  # one wait for the change and the file
            file = await machine.transition_then(
                conn, ticket, machine.ASSIGNED, actor_id, now, "assigned",
                lambda: views.file_sent(conn, ticket.id), note, **changes)
        else:
            await machine.transition(conn, ticket, machine.ASSIGNED, actor_id, now, "assigned",
                                     note, **changes)
            if own_staff:
                defaulted = await contractors.get(conn, ticket.contractor_id) \
                    if ticket.contractor_id else None
                await tickets.add_event(conn, ticket.id, now, actor_id, "contractor_defaulted",
                                        machine.ASSIGNED, machine.ASSIGNED,
                                        defaulted.name if defaulted else "")
            if contractor_id is not None:
                await unit_jobs.send_to_unit(conn, ticket, contractor_id, actor_id, now)
            file = await views.load_file(conn, ticket.id)
        after = file.ticket
        await sla.arm(conn, settings, ticket.id, now,
                      afresh=(sla.RESOLVE_STEPS if due != ticket.deadline_at else ()) +
                      (sla.UNIT_RESPONSE,), ticket=after)
        await told.tell(conn, settings, "assigned", after, now, actor_id=actor_id,
                        payload=payload, before=ticket, known=file.people,
                        following=file.followers)
        return file


async def contractor_notified_by_phone(db: Database, ticket_id: int, actor_id: int,
                                       now: datetime, seen: int | None = None) -> Ticket:
    async with db.transaction() as conn:
        await access.require(conn, "repairs.dispatch", actor_id)
        ticket = machine.as_seen(await machine.load(conn, ticket_id), seen)
        if ticket.contractor_id is None or ticket.status not in machine.WORKING:
            raise machine.Refusal(machine.Refusal.STALE)
        await tickets.add_event(conn, ticket.id, now, actor_id, "contractor_notified_by_phone",
                                ticket.status, ticket.status)
        return ticket


async def queue(db: Database, actor_id: int, limit: int = 30) -> list[Ticket]:
    """Tickets nobody holds first (new ones, and jobs a unit declined back to the desk),
    then the rest still open, oldest first."""
    async with db.reading() as conn:
        await access.require(conn, "repairs.queue", actor_id)
        new = await tickets.with_status(conn, (machine.NEW,), limit)
        rest = await tickets.with_status(
            conn, tuple(s for s in machine.OPEN if s != machine.NEW), limit)
    back = [t for t in rest if machine.back_with_desk(t)]
    return (new + back + [t for t in rest if not machine.back_with_desk(t)])[:limit]
