"""Callback surveys (回訪): one per resident of a closed ticket (its reporter, and each
resident who followed it as the same problem), answered in the bot or recorded by phone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, db_time, from_db_time, to_db_time
from storage.records import Survey

_SELECT = ("SELECT s.ticket_id, s.sent_at, s.reminded_at, s.expired_at, s.channel, s.reached, "
           "s.rating, s.reasons, s.comment, s.answered_at, s.answered_late, s.low_alerted, "
           "s.followup_ticket_id, t.kind, s.resident_id "
           "FROM surveys s JOIN tickets t ON t.id = s.ticket_id")


def _survey(r) -> Survey:
    return Survey(r[0], db_time(r[1]), from_db_time(r[2]), from_db_time(r[3]), r[4],
                  None if r[5] is None else bool(r[5]), r[6], tuple(json.loads(r[7])), r[8],
                  from_db_time(r[9]), bool(r[10]), bool(r[11]), r[12], r[13], r[14])


async def get(conn: Connection, ticket_id: int, resident_id: int) -> Survey | None:
    row = await (await conn.execute(f"{_SELECT} WHERE s.ticket_id = ? AND s.resident_id = ?",
                                    (ticket_id, resident_id))).fetchone()
    return _survey(row) if row else None


async def of_ticket(conn: Connection, ticket_id: int) -> list[Survey]:
    """The reporter's first, then the followers' in the order they were sent."""
    cur = await conn.execute(
        f"{_SELECT} WHERE s.ticket_id = ? "
        "ORDER BY s.resident_id != t.resident_id, s.sent_at, s.resident_id",
        (ticket_id,))
    return [_survey(r) for r in await cur.fetchall()]


async def open_for(conn: Connection, ticket_id: int, resident_id: int, now: datetime) -> bool:
    """Starts a resident's survey; False if they already have one for the ticket."""
    cur = await conn.execute(
        "INSERT INTO surveys (ticket_id, resident_id, sent_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING", (ticket_id, resident_id, to_db_time(now)))
    return cur.rowcount == 1


async def rate(conn: Connection, ticket_id: int, resident_id: int, rating: int, channel: str,
               now: datetime, late: bool, reached: bool | None = None,
               recorded_by: int | None = None) -> bool:
    """The first rating counts; False when one was already given."""
    cur = await conn.execute(
        "UPDATE surveys SET rating = ?, channel = ?, reached = ?, answered_at = ?, "
        "answered_late = ?, recorded_by = ? WHERE ticket_id = ? AND resident_id = ? AND "
        "answered_at IS NULL",
        (rating, channel, None if reached is None else int(reached), to_db_time(now),
         int(late), recorded_by, ticket_id, resident_id))
    return cur.rowcount == 1


async def set_reasons(conn: Connection, ticket_id: int, resident_id: int,
                      reasons: list[str]) -> None:
    await conn.send("UPDATE surveys SET reasons = ? WHERE ticket_id = ? AND resident_id = ?",
                       (json.dumps(reasons), ticket_id, resident_id))


async def set_comment(conn: Connection, ticket_id: int, resident_id: int, comment: str) -> None:
    await conn.send("UPDATE surveys SET comment = ? WHERE ticket_id = ? AND resident_id = ?",
                       (comment, ticket_id, resident_id))


async def mark(conn: Connection, ticket_id: int, resident_id: int, column: str,
               now: datetime) -> bool:
    """Sets reminded_at or expired_at once."""
    assert column in ("reminded_at", "expired_at")
    cur = await conn.execute(
        f"UPDATE surveys SET {column} = ? WHERE ticket_id = ? AND resident_id = ? AND "
        f"{column} IS NULL", (to_db_time(now), ticket_id, resident_id))
    return cur.rowcount == 1


async def mark_low_alerted(conn: Connection, ticket_id: int, resident_id: int) -> bool:
    cur = await conn.execute("UPDATE surveys SET low_alerted = 1 WHERE ticket_id = ? AND "
                             "resident_id = ? AND low_alerted = 0", (ticket_id, resident_id))
    return cur.rowcount == 1


async def set_followup(conn: Connection, ticket_id: int, resident_id: int,
                       followup_id: int) -> bool:
    cur = await conn.execute("UPDATE surveys SET followup_ticket_id = ? WHERE ticket_id = ? "
                             "AND resident_id = ? AND followup_ticket_id IS NULL",
                             (followup_id, ticket_id, resident_id))
    return cur.rowcount == 1


async def record_call(conn: Connection, ticket_id: int, resident_id: int, reached: bool,
                      rating: int | None, note: str, staff_id: int, now: datetime,
                      reasons: tuple[str, ...] = ()) -> int:
    """A phone callback (to one resident of the ticket) is its own record beside the survey
    (opened if the bot had not yet): it never overwrites what the resident answered in the
    chat. Its id."""
    await open_for(conn, ticket_id, resident_id, now)
    cur = await conn.execute(
        "INSERT INTO phone_callbacks (ticket_id, at, staff_id, reached, rating, note, "
        "resident_id, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, to_db_time(now), staff_id, int(reached), rating, note, resident_id,
         json.dumps(list(reasons))))
    return cur.lastrowid


@dataclass(frozen=True)
class PhoneCall:
    id: int
    ticket_id: int
    resident_id: int | None  # None: the reporter (calls recorded before this was kept)
    staff_id: int
    rating: int | None
    reasons: tuple[str, ...]
    note: str
    at: datetime


async def call(conn: Connection, call_id: int) -> PhoneCall | None:
    row = await (await conn.execute(
        "SELECT id, ticket_id, resident_id, staff_id, rating, reasons, note, at "
        "FROM phone_callbacks WHERE id = ?", (call_id,))).fetchone()
    return PhoneCall(row[0], row[1], row[2], row[3], row[4], tuple(json.loads(row[5])), row[6],
                     db_time(row[7])) if row else None
