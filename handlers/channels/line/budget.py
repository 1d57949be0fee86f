"""LINE's month of messages: `LineBudget` counts what the desk pushes (by kind), reads the
plan's quota and the month's consumption from LINE (cached a few minutes; LINE unreachable:
the desk's own count), warns the managers at 80% of the quota and again at the cap (each
once a month, however many workers and restarts), and near the cap tells the adapter to
hold a progress note back (workflow/line_budget.py says which kinds). A held message waits
in the outbox and is shown in the person's next reply (`held_for`) or in /mytickets.

How LINE's adapter uses it, for each push of an outbox message (its kind from
`Channel.sending`; "reply" for a reply that spilled to a push):
    if not await budget.allows(kind): raise budget.fold()   # before the push: held
    ... push ...
    await budget.pushed(kind, 1)    # after LINE accepted it: one a person pushed to
and, as a turn's reply is sent, `await budget.held_for(account)` adds the person's held
messages to it (free)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from handlers import held
from handlers.channels.outcomes import Held
from handlers.common import Desk
from storage.channels import line_pushes
from storage.db import Database
from storage.records import Account
from workflow import delivery, told, views
from workflow import line_budget as policy
from workflow.settings import EstateSettings

log = logging.getLogger(__name__)
FRESH = timedelta(minutes=5)  # LINE's figures are read again after this
RETRY_LINE = timedelta(minutes=1)  # LINE unreachable: asked again after this
ASK_LINE = 5.0  # seconds LINE is given to answer
EVENTS = {policy.WARNING: "line_quota_warning", policy.CAP: "line_quota_cap"}


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Month:
    """The month so far: `quota` (LINE's, else the plan's in the settings), `used` (LINE's
    consumption plus the desk's pushes since it was read; else the desk's own count),
    `from_line` whether LINE answered, `by_kind` the desk's own count."""
    month: str
    quota: int
    used: int
    from_line: bool
    by_kind: dict[str, int] = field(default_factory=dict)
    line_quota: int | None = None  # LINE's limit, when it has one
    line_used: int | None = None
    warned: list[str] = field(default_factory=list)  # the managers' warnings given

    @property
    def desk_total(self) -> int:
        return sum(self.by_kind.values())


async def read_line(api: Any) -> tuple[int | None, int]:
    """LINE's quota (None: no limit set) and this month's consumption, through the SDK's
    AsyncMessagingApi (`api.messaging`)."""
    quota = await api.messaging.get_message_quota(_request_timeout=ASK_LINE)
    used = await api.messaging.get_message_quota_consumption(_request_timeout=ASK_LINE)
    limit = quota.value if str(getattr(quota.type, "value", quota.type)) == "limited" else None
    return limit, used.total_usage


async def month_of(db: Database, settings: EstateSettings, api: Any | None,
                   now: datetime) -> Month:
    """The month as LINE and the desk see it now (LINE asked at once: no cache)."""
    month = policy.month_of(now, settings.tz)
    async with db.reading() as conn:
        by_kind = await line_pushes.of_month(conn, month)
        warned = await line_pushes.warnings_of(conn, month)
    found = Month(month, settings.line_plan.quota, sum(by_kind.values()), False, by_kind,
                  warned=warned)
    if api is not None:
        try:
            found.line_quota, found.line_used = await read_line(api)
        except Exception as exc:  # any failure to reach LINE: the desk's own count serves
            log.warning("LINE's quota could not be read: %r; the desk's own count serves", exc)
            return found
        found.from_line = True
        found.quota = found.line_quota or settings.line_plan.quota
        found.used = max(found.line_used, found.desk_total)
    return found


