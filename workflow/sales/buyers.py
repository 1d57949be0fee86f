"""Buyers before move-in (the developer's customer service, parts 八 and 九 of the source
document): the register of contracts, imported or kept in the chat by the sales service;
reminders of the first payment, the mortgage paperwork and overdue loan documents; the
move-in notice (入住通知書) with a handover slot to book. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from storage import drafts, outbox, people, roster
from storage.db import Connection, Database
from storage.records import Draft
from storage.sales import buyers, units
from storage.sales.buyers import Buyer
from workflow import access, conversations, dates, phones, roles, tables
from workflow import tickets as machine
from workflow.office.catalogue import CatalogueError
from workflow.sales import handover
from workflow.settings import EstateSettings

Refusal = machine.Refusal
REQUIRED = ("contract", "building", "unit", "name", "phone", "handover_due")
OPTIONAL = ("first_payment_due", "mortgage_at", "bank", "place", "loan_documents_due")
FIRST_PAYMENT, MORTGAGE, LOAN_DOCUMENTS, MOVE_IN = ("first_payment", "mortgage",
                                                    "loan_documents", "move_in")
LOAN_DOCUMENTS_STAFF = "loan_documents_staff"
# The mortgage reminder says in how many days the appointment is (the payload's "days");
# "buyer_mortgage" is the kind of those queued before, which said no such thing
MORTGAGE_REMINDER = "buyer_mortgage_reminder"
ANSWERABLE = (FIRST_PAYMENT, MORTGAGE)  # reminders the buyer confirms or asks to move
MOVABLE = (*ANSWERABLE, MOVE_IN)  # and the handover, booked or asked to move
CONFIRMED, RESCHEDULE = "confirmed", "reschedule"
# What the sales service may set in the chat: /buyer CONTRACT <what> [value]
DATES = {"firstpay": "first_payment_due", "mortgage": "mortgage_at",
         "docs": "loan_documents_due", "handover": "handover_due"}
MARKS = {"paid": "first_paid_at", "docsin": "loan_documents_in_at"}
MAX_TEXT = 200
WISH_FLOW = "buyer_wish"  # "another time": the buyer writes when suits them


@dataclass(frozen=True)
class Row:
    contract_no: str
    building: str
    unit: str
    name: str
    phone: str
    values: dict


def _when(value: str, tz) -> datetime:
    """'2026-12-03 10:00' (or as a sheet writes it, with seconds) in the estate's time."""
    return dates.moment(value, tz)


def _date(value: str) -> date:
    return dates.day(value)


def parse(raw: bytes, filename: str, tz) -> list[Row]:
    """The register from CSV or XLSX: columns by name (any order); REQUIRED must be there."""
    table = tables.read(raw, filename, CatalogueError)
    header = list(table.header)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CatalogueError([(1, "the first line must name the columns; missing: "
                               + ", ".join(missing))])
    found, problems = [], list(table.problems)
    for number, line in table.rows:
        cell = {name: (line[i].strip() if i < len(line) else "")
                for i, name in enumerate(header)}
        if not any(cell.values()):
            continue
        try:
            values: dict = {"handover_due": _date(cell["handover_due"])}
            if cell.get("first_payment_due"):
                values["first_payment_due"] = _date(cell["first_payment_due"])
            if cell.get("mortgage_at"):
                values["mortgage_at"] = _when(cell["mortgage_at"], tz)
            if cell.get("loan_documents_due"):
                values["loan_documents_due"] = _date(cell["loan_documents_due"])
        except ValueError:
            problems.append((number, "dates are written 2026-12-03, the mortgage appointment "
                                     "2026-12-03 10:00"))
            continue
        values["mortgage_bank"] = cell.get("bank", "")[:MAX_TEXT]
        values["mortgage_place"] = cell.get("place", "")[:MAX_TEXT]
        if not all(cell[c] for c in REQUIRED) or not phones.phone_key(cell["phone"]):
            problems.append((number, "contract, building, unit, name and phone are needed"))
            continue
        found.append(Row(cell["contract"][:40], cell["building"].upper(), cell["unit"].upper(),
                         cell["name"][:MAX_TEXT], cell["phone"][:40], values))
    if problems:
        raise CatalogueError(problems)
    return found


