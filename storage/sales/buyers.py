"""The buyers' register (contracts before move-in), the reminders sent for each of a
contract's dates, and the contract's audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from storage.db import Connection, from_db_time, to_db_time
from storage.records import Unit


@dataclass(frozen=True)
class Buyer:
    contract_no: str
    unit: Unit
    name: str
    phone: str
    first_payment_due: date | None
    first_paid_at: datetime | None
    mortgage_at: datetime | None
    mortgage_bank: str
    mortgage_place: str
    loan_documents_due: date | None
    loan_documents_in_at: datetime | None
    handover_due: date
    handover_slot: datetime | None
    handed_over_at: datetime | None
    days_late: int | None
    user_id: int | None


_BUYER = ("SELECT b.contract_no, u.id, u.building, u.unit, b.name, b.phone, "
          "b.first_payment_due, b.first_paid_at, b.mortgage_at, b.mortgage_bank, "
          "b.mortgage_place, b.loan_documents_due, b.loan_documents_in_at, b.handover_due, "
          "b.handover_slot, b.handed_over_at, b.days_late, b.user_id "
          "FROM buyers b JOIN units u ON u.id = b.unit_id")
FIELDS = {"first_payment_due", "first_paid_at", "mortgage_at", "mortgage_bank",
          "mortgage_place", "loan_documents_due", "loan_documents_in_at", "handover_due",
          "handover_slot", "handed_over_at", "days_late", "user_id"}


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _buyer(r) -> Buyer:
    return Buyer(r[0], Unit(r[1], r[2], r[3]), r[4], r[5], _day(r[6]), from_db_time(r[7]),
                 from_db_time(r[8]), r[9], r[10], _day(r[11]), from_db_time(r[12]),
                 date.fromisoformat(r[13]), from_db_time(r[14]), from_db_time(r[15]), r[16],
                 r[17])


def _value(value):
    if isinstance(value, datetime):
        return to_db_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


async def upsert(conn: Connection, contract_no: str, unit_id: int, name: str, phone: str,
                 phone_key: str, values: dict, now: datetime) -> bool:
    """True when the contract is new; an import again updates the dates it gives."""
    cur = await conn.execute(
        "INSERT INTO buyers (contract_no, unit_id, name, phone, phone_key, handover_due, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(contract_no) DO NOTHING",
        (contract_no, unit_id, name, phone, phone_key, _value(values["handover_due"]),
         to_db_time(now)))
    await conn.send("UPDATE buyers SET unit_id = ?, name = ?, phone = ?, phone_key = ? "
                       "WHERE contract_no = ?", (unit_id, name, phone, phone_key, contract_no))
    await update(conn, contract_no, **values)
    return cur.rowcount == 1


async def update(conn: Connection, contract_no: str, **values) -> None:
    assert set(values) <= FIELDS
    if values:
        await conn.send(
            f"UPDATE buyers SET {', '.join(f'{k} = ?' for k in values)} "  # noqa: S608 (known names)
            "WHERE contract_no = ?", (*(_value(v) for v in values.values()), contract_no))


async def get(conn: Connection, contract_no: str) -> Buyer | None:
    row = await (await conn.execute(f"{_BUYER} WHERE b.contract_no = ?",
                                    (contract_no,))).fetchone()
    return _buyer(row) if row else None


async def by_phone_key(conn: Connection, phone_key: str) -> list[Buyer]:
    cur = await conn.execute(f"{_BUYER} WHERE b.phone_key = ? ORDER BY b.contract_no",
                             (phone_key,))
    return [_buyer(r) for r in await cur.fetchall()]


async def of_user(conn: Connection, user_id: int) -> list[Buyer]:
    cur = await conn.execute(f"{_BUYER} WHERE b.user_id = ? ORDER BY b.contract_no",
                             (user_id,))
    return [_buyer(r) for r in await cur.fetchall()]


async def before_move_in(conn: Connection) -> list[Buyer]:
    """Every contract not yet handed over (the reminders' sweep reads these)."""
    cur = await conn.execute(f"{_BUYER} WHERE b.handed_over_at IS NULL "
                             "ORDER BY b.handover_due, b.contract_no")
    return [_buyer(r) for r in await cur.fetchall()]


async def booked_at(conn: Connection, slot: datetime) -> int:
    row = await (await conn.execute("SELECT COUNT(*) FROM buyers WHERE handover_slot = ?",
                                    (to_db_time(slot),))).fetchone()
    return row[0]


async def book(conn: Connection, contract_no: str, slot: datetime, capacity: int) -> bool:
    """Books the slot while it has room (one statement: two buyers cannot both take the
    last place)."""
    at = to_db_time(slot)
    cur = await conn.execute(
        "UPDATE buyers SET handover_slot = ? WHERE contract_no = ? AND handed_over_at IS NULL "
        "AND (SELECT COUNT(*) FROM buyers WHERE handover_slot = ?) < ?",
        (at, contract_no, at, capacity))
    return cur.rowcount == 1


async def hand_over(conn: Connection, contract_no: str, now: datetime, days_late: int) -> bool:
    cur = await conn.execute(
        "UPDATE buyers SET handed_over_at = ?, days_late = ? WHERE contract_no = ? "
        "AND handed_over_at IS NULL", (to_db_time(now), days_late, contract_no))
    return cur.rowcount == 1


UNIT_HANDOVER_QUERY = "SELECT COUNT(*), MIN(handed_over_at) FROM buyers WHERE unit_id = ?"


async def unit_handover(conn: Connection, unit_id: int) -> tuple[bool, datetime | None]:
    """Whether the unit was sold under a contract in the register, and its handover (the
    earliest if sold twice; None while not handed over)."""
    row = await (await conn.execute(
        UNIT_HANDOVER_QUERY, (unit_id,))).fetchone()
    return (bool(row and row[0]), from_db_time(row[1]) if row else None)


async def note_sent(conn: Connection, contract_no: str, kind: str, about: str,
                    now: datetime) -> bool:
    """True the first time this reminder is sent for this date."""
    cur = await conn.execute(
        "INSERT INTO buyer_notices (contract_no, kind, about, sent_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING", (contract_no, kind, about, to_db_time(now)))
    return cur.rowcount == 1


async def sent(conn: Connection) -> set[tuple[str, str, str]]:
    """(contract, kind, about) of every reminder sent for contracts before move-in."""
    cur = await conn.execute(
        "SELECT n.contract_no, n.kind, n.about FROM buyer_notices n JOIN buyers b "
        "ON b.contract_no = n.contract_no WHERE b.handed_over_at IS NULL")
    return {(r[0], r[1], r[2]) for r in await cur.fetchall()}


async def answered(conn: Connection, contract_no: str, kind: str, about: str) -> bool:
    """Whether the buyer answered the reminders of that date already."""
    row = await (await conn.execute(
        "SELECT 1 FROM buyer_notices WHERE contract_no = ? AND (kind = ? OR substr(kind, 1, ?) "
        "= ?) AND about = ? AND answer IS NOT NULL",
        (contract_no, kind, len(kind) + 1, kind + "_", about))).fetchone()
    return row is not None


async def answer(conn: Connection, contract_no: str, kind: str, about: str,
                 answer_: str) -> bool:
    """The buyer's answer to the reminders of one date (the mortgage's are several: kind
    mortgage_3, mortgage_1): once."""
    same = "contract_no = ? AND (kind = ? OR substr(kind, 1, ?) = ?) AND about = ?"
    args = (contract_no, kind, len(kind) + 1, kind + "_", about)
    if await (await conn.execute(f"SELECT 1 FROM buyer_notices WHERE {same} "
                                 "AND answer IS NOT NULL", args)).fetchone():
        return False
    cur = await conn.execute(f"UPDATE buyer_notices SET answer = ? WHERE {same}",
                             (answer_, *args))
    return cur.rowcount >= 1


async def add_event(conn: Connection, contract_no: str, action: str, actor_id: int | None,
                    detail: str, now: datetime) -> None:
    await conn.send("INSERT INTO buyer_events (contract_no, action, actor_id, detail, at) "
                       "VALUES (?, ?, ?, ?, ?)",
                       (contract_no, action, actor_id, detail, to_db_time(now)))


@dataclass(frozen=True)
class Event:
    """A line of a contract's audit trail: what (a code the desk translates), by whom (None
    for an import), the detail (dates as ISO text), when."""
    action: str
    actor_id: int | None
    actor_name: str | None
    detail: str
    at: datetime


async def events(conn: Connection, contract_no: str) -> list[Event]:
    cur = await conn.execute(
        "SELECT e.action, e.actor_id, p.name, e.detail, e.at FROM buyer_events e "
        "LEFT JOIN people p ON p.user_id = e.actor_id WHERE e.contract_no = ? ORDER BY e.id",
        (contract_no,))
    return [Event(r[0], r[1], r[2], r[3], from_db_time(r[4]))  # type: ignore[arg-type]
            for r in await cur.fetchall()]


async def people_with_phones(conn: Connection) -> list[tuple[int, str]]:
    cur = await conn.execute("SELECT user_id, phone FROM people WHERE phone IS NOT NULL")
    return [(r[0], r[1]) for r in await cur.fetchall()]
