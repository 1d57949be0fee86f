"""Renovation permits (裝修管理): applications, their photos and every step of each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from storage.db import Connection, db_time, to_db_time
from storage.exact import MONEY


@dataclass(frozen=True)
class Renovation:
    id: int
    ref: str
    resident_id: int
    unit_id: int
    scopes: tuple[str, ...]
    details: str
    works: tuple[str, ...]  # structure, walls, plumbing, electrics: what needs a review
    start_date: str
    end_date: str
    contractor: str
    state: str
    review: str | None  # approved, refused, changes (None: none given yet)
    fee: Decimal | None
    deposit: Decimal | None
    receipt: str | None
    created_at: datetime
    version: int


_SELECT = ("SELECT id, ref, resident_id, unit_id, scopes, details, works, start_date, end_date, "
           "contractor, state, review, fee, deposit, receipt, created_at, version "
           "FROM renovations")


def _renovation(r) -> Renovation:
    return Renovation(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), r[5],
                      tuple(json.loads(r[6])), r[7], r[8], r[9], r[10], r[11], MONEY.from_db(r[12]),
                      MONEY.from_db(r[13]), r[14], db_time(r[15]), r[16])


async def add(conn: Connection, ref: str, resident_id: int, unit_id: int, scopes: list[str],
              details: str, works: list[str], start_date: str, end_date: str, contractor: str,
              state: str, now: datetime) -> int:
    cur = await conn.execute(
        "INSERT INTO renovations (ref, resident_id, unit_id, scopes, details, works, "
        "start_date, end_date, contractor, state, created_at) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ref, resident_id, unit_id, json.dumps(scopes), details, json.dumps(works), start_date,
         end_date, contractor, state, to_db_time(now)))
    return cur.lastrowid


async def get(conn: Connection, renovation_id: int) -> Renovation | None:
    row = await (await conn.execute(f"{_SELECT} WHERE id = ?", (renovation_id,))).fetchone()
    return _renovation(row) if row else None


async def update(conn: Connection, renovation_id: int, version: int, **fields) -> bool:
    """Compare-and-set on the version: a second clerk on the same card changes nothing."""
    fields = {k: MONEY.to_db(v) if k in ("fee", "deposit") else v for k, v in fields.items()}
    sets = ", ".join(f"{k} = ?" for k in fields)
    cur = await conn.execute(
        f"UPDATE renovations SET {sets}, version = version + 1 WHERE id = ? AND version = ?",
        (*fields.values(), renovation_id, version))
    return cur.rowcount == 1


async def event(conn: Connection, renovation_id: int, now: datetime, actor_id: int | None,
                action: str, note: str = "") -> None:
    await conn.send("INSERT INTO renovation_events (renovation_id, at, actor_id, action, "
                       "note) VALUES (?, ?, ?, ?, ?)",
                       (renovation_id, to_db_time(now), actor_id, action, note))


async def add_photos(conn: Connection, renovation_id: int, stage: str,
                     file_ids: list[str]) -> None:
    await conn.executemany("INSERT INTO renovation_photos (renovation_id, stage, position, "
                           "file_id) VALUES (?, ?, ?, ?)",
                           [(renovation_id, stage, i, f) for i, f in enumerate(file_ids)])


async def photos(conn: Connection, renovation_id: int, stage: str) -> list[str]:
    cur = await conn.execute("SELECT file_id FROM renovation_photos WHERE renovation_id = ? "
                             "AND stage = ? ORDER BY position", (renovation_id, stage))
    return [r[0] for r in await cur.fetchall()]


async def active_in_building(conn: Connection, building: str, day: str) -> list[Renovation]:
    """Permits of the building in force that day (for a neighbour's noise complaint)."""
    cur = await conn.execute(
        f"{_SELECT} WHERE state IN ('approved', 'inspection', 'failed') AND start_date <= ? "
        "AND end_date >= ? AND unit_id IN (SELECT id FROM units WHERE building = ?) "
        "ORDER BY id", (day, day, building))
    return [_renovation(r) for r in await cur.fetchall()]


async def next_sequence(conn: Connection, year: int) -> int:
    await conn.send("INSERT INTO sequences (kind, year, last) VALUES ('RN', ?, 1) "
                       "ON CONFLICT(kind, year) DO UPDATE SET last = sequences.last + 1", (year,))
    row = await (await conn.execute("SELECT last FROM sequences WHERE kind = 'RN' AND year = ?",
                                    (year,))).fetchone()
    return row[0]


async def of_resident(conn: Connection, resident_id: int) -> list[Renovation]:
    cur = await conn.execute(f"{_SELECT} WHERE resident_id = ? ORDER BY id DESC", (resident_id,))
    return [_renovation(r) for r in await cur.fetchall()]


async def notes(conn: Connection, renovation_id: int, action: str) -> list[str]:
    """The notes of one kind of step (such as each amendment's words), oldest first."""
    cur = await conn.execute("SELECT note FROM renovation_events WHERE renovation_id = ? AND "
                             "action = ? ORDER BY id", (renovation_id, action))
    return [r[0] for r in await cur.fetchall()]
