"""Measurement (維修計量): what a visit used, priced from the storeroom's catalogue (or a free
item with its price), labour at the trade's hourly rate, stock issued with every visit,
the storekeeper told when an item runs under its minimum; and the clerk's confirmation or
correction of a finished job's figures, each its own record.

Stock never goes below zero. What a job used beyond the stock held is not refused (the
technician used it; refusing would only make the record untrue): it is a shortfall, shown to
the storekeeper at once and in /stock until resolved, either as taken from stock once the
delivery that was not entered is, or as not the estate's stock, with why. A responsible
unit's person records the unit's own materials: nothing is drawn from the estate's stock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from storage import drafts, locks, outbox, people, tickets
from storage.db import Connection, Database
from storage.exact import product
from storage.office import measurement as stored
from storage.office import storeroom
from storage.office.storeroom import Material
from storage.records import Draft, Person, Ticket
from storage.repairs import visits
from storage.repairs.visits import Item
from workflow import access, conversations, numbers, roles
from workflow import tickets as machine
from workflow.repairs import signoffs as signoff
from workflow.settings import EstateSettings
from workflow.tickets import Kind

MAX_QUANTITY = Decimal(10_000)
MAX_PRICE = Decimal(10_000_000)
ITEMS_SHOWN = 8  # a thumb's worth of the trade's usual items
MAX_ITEMS = 30
CORRECT_FLOW = "measurement_correction"
OUTSIDE_FLOW = "shortfall_outside"  # the storekeeper's reason: not the estate's stock
SHORTFALL_NOTE = "shortfall "  # a stock move's note: the shortfall it settles, by number
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


def units_own(ticket: Ticket, worker_role: str | None) -> bool:
    """A responsible unit's job (its person's, or the desk's record of it for a unit not in
    the chat): the materials are the unit's own, never the estate's stock."""
    return ticket.contractor_id is not None or worker_role == roles.CONTRACTOR


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
               quantity: Decimal | None, typed: Typed | None, own: bool = False) -> dict:
    """A visit's item, checked: a catalogue item by id or by code or name, or a free item
    with its price; Refusal for an unknown item or one too many. `own`: the worker is a
    responsible unit's, whose items are all the unit's own (typed, the price optional)."""
    if len(data.get("items", [])) >= MAX_ITEMS:
        raise Refusal(Refusal.INVALID)
    if own:  # a responsible unit's job: its own materials, never the estate's stock
        if typed is None or material_id is not None:
            raise Refusal(Refusal.INVALID)
        return {"material_id": None, "name": typed.name[:100], "unit": "",
                "quantity": str(typed.quantity), "unit_price": str(typed.price or 0),
                "own": True}
    if typed is not None and typed.price is not None:
        return {"material_id": None, "name": typed.name[:100], "unit": "",
                "quantity": str(typed.quantity), "unit_price": str(typed.price)}
    found = await storeroom.get(conn, material_id) if material_id is not None else \
        await storeroom.find(conn, typed.name) if typed is not None else None
    amount = quantity if quantity is not None else typed.quantity if typed else None
    if found is None or amount is None or not 0 < amount <= MAX_QUANTITY:
        raise Refusal(Refusal.NOT_FOUND)
    return as_item(found, amount)


@dataclass(frozen=True)
class Recorded:
    """A visit recorded: its round, and the job's totals over every visit with it."""
    round: int
    labour_hours: Decimal
    materials_cost: Decimal
    labour_cost: Decimal


async def record_visit(conn: Connection, ticket: Ticket, data: dict, actor_id: int,
                       now: datetime, typed_cost: Decimal | None,
                       worker: Person | None = None,
                       before: visits.Sums | None = None) -> Recorded:
    """The visit with its materials and labour (in the completion's transaction): stock is
    issued for catalogue items, and the storekeeper hears of any now under its minimum.
    `worker`: the actor, and `before` the visits so far, when the caller has read them."""
    items = items_of(data)
    materials_cost = typed_cost if typed_cost is not None else \
        sum((i.amount for i in items), Decimal(0))
    hours = exact(data["hours"])
    if before is None:
        before = await visits.sums(conn, ticket.id, ticket.category)  # the rate with them
    labour_cost = product(hours, before.rate)
    round_ = before.last_round + 1
    await visits.add(conn, ticket.id, round_, actor_id, now, data["note"], hours,
                     materials_cost, labour_cost)
    recorded = Recorded(round_, *before.with_visit(hours, materials_cost, labour_cost))
    await visits.add_items(conn, ticket.id, [Item(round_, *_fields(i)) for i in items])
    if worker is None or worker.user_id != actor_id:
        worker = await people.get(conn, actor_id)
    if units_own(ticket, worker.role if worker else None):
        return recorded  # the unit's own materials: the estate's stock is not drawn on
    # item by item in the one order, so two completions never wait on each other crosswise
    for item in sorted((i for i in items if i.material_id is not None),
                       key=lambda i: i.material_id or 0):
        assert item.material_id is not None
        await _issue(conn, ticket, item.material_id, item.quantity, actor_id, now)
    return recorded


