"""The storeroom (庫房): the materials catalogue with its stock, every movement of stock, and
the labour rate of each trade."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from storage.db import Connection, db_time, to_db_time
from storage.exact import MONEY, QUANTITY


@dataclass(frozen=True)
class Material:
    id: int
    code: str
    name: str
    unit: str
    unit_price: Decimal
    stock: Decimal
    minimum: Decimal

    @property
    def low(self) -> bool:
        return self.stock < self.minimum


@dataclass(frozen=True)
class Shortfall:
    """What a job used beyond the stock held, until the storekeeper resolves it."""
    id: int
    material: Material
    ticket_ref: str | None
    ticket_id: int | None
    quantity: Decimal
    at: datetime


@dataclass(frozen=True)
class Movement:
    material: str  # its code
    name: str
    at: datetime
    change: Decimal
    kind: str  # issue, receipt, import
    ticket_ref: str | None
    note: str


_SELECT = "SELECT id, code, name, unit, unit_price, stock, minimum FROM materials"


def _material(r) -> Material:
    return Material(r[0], r[1], r[2], r[3], MONEY.of(r[4]), QUANTITY.of(r[5]),
                    QUANTITY.of(r[6]))


async def upsert(conn: Connection, code: str, name: str, unit: str, unit_price: Decimal,
                 minimum: Decimal) -> tuple[int, bool]:
    """Adds or updates (by code) an item; its stock moves only by recorded movements.
    Returns its id and whether it was new."""
    known = await by_code(conn, code)
    if known is None:
        cur = await conn.execute(
            "INSERT INTO materials (code, name, unit, unit_price, minimum) VALUES (?, ?, ?, ?, ?)",
            (code, name, unit, MONEY.to_db(unit_price), QUANTITY.to_db(minimum)))
        return cur.lastrowid, True
    await conn.send("UPDATE materials SET name = ?, unit = ?, unit_price = ?, minimum = ?, "
                       "active = 1 WHERE id = ?", (name, unit, MONEY.to_db(unit_price),
                                                   QUANTITY.to_db(minimum), known.id))
    return known.id, False


def code_key(text: str) -> str:
    """A code as typed, the way it is compared: 'k10', 'Ｋ１０' and ' K10 ' are K10."""
    return unicodedata.normalize("NFKC", text).strip().upper()


async def by_code(conn: Connection, code: str) -> Material | None:
    row = await (await conn.execute(f"{_SELECT} WHERE upper(code) = ?",
                                    (code_key(code),))).fetchone()
    return _material(row) if row else None


async def get(conn: Connection, material_id: int, active: bool = True) -> Material | None:
    row = await (await conn.execute(f"{_SELECT} WHERE id = ?" + (" AND active = 1" if active
                                                                   else ""),
                                    (material_id,))).fetchone()
    return _material(row) if row else None


async def catalogue(conn: Connection) -> list[Material]:
    cur = await conn.execute(f"{_SELECT} WHERE active = 1 ORDER BY code")
    return [_material(r) for r in await cur.fetchall()]


async def most_used(conn: Connection, trade: str, limit: int) -> list[Material]:
    """The items most issued for jobs of this trade, then the rest by code."""
    cur = await conn.execute(
        f"{_SELECT} m WHERE active = 1 ORDER BY (SELECT count(*) FROM visit_materials v "
        "JOIN tickets t ON t.id = v.ticket_id WHERE v.material_id = m.id AND t.category = ?) "
        "DESC, code LIMIT ?", (trade, limit))
    return [_material(r) for r in await cur.fetchall()]


async def find(conn: Connection, text: str) -> Material | None:
    """By code, else by a name that starts so (case-insensitive), if only one does."""
    found = await by_code(conn, text)
    if found is not None:
        return found
    cur = await conn.execute(f"{_SELECT} WHERE active = 1 AND lower(name) LIKE ? ESCAPE '\\' "
                             "LIMIT 2", (_prefix(text.lower()),))
    rows = await cur.fetchall()
    return _material(rows[0]) if len(rows) == 1 else None


def _prefix(text: str) -> str:
    """A LIKE pattern for text as typed: its own % and _ are not wildcards."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


async def low_told(conn: Connection, material_id: int, when: datetime | None) -> None:
    """When the storekeeper was last told the item is under its minimum (None: not since it
    was last back at its minimum)."""
    await conn.send("UPDATE materials SET low_told_at = ? WHERE id = ?",
                       (to_db_time(when) if when else None, material_id))


async def was_told_low(conn: Connection, material_id: int) -> bool:
    row = await (await conn.execute("SELECT low_told_at FROM materials WHERE id = ?",
                                    (material_id,))).fetchone()
    return bool(row and row[0])


