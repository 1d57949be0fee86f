"""On site and after: the technician's progress, completion with proof, and the sign-offs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from storage import drafts, people, ticket_files, tickets
from storage.db import Connection, Database
from storage.office import storeroom
from storage.records import Draft, Ticket
from workflow import access, conversations, sla, told, views
from workflow import tickets as machine
from workflow.office import measurement, payers
from workflow.repairs import signoffs as signoff
from workflow.settings import EstateSettings
from workflow.tickets import Party

COMPLETE_FLOW = "complete"
NOT_FIXED_FLOW = "not_fixed"
COMPLETE_STEPS = ("photos", "note", "hours", "materials")  # or "cost", with no catalogue
MAX_PHOTOS = 5
MAX_NOTE = 1000
MAX_REASON = 500
MAX_HOURS = Decimal(200)
MAX_COST = Decimal(10_000_000)
PROGRESS: dict[str, str] = {machine.EN_ROUTE: "en_route", machine.ON_SITE: "arrived"}


TASKS_SHOWN = 30  # a list of buttons a thumb can scroll; Telegram takes at most 100


async def my_tasks(db: Database, technician_id: int) -> tuple[list[Ticket], int]:
    """The technician's open tasks, soonest visit first, and how many there are in all."""
    async with db.reading() as conn:
        await access.require(conn, "repairs.tasks", technician_id)
        return await tickets.of_technician(conn, technician_id, machine.WORKING, TASKS_SHOWN)


async def _for_work(conn: Connection, ticket_id: int, actor_id: int, seen: int | None,
                    fits: Callable[[Ticket], bool]) -> Ticket:
    return _still_theirs(await machine.load(conn, ticket_id), actor_id, seen, fits)


def _still_theirs(ticket: Ticket, actor_id: int, seen: int | None,
                  fits: Callable[[Ticket], bool]) -> Ticket:
    """A worker's button acts on the job as it is now. What the desk changed since the card
    was shown (who pays, the priority, a longer deadline) does not void it; a change that
    took the job off them or moved it past this step does, said with what happened."""
    if seen != ticket.version and not (fits(ticket) and ticket.technician_id == actor_id):
        raise machine.Refusal(machine.Refusal.HANDLED, ticket.id, unversioned=seen is None)
    return ticket


async def progress(db: Database, settings: EstateSettings, ticket_id: int, actor_id: int,
                   to: str, now: datetime, seen: int | None = None) -> views.TicketFile:
    """'On my way' and 'arrived': the resident is told. Returns the job's file as it now
    stands, for its holder's card (the holder may view it)."""
    if to not in PROGRESS:
        raise machine.Refusal(machine.Refusal.INVALID)
    async with db.transaction() as conn:
        # the job's file read once, before the change: the card after it is that file as
        # the change left it (status, version, the event), not read again
        before = await views.load_file(conn, ticket_id)
        ticket = _still_theirs(before.ticket, actor_id, seen,
                               lambda t: to in machine.TRANSITIONS[t.status])
        await access.require(conn, "repairs.progress", actor_id, ticket)  # its holder
        payers.may_start(ticket)
        changed = await machine.transition_sent(conn, ticket, to, actor_id, now, PROGRESS[to])
        file = views.changed(before, await changed(), actor_id, PROGRESS[to], now)
        await sla.arm(conn, settings, ticket.id, now, ticket=file.ticket)
        await told.tell(conn, settings, PROGRESS[to], file.ticket, now, actor_id=actor_id,
                        known=file.people, following=file.followers)
        return file


async def start_completion(db: Database, ticket_id: int, actor_id: int,
                           now: datetime, seen: int | None = None) -> Ticket:
    async with db.transaction() as conn:
        ticket = await _for_work(conn, ticket_id, actor_id, seen,
                                 lambda t: machine.COMPLETED in machine.TRANSITIONS[t.status])
        await access.require(conn, "repairs.work", actor_id, ticket)
        if machine.COMPLETED not in machine.TRANSITIONS[ticket.status]:
            raise machine.Refusal(machine.Refusal.STALE)
        payers.may_start(ticket)
        await conversations.begin(conn, Draft(actor_id, COMPLETE_FLOW, "photos",
                                     {"ticket_id": ticket.id, "photos": []}), now)
        return ticket


