"""Exactly once: Telegram redelivers updates it had not seen confirmed before a crash. An
update that changed something is marked once handled (its answer sent), and a marked one is
dropped; one cut off half-way by a crash is not marked, so its redelivery is handled (its own
checks, such as a draft's step or a button's version, keep a half-done action from applying
twice). An update that changed nothing is not marked: after a crash it is answered again.

The mark skips the fsync: a power cut may lose it, and then the same checks stop the
redelivered update from applying twice, as they do after a crash before the mark."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import updates
from storage.db import Database

KEEP = timedelta(days=3)  # Telegram keeps undelivered updates for 24 hours


async def handled(db: Database, update_id: int) -> bool:
    async with db.reading() as conn:
        return await updates.seen(conn, update_id)


async def mark_handled(db: Database, update_id: int, now: datetime) -> None:
    async with db.transaction(durable=False) as conn:
        await updates.first_sight(conn, update_id, now)


async def forget_old(db: Database, now: datetime) -> None:
    async with db.transaction() as conn:
        await updates.forget_before(conn, now - KEEP)
