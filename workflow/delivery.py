"""The outbox's rules: what is due, and when to try again after a failure."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import outbox
from storage.db import Database
from storage.records import OutboxMessage

BATCH = 50
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s ... at most an hour."""
    return min(timedelta(seconds=10 * 2 ** attempts), MAX_BACKOFF)


async def due(db: Database, now: datetime) -> list[OutboxMessage]:
    async with db.reading() as conn:
        return await outbox.due(conn, now, BATCH)


async def sent(db: Database, message: OutboxMessage, now: datetime) -> None:
    async with db.transaction() as conn:
        await outbox.mark_sent(conn, message.id, now)


async def retry(db: Database, message: OutboxMessage, now: datetime, error: str,
                after: timedelta | None = None) -> None:
    async with db.transaction() as conn:
        await outbox.mark_retry(conn, message.id, now + (after or backoff(message.attempts)),
                                error)


async def failed(db: Database, message: OutboxMessage, now: datetime, error: str) -> None:
    async with db.transaction() as conn:
        await outbox.mark_failed(conn, message.id, now, error)


async def pending(db: Database) -> int:
    async with db.reading() as conn:
        return await outbox.pending_count(conn)
