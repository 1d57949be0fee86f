"""A signer's query on a repair form (簽認維修單): asked, then answered by the desk; open
until answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, db_time, to_db_time


@dataclass(frozen=True)
class Query:
    id: int
    ticket_id: int
    party: str
    asked_by: int
    question: str
    asked_at: datetime
    answered_by: int | None = None
    answer: str | None = None
    answered_at: datetime | None = None


_SELECT = ("SELECT id, ticket_id, party, asked_by, question, asked_at, answered_by, answer, "
           "answered_at FROM signoff_queries")


def _query(r) -> Query:
    return Query(r[0], r[1], r[2], r[3], r[4], db_time(r[5]), r[6], r[7],
                 db_time(r[8]) if r[8] else None)


async def add(conn: Connection, ticket_id: int, party: str, asked_by: int, question: str,
              now: datetime) -> int:
    cur = await conn.execute(
        "INSERT INTO signoff_queries (ticket_id, party, asked_by, question, asked_at) "
        "VALUES (?, ?, ?, ?, ?)", (ticket_id, party, asked_by, question, to_db_time(now)))
    return cur.lastrowid


async def get(conn: Connection, query_id: int) -> Query | None:
    row = await (await conn.execute(f"{_SELECT} WHERE id = ?", (query_id,))).fetchone()
    return _query(row) if row else None


async def answer(conn: Connection, query_id: int, answered_by: int, text: str,
                 now: datetime) -> bool:
    """False when it was answered already (by another clerk): the first answer stands."""
    cur = await conn.execute(
        "UPDATE signoff_queries SET answered_by = ?, answer = ?, answered_at = ? "
        "WHERE id = ? AND answered_at IS NULL", (answered_by, text, to_db_time(now), query_id))
    return cur.rowcount == 1


async def open_ones(conn: Connection, limit: int) -> list[Query]:
    """The queries not yet answered, the oldest first."""
    cur = await conn.execute(f"{_SELECT} WHERE answered_at IS NULL ORDER BY id LIMIT ?",
                             (limit,))
    return [_query(r) for r in await cur.fetchall()]


async def of_ticket(conn: Connection, ticket_id: int) -> list[Query]:
    cur = await conn.execute(f"{_SELECT} WHERE ticket_id = ? ORDER BY id", (ticket_id,))
    return [_query(r) for r in await cur.fetchall()]
