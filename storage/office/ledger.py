"""The rows behind the office's documents: the repair ledger (one row per job, read in
batches), the month's counts by building and by responsible unit, the quarter's jobs of a
unit, and the hot spots (where and what keeps breaking)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from storage.db import Connection, to_db_time
from storage.exact import QUANTITY
from storage.office.measurement import COST_COLUMNS, COST_JOIN, ingredients

BATCH = 2000
# One row per repair, with everything an office files about it; its cost's ingredients last
# (measurement.COST_COLUMNS: workflow/office/costs.py weighs them); the rating is the
# reporter's.
LEDGER = f"""
SELECT t.ref, t.created_at, t.channel, u.building, u.unit, r.name, t.category, t.location,
       t.description, t.priority, c.name, w.name, t.assign_due_at, t.deadline_at,
       t.completed_at, t.status,
       (SELECT count(*) FROM visits v WHERE v.ticket_id = t.id),
       (SELECT group_concat(s.party, ',') FROM signoffs s WHERE s.ticket_id = t.id),
       (SELECT s.rating FROM surveys s WHERE s.ticket_id = t.id AND
        s.resident_id = t.resident_id),
       r.phone, t.visit_date, t.visit_slot, t.work_note, t.closed_at, t.id,
       (SELECT v.seconds FROM ticket_voices v WHERE v.ticket_id = t.id),
       {COST_COLUMNS}
FROM tickets t
JOIN units u ON u.id = t.unit_id
LEFT JOIN people r ON r.user_id = t.resident_id
LEFT JOIN contractors c ON c.id = coalesce(t.contractor_id, t.defaulted_contractor_id)
LEFT JOIN people w ON w.user_id = t.technician_id
{COST_JOIN}
WHERE t.kind = 'R' AND t.created_at >= ? AND t.created_at < ?
ORDER BY t.created_at, t.id
"""
# the job's id; the length of its voice note (None without); where the cost's ingredients begin
LEDGER_ID, LEDGER_VOICE, LEDGER_COST = 24, 25, 26


async def ledger_rows(conn: Connection, start: datetime,
                      end: datetime) -> AsyncIterator[tuple]:
    """The period's repairs in the order they came, a batch at a time: each row's columns,
    then the job's materials ((name, unit, quantity), ...) in place of its id, the seconds of
    the voice note describing it (None if typed), then its cost's ingredients."""
    cur = await conn.execute(LEDGER, (to_db_time(start), to_db_time(end)))
    while True:
        batch = [tuple(row) for row in await cur.fetchmany(BATCH)]
        if not batch:
            return
        used = await _materials(conn, [row[LEDGER_ID] for row in batch])
        for row in batch:
            yield (*row[:LEDGER_ID], tuple(used.get(row[LEDGER_ID], ())), row[LEDGER_VOICE],
                   ingredients(row[LEDGER_COST:]))


async def _materials(conn: Connection, ticket_ids: list[int]) -> dict[int, list[tuple]]:
    """What each of a batch's jobs used, over all its visits, in one statement (a batch of
    2,000 jobs is 2,000 parameters: within SQLite's and PostgreSQL's limits)."""
    cur = await conn.execute(
        "SELECT ticket_id, name, unit, quantity FROM visit_materials WHERE ticket_id IN "
        f"({','.join('?' * len(ticket_ids))}) ORDER BY ticket_id, round, id",
        tuple(ticket_ids))
    used: dict[int, list[tuple]] = {}
    for ticket_id, name, unit, quantity in await cur.fetchall():
        used.setdefault(ticket_id, []).append((name, unit, QUANTITY.of(quantity)))
    return used


async def counts_by(conn: Connection, column: str, start: datetime,
                    end: datetime) -> dict[str, int]:
    """The period's repairs counted by building, or by responsible unit."""
    sql = {"building": "SELECT u.building, count(*) FROM tickets t JOIN units u ON "
                       "u.id = t.unit_id WHERE t.kind = 'R' AND t.created_at >= ? AND "
                       "t.created_at < ? GROUP BY u.building",
           "unit": "SELECT coalesce(c.name, ''), count(*) FROM tickets t LEFT JOIN "
                   "contractors c ON c.id = coalesce(t.contractor_id, "
                   "t.defaulted_contractor_id) WHERE t.kind = 'R' AND t.created_at >= ? AND "
                   "t.created_at < ? GROUP BY 1"}[column]
    cur = await conn.execute(sql, (to_db_time(start), to_db_time(end)))
    return {r[0]: r[1] for r in await cur.fetchall()}


