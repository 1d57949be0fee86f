"""The rows behind /stats: one period's tickets, their reopenings and their surveys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, db_time, from_db_time, to_db_time


@dataclass(frozen=True)
class TicketRow:
    id: int
    ref: str
    kind: str
    category: str
    status: str
    created_at: datetime
    assigned_at: datetime | None
    completed_at: datetime | None
    deadline_at: datetime
    technician: str | None
    target_at: datetime
    extended: bool = False
    channel: str = "bot"
    assign_due_at: datetime | None = None


@dataclass(frozen=True)
class SurveyRow:
    kind: str
    category: str
    technician: str | None
    rating: int | None  # the resident's own, in the chat
    reasons: tuple[str, ...]
    answered: bool  # in the chat
    phone_rating: int | None = None  # the last rating taken by phone, if any
    reached_by_phone: bool = False


async def tickets_created(conn: Connection, start: datetime,
                          end: datetime) -> list[TicketRow]:
    cur = await conn.execute(
        "SELECT t.id, t.ref, t.kind, t.category, t.status, t.created_at, t.assigned_at, "
        "t.completed_at, t.deadline_at, p.name, t.target_at, t.channel, t.assign_due_at "
        "FROM tickets t "
        "LEFT JOIN people p ON p.user_id = t.technician_id "
        "WHERE t.created_at >= ? AND t.created_at < ?",
        (to_db_time(start), to_db_time(end)))
    rows = await cur.fetchall()
    extended = await _with_event(conn, "deadline_extended", start, end)
    return [TicketRow(r[0], r[1], r[2], r[3], r[4], db_time(r[5]), from_db_time(r[6]),
                      from_db_time(r[7]), db_time(r[8]), r[9], db_time(r[10]),
                      r[0] in extended, r[11], from_db_time(r[12]))
            for r in rows]


async def _with_event(conn: Connection, action: str, start: datetime,
                      end: datetime) -> dict[int, int]:
    """Per ticket created in the period, how often this happened to it (from the index on
    events' actions, not by reading every event)."""
    cur = await conn.execute(
        "SELECT e.ticket_id, count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
        "WHERE e.action = ? AND t.created_at >= ? AND t.created_at < ? "
        "GROUP BY e.ticket_id", (action, to_db_time(start), to_db_time(end)))
    return {r[0]: r[1] for r in await cur.fetchall()}


async def reopenings(conn: Connection, start: datetime,
                     end: datetime) -> dict[int, int]:
    """Per ticket created in the period, how often the resident said 'not fixed'."""
    return await _with_event(conn, "not_fixed", start, end)


async def surveys_sent(conn: Connection, start: datetime,
                       end: datetime) -> list[SurveyRow]:
    cur = await conn.execute(
        # a call counts for the survey of the resident called (calls kept before the resident
        # was recorded were to the reporter)
        "SELECT t.kind, t.category, p.name, s.rating, s.reasons, s.answered_at IS NOT NULL, "
        "(SELECT c.rating FROM phone_callbacks c WHERE c.ticket_id = s.ticket_id AND "
        "coalesce(c.resident_id, t.resident_id) = s.resident_id AND "
        "c.reached = 1 AND c.rating IS NOT NULL ORDER BY c.id DESC LIMIT 1), "
        "EXISTS (SELECT 1 FROM phone_callbacks c WHERE c.ticket_id = s.ticket_id AND "
        "coalesce(c.resident_id, t.resident_id) = s.resident_id AND c.reached = 1) "
        "FROM surveys s JOIN tickets t ON t.id = s.ticket_id "
        "LEFT JOIN people p ON p.user_id = t.technician_id "
        "WHERE s.sent_at >= ? AND s.sent_at < ?", (to_db_time(start), to_db_time(end)))
    return [SurveyRow(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), bool(r[5]), r[6],
                      bool(r[7]))
            for r in await cur.fetchall()]


async def followed(conn: Connection, start: datetime, end: datetime) -> list[tuple[str, int]]:
    """Per report of the period that others joined (as the same problem, or merged), its
    reference and how many residents joined it, the most joined first."""
    cur = await conn.execute(
        "SELECT t.ref, count(*) FROM ticket_followers f JOIN tickets t ON t.id = f.ticket_id "
        "WHERE t.created_at >= ? AND t.created_at < ? GROUP BY t.id ORDER BY count(*) DESC, "
        "t.id", (to_db_time(start), to_db_time(end)))
    return [(r[0], r[1]) for r in await cur.fetchall()]
