"""The clerk's measurement of a finished job (計量確認): each confirmation or correction is a
record of its own, the latest one standing; none is ever overwritten."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from storage.db import Connection, to_db_time
from storage.exact import HOURS, MONEY


async def latest(conn: Connection, ticket_id: int) -> tuple | None:
    """(labour hours, labour cost, materials cost, kind, reason) of the latest record."""
    row = await (await conn.execute(
        "SELECT labour_hours, labour_cost, materials_cost, kind, reason FROM measurements "
        "WHERE ticket_id = ? ORDER BY id DESC LIMIT 1", (ticket_id,))).fetchone()
    if not row:
        return None
    return HOURS.of(row[0]), MONEY.of(row[1]), MONEY.of(row[2]), row[3], row[4]


async def add(conn: Connection, ticket_id: int, now: datetime, actor_id: int, kind: str,
              labour_hours: Decimal, labour_cost: Decimal, materials_cost: Decimal,
              reason: str) -> None:
    await conn.send(
        "INSERT INTO measurements (ticket_id, at, actor_id, kind, labour_hours, labour_cost, "
        "materials_cost, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, to_db_time(now), actor_id, kind, HOURS.to_db(labour_hours),
         MONEY.to_db(labour_cost), MONEY.to_db(materials_cost), reason))


# What a job's measured cost is weighed from (workflow/office/costs.py weighs it): the desk's
# latest measurement, the visits' sums, who was said to pay, whether a unit is or was liable,
# and the owner's quotation. Every document selects these same columns, so no document can
# take its figures from elsewhere. `t` is the ticket; COST_JOIN brings in `m`.
COST_COLUMNS = """
m.labour_hours, m.labour_cost, m.materials_cost, m.kind, m.reason,
(SELECT sum(v.labour_hours) FROM visits v WHERE v.ticket_id = t.id),
(SELECT sum(v.labour_cost) FROM visits v WHERE v.ticket_id = t.id),
(SELECT sum(v.materials_cost) FROM visits v WHERE v.ticket_id = t.id),
t.payer,
CASE WHEN t.contractor_id IS NULL AND t.defaulted_contractor_id IS NULL THEN 0 ELSE 1 END,
t.quote_amount, t.quote_state
"""
COST_COUNT = 12
COST_JOIN = """
LEFT JOIN measurements m ON m.id = (SELECT max(x.id) FROM measurements x
                                    WHERE x.ticket_id = t.id)
"""


@dataclass(frozen=True)
class Ingredients:
    measured: tuple[Decimal, Decimal, Decimal, str, str] | None  # hours, labour, materials,
    # kind, reason of the latest measurement
    recorded: tuple[Decimal, Decimal, Decimal]  # the visits' hours, labour, materials
    payer: str | None  # as the desk said
    liable_unit: bool  # a unit is responsible, or was and defaulted
    quote_amount: Decimal | None
    quote_state: str | None


def ingredients(values) -> Ingredients:
    """The COST_COLUMNS of a row."""
    v = tuple(values)
    measured = None if v[3] is None else (HOURS.of(v[0]), MONEY.of(v[1]), MONEY.of(v[2]),
                                          v[3], v[4] or "")
    return Ingredients(measured, (HOURS.of(v[5]), MONEY.of(v[6]), MONEY.of(v[7])), v[8],
                       bool(v[9]), None if v[10] is None else MONEY.of(v[10]), v[11])


async def of_ticket(conn: Connection, ticket_id: int) -> Ingredients | None:
    row = await (await conn.execute(
        f"SELECT {COST_COLUMNS} FROM tickets t {COST_JOIN} WHERE t.id = ?",
        (ticket_id,))).fetchone()
    return ingredients(row) if row else None


async def completed_between(conn: Connection, start: datetime, end: datetime,
                            statuses: tuple[str, ...]) -> list[tuple[Ingredients, int]]:
    """The ingredients of the repairs last completed in the period and now in one of the
    statuses (by the index on status and completion), each alike set once with how many
    repairs share it: a month is thousands of jobs and a handful of distinct costs."""
    marks = ", ".join("?" * len(statuses))
    cur = await conn.execute(
        f"SELECT {COST_COLUMNS}, count(*) FROM tickets t {COST_JOIN} WHERE t.status IN "
        f"({marks}) AND t.completed_at >= ? AND t.completed_at < ? AND t.kind = 'R' "
        f"GROUP BY {', '.join(str(n) for n in range(1, COST_COUNT + 1))}",
        (*statuses, to_db_time(start), to_db_time(end)))
    return [(ingredients(r[:COST_COUNT]), r[COST_COUNT]) for r in await cur.fetchall()]
