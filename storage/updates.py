"""Updates already taken in, by their channel and the channel's own event id (Telegram's
update_id, LINE's webhookEventId; ids are not always increasing, so a set)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage import marks, people, sender
from storage.db import Connection, to_db_time
from storage.records import Account

# The replay guard's look, the account's person and their conversation: one statement
_ARRIVAL = ("SELECT EXISTS (SELECT 1 FROM seen_updates WHERE channel = ? AND event_id = ?), "
            f"{people.COLUMNS}, d.user_id, d.flow, d.step, d.data, d.updated_at "
            "FROM (SELECT 1 AS one) AS a LEFT JOIN channel_accounts ca ON ca.channel = ? "
            "AND ca.external_id = ? LEFT JOIN people ON people.user_id = ca.person_id "
            "LEFT JOIN drafts d ON d.user_id = ca.person_id")


async def arrival(conn: Connection, event_id: Any, account: Account
                  ) -> tuple[bool, sender.Sender]:
    """Whether the update was handled already; and its sender as stored (storage/sender.py):
    the person the account belongs to (none: a stranger's account, person id 0)."""
    row = await (await conn.execute(_ARRIVAL, (account.channel, str(event_id),
                                               account.channel, account.external_id))
                 ).fetchone()
    person = people.from_row(row[1:11]) if row[1] is not None else None
    draft = tuple(row[11:16]) if row[11] is not None else None
    return bool(row[0]), sender.Sender(event_id, person.user_id if person else 0, person,
                                       draft, account)


async def mark(conn: Connection, rows: dict[tuple[str, str], str]) -> None:
    """Updates handled ((channel, event id) -> when, as storage/marks.py keeps them), in one
    statement; one alone is sent without waiting for its answer where the connection can
    (PostgreSQL's pipeline: the commit's wait answers it)."""
    send = getattr(conn, "send", None)
    if send is not None and len(rows) == 1:
        await send(marks.MARK, marks.row(*next(iter(rows.items()))))
    else:
        await conn.executemany(marks.MARK, [marks.row(k, at) for k, at in rows.items()])


async def seen(conn: Connection, channel: str, event_id: Any) -> bool:
    row = await (await conn.execute("SELECT 1 FROM seen_updates WHERE channel = ? AND "
                                    "event_id = ?", (channel, str(event_id)))).fetchone()
    return row is not None


async def forget_before(conn: Connection, moment: datetime) -> None:
    await conn.send("DELETE FROM seen_updates WHERE seen_at < ?", (to_db_time(moment),))