async def hours_given(db: Database, actor_id: int, hours: Decimal, now: datetime) -> str:
    """The hours: next, the materials as storeroom items, or (no catalogue) a typed cost.
    Returns the next step."""
    async with db.transaction() as conn:
        following = "materials" if await storeroom.catalogue(conn) else "cost"
        await conversations.advance(conn, actor_id, COMPLETE_FLOW, "hours", following, now,
                                    hours=str(hours))  # a draft is JSON: exact as text
        return following


async def add_material(db: Database, actor_id: int, now: datetime, *,
                       material_id: int | None = None, quantity: Decimal | None = None,
                       typed: measurement.Typed | None = None) -> tuple[dict, Decimal]:
    """An item of the visit: a catalogue item by id (tapped) or by code or name (typed), or
    a free item with its price. Returns the item and the materials so far; an unknown item
    is refused."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, COMPLETE_FLOW, "materials", now)
        worker = await people.get(conn, actor_id)
        ticket = await machine.load(conn, draft.data["ticket_id"])
        own = measurement.units_own(ticket, worker.role if worker else None)
        item = await measurement.item(conn, draft.data, material_id, quantity, typed, own=own)
        moved = await conversations.move_on(conn, draft, "materials", now,
                                            items=[*draft.data.get("items", []), item])
        return item, measurement.total(moved.data)


async def photos_done(db: Database, actor_id: int, now: datetime) -> bool:
    """'Done' after the after-photos: on to the note. False if there is no photo yet."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, COMPLETE_FLOW, "photos", now)
        if not draft.data["photos"]:
            return False
        await conversations.move_on(conn, draft, "note", now)
        return True


async def complete(db: Database, settings: EstateSettings, actor_id: int, now: datetime,
                   cost: Decimal | None = None) -> Ticket | None:
    """The last answer of the completion record and the record filed, in one transaction:
    after-photos, note, hours, the materials (the storeroom's items listed, or a typed cost
    when the estate keeps no catalogue), the worker's sign-off, and the resident's sign-off
    request. None when the ticket moved on while the record was being written (the record
    is void, and so is the draft)."""
    step = "materials" if cost is None else "cost"
    async with db.transaction() as conn:
        data = (await conversations.at_step(conn, actor_id, COMPLETE_FLOW, step, now)).data
        person = await people.get(conn, actor_id)
        found = await ticket_files.for_visit(conn, data["ticket_id"])  # read once, here
        if found is None:
            raise machine.Refusal(machine.Refusal.NOT_FOUND)
        ticket = found.ticket
        if not await access.allows(conn, "repairs.work", person, ticket) or \
                not data["photos"] or \
                machine.COMPLETED not in machine.TRANSITIONS[ticket.status]:
            await drafts.delete(conn, actor_id)
            return None
        # each visit is its own record; the ticket shows the sum of all of them, set with
        # the status (a refused change rolls the visit back with it)
        visit = await measurement.record_visit(conn, ticket, data, actor_id, now, cost,
                                               worker=person, before=found.sums)
        changed = await machine.transition_sent(
            conn, ticket, machine.COMPLETED, actor_id, now, "completed", data["note"],
            work_note=data["note"], labour_hours=visit.labour_hours,
            materials_cost=visit.materials_cost, completed_at=now)
        await tickets.add_photos(conn, ticket.id, f"after{visit.round}", data["photos"])
        await tickets.sign(conn, ticket.id, Party.TECHNICIAN, actor_id, False, now)
        completed = await changed()  # one wait for the writes sent with it
        await sla.arm(conn, settings, ticket.id, now, ticket=completed)
        await told.tell(conn, settings, "completed", ticket, now, actor_id=actor_id,
                        known=found.people, following=found.followers,
                        unit_roster=found.roster)
        await drafts.drop(conn, actor_id)
        return completed


async def confirm(db: Database, settings: EstateSettings, ticket_id: int, resident_id: int,
                  now: datetime) -> tuple[Ticket, bool]:
    """The reporter confirms in the chat; an owner reporting their own job signs the form as
    the owner with it. Returns the ticket and whether they signed."""
    async with db.transaction() as conn:
        ticket = await machine.load(conn, ticket_id)
        await access.require(conn, "repairs.confirm_fixed", resident_id, ticket.id)
        await machine.transition(conn, ticket, machine.CLOSED, resident_id, now, "confirmed")
        await tickets.update_fields(conn, ticket.id, now, closed_at=now)
        await tickets.add_signoff(conn, ticket.id, Party.RESIDENT, resident_id, False, now)
        signed = await signoff.close_form(conn, settings, ticket, now, confirmed_by=resident_id)
        await sla.arm(conn, settings, ticket.id, now)
        await told.tell(conn, settings, "confirmed", ticket, now, actor_id=resident_id)
        return await machine.load(conn, ticket.id), signed


