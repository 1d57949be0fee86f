"""/stats: a month of the desk in figures, the seed's counting of repairs, complaints and
callbacks (回訪率)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

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


def _median(middle: list[int]) -> timedelta | None:
    """The median of durations from their one or two middle values, in microseconds: the
    same float seconds as statistics.median of each one's total_seconds()."""
    if not middle:
        return None
    import statistics  # with fractions, ~0.3 MiB an idle desk does without (issue 27)
    return timedelta(seconds=statistics.median(m / 10**6 for m in middle))


def _tally(groups: list[rows.TicketGroup], key: Callable[[rows.TicketGroup], Any]) -> dict:
    """The tickets per key, the keys in the order first reported (as counting each would)."""
    counts: dict = {}
    for group in groups:
        k = key(group)
        counts[k] = counts.get(k, 0) + group.count
    return counts


def _averages(groups) -> dict:
    """Per key, the average of values each given as (key, value, how many times)."""
    sums: dict = defaultdict(lambda: [0, 0])
    for key, value, times in groups:
        sums[key][0] += value * times
        sums[key][1] += times
    return {key: total / count for key, (total, count) in sums.items()}


async def compute(db: Database, settings: EstateSettings, actor_id: int, month: date) -> Stats:
    start, end = month_bounds(settings, month)
    async with db.reading() as conn:
        await access.require(conn, "stats.show", actor_id)
    # A month is tens of thousands of rows: read and counted off the loop, which goes on
    # answering everyone else meanwhile.
    return await db.off_loop(lambda conn: month_figures(conn, month, start, end))


async def month_figures(conn, month: date, start: datetime, end: datetime,
                        groups: list[rows.TicketGroup] | None = None) -> Stats:
    """The month's figures, on whichever connection the caller reads with (from the month's
    ticket groups when the caller has read them already)."""
    if groups is None:
        groups = await rows.ticket_groups(conn, start, end)
    assigned, resolved = (sum(g.assigned for g in groups), sum(g.resolved for g in groups))
    to_assign, to_resolve = await rows.middle_waits(conn, start, end, assigned, resolved)
    reopened = await rows.reopenings(conn, start, end)
    surveys = await rows.survey_groups(conn, start, end)
    joined = await rows.followed(conn, start, end)
    held = await community.month_figures(conn, start, end)
    reopen_by_technician: Counter = Counter()
    for _, technician, count in reopened:
        if technician:  # a contractor's or a complaint's has no technician
            reopen_by_technician[technician] += count
    # The resident's own answer counts first; a rating taken by phone only without one.
    rated = [(s, s.rating if s.rating is not None else s.phone_rating) for s in surveys]
    rated = [(s, r) for s, r in rated if r is not None]
    reasons: Counter = Counter()
    for s in surveys:
        for reason in s.reasons:
            reasons[reason] += s.count
    return Stats(
        month=month,
        by_kind=_tally(groups, lambda g: g.kind),
        by_category=_tally(groups, lambda g: (g.kind, g.category)),
        by_status=_tally(groups, lambda g: g.status),
        by_kind_status=_tally(groups, lambda g: (g.kind, g.status)),
        by_channel=_tally(groups, lambda g: g.channel),
        resolved=resolved,
        resolved_in_time=sum(g.in_time for g in groups),
        extended=await rows.extended(conn, start, end),
        median_assign=_median(to_assign),
        median_resolve=_median(to_resolve),
        surveys_due=sum(s.count for s in surveys),
        surveys_answered=sum(s.count for s in surveys if s.answered or s.reached_by_phone),
        rating_by_category=_averages(((s.kind, s.category), r, s.count) for s, r in rated),
        rating_by_technician=_averages((s.technician, r, s.count) for s, r in rated
                                       if s.technician),
        rated_by_phone=sum(s.count for s, _ in rated if s.rating is None),
        reopen_by_ticket={ref: n for ref, _, n in reopened},
        reopen_by_technician=dict(reopen_by_technician),
        top_reasons=reasons.most_common(5),
        merged=sum(g.count for g in groups if g.status == machine.MERGED),
        followers=sum(n for _, n in joined),
        most_affected=tuple((ref, 1 + n) for ref, n in joined[:3]),
        activities=held,
        cost_by_payer=await costs.by_payer(conn, start, end),
    )
