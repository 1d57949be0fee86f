"""Units' sales status (房號管理), the developer's inventory of units for sale (apart from the
roster of occupied homes), and the reservation payments that hold them: a unique index keeps
one live reservation a unit, so that of two recorded at once the second fails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from storage.db import Connection, from_db_time, to_db_time
from storage.exact import MONEY, QUANTITY
from storage.records import Unit

AVAILABLE, RESERVED, CONTRACTED = "available", "reserved", "contracted"
PENDING, VERIFIED, VOID = "pending", "verified", "void"


@dataclass(frozen=True)
class ForSale:
    """A unit of the developer's inventory: its area (as the developer lists it), its price
    and its sales status."""
    unit: Unit
    area: Decimal
    price: Decimal
    status: str


@dataclass(frozen=True)
class Reservation:
    id: int
    unit: Unit
    buyer: str
    amount: Decimal
    receipt: str
    recorded_by: int
    recorded_at: datetime
    state: str
    decided_by: int | None
    decided_at: datetime | None


_RESERVATION = ("SELECT r.id, u.id, u.building, u.unit, r.buyer, r.amount, r.receipt, "
                "r.recorded_by, r.recorded_at, r.state, r.decided_by, r.decided_at "
                "FROM reservations r JOIN units u ON u.id = r.unit_id")


def _reservation(r) -> Reservation:
    at = from_db_time(r[8])
    assert at is not None
    return Reservation(r[0], Unit(r[1], r[2], r[3]), r[4], MONEY.of(r[5]), r[6], r[7], at, r[9],
                       r[10], from_db_time(r[11]))


async def status(conn: Connection, unit_id: int) -> str:
    row = await (await conn.execute("SELECT status FROM unit_sales WHERE unit_id = ?",
                                    (unit_id,))).fetchone()
    return row[0] if row else AVAILABLE


async def set_status(conn: Connection, unit_id: int, new: str, now: datetime,
                     only_from: tuple[str, ...] | None = None) -> bool:
    """Compare-and-set when `only_from` is given (a unit never named is available)."""
    if only_from is not None and await status(conn, unit_id) not in only_from:
        return False
    await conn.send(
        "INSERT INTO unit_sales (unit_id, status, changed_at) VALUES (?, ?, ?) "
        "ON CONFLICT(unit_id) DO UPDATE SET status = excluded.status, "
        "changed_at = excluded.changed_at", (unit_id, new, to_db_time(now)))
    return True


async def statuses(conn: Connection) -> list[ForSale]:
    """The inventory, each unit with its status (a unit never named is available)."""
    cur = await conn.execute(
        "SELECT u.id, u.building, u.unit, i.area, i.price, COALESCE(s.status, ?) "
        "FROM sale_units i JOIN units u ON u.id = i.unit_id "
        "LEFT JOIN unit_sales s ON s.unit_id = u.id ORDER BY u.building, u.unit", (AVAILABLE,))
    return [ForSale(Unit(r[0], r[1], r[2]), QUANTITY.of(r[3]), MONEY.of(r[4]), r[5])
            for r in await cur.fetchall()]


async def for_sale(conn: Connection, unit_id: int) -> bool:
    """True for a unit of the developer's inventory."""
    row = await (await conn.execute("SELECT 1 FROM sale_units WHERE unit_id = ?",
                                    (unit_id,))).fetchone()
    return row is not None


async def held(conn: Connection, unit_id: int) -> tuple[bool, bool, bool]:
    """Whether a unit is in the inventory, held by a live reservation, and sold under a
    contract of the buyers' register (what an import of the inventory must not undo)."""
    row = await (await conn.execute(
        "SELECT (SELECT COUNT(*) FROM sale_units WHERE unit_id = ?), "
        "(SELECT COUNT(*) FROM reservations WHERE unit_id = ? AND state IN (?, ?)), "
        "(SELECT COUNT(*) FROM buyers WHERE unit_id = ?)",
        (unit_id, unit_id, PENDING, VERIFIED, unit_id))).fetchone()
    return bool(row[0]), bool(row[1]), bool(row[2])


async def put_for_sale(conn: Connection, unit_id: int, area: Decimal, price: Decimal,
                       now: datetime) -> None:
    await conn.send(
        "INSERT INTO sale_units (unit_id, area, price, imported_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(unit_id) DO UPDATE SET area = excluded.area, price = excluded.price, "
        "imported_at = excluded.imported_at",
        (unit_id, QUANTITY.to_db(area), MONEY.to_db(price), to_db_time(now)))


async def add_reservation(conn: Connection, unit_id: int, buyer: str, amount: Decimal,
                          receipt: str, recorded_by: int, now: datetime) -> int | None:
    """None when the unit already has a live reservation."""
    cur = await conn.execute(
        "INSERT INTO reservations (unit_id, buyer, amount, receipt, recorded_by, recorded_at, "
        "state) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (unit_id, buyer, MONEY.to_db(amount), receipt, recorded_by, to_db_time(now), PENDING))
    return cur.lastrowid if cur.rowcount == 1 else None


async def live_of_unit(conn: Connection, unit_id: int) -> Reservation | None:
    row = await (await conn.execute(f"{_RESERVATION} WHERE r.unit_id = ? AND r.state IN (?, ?)",
                                    (unit_id, PENDING, VERIFIED))).fetchone()
    return _reservation(row) if row else None


async def get(conn: Connection, reservation_id: int) -> Reservation | None:
    row = await (await conn.execute(f"{_RESERVATION} WHERE r.id = ?",
                                    (reservation_id,))).fetchone()
    return _reservation(row) if row else None


async def decide(conn: Connection, reservation_id: int, new: str, decided_by: int,
                 now: datetime) -> bool:
    cur = await conn.execute(
        "UPDATE reservations SET state = ?, decided_by = ?, decided_at = ? "
        "WHERE id = ? AND state = ?", (new, decided_by, to_db_time(now), reservation_id, PENDING))
    return cur.rowcount == 1


async def recorded_between(conn: Connection, start: datetime,
                           end: datetime) -> list[Reservation]:
    cur = await conn.execute(f"{_RESERVATION} WHERE r.recorded_at >= ? AND r.recorded_at < ? "
                             "ORDER BY r.id", (to_db_time(start), to_db_time(end)))
    return [_reservation(r) for r in await cur.fetchall()]


async def changed_between(conn: Connection, start: datetime,
                          end: datetime) -> list[tuple[Unit, str]]:
    cur = await conn.execute(
        "SELECT u.id, u.building, u.unit, s.status FROM unit_sales s JOIN units u "
        "ON u.id = s.unit_id WHERE s.changed_at >= ? AND s.changed_at < ? "
        "ORDER BY u.building, u.unit", (to_db_time(start), to_db_time(end)))
    return [(Unit(r[0], r[1], r[2]), r[3]) for r in await cur.fetchall()]


async def note_report(conn: Connection, day: str, now: datetime) -> bool:
    """True the first time the day's sales report is sent."""
    cur = await conn.execute("INSERT INTO sales_reports (day, sent_at) VALUES (?, ?) "
                             "ON CONFLICT DO NOTHING", (day, to_db_time(now)))
    return cur.rowcount == 1


async def report_sent(conn: Connection, day: str) -> bool:
    row = await (await conn.execute("SELECT 1 FROM sales_reports WHERE day = ?",
                                    (day,))).fetchone()
    return row is not None
