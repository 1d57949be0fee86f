"""Telegram updates already taken in, by id (ids are not always increasing, so a set)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Connection, to_db_time


async def first_sight(conn: Connection, update_id: int, now: datetime) -> bool:
    cur = await conn.execute(
        "INSERT INTO seen_updates (update_id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (update_id, to_db_time(now)))
    return cur.rowcount == 1


async def seen(conn: Connection, update_id: int) -> bool:
    row = await (await conn.execute("SELECT 1 FROM seen_updates WHERE update_id = ?",
                                    (update_id,))).fetchone()
    return row is not None


async def forget_before(conn: Connection, moment: datetime) -> None:
    await conn.execute("DELETE FROM seen_updates WHERE seen_at < ?", (to_db_time(moment),))
