"""The demo clock: the desk's time, moved on by the page so that warnings, escalations,
reminders and the callback survey can be seen in minutes. Only `estatedesk demo` uses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo


class DemoClock:
    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.ahead = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead

    def advance(self, hours: int) -> None:
        self.ahead += timedelta(hours=hours)

    def as_json(self) -> dict:
        return {"now": self.now().astimezone(self.tz).strftime("%Y-%m-%d %H:%M"),
                "ahead_hours": int(self.ahead.total_seconds() // 3600)}
