"""Telegram updates already taken in, by id (ids are not always increasing, so a set)."""

from __future__ import annotations

from datetime import datetime

from storage import marks, people, sender
from storage.db import Connection, to_db_time

# The replay guard's look, the sender's person and their conversation: one statement
_ARRIVAL = (f"SELECT EXISTS (SELECT 1 FROM seen_updates WHERE update_id = ?), {people.COLUMNS}, "
            "d.user_id, d.flow, d.step, d.data, d.updated_at FROM (SELECT 1 AS one) AS a "
            "LEFT JOIN people ON people.user_id = ? LEFT JOIN drafts d ON d.user_id = ?")


async def arrival(conn: Connection, update_id: int, user_id: int) -> tuple[bool, sender.Sender]:
    """Whether the update was handled already; and its sender as stored (storage/sender.py)."""
    row = await (await conn.execute(_ARRIVAL, (update_id, user_id, user_id))).fetchone()
    person = people.from_row(row[1:11]) if row[1] is not None else None
    draft = tuple(row[11:16]) if row[11] is not None else None
    return bool(row[0]), sender.Sender(update_id, user_id, person, draft)


async def mark(conn: Connection, rows: dict[int, str]) -> None:
    """Updates handled (id -> when, as storage/marks.py keeps them), in one statement; one
    alone is sent without waiting for its answer where the connection can (PostgreSQL's
    pipeline: the commit's wait answers it)."""
    send = getattr(conn, "send", None)
    if send is not None and len(rows) == 1:
        await send(marks.MARK, next(iter(rows.items())))
    else:
        await conn.executemany(marks.MARK, list(rows.items()))


async def seen(conn: Connection, update_id: int) -> bool:
    row = await (await conn.execute("SELECT 1 FROM seen_updates WHERE update_id = ?",
                                    (update_id,))).fetchone()
    return row is not None


async def forget_before(conn: Connection, moment: datetime) -> None:
    await conn.send("DELETE FROM seen_updates WHERE seen_at < ?", (to_db_time(moment),))