async def import_rows(db: Database, rows: list[Row], now: datetime) -> tuple[int, int]:
    """All at once: (contracts new, contracts updated). A contracted unit is no longer for
    sale; a contract whose buyer already uses the bot is linked at once."""
    new = 0
    async with db.transaction() as conn:
        users = await buyers.people_with_phones(conn)
        for row in rows:
            unit_id = await roster.unit_id(conn, row.building, row.unit)
            key = phones.phone_key(row.phone)
            if await buyers.upsert(conn, row.contract_no, unit_id, row.name, row.phone, key,
                                   row.values, now):
                new += 1
                await buyers.add_event(conn, row.contract_no, "imported", None, "", now)
            else:
                await buyers.add_event(conn, row.contract_no, "updated", None, "", now)
            await units.set_status(conn, unit_id, units.CONTRACTED, now)
            for user_id, phone in users:
                if phones.phone_key(phone) == key and phones.same_number(phone, row.phone):
                    await buyers.update(conn, row.contract_no, user_id=user_id)
    return new, len(rows) - new


async def link_by_phone(conn: Connection, user_id: int, phone: str) -> list[Buyer]:
    """A person who shared their contact is the buyer of every contract with that number."""
    found = [b for b in await buyers.by_phone_key(conn, phones.phone_key(phone))
             if phones.same_number(b.phone, phone)]
    for buyer in found:
        await buyers.update(conn, buyer.contract_no, user_id=user_id)
    return found


async def get(db: Database, contract_no: str) -> Buyer | None:
    async with db.reading() as conn:
        return await buyers.get(conn, contract_no)


async def contracts_of(db: Database, user_id: int) -> list[Buyer]:
    async with db.reading() as conn:
        return await buyers.of_user(conn, user_id)


async def find(db: Database, staff_id: int, contract_no: str) -> tuple[Buyer, list]:
    """A contract and its audit trail, for the sales service."""
    async with db.reading() as conn:
        await access.require(conn, "sales.buyers", staff_id)
        found = await buyers.get(conn, contract_no)
        if found is None:
            raise Refusal(Refusal.NOT_FOUND)
        return found, await buyers.events(conn, contract_no)


async def upcoming(db: Database, staff_id: int) -> list[Buyer]:
    async with db.reading() as conn:
        await access.require(conn, "sales.buyers", staff_id)
        return await buyers.before_move_in(conn)


async def change(db: Database, settings: EstateSettings, staff_id: int, contract_no: str,
                 what: str, value: str, now: datetime) -> Buyer:
    """The sales service sets a date (the reminders re-arm for the new one: they are kept
    per date), or marks the first payment or the loan documents as received. Audited, and
    the buyer is told of a new date."""
    try:
        if what in DATES:
            new = _when(value, settings.tz) if what == "mortgage" else _date(value)
        elif what in MARKS:
            new = now
        else:
            raise ValueError(what)
    except ValueError:
        raise Refusal(Refusal.INVALID) from None
    async with db.transaction() as conn:
        await access.require(conn, "sales.buyers", staff_id)
        found = await buyers.get(conn, contract_no)
        if found is None:
            raise Refusal(Refusal.NOT_FOUND)
        if found.handed_over_at is not None:
            raise Refusal(Refusal.STALE)
        column = DATES.get(what) or MARKS[what]
        old = getattr(found, column)
        await buyers.update(conn, contract_no, **{column: new})
        await buyers.add_event(conn, contract_no, column, staff_id,
                               f"{_text(old, settings.tz)} -> {_text(new, settings.tz)}", now)
        if what in DATES and found.user_id is not None:
            await outbox.add(conn, found.user_id, "buyer_new_date", now, actor_id=staff_id,
                             payload={"contract": contract_no, "what": what})
        changed = await buyers.get(conn, contract_no)
        assert changed is not None
        return changed


