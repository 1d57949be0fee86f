"""Senders woken by PostgreSQL: a message committed by any worker (an alert from another
worker's sweep, a reply to a chat another worker holds) is sent at once by whichever worker
hears of it first. The outbox job's poll stays, for while the listening connection is lost."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram.ext import Application

from storage.backend import is_postgres

log = logging.getLogger(__name__)


class Wakeups:
    """One listening connection per process, for all the estates it serves (by schema)."""

    def __init__(self, url: str, apps: list[Application]) -> None:
        self.url = url
        self._apps = {a.bot_data.desk.db.schema: a for a in apps}
        self._waiting: set[str] = set()  # a delivery asked for and not yet begun
        self._task: asyncio.Task | None = None
        self._sending: set[asyncio.Task] = set()

    def start(self) -> None:
        from storage import postgres
        self._task = asyncio.create_task(
            postgres.listen(self.url, postgres.OUTBOX_CHANNEL, self.woken), name="wakeups")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.gather(*self._sending, return_exceptions=True)  # let them finish

    def woken(self, schema: str) -> None:
        app = self._apps.get(schema)
        if app is None or schema in self._waiting:
            return  # another estate's, or one delivery already asked for sends it too
        self._waiting.add(schema)
        task = asyncio.create_task(self._deliver(schema, app), name="outbox")
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _deliver(self, schema: str, app: Application) -> None:
        self._waiting.discard(schema)
        try:
            await app.bot_data.deliver(app)
        except Exception:  # the database went away: the poll sends it later
            log.exception("woken delivery for %s failed", schema)


def for_apps(apps: list[Application]) -> Wakeups | None:
    """Wakeups when the estates are on PostgreSQL; SQLite's one process kicks its own."""
    databases = [a.bot_data.desk.db for a in apps]
    if not databases or not all(is_postgres(db) for db in databases):
        return None
    return Wakeups(databases[0].url, apps)
