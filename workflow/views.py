"""What a person may look at: their own tickets, a ticket's timeline, their drafts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from storage import accounts, drafts, outbox, people, roster, sender, ticket_files, tickets
from storage.db import Database, db_time, from_db_time, to_db_time
from storage.records import (
    Account,
    Contractor,
    Draft,
    JoinRequest,
    Person,
    RosterEntry,
    Signoff,
    Ticket,
    TicketEvent,
    Unit,
    Voice,
)
from storage.registers import renovations
from storage.repairs.visits import Item, Visit
from workflow import access, conversations, phones, roles
from workflow import tickets as machine
from workflow import units as unit_names
from workflow.office import costs
from workflow.office.costs import Cost
from workflow.tickets import Kind

MY_TICKETS_LIMIT = 20
# A conversation's step (begun, answered, a photo added) skips the fsync: a power cut may
# lose it, and the person then answers that question again (README, Performance). What a
# person is told was done (a filing, a status change, a payment, a signature) is durable.
STEP_DURABLE = False
# Audit events that record something beside the ticket without changing it.
NOT_CHANGES = frozenset({"resident_added", "called_back", "contractor_notified_by_phone",
                         "supervisor_signed", "supervising_engineer_signed",
                         "project_department_signed", "signed_on_paper", "signed_off",
                         "signoff_queried", "follow_up_opened", "phoned_resident"})


@dataclass(frozen=True)
class TicketFile:
    """A ticket with everything its card and timeline show."""
    ticket: Ticket
    resident: Person | None
    technician: Person | None
    contractor: Contractor | None
    events: list[TicketEvent]
    signoffs: list[Signoff]
    names: dict[int, str]
    report_photos: list[str]
    after_photos: list[str]
    department_heads: frozenset[int] = frozenset()  # who may reply to a routed complaint
    voice: Voice | None = None  # a voice note that is (part of) the description
    visits: tuple[Visit, ...] = ()  # each completed visit's own labour and materials
    followers: tuple[int, ...] = ()  # residents who reported the same problem
    kept_ref: str | None = None  # the report a duplicate was merged into
    liable: tuple[str, ...] = ()  # the responsible units liable for its category
    required: tuple[str, ...] = ()  # the parties who must sign its repair form, once closed
    items: tuple[Item, ...] = ()  # the materials each visit used
    figures: Cost | None = None  # costs.of_job: as recorded or measured, and who pays
    permits: tuple[tuple[str, str, str, str], ...] = ()  # (ref, unit, from, to) a noise
    # complaint's building has in force
    handed_over: datetime | None = None  # the unit's own handover, when sold by contract
    people: Mapping[int, Person] = field(default_factory=dict)  # as stored, everyone it
    # names (resident, technician, followers...): whom its notices go to, without a read


def last_of(file: TicketFile) -> machine.Happened | None:
    """The ticket's last change (audit notes beside it are not changes), by name."""
    last = next((e for e in reversed(file.events) if e.action not in NOT_CHANGES), None)
    if last is None:
        return None
    return machine.Happened(last.action, file.names.get(last.actor_id, "") if last.actor_id
                            else "", last.at, last.note, last.actor_id)


async def stale_view(db: Database, ticket_id: int, viewer_id: int) -> tuple[
        machine.Happened | None, TicketFile | None]:
    """For a button out of date: what happened to the ticket since, for whoever it concerns
    (they see it, or were told of it once); and the ticket as it is now, if they still see
    it. Nothing for anyone else."""
    async with db.reading() as conn:
        viewer = await people.get(conn, viewer_id)
        try:
            if not await access.allows(conn, "tickets.what_happened", viewer, ticket_id):
                return None, None
        except machine.Refusal:  # no such ticket
            return None, None
        assert viewer is not None  # the relation admits nobody unknown
        file = await load_file(conn, ticket_id)
        sees = await access.sees_ticket(conn, viewer, file.ticket)
        return last_of(file), file if sees else None


MISSED = ("overdue_assign_late", "overdue_resolve_late", "overdue_visit_late",
          "overdue_unit_response",
          "deadline_renewed")  # a complaint routed after it: the deadline it had


def missed_deadline(event: TicketEvent) -> datetime | None:
    """The deadline an overdue event recorded as missed."""
    if event.action in MISSED and event.note:
        return from_db_time(event.note)
    return None


def lateness(ticket: Ticket) -> timedelta | None:
    """How late a completed job was against its (last) deadline: zero when it was met, None
    while it is not completed (the repair form's 如期完成, as the sign-off card says it)."""
    if ticket.completed_at is None:
        return None
    return max(ticket.completed_at - ticket.deadline_at, timedelta(0))


async def person(db: Database, user_id: int) -> Person | None:
    known = people.known(user_id)  # the update's sender: read with the update
    if known is not people.UNKNOWN:
        return known
    async with db.reading() as conn:
        return await people.get(conn, user_id)