async def _issue(conn: Connection, ticket: Ticket, material_id: int, quantity: Decimal,
                 actor_id: int, now: datetime) -> None:
    """Stock out for a job, never below zero: the rest is a shortfall the storekeeper is
    told of; and the storekeeper hears once that the item is under its minimum, again only
    after a receipt has brought it back up."""
    await locks.serialise(conn, f"material:{material_id}")  # PostgreSQL: one issue at a time
    held = await storeroom.get(conn, material_id, active=False)
    assert held is not None  # items are never deleted
    taken = min(quantity, max(held.stock, Decimal(0)))
    after = await storeroom.move(conn, held.id, -taken, "issue", now, actor_id, ticket.id) \
        if taken else held
    if taken < quantity:
        short = quantity - taken
        number = await storeroom.add_shortfall(conn, held.id, ticket.id, short, now, actor_id)
        await _tell_storekeepers(conn, "stock_shortfall", after, now, shortfall=number,
                                 quantity=str(short), ref=ticket.ref)
    await _low(conn, after, now)


async def _low(conn: Connection, item: Material, now: datetime) -> None:
    """Under its minimum: the storekeeper told, once until it is back at its minimum."""
    told = await storeroom.was_told_low(conn, item.id)
    if item.low and not told:
        await storeroom.low_told(conn, item.id, now)
        await _tell_storekeepers(conn, "stock_low", item, now)
    elif told and not item.low:  # back up (its minimum lowered at an import, say)
        await storeroom.low_told(conn, item.id, None)


def _fields(item: Item) -> tuple:
    return item.material_id, item.name, item.unit, item.quantity, item.unit_price


async def _tell_storekeepers(conn: Connection, kind: str, material: Material, now: datetime,
                             **more) -> None:
    keepers = await people.reachable_with_role(conn, roles.STOREKEEPER) or \
        await people.reachable_with_role(conn, roles.MANAGER)
    for person in keepers:
        await outbox.add(conn, person.user_id, kind, now, payload={
            "code": material.code, "name": material.name, "unit": material.unit,
            "stock": str(material.stock), "minimum": str(material.minimum), **more})


async def receive(db: Database, code: str, quantity: Decimal, note: str,
                  now: datetime) -> Material:
    """New stock in (a receipt), recorded; back at its minimum, the item's next fall under
    it is reported again."""
    async with db.transaction() as conn:
        found = await storeroom.by_code(conn, code)
        if found is None:
            raise Refusal(Refusal.NOT_FOUND)
        received = await storeroom.move(conn, found.id, quantity, "receipt", now, None,
                                         note=note)
        if not received.low:  # back at its minimum: its next fall is told again
            await storeroom.low_told(conn, found.id, None)
        return received


FROM_STOCK, OUTSIDE = "stock", "outside"  # how a shortfall is resolved
MAX_NOTE = 500


async def shortfalls(db: Database) -> list[storeroom.Shortfall]:
    async with db.reading() as conn:
        return await storeroom.open_shortfalls(conn)


async def resolve(db: Database, shortfall_id: int, how: str, note: str, now: datetime,
                  actor_id: int | None = None) -> storeroom.Shortfall:
    """A shortfall resolved: FROM_STOCK once the delivery that was not entered is (the
    quantity is issued to its job now; Refusal INVALID while the stock is short of it), or
    OUTSIDE, not the estate's stock (why, in `note`). Refusal NOT_FOUND for one unknown or
    resolved already; FORBIDDEN for someone in the chat /stock is not for."""
    async with db.transaction() as conn:
        return await _resolve(conn, shortfall_id, how, note, now, actor_id)


