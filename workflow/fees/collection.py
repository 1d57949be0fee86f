"""Fee collection (收費管理, §4.8). Bills per unit and period, from the price list (the
settings, clearly priced) or imported; a resident sees their statement (/fees) and is
reminded before the due date and when overdue, never in quiet hours. The cashier records
each payment (the bot moves no money); a payment is never deleted, only reversed by a
manager with a reason. The cashier closes each day with the cash and transfers counted (日收
日清): a difference must be explained, and the manager gets the day's summary; a large
payment is reported to the manager the same day (日收日報).

A closed day stays closed: a payment (or a reversal) recorded after the cashier's close
counts in the next day still open. Every sum of money goes through this one ledger with a
bill behind it (`bill_and_pay` for the desk's one-off charges). A receipt number is used
once in the estate. The residents of the unit get a receipt message for each payment."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from storage import outbox, people, roster
from storage.db import Connection, Database
from storage.fees import ledger
from storage.fees.ledger import Bill, Payment
from storage.records import Unit
from workflow import access, dates, numbers, roles, tables, units
from workflow import tickets as machine
from workflow.settings import EstateSettings

METHODS = ("cash", "transfer", "card", "cheque")
# What people write for a method, in any of the desk's languages (and the keys themselves).
METHOD_NAMES = {
    "現金": "cash", "现金": "cash", "現鈔": "cash", "现钞": "cash",
    "轉帳": "transfer", "转账": "transfer", "轉賬": "transfer", "转帐": "transfer",
    "匯款": "transfer", "汇款": "transfer", "bank-transfer": "transfer",
    "刷卡": "card", "信用卡": "card", "卡": "card", "credit-card": "card",
    "支票": "cheque", "check": "cheque",
    **{m: m for m in METHODS},
}
MAX_AMOUNT = Decimal(10_000_000)
BILL_COLUMNS = ("building", "unit", "period", "item", "amount", "due")
Refusal = machine.Refusal


class Unexplained(Exception):
    """The counted totals differ from the recorded payments, and no reason was given."""

    def __init__(self, cash: Decimal, transfer: Decimal, card: Decimal = Decimal(0),
                 cheque: Decimal = Decimal(0)) -> None:
        super().__init__("difference")
        self.cash, self.transfer, self.card, self.cheque = cash, transfer, card, cheque


class DayClosed(Exception):
    """The cashier closed this day already: when."""

    def __init__(self, closed: ledger.DayClose) -> None:
        super().__init__("closed")
        self.closed = closed


class ReceiptUsed(Exception):
    """A receipt number already on a payment of the estate: that payment, and its unit."""

    def __init__(self, earlier: Payment, unit: str) -> None:
        super().__init__("receipt used")
        self.earlier, self.unit = earlier, unit


class NothingBilled(Exception):
    """A payment for a unit with no bill: every payment needs a bill behind it."""


class Recorded(NamedTuple):
    """A day's payments by method, as recorded."""
    cash: Decimal
    transfer: Decimal
    card: Decimal = Decimal(0)
    cheque: Decimal = Decimal(0)


@dataclass(frozen=True)
class Tender:
    """Money handed over at the desk against a bill: how, the receipt's number, whose drawer
    it counts in and who paid; `amount` None for the bill's own amount."""
    method: str
    receipt: str
    cashier_id: int
    payer: str = ""
    amount: Decimal | None = None


@dataclass(frozen=True)
class Charged:
    """What `bill_and_pay` recorded: the bill, the payment (if any) and, when the cashier's
    day was closed already, the closed day (the payment counts in `payment.day`)."""
    bill: Bill
    payment: Payment | None
    closed_day: str | None = None


def method_of(text: str) -> str | None:
    """The method a person wrote (「現金」, "Cash", 「刷卡」), or None."""
    return METHOD_NAMES.get(unicodedata.normalize("NFKC", text).strip().casefold())


def receipt_key(receipt: str) -> str:
    """A receipt number as the uniqueness rule compares it (R0042, r0042 and Ｒ００４２)."""
    return unicodedata.normalize("NFKC", receipt).strip().upper()


@dataclass(frozen=True)
class Statement:
    unit: Unit
    bills: list[Bill]
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return sum((b.amount for b in self.bills), Decimal(0)) - self.paid

    @property
    def credit(self) -> Decimal:
        """Paid beyond the bills: carried forward, taken off the next bill."""
        return max(-self.outstanding, Decimal(0))

    def owed(self) -> dict[int, Decimal]:
        """What is still owed on each bill (by id): the payments, and a credit carried
        forward, are taken off the oldest bill first."""
        left = self.paid - sum((b.amount for b in self.bills if b.amount < 0), Decimal(0))
        owed = {}
        for bill in sorted(self.bills, key=lambda b: (b.due_date, b.id)):
            if bill.amount <= 0:
                owed[bill.id] = Decimal(0)
                continue
            taken = min(max(left, Decimal(0)), bill.amount)
            owed[bill.id] = bill.amount - taken
            left -= taken
        return owed


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


