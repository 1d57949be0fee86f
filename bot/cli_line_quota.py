"""`estatedesk line quota`: LINE's month for the office: the plan's quota and this month's
consumption from LINE, the desk's own count of its pushes by kind, the month's forecast and
what it costs on the plan ([line] in the estate's settings). LINE out of reach (or no token
set), it says so and shows the desk's own count."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from storage.db import Database
from workflow import line_budget as policy
from workflow.settings import EstateSettings

if TYPE_CHECKING:
    from handlers.channels.line.budget import Month

TOKEN = "LINE_CHANNEL_ACCESS_TOKEN"
API_URL = "LINE_API_URL"
LINE = "https://api.line.me"
PLAN_NAMES = {"free": "free (輕用量)", "light": "light (中用量)", "standard": "standard (高用量)"}


def add_parsers(group) -> None:
    group.add_parser(
        "quota", help="LINE's month: the plan's quota and what is used, the desk's pushes by "
                      "kind, the forecast for the month and its cost")


@dataclass
class _Line:
    """The SDK's client, as LineBudget reads it (`messaging`: an AsyncMessagingApi)."""
    client: Any
    messaging: Any


def _line_from_environment() -> _Line | None:
    token = os.environ.get(TOKEN, "").strip()
    if not token:
        return None
    from linebot.v3.messaging import (  # type: ignore[import-untyped]
        AsyncApiClient,
        AsyncMessagingApi,
        Configuration,
    )
    client = AsyncApiClient(Configuration(host=os.environ.get(API_URL, "").strip() or LINE,
                                          access_token=token))
    return _Line(client, AsyncMessagingApi(client))


def _money(cents: int) -> str:
    return f"NT${cents // 100:,}" + (f".{cents % 100:02d}" if cents % 100 else "")


def report(month: Month, settings: EstateSettings, now: datetime, line_set: bool) -> str:
    """What the command prints."""
    plan, tz = settings.line_plan, settings.tz
    local = now.astimezone(tz)
    lines = [f"LINE, {local:%B %Y} ({settings.timezone}), as of {local:%Y-%m-%d %H:%M}"]
    if month.from_line:
        quota = f"{month.line_quota:,} messages" if month.line_quota is not None else \
            f"no limit set at LINE (the plan's {plan.quota:,} from the settings)"
        lines += [f"  the plan's quota (from LINE): {quota}",
                  f"  used this month (from LINE): {month.line_used:,}"]
    else:
        why = "LINE could not be reached" if line_set else f"{TOKEN} is not set"
        lines += [f"  {why}: these are the desk's own count only (pushes made by hand in "
                  "LINE Official Account Manager are not in it)",
                  f"  the plan's quota (from the settings, [line] plan): {plan.quota:,}"]
    share = round(100 * policy.share(month.used, month.quota))
    lines.append(f"  used: {month.used:,} of {month.quota:,} ({share}%)")
    lines.append(f"  the desk's own count of its pushes: {month.desk_total:,}"
                 + (":" if month.by_kind else " (none yet)"))
    width = max((len(k) for k in month.by_kind), default=0)
    for kind, count in sorted(month.by_kind.items(), key=lambda kc: (-kc[1], kc[0])):
        lines.append(f"    {kind:<{width}}  {count:>7,}  "
                     + ("kept near the cap" if policy.kept(kind) else "held near the cap"))
    lines.append("  replies to what a person just wrote are free and not counted")
    forecast = policy.forecast(month.used, now, tz)
    cost = policy.cost(plan, forecast, month.quota)
    name = PLAN_NAMES.get(plan.key, plan.key)
    lines.append(f"  forecast for the month: {forecast:,} messages; on the {name} plan "
                 f"({_money(plan.price)} a month) it costs {_money(cost.cents)}")
    if cost.extra:
        lines.append(f"    of which {cost.extra:,} messages past the quota at "
                     f"{_money(plan.extra or 0)} each")
    if cost.unsent:
        lines.append(f"    {cost.unsent:,} messages past the quota, which this plan does not "
                     "send: the desk holds progress notes back near the cap; a larger plan "
                     "sends them")
    told = {policy.WARNING: f"at {round(100 * policy.WARN_AT)}%", policy.CAP: "at the cap"}
    if month.warned:
        lines.append("  the managers were told this month: "
                     + ", ".join(told.get(level, level) for level in month.warned))
    fold_at = int(month.quota * policy.FOLD_AT)
    lines.append(f"  at {fold_at:,} messages ({round(100 * policy.FOLD_AT)}% of the quota) the "
                 "desk stops pushing progress notes, digests and activity news: each waits "
                 "for the person's next message (a free reply) or /mytickets; assignments, "
                 "alerts, confirmations and surveys are always pushed")
    return "\n".join(lines)


async def _quota(args, env, settings: EstateSettings, db: Database, now: datetime) -> int:
    from handlers.channels.line.budget import month_of  # the desk's LINE module: not at start-up
    line = _line_from_environment()
    try:
        month = await month_of(db, settings, line, now)
    finally:
        if line is not None:
            await line.client.close()
    print(report(month, settings, now, line is not None))
    return 0


COMMANDS: dict = {  # (command, action) -> async (args, env, settings, db, now) -> exit code
    ("line", "quota"): _quota,
}
