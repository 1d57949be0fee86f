"""Exactly once: Telegram redelivers updates it had not seen confirmed before a crash. An
update that changed something is marked once handled (its answer sent), and a marked one is
dropped; one cut off half-way by a crash is not marked, so its redelivery is handled (its own
checks, such as a draft's step or a button's version, keep a half-done action from applying
twice). An update that changed nothing is not marked: after a crash it is answered again.

The mark costs no transaction of its own: it waits in memory (storage/marks.py, where the
guard reads it too) and rides along with the next transaction the desk begins, or is
flushed FLUSH_AFTER later when none comes, with every other mark waiting, without an fsync.
A kill in that moment, or a power cut, may lose it: then the same checks stop the
redelivered update from applying twice, as they do after a crash before the mark (a
conversation's step knows the updates that moved it: storage/drafts.py MOVED_BY). On
PostgreSQL, where several workers may serve the estate, the mark is written at the end of
its update (without waiting for the disk), so the others see it at once: under a webhook
worker's per-chat lock, in the same round trip as the lock's release (storage/postgres.py
`update_lock`).

The guard's look at the update also reads its sender's person and conversation, in the
same statement, kept for the rest of the update (storage/sender.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from storage import marks, sender, updates
from storage.db import Database, to_db_time
from storage.records import Account

log = logging.getLogger(__name__)
KEEP = timedelta(days=3)  # Telegram keeps undelivered updates for 24 hours
FLUSH_AFTER = 0.05  # seconds a mark waits for a transaction to ride along with


async def arrive(db: Database, channel: str, event_id: Any, account: Account | None) -> bool:
    """Whether the update (the channel's event) was handled already. If not, its sender
    (the person the chat account belongs to) is read with the look and kept for the update
    (storage/sender.py)."""
    sender.done()  # an update before it that stopped half-way keeps no copy
    if marks.key(channel, event_id) in marks.of(db):
        return True
    async with db.reading() as conn:
        if account is None:
            return await updates.seen(conn, channel, event_id)
        seen, found = await updates.arrival(conn, event_id, account)
    if not seen:
        sender.arrived(found)
    return seen


def done() -> None:
    """The update is handled: the copy of its sender is no longer used."""
    sender.done()


async def handled(db: Database, channel: str, event_id: Any, now: datetime) -> None:
    """Marks the update handled: written with the next transaction, or flushed soon. On a
    database several workers share (PostgreSQL) it is written now, before the update is
    confirmed to Telegram, so that another worker handed the same update sees it."""
    when = to_db_time(now)
    if db.shared and db.mark_on_release(marks.key(channel, event_id), when):
        return  # written as the chat's lock is let go, before the update is confirmed
    waiting = marks.of(db)
    waiting.rows[marks.key(channel, event_id)] = when
    if db.shared:
        await flush(db)
        return
    if waiting.timer is None:
        waiting.timer = asyncio.get_running_loop().call_later(FLUSH_AFTER, _flush_soon, db)


def _flush_soon(db: Database) -> None:
    waiting = marks.of(db)
    waiting.timer = None
    if waiting and waiting.task is None:
        waiting.task = asyncio.ensure_future(flush(db))


async def flush(db: Database) -> None:
    """Writes the marks still waiting, in one transaction without an fsync (at shut-down
    too)."""
    waiting = marks.of(db)
    rows = waiting.take()
    try:
        if rows:
            async with db.transaction(durable=False) as conn:
                await updates.mark(conn, rows)
    except RuntimeError:  # the database is closed (it wrote them as it closed, if it could)
        waiting.put_back(rows)
    except Exception as exc:  # the database went away: they wait for the next transaction
        waiting.put_back(rows)
        log.warning("the replay marks wait: %s", exc)
    finally:
        waiting.task = None


async def forget_old(db: Database, now: datetime) -> None:
    async with db.transaction() as conn:
        await updates.forget_before(conn, now - KEEP)
