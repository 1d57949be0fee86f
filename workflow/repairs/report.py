"""Reporting a repair: the steps of the report, their limits, and filing it as a ticket."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from storage import drafts, outbox, roster, tickets
from storage.db import Database
from storage.records import Draft, Ticket
from storage.repairs import followers
from workflow import conversations, filing, sla, told
from workflow import tickets as machine
from workflow.settings import ASAP, EMERGENCY, NORMAL, PUBLIC_AREAS, SLOTS, EstateSettings, Slot
from workflow.tickets import Kind

FLOW = "report"
STEPS = ("unit", "category", "urgency", "location", "same", "description", "photos",
         "visit_day", "visit_slot", "summary")
MAX_LOCATION = 200
MAX_DESCRIPTION = 1000
MAX_PHOTOS = 5
VISIT_DAYS = 14
EDITABLE = ("category", "urgency", "location", "description", "photos", "visit_day")
VISIT_STEPS = ("visit_day", "visit_slot")
ANSWERS = {"unit": "unit_id", "urgency": "priority"}  # where a step keeps its answer
ROOMS = ("kitchen", "bathroom", "living_room", "bedroom", "balcony")  # offered as chips
ROOM = "room:"  # a chosen room is stored by its key, shown in the reader's language
UNIT_LABEL = "unit_label"  # the unit's name as the report began (none: read it)


def start(user_id: int, unit_ids: list[int], unit_label: str | None = None) -> Draft:
    """`unit_label`: the one unit's name, kept for the summary, which then reads no unit."""
    data = {"photos": [], conversations.DRAFT_ID: conversations.new_id()}
    if len(unit_ids) == 1:
        if unit_label is not None:
            data[UNIT_LABEL] = unit_label
        return Draft(user_id, FLOW, "category", {"unit_id": unit_ids[0], **data})
    return Draft(user_id, FLOW, "unit", data)


def room_location(key: str) -> str:
    """The location of a room picked from the chips (not typed)."""
    if key not in ROOMS:
        raise machine.Refusal(machine.Refusal.INVALID)
    return ROOM + key


def room_of(location: str) -> str | None:
    """The room's key of a location picked from the chips; None for a typed one."""
    key = location[len(ROOM):] if location.startswith(ROOM) else None
    return key if key in ROOMS else None


def public(data: dict) -> bool:
    """A fault in a public area: its place is chosen from the estate's list, and nobody need
    be at home for it."""
    return data.get("category") == PUBLIC_AREAS


def no_visit(data: dict) -> bool:
    """An emergency is attended as soon as possible; so is a public area, with no one to
    meet: neither asks for a visit time."""
    return data.get("priority") == EMERGENCY or public(data)


def missing(step: str, data: dict) -> bool:
    """Whether the report still lacks this step's answer. 'same' is asked while reports of
    the chosen place are on offer; photos are never required."""
    if step == "same":
        return bool(data.get("matches"))
    if step in VISIT_STEPS:
        return not no_visit(data) and step not in data
    if step == "photos":
        return False
    return ANSWERS.get(step, step) not in data


def advance(draft: Draft, **values) -> Draft:
    """Stores values and moves to the next question the report needs: in order at first
    (skipping what a photo's caption already answered), then, while editing, only what the
    change made necessary before the summary again."""
    data = {**draft.data, **values}
    if draft.step == "same":
        data.pop("matches", None)  # answered: a different problem
    if draft.step == "category" and public(draft.data) != public(data):
        for key in ("location", "place", "matches"):  # a place in the unit is not a public one
            data.pop(key, None)
    editing = data.get("editing")
    following = STEPS[STEPS.index(draft.step) + 1]
    while following != "summary" and not (
            missing(following, data) or
            (following == "photos" and not editing and not data.get("photos"))):
        following = STEPS[STEPS.index(following) + 1]
    if following == "summary":
        data.pop("editing", None)
    return Draft(draft.user_id, FLOW, following, data)


def edit(draft: Draft, field: str) -> Draft:
    reopened = conversations.reopen_step(draft, field, EDITABLE)
    if field == "visit_day":  # a new day needs its own slot
        reopened.data.pop("visit_slot", None)
    if field == "location":
        reopened.data.pop("place", None)
    return reopened