def _text(value, tz) -> str:
    """A date or time for the audit trail, in the estate's time."""
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat(timespec="minutes")
    return value.isoformat() if isinstance(value, date) else "-"


def about(found: Buyer, kind: str) -> str | None:
    """The date a reminder of this kind is about, as the notices record it."""
    if kind == FIRST_PAYMENT and found.first_payment_due:
        return found.first_payment_due.isoformat()
    if kind == MORTGAGE and found.mortgage_at:
        return found.mortgage_at.isoformat()
    if kind == MOVE_IN:
        return found.handover_due.isoformat()
    return None


async def answer(db: Database, user_id: int, contract_no: str, kind: str, choice: str,
                 now: datetime, wish: str = "") -> Buyer:
    """The buyer confirms a reminder's date, or asks for another time with their wish (the
    sales service is told, and sets it). Once per reminder; a forged contract is refused."""
    if kind not in (ANSWERABLE if choice == CONFIRMED else MOVABLE) or \
            choice not in (CONFIRMED, RESCHEDULE):
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "sales.buyer_answer", user_id, contract_no)
        found = await buyers.get(conn, contract_no)
        assert found is not None  # the table's rule: their contract
        date_of = about(found, kind)
        if date_of is None or not await buyers.answer(conn, contract_no, kind, date_of, choice):
            raise Refusal(Refusal.STALE)
        await buyers.add_event(conn, contract_no, f"{kind}_{choice}", user_id,
                               f"{date_of} {wish}".strip(), now)
        if choice == RESCHEDULE:
            await drafts.delete(conn, user_id)  # the wish asked for (WISH_FLOW) is answered
            for staff in await people.reachable_with_role(conn, roles.SALES_SERVICE):
                await outbox.add(conn, staff.user_id, "buyer_reschedule", now, actor_id=user_id,
                                 payload={"contract": contract_no, "what": kind, "wish": wish})
        return found


async def ask_wish(db: Database, user_id: int, contract_no: str, kind: str,
                   now: datetime) -> None:
    """'Another time': first the buyer's wish (free text, WISH_FLOW), while the reminder is
    still unanswered."""
    if kind not in MOVABLE:
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "sales.buyer_answer", user_id, contract_no)
        found = await buyers.get(conn, contract_no)
        assert found is not None
        date_of = about(found, kind)
        if date_of is None or await buyers.answered(conn, contract_no, kind, date_of):
            raise Refusal(Refusal.STALE)
        if kind == MOVE_IN and (contract_no, kind, date_of) not in await buyers.sent(conn):
            raise Refusal(Refusal.STALE)  # a notice of an earlier date: the date moved
        await conversations.begin(conn, Draft(user_id, WISH_FLOW, "wish", {
            "contract": contract_no, "kind": kind}), now)


def slots(settings: EstateSettings, found: Buyer) -> list[datetime]:
    """The handover times offered: from the contract's date, `handover_days` days (the
    buttons number them; the past ones are not shown and cannot be booked)."""
    return [datetime.combine(found.handover_due + timedelta(days=n), at, settings.tz)
            for n in range(settings.handover_days) for at in settings.handover_slots]


class Passed(Exception):
    """A handover time that is already past."""


async def book(db: Database, settings: EstateSettings, user_id: int, contract_no: str,
               slot: datetime, now: datetime) -> Buyer:
    """The buyer books a handover slot offered by the notice, while it has room."""
    async with db.transaction() as conn:
        found = await buyers.get(conn, contract_no)
        if found is None or found.user_id != user_id:
            raise Refusal(Refusal.FORBIDDEN)
        if slot not in slots(settings, found) or found.handed_over_at is not None:
            raise Refusal(Refusal.STALE)
        if slot <= now:
            raise Passed()
        if not await buyers.book(conn, contract_no, slot, settings.handover_slot_capacity):
            raise Refusal(Refusal.FULL)
        await buyers.add_event(conn, contract_no, "slot_booked", user_id,
                               _text(slot, settings.tz), now)
        for staff in await people.reachable_with_role(conn, roles.SALES_SERVICE):
            await outbox.add(conn, staff.user_id, "buyer_slot_booked", now, actor_id=user_id,
                             payload={"contract": contract_no})
        booked = await buyers.get(conn, contract_no)
        assert booked is not None
        return booked


