"""The clerk's measurement of a finished job (計量確認): each confirmation or correction is a
record of its own, the latest one standing; none is ever overwritten."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from storage.db import Connection, to_db_time
from storage.exact import HOURS, MONEY


async def latest(conn: Connection, ticket_id: int) -> tuple | None:
    """(labour hours, labour cost, materials cost, kind, reason) of the latest record."""
    row = await (await conn.execute(
        "SELECT labour_hours, labour_cost, materials_cost, kind, reason FROM measurements "
        "WHERE ticket_id = ? ORDER BY id DESC LIMIT 1", (ticket_id,))).fetchone()
    if not row:
        return None
    return HOURS.of(row[0]), MONEY.of(row[1]), MONEY.of(row[2]), row[3], row[4]


async def add(conn: Connection, ticket_id: int, now: datetime, actor_id: int, kind: str,
              labour_hours: Decimal, labour_cost: Decimal, materials_cost: Decimal,
              reason: str) -> None:
    await conn.execute(
        "INSERT INTO measurements (ticket_id, at, actor_id, kind, labour_hours, labour_cost, "
        "materials_cost, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, to_db_time(now), actor_id, kind, HOURS.to_db(labour_hours),
         MONEY.to_db(labour_cost), MONEY.to_db(materials_cost), reason))
