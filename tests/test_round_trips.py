"""PostgreSQL's round trips, held: a transaction is one pipeline (BEGIN sent with its first
statement, a write whose answer nobody reads (`send`) not waited for, COMMIT waiting once for
what is left), so an update costs the waits its reads need and one more per commit. Under a
webhook worker's per-chat lock (bot/serve.py) the lock goes ahead of the update's first read
and its release takes the update's replay mark: the lock costs no round trip of its own. On
SQLite there is no server to wait for: the same steps cost no round trip at all."""

import sqlite3

import psycopg
import pytest
from telegram import Update

from bot import serve
from storage import counts
from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff

# An update's own (the outbox delivery after it counted apart), under the chat's lock:
READ_ONLY_MOST = 2  # /help: the guard's look with the lock; the lock let go
STEP_MOST = 3  # a conversation's step: the look with the lock; the commit; mark and release
# "Confirm and send": the reads its filing waits for, the commit, the mark with the release
# (36 round trips before the pipeline, 23 before the reads were sent together, 15 before the
# filing's three checks were sent together and the lock rode the update's own); lower it as
# they are cut.
CONFIRM_MOST = 12
DELIVERY_MOST = 2  # one message: the claim with its ticket's file (one round trip, lock and
# commit included), the mark that it was sent (claimed moments ago: no renewal before it goes)
# A technician's step that changes the job ("on my way"): the look with the lock, the job's
# file, the change's answer, the commit, the mark with the release
STATUS_STEP_MOST = 5


def most(desk, figure: int) -> int:
    """What PostgreSQL may cost; SQLite has no server to wait for."""
    return figure if desk.schema is not None else 0


class Served:
    """Each update handled as a webhook worker handles it: under its chat's lock, its
    counts kept apart from those of the outbox delivery after it (production's is a task
    of its own)."""

    def __init__(self, desk, locked: bool = True) -> None:
        self.desk, self.locked = desk, locked
        self.used = self.delivered = counts.Counts()
        desk._process = self._process

    async def _process(self, data: dict) -> None:
        desk = self.desk
        update = Update.de_json(data, desk.app.bot)
        before = counts.now()
        if self.locked:
            async with desk.db.update_lock(serve.chat_of(update)):
                await desk.app.process_update(update)
        else:
            await desk.app.process_update(update)
        self.used = counts.now() - before
        before = counts.now()
        await desk.deliver()
        self.delivered = counts.now() - before
        if desk.errors:
            raise AssertionError(f"a handler failed: {desk.errors[0]!r}") from desk.errors[0]


async def test_a_read_only_update_waits_only_for_its_reads(desk):
    resident = await resident_of_a12(desk)
    served = Served(desk)
    await resident.send("/help")
    assert resident.last_text
    assert served.used.transactions == 0
    assert served.used.round_trips <= most(desk, READ_ONLY_MOST)


async def test_the_chat_lock_costs_no_round_trip_of_its_own(desk):
    """A step of a conversation costs the same with serve's lock as without: the lock rides
    the guard's look, and its release the mark (which has a round trip of its own
    without the lock)."""
    resident = await resident_of_a12(desk)
    await resident.send("/repair")
    served = Served(desk, locked=False)
    await resident.tap_data("r:c:plumbing")
    unlocked = served.used
    served.locked = True
    await resident.tap_data("r:g:normal")
    locked = served.used
    assert locked.round_trips == unlocked.round_trips <= most(desk, STEP_MOST)
    assert locked.transactions == unlocked.transactions  # the step's, and the mark's
    marked = await desk.query("SELECT count(*) FROM seen_updates WHERE channel = 'telegram' "
                              "AND event_id = ?", str(desk.next_update_id))
    assert marked == [(1 if desk.db.shared else 0,)]  # SQLite: it rides the next commit
    assert served.delivered.round_trips <= most(desk, 1)  # nothing to send: the claim


async def test_filing_a_repair_costs_few_round_trips(desk):
    resident = await resident_of_a12(desk)
    await report_leak(resident, send=False)
    served = Served(desk)
    await resident.tap_data("r:ok")
    assert await desk.query("SELECT count(*) FROM tickets") == [(1,)]
    assert served.used.round_trips <= most(desk, CONFIRM_MOST)
    assert served.used.round_trips < served.used.statements or desk.schema is None
    assert served.delivered.round_trips <= most(desk, DELIVERY_MOST)  # the clerk told


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


async def test_the_technician_on_the_way_and_the_resident_told_cost_few_round_trips(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    served = Served(desk)
    await tech.tap_starting("w:go:1:")
    assert "on the way" in resident.last_text
    assert served.used.round_trips <= most(desk, STATUS_STEP_MOST)
    assert served.delivered.round_trips <= most(desk, DELIVERY_MOST)  # the resident told
