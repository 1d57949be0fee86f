"""Announcements: each one, and each recipient's delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, db_time, to_db_time


@dataclass(frozen=True)
class Announcement:
    id: int
    author_id: int
    text: str
    photo: str | None
    document: str | None
    audience: str  # all, owners, building:A, floor:A:12F
    send_at: datetime
    yearly: bool
    state: str  # scheduled, sending, done, cancelled
    progress_message: int | None


_SELECT = ("SELECT id, author_id, text, photo, document, audience, send_at, yearly, state, "
           "progress_message FROM announcements")


def _announcement(r) -> Announcement:
    return Announcement(r[0], r[1], r[2], r[3], r[4], r[5], db_time(r[6]), bool(r[7]), r[8],
                        r[9])


async def add(conn: Connection, author_id: int, text: str, photo: str | None,
              document: str | None, audience: str, send_at: datetime, yearly: bool,
              now: datetime) -> int:
    cur = await conn.execute(
        "INSERT INTO announcements (author_id, text, photo, document, audience, send_at, "
        "yearly, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'scheduled', ?)",
        (author_id, text, photo, document, audience, to_db_time(send_at), int(yearly),
         to_db_time(now)))
    return cur.lastrowid


async def get(conn: Connection, announcement_id: int) -> Announcement | None:
    row = await (await conn.execute(f"{_SELECT} WHERE id = ?", (announcement_id,))).fetchone()
    return _announcement(row) if row else None


async def next_to_send(conn: Connection, now: datetime) -> Announcement | None:
    """The one being sent, else the oldest whose time has come."""
    row = await (await conn.execute(
        f"{_SELECT} WHERE state = 'sending' OR (state = 'scheduled' AND send_at <= ?) "
        "ORDER BY state = 'scheduled', send_at, id LIMIT 1", (to_db_time(now),))).fetchone()
    return _announcement(row) if row else None


async def set_state(conn: Connection, announcement_id: int, before: str, after: str) -> bool:
    cur = await conn.execute("UPDATE announcements SET state = ? WHERE id = ? AND state = ?",
                             (after, announcement_id, before))
    return cur.rowcount == 1


async def set_progress_message(conn: Connection, announcement_id: int, message_id: int) -> None:
    await conn.send("UPDATE announcements SET progress_message = ? WHERE id = ?",
                       (message_id, announcement_id))


async def audience(conn: Connection) -> list[tuple[int, str, str, str | None, list[str]]]:
    """Every resident on Telegram with each unit: (user, building, unit, phone, the unit's
    owners' phone keys)."""
    cur = await conn.execute(
        "SELECT p.user_id, u.building, u.unit, p.phone, (SELECT group_concat(r.phone_key) FROM "
        "roster r WHERE r.unit_id = u.id AND r.relation = 'owner') FROM people p JOIN "
        "residencies s ON s.user_id = p.user_id JOIN units u ON u.id = s.unit_id WHERE "
        "p.active = 1 AND p.user_id > 0 ORDER BY p.user_id")
    return [(r[0], r[1], r[2], r[3], (r[4] or "").split(",")) for r in await cur.fetchall()]


async def add_recipients(conn: Connection, announcement_id: int,
                         recipients: list[tuple[int, str]]) -> None:
    await conn.executemany(
        "INSERT INTO announcement_recipients (announcement_id, user_id, unit, state) VALUES "
        "(?, ?, ?, 'pending') ON CONFLICT DO NOTHING",
        [(announcement_id, user, unit) for user, unit in recipients])


async def pending(conn: Connection, announcement_id: int, limit: int) -> list[tuple[int, str]]:
    cur = await conn.execute("SELECT user_id, unit FROM announcement_recipients WHERE "
                             "announcement_id = ? AND state = 'pending' ORDER BY user_id "
                             "LIMIT ?", (announcement_id, limit))
    return [(r[0], r[1]) for r in await cur.fetchall()]


async def mark(conn: Connection, announcement_id: int, user_id: int, before: str,
               after: str) -> bool:
    cur = await conn.execute("UPDATE announcement_recipients SET state = ? WHERE "
                             "announcement_id = ? AND user_id = ? AND state = ?",
                             (after, announcement_id, user_id, before))
    return cur.rowcount == 1


async def counts(conn: Connection, announcement_id: int) -> dict[str, int]:
    cur = await conn.execute("SELECT state, count(*) FROM announcement_recipients WHERE "
                             "announcement_id = ? GROUP BY state", (announcement_id,))
    return {r[0]: r[1] for r in await cur.fetchall()}


async def not_reached(conn: Connection, announcement_id: int) -> list[str]:
    cur = await conn.execute("SELECT DISTINCT unit FROM announcement_recipients WHERE "
                             "announcement_id = ? AND state IN ('blocked', 'failed', 'sending') "
                             "ORDER BY unit", (announcement_id,))
    return [r[0] for r in await cur.fetchall()]
