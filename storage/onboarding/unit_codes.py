"""A unit's joining code (the office's printed sheet): kept as its SHA-256 only, one live
code a unit (a new one replaces it), admitting up to `uses` people until it expires; and who
joined by it, on which chat account."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from storage.db import Connection, from_db_time, to_db_time
from storage.records import Account


@dataclass(frozen=True)
class UnitCode:
    """A code as stored: never the code itself."""
    id: int
    unit_id: int
    uses: int  # people it admits
    used: int  # people it admitted
    expires_at: datetime
    replaced: bool  # a newer code of the unit replaced it


def code_key(code: str) -> str:
    """How a unit's code is kept: its SHA-256, never the code (printed once)."""
    return hashlib.sha256(f"unit:{code}".encode()).hexdigest()


async def replace(conn: Connection, unit_id: int, code: str, uses: int, now: datetime,
                  expires_at: datetime) -> bool:
    """The unit's new code (its earlier one stops working); False when another unit's code
    has the same hash (the caller draws another)."""
    cur = await conn.execute(
        "INSERT INTO unit_codes (unit_id, code, uses, created_at, expires_at) SELECT ?, ?, ?, "
        "?, ? WHERE NOT EXISTS (SELECT 1 FROM unit_codes WHERE code = ?)",
        (unit_id, code_key(code), uses, to_db_time(now), to_db_time(expires_at),
         code_key(code)))
    return cur.rowcount == 1


async def retire(conn: Connection, unit_id: int, now: datetime) -> None:
    """The unit's live code replaced (before its new one is written: one live a unit)."""
    await conn.send("UPDATE unit_codes SET replaced_at = ? WHERE unit_id = ? AND "
                    "replaced_at IS NULL", (to_db_time(now), unit_id))


async def find(conn: Connection, code: str) -> UnitCode | None:
    row = await (await conn.execute(
        "SELECT id, unit_id, uses, used, expires_at, replaced_at IS NOT NULL FROM unit_codes "
        "WHERE code = ?", (code_key(code),))).fetchone()
    if row is None:
        return None
    return UnitCode(row[0], row[1], row[2], row[3], cast(datetime, from_db_time(row[4])),
                    bool(row[5]))


async def take_use(conn: Connection, code_id: int, now: datetime) -> bool:
    """One more person admitted by the code; False when it has none left, or expired or
    was replaced meanwhile."""
    cur = await conn.execute(
        "UPDATE unit_codes SET used = used + 1 WHERE id = ? AND used < uses AND "
        "replaced_at IS NULL AND expires_at > ?", (code_id, to_db_time(now)))
    return cur.rowcount == 1


async def record_use(conn: Connection, code_id: int, person_id: int, account: Account,
                     now: datetime) -> None:
    await conn.send(
        "INSERT INTO unit_code_uses (code_id, person_id, channel, external_id, used_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (code_id, person_id, account.channel, account.external_id, to_db_time(now)))


async def lives_in(conn: Connection, person_id: int, unit_id: int) -> bool:
    row = await (await conn.execute(
        "SELECT 1 FROM residencies WHERE user_id = ? AND unit_id = ?",
        (person_id, unit_id))).fetchone()
    return row is not None