async def confirm_by_phone(db: Database, settings: EstateSettings, ticket_id: int,
                           actor_id: int, now: datetime, seen: int | None = None) -> Ticket:
    """The desk phoned the resident (one without Telegram, or one who called in), who says
    the repair holds (or the complaint's reply settles it): their confirmation, recorded by
    the clerk (the signoff's user), not the owner's signature."""
    async with db.transaction() as conn:
        await access.require(conn, "repairs.dispatch", actor_id)
        ticket = machine.as_seen(await machine.load(conn, ticket_id), seen)
        await machine.transition(conn, ticket, machine.CLOSED, actor_id, now,
                                 "confirmed_by_phone")
        await tickets.update_fields(conn, ticket.id, now, closed_at=now)
        await tickets.add_signoff(conn, ticket.id, Party.RESIDENT, actor_id, False, now,
                                  channel="phone")
        await signoff.close_form(conn, settings, ticket, now)
        await sla.arm(conn, settings, ticket.id, now)
        await told.tell(conn, settings, "confirmed", ticket, now, actor_id=actor_id)
        return await machine.load(conn, ticket.id)


async def start_not_fixed(db: Database, ticket_id: int, resident_id: int,
                          now: datetime, seen: int | None = None,
                          by_phone: bool = False) -> Ticket:
    """`by_phone`: the desk phoned the resident, who says it is not fixed; `resident_id` is
    the clerk, who writes their reason."""
    async with db.transaction() as conn:
        ticket = await machine.load(conn, ticket_id)
        if by_phone:
            await access.require(conn, "repairs.dispatch", resident_id)
            ticket = machine.as_seen(ticket, seen)
        else:
            await access.require(conn, "repairs.confirm_fixed", resident_id, ticket.id)
        if ticket.status != machine.COMPLETED:
            raise machine.Refusal(machine.Refusal.STALE)
        await conversations.begin(conn, Draft(resident_id, NOT_FIXED_FLOW, "reason",
                                     {"ticket_id": ticket.id, "by_phone": by_phone}), now)
        return ticket


async def not_fixed(db: Database, settings: EstateSettings, resident_id: int, reason: str,
                    now: datetime) -> Ticket | None:
    """Reopens the job to the same technician with the resident's reason."""
    async with db.transaction() as conn:
        draft = await drafts.get(conn, resident_id)
        if draft is None or draft.flow != NOT_FIXED_FLOW:
            return None
        ticket = await machine.load(conn, draft.data["ticket_id"])
        await drafts.delete(conn, resident_id)
        by_phone = draft.data.get("by_phone", False)
        if (ticket.resident_id != resident_id and not by_phone) or \
                ticket.status != machine.COMPLETED:
            return None  # confirmed automatically meanwhile
        await machine.transition(conn, ticket, machine.REOPENED, resident_id, now, "not_fixed",
                                 reason)
        await tickets.remove_signoff(conn, ticket.id, Party.TECHNICIAN)
        await sla.arm(conn, settings, ticket.id, now)
        after = await machine.load(conn, ticket.id)
        await told.tell(conn, settings, "reopened", after, now, actor_id=resident_id,
                        payload={"reason": reason})
        return after


async def close_automatically(conn, settings: EstateSettings, ticket: Ticket,
                              now: datetime) -> None:
    """The resident left a completed repair unanswered: confirmed, and recorded as such."""
    await machine.transition(conn, ticket, machine.CLOSED, None, now, "auto_confirmed")
    await tickets.update_fields(conn, ticket.id, now, closed_at=now)
    await tickets.add_signoff(conn, ticket.id, Party.RESIDENT, None, True, now)
    await signoff.close_form(conn, settings, ticket, now)
    await sla.arm(conn, settings, ticket.id, now)
    await told.tell(conn, settings, "auto_confirmed", ticket, now)