# SQLite's unary `+` keeps a column's index out of the plan (PostgreSQL has no `+` for
# times, and its planner weighs the indexes by their statistics).
_OPEN_AT_SQL = (
    "SELECT (SELECT count(*) FROM tickets WHERE completed_at IS NULL AND kind = 'R' AND "
    "{p}created_at < ? AND status != 'merged') + (SELECT count(*) FROM tickets WHERE "
    "completed_at >= ? AND kind = 'R' AND {p}created_at < ? AND status != 'merged'), "
    "(SELECT count(*) FROM tickets t WHERE t.id IN (SELECT ticket_id FROM ticket_events "
    "WHERE action = 'not_fixed' AND at < ?) AND t.kind = 'R' AND {p}t.created_at < ? AND "
    "t.status != 'merged' AND {p}t.completed_at < ? AND EXISTS (SELECT 1 FROM ticket_events "
    "e WHERE e.ticket_id = t.id AND e.action = 'not_fixed' AND e.at < ? AND "
    "e.at >= t.completed_at))")
OPEN_AT = {"sqlite": _OPEN_AT_SQL.format(p="+"), "postgres": _OPEN_AT_SQL.format(p="")}


async def open_at(conn: Connection, moment: datetime) -> int:
    """Repairs reported before the moment and not done by it: never completed by then, or
    reopened ("not fixed") after their last completion before it (the reopenings are read
    from the index on events' actions, not per ticket). "Not completed by then" is read
    through the completion's index, not by walking every ticket reported before it."""
    at = to_db_time(moment)
    row = await (await conn.execute(OPEN_AT[conn.dialect], (at,) * 7)).fetchone()
    return row[0] + row[1]


async def hot_spots(conn: Connection, start: datetime, end: datetime,
                    limit: int) -> list[tuple[str, str, str, int]]:
    """(building, floor, category, count) where repairs cluster; the floor is the unit's
    text before its '-' (12F of 12F-3)."""
    cur = await conn.execute(
        "SELECT u.building, CASE WHEN instr(u.unit, '-') > 0 THEN substr(u.unit, 1, "
        "instr(u.unit, '-') - 1) ELSE u.unit END, t.category, count(*) FROM tickets t "
        "JOIN units u ON u.id = t.unit_id WHERE t.kind = 'R' AND t.status != 'merged' AND "
        "t.created_at >= ? AND t.created_at < ? GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3 "
        "LIMIT ?", (to_db_time(start), to_db_time(end), limit))
    return [tuple(r) for r in await cur.fetchall()]


async def repeats(conn: Connection, start: datetime, end: datetime,
                  days: int) -> list[tuple[str, str, str, int]]:
    """(building, unit, category, count): the same unit and category reported again within
    `days` of an earlier report."""
    window, within = (("e.created_at >= t.created_at - (? * interval '1 day')", days)
                      if conn.dialect == "postgres" else
                      ("e.created_at >= strftime('%Y-%m-%dT%H:%M:%S', t.created_at, ?)",
                       f"-{days} days"))
    cur = await conn.execute(
        "SELECT u.building, u.unit, t.category, count(*) + 1 FROM tickets t "
        "JOIN units u ON u.id = t.unit_id WHERE t.kind = 'R' AND t.status != 'merged' AND "
        "t.created_at >= ? AND t.created_at < ? AND EXISTS (SELECT 1 FROM tickets e WHERE "
        "e.unit_id = t.unit_id AND e.category = t.category AND e.kind = 'R' AND e.id < t.id "
        f"AND e.status != 'merged' AND {window}) "
        "GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2 LIMIT 50",
        (to_db_time(start), to_db_time(end), within))
    return [tuple(r) for r in await cur.fetchall()]


async def by_category_month(conn: Connection, start: datetime,
                            end: datetime) -> list[tuple[str, str, int]]:
    """(category, month 'YYYY-MM', count), for the trend of recurring problems."""
    month = "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM')" \
        if conn.dialect == "postgres" else "substr(created_at, 1, 7)"
    cur = await conn.execute(
        f"SELECT category, {month}, count(*) FROM tickets WHERE kind = 'R' "
        "AND status != 'merged' AND created_at >= ? AND created_at < ? GROUP BY 1, 2",
        (to_db_time(start), to_db_time(end)))
    return [tuple(r) for r in await cur.fetchall()]


async def unit_counts(conn: Connection, start: datetime,
                      end: datetime) -> list[tuple[str, str, int]]:
    """(responsible unit, category, count) of the period's repairs that a unit is liable for."""
    cur = await conn.execute(
        "SELECT c.name, t.category, count(*) FROM tickets t JOIN contractors c ON c.id = "
        "coalesce(t.contractor_id, t.defaulted_contractor_id) WHERE t.kind = 'R' AND "
        "t.created_at >= ? AND t.created_at < ? GROUP BY 1, 2 ORDER BY 3 DESC",
        (to_db_time(start), to_db_time(end)))
    return [tuple(r) for r in await cur.fetchall()]


