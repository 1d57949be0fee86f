"""Fee collection (收費管理, §4.8). Bills per unit and period, from the price list (the
settings, clearly priced) or imported; a resident sees their statement (/fees) and is
reminded before the due date and when overdue, never in quiet hours. The cashier records
each payment (the bot moves no money); a payment is never deleted, only reversed by a
manager with a reason. The cashier closes each day with the cash and transfers counted (日收
日清): a difference must be explained, and the manager gets the day's summary; a large
payment is reported to the manager the same day (日收日報)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from storage import outbox, people, roster
from storage.db import Connection, Database
from storage.fees import ledger
from storage.fees.ledger import Bill, Payment
from storage.records import Unit
from workflow import access, dates, numbers, roles, tables, units
from workflow import tickets as machine
from workflow.settings import EstateSettings

METHODS = ("cash", "transfer", "card")
MAX_AMOUNT = Decimal(10_000_000)
BILL_COLUMNS = ("building", "unit", "period", "item", "amount", "due")
Refusal = machine.Refusal


class Unexplained(Exception):
    """The counted totals differ from the recorded payments, and no reason was given."""

    def __init__(self, cash: Decimal, transfer: Decimal) -> None:
        super().__init__("difference")
        self.cash, self.transfer = cash, transfer


@dataclass(frozen=True)
class Statement:
    unit: Unit
    bills: list[Bill]
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return sum((b.amount for b in self.bills), Decimal(0)) - self.paid


async def bill_month(db: Database, settings: EstateSettings, period: str) -> int:
    """Every unit's bills of the month from the price list; a bill already issued is kept."""
    year, month = (int(p) for p in period.split("-"))
    due = date(year, month, min(settings.fee_due_day, 28)).isoformat()
    issued = 0
    async with db.transaction() as conn:
        for unit in await roster.all_units(conn):
            for item in settings.fee_items:
                issued += await ledger.add_bill(conn, unit.id, period, item.key, item.amount,
                                                due)
    return issued


class BillFileError(tables.TableError, ValueError):
    """A bills file that cannot be read (the import reports it as any bad line)."""


def _bill_lines(raw: bytes, locale: str) -> list[tuple[int, tuple]]:
    """Each line of a bills file with its row, checked; BillFileError naming every bad line
    (not only the first), so the office mends the file once."""
    table = tables.read(raw, "bills.csv", BillFileError)
    problems = list(table.problems)
    if table.header != BILL_COLUMNS:
        raise BillFileError([(1, "the first line must be the columns: " +
                              ",".join(BILL_COLUMNS))])
    found = []
    for number, cells in table.rows:
        building, unit, period, item, amount, due = \
            [c.strip() for c in cells[:6]] + [""] * (6 - len(cells[:6]))
        try:
            due_day, month = dates.day(due), dates.month(period)
        except ValueError:
            problems.append((number, "building, unit, period (2026-12), item, amount and due "
                                     "(2026-12-10) are needed"))
            continue
        try:
            value = numbers.amount(amount, locale, maximum=MAX_AMOUNT)
        except numbers.Unreadable as exc:
            problems.append((number, f"the amount {exc.text!r} is not an amount of more than 0 "
                                     f"(at most {MAX_AMOUNT}, {exc.reason})"))
            continue
        if not building or not unit or not item:
            problems.append((number, "the building, unit and item are needed"))
            continue
        found.append((number, (building, unit, month.isoformat()[:7], item, value,
                               due_day.isoformat())))
    if problems:
        raise BillFileError(problems)
    return found


def parse_bills(raw: bytes, locale: str = "en"
                ) -> list[tuple[str, str, str, str, Decimal, str]]:
    """A CSV of bills (building, unit, period 2026-12, item, amount, due 2026-12-10, the
    dates as workflow/dates.py reads them); the amounts read as the reader of the file
    writes them (`locale`)."""
    return [row for _, row in _bill_lines(raw, locale)]


async def import_file(db: Database, raw: bytes, locale: str = "en") -> int:
    """A bills file, all or nothing: BillFileError names every bad line, a line not read or
    a unit not on the roster alike; the bills issued."""
    lines = _bill_lines(raw, locale)
    try:
        return await import_bills(db, [row for _, row in lines])
    except BillFileError:
        pass  # some units are not on the roster: name each line
    async with db.reading() as conn:
        problems = [(number, f"{b} {u} is not a unit on the roster")
                    for number, (b, u, *_) in lines
                    if len((await units.find(conn, f"{b} {u}"))[0]) != 1]
    raise BillFileError(problems)


async def import_bills(db: Database, rows) -> int:
    """All at once, or nothing (a ValueError naming the units not on the roster, as every
    import refuses a file with a bad row): the bills issued."""
    issued, unknown = 0, []
    async with db.transaction() as conn:
        for building, unit, period, item, amount, due in rows:
            found, _ = await units.find(conn, f"{building} {unit}")
            if len(found) != 1:
                unknown.append(f"{building} {unit}")
                continue
            issued += await ledger.add_bill(conn, found[0].id, period, item, amount, due)
        if unknown:  # undoes the bills written before
            raise BillFileError([(0, "not units on the roster: " + ", ".join(unknown))])
    return issued


async def _statement(conn: Connection, unit: Unit) -> Statement:
    return Statement(unit, await ledger.bills_of(conn, unit.id),
                     await ledger.paid_by(conn, unit.id))


async def statements(db: Database, user_id: int) -> list[Statement]:
    """/fees: the resident's units, each with its bills, what was paid and what is owed."""
    async with db.reading() as conn:
        return [await _statement(conn, u) for u in await people.units_of(conn, user_id)]