async def add_shortfall(conn: Connection, material_id: int, ticket_id: int | None,
                        quantity: Decimal, now: datetime, actor_id: int | None) -> int:
    cur = await conn.execute(
        "INSERT INTO stock_shortfalls (material_id, ticket_id, quantity, at, actor_id) "
        "VALUES (?, ?, ?, ?, ?)",
        (material_id, ticket_id, QUANTITY.to_db(quantity), to_db_time(now), actor_id))
    return cur.lastrowid


_SHORTFALLS = ("SELECT s.id, s.quantity, s.at, t.ref, s.ticket_id, m.id, m.code, m.name, m.unit, "
               "m.unit_price, m.stock, m.minimum "
               "FROM stock_shortfalls s JOIN materials m ON m.id = s.material_id "
               "LEFT JOIN tickets t ON t.id = s.ticket_id WHERE NOT EXISTS (SELECT 1 FROM "
               "shortfall_resolutions r WHERE r.shortfall_id = s.id)")


def _shortfall(r) -> Shortfall:
    return Shortfall(r[0], _material(r[5:]), r[3], r[4], QUANTITY.of(r[1]), db_time(r[2]))


async def open_shortfalls(conn: Connection) -> list[Shortfall]:
    cur = await conn.execute(f"{_SHORTFALLS} ORDER BY s.id")
    return [_shortfall(r) for r in await cur.fetchall()]


async def open_shortfall(conn: Connection, shortfall_id: int) -> Shortfall | None:
    row = await (await conn.execute(f"{_SHORTFALLS} AND s.id = ?", (shortfall_id,))).fetchone()
    return _shortfall(row) if row else None


async def resolve_shortfall(conn: Connection, shortfall_id: int, how: str, note: str,
                            now: datetime, actor_id: int | None) -> bool:
    """False when it was resolved already (its resolution is never overwritten)."""
    cur = await conn.execute(
        "INSERT INTO shortfall_resolutions (shortfall_id, how, note, at, actor_id) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (shortfall_id) DO NOTHING",
        (shortfall_id, how, note, to_db_time(now), actor_id))
    return cur.rowcount == 1


async def resolution(conn: Connection,
                     shortfall_id: int) -> tuple[str, datetime, int | None] | None:
    """How, when and by whom (None: the command line) a shortfall was resolved, if it was."""
    row = await (await conn.execute(
        "SELECT how, at, actor_id FROM shortfall_resolutions WHERE shortfall_id = ?",
        (shortfall_id,))).fetchone()
    return (row[0], db_time(row[1]), row[2]) if row else None


async def move(conn: Connection, material_id: int, change: Decimal, kind: str, now: datetime,
               actor_id: int | None, ticket_id: int | None = None, note: str = "") -> Material:
    """Stock in or out, recorded; returns the item as it now stands."""
    await conn.send("UPDATE materials SET stock = stock + ? WHERE id = ?",
                       (QUANTITY.to_db(change), material_id))
    await conn.send(
        "INSERT INTO stock_moves (material_id, at, change, kind, ticket_id, actor_id, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (material_id, to_db_time(now), QUANTITY.to_db(change), kind, ticket_id, actor_id,
         note))
    found = await (await conn.execute(f"{_SELECT} WHERE id = ?", (material_id,))).fetchone()
    return _material(found)


async def movements(conn: Connection, start: datetime, end: datetime) -> list[Movement]:
    cur = await conn.execute(
        "SELECT m.code, m.name, s.at, s.change, s.kind, t.ref, s.note FROM stock_moves s "
        "JOIN materials m ON m.id = s.material_id LEFT JOIN tickets t ON t.id = s.ticket_id "
        "WHERE s.at >= ? AND s.at < ? ORDER BY s.id", (to_db_time(start), to_db_time(end)))
    return [Movement(r[0], r[1], db_time(r[2]), QUANTITY.of(r[3]), r[4], r[5], r[6])
            for r in await cur.fetchall()]


async def set_rate(conn: Connection, trade: str, hourly: Decimal | int) -> None:
    await conn.send("INSERT INTO labour_rates (trade, hourly) VALUES (?, ?) "
                       "ON CONFLICT(trade) DO UPDATE SET hourly = excluded.hourly",
                       (trade, MONEY.to_db(hourly)))


async def rate(conn: Connection, trade: str) -> Decimal:
    row = await (await conn.execute("SELECT hourly FROM labour_rates WHERE trade = ?",
                                    (trade,))).fetchone()
    return MONEY.of(row[0] if row else 0)


async def rates(conn: Connection) -> dict[str, Decimal]:
    cur = await conn.execute("SELECT trade, hourly FROM labour_rates ORDER BY trade")
    return {r[0]: MONEY.of(r[1]) for r in await cur.fetchall()}