class LineBudget:
    """One per LINE channel (the adapter's `LineChannel(api, media, budget)`)."""

    def __init__(self, db: Database, settings: EstateSettings, api: Any,
                 clock: Callable[[], datetime] = _now) -> None:
        self.db, self.settings, self.api, self.clock = db, settings, api, clock
        self._month: Month | None = None
        self._read_at: datetime | None = None
        self._warned: dict[str, set[str]] = {}  # month -> levels known given
        self._any_held: tuple[datetime, bool] | None = None  # when asked, and the answer
        self._lock = asyncio.Lock()
        held.may_hold(db)  # its held messages are looked for in /mytickets

    async def month(self) -> Month:
        """The month, read again when older than FRESH (LINE down: RETRY_LINE) or when a new
        month began; between reads, the desk's pushes are added to it as they go."""
        now = self.clock()
        async with self._lock:
            found, at = self._month, self._read_at
            stale = found is None or at is None or \
                found.month != policy.month_of(now, self.settings.tz) or \
                now - at >= (FRESH if found.from_line else RETRY_LINE)
            if stale:
                found = await month_of(self.db, self.settings, self.api, now)
                self._month, self._read_at = found, now
            assert found is not None
            return found

    async def allows(self, kind: str) -> bool:
        """Whether to push a message of this kind now: a KEPT kind always; a foldable one
        until the month reaches FOLD_AT of the quota (False: the adapter raises `fold()`)."""
        if policy.kept(kind):
            return True
        month = await self.month()
        if not policy.folding(month.used, month.quota):
            return True
        self._any_held = (self.clock(), True)  # held now: replies look for it at once
        # the month may have reached the cap by pushes made elsewhere (LINE's own manager):
        # the managers hear of it now, not at the next message that is pushed
        await self._record(month, self.clock())
        return False

    def month_ends(self) -> datetime:
        """When LINE's quota starts afresh: how long a push LINE refused with its "monthly
        limit" (the free and light plans send none past the quota) waits."""
        return policy.next_month(self.clock(), self.settings.tz)

    def fold(self) -> Held:
        """What the adapter raises instead of pushing: held until the next month begins."""
        return Held(self.month_ends(), "held: near the month's LINE quota")

    async def pushed(self, kind: str, count: int = 1) -> None:
        """`count` messages pushed (LINE counts a push once for each person it goes to,
        however many bubbles it holds): counted by kind, and the managers warned when the
        month crosses 80% or the cap."""
        if count <= 0:
            return
        month = await self.month()
        now = self.clock()
        month.used += count
        month.by_kind[kind] = month.by_kind.get(kind, 0) + count
        await self._record(month, now, kind, count)

    async def _record(self, month: Month, now: datetime, kind: str | None = None,
                      count: int = 0) -> None:
        """The pushes counted (if any) and the warnings the month has come to given, in one
        transaction: a warning's row is written with the managers' notices, once a month."""
        given = self._warned.setdefault(month.month, set())
        due = [level for level in policy.warnings_due(month.used, month.quota)
               if level not in given]
        if kind is None and not due:
            return
        try:
            async with self.db.transaction(durable=False) as conn:
                if kind is not None:
                    await line_pushes.count(conn, month.month, kind, count)
                for level in due:  # both at once (a jump): the cap's notice alone
                    if await line_pushes.warned(conn, month.month, level, now) and \
                            level == due[-1]:
                        await told.tell_estate(conn, self.settings, EVENTS[level], now,
                                               payload=self._figures(month, now))
        except Exception:  # the push went: a count that failed must not send it again
            log.exception("LINE: %d %s push(es) not counted", count, kind)
            return
        given.update(due)

    def _figures(self, month: Month, now: datetime) -> dict:
        forecast = policy.forecast(month.used, now, self.settings.tz)
        cost = policy.cost(self.settings.line_plan, forecast, month.quota)
        return {"month": month.month, "used": month.used, "quota": month.quota,
                "forecast": forecast, "cost": cost.cents}

    async def held_for(self, account: Account) -> list[str]:
        """`held_for`, with this budget's settings and clock; nothing read for it while
        nothing can be held (asked at every LINE event: a turn's reply adds them)."""
        if not await self._may_hold():
            return []
        return await held_for(self.db, account, self.settings, self.clock)

    async def _may_hold(self) -> bool:
        """Whether held messages may be waiting: this budget held one, or the outbox had
        some when last asked (again after FRESH; another worker's are found then). Never
        asks LINE: a person's reply does not wait on LINE's quota."""
        now = self.clock()
        if self._any_held is None or now - self._any_held[0] >= FRESH:
            self._any_held = (now, await delivery.any_held(self.db))
        return self._any_held[1]


async def held_for(db: Database, account: Account, settings: EstateSettings | None = None,
                   clock: Callable[[], datetime] = _now) -> list[str]:
    """What was held back for the account's person, folded into one "While you were away"
    message (or as few as fit), marked delivered: the adapter adds them to the reply it is
    sending (free). Nothing held: an empty list."""
    person = await views.person_of_account(db, account)
    if person is None:
        return []
    d = Desk(db, settings or EstateSettings(), clock)
    return held.folded(d.tr(person.language), await held.take(d, person.user_id))
