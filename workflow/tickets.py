"""The ticket state machine: one table of allowed transitions, one function that applies them."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import TypeVar

from storage import people, tickets
from storage.db import Connection
from storage.records import Person, Ticket
from storage.repairs import followers
from workflow import roles


class Kind(StrEnum):
    """The letter that starts a reference: R-2026-00017, C-2026-00003."""
    REPAIR = "R"
    COMPLAINT = "C"


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    COMPLETED = "completed"
    REOPENED = "reopened"
    CLOSED = "closed"
    MERGED = "merged"  # a duplicate, joined to the report it repeats (duplicate_of)


class Party(StrEnum):
    """Who signs a repair off (the seed's 簽認維修單): the worker when done; the owner of the
    unit; the repair department (its supervisor); the supervising engineer (監理); the
    project department (項目部). RESIDENT is not a signature: it records the confirmation of
    the repair (by the reporter in the chat, by phone through a clerk, or automatically)."""
    TECHNICIAN = "technician"
    RESIDENT = "resident"  # the repair's confirmation, shown apart from the signatures
    OWNER = "owner"
    SUPERVISOR = "supervisor"
    SUPERVISING_ENGINEER = "supervising_engineer"
    PROJECT_DEPARTMENT = "project_department"


NEW, ASSIGNED, EN_ROUTE, ON_SITE = Status.NEW, Status.ASSIGNED, Status.EN_ROUTE, Status.ON_SITE
COMPLETED, REOPENED, CLOSED = Status.COMPLETED, Status.REOPENED, Status.CLOSED
MERGED = Status.MERGED

TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({NEW}),
    NEW: frozenset({ASSIGNED, MERGED}),
    ASSIGNED: frozenset({ASSIGNED, EN_ROUTE, ON_SITE, COMPLETED, MERGED}),
    EN_ROUTE: frozenset({ASSIGNED, ON_SITE, COMPLETED, MERGED}),
    ON_SITE: frozenset({ASSIGNED, COMPLETED, MERGED}),
    COMPLETED: frozenset({CLOSED, REOPENED}),
    REOPENED: frozenset({ASSIGNED, EN_ROUTE, ON_SITE, COMPLETED, MERGED}),
    CLOSED: frozenset(),
    MERGED: frozenset(),
}
# Derived from the table: open is anything not final; working, what can still be completed.
OPEN = tuple(s for s in Status if TRANSITIONS[s])
WORKING = tuple(s for s in Status if COMPLETED in TRANSITIONS[s])  # work still to do


@dataclass(frozen=True)
class Happened:
    """What made a button out of date, for its answer: the last change, who made it (their
    name; '' for the system), when, and its note (whom a job was assigned to, a unit)."""
    action: str
    by: str
    at: datetime
    note: str = ""
    actor_id: int | None = None


class Refusal(Exception):
    """An action that must change nothing; `reason` is one of the codes below."""

    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    STALE = "stale"  # the ticket moved on since the button was shown
    INVALID = "invalid"
    HANDLED = "handled"  # someone acted on the ticket after this card was shown
    QUOTED = "quoted"  # owner-paid work waits for the owner to accept the quotation
    NOT_REVIEWED = "not_reviewed"  # a renovation touching structure needs its review first
    NOT_PAID = "not_paid"  # a renovation's fees are not recorded yet
    FULL = "full"  # the slot or place asked for has no room left

    def __init__(self, reason: str, ticket_id: int | None = None,
                 unversioned: bool = False, happened: Happened | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ticket_id = ticket_id
        self.unversioned = unversioned  # a button from a card older than versions
        self.happened = happened  # a stale answer names what happened instead


def back_with_desk(ticket: Ticket) -> bool:
    """A repair sent out and declined by its unit: nobody holds it until the desk sends it
    again (it keeps its status, so the clock and its history run on)."""
    return ticket.kind == Kind.REPAIR and ticket.status in (ASSIGNED, REOPENED) and \
        ticket.technician_id is None and ticket.contractor_id is None


def as_seen(ticket: Ticket, seen: int | None) -> Ticket:
    """A button acts on the state its person saw: a second tap, or a second clerk on the
    same card, finds the ticket moved on and is refused (with the ticket, to show it fresh)."""
    if seen != ticket.version:
        raise Refusal(Refusal.HANDLED, ticket.id, unversioned=seen is None)
    return ticket


log = logging.getLogger(__name__)
T = TypeVar("T")


def logged(ticket: Ticket, action: str, actor_id: int | None) -> Ticket:
    """The log's line of what happened, by reference and person id: never a name or a phone
    (whoever reads the log may not read the roster)."""
    log.info("%s %s by person %s (%s, unit %s, now %s)", ticket.ref, action, actor_id,
             ticket.kind, ticket.unit.id, ticket.status)
    return ticket


def reference(kind: str, year: int, sequence: int) -> str:
    return f"{kind}-{year}-{sequence:05d}"


async def new_reference(conn: Connection, kind: str, now: datetime, tz: tzinfo) -> str:
    year = now.astimezone(tz).year
    return reference(kind, year, await tickets.next_sequence(conn, kind, year))


async def transition(conn: Connection, ticket: Ticket, to: str, actor_id: int | None,
                     now: datetime, action: str, note: str = "", **fields) -> None:
    """The only way a status changes: checked against TRANSITIONS, audited in the same
    transaction, and compare-and-set so a double tap cannot apply twice. `fields`: other
    columns the change sets, in the same statement."""
    if to not in TRANSITIONS[ticket.status]:
        raise Refusal(Refusal.STALE)
    if not await tickets.set_status(conn, ticket.id, ticket.status, to, now, **fields):
        # Moved on between our read and this write (another worker's transaction on
        # PostgreSQL): the person is shown who did what, as for a card seen too late.
        raise Refusal(Refusal.HANDLED, ticket.id)
    await tickets.add_event(conn, ticket.id, now, actor_id, action, ticket.status, to, note)
    log.info("%s %s by person %s (%s -> %s)", ticket.ref, action, actor_id, ticket.status, to)


async def transition_then(conn: Connection, ticket: Ticket, to: str, actor_id: int | None,
                          now: datetime, action: str,
                          read: Callable[[], Awaitable[Callable[[], Awaitable[T]]]],
                          note: str = "", **fields) -> T:
    """`transition`, then `read` (the sending half of a read, such as views.file_sent's):
    both sent before either is answered, so on PostgreSQL the compare-and-set and the read
    wait once. A refused change raises before the read's answer is used."""
    if to not in TRANSITIONS[ticket.status]:
        raise Refusal(Refusal.STALE)
    took = await tickets.set_status_sent(conn, ticket.id, ticket.status, to, now, **fields)
    await tickets.add_event(conn, ticket.id, now, actor_id, action, ticket.status, to, note)
    answer = await read()
    if await took() is None:
        raise Refusal(Refusal.HANDLED, ticket.id)  # as in `transition`
    log.info("%s %s by person %s (%s -> %s)", ticket.ref, action, actor_id, ticket.status, to)
    return await answer()


async def transition_sent(conn: Connection, ticket: Ticket, to: str, actor_id: int | None,
                          now: datetime, action: str, note: str = "",
                          **fields) -> Callable[[], Awaitable[Ticket]]:
    """`transition` in two halves: the compare-and-set and its event sent now (on
    PostgreSQL, the writes sent after them wait with them); when called, the ticket as the
    change left it, `ticket` read earlier in this transaction with the status, the `fields`
    and the version the change set (not read again). A refused change raises then."""
    if to not in TRANSITIONS[ticket.status]:
        raise Refusal(Refusal.STALE)
    took = await tickets.set_status_sent(conn, ticket.id, ticket.status, to, now, **fields)
    await tickets.add_event(conn, ticket.id, now, actor_id, action, ticket.status, to, note)

    async def changed() -> Ticket:
        version = await took()
        if version is None:
            raise Refusal(Refusal.HANDLED, ticket.id)  # as in `transition`
        log.info("%s %s by person %s (%s -> %s)", ticket.ref, action, actor_id, ticket.status,
                 to)
        return replace(ticket, status=to, version=version, **fields)
    return changed


async def load(conn: Connection, ticket_id: int) -> Ticket:
    ticket = await tickets.get(conn, ticket_id)
    if ticket is None:
        raise Refusal(Refusal.NOT_FOUND)
    return ticket


async def actor(conn: Connection, user_id: int, allowed: tuple[str, ...]) -> Person:
    person = await people.get(conn, user_id)
    if person is None or not person.active or person.role not in allowed:
        raise Refusal(Refusal.FORBIDDEN)
    return person


async def desk(conn: Connection) -> list[Person]:
    """Who receives new work: the clerks, else supervisors, else managers."""
    for role in (roles.CLERK, roles.SUPERVISOR, roles.MANAGER):
        found = await people.with_role(conn, role)
        if found:
            return found
    return []


MANAGEMENT = "management"  # 管理處: its complaints reach the managers
DESK_DEPARTMENT = "customer_service"


async def department_heads(conn: Connection, department: str | None) -> list[Person]:
    """The supervisors of a department (the managers, for the management office's own). A
    department with no head here falls to the desk's own supervisors (those of customer
    service, or with no department), then to any supervisor, then to the managers."""
    supervisors = await people.with_role(conn, roles.SUPERVISOR)
    managers = await people.with_role(conn, roles.MANAGER)
    heads = [p for p in supervisors if p.department == department]
    if department == MANAGEMENT:
        return heads + managers or supervisors
    desk_heads = [p for p in supervisors if p.department in (None, DESK_DEPARTMENT)]
    return heads or desk_heads or supervisors or managers


async def holders(conn: Connection, ticket: Ticket) -> list[Person]:
    """Who holds a ticket: its technician; a routed complaint's department heads; else the
    desk (a contractor's job, or one nobody has yet)."""
    if ticket.technician_id is not None:
        technician = await people.get(conn, ticket.technician_id)
        if technician is not None and technician.active:
            return [technician]
    if ticket.kind == Kind.COMPLAINT and ticket.department:
        return await department_heads(conn, ticket.department)
    return await desk(conn)


async def residents(conn: Connection, ticket: Ticket) -> list[int]:
    """Who hears of a ticket's progress: its reporter, then each resident who follows it."""
    return [ticket.resident_id] + [user for user, _ in await followers.of_ticket(conn, ticket.id)]


def may_view(person: Person, ticket: Ticket) -> bool:
    if ticket.resident_id == person.user_id:
        return True
    if not person.active:  # removed staff keep no right to read the estate's tickets
        return False
    if person.role == roles.TECHNICIAN:
        return ticket.technician_id == person.user_id
    if person.role == roles.CONTRACTOR:  # their unit's jobs, and nothing else of the estate
        return person.contractor_id is not None and ticket.contractor_id == person.contractor_id
    return roles.can_dispatch(person.role)
