"""Conversations in progress, stored so they survive a restart of the bot."""

from __future__ import annotations

import json
from datetime import datetime

from storage import sender
from storage.db import Connection, from_db_time, to_db_time
from storage.records import Draft

COLUMNS = "user_id, flow, step, data, updated_at"
# The ids of the person's own updates that last moved the conversation (a few): one of them
# delivered again (its replay mark lost with a crash, workflow/replays.py) is not taken as
# the next step's answer.
MOVED_BY = "moved_by"
UNKNOWN = sender.UNKNOWN


def draft_of(row) -> Draft:
    """A draft from a row of `COLUMNS` (its data parsed afresh: the caller may change it)."""
    return Draft(row[0], row[1], row[2], json.loads(row[3]), from_db_time(row[4]))


def known(user_id: int):
    """The update's sender's draft as read with the update (None: none), else UNKNOWN."""
    row = sender.draft_row(user_id)
    return row if row is sender.UNKNOWN else draft_of(row) if row else None


async def get(conn: Connection, user_id: int) -> Draft | None:
    row = sender.draft_row(user_id)  # the update's sender's, read with the update
    if row is sender.UNKNOWN:
        row = await (await conn.execute(f"SELECT {COLUMNS} FROM drafts WHERE user_id = ?",
                                        (user_id,))).fetchone()
    return draft_of(row) if row else None


async def delete_before(conn: Connection, moment: datetime) -> None:
    sender.draft_changed()
    await conn.send("DELETE FROM drafts WHERE updated_at < ?", (to_db_time(moment),))


async def put(conn: Connection, draft: Draft, now: datetime) -> None:
    sender.draft_changed(draft.user_id)
    data, update_id = draft.data, sender.update_of(draft.user_id)
    if update_id is not None and update_id not in data.get(MOVED_BY, ()):
        data = {**data, MOVED_BY: [*data.get(MOVED_BY, ()), update_id][-8:]}
    await conn.send(
        "INSERT INTO drafts (user_id, flow, step, data, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET flow = excluded.flow, step = excluded.step, "
        "data = excluded.data, updated_at = excluded.updated_at",
        (draft.user_id, draft.flow, draft.step, json.dumps(data, ensure_ascii=False),
         to_db_time(now)),
    )


async def filed(conn: Connection, user_id: int, draft: str, kind: str, record_id: int,
                now: datetime) -> None:
    """What the person's draft `draft` became (a ticket, an application)."""
    await conn.send(
        "INSERT INTO filed_drafts (user_id, draft, kind, record_id, filed_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, draft) DO NOTHING",
        (user_id, draft, kind, record_id, to_db_time(now)))


async def became(conn: Connection, user_id: int, draft: str, kind: str) -> int | None:
    row = await (await conn.execute(
        "SELECT record_id FROM filed_drafts WHERE user_id = ? AND draft = ? AND kind = ?",
        (user_id, draft, kind))).fetchone()
    return row[0] if row else None


async def forget_filed_before(conn: Connection, moment: datetime) -> None:
    await conn.send("DELETE FROM filed_drafts WHERE filed_at < ?", (to_db_time(moment),))


async def delete(conn: Connection, user_id: int) -> bool:
    sender.draft_changed(user_id)
    cur = await conn.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))
    return cur.rowcount == 1


async def drop(conn: Connection, user_id: int) -> None:
    """`delete` for a caller that does not ask whether there was one: not waited for."""
    sender.draft_changed(user_id)
    await conn.send("DELETE FROM drafts WHERE user_id = ?", (user_id,))
