"""Updates handled whose replay mark is not written yet. A mark is written after the update's
answer (handlers/channels/telegram/replays.py), and rather than in a transaction of its own
it rides along with the next transaction the desk begins, whichever update's it is, in one
statement for all that wait; with nothing to ride on, a flush writes them a moment later
(workflow/replays.py). Until written, the replay guard reads them here."""

from __future__ import annotations

from typing import Any

MARK = ("INSERT INTO seen_updates (channel, event_id, seen_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING")


def key(channel: str, event_id: Any) -> tuple[str, str]:
    """An update's key: its channel and the channel's own event id, as text."""
    return channel, str(event_id)


def row(event: tuple[str, str], at: str) -> tuple[str, str, str]:
    return event[0], event[1], at


class Waiting:
    """The marks of one database that wait: (channel, event id) -> when it was handled (UTC
    text)."""

    __slots__ = ("rows", "timer", "task")

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], str] = {}
        self.timer: Any = None  # the flush to come (an asyncio TimerHandle)
        self.task: Any = None  # the flush running

    def __contains__(self, event: tuple[str, str]) -> bool:
        return event in self.rows

    def __bool__(self) -> bool:
        return bool(self.rows)

    def take(self) -> dict[tuple[str, str], str]:
        rows, self.rows = self.rows, {}
        return rows

    def put_back(self, rows: dict[tuple[str, str], str]) -> None:
        """A transaction that carried them rolled back: they wait for the next."""
        self.rows = {**rows, **self.rows}

    async def ride(self, conn: Any) -> dict[tuple[str, str], str]:
        """Writes what waits in the caller's transaction; what it wrote (put back if that
        transaction rolls back)."""
        rows = self.take()
        if rows:
            await conn.executemany(MARK, [row(k, at) for k, at in rows.items()])
        return rows


def of(db: Any) -> Waiting:
    """The marks waiting to be written to this database."""
    found = getattr(db, "waiting_marks", None)
    if found is None:
        found = Waiting()
        db.waiting_marks = found
    return found
