"""The sweep, the digest and the staff's lists read only what is open or due, never the whole
tickets table: their cost must not grow with the years of closed tickets (bench/scale.py
measures it)."""

import pytest

from storage import people, tickets, timers
from storage.office import ledger
from storage.privacy import access_log, breaches, retention
from storage.sales import buyers
from workflow import tickets as machine

pytestmark = pytest.mark.sqlite_only  # SQLite's own files and planner

NOW = "2026-11-26T02:00:00.000000Z"
QUERIES = {
    "due timers": (timers.DUE_QUERY, (NOW, 200)),
    "overdue": (tickets.OVERDUE_QUERY, (NOW, NOW, 30)),
    "digest counts": (tickets.DIGEST_COUNTS_QUERY, (NOW, NOW)),
    "today's visits": (tickets.VISITS_QUERY, ("2026-11-26", 20)),
    "oldest open": (tickets.OLDEST_QUERY, (5,)),
    "queue": (tickets.status_ids_query(5), (*machine.OPEN[1:], 30)),
    "a technician's tasks": (tickets.technician_ids_query(4), (9002, *machine.WORKING, 30)),
    "the unreachable staff": (people.UNREACHABLE_QUERY, ()),
    "a unit's handover": (buyers.UNIT_HANDOVER_QUERY, (7,)),
    "the access log's retention": (access_log.DROP_QUERY, (NOW, 500)),
    "open personal-data breaches": (breaches.OPEN_QUERY, ()),
    "the oldest retention forgets": (retention.OLDEST_QUERY, ()),
    "closed tickets past their time": (retention.TICKETS_DUE_QUERY, (NOW, 100)),
    "people who left past their time": (retention.PEOPLE_DUE_QUERY, (NOW, 10)),
}


# The planner's statistics as years of use leave them (bench/scale.py at 1M tickets, 4,000
# open): most tickets closed, so a status is not selective on its face.
YEARS_OF_USE = [
    ("tickets", "tickets_technician", "1000000 1000000 500000 13890"),
    ("tickets", "tickets_open", "4000 2000"),
    ("tickets", "tickets_status_completed", "1000000 500000 1"),
    ("tickets", "tickets_resident", "1000000 100 1"),
    ("tickets", "sqlite_autoindex_tickets_1", "1000000 1"),
    ("tickets", None, "1000000"),
]


async def plan_of(desk, sql, args, statistics: str) -> list[str]:
    async with desk.db.transaction() as conn:
        if statistics != "none":
            await conn.execute("ANALYZE")
        if statistics == "years of use":
            await conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'tickets'")
            await conn.executemany("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", YEARS_OF_USE)
            await conn.execute("ANALYZE sqlite_schema")  # the planner reads them again
        return [row[3] for row in await (await conn.execute(
            "EXPLAIN QUERY PLAN " + sql, args)).fetchall()]


@pytest.mark.parametrize("name", QUERIES)
async def test_the_query_plan_reads_through_an_index(desk, name):
    sql, args = QUERIES[name]
    for statistics in ("none", "analyzed", "years of use"):
        plan = await plan_of(desk, sql, args, statistics)
        full_scans = [step for step in plan if step.startswith("SCAN ")
                      and "INDEX" not in step and step != "SCAN CONSTANT ROW"]
        assert full_scans == [], f"{name}, statistics {statistics}: {plan}"


def test_the_index_and_the_workflow_agree_on_what_is_unresolved():
    assert set(tickets.UNRESOLVED_STATUSES) == {machine.NEW, *machine.WORKING}


async def test_the_repairs_open_at_a_months_end_are_read_by_their_completion(desk):
    """The monthly report's "open at the month's end": never completed, or completed since,
    or reopened since; not every ticket reported before the moment (all of history)."""
    for statistics in ("none", "analyzed", "years of use"):
        plan = await plan_of(desk, ledger.OPEN_AT["sqlite"], (NOW,) * 7, statistics)
        walks = [step for step in plan if (step.startswith("SCAN ") and "INDEX" not in step
                                           and step != "SCAN CONSTANT ROW")
                 or "tickets_created" in step]
        assert walks == [], f"statistics {statistics}: {plan}"