def _reminders(settings: EstateSettings, b: Buyer, local: datetime
               ) -> list[tuple[str, str, str | None]]:
    """(kind, about, the kind it is sent as) of every reminder due now for this contract; a
    late start sends the latest of the mortgage reminders only, and marks the others."""
    at = settings.buyer_reminder_time
    today = local.date()
    found: list[tuple[str, str, str | None]] = []

    def opened(day: date, before: int) -> bool:
        return local >= datetime.combine(day - timedelta(days=before), at, local.tzinfo)

    if b.first_payment_due and b.first_paid_at is None and today <= b.first_payment_due and \
            opened(b.first_payment_due, settings.first_payment_days):
        found.append((FIRST_PAYMENT, b.first_payment_due.isoformat(), FIRST_PAYMENT))
    if b.mortgage_at and local < b.mortgage_at:
        day = b.mortgage_at.astimezone(settings.tz).date()
        due = [d for d in settings.mortgage_days if opened(day, d)]
        for d in due:
            found.append((f"{MORTGAGE}_{d}", b.mortgage_at.isoformat(),
                          MORTGAGE if d == min(due) else None))
    if b.loan_documents_due and b.loan_documents_in_at is None:
        if today > b.loan_documents_due and local.time() >= at:
            found.append((LOAN_DOCUMENTS, b.loan_documents_due.isoformat(), LOAN_DOCUMENTS))
        if today >= b.loan_documents_due + timedelta(days=settings.loan_documents_staff_days):
            found.append((LOAN_DOCUMENTS_STAFF, b.loan_documents_due.isoformat(),
                          LOAN_DOCUMENTS_STAFF))
    if opened(b.handover_due, 0):
        found.append((MOVE_IN, b.handover_due.isoformat(), MOVE_IN))
    return found


async def sweep(db: Database, settings: EstateSettings, now: datetime) -> int:
    """The buyers' reminders due now, each once per date it is about, never in quiet hours;
    a buyer not in the chat yet gets theirs when they join (until the date passes). Writes
    nothing when nothing is due."""
    local = now.astimezone(settings.tz)
    if settings.in_quiet_hours(local.time().replace(tzinfo=None)):
        return 0
    async with db.reading() as conn:
        sent = await buyers.sent(conn)
        due = [(b, kind, about, as_kind)
               for b in await buyers.before_move_in(conn)
               for kind, about, as_kind in _reminders(settings, b, local)
               if (b.contract_no, kind, about) not in sent]
        due = [d for d in due if d[1] == LOAN_DOCUMENTS_STAFF or d[0].user_id is not None]
    if not due:
        return 0
    told = 0
    async with db.transaction() as conn:
        for b, kind, about, as_kind in due:
            if not await buyers.note_sent(conn, b.contract_no, kind, about, now) or \
                    as_kind is None:
                continue
            if as_kind == MOVE_IN:  # the fees it lists are billed as it goes out
                await handover.bill_fees(conn, settings, b)
            payload: dict = {"contract": b.contract_no, "kind": kind, "about": about}
            outbox_kind = "buyer_" + as_kind
            if as_kind == MORTGAGE and b.mortgage_at:  # 3 days before reads unlike the eve
                outbox_kind = MORTGAGE_REMINDER
                payload["days"] = (b.mortgage_at.astimezone(settings.tz).date()
                                   - local.date()).days
            targets = [p.user_id for p in await people.reachable_with_role(
                conn, roles.SALES_SERVICE)] if as_kind == LOAN_DOCUMENTS_STAFF else [b.user_id]
            for target in targets:
                if target is not None:
                    await outbox.add(conn, target, outbox_kind, now, payload=payload)
                    told += 1
    return told

