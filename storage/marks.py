"""Updates handled whose replay mark is not written yet. A mark is written after the update's
answer (handlers/channels/telegram/replays.py), and rather than in a transaction of its own it rides along
with the next transaction the desk begins, whichever update's it is, in one statement for
all that wait; with nothing to ride on, a flush writes them a moment later
(workflow/replays.py). Until written, the replay guard reads them here."""

from __future__ import annotations

from typing import Any

MARK = "INSERT INTO seen_updates (update_id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING"


class Waiting:
    """The marks of one database that wait: update id -> when it was handled (UTC text)."""

    __slots__ = ("rows", "timer", "task")

    def __init__(self) -> None:
        self.rows: dict[int, str] = {}
        self.timer: Any = None  # the flush to come (an asyncio TimerHandle)
        self.task: Any = None  # the flush running

    def __contains__(self, update_id: int) -> bool:
        return update_id in self.rows

    def __bool__(self) -> bool:
        return bool(self.rows)

    def take(self) -> dict[int, str]:
        rows, self.rows = self.rows, {}
        return rows

    def put_back(self, rows: dict[int, str]) -> None:
        """A transaction that carried them rolled back: they wait for the next."""
        self.rows = {**rows, **self.rows}

    async def ride(self, conn: Any) -> dict[int, str]:
        """Writes what waits in the caller's transaction; what it wrote (put back if that
        transaction rolls back)."""
        rows = self.take()
        if rows:
            await conn.executemany(MARK, list(rows.items()))
        return rows


def of(db: Any) -> Waiting:
    """The marks waiting to be written to this database."""
    found = getattr(db, "waiting_marks", None)
    if found is None:
        found = Waiting()
        db.waiting_marks = found
    return found
