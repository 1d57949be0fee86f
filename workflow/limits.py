"""What keeps one resident from flooding the desk: a number of new reports per day, and no
second report of a problem that is still open. Reports the desk files for a resident are
not counted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta

from storage import tickets
from storage.db import Connection, Database
from workflow.settings import EstateSettings


class NotFiled(Exception):
    """A report that is not filed: `ref` is the open ticket it repeats, `until` when the
    resident may report again."""

    DAILY_LIMIT = "daily_limit"
    DUPLICATE = "duplicate"

    def __init__(self, reason: str, *, ticket_id: int | None = None, ref: str | None = None,
                 until: datetime | None = None, at_submit: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.ticket_id, self.ref, self.until = reason, ticket_id, ref, until
        self.at_submit = at_submit  # the finished report is dropped: it cannot be filed


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _day(settings: EstateSettings, now: datetime) -> tuple[datetime, datetime]:
    today = now.astimezone(settings.tz).date()
    start = datetime.combine(today, time(0), settings.tz)
    return start, start + timedelta(days=1)


async def check_daily(conn: Connection, settings: EstateSettings, resident_id: int,
                      now: datetime, at_submit: bool = False) -> None:
    start, tomorrow = _day(settings, now)
    if await tickets.filed_since(conn, resident_id, start) >= settings.daily_report_limit:
        raise NotFiled(NotFiled.DAILY_LIMIT, until=tomorrow, at_submit=at_submit)


async def check(conn: Connection, settings: EstateSettings, resident_id: int,
                unit_id: int, kind: str, category: str, description: str,
                now: datetime) -> None:
    """Raises NotFiled when the resident may not file this report now."""
    await (await check_sent(conn, settings, resident_id, unit_id, kind, category,
                            description, now))()


async def check_sent(conn: Connection, settings: EstateSettings, resident_id: int,
                     unit_id: int | None, kind: str, category: str, description: str,
                     now: datetime) -> Callable[[], Awaitable[None]]:
    """`check` in two halves: its reads sent now (answered together on PostgreSQL), the
    check made when called."""
    start, tomorrow = _day(settings, now)
    filed = await tickets.filed_since_sent(conn, resident_id, start)
    unresolved = await tickets.unresolved_of_resident_sent(conn, resident_id, kind)

    async def checked() -> None:
        open_ = await unresolved()  # the wait that answers both
        if await filed() >= settings.daily_report_limit:
            raise NotFiled(NotFiled.DAILY_LIMIT, until=tomorrow, at_submit=True)
        for ticket in open_:
            if ticket.unit.id == unit_id and ticket.category == category and \
                    _same_text(ticket.description, description):
                raise NotFiled(NotFiled.DUPLICATE, ticket_id=ticket.id, ref=ticket.ref,
                               at_submit=True)
    return checked


async def may_start(db: Database, settings: EstateSettings, resident_id: int,
                    now: datetime) -> None:
    """Before a report is begun: no point in writing one that cannot be filed today."""
    async with db.reading() as conn:
        await check_daily(conn, settings, resident_id, now)
