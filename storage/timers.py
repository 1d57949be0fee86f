"""What falls due: one row per deadline, escalation step, reminder or digest. Unfired rows
are few (open work only), and the sweep reads them through a partial index, so its cost does
not grow with the years of closed tickets. Estate-wide timers use ticket_id 0."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, db_time, to_db_time

ESTATE = 0
DUE_QUERY = ("SELECT id, ticket_id, kind, due_at FROM timers "
             "WHERE fired_at IS NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?")


@dataclass(frozen=True)
class Timer:
    id: int
    ticket_id: int
    kind: str
    due_at: datetime


async def due(conn: Connection, now: datetime, limit: int) -> list[Timer]:
    cur = await conn.execute(DUE_QUERY, (to_db_time(now), limit))
    return [Timer(r[0], r[1], r[2], db_time(r[3])) for r in await cur.fetchall()]


async def fire(conn: Connection, timer: Timer, now: datetime) -> bool:
    """False when another sweep fired it first, or it was re-armed since it was read: an
    earlier timer of the same sweep may re-arm the ticket, and a re-armed step can take
    the id of one deleted, so the id alone does not say it is still the same step."""
    cur = await conn.execute(
        "UPDATE timers SET fired_at = ? WHERE id = ? AND ticket_id = ? AND kind = ? AND "
        "due_at = ? AND fired_at IS NULL",
        (to_db_time(now), timer.id, timer.ticket_id, timer.kind, to_db_time(timer.due_at)))
    return cur.rowcount == 1


async def drop(conn: Connection, timer: Timer) -> None:
    """A step that is no longer due, gone as if it had never been scheduled (it may be
    scheduled again)."""
    await conn.send("DELETE FROM timers WHERE id = ?", (timer.id,))


async def set_pending(conn: Connection, ticket_id: int, kind: str,
                      due_at: datetime) -> None:
    """Schedules a step unless it has already fired for this ticket."""
    await conn.send(
        "INSERT INTO timers (ticket_id, kind, due_at) VALUES (?, ?, ?) "
        "ON CONFLICT(ticket_id, kind) DO UPDATE SET due_at = excluded.due_at "
        "WHERE timers.fired_at IS NULL",
        (ticket_id, kind, to_db_time(due_at)),
    )


async def set_pending_many(conn: Connection, ticket_id: int,
                           due: list[tuple[str, datetime]]) -> None:
    """set_pending for several steps, in one statement."""
    if due:
        await conn.executemany(
            "INSERT INTO timers (ticket_id, kind, due_at) VALUES (?, ?, ?) "
            "ON CONFLICT(ticket_id, kind) DO UPDATE SET due_at = excluded.due_at "
            "WHERE timers.fired_at IS NULL",
            [(ticket_id, kind, to_db_time(at)) for kind, at in due])


async def reschedule(conn: Connection, ticket_id: int, kind: str,
                     due_at: datetime) -> None:
    """For recurring timers (the digest): due again, even if it fired before."""
    await conn.send(
        "INSERT INTO timers (ticket_id, kind, due_at) VALUES (?, ?, ?) "
        "ON CONFLICT(ticket_id, kind) DO UPDATE SET due_at = excluded.due_at, fired_at = NULL",
        (ticket_id, kind, to_db_time(due_at)),
    )


async def clear_pending(conn: Connection, ticket_id: int,
                        also: tuple[str, ...] = ()) -> None:
    """Drops the steps not yet fired, and `also` those kinds even if fired (forget)."""
    if not also:
        await conn.send("DELETE FROM timers WHERE ticket_id = ? AND fired_at IS NULL",
                           (ticket_id,))
        return
    marks = ",".join("?" * len(also))
    await conn.send(f"DELETE FROM timers WHERE ticket_id = ? AND (fired_at IS NULL OR "
                       f"kind IN ({marks}))", (ticket_id, *also))


async def forget(conn: Connection, ticket_id: int, kinds: tuple[str, ...]) -> None:
    """Lets steps fire again, for a new deadline."""
    marks = ",".join("?" * len(kinds))
    await conn.send(f"DELETE FROM timers WHERE ticket_id = ? AND kind IN ({marks})",
                       (ticket_id, *kinds))


async def pending(conn: Connection, ticket_id: int) -> dict[str, datetime]:
    cur = await conn.execute(
        "SELECT kind, due_at FROM timers WHERE ticket_id = ? AND fired_at IS NULL", (ticket_id,))
    return {r[0]: db_time(r[1]) for r in await cur.fetchall()}
