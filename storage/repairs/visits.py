"""Each visit's own record of labour and materials: a reopened job adds a visit and never
overwrites the last one; the ticket's totals are their sum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from storage.db import Connection, db_time, to_db_time
from storage.exact import HOURS, MONEY, QUANTITY, product


@dataclass(frozen=True)
class Visit:
    round: int
    worker_id: int | None
    completed_at: datetime
    note: str
    labour_hours: Decimal
    materials_cost: Decimal
    labour_cost: Decimal = Decimal(0)  # the hours at the trade's rate when it was recorded


@dataclass(frozen=True)
class Item:
    """A material used on a visit: from the catalogue (material_id), or a free item."""
    round: int
    material_id: int | None
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return product(self.quantity, self.unit_price)


@dataclass(frozen=True)
class Sums:
    """What a new visit adds to: the trade's hourly rate, the last visit's round, and the
    visits' totals so far (hours, materials cost, labour cost), read in one statement."""
    rate: Decimal
    last_round: int
    hours: int  # as stored (hundredths), so that a sum with the new visit's is exact
    materials_cost: int
    labour_cost: int

    def with_visit(self, hours: Decimal, materials_cost: Decimal,
                   labour_cost: Decimal) -> tuple[Decimal, Decimal, Decimal]:
        """The totals once the visit is added (as `totals` would read them then)."""
        return (HOURS.of(self.hours + (HOURS.to_db(hours) or 0)),
                MONEY.of(self.materials_cost + (MONEY.to_db(materials_cost) or 0)),
                MONEY.of(self.labour_cost + (MONEY.to_db(labour_cost) or 0)))


_SUMS = ("coalesce(max(round), 0)", "coalesce(sum(labour_hours), 0)",
         "coalesce(sum(materials_cost), 0)", "coalesce(sum(labour_cost), 0)")


async def sums(conn: Connection, ticket_id: int, trade: str) -> Sums:
    row = await (await conn.execute(
        "SELECT (SELECT hourly FROM labour_rates WHERE trade = ?), coalesce(max(round), 0), "
        "coalesce(sum(labour_hours), 0), coalesce(sum(materials_cost), 0), "
        "coalesce(sum(labour_cost), 0) FROM visits WHERE ticket_id = ?",
        (trade, ticket_id))).fetchone()
    return Sums(MONEY.of(row[0]), int(row[1]), int(row[2]), int(row[3]), int(row[4]))


async def add(conn: Connection, ticket_id: int, round_: int, worker_id: int | None,
              completed_at: datetime, note: str, labour_hours: Decimal,
              materials_cost: Decimal, labour_cost: Decimal = Decimal(0)) -> None:
    """Appends visit `round_` (the last one's, from `sums`, plus one): sent without waiting;
    two completions racing for a round meet at the ticket's compare-and-set, or at the
    unique round, and one rolls back."""
    await conn.send(
        "INSERT INTO visits (ticket_id, round, worker_id, completed_at, note, labour_hours, "
        "materials_cost, labour_cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, round_, worker_id, to_db_time(completed_at), note,
         HOURS.to_db(labour_hours), MONEY.to_db(materials_cost), MONEY.to_db(labour_cost)))


async def add_items(conn: Connection, ticket_id: int, items: list[Item]) -> None:
    if not items:
        return
    await conn.executemany(
        "INSERT INTO visit_materials (ticket_id, round, material_id, name, unit, quantity, "
        "unit_price) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(ticket_id, i.round, i.material_id, i.name, i.unit, QUANTITY.to_db(i.quantity),
          MONEY.to_db(i.unit_price)) for i in items])


async def items(conn: Connection, ticket_id: int) -> list[Item]:
    cur = await conn.execute(
        "SELECT round, material_id, name, unit, quantity, unit_price FROM visit_materials "
        "WHERE ticket_id = ? ORDER BY round, id", (ticket_id,))
    return [Item(r[0], r[1], r[2], r[3], QUANTITY.of(r[4]), MONEY.of(r[5]))
            for r in await cur.fetchall()]


async def totals(conn: Connection, ticket_id: int) -> tuple[Decimal, Decimal, Decimal]:
    """Labour hours, materials cost and labour cost over every visit."""
    row = await (await conn.execute(
        "SELECT coalesce(sum(labour_hours), 0), coalesce(sum(materials_cost), 0), "
        "coalesce(sum(labour_cost), 0) FROM visits WHERE ticket_id = ?",
        (ticket_id,))).fetchone()
    return HOURS.of(row[0]), MONEY.of(row[1]), MONEY.of(row[2])


async def of_ticket(conn: Connection, ticket_id: int) -> list[Visit]:
    cur = await conn.execute(
        "SELECT round, worker_id, completed_at, note, labour_hours, materials_cost, "
        "labour_cost FROM visits WHERE ticket_id = ? ORDER BY round", (ticket_id,))
    return [Visit(r[0], r[1], db_time(r[2]), r[3], HOURS.of(r[4]), MONEY.of(r[5]),
                  MONEY.of(r[6]))
            for r in await cur.fetchall()]