async def open_day(conn: Connection, settings: EstateSettings, cashier_id: int,
                   now: datetime) -> str:
    """The day a payment made now counts in for that cashier's drawer: today, or the next day
    not closed yet."""
    day = now.astimezone(settings.tz).date()
    closed = await ledger.closed_days(conn, cashier_id, day.isoformat())
    while day.isoformat() in closed:
        day += timedelta(days=1)
    return day.isoformat()


async def _payer(conn: Connection, unit: Unit) -> str:
    entries = await roster.entries_of_unit(conn, unit.id)
    return entries[0].name if entries else ""


async def _take(conn: Connection, settings: EstateSettings, unit: Unit, amount: Decimal,
                method: str, receipt: str, cashier_id: int, payer: str, bill_id: int | None,
                now: datetime) -> Payment:
    """The one way money enters the ledger: the receipt once in the estate, the day still
    open, the managers told of a large payment, the unit's residents given a receipt."""
    key = receipt_key(receipt)
    earlier = await ledger.payment_with_receipt(conn, key)
    if earlier is not None:
        other = await roster.get_unit(conn, earlier.unit_id)
        raise ReceiptUsed(earlier, other.label if other else "")
    day = await open_day(conn, settings, cashier_id, now)
    payment_id = await ledger.add_payment(conn, unit.id, amount, method, receipt.strip(),
                                          cashier_id, now, day=day, bill_id=bill_id,
                                          payer=payer, receipt_key=key)
    if settings.large_payment and abs(amount) >= settings.large_payment:
        for manager in await people.reachable_with_role(conn, roles.MANAGER):
            await outbox.add(conn, manager.user_id, "large_payment", now, payload={
                "payment": payment_id, "unit": unit.label, "amount": str(amount),
                "method": method, "receipt": receipt.strip()})
    for resident in await people.residents_of_unit(conn, unit.id):
        await outbox.add(conn, resident.user_id, "fee_receipt", now,
                         payload={"payment": payment_id, "unit": unit.label})
    paid = await ledger.payment(conn, payment_id)
    assert paid is not None
    return paid


async def record_payment(db: Database, settings: EstateSettings, cashier_id: int, unit: str,
                         amount: Decimal, method: str, receipt: str,
                         now: datetime, *, payer: str = "") -> tuple[Payment, Statement]:
    """A payment received for a unit's bills (the oldest still owed is the one behind it);
    one at or over `large_payment` is reported to the managers now. The method as people
    write it (`method_of`); the payer, if not given, the first owner on the roster. Refused:
    a receipt number used before (ReceiptUsed), a unit with no bill (NothingBilled). After
    the cashier's close the payment counts in the next open day (`Payment.day`)."""
    method = method_of(method) or ""
    if method not in METHODS or not 0 < amount <= MAX_AMOUNT or not receipt.strip():
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "fees.pay", cashier_id)
        found, _ = await units.find(conn, unit)
        if len(found) != 1:
            raise Refusal(Refusal.NOT_FOUND)
        before = await _statement(conn, found[0])
        if not before.bills:
            raise NothingBilled(found[0].label)
        owed = before.owed()
        behind = next((b for b in before.bills if owed[b.id] > 0), before.bills[-1])
        paid = await _take(conn, settings, found[0], amount, method, receipt, cashier_id,
                           payer.strip() or await _payer(conn, found[0]), behind.id, now)
        return paid, await _statement(conn, found[0])


