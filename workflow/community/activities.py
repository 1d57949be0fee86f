"""Community activities (社區文化活動): an activity with its date, place and capacity (and,
if set, a limit per unit). Residents are told of a new one (unless they turned these notices
off with /notifications), sign up with a button for a number of people, join the waiting
list when the places left are fewer than their party, and cancel. The places left are
always places a party can take: a party that fits goes in, and a place freed goes to the
waiting list in order, to each party that fits, who is told; no place stays empty while a
party it fits waits. A reminder the day before; after it, a one-tap rating counted in the
month's figures."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import outbox, people
from storage.community import activities
from storage.community.activities import Activity, Signup
from storage.db import Connection, Database
from storage.privacy import requests as privacy_requests
from workflow import access, roles, sla
from workflow import tickets as machine
from workflow.settings import EstateSettings

IN, WAITING, CANCELLED = "in", "waiting", "cancelled"
MAX_PEOPLE = 6  # a button row's worth when no per-unit limit is set
REMIND_BEFORE = timedelta(days=1)
RATE_AFTER = timedelta(hours=3)
ORGANISERS = roles.DISPATCHERS
Refusal = machine.Refusal


def taken(signups: list[Signup]) -> int:
    return sum(s.people for s in signups if s.state == IN)


def most(activity: Activity) -> int:
    return activity.per_unit or MAX_PEOPLE


async def create(db: Database, organiser_id: int | None, title: str, place: str,
                 starts_at: datetime, capacity: int, per_unit: int | None,
                 now: datetime, settings: EstateSettings | None = None) -> Activity:
    """The activity, and its notice to the residents in the same transaction (outside the
    estate's quiet hours, when `settings` are given)."""
    if starts_at <= now or not 1 <= capacity <= 10_000 or (per_unit is not None and
                                                           not 1 <= per_unit <= MAX_PEOPLE):
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        if organiser_id is not None:
            await access.require(conn, "activities.create", organiser_id)
        activity_id = await activities.add(conn, title, place, starts_at, capacity, per_unit,
                                           organiser_id)
        told = sla.out_of_quiet_hours(settings, now) if settings else now
        stopped = await privacy_requests.stopped(conn)  # asked us to stop using their data
        for resident in await activities.residents_to_tell(conn):  # durable: the outbox
            if resident in stopped:
                continue
            await outbox.add(conn, resident, "activity_new", now,
                             payload={"activity": activity_id}, actor_id=organiser_id,
                             not_before=told)
        found = await activities.get(conn, activity_id)
        assert found is not None
        return found


async def coming(db: Database, now: datetime) -> list[tuple[Activity, int]]:
    """The activities still to come, with how many places are taken."""
    async with db.reading() as conn:
        return [(a, taken(await activities.signups(conn, a.id, IN)))
                for a in await activities.coming(conn, now)]


async def sign_up(db: Database, activity_id: int, user_id: int, people_count: int,
                  now: datetime) -> Signup:
    """A resident's places: in, or on the waiting list when the activity is full. One sign-up
    per resident (a second tap changes nothing)."""
    async with db.transaction() as conn:
        await access.require(conn, "activities.join", user_id)
        activity = await _activity(conn, activity_id)
        if activity.starts_at <= now:
            raise Refusal(Refusal.STALE)
        if not 1 <= people_count <= most(activity):
            raise Refusal(Refusal.INVALID)
        units = await people.units_of(conn, user_id)
        if not units:
            raise Refusal(Refusal.FORBIDDEN)
        current = await activities.signups(conn, activity.id, IN, WAITING)
        mine = next((s for s in current if s.user_id == user_id), None)
        if mine is not None:
            return mine
        # those waiting need more than is left (a freed place goes to the first that fits),
        # so a party that fits takes the places left, as the listing shows them
        room = activity.capacity - taken(current)
        state = IN if people_count <= room else WAITING
        signup_id = await activities.add_signup(conn, activity.id, user_id, units[0].id,
                                                people_count, state, now)
        return next(s for s in await activities.signups(conn, activity.id, state)
                    if s.id == signup_id)


async def cancel(db: Database, activity_id: int, user_id: int, now: datetime) -> bool:
    """The resident's places are freed; the waiting list moves up, in order, as far as the
    places go, and each one let in is told. False when there was nothing to cancel."""
    async with db.transaction() as conn:
        activity = await _activity(conn, activity_id)
        current = await activities.signups(conn, activity.id, IN, WAITING)
        mine = next((s for s in current if s.user_id == user_id), None)
        if mine is None or not await activities.set_state(conn, mine.id, mine.state, CANCELLED):
            return False
        await _move_up(conn, activity, now)
        return True


async def _move_up(conn: Connection, activity: Activity, now: datetime) -> None:
    room = activity.capacity - taken(await activities.signups(conn, activity.id, IN))
    for waiting in await activities.signups(conn, activity.id, WAITING):
        if waiting.people > room:
            continue  # in order, each party that fits: a place never stays empty for a
            # party too big for it while a smaller one waits
        await activities.set_state(conn, waiting.id, WAITING, IN)
        room -= waiting.people
        await outbox.add(conn, waiting.user_id, "activity_place", now,
                         payload={"activity": activity.id})


async def attendees(db: Database, activity_id: int,
                    viewer_id: int) -> tuple[Activity, list[tuple[Signup, str, str]]]:
    """For staff: who comes (and who waits), with their names and units."""
    async with db.reading() as conn:
        await access.require(conn, "activities.attendees", viewer_id)
        activity = await _activity(conn, activity_id)
        found = []
        for signup in await activities.signups(conn, activity.id, IN, WAITING):
            person = await people.get(conn, signup.user_id)
            units = {u.id: u.label for u in await people.units_of(conn, signup.user_id)}
            found.append((signup, person.name if person else "", units.get(signup.unit_id, "")))
        return activity, found


async def rate(db: Database, activity_id: int, user_id: int, rating: int,
               now: datetime) -> bool:
    """An attendee's rating after the activity; the first counts."""
    if rating not in range(1, 6):
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        activity = await _activity(conn, activity_id)
        if not any(s.user_id == user_id for s in await activities.signups(conn, activity.id,
                                                                           IN)):
            raise Refusal(Refusal.FORBIDDEN)
        return await activities.rate(conn, activity.id, user_id, rating, now)


async def sweep(db: Database, now: datetime) -> int:
    """The day before: a reminder to those coming; a few hours after: the rating, once.
    Writes nothing when nothing is due."""
    async with db.reading() as conn:
        remind = await activities.to_remind(conn, now + REMIND_BEFORE)
        ask = await activities.to_rate(conn, now - RATE_AFTER)
    if not remind and not ask:
        return 0
    async with db.transaction() as conn:
        for activity, kind, column in [*[(a, "activity_reminder", "reminded_at")
                                         for a in remind],
                                       *[(a, "activity_rating", "rating_asked_at")
                                         for a in ask]]:
            if not await activities.mark(conn, activity.id, column, now):
                continue
            if kind == "activity_reminder" and activity.starts_at <= now:
                continue  # created too late for a reminder: marked, not sent
            for signup in await activities.signups(conn, activity.id, IN):
                await outbox.add(conn, signup.user_id, kind, now,
                                 payload={"activity": activity.id})
    return len(remind) + len(ask)


async def notices_on(db: Database, user_id: int) -> bool:
    """Whether the resident is told of new activities."""
    async with db.reading() as conn:
        await access.require(conn, "activities.notifications", user_id)
        return not await activities.opted_out(conn, user_id)


async def stopped_by_request(db: Database, user_id: int) -> bool:
    """Whether the person's request to stop using their data was granted: no activities are
    told to them, whatever /notifications was set to."""
    async with db.reading() as conn:
        return bool(await privacy_requests.stopped(conn, [user_id]))


async def set_notices(db: Database, user_id: int, on: bool, now: datetime) -> bool:
    """/notifications: new activities told, or not; returns the setting now."""
    async with db.transaction() as conn:
        await access.require(conn, "activities.notifications", user_id)
        await activities.set_opted_out(conn, user_id, not on, now)
        return on


async def of(db: Database, activity_id: int) -> Activity:
    async with db.reading() as conn:
        return await _activity(conn, activity_id)


async def _activity(conn: Connection, activity_id: int) -> Activity:
    found = await activities.get(conn, activity_id)
    if found is None:
        raise Refusal(Refusal.NOT_FOUND)
    return found
