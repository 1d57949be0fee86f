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
    reference: str = ""  # what a one-off bill is for, such as a renovation's reference


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
    recorded_by: int | None = None  # who wrote it: the cashier, or the manager reversing
    day: str | None = None  # the cashier's day it counts in (None: older, the day of `at`)
    bill_id: int | None = None  # the bill behind it
    payer: str = ""


@dataclass(frozen=True)
class DayClose:
    day: str
    cashier_id: int
    at: datetime


_BILL = "SELECT id, unit_id, period, item, amount, due_date, reference FROM bills"
_PAYMENT = ("SELECT id, unit_id, amount, method, receipt, cashier_id, at, reverses, reason, "
            "recorded_by, day, bill_id, payer FROM payments")


def _payment(r) -> Payment:
    return Payment(r[0], r[1], MONEY.of(r[2]), r[3], r[4], r[5], db_time(r[6]), r[7], r[8],
                   r[9], r[10], r[11], r[12])


def _bill(r) -> Bill:
    return Bill(r[0], r[1], r[2], r[3], MONEY.of(r[4]), r[5], r[6])


async def add_bill(conn: Connection, unit_id: int, period: str, item: str, amount: Decimal,
                   due_date: str, reference: str = "") -> bool:
    """False when the unit already has that item for the period (a bill is issued once)."""
    return await issue_bill(conn, unit_id, period, item, amount, due_date,
                            reference) is not None


async def issue_bill(conn: Connection, unit_id: int, period: str, item: str, amount: Decimal,
                     due_date: str, reference: str = "") -> int | None:
    """The new bill's id; None when the unit already has that item for the period."""
    row = await (await conn.execute(
        "INSERT INTO bills (unit_id, period, item, amount, due_date, reference) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        (unit_id, period, item, MONEY.to_db(amount), due_date, reference))).fetchone()
    return row[0] if row else None


async def bill(conn: Connection, bill_id: int) -> Bill | None:
    row = await (await conn.execute(f"{_BILL} WHERE id = ?", (bill_id,))).fetchone()
    return _bill(row) if row else None


async def bills_of(conn: Connection, unit_id: int) -> list[Bill]:
    cur = await conn.execute(f"{_BILL} WHERE unit_id = ? ORDER BY due_date, id", (unit_id,))
    return [_bill(r) for r in await cur.fetchall()]


async def paid_by(conn: Connection, unit_id: int) -> Decimal:
    row = await (await conn.execute("SELECT coalesce(sum(amount), 0) FROM payments WHERE "
                                    "unit_id = ?", (unit_id,))).fetchone()
    return MONEY.of(row[0])


async def add_payment(conn: Connection, unit_id: int, amount: Decimal, method: str, receipt: str,
                      cashier_id: int, now: datetime, reverses: int | None = None,
                      reason: str = "", recorded_by: int | None = None, *,
                      day: str | None = None, bill_id: int | None = None, payer: str = "",
                      receipt_key: str | None = None) -> int:
    """`cashier_id` is whose drawer it counts in; `recorded_by` who wrote it (a manager, for
    a reversal); `day` the cashier's day it counts in; `receipt_key` unique in the estate
    (the database refuses a second payment with it)."""
    cur = await conn.execute(
        "INSERT INTO payments (unit_id, amount, method, receipt, cashier_id, at, reverses, "
        "reason, recorded_by, day, bill_id, payer, receipt_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (unit_id, MONEY.to_db(amount), method, receipt, cashier_id, to_db_time(now), reverses,
         reason, recorded_by if recorded_by is not None else cashier_id, day, bill_id, payer,
         receipt_key))
    return cur.lastrowid


async def payment_with_receipt(conn: Connection, receipt_key: str) -> Payment | None:
    row = await (await conn.execute(f"{_PAYMENT} WHERE receipt_key = ?",
                                    (receipt_key,))).fetchone()
    return _payment(row) if row else None


async def payments_of_days(conn: Connection, first: str, last: str, start: datetime,
                           end: datetime, cashier_id: int | None = None) -> list[Payment]:
    """The payments counted in the days `first`..`last` (older ones, without a day, by their
    time between `start` and `end`)."""
    sql = (f"{_PAYMENT} WHERE (day >= ? AND day <= ? OR day IS NULL AND at >= ? AND at < ?)")
    args: list = [first, last, to_db_time(start), to_db_time(end)]
    if cashier_id is not None:
        sql += " AND cashier_id = ?"
        args.append(cashier_id)
    cur = await conn.execute(sql + " ORDER BY id", args)
    return [_payment(r) for r in await cur.fetchall()]


async def paid_toward(conn: Connection, unit_id: int, reference: str,
                      items: tuple[str, ...]) -> Decimal:
    """What stands paid (reversals taken off) on a unit's bills of these items under one
    reference (a renovation's fee and deposit)."""
    marks = ", ".join("?" for _ in items)
    row = await (await conn.execute(
        "SELECT COALESCE(SUM(p.amount), 0) FROM payments p JOIN bills b ON b.id = p.bill_id "
        f"WHERE b.unit_id = ? AND b.reference = ? AND b.item IN ({marks})",
        (unit_id, reference, *items))).fetchone()
    return MONEY.of(row[0])


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
                    now: datetime, *, card: Decimal = Decimal(0),
                    card_recorded: Decimal = Decimal(0), cheque: Decimal = Decimal(0),
                    cheque_recorded: Decimal = Decimal(0)) -> bool:
    """False when that cashier already closed that day."""
    cur = await conn.execute(
        "INSERT INTO day_closes (day, cashier_id, cash_counted, transfer_counted, "
        "cash_recorded, transfer_recorded, explanation, at, card_counted, card_recorded, "
        "cheque_counted, cheque_recorded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (day, cashier_id, *(MONEY.to_db(v) for v in (cash, transfer, cash_recorded,
                                                     transfer_recorded)),
         explanation, to_db_time(now),
         *(MONEY.to_db(v) for v in (card, card_recorded, cheque, cheque_recorded))))
    return cur.rowcount == 1