async def bill_and_pay(conn: Connection, settings: EstateSettings, unit_id: int, item: str,
                       amount: Decimal, now: datetime, *, reference: str = "",
                       period: str | None = None, due: str | None = None,
                       tender: Tender | None = None) -> Charged:
    """The desk's one-off charges (a renovation's management fee and deposit, the handover
    fees) go through the one ledger: a bill for the unit and, with `tender`, its payment.

    Call it inside the caller's own transaction (`conn`), after the caller's own permission
    check (this function checks none). `item` is a fee item's key (labels.FEE_ITEMS, such as
    "renovation_fee"); `reference` what it is for (a renovation's RV-… reference), shown on
    the statements; `period` defaults to the local day (2026-12-06, so that the same item
    may be billed to a unit again another day; the statements count it in its month);
    `due` defaults to that day. A refund (a deposit given back) is a negative `amount`: a
    bill that credits the unit and, with `tender`, a negative payment (money paid out). The
    payment's amount is the bill's unless `tender.amount` says otherwise (a deposit refund
    less deductions is two calls: the deduction billed, the refund paid). Raises
    Refusal(INVALID) for a zero or too big amount or a bad tender, Refusal(STALE) when the
    unit already has that item for that period, ReceiptUsed for a receipt number used
    before. Like /pay: the payment counts in the cashier's next open day (Charged.closed_day
    says the day it missed), large ones are reported, the residents get their receipt."""
    if not amount or abs(amount) > MAX_AMOUNT:
        raise Refusal(Refusal.INVALID)
    local = now.astimezone(settings.tz).date().isoformat()
    bill_id = await ledger.issue_bill(conn, unit_id, period or local, item, amount,
                                      due or local, reference)
    if bill_id is None:
        raise Refusal(Refusal.STALE)
    bill = await ledger.bill(conn, bill_id)
    unit = await roster.get_unit(conn, unit_id)
    assert bill is not None and unit is not None
    if tender is None:
        return Charged(bill, None)
    paying = amount if tender.amount is None else tender.amount
    method = method_of(tender.method) or ""
    if (method not in METHODS or not tender.receipt.strip() or not paying
            or abs(paying) > MAX_AMOUNT):
        raise Refusal(Refusal.INVALID)
    paid = await _take(conn, settings, unit, paying, method, tender.receipt,
                       tender.cashier_id, tender.payer or await _payer(conn, unit), bill_id,
                       now)
    return Charged(bill, paid, local if paid.day != local else None)


async def reverse(db: Database, manager_id: int, payment_id: int, reason: str,
                  now: datetime, settings: EstateSettings | None = None) -> Payment:
    """A payment is never deleted: a manager reverses it with a reason, as a payment of its
    own that cancels it. Once. The reversal is a line of the day it is made (the drawer's
    next open day if closed), with who and why; a closed day is never changed. The unit's
    residents, who had the payment's receipt, are told."""
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
                                               reason=reason, recorded_by=manager_id,
                                               day=await open_day(
                                                   conn, settings, original.cashier_id, now)
                                               if settings else None,
                                               bill_id=original.bill_id, payer=original.payer)
        unit = await roster.get_unit(conn, original.unit_id)
        for resident in await people.residents_of_unit(conn, original.unit_id):
            await outbox.add(conn, resident.user_id, "fee_receipt", now, payload={
                "payment": reversal_id, "unit": unit.label if unit else ""})
        found = await ledger.payment(conn, reversal_id)
        assert found is not None
        return found


async def close_day(db: Database, settings: EstateSettings, cashier_id: int, cash: Decimal,
                    transfer: Decimal, explanation: str,
                    now: datetime, *, card: Decimal = Decimal(0),
                    cheque: Decimal = Decimal(0), day: date | None = None) -> Recorded:
    """The cashier's day (today, or an earlier day left open) closed with the totals counted
    by method; returns the totals recorded. A difference needs an explanation (Unexplained
    otherwise); the managers get the summary. A day closed already is refused with its close
    (DayClosed); what is recorded after the close counts in the next day."""
    today = now.astimezone(settings.tz).date()
    if day is not None and day > today:
        raise Refusal(Refusal.INVALID)  # a day to come has nothing to count
    day = day or today
    start = datetime.combine(day, datetime.min.time(), settings.tz)
    async with db.transaction() as conn:
        await access.require(conn, "fees.close_day", cashier_id)
        closed = await ledger.close_of(conn, day.isoformat(), cashier_id)
        if closed is not None:
            raise DayClosed(closed)
        payments = await ledger.payments_of_days(conn, day.isoformat(), day.isoformat(), start,
                                                 start + timedelta(days=1), cashier_id)
        recorded = Recorded(*(sum((p.amount for p in payments if p.method == m), Decimal(0))
                              for m in METHODS))
        counted = Recorded(cash, transfer, card, cheque)
        if counted != recorded and not explanation:
            raise Unexplained(*(c - r for c, r in zip(counted, recorded)))
        if not await ledger.add_close(conn, day.isoformat(), cashier_id, cash, transfer,
                                      recorded.cash, recorded.transfer, explanation, now,
                                      card=card, card_recorded=recorded.card, cheque=cheque,
                                      cheque_recorded=recorded.cheque):
            raise Refusal(Refusal.STALE)  # cannot happen: the transaction read it open
        reversals = [p for p in payments if p.reverses is not None]
        for manager in await people.reachable_with_role(conn, roles.MANAGER):
            await outbox.add(conn, manager.user_id, "day_closed", now, payload={
                "day": day.isoformat(), "cash": str(cash), "transfer": str(transfer),
                "cash_recorded": str(recorded.cash),
                "transfer_recorded": str(recorded.transfer), "card": str(card),
                "card_recorded": str(recorded.card), "cheque": str(cheque),
                "cheque_recorded": str(recorded.cheque), "payments": len(payments),
                "reversals": [p.id for p in reversals],
                "explanation": explanation}, actor_id=cashier_id)
        return recorded


