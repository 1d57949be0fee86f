"""A resident asks the desk to correct, stop using or delete their personal data (個人資料保護法
Arts. 3, 11, 13). Each request is a record of its own (PD-id) with the Act's clock: decided
within 30 days of filing, extendable once by 30 with a reason the resident is told. The desk
(clerks, supervisors, managers) decides: a refusal gives its reason, a granted correction says
what was changed; a decision is written once, a second tap or a second clerk is told it was
decided already. Managers and supervisors are alerted five days before the due date and when
it passes, once per due date (marks on the record: a restart sends nothing twice).

A granted deletion tells the resident first; the person is erased by the minute's sweep once
that notice has left the outbox (so it reaches their chat before the chat is forgotten), or a
day after the decision whatever became of it. A granted stop keeps the person out of surveys,
announcements and new activities (storage.privacy.requests.stopped)."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import drafts, people
from storage.db import Connection, Database
from storage.privacy import requests
from storage.privacy.requests import CORRECT, DELETE, GRANTED, OPEN, REFUSED, STOP, Request
from storage.records import Draft
from workflow import access, conversations, told
from workflow.privacy import erasure
from workflow.tickets import Refusal

TERM = timedelta(days=30)  # Art. 11 via 施行細則: 30 days
EXTENSION = timedelta(days=30)  # once, with the reason told in writing
WARN_BEFORE = timedelta(days=5)
ERASE_AT_LATEST = timedelta(days=1)  # after a granted deletion, whether its notice left or not
MAX_TEXT = 2000  # a correction's text
MAX_REASON = 500
CORRECT_FLOW = "privacy_correction"  # the resident writes what is wrong
REFUSE_FLOW = "privacy_refusal"  # the desk's reason for refusing
EXTEND_FLOW = "privacy_extension"  # the desk's reason for taking 30 days more
NOTE_FLOW = "privacy_correction_note"  # what the desk changed: grants a correction
STAFF_FLOWS = (REFUSE_FLOW, EXTEND_FLOW, NOTE_FLOW)
DECIDED = "privacy_decided"  # the resident's notice of the decision
KINDS = requests.KINDS


async def begin_correction(db: Database, person_id: int, now: datetime) -> Request | None:
    """The resident taps "correct": asked for the text (a conversation). Their correction
    still waiting, when there is one (nothing is started then)."""
    async with db.transaction() as conn:
        await access.require(conn, "privacy.request", person_id)
        waiting = await requests.open_of(conn, person_id, CORRECT)
        if waiting is not None:
            return waiting
        await conversations.begin(conn, Draft(person_id, CORRECT_FLOW, "text", {}), now)
        return None


async def file_correction(db: Database, person_id: int, text: str,
                          now: datetime) -> tuple[Request, bool]:
    """The correction's text, written in its conversation: filed, and the conversation
    ended, in one transaction."""
    async with db.transaction() as conn:
        await access.require(conn, "privacy.request", person_id)
        await conversations.at_step(conn, person_id, CORRECT_FLOW, "text", now)
        await drafts.delete(conn, person_id)
        return await _file(conn, person_id, CORRECT, text, now)


async def file(db: Database, person_id: int, kind: str, now: datetime) -> tuple[Request, bool]:
    """A stop or a deletion, confirmed: filed (False: the same one already waits, as after a
    double tap, and nothing new is filed)."""
    if kind not in (STOP, DELETE):
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "privacy.request", person_id)
        return await _file(conn, person_id, kind, None, now)


async def _file(conn: Connection, person_id: int, kind: str, details: str | None,
                now: datetime) -> tuple[Request, bool]:
    waiting = await requests.open_of(conn, person_id, kind)
    if waiting is not None:
        return waiting, False
    request_id = await requests.add(conn, person_id, kind, details, now, now + TERM)
    await told.tell_of_person(conn, "privacy_filed", person_id, now, actor_id=person_id,
                              payload={"request": request_id})
    return await _request(conn, request_id), True


async def waiting(db: Database, viewer_id: int) -> list[tuple[Request, str]]:
    """/requests: those waiting for a decision, the nearest due first, with who asked."""
    async with db.reading() as conn:
        await access.require(conn, "privacy.requests", viewer_id)
        found = await requests.open_ones(conn)
        names = await people.names(conn, {r.person_id for r in found})
        return [(r, names.get(r.person_id, "")) for r in found]


async def request_file(db: Database, request_id: int) -> tuple[Request, str]:
    """A request and the name of who asked (for a notice)."""
    async with db.reading() as conn:
        found = await _request(conn, request_id)
        person = await people.get(conn, found.person_id)
        return found, person.name if person else ""


async def grant(db: Database, request_id: int, actor_id: int, now: datetime) -> Request | None:
    """A stop or a deletion granted by a tap (a correction is granted with its note). None
    when it was decided already."""
    async with db.transaction() as conn:
        await access.require(conn, "privacy.decide", actor_id, request_id)
        found = await _request(conn, request_id)
        if found.kind == CORRECT:
            raise Refusal(Refusal.INVALID)
        return await _decide(conn, found, actor_id, GRANTED, None, now)


async def ask_reason(db: Database, flow: str, request_id: int, actor_id: int,
                     now: datetime) -> Request | None:
    """Refuse, extend or note a correction: the text is asked for first (a conversation).
    None when the request was decided already (or, to extend, extended already)."""
    if flow not in STAFF_FLOWS:
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "privacy.decide", actor_id, request_id)
        found = await _request(conn, request_id)
        if flow == NOTE_FLOW and found.kind != CORRECT:
            raise Refusal(Refusal.INVALID)
        if found.state != OPEN or (flow == EXTEND_FLOW and found.extended_at is not None):
            return None
        await conversations.begin(conn, Draft(actor_id, flow, "reason",
                                              {"request": found.id}), now)
        return found


async def with_reason(db: Database, actor_id: int, flow: str, text: str,
                      now: datetime) -> Request | None:
    """The text asked for, written in the conversation: the refusal, the extension or the
    granted correction recorded with it, and the conversation ended, in one transaction.
    None when the request was decided (or extended) meanwhile."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, flow, "reason", now)
        await drafts.delete(conn, actor_id)
        await access.require(conn, "privacy.decide", actor_id, draft.data["request"])
        found = await _request(conn, draft.data["request"])
        if flow == EXTEND_FLOW:
            if not await requests.extend(conn, found.id, actor_id, text, now,
                                         found.due_at + EXTENSION):
                return None
            await told.tell_of_person(conn, "privacy_extended", found.person_id, now,
                                      actor_id=actor_id, payload={"request": found.id})
            return await _request(conn, found.id)
        state = REFUSED if flow == REFUSE_FLOW else GRANTED
        return await _decide(conn, found, actor_id, state, text, now)


