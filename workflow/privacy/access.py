"""The access log's one rule (個人資料保護法 Art. 27, its rules' usage records): when a
member of staff is shown a person's contact data (a ticket's card with the resident's name and
phone, a person's record, a document with names, an export), a row says who, whom, what,
which and why. The few places where staff views are built ask here; nothing else decides.

A row goes into the action's own transaction where there is one (`record_in`). A pure view
(a card opened, a document sent) has no transaction: it takes one small INSERT of its own,
non-durable (`opened`): a power cut in the next moment may lose that row, as it loses the
sweep's marks; the view itself was a read, nothing else is lost with it, and the fsync would
double a card's cost for every clerk's tap. A notice rendered to staff is logged with its
sent mark (`delivered`, `write_delivered`), the moment it is known to have gone."""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import people
from storage.db import Connection, Database
from storage.privacy import access_log
from storage.privacy.access_log import DOCUMENT, EXPORT, RECORD, TICKET
from storage.records import Person
from workflow import phones, roles
from workflow.privacy import need_to_know
from workflow.privacy.need_to_know import Sight

# what was opened, as the store names it (re-exported: the call sites ask only here)
__all__ = ["DOCUMENT", "EXPORT", "RECORD", "TICKET", "Entry", "delivered", "forget",
           "is_staff_view", "ledger_opened", "log_of", "on_card", "on_export", "opened",
           "people_matching", "record_in", "sweep", "ticket_opened", "why_of_ticket",
           "write_delivered"]

SWEEP_BATCH = 500  # rows dropped per transaction: never a long lock on a busy desk
SWEEP_BATCHES = 20  # per sweep (once a minute): a backlog drains over a few minutes


def is_staff_view(viewer: Person | None, subject_id: int | None) -> bool:
    """Staff looking at someone else: a resident's own view (a clerk who lives here reading
    their own ticket included) and the system's are not logged."""
    return viewer is not None and roles.is_staff(viewer.role) and \
        subject_id is not None and viewer.user_id != subject_id


def on_card(viewer: Person | None, file, sight: Sight | None = None) -> list[int]:
    """Whose contact data a ticket's staff card shows this viewer: its resident's name and
    phone, when need_to_know lets them read it (or the card's own `sight`, as an offer's).
    Empty for the resident, for nobody in particular, for a card that shows the unit alone
    and for a ticket without a resident (a public area's report filed by the desk)."""
    resident = file.resident
    if resident is None or not is_staff_view(viewer, resident.user_id):
        return []
    seen = sight if sight is not None else need_to_know.sight(viewer, file.ticket)
    return [resident.user_id] if seen is Sight.CONTACT else []


def why_of_ticket(ref: str, what: str = "ticket") -> str:
    """The job a card was opened for: "ticket R-12", "task_assigned R-12"."""
    return f"{what} {ref}"


async def record_in(conn: Connection, viewer_id: int | None, person_ids: Iterable[int],
                    what: str, reference: str, why: str, now: datetime) -> None:
    """In the caller's transaction (an action that shows what it changed)."""
    await access_log.record(conn, viewer_id, [p for p in person_ids if p != viewer_id], what,
                            reference, why, now)


async def opened(db: Database, viewer_id: int | None, person_ids: Iterable[int], what: str,
                 reference: str, why: str, now: datetime) -> None:
    """A pure view's one INSERT, non-durable (the module's note says why)."""
    found = [p for p in dict.fromkeys(person_ids) if p != viewer_id]
    if not found:
        return
    async with db.transaction(durable=False) as conn:
        await access_log.record(conn, viewer_id, found, what, reference, why, now)


async def ticket_opened(db: Database, viewer: Person | None, file, now: datetime,
                        why: str | None = None) -> None:
    """A ticket's card shown in the chat: logged if it carries someone's contact; why is
    the job ("ticket R-12") unless a command says otherwise."""
    found = on_card(viewer, file)
    if found and viewer is not None:
        await opened(db, viewer.user_id, found, TICKET, file.ticket.ref,
                     why or why_of_ticket(file.ticket.ref), now)


