"""People: everyone who has talked to the bot, their language and role; residencies; invitations."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime

from storage import sender
from storage.db import Connection, to_db_time
from storage.records import Invitation, Person, Unit

# A person's columns, also for a query that joins people (the outbox reads its recipients so)
COLUMNS = ("people.user_id, people.language, people.role, people.name, people.phone, "
           "people.active, people.unreachable_at IS NOT NULL, people.department, "
           "EXISTS (SELECT 1 FROM residencies r WHERE r.user_id = people.user_id), "
           "people.contractor_id")
_PERSON = f"SELECT {COLUMNS} FROM people"


def from_row(row) -> Person:
    """A person from a row's COLUMNS."""
    return Person(row[0], row[1], row[2], row[3], row[4], bool(row[5]), bool(row[6]), row[7],
                  bool(row[8]), row[9])


_person = from_row


async def get(conn: Connection, user_id: int) -> Person | None:
    found = sender.person(user_id)  # the update's sender, read with the update
    if found is not UNKNOWN:
        return found
    row = await (await conn.execute(f"{_PERSON} WHERE user_id = ?", (user_id,))).fetchone()
    return _person(row) if row else None


async def sent(conn: Connection, user_id: int) -> Callable[[], Awaitable[Person | None]]:
    """`get` in two halves: the read is sent now and answered when the result is called, so
    that on PostgreSQL it waits with the caller's next read rather than alone."""
    found = sender.person(user_id)
    cur = None if found is not UNKNOWN else \
        await conn.execute(f"{_PERSON} WHERE user_id = ?", (user_id,))

    async def answer() -> Person | None:
        if cur is None:
            return found
        row = await cur.fetchone()
        return _person(row) if row else None
    return answer


UNKNOWN = sender.UNKNOWN


def known(user_id: int):
    """The update's sender's person as read with the update (None: nobody), else UNKNOWN."""
    return sender.person(user_id)


async def names(conn: Connection, user_ids: set[int]) -> dict[int, str]:
    """Many people's names in one query (a ticket's timeline names everyone who acted)."""
    if not user_ids:
        return {}
    ids = sorted(user_ids)
    cur = await conn.execute(
        f"SELECT user_id, name FROM people WHERE user_id IN ({','.join('?' * len(ids))})", ids)
    return {r[0]: r[1] for r in await cur.fetchall()}


async def set_language(conn: Connection, user_id: int, language: str) -> None:
    sender.person_changed(user_id)
    await conn.send("UPDATE people SET language = ? WHERE user_id = ?", (language, user_id))


async def set_name(conn: Connection, user_id: int, name: str) -> None:
    sender.person_changed(user_id)
    await conn.send("UPDATE people SET name = ? WHERE user_id = ?", (name, user_id))


async def set_phone(conn: Connection, user_id: int, phone: str) -> None:
    sender.person_changed(user_id)
    await conn.send("UPDATE people SET phone = ? WHERE user_id = ?", (phone, user_id))


async def set_role(conn: Connection, user_id: int, role: str | None,
                   name: str | None = None, department: str | None = None,
                   contractor_id: int | None = None) -> None:
    sender.person_changed(user_id)
    await conn.send(
        "UPDATE people SET role = ?, name = coalesce(?, name), department = ?, "
        "contractor_id = ?, active = 1 WHERE user_id = ?",
        (role, name or None, department, contractor_id, user_id))


async def deactivate(conn: Connection, user_id: int, now: datetime | None = None) -> None:
    """No longer acting as staff; with `now`, they left then (the retention sweep forgets
    their name and phone once the settings' time has passed)."""
    sender.person_changed(user_id)
    await conn.send("UPDATE people SET active = 0, left_at = coalesce(left_at, ?) "
                    "WHERE user_id = ?", (to_db_time(now) if now else None, user_id))


async def with_role(conn: Connection, *roles: str) -> list[Person]:
    marks = ",".join("?" * len(roles))
    cur = await conn.execute(
        f"{_PERSON} WHERE role IN ({marks}) AND active = 1 ORDER BY name, user_id", roles)
    return [_person(r) for r in await cur.fetchall()]


async def reachable_with_role(conn: Connection, role: str) -> list[Person]:
    return [p for p in await with_role(conn, role) if not p.unreachable]


async def staff(conn: Connection, roles: tuple[str, ...]) -> list[Person]:
    return await with_role(conn, *roles)


async def of_contractor(conn: Connection, contractor_id: int) -> list[Person]:
    """A responsible unit's people in the chat (active)."""
    cur = await conn.execute(f"{_PERSON} WHERE contractor_id = ? AND active = 1 AND "
                             "role = 'contractor' ORDER BY name, user_id", (contractor_id,))
    return [_person(r) for r in await cur.fetchall()]


async def ensure_without_telegram(conn: Connection, roster_id: int, name: str,
                                  phone: str, language: str, now: datetime) -> int:
    """A resident on the roster who does not use the bot, so the desk can file for them: a
    person with a negative id (never a Telegram id), their messages go to the desk."""
    user_id = -roster_id
    await conn.send(
        "INSERT INTO people (user_id, language, role, name, phone, created_at, roster_id) "
        "VALUES (?, ?, 'resident', ?, ?, ?, ?) ON CONFLICT(user_id) DO NOTHING",
        (user_id, language, name, phone, to_db_time(now), roster_id))
    return user_id