async def _decide(conn: Connection, found: Request, actor_id: int, state: str,
                  note: str | None, now: datetime) -> Request | None:
    if not await requests.decide(conn, found.id, actor_id, state, note, now):
        return None
    # written before anything is erased: the sweep erases once this has left the outbox
    await told.tell_of_person(conn, "privacy_decided", found.person_id, now,
                              actor_id=actor_id, payload={"request": found.id})
    return await _request(conn, found.id)


async def sweep(db: Database, now: datetime) -> int:
    """In the minute's sweep: the alerts due (five days before, and once overdue: once per
    due date), and the granted deletions ready to carry out. Writes nothing when nothing is
    due."""
    async with db.reading() as conn:
        alerts = await requests.due_for_alert(conn, now + WARN_BEFORE, now)
        erasing = await requests.deletions_to_carry_out(conn, DECIDED, now - ERASE_AT_LATEST)
    if alerts:
        async with db.transaction() as conn:
            for found, which in alerts:
                if await requests.mark_alerted(conn, found.id, which, found.due_at):
                    await told.tell_of_person(
                        conn, "privacy_overdue" if which == "overdue" else "privacy_due_soon",
                        found.person_id, now, payload={"request": found.id})
    for found in erasing:
        await erasure.erase_person(db, found.person_id, now)
        async with db.transaction() as conn:
            await requests.mark_erased(conn, found.id, now)
    return len(alerts) + len(erasing)


def days_left(found: Request, now: datetime) -> int:
    """Whole days to the due date, rounded up (negative: overdue by as many)."""
    left = found.due_at - now
    return -((-left) // timedelta(days=1))


async def _request(conn: Connection, request_id: int) -> Request:
    found = await requests.get(conn, request_id)
    if found is None:
        raise Refusal(Refusal.NOT_FOUND)
    return found
