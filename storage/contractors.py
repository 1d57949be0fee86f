"""Responsible units (施工責任單位) and the trades they are liable for."""

from __future__ import annotations

from datetime import timedelta

from storage.db import Connection
from storage.records import Contractor

_SELECT = "SELECT id, name, phone, trades, active, deadline_seconds FROM contractors"


def _contractor(row) -> Contractor:
    trades = tuple(t for t in row[3].split(",") if t)
    deadline = timedelta(seconds=row[5]) if row[5] else None
    return Contractor(row[0], row[1], row[2], trades, bool(row[4]), deadline)


async def add(conn: Connection, name: str, phone: str, trades: list[str],
              deadline: timedelta | None = None) -> int:
    seconds = int(deadline.total_seconds()) if deadline else None
    await conn.execute(
        "INSERT INTO contractors (name, phone, trades, deadline_seconds) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(name) DO UPDATE SET phone = excluded.phone, trades = excluded.trades, "
        "deadline_seconds = excluded.deadline_seconds, active = 1",
        (name, phone, ",".join(trades), seconds),
    )
    cur = await conn.execute("SELECT id FROM contractors WHERE name = ?", (name,))
    row = await cur.fetchone()
    return row[0]


async def get(conn: Connection, contractor_id: int) -> Contractor | None:
    row = await (await conn.execute(f"{_SELECT} WHERE id = ?", (contractor_id,))).fetchone()
    return _contractor(row) if row else None


async def active(conn: Connection) -> list[Contractor]:
    cur = await conn.execute(f"{_SELECT} WHERE active = 1 ORDER BY name")
    return [_contractor(r) for r in await cur.fetchall()]