def open_slots(day: date, now_local: datetime) -> list[Slot]:
    """The slots of that day not yet over."""
    if day != now_local.date():
        return list(SLOTS)
    return [s for s in SLOTS if s.end > now_local.time().replace(tzinfo=None)]


def visit_days(now_local: datetime) -> list[date]:
    """The next 14 days, from today if a slot of today is still open."""
    today = now_local.date()
    first = 0 if open_slots(today, now_local) else 1
    return [today + timedelta(days=n) for n in range(first, first + VISIT_DAYS)]


def is_complete(data: dict) -> bool:
    needed = ["unit_id", "category", "location", "description"]
    if not no_visit(data):
        needed += ["visit_day", "visit_slot"]
    return all(k in data for k in needed) and not data.get("matches")


async def submit(db: Database, settings: EstateSettings, user_id: int,
                 now: datetime, draft_id: str | None = None) -> Ticket | None:
    """Files the resident's confirmed report as one transaction: the ticket, its photos, the
    first audit event, the desk's notices, and the end of the draft. The draft `draft_id`
    (the button's) filed already: the ticket it became. None when there is no report to file
    (cancelled, or an old button without the draft's id)."""
    async with db.transaction() as conn:
        draft = await drafts.get(conn, user_id)
        if draft is None or draft_id is None or draft.data.get(conversations.DRAFT_ID) != draft_id:
            # not the draft in progress (its filing ends it): filed already, perhaps
            filed_as = await conversations.became(conn, user_id, draft_id, Kind.REPAIR)
            if filed_as is not None:
                return await machine.load(conn, filed_as)
        if draft is None or draft.flow != FLOW or draft.step != "summary":
            return None
        data = draft.data
        if not is_complete(data) or settings.category(data["category"]) is None:
            raise machine.Refusal(machine.Refusal.INVALID)
        filed = await filing.check(conn, settings, user_id, data, Kind.REPAIR, data["category"],
                                   conversations.told(data["description"], data), now)
        priority = data.get("priority", NORMAL)
        if no_visit(data):
            visit_day, visit_slot = now.astimezone(settings.tz).date().isoformat(), ASAP
        else:
            visit_day, visit_slot = data["visit_day"], data["visit_slot"]
        ref = await machine.new_reference(conn, Kind.REPAIR, now, settings.tz)
        assign_due, deadline = sla.due_dates(settings, data["category"], priority, now)
        ticket_id = await tickets.insert(
            conn, ref=ref, kind=Kind.REPAIR, resident_id=filed.resident_id, unit_id=data["unit_id"],
            category=data["category"], location=data["location"],
            description=data["description"], visit_date=visit_day, visit_slot=visit_slot,
            status=machine.NEW, priority=priority, assign_due_at=assign_due,
            deadline_at=deadline, now=now, channel=filed.channel,
            caller_name=filed.caller_name, caller_phone=filed.caller_phone,
            filed_by=filed.filed_by)
        await tickets.add_photos(conn, ticket_id, "report", data.get("photos", []))
        if public(data) and data.get("place"):
            unit = await roster.get_unit(conn, data["unit_id"])
            assert unit is not None  # the resident's own, checked when chosen
            await followers.set_place(conn, ticket_id, unit.building, data["place"])
        voice = conversations.voice_of(data)
        if voice is not None:
            await tickets.add_voice(conn, ticket_id, voice)
        await tickets.add_event(conn, ticket_id, now, user_id, "reported", None, machine.NEW,
                                priority if priority == EMERGENCY else "")
        reported = await machine.load(conn, ticket_id)
        await told.tell(conn, settings, "reported", reported, now)
        if priority == EMERGENCY:
            await told.tell(conn, settings, "emergency_reported", reported, now)
        if filed.by_desk and filed.resident_id > 0:  # they follow it in /mytickets
            await outbox.add(conn, filed.resident_id, "filed_for_you", now, ticket_id,
                             actor_id=user_id)
        await sla.arm(conn, settings, ticket_id, now, ticket=reported)  # as it stands
        await conversations.finish(conn, draft, Kind.REPAIR, ticket_id, now)
    return machine.logged(reported, "reported", user_id)  # once committed
