"""The sweep and the digest read only what is open or due, never the whole tickets table:
their cost must not grow with the years of closed tickets (bench/sweep_bench.py measures it)."""

import pytest

from storage import tickets, timers
from workflow import tickets as machine

NOW = "2026-11-26T02:00:00.000000Z"
QUERIES = {
    "due timers": (timers.DUE_QUERY, (NOW, 200)),
    "overdue": (tickets.OVERDUE_QUERY, (NOW, NOW, 30)),
    "digest counts": (tickets.DIGEST_COUNTS_QUERY, (NOW,)),
    "today's visits": (tickets.VISITS_QUERY, ("2026-11-26", 20)),
    "oldest open": (tickets.OLDEST_QUERY, (5,)),
}


@pytest.mark.parametrize("name", QUERIES)
async def test_the_query_plan_reads_through_an_index(desk, name):
    sql, args = QUERIES[name]
    for analyzed in (False, True):  # with and without the planner's statistics
        async with desk.db.reading() as conn:
            if analyzed:
                await conn.execute("ANALYZE")
            plan = [row[3] for row in await (await conn.execute(
                "EXPLAIN QUERY PLAN " + sql, args)).fetchall()]
        full_scans = [step for step in plan if step.startswith("SCAN ")
                      and "INDEX" not in step]
        assert full_scans == [], f"{name}: {plan}"


def test_the_index_and_the_workflow_agree_on_what_is_unresolved():
    assert set(tickets.UNRESOLVED_STATUSES) == {machine.NEW, *machine.WORKING}
