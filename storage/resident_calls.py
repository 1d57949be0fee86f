"""Residents without Telegram phoned by the desk: one row per step (the notice that could not
reach them, `request_id`), the first call recorded wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, db_time, to_db_time


@dataclass(frozen=True)
class ResidentCall:
    request_id: int
    ticket_id: int
    resident_id: int
    staff_id: int
    at: datetime


_SELECT = "SELECT request_id, ticket_id, resident_id, staff_id, at FROM resident_calls "


def _call(r) -> ResidentCall:
    return ResidentCall(r[0], r[1], r[2], r[3], db_time(r[4]))


async def record(conn: Connection, request_id: int, ticket_id: int, resident_id: int,
                 staff_id: int, now: datetime) -> bool:
    """False when the step was already phoned (by whoever: see `get`)."""
    cur = await conn.execute(
        "INSERT INTO resident_calls (request_id, ticket_id, resident_id, staff_id, at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (request_id, ticket_id, resident_id, staff_id, to_db_time(now)))
    return cur.rowcount == 1


async def get(conn: Connection, request_id: int) -> ResidentCall | None:
    row = await (await conn.execute(_SELECT + "WHERE request_id = ?",
                                    (request_id,))).fetchone()
    return _call(row) if row else None


async def of_resident(conn: Connection, ticket_id: int, resident_id: int) -> list[ResidentCall]:
    cur = await conn.execute(_SELECT + "WHERE ticket_id = ? AND resident_id = ? ORDER BY at",
                             (ticket_id, resident_id))
    return [_call(r) for r in await cur.fetchall()]
