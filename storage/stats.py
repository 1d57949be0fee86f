"""The rows behind /stats: one period's tickets, their reopenings and their surveys, counted
by the database (a month is tens of thousands of rows; the desk reads a few dozen groups).
Every query starts from the period's own rows (the indexes on tickets' creation and surveys'
sending), so a month costs the same at 100k tickets and at a million."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, to_db_time


async def _with_event(conn: Connection, action: str, start: datetime,
                      end: datetime) -> list[tuple[int, str, str | None, int]]:
    """Per ticket created in the period to which this happened: its id, reference,
    technician's name and how often, in the order of the tickets. From the events' index on
    (action, ticket id), within the ids of the period's tickets: neither every such event
    nor every ticket of the period is read (CROSS JOIN keeps SQLite in that order)."""
    cur = await conn.execute(
        "WITH period AS (SELECT min(id + 0) AS first_id, max(id + 0) AS last_id FROM tickets "
        "WHERE created_at >= ? AND created_at < ?) "
        "SELECT t.id, t.ref, p.name, count(*) "
        "FROM period CROSS JOIN ticket_events e CROSS JOIN tickets t "
        "LEFT JOIN people p ON p.user_id = t.technician_id "
        "WHERE e.action = ? AND e.ticket_id BETWEEN period.first_id AND period.last_id "
        "AND t.id = e.ticket_id AND t.created_at >= ? AND t.created_at < ? "
        "GROUP BY t.id, t.ref, p.name ORDER BY t.id",
        (to_db_time(start), to_db_time(end), action, to_db_time(start), to_db_time(end)))
    return [(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]


@dataclass(frozen=True, slots=True)
class TicketGroup:
    """The period's tickets alike in kind, category, status and channel."""
    kind: str
    category: str
    status: str
    channel: str
    count: int
    assigned: int
    resolved: int  # completed
    in_time: int  # completed by the first service-level target (not a moved deadline)
    assign_due: int  # assigned, with a time to be assigned by (the monthly report's)
    assigned_in_time: int  # assigned by that time


async def ticket_groups(conn: Connection, start: datetime, end: datetime) -> list[TicketGroup]:
    """The tickets reported in the period, as groups, in the order each was first reported."""
    cur = await conn.execute(
        "SELECT t.kind, t.category, t.status, t.channel, count(*), count(t.assigned_at), "
        "count(t.completed_at), count(CASE WHEN t.completed_at <= t.target_at THEN 1 END), "
        "count(CASE WHEN t.assigned_at IS NOT NULL AND t.assign_due_at IS NOT NULL THEN 1 END), "
        "count(CASE WHEN t.assigned_at <= t.assign_due_at THEN 1 END) "
        "FROM tickets t WHERE t.created_at >= ? AND t.created_at < ? "
        "GROUP BY t.kind, t.category, t.status, t.channel "
        "ORDER BY min(t.created_at), min(t.id)",
        (to_db_time(start), to_db_time(end)))
    return [TicketGroup(*r) for r in await cur.fetchall()]


# A time as whole microseconds since 1970, exact (julianday's float is not): the text's
# seconds and its six digits of fraction; unixepoch() is SQLite 3.38's, strftime() older.
_SECONDS = "unixepoch({0})" if sqlite3.sqlite_version_info >= (3, 38) else "strftime('%s', {0})"
_SQLITE_MICROS = f"({_SECONDS} * 1000000 + substr({{0}}, 21, 6))"


def _waited(dialect: str, later: str, earlier: str) -> tuple[str, str]:
    """SQL for the time from one time column to another, to sort by, and that time (as `d`)
    in whole microseconds. PostgreSQL sorts the intervals themselves and converts only the
    middle ones (its numeric epoch arithmetic on every row cost more than the sort)."""
    if dialect == "postgres":
        return f"{later} - {earlier}", "(extract(epoch FROM d) * 1000000)::bigint"
    return f"({_SQLITE_MICROS.format(later)} - {_SQLITE_MICROS.format(earlier)})", "d"


