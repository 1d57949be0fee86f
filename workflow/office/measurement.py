"""Measurement (維修計量): what a visit used, priced from the storeroom's catalogue (or a free
item with its price), labour at the trade's hourly rate, stock issued with every visit,
the storekeeper told when an item runs under its minimum; and the clerk's confirmation or
correction of a finished job's figures, each its own record."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from storage import drafts, outbox, people, tickets
from storage.db import Connection, Database
from storage.exact import product
from storage.office import measurements, storeroom
from storage.office.storeroom import Material
from storage.records import Draft, Ticket
from storage.repairs import visits
from storage.repairs.visits import Item
from workflow import access, conversations, numbers, roles
from workflow import tickets as machine
from workflow.tickets import Kind

MAX_QUANTITY = Decimal(10_000)
MAX_PRICE = Decimal(10_000_000)
ITEMS_SHOWN = 8  # a thumb's worth of the trade's usual items
MAX_ITEMS = 30
CORRECT_FLOW = "measurement_correction"
ESTATE, UNIT, OWNER = "estate", "unit", "owner"  # who pays for a job
PAYERS = (UNIT, ESTATE, OWNER)
Refusal = machine.Refusal
# "elbow 2", "E12 2", "sealant 1 x 85", "矽利康 2×85", "膠帶 3 * 20"
NUMBER = r"[-+]?[\d.,]*\d"  # read by workflow/numbers.py, in the person's locale
PRICE = r"(?:NT\$|\$)?[-+]?[\d.,]*\d(?:\s*(?:元|塊|块))?"
ITEM = re.compile(rf"^(?P<name>.+?)\s+(?P<qty>{NUMBER})(?:\s*[x×*]\s*(?P<price>{PRICE}))?$")


@dataclass(frozen=True)
class Typed:
    name: str
    quantity: Decimal
    price: Decimal | None  # given for a free item


def parse_item(text: str, locale) -> Typed | None:
    """None when the text is not "name quantity [x price]"; numbers.Unreadable when it is
    but a number cannot be taken ("elbow 1,5")."""
    match = ITEM.match(numbers.normal(text))
    if match is None:
        return None
    quantity = numbers.quantity(match.group("qty"), locale, maximum=MAX_QUANTITY)
    price = numbers.amount(match.group("price"), locale, maximum=MAX_PRICE, zero=True) \
        if match.group("price") else None
    return Typed(match.group("name"), quantity, price)


def as_item(material: Material, quantity: Decimal) -> dict:
    """An item of a draft (JSON: exact numbers as their text)."""
    return {"material_id": material.id, "name": material.name, "unit": material.unit,
            "quantity": str(quantity), "unit_price": str(material.unit_price)}


def exact(value) -> Decimal:
    """A number of a draft: its text; a draft begun before amounts were exact holds a JSON
    float, whose shortest text is the number that was typed."""
    return Decimal(str(value))


def items_of(data: dict, round_: int = 0) -> list[Item]:
    return [Item(round_, i["material_id"], i["name"], i["unit"], exact(i["quantity"]),
                 exact(i["unit_price"])) for i in data.get("items", [])]


def total(data: dict) -> Decimal:
    return sum((i.amount for i in items_of(data)), Decimal(0))


async def usual_items(db: Database, trade: str) -> list[Material]:
    async with db.reading() as conn:
        return await storeroom.most_used(conn, trade, ITEMS_SHOWN)


async def has_catalogue(db: Database) -> bool:
    async with db.reading() as conn:
        return bool(await storeroom.catalogue(conn))


async def item(conn: Connection, data: dict, material_id: int | None,
               quantity: Decimal | None, typed: Typed | None) -> dict:
    """A visit's item, checked: a catalogue item by id or by code or name, or a free item
    with its price; Refusal for an unknown item or one too many."""
    if len(data.get("items", [])) >= MAX_ITEMS:
        raise Refusal(Refusal.INVALID)
    if typed is not None and typed.price is not None:
        return {"material_id": None, "name": typed.name[:100], "unit": "",
                "quantity": str(typed.quantity), "unit_price": str(typed.price)}
    found = await storeroom.get(conn, material_id) if material_id is not None else \
        await storeroom.find(conn, typed.name) if typed is not None else None
    amount = quantity if quantity is not None else typed.quantity if typed else None
    if found is None or amount is None or not 0 < amount <= MAX_QUANTITY:
        raise Refusal(Refusal.NOT_FOUND)
    return as_item(found, amount)


async def record_visit(conn: Connection, ticket: Ticket, data: dict, actor_id: int,
                       now: datetime, typed_cost: Decimal | None) -> int:
    """The visit with its materials and labour (in the completion's transaction): stock is
    issued for catalogue items, and the storekeeper hears of any now under its minimum."""
    items = items_of(data)
    materials_cost = typed_cost if typed_cost is not None else \
        sum((i.amount for i in items), Decimal(0))
    hours = exact(data["hours"])
    labour_cost = product(hours, await storeroom.rate(conn, ticket.category))
    round_ = await visits.add(conn, ticket.id, actor_id, now, data["note"], hours,
                              materials_cost, labour_cost)
    await visits.add_items(conn, ticket.id, [Item(round_, *_fields(i)) for i in items])
    for item in items:
        if item.material_id is None:
            continue
        before = await storeroom.get(conn, item.material_id)
        after = await storeroom.move(conn, item.material_id, -item.quantity, "issue", now,
                                     actor_id, ticket.id)
        if after.low and before is not None and not before.low:
            await _tell_storekeepers(conn, after, now)
    return round_


def _fields(item: Item) -> tuple:
    return item.material_id, item.name, item.unit, item.quantity, item.unit_price


async def _tell_storekeepers(conn: Connection, material: Material, now: datetime) -> None:
    keepers = await people.reachable_with_role(conn, roles.STOREKEEPER) or \
        await people.reachable_with_role(conn, roles.MANAGER)
    for person in keepers:
        await outbox.add(conn, person.user_id, "stock_low", now, payload={
            "code": material.code, "name": material.name, "unit": material.unit,
            "stock": str(material.stock), "minimum": str(material.minimum)})


async def receive(db: Database, code: str, quantity: Decimal, note: str,
                  now: datetime) -> Material:
    """New stock in (a receipt), recorded."""
    async with db.transaction() as conn:
        found = await storeroom.by_code(conn, code)
        if found is None:
            raise Refusal(Refusal.NOT_FOUND)
        return await storeroom.move(conn, found.id, quantity, "receipt", now, None, note=note)


# -- the clerk's measurement ------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    labour_hours: Decimal
    labour_cost: Decimal
    materials_cost: Decimal
    kind: str  # "recorded" (the visits' own), "confirmed" or "corrected"
    reason: str = ""

    @property
    def total(self) -> Decimal:
        return self.labour_cost + self.materials_cost


async def figures(conn: Connection, ticket_id: int) -> Figures:
    """The job's figures: the clerk's latest confirmation or correction, else the visits'."""
    row = await measurements.latest(conn, ticket_id)
    if row:
        return Figures(*row)
    hours, materials, labour = await visits.totals(conn, ticket_id)
    return Figures(hours, labour, materials, "recorded")


async def _measure(conn: Connection, ticket: Ticket, actor_id: int, now: datetime,
                   found: Figures) -> None:
    await measurements.add(conn, ticket.id, now, actor_id, found.kind, found.labour_hours,
                           found.labour_cost, found.materials_cost, found.reason)
    await tickets.add_event(conn, ticket.id, now, actor_id, f"measurement_{found.kind}",
                            ticket.status, ticket.status,
                            f"{found.total.normalize():f}" +
                            (f": {found.reason}" if found.reason else ""))


async def _finished(conn: Connection, ticket_id: int, actor_id: int) -> Ticket:
    await access.require(conn, "office.measuring", actor_id)
    ticket = await machine.load(conn, ticket_id)
    if ticket.kind != Kind.REPAIR or ticket.status not in (machine.COMPLETED,
                                                                     machine.CLOSED):
        raise Refusal(Refusal.STALE)
    return ticket


async def confirm(db: Database, ticket_id: int, actor_id: int, now: datetime) -> Figures | None:
    """計量確認: the figures as recorded are confirmed (None when already confirmed)."""
    async with db.transaction() as conn:
        ticket = await _finished(conn, ticket_id, actor_id)
        current = await figures(conn, ticket.id)
        if current.kind != "recorded":
            return None
        confirmed = Figures(current.labour_hours, current.labour_cost, current.materials_cost,
                            "confirmed")
        await _measure(conn, ticket, actor_id, now, confirmed)
        return confirmed


async def start_correction(db: Database, ticket_id: int, actor_id: int, now: datetime) -> Ticket:
    async with db.transaction() as conn:
        ticket = await _finished(conn, ticket_id, actor_id)
        await conversations.begin(conn, Draft(actor_id, CORRECT_FLOW, "figures",
                                              {"ticket_id": ticket.id}), now)
        return ticket


CORRECTION = re.compile(r"^(?P<hours>\S*\d\S*)\s+(?P<cost>\S*\d\S*)\s+(?P<reason>\S.*)$",
                        re.S)


async def correct(db: Database, actor_id: int, text: str, now: datetime,
                  locale) -> Figures | None:
    """'<hours> <materials cost> <reason>': new figures beside the old (never over them);
    labour at the trade's rate. None when the text is not in that form; numbers.Unreadable
    when a number in it cannot be taken."""
    match = CORRECTION.match(numbers.normal(text))
    if match is None:
        return None
    hours = numbers.hours(match.group("hours"), locale)
    cost = numbers.amount(match.group("cost"), locale, maximum=MAX_PRICE, zero=True)
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, CORRECT_FLOW, "figures", now)
        await drafts.delete(conn, actor_id)
        ticket = await _finished(conn, draft.data["ticket_id"], actor_id)
        labour = product(hours, await storeroom.rate(conn, ticket.category))
        corrected = Figures(hours, labour, cost, "corrected", match.group("reason")[:500])
        await _measure(conn, ticket, actor_id, now, corrected)
        return corrected


async def ticket_figures(db: Database, ticket_id: int) -> tuple[Figures, list[Item]]:
    async with db.reading() as conn:
        return await figures(conn, ticket_id), await visits.items(conn, ticket_id)