async def person_of_account(db: Database, account: Account) -> Person | None:
    """The person a chat account belongs to (None: a stranger's account); the update's
    sender's, as read with the update, costs no query."""
    found = sender.of_account(account)
    if found is not None and found.person_known:
        return found.person
    async with db.reading() as conn:
        return await accounts.person_of(conn, account)


async def person_and_chat(db: Database, person_id: int
                          ) -> tuple[Person | None, Account | None]:
    """A person, and the account they hear the desk's notices on, in one query."""
    async with db.reading() as conn:
        return await accounts.person_and_chosen(conn, person_id)


async def chats_of(db: Database, person_id: int, channel: str) -> list[str]:
    """The person's accounts on one channel (their ids there)."""
    async with db.reading() as conn:
        return [a.account.external_id for a in await accounts.accounts_of(conn, person_id)
                if a.account.channel == channel]


async def unit(db: Database, unit_id: int) -> Unit | None:
    async with db.reading() as conn:
        return await roster.get_unit(conn, unit_id)


async def all_units(db: Database) -> list[Unit]:
    async with db.reading() as conn:
        return await roster.all_units(conn)


async def units(db: Database, user_id: int) -> list[Unit]:
    async with db.reading() as conn:
        return await people.units_of(conn, user_id)


async def tickets_by_id(db: Database, ids: list[int]) -> list[Ticket]:
    async with db.reading() as conn:
        found = [await tickets.get(conn, i) for i in ids]
    return [t for t in found if t is not None]


async def resident_tickets(db: Database, user_id: int) -> list[Ticket]:
    async with db.reading() as conn:
        return await tickets.of_resident(conn, user_id, MY_TICKETS_LIMIT)


async def _as_resident(conn, ticket: Ticket, person: Person | None) -> Person | None:
    """The ticket's resident by the name the roster gives them at the ticket's unit: a member
    of staff who lives here reports as a resident, not under their invited name."""
    if person is None or person.role in (None, roles.RESIDENT) or not person.phone:
        return person
    for entry in await roster.entries_by_phone_key(conn, phones.phone_key(person.phone)):
        if entry.unit.id == ticket.unit.id and phones.same_number(entry.phone, person.phone):
            return replace(person, name=entry.name)
    return person


async def load_file(conn, ticket_id: int) -> TicketFile:
    """In one statement (ticket_files, its measured cost included); a complaint's
    department heads, a noise complaint's permits and a resident who is also staff take
    one more."""
    return await (await file_sent(conn, ticket_id))()


def changed(file: TicketFile, ticket: Ticket, actor_id: int | None, action: str,
            now: datetime, note: str = "", technician: Person | None = None) -> TicketFile:
    """`file`, read before a status change in the same transaction, as the change left it
    (`ticket` as `machine.transition_sent` answers it): its new status and version, the
    event the change wrote (its time as stored) and, when the change gave it to
    `technician`, them."""
    event = TicketEvent(db_time(to_db_time(now)), actor_id, action, file.ticket.status,
                        ticket.status, note)
    file = replace(file, ticket=ticket, events=[*file.events, event])
    if technician is None:
        return file
    assert ticket.technician_id == technician.user_id
    return replace(file, technician=technician,
                   names={**file.names, technician.user_id: technician.name},
                   people={**file.people, technician.user_id: technician})


async def file_sent(conn, ticket_id: int) -> Callable[[], Awaitable[TicketFile]]:
    """`load_file` in two halves: its first read sent now, the file answered when called."""
    rows = await ticket_files.sent(conn, ticket_id)

    async def answer() -> TicketFile:
        return await _file(conn, ticket_id, await rows())
    return answer


async def file_of(db: Database, ticket_id: int, rows: ticket_files.FileRows) -> TicketFile:
    """The file from its rows read already (with an outbox claim): a complaint's department
    heads, a noise complaint's permits and a resident who is also staff are read now."""
    async with db.reading() as conn:
        return await _file(conn, ticket_id, rows)


async def _file(conn, ticket_id: int, rows: ticket_files.FileRows | None) -> TicketFile:
    if rows is None:
        raise machine.Refusal(machine.Refusal.NOT_FOUND)
    ticket, done, found = rows.ticket, rows.visits, rows.people
    after: list[str] = []
    for visit in reversed(done):  # the newest visit's photos
        after = rows.photos.get(f"after{visit.round}", [])
        if after:
            break
    return TicketFile(
        ticket=ticket,
        resident=await _as_resident(conn, ticket, found.get(ticket.resident_id)),
        technician=found.get(ticket.technician_id) if ticket.technician_id else None,
        contractor=next((c for c in rows.contractors if c.id == ticket.contractor_id), None)
        if ticket.contractor_id else None,
        events=rows.events, signoffs=rows.signoffs,
        names={i: p.name for i, p in found.items()},
        report_photos=rows.photos.get("report", []),
        voice=rows.voice,
        after_photos=after,
        department_heads=frozenset(p.user_id for p in await machine.department_heads(
            conn, ticket.department)) if ticket.kind == Kind.COMPLAINT and ticket.department
        else frozenset(),
        visits=tuple(done),
        followers=tuple(rows.followers),
        required=tuple(rows.required),
        permits=await _permits(conn, ticket),
        items=tuple(rows.items),
        figures=costs.of(rows.cost) if done else None,
        liable=tuple(c.name for c in rows.contractors
                     if c.active and ticket.category in c.trades),
        handed_over=(rows.handed_over or ticket.created_at) if rows.sold else None,
        kept_ref=rows.kept_ref, people=found,
    )