async def _resolve(conn: Connection, shortfall_id: int, how: str, note: str, now: datetime,
                   actor_id: int | None) -> storeroom.Shortfall:
    note = note.strip()[:MAX_NOTE]
    if how not in (FROM_STOCK, OUTSIDE) or (how == OUTSIDE and not note):
        raise Refusal(Refusal.INVALID)
    if actor_id is not None:  # in the chat (the command line is the office's own)
        await access.require(conn, "office.stock", actor_id)
    found = await storeroom.open_shortfall(conn, shortfall_id)
    if found is not None:
        await locks.serialise(conn, f"material:{found.material.id}")
        found = await storeroom.open_shortfall(conn, shortfall_id)  # as it now stands
    # resolved first: of two at once (PostgreSQL), the second resolves nothing
    if found is None or not await storeroom.resolve_shortfall(conn, found.id, how, note,
                                                              now, actor_id):
        raise Refusal(Refusal.NOT_FOUND)
    if how == FROM_STOCK:
        if found.material.stock < found.quantity:
            raise Refusal(Refusal.INVALID)  # undoes the resolution
        await _low(conn, await storeroom.move(conn, found.material.id, -found.quantity,
                                              "issue", now, actor_id, found.ticket_id,
                                              note=f"{SHORTFALL_NOTE}{found.id}"), now)
    return found


async def resolution(db: Database, shortfall_id: int) -> tuple[str, datetime, int | None] | None:
    """How, when and by whom a shortfall was resolved (None: open, or no such shortfall)."""
    async with db.reading() as conn:
        return await storeroom.resolution(conn, shortfall_id)


async def start_outside(db: Database, shortfall_id: int, actor_id: int,
                        now: datetime) -> storeroom.Shortfall:
    """'Not the estate's stock': the storekeeper is asked why (Refusal NOT_FOUND when it is
    resolved already)."""
    async with db.transaction() as conn:
        await access.require(conn, "office.stock", actor_id)
        found = await storeroom.open_shortfall(conn, shortfall_id)
        if found is None:
            raise Refusal(Refusal.NOT_FOUND)
        await conversations.begin(conn, Draft(actor_id, OUTSIDE_FLOW, "reason",
                                              {"shortfall_id": found.id}), now)
        return found


async def resolve_outside(db: Database, actor_id: int, note: str,
                          now: datetime) -> tuple[int, storeroom.Shortfall | None]:
    """The reason given: the shortfall resolved as not the estate's stock. Its number, and
    None when someone resolved it while the reason was written (the conversation ends)."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, OUTSIDE_FLOW, "reason", now)
        await drafts.delete(conn, actor_id)
        number = draft.data["shortfall_id"]
        try:
            return number, await _resolve(conn, number, OUTSIDE, note, now, actor_id)
        except Refusal as refused:  # resolved already: nothing was written
            if refused.reason != Refusal.NOT_FOUND:
                raise
            return number, None


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

    @property
    def unpriced(self) -> bool:
        """Hours worked but no labour cost: the trade has no hourly rate (not free work)."""
        return self.labour_hours > 0 and self.labour_cost == 0


async def figures(conn: Connection, ticket_id: int) -> Figures:
    """The job's figures: the clerk's latest confirmation or correction, else the visits'."""
    row = await stored.latest(conn, ticket_id)
    if row:
        return Figures(*row)
    hours, materials, labour = await visits.totals(conn, ticket_id)
    return Figures(hours, labour, materials, "recorded")


async def _measure(conn: Connection, ticket: Ticket, actor_id: int, now: datetime,
                   found: Figures) -> None:
    await stored.add(conn, ticket.id, now, actor_id, found.kind, found.labour_hours,
                           found.labour_cost, found.materials_cost, found.reason)
    await tickets.add_event(conn, ticket.id, now, actor_id, f"measurement_{found.kind}",
                            ticket.status, ticket.status,
                            f"{found.total.normalize():f}" +
                            (f": {found.reason}" if found.reason else ""))


async def _finished(conn: Connection, ticket_id: int, actor_id: int) -> Ticket:
    await access.require(conn, "office.measurement", actor_id)
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
                  locale, settings: EstateSettings) -> Figures | None:
    """'<hours> <materials cost> <reason>': new figures beside the old (never over them);
    labour at the trade's rate; a repair form already out goes to its signers again.
    None when the text is not in that form; numbers.Unreadable when a number in it cannot
    be taken."""
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
        await signoff.figures_corrected(conn, settings, ticket, actor_id, now)
        return corrected


async def ticket_figures(db: Database, ticket_id: int) -> tuple[Figures, list[Item]]:
    async with db.reading() as conn:
        return await figures(conn, ticket_id), await visits.items(conn, ticket_id)
