"""The office's paperwork, as figures: the monthly repair report (維修月報), the repair ledger
(維修台帳) and the hot spots (熱點問題). Long reads run off the event loop, on a read-only
connection of their own; the ledger is handed over a batch at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from storage import stats as stat_rows
from storage.db import Database
from storage.office import ledger, storeroom
from storage.office.storeroom import Movement
from workflow import dates, stats
from workflow import tickets as machine
from workflow.office import costs
from workflow.settings import EstateSettings

REPEAT_DAYS = 90


@dataclass(frozen=True)
class Monthly:
    figures: stats.Stats
    completed: int
    open_at_end: int
    by_building: dict[str, int]
    by_unit: dict[str, int]  # '' for our own staff's jobs
    assigned_in_time: int
    assigned: int
    cost_by_payer: dict[str, Decimal]
    movements: list[Movement]


@dataclass(frozen=True)
class HotSpots:
    start: date
    end: date
    places: list[tuple[str, str, str, int]]  # building, floor, category, count
    repeats: list[tuple[str, str, str, int]]  # building, unit, category, count
    units: list[tuple[str, str, int]]  # responsible unit, category, count
    trend: dict[str, dict[str, int]]  # category -> month -> count
    months: list[str]


async def monthly(db: Database, settings: EstateSettings, month: date) -> Monthly:
    start, end = stats.month_bounds(settings, month)

    async def work(conn) -> Monthly:
        groups = await stat_rows.ticket_groups(conn, start, end)  # not a row per ticket
        figures = await stats.month_figures(conn, month, start, end, groups)
        repairs = [g for g in groups if g.kind == machine.Kind.REPAIR]
        return Monthly(
            figures=figures,
            completed=sum(g.resolved for g in repairs),
            open_at_end=await ledger.open_at(conn, end),
            by_building=await ledger.counts_by(conn, "building", start, end),
            by_unit=await ledger.counts_by(conn, "unit", start, end),
            assigned_in_time=sum(g.assigned_in_time for g in repairs),
            assigned=sum(g.assign_due for g in repairs),
            cost_by_payer=figures.cost_by_payer,  # the same figures as /stats
            movements=await storeroom.movements(conn, start, end))
    return await db.off_loop(work)


def parse_range(start: str, end: str) -> tuple[date, date] | None:
    """--from and --to as dates (both included)."""
    try:
        first, last = dates.day(start), dates.day(end)
    except ValueError:
        return None
    return (first, last) if first <= last else None


def day_bounds(settings: EstateSettings, first: date, last: date) -> tuple[datetime, datetime]:
    tz = settings.tz
    return (datetime.combine(first, datetime.min.time(), tz),
            datetime.combine(last + timedelta(days=1), datetime.min.time(), tz))


async def each_ledger_row(db: Database, settings: EstateSettings, first: date, last: date,
                          write: Callable[[tuple], None]) -> int:
    """Every repair reported between the two days (both included), in order, handed to
    `write` one at a time off the loop (so a year of rows is never held); returns the
    count. A row's cost is costs.of's: hours, labour, materials, payer after its 17 first
    columns, then the sign-offs and the rating, the measurement's kind and what is charged,
    then the phone, the visit's day and slot, the work done, the time closed, the materials and
    the seconds of the voice note the problem was told in (None if typed)."""
    start, end = day_bounds(settings, first, last)

    async def work(conn) -> int:
        count = 0
        async for row in ledger.ledger_rows(conn, start, end):
            cost = costs.of(row[-1])
            write((*row[:17], cost.labour_hours, cost.labour_cost, cost.materials_cost,
                   cost.payer, row[17], row[18], cost.kind, cost.total, *row[19:-1]))
            count += 1
        return count
    return await db.off_loop(work)


async def hot_spots(db: Database, settings: EstateSettings, months: int,
                    now: datetime) -> HotSpots:
    """The last `months` months, up to today."""
    local = now.astimezone(settings.tz).date()
    first = date(local.year, local.month, 1)
    for _ in range(months - 1):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    start, end = day_bounds(settings, first, local)

    async def work(conn) -> HotSpots:
        trend: dict[str, dict[str, int]] = {}
        for category, month, count in await ledger.by_category_month(conn, start, end):
            trend.setdefault(category, {})[month] = count
        return HotSpots(first, local, await ledger.hot_spots(conn, start, end, 30),
                        await ledger.repeats(conn, start, end, REPEAT_DAYS),
                        await ledger.unit_counts(conn, start, end),
                        dict(sorted(trend.items(), key=lambda i: -sum(i[1].values()))),
                        _months(first, local))
    return await db.off_loop(work)


def _months(first: date, last: date) -> list[str]:
    found, day = [], first
    while day <= last:
        found.append(f"{day.year:04d}-{day.month:02d}")
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return found
