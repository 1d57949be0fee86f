"""PostgreSQL's round trips, held: a transaction is one pipeline (BEGIN sent with its first
statement, a write whose answer nobody reads (`send`) not waited for, COMMIT waiting once for
what is left), so an update costs the waits its reads need and one more per commit. On
SQLite there is no server to wait for: the same steps cost no round trip at all."""

import sqlite3

import psycopg
import pytest

from storage import counts
from tests.stories import report_leak, resident_of_a12

# Each update's outbox delivery (the harness delivers after every update) is counted too.
READ_ONLY_MOST = 3  # /help: the replay check, the person, the outbox
# "Confirm and send": 21 statements in two transactions (with the outbox delivery), the
# reads sent before the one fetch that waits for them all where they can (36 round trips
# before the pipeline; 23 the ceiling before the reads were sent together); lower it as
# they are cut.
CONFIRM_MOST = 16


def most(desk, figure: int) -> int:
    """What PostgreSQL may cost; SQLite has no server to wait for."""
    return figure if desk.schema is not None else 0


async def test_a_read_only_update_waits_only_for_its_reads(desk):
    resident = await resident_of_a12(desk)
    before = counts.now()
    await resident.send("/help")
    used = counts.now() - before
    assert resident.last_text
    assert used.transactions == 0
    assert used.round_trips <= most(desk, READ_ONLY_MOST)


async def test_filing_a_repair_costs_few_round_trips(desk):
    resident = await resident_of_a12(desk)
    await report_leak(resident, send=False)
    before = counts.now()
    await resident.tap_data("r:ok")
    used = counts.now() - before
    assert await desk.query("SELECT count(*) FROM tickets") == [(1,)]
    assert used.round_trips <= most(desk, CONFIRM_MOST)
    assert used.round_trips < used.statements or desk.schema is None


async def test_writes_nobody_reads_ride_the_commit(desk):
    """Three INSERTs sent (nobody reads their answer) and the COMMIT: one wait on PostgreSQL."""
    before = counts.now()
    async with desk.db.transaction() as conn:
        for update_id in (1, 2, 3):
            await conn.send("INSERT INTO seen_updates (channel, event_id, seen_at) "
                            "VALUES ('telegram', ?, ?)",
                            (str(update_id), "2026-01-01T00:00:00.000000Z"))
    used = counts.now() - before
    assert (used.statements, used.transactions) == (3, 1)
    assert used.round_trips == most(desk, 1)
    assert await desk.query("SELECT count(*) FROM seen_updates") == [(3,)]


async def test_a_count_or_an_id_the_caller_keeps_is_answered_at_once(desk):
    """A write whose rowcount the caller reads waits for it; the read after it too; the
    commit takes what is left."""
    before = counts.now()
    async with desk.db.transaction() as conn:
        mark = ("INSERT INTO seen_updates (channel, event_id, seen_at) VALUES ('telegram', ?, ?) "
                "ON CONFLICT DO NOTHING")
        first = await conn.execute(mark, ("7", "2026-01-01T00:00:00.000000Z"))
        assert first.rowcount == 1
        again = await conn.execute(mark, ("7", "2026-01-01T00:00:00.000000Z"))
        assert again.rowcount == 0
        row = await (await conn.execute("SELECT count(*) FROM seen_updates")).fetchone()
        assert row[0] == 1
    used = counts.now() - before
    assert used.round_trips == most(desk, 4)


async def test_an_error_in_a_write_nobody_waited_for_rolls_the_whole_transaction_back(desk):
    """The duplicate is found at the commit's wait, not at its own statement: everything
    before it is undone all the same, and the error reaches the caller."""
    with pytest.raises((psycopg.IntegrityError, sqlite3.IntegrityError)):
        async with desk.db.transaction() as conn:
            for update_id in (1, 2, 2):
                await conn.send("INSERT INTO seen_updates (channel, event_id, seen_at) "
                                "VALUES ('telegram', ?, ?)",
                                (str(update_id), "2026-01-01T00:00:00.000000Z"))
    assert await desk.query("SELECT count(*) FROM seen_updates") == [(0,)]
    async with desk.db.transaction() as conn:  # the connection serves the next one
        await conn.execute("INSERT INTO seen_updates (channel, event_id, seen_at) "
                           "VALUES ('telegram', ?, ?)", ("3", "2026-01-01T00:00:00.000000Z"))
    assert await desk.query("SELECT event_id FROM seen_updates") == [("3",)]