# A unit's quarter: the jobs it is or was liable for (done by it, or taken over by our own
# staff after it missed its deadline, with when) that were last completed in the quarter, or
# before it and not yet settleable when it began (done and measured: the later of the last
# completion and the desk's first measurement), so that a job measured after its quarter is
# settled in a later one, not lost; with their status, that first measurement's moment and
# their cost's ingredients. workflow/office/settlement.py decides what is settled when.
SETTLEMENT = f"""
SELECT t.ref, u.building, u.unit, t.category, t.completed_at, t.deadline_at,
       CASE WHEN t.defaulted_contractor_id = ? THEN 'taken_over' ELSE 'charged' END, t.status,
       (SELECT max(e.at) FROM ticket_events e WHERE e.ticket_id = t.id AND
        e.action = 'contractor_defaulted'),
       (SELECT min(x.at) FROM measurements x WHERE x.ticket_id = t.id),
       {COST_COLUMNS}
FROM tickets t
JOIN units u ON u.id = t.unit_id
{COST_JOIN}
WHERE t.kind = 'R' AND t.completed_at < ? AND
      (t.defaulted_contractor_id = ? OR t.contractor_id = ?) AND
      (t.completed_at >= ? OR (t.status != 'merged' AND (t.status NOT IN (?, ?) OR
       NOT EXISTS (SELECT 1 FROM measurements x WHERE x.ticket_id = t.id AND x.at < ?))))
ORDER BY t.completed_at, t.id
"""


async def settlement_rows(conn: Connection, contractor_id: int, start: datetime,
                          end: datetime, done: tuple[str, str]) -> list[tuple]:
    """(ref, building, unit, category, completed at, deadline, kind, status, taken over at,
    first measured at, ingredients); `done` are the statuses of work done."""
    since = to_db_time(start)
    cur = await conn.execute(SETTLEMENT, (contractor_id, to_db_time(end), contractor_id,
                                          contractor_id, since, *done, since))
    return [(*r[:10], ingredients(r[10:])) for r in await cur.fetchall()]


async def record_delivery(conn: Connection, contractor_id: int, period: str,
                          now: datetime) -> int:
    """The settlement's delivery (once per unit and quarter); returns its id."""
    await conn.send(
        "INSERT INTO settlement_deliveries (contractor_id, period, sent_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING", (contractor_id, period, to_db_time(now)))
    row = await (await conn.execute(
        "SELECT id FROM settlement_deliveries WHERE contractor_id = ? AND period = ?",
        (contractor_id, period))).fetchone()
    return row[0]


async def acknowledge(conn: Connection, delivery_id: int, contractor_id: int, user_id: int,
                      now: datetime) -> bool:
    """The unit's receipt (送達), once; False when already acknowledged (or not theirs)."""
    cur = await conn.execute(
        "UPDATE settlement_deliveries SET acknowledged_at = ?, acknowledged_by = ? WHERE "
        "id = ? AND contractor_id = ? AND acknowledged_at IS NULL",
        (to_db_time(now), user_id, delivery_id, contractor_id))
    return cur.rowcount == 1


async def delivery(conn: Connection, delivery_id: int) -> tuple | None:
    """(contractor id, period, sent at, acknowledged at, acknowledged by)."""
    row = await (await conn.execute(
        "SELECT contractor_id, period, sent_at, acknowledged_at, acknowledged_by FROM "
        "settlement_deliveries WHERE id = ?", (delivery_id,))).fetchone()
    return tuple(row) if row else None


async def record_paper_receipt(conn: Connection, delivery_id: int, signer: str,
                               clerk_id: int, now: datetime) -> bool:
    """A receipt signed on paper, entered by a clerk, once; False when already received."""
    cur = await conn.execute(
        "UPDATE settlement_deliveries SET acknowledged_at = ?, paper_signer = ?, "
        "recorded_by = ? WHERE id = ? AND acknowledged_at IS NULL",
        (to_db_time(now), signer, clerk_id, delivery_id))
    return cur.rowcount == 1


async def receipts(conn: Connection, period: str) -> dict[int, tuple]:
    """Per unit delivered the quarter's settlement: (delivery id, sent at, received at, who
    received it in the chat, who signed on paper, the clerk who recorded that)."""
    cur = await conn.execute(
        "SELECT d.contractor_id, d.id, d.sent_at, d.acknowledged_at, a.name, d.paper_signer, "
        "c.name FROM settlement_deliveries d LEFT JOIN people a ON a.user_id = "
        "d.acknowledged_by LEFT JOIN people c ON c.user_id = d.recorded_by WHERE d.period = ?",
        (period,))
    return {r[0]: tuple(r[1:]) for r in await cur.fetchall()}


async def residents_of(conn: Connection, refs: list[str]) -> dict[str, tuple[str, str]]:
    """The name and phone of the resident who reported each job (by reference), for a
    document the estate lets carry them."""
    if not refs:
        return {}
    marks = ", ".join("?" for _ in refs)
    cur = await conn.execute(
        f"SELECT t.ref, p.name, p.phone FROM tickets t JOIN people p ON "
        f"p.user_id = t.resident_id WHERE t.ref IN ({marks})", tuple(refs))
    return {r[0]: (r[1] or "", r[2] or "") for r in await cur.fetchall()}