async def ledger_opened(db: Database, viewer_id: int | None, start: datetime, end: datetime,
                        reference: str, why: str, now: datetime, what: str = DOCUMENT) -> None:
    """The repair ledger of a period names every resident who reported a repair in it: one
    row each (a document in the chat; an export from the command line, `viewer_id` None),
    read and written in one transaction of its own."""
    async with db.transaction(durable=False) as conn:
        found = [p for p in await access_log.reporters_between(conn, start, end)
                 if p != viewer_id]
        await access_log.record(conn, viewer_id, found, what, reference, why, now)


def on_export(file) -> list[int]:
    """Whose data a ticket's document exported from the command line carries: its
    resident's (the operator sees what staff see)."""
    return [file.resident.user_id] if file.resident is not None else []


@dataclass(frozen=True)
class Entry:
    """A row of a person's log as the office reads it: who looked (None: the command line)."""
    access: access_log.Access
    viewer: Person | None


async def people_matching(db: Database, text: str) -> list[Person]:
    """Whom the office means by an id, a name or a phone number."""
    text = text.strip()
    number = int(text) if re.fullmatch(r"-?\d{1,19}", text) else None
    tail = phones.digits(text)[-3:] if phones.is_valid(text) else ""
    async with db.reading() as conn:
        found = await access_log.people_named(conn, number, text, tail)
    return [p for p in found if p.user_id == number or p.name.casefold() == text.casefold()
            or (tail and p.phone and phones.same_number(p.phone, text))]


async def log_of(db: Database, person_id: int, since: datetime | None,
                 limit: int = 1000) -> list[Entry]:
    """The person's log, newest first, with each viewer as they are now."""
    async with db.reading() as conn:
        rows = await access_log.of_person(conn, person_id, limit, since)
        viewers = {i: await people.get(conn, i)
                   for i in {r.viewer_id for r in rows if r.viewer_id is not None}}
    return [Entry(r, viewers.get(r.viewer_id) if r.viewer_id is not None else None)
            for r in rows]


@dataclass(frozen=True)
class _Pending:
    viewer_id: int
    person_ids: tuple[int, ...]
    what: str
    reference: str
    why: str
    at: datetime


# Rendered notices' rows, waiting for their message's sent mark: database -> message -> rows
_PENDING: weakref.WeakKeyDictionary[Database, dict[int, list[_Pending]]] = \
    weakref.WeakKeyDictionary()


def delivered(db: Database, message_id: int, viewer: Person, person_ids: Iterable[int],
              what: str, reference: str, why: str, at: datetime) -> None:
    """A notice rendered to staff carries these people's data: written with its sent mark
    (a message not sent, tried again or given up, writes nothing; its retry renders anew)."""
    found = tuple(p for p in dict.fromkeys(person_ids) if p != viewer.user_id)
    if found and roles.is_staff(viewer.role):
        _PENDING.setdefault(db, {}).setdefault(message_id, []).append(
            _Pending(viewer.user_id, found, what, reference, why, at))


def forget(db: Database, message_id: int) -> None:
    """A message that was not sent after all: its rendering is done again next time."""
    waiting = _PENDING.get(db)
    if waiting:
        waiting.pop(message_id, None)


async def write_delivered(conn: Connection, db: Database, message_ids: Iterable[int]) -> None:
    """In the transaction that marks these messages sent: their rows, if any."""
    waiting = _PENDING.get(db)
    if not waiting:
        return
    for message_id in message_ids:
        for row in waiting.pop(message_id, ()):
            await access_log.record(conn, row.viewer_id, list(row.person_ids), row.what,
                                    row.reference, row.why, row.at)


async def sweep(db: Database, settings, now: datetime) -> int:
    """The retention sweep (the privacy door's timer): rows older than
    `settings.access_log_days` dropped, a small batch per transaction. The only delete."""
    before = now - timedelta(days=settings.access_log_days)
    dropped = 0
    for _ in range(SWEEP_BATCHES):
        async with db.transaction(durable=False) as conn:
            count = await access_log.drop_before(conn, before, SWEEP_BATCH)
        dropped += count
        if count < SWEEP_BATCH:
            break
    return dropped