def _middle(count: int) -> tuple[int, int]:
    """LIMIT and OFFSET of the one or two middle values of `count` sorted ones."""
    return (2 - count % 2, (count - 1) // 2) if count else (0, 0)


async def middle_waits(conn: Connection, start: datetime, end: datetime, assigned: int,
                       resolved: int) -> tuple[list[int], list[int]]:
    """Of the tickets reported in the period, the one or two middle times (in microseconds)
    from report to assignment among the `assigned` assigned ones, and from report to
    completion among the `resolved` completed ones: what their medians are made of."""
    period = (to_db_time(start), to_db_time(end))
    assign, assign_micros = _waited(conn.dialect, "assigned_at", "created_at")
    resolve, resolve_micros = _waited(conn.dialect, "completed_at", "created_at")
    cur = await conn.execute(
        f"SELECT w, {assign_micros} FROM (SELECT 0 AS w, {assign} AS d FROM tickets "
        "WHERE created_at >= ? AND created_at < ? AND assigned_at IS NOT NULL "
        "ORDER BY d LIMIT ? OFFSET ?) a UNION ALL "
        f"SELECT w, {resolve_micros} FROM (SELECT 1 AS w, {resolve} AS d FROM tickets "
        "WHERE created_at >= ? AND created_at < ? AND completed_at IS NOT NULL "
        "ORDER BY d LIMIT ? OFFSET ?) r",
        (*period, *_middle(assigned), *period, *_middle(resolved)))
    found: tuple[list[int], list[int]] = ([], [])
    for which, micros in await cur.fetchall():
        found[which].append(micros)
    return found


async def reopenings(conn: Connection, start: datetime,
                     end: datetime) -> list[tuple[str, str | None, int]]:
    """Per ticket reported in the period that the resident said was 'not fixed': its
    reference, its technician's name and how often, in the order of the tickets."""
    return [(r[1], r[2], r[3]) for r in await _with_event(conn, "not_fixed", start, end)]


async def extended(conn: Connection, start: datetime, end: datetime) -> int:
    """How many tickets reported in the period had their deadline extended with a reason."""
    return len(await _with_event(conn, "deadline_extended", start, end))


@dataclass(frozen=True, slots=True)
class SurveyGroup:
    """The period's surveys alike in all that /stats counts of them."""
    kind: str
    category: str
    technician: str | None
    rating: int | None  # the resident's own, in the chat
    reasons: tuple[str, ...]
    answered: bool  # in the chat
    phone_rating: int | None  # the last rating taken by phone, if any
    reached_by_phone: bool
    count: int


async def survey_groups(conn: Connection, start: datetime,
                        end: datetime) -> list[SurveyGroup]:
    """The surveys sent in the period, as groups, in the order each was first sent."""
    period = (to_db_time(start), to_db_time(end))
    cur = await conn.execute(
        # The tickets' ids are bounded by those of the surveys: PostgreSQL otherwise hashes
        # every ticket there is to join a month's surveys.
        "WITH span AS (SELECT min(ticket_id + 0) AS first_id, max(ticket_id + 0) AS last_id "
        "FROM surveys WHERE sent_at >= ? AND sent_at < ?) "
        "SELECT kind, category, technician, rating, reasons, answered, phone_rating, "
        "reached, count(*) FROM ("
        # a call counts for the survey of the resident called (calls kept before the resident
        # was recorded were to the reporter)
        "SELECT t.kind, t.category, p.name AS technician, s.rating, s.reasons, "
        "CASE WHEN s.answered_at IS NULL THEN 0 ELSE 1 END AS answered, "
        "(SELECT c.rating FROM phone_callbacks c WHERE c.ticket_id = s.ticket_id AND "
        "coalesce(c.resident_id, t.resident_id) = s.resident_id AND "
        "c.reached = 1 AND c.rating IS NOT NULL ORDER BY c.id DESC LIMIT 1) AS phone_rating, "
        "CASE WHEN EXISTS (SELECT 1 FROM phone_callbacks c WHERE c.ticket_id = s.ticket_id "
        "AND coalesce(c.resident_id, t.resident_id) = s.resident_id AND c.reached = 1) "
        "THEN 1 ELSE 0 END AS reached, s.sent_at, s.ticket_id "
        "FROM span CROSS JOIN surveys s JOIN tickets t ON t.id = s.ticket_id "
        "LEFT JOIN people p ON p.user_id = t.technician_id "
        "WHERE s.sent_at >= ? AND s.sent_at < ? "
        "AND t.id BETWEEN span.first_id AND span.last_id) x "
        "GROUP BY kind, category, technician, rating, reasons, answered, phone_rating, reached "
        "ORDER BY min(sent_at), min(ticket_id)", (*period, *period))
    return [SurveyGroup(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), bool(r[5]), r[6],
                        bool(r[7]), r[8])
            for r in await cur.fetchall()]


async def followed(conn: Connection, start: datetime, end: datetime) -> list[tuple[str, int]]:
    """Per report of the period that others joined (as the same problem, or merged), its
    reference and how many residents joined it, the most joined first. From the period's
    tickets to their followers (grouping by t.id as such would have SQLite walk every
    ticket in id order)."""
    cur = await conn.execute(
        "SELECT t.ref, count(*) FROM tickets t JOIN ticket_followers f ON f.ticket_id = t.id "
        "WHERE t.created_at >= ? AND t.created_at < ? GROUP BY f.ticket_id, t.ref "
        "ORDER BY count(*) DESC, f.ticket_id", (to_db_time(start), to_db_time(end)))
    return [(r[0], r[1]) for r in await cur.fetchall()]