async def left_open(db: Database, settings: EstateSettings, cashier_id: int,
                    now: datetime) -> list[tuple[str, int]]:
    """The cashier's earlier days with payments and no close (each day, its payments): their
    takings are in no close until the cashier closes them."""
    async with db.reading() as conn:
        return await ledger.unclosed_days(
            conn, cashier_id, now.astimezone(settings.tz).date().isoformat())


async def sweep(db: Database, settings: EstateSettings, now: datetime) -> int:
    """Reminders: before the due date, and once overdue; each bill once, never in quiet hours,
    and only for what is still owed on it. One message per unit and occasion, listing its
    bills; a bill already overdue is never "due soon"."""
    local = now.astimezone(settings.tz)
    if settings.in_quiet_hours(local.time().replace(tzinfo=None)):
        return 0
    today = local.date().isoformat()
    soon = (local.date() + timedelta(days=settings.fee_reminder_days)).isoformat()
    late = (local.date() - timedelta(days=1)).isoformat()
    async with db.reading() as conn:
        due = [(b, "reminded_at") for b in await ledger.bills_due(conn, soon, "reminded_at",
                                                                   due_from=today)]
        due += [(b, "overdue_at") for b in await ledger.bills_due(conn, late, "overdue_at")]
    if not due:
        return 0
    told = 0
    async with db.transaction() as conn:
        by_unit: dict[int, list[tuple[Bill, str]]] = {}
        for bill, column in due:
            if await ledger.mark_bill(conn, bill.id, column, now):
                by_unit.setdefault(bill.unit_id, []).append((bill, column))
        for unit_id, marked in by_unit.items():
            unit = await roster.get_unit(conn, unit_id)
            if unit is None:
                continue
            owed = (await _statement(conn, unit)).owed()
            overdue = [b.id for b, c in marked if c == "overdue_at" and owed.get(b.id, 0) > 0]
            soon_ = [b.id for b, c in marked if c == "reminded_at" and owed.get(b.id, 0) > 0]
            if not overdue and not soon_:
                continue
            for resident in await people.residents_of_unit(conn, unit.id):
                await outbox.add(conn, resident.user_id,
                                 "fee_overdue" if overdue else "fee_reminder", now,
                                 payload={"unit": unit.label, "overdue": overdue,
                                          "soon": soon_})
                told += 1
    return told


async def month(db: Database, settings: EstateSettings, period: str
                ) -> tuple[list[Payment], list[Bill]]:
    """The month's payments (reversals included, by the day they count in) and bills."""
    found = await income(db, settings, period)
    return found.payments, found.bills


@dataclass(frozen=True)
class Income:
    """The month's statement (收支明細表): its payments with each one's unit, payer and who
    recorded it, and the bills issued."""
    payments: list[Payment]
    bills: list[Bill]
    units: dict[int, str]  # unit id: label
    names: dict[int, str]  # user id: name (who recorded a payment or reversal)
    period: str = ""


async def income(db: Database, settings: EstateSettings, period: str) -> Income:
    """The month's payments by the day they count in (reversals included) and its bills."""
    year, number = (int(p) for p in period.split("-"))
    start = datetime(year, number, 1, tzinfo=settings.tz)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=settings.tz)
    last = (end - timedelta(days=1)).date().isoformat()
    async with db.reading() as conn:
        payments = await ledger.payments_of_days(conn, f"{period}-01", last, start, end)
        bills = await ledger.billed_between(conn, period, period)
        units_ = {u.id: u.label for u in await roster.all_units(conn)}
        names = await people.names(conn, {p.recorded_by or p.cashier_id for p in payments})
    return Income(payments, bills, units_, names, period)


async def payment_of(db: Database, payment_id: int) -> Payment | None:
    async with db.reading() as conn:
        return await ledger.payment(conn, payment_id)
