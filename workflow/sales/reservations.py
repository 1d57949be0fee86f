"""Unit sales control (房號管理): a unit is available, reserved or contracted. Only a
reservation payment holds a unit: recorded by the sales service or finance, it holds the
unit's place in line at once (first paid, first served: a second is refused), and a second
person verifies it against the money received before the unit counts as reserved; then every
sales person is told to stop offering it. Enquiries and intentions hold nothing.

Only units of the developer's inventory are for sale: it is imported on its own (building,
unit, area, price, status) and kept apart from the roster of occupied homes, which is never
for sale."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from storage import outbox, people, roster
from storage.db import Database
from storage.records import Unit
from storage.sales import units
from storage.sales.units import ForSale, Reservation
from workflow import access, dates, numbers, roles, tables
from workflow import tickets as machine
from workflow import units as unit_names
from workflow.onboarding.onboarding import unit_text
from workflow.settings import EstateSettings

Refusal = machine.Refusal
RECORDERS = (roles.SALES_SERVICE, roles.CASHIER)
VERIFIERS = (roles.CASHIER, roles.MANAGER, roles.SALES_SUPERVISOR)
VIEWERS = (*roles.SALES, roles.CASHIER)
MAX_AMOUNT = Decimal(100_000_000)
INVENTORY_COLUMNS = ("building", "unit", "area", "price", "status")
MAX_PRICE = Decimal(100_000_000_000)
# The status column as a developer's sheet writes it; a contracted unit is sold
STATUS_WORDS = {
    units.AVAILABLE: ("available", "for sale", "unsold", "可售", "待售", "未售"),
    units.RESERVED: ("reserved", "已下訂", "已訂", "已认购", "已認購", "已订", "已預訂", "已预订"),
    units.CONTRACTED: ("sold", "contracted", "已售", "已售出", "已簽約", "已签约"),
}
_RANK = {units.AVAILABLE: 0, units.RESERVED: 1, units.CONTRACTED: 2}


class Taken(Exception):
    """The unit is not free: its status, and the reservation that holds it, if any."""

    def __init__(self, unit: Unit, status: str, holder: Reservation | None) -> None:
        super().__init__(status)
        self.unit, self.status, self.holder = unit, status, holder


class SamePerson(Exception):
    """The person who recorded a reservation cannot also verify it."""


class NotForSale(Exception):
    """The unit is not in the developer's inventory (an occupied home, say)."""

    def __init__(self, unit: Unit) -> None:
        super().__init__(unit.label)
        self.unit = unit


class InventoryError(tables.TableError):
    """Every bad row of an inventory file; nothing of it is imported."""


@dataclass(frozen=True)
class InventoryRow:
    line: int
    building: str
    unit: str
    area: Decimal
    price: Decimal
    status: str


def status_of(word: str) -> str | None:
    plain = " ".join(numbers.normal(word).lower().split())
    return next((s for s, words in STATUS_WORDS.items() if plain in words), None)


def parse_inventory(raw: bytes, filename: str, locale: str = "en"
                    ) -> tuple[list[InventoryRow], list[tuple[int, str]]]:
    """The developer's inventory from CSV or XLSX, columns by name in any order: the good
    rows and the problems of the others (InventoryError when the file cannot be read)."""
    table = tables.read(raw, filename, InventoryError)
    header = list(table.header)
    missing = [c for c in INVENTORY_COLUMNS if c not in header]
    if missing:
        raise InventoryError([(1, "the first line must name the columns "
                               + ",".join(INVENTORY_COLUMNS) + "; missing: "
                               + ", ".join(missing))])
    found: list[InventoryRow] = []
    problems = list(table.problems)
    seen: dict[tuple[str, str], int] = {}  # each unit's first line
    for line, cells in table.rows:
        cell = {name: (cells[i].strip() if i < len(cells) else "")
                for i, name in enumerate(header)}
        building, unit = unit_text(cell["building"]), unit_text(cell["unit"])
        status = status_of(cell["status"])
        area: Decimal | None = None
        price: Decimal | None = None
        try:
            area = numbers.quantity(cell["area"], locale)
            price = numbers.amount(cell["price"], locale, maximum=MAX_PRICE)
        except numbers.Unreadable:
            area = price = None
        if not building or not unit or len(building) > 20 or len(unit) > 40:
            problems.append((line, "building and unit are needed (at most 20 and 40 "
                                   "characters)"))
        elif area is None or price is None:
            problems.append((line, "area and price must be numbers above 0 (area to the "
                                   "thousandth, price to the cent)"))
        elif status is None:
            problems.append((line, f"the status {cell['status']!r} is not one of available, "
                                   "reserved, sold"))
        elif (building, unit) in seen:
            problems.append((line, f"{building} {unit} is listed twice (line "
                                   f"{seen[(building, unit)]})"))
        else:
            seen[(building, unit)] = line
            found.append(InventoryRow(line, building, unit, area, price, status))
    return found, problems


async def import_inventory(db: Database, raw: bytes, filename: str, locale: str,
                           now: datetime) -> tuple[int, int, int]:
    """All or nothing, every bad row reported (InventoryError): (units read, new to the
    inventory, kept at the desk's status). An occupied home on the roster is never for sale.
    The file sets each unit's status, except that it never undoes what the desk recorded: a
    unit held by a live reservation or sold under a contract keeps its status unless the
    file moves it on."""
    rows, problems = parse_inventory(raw, filename, locale)
    new = kept = 0
    async with db.transaction() as conn:
        ids = {}
        for row in rows:
            ids[row.line] = unit_id = await roster.unit_id(conn, row.building, row.unit)
            if row.status != units.CONTRACTED and await roster.entries_of_unit(conn, unit_id):
                problems.append((row.line, f"{row.building} {row.unit} is an occupied home on "
                                           "the owner roster: it cannot be for sale"))
        if problems:
            raise InventoryError(problems)  # rolls back the units named on the way
        for row in rows:
            unit_id = ids[row.line]
            listed, reserved, contracted = await units.held(conn, unit_id)
            current = await units.status(conn, unit_id)
            status = row.status
            if (reserved or contracted) and _RANK[status] < _RANK[current]:
                status, kept = current, kept + 1
            new += not listed
            await units.put_for_sale(conn, unit_id, row.area, row.price, now)
            if status != current:  # a unit newly listed as available is no day's sale
                await units.set_status(conn, unit_id, status, now)
    return len(rows), new, kept