async def residents_of_unit(conn: Connection, unit_id: int) -> list[Person]:
    """People on Telegram linked to the unit."""
    cur = await conn.execute(
        f"{_PERSON} WHERE user_id > 0 AND active = 1 AND user_id IN "
        "(SELECT user_id FROM residencies WHERE unit_id = ?) ORDER BY name, user_id", (unit_id,))
    return [_person(r) for r in await cur.fetchall()]


async def link_unit(conn: Connection, user_id: int, unit_id: int, now: datetime) -> None:
    sender.person_changed(user_id)
    await conn.send(
        "INSERT INTO residencies (user_id, unit_id, linked_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (user_id, unit_id, to_db_time(now)),
    )


async def units_of(conn: Connection, user_id: int) -> list[Unit]:
    return await (await units_of_sent(conn, user_id))()


async def units_of_sent(conn: Connection,
                        user_id: int) -> Callable[[], Awaitable[list[Unit]]]:
    """`units_of` in two halves: the read sent now, its answer read when called (on
    PostgreSQL, reads sent in between are answered in the same wait)."""
    cur = await conn.execute(
        "SELECT u.id, u.building, u.unit FROM residencies r JOIN units u ON u.id = r.unit_id "
        "WHERE r.user_id = ? ORDER BY u.building, u.unit",
        (user_id,),
    )

    async def answer() -> list[Unit]:
        return [Unit(*r) for r in await cur.fetchall()]
    return answer


def invitation_key(code: str) -> str:
    """How a code is kept: its SHA-256 (hex), never the code, which is shown once; a copy of
    the database then lets nobody join as staff. Migration 25 hashed the codes kept before."""
    return hashlib.sha256(code.encode()).hexdigest()


async def add_invitation(conn: Connection, code: str, role: str, name: str | None,
                         now: datetime, department: str | None = None,
                         expires_at: datetime | None = None,
                         contractor_id: int | None = None) -> None:
    await conn.send(
        "INSERT INTO invitations (code, role, name, created_at, department, expires_at, "
        "contractor_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (invitation_key(code), role, name, to_db_time(now), department,
         to_db_time(expires_at) if expires_at else None, contractor_id))


async def revoke_invitation(conn: Connection, code: str, now: datetime) -> bool:
    """False when there is no such unused, unrevoked code."""
    cur = await conn.execute(
        "UPDATE invitations SET revoked_at = ? WHERE code = ? AND used_by IS NULL AND "
        "revoked_at IS NULL", (to_db_time(now), invitation_key(code)))
    return cur.rowcount == 1


async def record_failed_code(conn: Connection, user_id: int, now: datetime) -> None:
    await conn.send("INSERT INTO failed_codes (user_id, at) VALUES (?, ?)",
                       (user_id, to_db_time(now)))


async def failed_codes_since(conn: Connection, user_id: int,
                             since: datetime) -> int:
    row = await (await conn.execute(
        "SELECT count(*) FROM failed_codes WHERE user_id = ? AND at >= ?",
        (user_id, to_db_time(since)))).fetchone()
    return row[0]


async def get_invitation(conn: Connection, code: str) -> Invitation | None:
    row = await (await conn.execute(
        "SELECT code, role, name, used_by, department, contractor_id FROM invitations "
        "WHERE code = ?",
        (invitation_key(code),))).fetchone()
    return Invitation(*row) if row else None


async def use_invitation(conn: Connection, code: str, user_id: int,
                         now: datetime) -> bool:
    """Marks the code used; False when it was already used, revoked or has expired."""
    cur = await conn.execute(
        "UPDATE invitations SET used_by = ?, used_at = ? WHERE code = ? AND used_by IS NULL "
        "AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
        (user_id, to_db_time(now), invitation_key(code), to_db_time(now)),
    )
    return cur.rowcount == 1


async def get_meta(conn: Connection, key: str) -> str | None:
    row = await (await conn.execute("SELECT value FROM meta WHERE key = ?", (key,))).fetchone()
    return row[0] if row else None


async def set_meta(conn: Connection, key: str, value: str) -> None:
    await conn.send(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


async def set_unreachable(conn: Connection, user_id: int, now: datetime | None) -> bool:
    """Marks (or, with None, clears) that the person blocked the bot; True if it changed."""
    sender.person_changed(user_id)
    if now is None:
        cur = await conn.execute("UPDATE people SET unreachable_at = NULL "
                                 "WHERE user_id = ? AND unreachable_at IS NOT NULL", (user_id,))
    else:
        cur = await conn.execute("UPDATE people SET unreachable_at = ? "
                                 "WHERE user_id = ? AND unreachable_at IS NULL",
                                 (to_db_time(now), user_id))
    return cur.rowcount == 1


# The staff who blocked the bot: the partial index people_unreachable, not every resident.
UNREACHABLE_QUERY = (f"{_PERSON} WHERE unreachable_at IS NOT NULL AND active = 1 "
                     "AND role IS NOT NULL AND user_id > 0 ORDER BY role, name")


async def unreachable(conn: Connection) -> list[Person]:
    cur = await conn.execute(UNREACHABLE_QUERY)
    return [_person(r) for r in await cur.fetchall()]
