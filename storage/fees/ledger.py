"""Bills, payments and day closes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from storage.db import Connection, db_time, to_db_time
from storage.exact import MONEY


@dataclass(frozen=True)
class Bill:
    id: int
    unit_id: int
    period: str
    item: str
    amount: Decimal
    due_date: str


@dataclass(frozen=True)
class Payment:
    id: int
    unit_id: int
    amount: Decimal  # a reversal is negative
    method: str
    receipt: str
    cashier_id: int
    at: datetime
    reverses: int | None
    reason: str


_BILL = "SELECT id, unit_id, period, item, amount, due_date FROM bills"
_PAYMENT = ("SELECT id, unit_id, amount, method, receipt, cashier_id, at, reverses, reason "
            "FROM payments")


def _payment(r) -> Payment:
    return Payment(r[0], r[1], MONEY.of(r[2]), r[3], r[4], r[5], db_time(r[6]), r[7], r[8])


def _bill(r) -> Bill:
    return Bill(r[0], r[1], r[2], r[3], MONEY.of(r[4]), r[5])


async def add_bill(conn: Connection, unit_id: int, period: str, item: str, amount: Decimal,
                   due_date: str) -> bool:
    """False when the unit already has that item for the period (a bill is issued once)."""
    cur = await conn.execute("INSERT INTO bills (unit_id, period, item, amount, due_date) "
                             "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                             (unit_id, period, item, MONEY.to_db(amount), due_date))
    return cur.rowcount == 1


async def bills_of(conn: Connection, unit_id: int) -> list[Bill]:
    cur = await conn.execute(f"{_BILL} WHERE unit_id = ? ORDER BY due_date, id", (unit_id,))
    return [_bill(r) for r in await cur.fetchall()]


async def paid_by(conn: Connection, unit_id: int) -> Decimal:
    row = await (await conn.execute("SELECT coalesce(sum(amount), 0) FROM payments WHERE "
                                    "unit_id = ?", (unit_id,))).fetchone()
    return MONEY.of(row[0])


async def add_payment(conn: Connection, unit_id: int, amount: Decimal, method: str, receipt: str,
                      cashier_id: int, now: datetime, reverses: int | None = None,
                      reason: str = "", recorded_by: int | None = None) -> int:
    """`cashier_id` is whose drawer it counts in; `recorded_by` who wrote it (a manager, for
    a reversal)."""
    cur = await conn.execute(
        "INSERT INTO payments (unit_id, amount, method, receipt, cashier_id, at, reverses, "
        "reason, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (unit_id, MONEY.to_db(amount), method, receipt, cashier_id, to_db_time(now), reverses,
         reason,
         recorded_by if recorded_by is not None else cashier_id))
    return cur.lastrowid


async def payment(conn: Connection, payment_id: int) -> Payment | None:
    row = await (await conn.execute(f"{_PAYMENT} WHERE id = ?", (payment_id,))).fetchone()
    return _payment(row) if row else None


async def reversal_of(conn: Connection, payment_id: int) -> Payment | None:
    row = await (await conn.execute(f"{_PAYMENT} WHERE reverses = ?", (payment_id,))).fetchone()
    return _payment(row) if row else None


async def payments_between(conn: Connection, start: datetime, end: datetime,
                           cashier_id: int | None = None) -> list[Payment]:
    sql = f"{_PAYMENT} WHERE at >= ? AND at < ?"
    args: list = [to_db_time(start), to_db_time(end)]
    if cashier_id is not None:
        sql += " AND cashier_id = ?"
        args.append(cashier_id)
    cur = await conn.execute(sql + " ORDER BY id", args)
    return [_payment(r) for r in await cur.fetchall()]


async def add_close(conn: Connection, day: str, cashier_id: int, cash: Decimal,
                    transfer: Decimal, cash_recorded: Decimal, transfer_recorded: Decimal,
                    explanation: str,
                    now: datetime) -> bool:
    """False when that cashier already closed that day."""
    cur = await conn.execute(
        "INSERT INTO day_closes (day, cashier_id, cash_counted, transfer_counted, "
        "cash_recorded, transfer_recorded, explanation, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (day, cashier_id, *(MONEY.to_db(v) for v in (cash, transfer, cash_recorded,
                                                     transfer_recorded)),
         explanation, to_db_time(now)))
    return cur.rowcount == 1


async def bills_due(conn: Connection, due_until: str, column: str) -> list[Bill]:
    """Bills due by that day whose reminder (or overdue notice) was not sent yet."""
    assert column in ("reminded_at", "overdue_at")
    cur = await conn.execute(f"{_BILL} WHERE due_date <= ? AND {column} IS NULL ORDER BY id",
                             (due_until,))
    return [_bill(r) for r in await cur.fetchall()]


async def mark_bill(conn: Connection, bill_id: int, column: str, now: datetime) -> bool:
    assert column in ("reminded_at", "overdue_at")
    cur = await conn.execute(f"UPDATE bills SET {column} = ? WHERE id = ? AND {column} IS NULL",
                             (to_db_time(now), bill_id))
    return cur.rowcount == 1


async def billed_between(conn: Connection, first: str, last: str) -> list[Bill]:
    cur = await conn.execute(f"{_BILL} WHERE period >= ? AND period <= ? ORDER BY period, id",
                             (first, last))
    return [_bill(r) for r in await cur.fetchall()]