async def reserve(db: Database, actor_id: int, unit: str, amount: Decimal, receipt: str,
                  buyer: str, now: datetime) -> Reservation:
    if not 0 < amount <= MAX_AMOUNT or not receipt or not buyer:
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "sales.reserve", actor_id)
        found, _ = await unit_names.find(conn, unit)
        if len(found) != 1:
            raise Refusal(Refusal.NOT_FOUND)
        if not await units.for_sale(conn, found[0].id):
            raise NotForSale(found[0])
        status = await units.status(conn, found[0].id)
        reservation_id = await units.add_reservation(conn, found[0].id, buyer[:100], amount,
                                                     receipt[:40], actor_id, now) \
            if status == units.AVAILABLE else None
        if reservation_id is None:
            raise Taken(found[0], status, await units.live_of_unit(conn, found[0].id))
        for role in VERIFIERS:
            for person in await people.reachable_with_role(conn, role):
                if person.user_id != actor_id:
                    await outbox.add(conn, person.user_id, "reservation_to_verify", now,
                                     actor_id=actor_id, payload={"reservation": reservation_id})
        made = await units.get(conn, reservation_id)
        assert made is not None
        return made


async def verify(db: Database, actor_id: int, reservation_id: int, accept: bool,
                 now: datetime) -> Reservation:
    """The second person's check: the money is there (the unit is reserved, and every sales
    person told) or it is not (the reservation is void and the unit free again)."""
    async with db.transaction() as conn:
        await access.require(conn, "sales.verify", actor_id)
        found = await units.get(conn, reservation_id)
        if found is None:
            raise Refusal(Refusal.NOT_FOUND)
        if found.recorded_by == actor_id:
            raise SamePerson()
        if accept and not await units.for_sale(conn, found.unit.id):
            raise NotForSale(found.unit)  # recorded before the inventory was kept
        if not await units.decide(conn, reservation_id,
                                  units.VERIFIED if accept else units.VOID, actor_id, now):
            raise Refusal(Refusal.STALE)
        payload = {"reservation": reservation_id}
        if accept:
            await units.set_status(conn, found.unit.id, units.RESERVED, now)
            told = {p.user_id for role in (roles.SALES_SERVICE, roles.SALES_SUPERVISOR)
                    for p in await people.reachable_with_role(conn, role)}
            for user_id in sorted((told | {found.recorded_by}) - {actor_id}):
                await outbox.add(conn, user_id, "unit_reserved", now, actor_id=actor_id,
                                 payload=payload)
        else:
            await outbox.add(conn, found.recorded_by, "reservation_void", now,
                             actor_id=actor_id, payload=payload)
        decided = await units.get(conn, reservation_id)
        assert decided is not None
        return decided


async def get(db: Database, reservation_id: int) -> Reservation | None:
    async with db.reading() as conn:
        return await units.get(conn, reservation_id)


def _in_order(unit: Unit) -> tuple:
    """A building's units as its floors go: 8F-2 before 10F-1 (the digits as numbers)."""
    return (unit.building, [(int(part), "") if part.isdigit() else (0, part)
                            for part in re.findall(r"\d+|\D+", unit.unit)])


async def board(db: Database, actor_id: int) -> list[ForSale]:
    """The developer's inventory, each unit with its sales status, for /units."""
    async with db.reading() as conn:
        await access.require(conn, "sales.units", actor_id)
        return sorted(await units.statuses(conn), key=lambda u: _in_order(u.unit))


async def daily_report(db: Database, settings: EstateSettings, now: datetime) -> int:
    """The day's sales (units reserved and contracted, payments recorded) to the sales
    supervisors (the managers when there are none), once a day from `sales_report_time`.
    Nothing on a day without sales."""
    local = now.astimezone(settings.tz)
    if local.time().replace(tzinfo=None) < settings.sales_report_time:
        return 0
    start = datetime.combine(local.date(), datetime.min.time(), settings.tz)
    async with db.reading() as conn:
        if await units.report_sent(conn, local.date().isoformat()):
            return 0
        changed = await units.changed_between(conn, start, start + timedelta(days=1))
        recorded = await units.recorded_between(conn, start, start + timedelta(days=1))
    if not changed and not recorded:
        return 0
    async with db.transaction() as conn:
        if not await units.note_report(conn, local.date().isoformat(), now):
            return 0
        readers = await people.reachable_with_role(conn, roles.SALES_SUPERVISOR) or \
            await people.reachable_with_role(conn, roles.MANAGER)
        for reader in readers:
            await outbox.add(conn, reader.user_id, "sales_report", now,
                             payload={"day": local.date().isoformat()})
        return len(readers)


async def day_figures(db: Database, settings: EstateSettings, day: str
                      ) -> tuple[list[tuple[Unit, str]], list[Reservation]]:
    start = datetime.combine(dates.day(day), datetime.min.time(),
                             settings.tz)
    async with db.reading() as conn:
        return (await units.changed_between(conn, start, start + timedelta(days=1)),
                await units.recorded_between(conn, start, start + timedelta(days=1)))