NOISE = "noise_neighbours"


async def _permits(conn, ticket: Ticket) -> tuple[tuple[str, str, str, str], ...]:
    """A neighbour's noise complaint shows the renovation permits of its building in force
    on the day it was made."""
    if ticket.kind != Kind.COMPLAINT or ticket.category != NOISE:
        return ()
    day = ticket.created_at.date().isoformat()
    permits = []
    for found in await renovations.active_in_building(conn, ticket.unit.building, day):
        unit = await roster.get_unit(conn, found.unit_id)
        permits.append((found.ref, unit.label if unit else "", found.start_date,
                        found.end_date))
    return tuple(permits)


async def ticket_by_ref(db: Database, ref: str) -> TicketFile:
    """For the office's own tools (the command line): any ticket, by its reference."""
    async with db.reading() as conn:
        found = await tickets.by_ref(conn, ref)
        if found is None:
            raise machine.Refusal(machine.Refusal.NOT_FOUND)
        return await load_file(conn, found.id)


async def ticket_file(db: Database, ticket_id: int, viewer_id: int | None) -> TicketFile:
    """The ticket as `viewer_id` may see it; None viewer means the system (sending notices)."""
    async with db.reading() as conn:
        file = await load_file(conn, ticket_id)  # its ticket is what the check reads
        if viewer_id is not None:
            viewer = await people.get(conn, viewer_id)
            if not await access.allows(conn, "tickets.view", viewer, file.ticket):
                raise machine.Refusal(machine.Refusal.FORBIDDEN)
        return file


async def no_longer_theirs(db: Database, ticket_id: int, user_id: int) -> bool:
    """A job the person held, or their unit had, until the desk gave it to someone else."""
    async with db.reading() as conn:
        return await outbox.was_sent(conn, user_id, ticket_id,
                                     ("task_withdrawn", "unit_job_withdrawn"))


async def draft(db: Database, user_id: int, now: datetime) -> Draft | None:
    """The conversation in progress; one left alone too long has expired."""
    found = await draft_as_left(db, user_id)
    return None if found is None or conversations.expired(found, now) else found


async def draft_as_left(db: Database, user_id: int) -> Draft | None:
    """The last conversation, even if it has expired (to tell the person so)."""
    found = drafts.known(user_id)  # the update's sender's: read with the update
    if found is not drafts.UNKNOWN:
        return found
    async with db.reading() as conn:
        return await drafts.get(conn, user_id)


async def forget_expired_drafts(db: Database, now: datetime) -> None:
    async with db.transaction() as conn:
        await conversations.forget_expired(conn, now)


async def start_draft(db: Database, new: Draft, now: datetime) -> None:
    """Begins a conversation; conversations.Busy when another is in progress."""
    async with db.transaction(durable=STEP_DURABLE) as conn:
        await conversations.begin(conn, new, now)


async def save_draft(db: Database, new: Draft, now: datetime) -> None:
    async with db.transaction(durable=STEP_DURABLE) as conn:
        await drafts.put(conn, new, now)


async def advance_draft(db: Database, user_id: int, flow: str, step: str, to: str,
                        now: datetime, **answers) -> Draft:
    """An answer that only leads to the next question (conversations.advance)."""
    async with db.transaction(durable=STEP_DURABLE) as conn:
        return await conversations.advance(conn, user_id, flow, step, to, now, **answers)


async def drop_draft(db: Database, user_id: int) -> bool:
    async with db.transaction() as conn:
        return await drafts.delete(conn, user_id)


async def join_request(db: Database, request_id: int) -> tuple[
        JoinRequest, Person, list[RosterEntry]]:
    """A request to be linked to a unit, with whom the roster has for that unit (so the
    clerk approving it can compare)."""
    async with db.reading() as conn:
        request = await roster.get_join_request(conn, request_id)
        if request is None:
            raise machine.Refusal(machine.Refusal.NOT_FOUND)
        matches, _ = await unit_names.find(conn, request.claimed_unit)
        listed = [e for u in matches[:1] for e in await roster.entries_of_unit(conn, u.id)]
        person = await people.get(conn, request.user_id)
        if person is None:
            raise machine.Refusal(machine.Refusal.NOT_FOUND)
        return request, person, listed


async def unreachable(db: Database) -> list[Person]:
    async with db.reading() as conn:
        return await people.unreachable(conn)
