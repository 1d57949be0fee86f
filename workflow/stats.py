"""/stats: a month of the desk in figures, the seed's counting of repairs, complaints and
callbacks (回訪率)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from storage import stats as rows
from storage.community import activities as community
from storage.db import Database
from workflow import access, dates
from workflow import tickets as machine
from workflow.office import costs
from workflow.settings import EstateSettings


@dataclass(frozen=True)
class Stats:
    month: date
    by_kind: dict[str, int]
    by_category: dict[tuple[str, str], int]  # (kind, category)
    by_status: dict[str, int]
    by_channel: dict[str, int]  # in the bot, by phone, at the counter, in writing
    resolved: int
    resolved_in_time: int  # by the first service-level target, not a moved deadline
    extended: int  # tickets whose deadline was extended with a reason
    median_assign: timedelta | None
    median_resolve: timedelta | None
    surveys_due: int
    surveys_answered: int
    rating_by_category: dict[tuple[str, str], float]
    rating_by_technician: dict[str, float]
    rated_by_phone: int  # ratings counted from a phone callback, the resident gave none
    reopen_by_ticket: dict[str, int]
    reopen_by_technician: dict[str, int]
    top_reasons: list[tuple[str, int]]
    merged: int = 0  # duplicate reports merged into another
    followers: int = 0  # residents who joined another's report rather than filing their own
    most_affected: tuple[tuple[str, int], ...] = ()  # (ref, residents affected), top three
    activities: tuple[int, int, float | None] = (0, 0, None)  # held, ratings, their average
    # what the repairs done in the month cost, by who pays (costs.by_payer, as every document)
    cost_by_payer: dict[str, Decimal] = field(default_factory=dict)
    # (kind, status): a complaint's status has its own words, never a repair's
    by_kind_status: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def in_time_share(self) -> float | None:
        return self.resolved_in_time / self.resolved if self.resolved else None

    @property
    def callback_rate(self) -> float | None:
        return self.surveys_answered / self.surveys_due if self.surveys_due else None


def month_bounds(settings: EstateSettings, month: date) -> tuple[datetime, datetime]:
    first = datetime(month.year, month.month, 1, tzinfo=settings.tz)
    following = datetime(month.year + month.month // 12, month.month % 12 + 1, 1,
                         tzinfo=settings.tz)
    return first, following


def parse_month(text: str | None, settings: EstateSettings, now: datetime) -> date | None:
    """'2026-10' or nothing (this month); None when it is not a month."""
    if not text:
        local = now.astimezone(settings.tz)
        return date(local.year, local.month, 1)
    try:
        return dates.month(text)
    except (ValueError, OverflowError):  # not a month; a year no calendar has
        return None


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def _averages(pairs) -> dict:
    sums: dict = defaultdict(list)
    for key, value in pairs:
        sums[key].append(value)
    return {key: sum(v) / len(v) for key, v in sums.items()}


async def compute(db: Database, settings: EstateSettings, actor_id: int, month: date) -> Stats:
    start, end = month_bounds(settings, month)
    async with db.reading() as conn:
        await access.require(conn, "stats.show", actor_id)
    # A month is tens of thousands of rows: read and counted off the loop, which goes on
    # answering everyone else meanwhile.
    return await db.off_loop(lambda conn: month_figures(conn, month, start, end))


async def month_figures(conn, month: date, start: datetime, end: datetime) -> Stats:
    """The month's figures, on whichever connection the caller reads with."""
    tickets = await rows.tickets_created(conn, start, end)
    reopened = await rows.reopenings(conn, start, end)
    surveys = await rows.surveys_sent(conn, start, end)
    joined = await rows.followed(conn, start, end)
    held = await community.month_figures(conn, start, end)
    done = [t for t in tickets if t.completed_at is not None]
    finished = [(t, t.completed_at) for t in tickets if t.completed_at is not None]
    in_time = [(at, t.target_at) for t, at in finished]
    refs = {t.id: t for t in tickets}
    reopen_by_technician: Counter = Counter()
    for ticket_id, count in reopened.items():
        if refs[ticket_id].technician:  # a contractor's or a complaint's has no technician
            reopen_by_technician[refs[ticket_id].technician] += count
    # The resident's own answer counts first; a rating taken by phone only without one.
    rated = [(s, s.rating if s.rating is not None else s.phone_rating) for s in surveys]
    rated = [(s, r) for s, r in rated if r is not None]
    return Stats(
        month=month,
        by_kind=dict(Counter(t.kind for t in tickets)),
        by_category=dict(Counter((t.kind, t.category) for t in tickets)),
        by_status=dict(Counter(t.status for t in tickets)),
        by_kind_status=dict(Counter((t.kind, t.status) for t in tickets)),
        by_channel=dict(Counter(t.channel for t in tickets)),
        resolved=len(done),
        resolved_in_time=sum(at <= target for at, target in in_time),
        extended=sum(t.extended for t in tickets),
        median_assign=_median([t.assigned_at - t.created_at for t in tickets if t.assigned_at]),
        median_resolve=_median([at - t.created_at for t, at in finished]),
        surveys_due=len(surveys),
        surveys_answered=sum(s.answered or s.reached_by_phone for s in surveys),
        rating_by_category=_averages(((s.kind, s.category), r) for s, r in rated),
        rating_by_technician=_averages((s.technician, r) for s, r in rated if s.technician),
        rated_by_phone=sum(s.rating is None for s, _ in rated),
        reopen_by_ticket={refs[i].ref: n for i, n in sorted(reopened.items())},
        reopen_by_technician=dict(reopen_by_technician),
        top_reasons=Counter(r for s in surveys for r in s.reasons).most_common(5),
        merged=sum(t.status == machine.MERGED for t in tickets),
        followers=sum(n for _, n in joined),
        most_affected=tuple((ref, 1 + n) for ref, n in joined[:3]),
        activities=held,
        cost_by_payer=await costs.by_payer(conn, start, end),
    )
