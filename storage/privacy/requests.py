"""A resident's requests to correct, stop using or delete their personal data (個人資料保護法
Arts. 3, 11, 13): each a record with its reference (PD-id), its clock, at most one extension
and one decision, each written once (compare-and-set on the state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, db_time, from_db_time, to_db_time

CORRECT, STOP, DELETE = "correct", "stop", "delete"
KINDS = (CORRECT, STOP, DELETE)
OPEN, GRANTED, REFUSED = "open", "granted", "refused"


@dataclass(frozen=True)
class Request:
    id: int
    person_id: int
    kind: str
    details: str | None  # a correction: what is wrong, and what it should be
    state: str
    filed_at: datetime
    due_at: datetime
    extended_at: datetime | None
    extended_by: int | None
    extension_reason: str | None
    decided_at: datetime | None
    decided_by: int | None
    decision_note: str | None  # a refusal's reason; what a correction changed
    erased_at: datetime | None = None

    @property
    def reference(self) -> str:
        return f"PD-{self.id}"


_SELECT = ("SELECT id, person_id, kind, details, state, filed_at, due_at, extended_at, "
           "extended_by, extension_reason, decided_at, decided_by, decision_note, erased_at "
           "FROM privacy_requests")


def _request(r) -> Request:
    return Request(r[0], r[1], r[2], r[3], r[4], db_time(r[5]), db_time(r[6]),
                   from_db_time(r[7]), r[8], r[9], from_db_time(r[10]), r[11], r[12],
                   from_db_time(r[13]))


async def add(conn: Connection, person_id: int, kind: str, details: str | None,
              now: datetime, due_at: datetime) -> int:
    cur = await conn.execute(
        "INSERT INTO privacy_requests (person_id, kind, details, state, filed_at, due_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (person_id, kind, details, OPEN, to_db_time(now), to_db_time(due_at)))
    return cur.lastrowid


async def get(conn: Connection, request_id: int) -> Request | None:
    row = await (await conn.execute(f"{_SELECT} WHERE id = ?", (request_id,))).fetchone()
    return _request(row) if row else None


async def open_of(conn: Connection, person_id: int, kind: str) -> Request | None:
    """The person's request of this kind still waiting for a decision, if any."""
    row = await (await conn.execute(
        f"{_SELECT} WHERE person_id = ? AND kind = ? AND state = ? ORDER BY id LIMIT 1",
        (person_id, kind, OPEN))).fetchone()
    return _request(row) if row else None


async def open_ones(conn: Connection, limit: int = 50) -> list[Request]:
    """Those waiting for a decision, the nearest due first."""
    cur = await conn.execute(f"{_SELECT} WHERE state = ? ORDER BY due_at, id LIMIT ?",
                             (OPEN, limit))
    return [_request(r) for r in await cur.fetchall()]


async def of_person(conn: Connection, person_id: int) -> list[Request]:
    cur = await conn.execute(f"{_SELECT} WHERE person_id = ? ORDER BY id", (person_id,))
    return [_request(r) for r in await cur.fetchall()]


async def extend(conn: Connection, request_id: int, actor_id: int, reason: str,
                 now: datetime, due_at: datetime) -> bool:
    """Once only, while it waits: False when it was extended or decided meanwhile."""
    cur = await conn.execute(
        "UPDATE privacy_requests SET extended_at = ?, extended_by = ?, extension_reason = ?, "
        "due_at = ? WHERE id = ? AND state = ? AND extended_at IS NULL",
        (to_db_time(now), actor_id, reason, to_db_time(due_at), request_id, OPEN))
    return cur.rowcount == 1


async def decide(conn: Connection, request_id: int, actor_id: int, state: str,
                 note: str | None, now: datetime) -> bool:
    """The decision, written once: False when another was written first."""
    cur = await conn.execute(
        "UPDATE privacy_requests SET state = ?, decided_at = ?, decided_by = ?, "
        "decision_note = ? WHERE id = ? AND state = ?",
        (state, to_db_time(now), actor_id, note, request_id, OPEN))
    return cur.rowcount == 1


async def due_for_alert(conn: Connection, warn_before: datetime,
                        now: datetime) -> list[tuple[Request, str]]:
    """Open requests due within the warning's reach not yet warned for this due date, and
    those past it not yet alerted for it: (request, "soon" or "overdue")."""
    cur = await conn.execute(
        f"{_SELECT} WHERE state = ? AND ((due_at <= ? AND (overdue_for IS NULL OR "
        "overdue_for <> due_at)) OR (due_at > ? AND due_at <= ? AND (warned_for IS NULL OR "
        "warned_for <> due_at))) ORDER BY due_at, id",
        (OPEN, to_db_time(now), to_db_time(now), to_db_time(warn_before)))
    found = [_request(r) for r in await cur.fetchall()]
    return [(r, "overdue" if r.due_at <= now else "soon") for r in found]


async def mark_alerted(conn: Connection, request_id: int, which: str, due_at: datetime) -> bool:
    """Compare-and-set: the alert of this due date is sent once, whichever sweep gets it."""
    column = "overdue_for" if which == "overdue" else "warned_for"
    cur = await conn.execute(
        f"UPDATE privacy_requests SET {column} = ? WHERE id = ? AND state = ? AND due_at = ? "
        f"AND ({column} IS NULL OR {column} <> ?)",
        (to_db_time(due_at), request_id, OPEN, to_db_time(due_at), to_db_time(due_at)))
    return cur.rowcount == 1


async def deletions_to_carry_out(conn: Connection, notice_kind: str,
                                 waited_since: datetime) -> list[Request]:
    """Granted deletions not yet carried out whose decision's notice has left the outbox
    (sent, or given up), or that were granted before `waited_since` (a channel down for
    long does not keep the data)."""
    cur = await conn.execute(
        f"{_SELECT} WHERE kind = ? AND state = ? AND erased_at IS NULL AND (decided_at < ? OR "
        "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.recipient_id = privacy_requests.person_id "
        "AND o.kind = ? AND o.sent_at IS NULL AND o.failed_at IS NULL)) ORDER BY id LIMIT 20",
        (DELETE, GRANTED, to_db_time(waited_since), notice_kind))
    return [_request(r) for r in await cur.fetchall()]


async def mark_erased(conn: Connection, request_id: int, now: datetime) -> bool:
    cur = await conn.execute(
        "UPDATE privacy_requests SET erased_at = ? WHERE id = ? AND erased_at IS NULL",
        (to_db_time(now), request_id))
    return cur.rowcount == 1


async def stopped(conn: Connection, person_ids: list[int] | None = None) -> set[int]:
    """The people who asked the desk to stop using their data and were granted it: they get
    only what their own requests need (no surveys, announcements, activities)."""
    cur = await conn.execute(
        "SELECT DISTINCT person_id FROM privacy_requests WHERE kind = ? AND state = ?",
        (STOP, GRANTED))
    found = {r[0] for r in await cur.fetchall()}
    return found if person_ids is None else found & set(person_ids)
