"""The owner roster (units and their registered owners) and residents' join requests."""

from __future__ import annotations

from datetime import datetime

from storage.db import Connection, from_db_time, to_db_time
from storage.records import JoinRequest, Person, RosterEntry, Unit
from storage.ticket_files import _rows, roster_of, roster_parts


async def unit_id(conn: Connection, building: str, unit: str) -> int:
    await conn.send(
        "INSERT INTO units (building, unit) VALUES (?, ?) ON CONFLICT DO NOTHING", (building, unit))
    row = await (await conn.execute(
        "SELECT id FROM units WHERE building = ? AND unit = ?", (building, unit))).fetchone()
    return row[0]


async def get_unit(conn: Connection, unit_id_: int) -> Unit | None:
    row = await (await conn.execute(
        "SELECT id, building, unit FROM units WHERE id = ?", (unit_id_,))).fetchone()
    return Unit(*row) if row else None


async def add_entry(conn: Connection, unit_id_: int, name: str, phone: str,
                    phone_key: str, relation: str = "owner") -> bool:
    """True when the entry is new; the same unit and number again (however the number is
    written) changes nothing."""
    cur = await conn.execute(
        "INSERT INTO roster (unit_id, name, phone, phone_key, relation) SELECT ?, ?, ?, ?, ? "
        "WHERE NOT EXISTS (SELECT 1 FROM roster WHERE unit_id = ? AND phone_key = ?) "
        "ON CONFLICT(unit_id, phone) DO NOTHING",
        (unit_id_, name, phone, phone_key, relation, unit_id_, phone_key),
    )
    return cur.rowcount == 1


async def entries_by_phone_key(conn: Connection, phone_key: str) -> list[RosterEntry]:
    cur = await conn.execute(
        "SELECT u.id, u.building, u.unit, r.name, r.phone, r.id, r.relation FROM roster r "
        "JOIN units u ON u.id = r.unit_id WHERE r.phone_key = ? ORDER BY u.building, u.unit",
        (phone_key,),
    )
    return [RosterEntry(Unit(r[0], r[1], r[2]), r[3], r[4], r[5], r[6])
            for r in await cur.fetchall()]


async def entries_of_unit(conn: Connection, unit_id_: int) -> list[RosterEntry]:
    cur = await conn.execute(
        "SELECT u.id, u.building, u.unit, r.name, r.phone, r.id, r.relation FROM roster r "
        "JOIN units u ON u.id = r.unit_id WHERE u.id = ? ORDER BY r.id", (unit_id_,))
    return [RosterEntry(Unit(r[0], r[1], r[2]), r[3], r[4], r[5], r[6])
            for r in await cur.fetchall()]


async def with_residents(conn: Connection, unit_id_: int) -> tuple[list[RosterEntry],
                                                                   list[Person]]:
    """`entries_of_unit` and people.residents_of_unit (in their orders) in one statement."""
    dialect = conn.dialect
    if dialect not in _WITH_RESIDENTS:
        entries, residents = (_rows(dialect, *part) for part in roster_parts("?"))
        _WITH_RESIDENTS[dialect] = f"SELECT {entries}, {residents}"
    row = await (await conn.execute(_WITH_RESIDENTS[dialect], (unit_id_, unit_id_))).fetchone()
    return roster_of(row[0], row[1])


_WITH_RESIDENTS: dict[str, str] = {}


async def all_units(conn: Connection) -> list[Unit]:
    cur = await conn.execute("SELECT id, building, unit FROM units ORDER BY building, unit")
    return [Unit(*r) for r in await cur.fetchall()]


async def find_unit(conn: Connection, building: str, unit: str) -> Unit | None:
    row = await (await conn.execute(
        "SELECT id, building, unit FROM units WHERE building = ? AND unit = ?",
        (building, unit))).fetchone()
    return Unit(*row) if row else None


async def add_join_request(conn: Connection, user_id: int, phone: str,
                           claimed_unit: str, now: datetime) -> int:
    cur = await conn.execute(
        "INSERT INTO join_requests (user_id, phone, claimed_unit, created_at) VALUES (?, ?, ?, ?)",
        (user_id, phone, claimed_unit, to_db_time(now)),
    )
    return cur.lastrowid


async def get_join_request(conn: Connection, request_id: int) -> JoinRequest | None:
    row = await (await conn.execute(
        "SELECT id, user_id, phone, claimed_unit, status FROM join_requests WHERE id = ?",
        (request_id,))).fetchone()
    return JoinRequest(*row) if row else None


async def pending_request_of(conn: Connection, user_id: int) -> JoinRequest | None:
    row = await (await conn.execute(
        "SELECT id, user_id, phone, claimed_unit, status FROM join_requests "
        "WHERE user_id = ? AND status = 'pending' ORDER BY id DESC LIMIT 1", (user_id,))).fetchone()
    return JoinRequest(*row) if row else None


async def decision(conn: Connection, request_id: int) -> tuple[str, int | None,
                                                              datetime | None]:
    """A join request's status, who decided it and when (None, None while pending)."""
    row = await (await conn.execute(
        "SELECT status, decided_by, decided_at FROM join_requests WHERE id = ?",
        (request_id,))).fetchone()
    if row is None:
        return "", None, None
    return row[0], row[1], from_db_time(row[2]) if row[2] else None


async def decide_join_request(conn: Connection, request_id: int, status: str,
                              decided_by: int, now: datetime) -> bool:
    """False when someone else decided first."""
    cur = await conn.execute(
        "UPDATE join_requests SET status = ?, decided_by = ?, decided_at = ? "
        "WHERE id = ? AND status = 'pending'",
        (status, decided_by, to_db_time(now), request_id),
    )
    return cur.rowcount == 1


async def remove_entries(conn: Connection, unit_id_: int, phone_key: str) -> list[int]:
    """The unit's roster lines with that phone, deleted (the person left the unit): their
    ids."""
    ids = [r[0] for r in await (await conn.execute(
        "SELECT id FROM roster WHERE unit_id = ? AND phone_key = ?",
        (unit_id_, phone_key))).fetchall()]
    for roster_id in ids:
        await conn.send("UPDATE people SET roster_id = NULL WHERE roster_id = ? AND user_id > 0",
                        (roster_id,))
        await conn.send("DELETE FROM roster WHERE id = ?", (roster_id,))
    return ids


async def leave_unit(conn: Connection, user_id: int, unit_id_: int, now: datetime) -> bool:
    """The person no longer lives in the unit; with no unit left and no staff role, they
    left the estate then (the retention sweep forgets them once its time has passed).
    True when they left the estate."""
    await conn.send("DELETE FROM residencies WHERE user_id = ? AND unit_id = ?",
                    (user_id, unit_id_))
    cur = await conn.execute(
        "UPDATE people SET left_at = coalesce(left_at, ?) WHERE user_id = ? "
        "AND (role IS NULL OR role = 'resident') AND NOT EXISTS "
        "(SELECT 1 FROM residencies r WHERE r.user_id = people.user_id)",
        (to_db_time(now), user_id))
    return cur.rowcount == 1
