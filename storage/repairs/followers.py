"""One fault, many callers: the public place a report is about, and the residents who
follow a report as the same problem (or whose own report was merged into it)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Connection, to_db_time

SAME_PROBLEM, MERGED = "same_problem", "merged"  # how a follower came to follow


async def set_place(conn: Connection, ticket_id: int, building: str, place: str) -> None:
    await conn.send("INSERT INTO ticket_places (ticket_id, building, place) VALUES (?, ?, ?) "
                       "ON CONFLICT DO NOTHING", (ticket_id, building, place))


async def place_of(conn: Connection, ticket_id: int) -> tuple[str, str] | None:
    row = await (await conn.execute("SELECT building, place FROM ticket_places WHERE "
                                    "ticket_id = ?", (ticket_id,))).fetchone()
    return (row[0], row[1]) if row else None


async def add(conn: Connection, ticket_id: int, user_id: int, unit_id: int, via: str,
              now: datetime) -> bool:
    """False when they already follow it."""
    cur = await conn.execute(
        "INSERT INTO ticket_followers (ticket_id, user_id, unit_id, joined_at, via) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (ticket_id, user_id, unit_id, to_db_time(now), via))
    return cur.rowcount == 1


async def of_ticket(conn: Connection, ticket_id: int) -> list[tuple[int, int]]:
    """(user id, unit id) of each follower, in the order they joined."""
    cur = await conn.execute("SELECT user_id, unit_id FROM ticket_followers WHERE ticket_id = ? "
                             "ORDER BY joined_at, user_id", (ticket_id,))
    return [(r[0], r[1]) for r in await cur.fetchall()]


async def count(conn: Connection, ticket_id: int) -> int:
    row = await (await conn.execute("SELECT count(*) FROM ticket_followers WHERE ticket_id = ?",
                                    (ticket_id,))).fetchone()
    return row[0]


async def follows(conn: Connection, ticket_id: int, user_id: int) -> bool:
    row = await (await conn.execute("SELECT 1 FROM ticket_followers WHERE ticket_id = ? AND "
                                    "user_id = ?", (ticket_id, user_id))).fetchone()
    return row is not None