async def close_of(conn: Connection, day: str, cashier_id: int) -> DayClose | None:
    row = await (await conn.execute("SELECT day, cashier_id, at FROM day_closes WHERE day = ? "
                                    "AND cashier_id = ?", (day, cashier_id))).fetchone()
    return DayClose(row[0], row[1], db_time(row[2])) if row else None


async def unclosed_days(conn: Connection, cashier_id: int, before: str) -> list[tuple[str, int]]:
    """The cashier's days before `before` with payments counted in them and no close: each
    day and how many payments."""
    cur = await conn.execute(
        "SELECT p.day, count(*) FROM payments p WHERE p.cashier_id = ? AND p.day < ? AND NOT "
        "EXISTS (SELECT 1 FROM day_closes c WHERE c.day = p.day AND c.cashier_id = p.cashier_id) "
        "GROUP BY p.day ORDER BY p.day", (cashier_id, before))
    return [(r[0], r[1]) for r in await cur.fetchall()]


async def closed_days(conn: Connection, cashier_id: int, since: str) -> set[str]:
    """The days from `since` on that the cashier has closed."""
    cur = await conn.execute("SELECT day FROM day_closes WHERE cashier_id = ? AND day >= ?",
                             (cashier_id, since))
    return {r[0] for r in await cur.fetchall()}


async def bills_due(conn: Connection, due_until: str, column: str,
                    due_from: str = "") -> list[Bill]:
    """Bills due by that day (and from `due_from` on) whose reminder (or overdue notice) was
    not sent yet."""
    assert column in ("reminded_at", "overdue_at")
    cur = await conn.execute(f"{_BILL} WHERE due_date <= ? AND due_date >= ? AND {column} IS "
                             "NULL ORDER BY unit_id, due_date, id", (due_until, due_from))
    return [_bill(r) for r in await cur.fetchall()]


async def mark_bill(conn: Connection, bill_id: int, column: str, now: datetime) -> bool:
    assert column in ("reminded_at", "overdue_at")
    cur = await conn.execute(f"UPDATE bills SET {column} = ? WHERE id = ? AND {column} IS NULL",
                             (to_db_time(now), bill_id))
    return cur.rowcount == 1


async def billed_between(conn: Connection, first: str, last: str) -> list[Bill]:
    """The bills of the months `first`..`last` (a one-off bill's period is its day)."""
    cur = await conn.execute(f"{_BILL} WHERE substr(period, 1, 7) >= ? AND substr(period, 1, 7) "
                             "<= ? ORDER BY period, id", (first, last))
    return [_bill(r) for r in await cur.fetchall()]
