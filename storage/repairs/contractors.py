"""Responsible units (施工責任單位) and the trades they are liable for."""

from __future__ import annotations

from datetime import timedelta

from storage.db import Connection
from storage.records import Contractor

_SELECT = ("SELECT id, name, phone, trades, active, deadline_seconds, key, response_seconds "
           "FROM contractors")


def _contractor(row) -> Contractor:
    trades = tuple(t for t in row[3].split(",") if t)
    deadline = timedelta(seconds=row[5]) if row[5] else None
    response = timedelta(seconds=row[7]) if row[7] else None
    return Contractor(row[0], row[1], row[2], trades, bool(row[4]), deadline, row[6], response)


def _seconds(span: timedelta | None) -> int | None:
    return int(span.total_seconds()) if span else None


async def add(conn: Connection, name: str, phone: str, trades: list[str],
              deadline: timedelta | None = None, key: str | None = None,
              response: timedelta | None = None) -> int:
    """Adds or updates (by name) a unit; without a key it keeps its own, or gets unit<id>."""
    await conn.send(
        "INSERT INTO contractors (name, phone, trades, deadline_seconds, key, response_seconds) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(name) DO UPDATE SET phone = excluded.phone, trades = excluded.trades, "
        "deadline_seconds = excluded.deadline_seconds, "
        "key = coalesce(excluded.key, contractors.key), "
        "response_seconds = excluded.response_seconds, active = 1",
        (name, phone, ",".join(trades), _seconds(deadline), key, _seconds(response)),
    )
    cur = await conn.execute("SELECT id FROM contractors WHERE name = ?", (name,))
    contractor_id = (await cur.fetchone())[0]
    await conn.send("UPDATE contractors SET key = 'unit' || id WHERE id = ? AND key IS NULL",
                       (contractor_id,))
    return contractor_id


async def by_key(conn: Connection, key: str) -> Contractor | None:
    row = await (await conn.execute(f"{_SELECT} WHERE key = ?", (key,))).fetchone()
    return _contractor(row) if row else None


async def get(conn: Connection, contractor_id: int) -> Contractor | None:
    row = await (await conn.execute(f"{_SELECT} WHERE id = ?", (contractor_id,))).fetchone()
    return _contractor(row) if row else None


async def active(conn: Connection) -> list[Contractor]:
    cur = await conn.execute(f"{_SELECT} WHERE active = 1 ORDER BY name")
    return [_contractor(r) for r in await cur.fetchall()]
