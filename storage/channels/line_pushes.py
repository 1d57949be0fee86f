"""LINE's month, as the desk counts it: how many messages it pushed by month and kind (a
reply is free and not counted), and which warnings the managers were given, one row per
month and level, so a restart or a second worker never warns twice."""

from __future__ import annotations

from datetime import datetime

from storage.db import Connection, to_db_time


async def count(conn: Connection, month: str, kind: str, pushed: int) -> None:
    """`pushed` more messages of this kind in the month ("2026-12", the estate's)."""
    await conn.send(
        "INSERT INTO line_pushes (month, kind, pushed) VALUES (?, ?, ?) "
        "ON CONFLICT (month, kind) DO UPDATE SET pushed = line_pushes.pushed + excluded.pushed",
        (month, kind, pushed))


async def of_month(conn: Connection, month: str) -> dict[str, int]:
    """The month's pushes by kind."""
    cur = await conn.execute("SELECT kind, pushed FROM line_pushes WHERE month = ? "
                             "ORDER BY kind", (month,))
    return {kind: pushed for kind, pushed in await cur.fetchall()}


async def warned(conn: Connection, month: str, level: str, now: datetime) -> bool:
    """Records the month's warning of this level; False when it was given already."""
    cur = await conn.execute(
        "INSERT INTO line_warnings (month, level, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (month, level, to_db_time(now)))
    return cur.rowcount == 1


async def warnings_of(conn: Connection, month: str) -> list[str]:
    cur = await conn.execute("SELECT level FROM line_warnings WHERE month = ? ORDER BY at",
                             (month,))
    return [level for (level,) in await cur.fetchall()]
