"""Reporting a repair: the steps of the report, their limits, and filing it as a ticket."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from storage import drafts, outbox, people, tickets
from storage.db import Database
from storage.records import Draft, Ticket
from workflow import tickets as machine
from workflow.settings import EstateSettings

FLOW = "report"
STEPS = ("unit", "category", "location", "description", "photos", "visit_day", "visit_slot",
         "summary")
MAX_LOCATION = 200
MAX_DESCRIPTION = 1000
MAX_PHOTOS = 5
VISIT_DAYS = 14
SLOTS = ("morning", "afternoon", "evening")
EDITABLE = ("category", "location", "description", "photos", "visit_day")


def start(user_id: int, unit_ids: list[int]) -> Draft:
    if len(unit_ids) == 1:
        return Draft(user_id, FLOW, "category", {"unit_id": unit_ids[0], "photos": []})
    return Draft(user_id, FLOW, "unit", {"photos": []})


def advance(draft: Draft, **values) -> Draft:
    """Stores values and moves to the next step, or back to the summary when editing."""
    data = {**draft.data, **values}
    if data.get("editing") and draft.step != "visit_day":
        data.pop("editing")
        return Draft(draft.user_id, FLOW, "summary", data)
    following = STEPS[STEPS.index(draft.step) + 1]
    return Draft(draft.user_id, FLOW, following, data)


def edit(draft: Draft, field: str) -> Draft:
    if field not in EDITABLE:
        raise machine.Refusal(machine.Refusal.INVALID)
    data = {**draft.data, "editing": True}
    if field == "photos":
        data["photos"] = []
    return Draft(draft.user_id, FLOW, field, data)


def text_problem(text: str | None, limit: int) -> str | None:
    """None when acceptable, else 'empty' or 'too_long'."""
    if text is None or not text.strip():
        return "empty"
    if len(text) > limit:
        return "too_long"
    return None


def visit_days(today: date) -> list[date]:
    return [today + timedelta(days=n) for n in range(VISIT_DAYS)]


def is_complete(data: dict) -> bool:
    return all(k in data for k in ("unit_id", "category", "location", "description",
                                   "visit_day", "visit_slot"))


async def submit(db: Database, settings: EstateSettings, user_id: int,
                 now: datetime) -> Ticket | None:
    """Files the resident's confirmed report as one transaction: the ticket, its photos, the
    first audit event, the desk's notices, and the end of the draft. None when there is no
    report to file (already filed by an earlier tap, or cancelled)."""
    async with db.transaction() as conn:
        draft = await drafts.get(conn, user_id)
        if draft is None or draft.flow != FLOW or draft.step != "summary":
            return None
        data = draft.data
        if not is_complete(data) or settings.category(data["category"]) is None:
            raise machine.Refusal(machine.Refusal.INVALID)
        unit_ids = {u.id for u in await people.units_of(conn, user_id)}
        if data["unit_id"] not in unit_ids:
            raise machine.Refusal(machine.Refusal.FORBIDDEN)
        ref = await machine.new_reference(conn, "R", now, settings.tz)
        ticket_id = await tickets.insert(
            conn, ref=ref, kind="R", resident_id=user_id, unit_id=data["unit_id"],
            category=data["category"], location=data["location"],
            description=data["description"], visit_date=data["visit_day"],
            visit_slot=data["visit_slot"], status=machine.NEW, now=now)
        await tickets.add_photos(conn, ticket_id, "report", data.get("photos", []))
        await tickets.add_event(conn, ticket_id, now, user_id, "reported", None, machine.NEW)
        for clerk in await machine.desk(conn):
            await outbox.add(conn, clerk.user_id, "dispatch", now, ticket_id)
        await drafts.delete(conn, user_id)
        return await tickets.get(conn, ticket_id)