async def record_payment(db: Database, settings: EstateSettings, cashier_id: int, unit: str,
                         amount: Decimal, method: str, receipt: str,
                         now: datetime) -> tuple[Payment, Statement]:
    """A payment received; one at or over `large_payment` is reported to the managers now."""
    if method not in METHODS or not 0 < amount <= MAX_AMOUNT or not receipt:
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "fees.pay", cashier_id)
        found, _ = await units.find(conn, unit)
        if len(found) != 1:
            raise Refusal(Refusal.NOT_FOUND)
        payment_id = await ledger.add_payment(conn, found[0].id, amount, method, receipt,
                                              cashier_id, now)
        if settings.large_payment and amount >= settings.large_payment:
            for manager in await people.reachable_with_role(conn, roles.MANAGER):
                await outbox.add(conn, manager.user_id, "large_payment", now,
                                 payload={"payment": payment_id, "unit": found[0].label})
        paid = await ledger.payment(conn, payment_id)
        assert paid is not None
        return paid, await _statement(conn, found[0])


async def reverse(db: Database, manager_id: int, payment_id: int, reason: str,
                  now: datetime) -> Payment:
    """A payment is never deleted: a manager reverses it with a reason, as a payment of its
    own that cancels it. Once."""
    async with db.transaction() as conn:
        await access.require(conn, "fees.reverse", manager_id)
        original = await ledger.payment(conn, payment_id)
        if original is None:
            raise Refusal(Refusal.NOT_FOUND)
        if original.reverses is not None or await ledger.reversal_of(conn, payment_id):
            raise Refusal(Refusal.STALE)
        reversal_id = await ledger.add_payment(conn, original.unit_id, -original.amount,
                                               original.method, original.receipt,
                                               original.cashier_id, now, reverses=original.id,
                                               reason=reason, recorded_by=manager_id)
        found = await ledger.payment(conn, reversal_id)
        assert found is not None
        return found


async def close_day(db: Database, settings: EstateSettings, cashier_id: int, cash: Decimal,
                    transfer: Decimal, explanation: str,
                    now: datetime) -> tuple[Decimal, Decimal]:
    """The cashier's day closed with the totals counted; returns the totals recorded. A
    difference needs an explanation (Unexplained otherwise); the managers get the summary."""
    local = now.astimezone(settings.tz)
    start = datetime.combine(local.date(), datetime.min.time(), settings.tz)
    async with db.transaction() as conn:
        await access.require(conn, "fees.close_day", cashier_id)
        day = await ledger.payments_between(conn, start, start + timedelta(days=1), cashier_id)
        cash_recorded = sum((p.amount for p in day if p.method == "cash"), Decimal(0))
        transfer_recorded = sum((p.amount for p in day if p.method != "cash"), Decimal(0))
        differs = (cash, transfer) != (cash_recorded, transfer_recorded)
        if differs and not explanation:
            raise Unexplained(cash - cash_recorded, transfer - transfer_recorded)
        if not await ledger.add_close(conn, local.date().isoformat(), cashier_id, cash,
                                      transfer, cash_recorded, transfer_recorded, explanation,
                                      now):
            raise Refusal(Refusal.STALE)  # this day is closed already
        for manager in await people.reachable_with_role(conn, roles.MANAGER):
            await outbox.add(conn, manager.user_id, "day_closed", now, payload={
                "day": local.date().isoformat(), "cash": str(cash), "transfer": str(transfer),
                "cash_recorded": str(cash_recorded), "transfer_recorded": str(transfer_recorded),
                "payments": len(day), "explanation": explanation}, actor_id=cashier_id)
        return cash_recorded, transfer_recorded


async def sweep(db: Database, settings: EstateSettings, now: datetime) -> int:
    """Reminders: before the due date, and once overdue; each bill once, never in quiet hours,
    and only while the unit owes something."""
    local = now.astimezone(settings.tz)
    if settings.in_quiet_hours(local.time().replace(tzinfo=None)):
        return 0
    soon = (local.date() + timedelta(days=settings.fee_reminder_days)).isoformat()
    late = (local.date() - timedelta(days=1)).isoformat()
    async with db.reading() as conn:
        due = [(b, "fee_reminder", "reminded_at")
               for b in await ledger.bills_due(conn, soon, "reminded_at")]
        due += [(b, "fee_overdue", "overdue_at")
                for b in await ledger.bills_due(conn, late, "overdue_at")]
    if not due:
        return 0
    told = 0
    async with db.transaction() as conn:
        for bill, kind, column in due:
            unit = await roster.get_unit(conn, bill.unit_id)
            if unit is None or not await ledger.mark_bill(conn, bill.id, column, now):
                continue
            if (await _statement(conn, unit)).outstanding <= 0:
                continue
            for resident in await people.residents_of_unit(conn, unit.id):
                await outbox.add(conn, resident.user_id, kind, now,
                                 payload={"bill": bill.id, "unit": unit.label})
                told += 1
    return told


async def month(db: Database, settings: EstateSettings, period: str
                ) -> tuple[list[Payment], list[Bill]]:
    """The month's payments (reversals included) and bills, for the statement."""
    year, number = (int(p) for p in period.split("-"))
    start = datetime(year, number, 1, tzinfo=settings.tz)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=settings.tz)
    async with db.reading() as conn:
        return (await ledger.payments_between(conn, start, end),
                await ledger.billed_between(conn, period, period))
