"""Who files a report, and for whom: a resident for a unit of theirs (within the limits), or
the desk for a unit's resident (by phone, at the counter, in writing; not counted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage import people, roster
from storage.db import Connection
from workflow import access, limits, phones
from workflow import tickets as machine
from workflow.settings import EstateSettings


@dataclass(frozen=True)
class Filing:
    resident_id: int
    channel: str = "bot"
    caller_name: str | None = None
    caller_phone: str | None = None
    filed_by: int | None = None  # the member of staff, when the desk filed it

    @property
    def by_desk(self) -> bool:
        return self.filed_by is not None


async def owners_to_tell(conn: Connection, unit_id: int,
                         reporter_id: int) -> list[int]:
    """The unit's owners on Telegram, when someone else (a tenant) reported a repair there."""
    owners = [e for e in await roster.entries_of_unit(conn, unit_id) if e.relation == "owner"]
    reporter = await people.get(conn, reporter_id)
    if reporter is None or any(reporter.phone and phones.same_number(reporter.phone, e.phone)
                               for e in owners):
        return []  # an owner reported it themselves
    return [p.user_id for p in await people.residents_of_unit(conn, unit_id)
            if p.user_id != reporter_id and p.phone and
            any(phones.same_number(p.phone, e.phone) for e in owners)]


async def check(conn: Connection, settings: EstateSettings, user_id: int,
                data: dict, kind: str, category: str, text: str, now: datetime) -> Filing:
    """Whose ticket a confirmed draft makes; refuses what may not be filed."""
    unit_id = data.get("unit_id")
    behalf = data.get("on_behalf")
    if behalf is None:  # the three reads sent together: one wait on PostgreSQL
        units = await people.units_of_sent(conn, user_id)
        limited = await limits.check_sent(conn, settings, user_id, unit_id, kind, category,
                                          text, now)
        if unit_id not in {u.id for u in await units()}:
            raise machine.Refusal(machine.Refusal.FORBIDDEN)
        await limited()
        return Filing(user_id)
    await access.require(conn, "intake.take", user_id)
    resident_id = behalf["resident_id"]
    if unit_id not in {u.id for u in await people.units_of(conn, resident_id)}:
        raise machine.Refusal(machine.Refusal.FORBIDDEN)
    return Filing(resident_id, behalf["channel"], behalf.get("caller_name"),
                  behalf.get("caller_phone"), user_id)
