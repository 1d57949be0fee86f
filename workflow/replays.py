"""Exactly once: Telegram redelivers updates it had not seen confirmed before a crash. An
update is taken in at most once; one that was lost half-way gets no confirmation, so the
person sends it again (never a second ticket, answer or status change)."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import updates
from storage.db import Database

KEEP = timedelta(days=3)  # Telegram keeps undelivered updates for 24 hours


async def first_sight(db: Database, update_id: int, now: datetime) -> bool:
    async with db.transaction() as conn:
        return await updates.first_sight(conn, update_id, now)


async def forget_old(db: Database, now: datetime) -> None:
    async with db.transaction() as conn:
        await updates.forget_before(conn, now - KEEP)
