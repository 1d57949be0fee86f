"""The clerk's measurement of a finished job (計量確認): each confirmation or correction is a
record of its own, the latest one standing; none is ever overwritten."""

from __future__ import annotations

from datetime import datetime

from storage.db import Connection, to_db_time


async def latest(conn: Connection, ticket_id: int) -> tuple | None:
    """(labour hours, labour cost, materials cost, kind, reason) of the latest record."""
    row = await (await conn.execute(
        "SELECT labour_hours, labour_cost, materials_cost, kind, reason FROM measurements "
        "WHERE ticket_id = ? ORDER BY id DESC LIMIT 1", (ticket_id,))).fetchone()
    return tuple(row) if row else None


async def add(conn: Connection, ticket_id: int, now: datetime, actor_id: int, kind: str,
              labour_hours: float, labour_cost: float, materials_cost: float,
              reason: str) -> None:
    await conn.execute(
        "INSERT INTO measurements (ticket_id, at, actor_id, kind, labour_hours, labour_cost, "
        "materials_cost, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, to_db_time(now), actor_id, kind, labour_hours, labour_cost, materials_cost,
         reason))
