"""Community activities: each activity, its sign-ups (in, waiting, cancelled) and ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, db_time, from_db_time, to_db_time


@dataclass(frozen=True)
class Activity:
    id: int
    title: str
    place: str
    starts_at: datetime
    capacity: int
    per_unit: int | None
    reminded_at: datetime | None
    rating_asked_at: datetime | None


@dataclass(frozen=True)
class Signup:
    id: int
    activity_id: int
    user_id: int
    unit_id: int
    people: int
    state: str  # in, waiting, cancelled
    at: datetime


_ACTIVITY = ("SELECT id, title, place, starts_at, capacity, per_unit, reminded_at, "
             "rating_asked_at FROM activities")
_SIGNUP = "SELECT id, activity_id, user_id, unit_id, people, state, at FROM activity_signups"


def _activity(r) -> Activity:
    return Activity(r[0], r[1], r[2], db_time(r[3]), r[4], r[5], from_db_time(r[6]),
                    from_db_time(r[7]))


def _signup(r) -> Signup:
    return Signup(r[0], r[1], r[2], r[3], r[4], r[5], db_time(r[6]))


async def add(conn: Connection, title: str, place: str, starts_at: datetime, capacity: int,
              per_unit: int | None, created_by: int | None) -> int:
    cur = await conn.execute(
        "INSERT INTO activities (title, place, starts_at, capacity, per_unit, created_by) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (title, place, to_db_time(starts_at), capacity, per_unit, created_by))
    return cur.lastrowid


async def get(conn: Connection, activity_id: int) -> Activity | None:
    row = await (await conn.execute(f"{_ACTIVITY} WHERE id = ?", (activity_id,))).fetchone()
    return _activity(row) if row else None


async def coming(conn: Connection, now: datetime) -> list[Activity]:
    cur = await conn.execute(f"{_ACTIVITY} WHERE starts_at > ? ORDER BY starts_at",
                             (to_db_time(now),))
    return [_activity(r) for r in await cur.fetchall()]


async def to_remind(conn: Connection, until: datetime) -> list[Activity]:
    cur = await conn.execute(f"{_ACTIVITY} WHERE starts_at <= ? AND reminded_at IS NULL",
                             (to_db_time(until),))
    return [_activity(r) for r in await cur.fetchall()]


async def to_rate(conn: Connection, before: datetime) -> list[Activity]:
    cur = await conn.execute(f"{_ACTIVITY} WHERE starts_at <= ? AND rating_asked_at IS NULL",
                             (to_db_time(before),))
    return [_activity(r) for r in await cur.fetchall()]


async def mark(conn: Connection, activity_id: int, column: str, now: datetime) -> bool:
    assert column in ("reminded_at", "rating_asked_at")
    cur = await conn.execute(f"UPDATE activities SET {column} = ? WHERE id = ? AND {column} "
                             "IS NULL", (to_db_time(now), activity_id))
    return cur.rowcount == 1


async def signups(conn: Connection, activity_id: int, *states: str) -> list[Signup]:
    marks = ",".join("?" * len(states))
    cur = await conn.execute(f"{_SIGNUP} WHERE activity_id = ? AND state IN ({marks}) "
                             "ORDER BY id", (activity_id, *states))
    return [_signup(r) for r in await cur.fetchall()]


async def add_signup(conn: Connection, activity_id: int, user_id: int, unit_id: int,
                     people: int, state: str, now: datetime) -> int:
    cur = await conn.execute(
        "INSERT INTO activity_signups (activity_id, user_id, unit_id, people, state, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (activity_id, user_id, unit_id, people, state, to_db_time(now)))
    return cur.lastrowid


async def set_state(conn: Connection, signup_id: int, before: str, after: str) -> bool:
    cur = await conn.execute("UPDATE activity_signups SET state = ? WHERE id = ? AND state = ?",
                             (after, signup_id, before))
    return cur.rowcount == 1


async def rate(conn: Connection, activity_id: int, user_id: int, rating: int,
               now: datetime) -> bool:
    """The first rating counts."""
    cur = await conn.execute("INSERT INTO activity_ratings (activity_id, user_id, rating, at) "
                             "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                             (activity_id, user_id, rating, to_db_time(now)))
    return cur.rowcount == 1


async def month_figures(conn: Connection, start: datetime,
                        end: datetime) -> tuple[int, int, float | None]:
    """Activities held in the period, the ratings given, and their average."""
    held = await (await conn.execute(
        "SELECT count(*) FROM activities WHERE starts_at >= ? AND starts_at < ?",
        (to_db_time(start), to_db_time(end)))).fetchone()
    rated = await (await conn.execute(
        "SELECT count(*), avg(r.rating) FROM activity_ratings r JOIN activities a ON "
        "a.id = r.activity_id WHERE a.starts_at >= ? AND a.starts_at < ?",
        (to_db_time(start), to_db_time(end)))).fetchone()
    return held[0], rated[0], rated[1]


async def residents_to_tell(conn: Connection) -> list[int]:
    """The residents on Telegram (with a unit) told of a new activity: all but those who
    turned these notices off."""
    cur = await conn.execute(
        "SELECT DISTINCT p.user_id FROM people p JOIN residencies s ON s.user_id = p.user_id "
        "WHERE p.active = 1 AND p.user_id > 0 AND p.role = 'resident' AND p.user_id NOT IN "
        "(SELECT user_id FROM activity_optouts) ORDER BY p.user_id")
    return [r[0] for r in await cur.fetchall()]


async def opted_out(conn: Connection, user_id: int) -> bool:
    row = await (await conn.execute("SELECT 1 FROM activity_optouts WHERE user_id = ?",
                                    (user_id,))).fetchone()
    return row is not None


async def set_opted_out(conn: Connection, user_id: int, off: bool, now: datetime) -> None:
    if off:
        await conn.send("INSERT INTO activity_optouts (user_id, at) VALUES (?, ?) "
                           "ON CONFLICT DO NOTHING", (user_id, to_db_time(now)))
    else:
        await conn.send("DELETE FROM activity_optouts WHERE user_id = ?", (user_id,))
