"""What a job costs the database, update by update (as Zulip's query-count assertions hold
theirs): a resident reports, the clerk dispatches with three taps, the technician goes,
arrives and completes with a photo, a note, the hours and the materials' cost. Each step's
statements, transactions and durable commits are held to a ceiling, so that a change that
reads the ticket or its file once more fails here rather than in a benchmark nobody reruns.

Counted: the update's own work (what `process_update` does), not the outbox delivery it
causes (a task of its own in production). The reads of the acting person are counted apart
too (found by their SQL text), as they are being made once per update elsewhere."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from storage import counts, people, ticket_files
from storage.db import Connection
from storage.postgres import PgConnection
from tests.stories import report_leak, resident_of_a12, staff

CLERK, TECH = 9001, 9002
# (step, who, statements, of them not reads of the acting person): the ceilings
DISPATCH = (("choose a technician", CLERK, 2, 2),
            ("pick the technician", CLERK, 2, 2),
            ("pick the deadline: assigned", CLERK, 9, 9))
COMPLETION = (("on my way", TECH, 8, 8),
              ("arrived", TECH, 8, 8),
              ("complete", TECH, 4, 4),
              ("a photo of the work", TECH, 3, 3),
              ("photos done", TECH, 4, 4),
              ("the note", TECH, 3, 3),
              ("the hours", TECH, 4, 4),
              ("the materials' cost: completed", TECH, 11, 11))
# PostgreSQL's round trips of any one step: the reads each waited for (several sent before
# one fetch wait once), the commit, and the replay mark's own
ROUND_TRIPS = {"dispatch": 5, "completion": 6}
PATH_AVERAGE = 10  # statements per update of each path, the target
TRANSACTIONS = 2  # the action's own and the replay mark's (which is to join the action's)
DURABLE = 1  # at most one commit per update waits for the disk
_PERSON_READ = people._PERSON + " WHERE user_id = ?"


@dataclass
class Step:
    name: str
    used: counts.Counts
    person_reads: int


class Meter:
    """Counts each update apart from the outbox delivery that follows it in the harness,
    and records the statements' text to tell the acting person's reads apart."""

    def __init__(self, desk, monkeypatch) -> None:
        self.desk, self.steps = desk, []
        self.statements: list[tuple[str, tuple]] = []
        self.delivered = counts.Counts()
        original = desk.deliver

        async def deliver() -> int:
            before = counts.now()
            try:
                return await original()
            finally:
                used = counts.now() - before
                for name in ("statements", "transactions", "durable", "round_trips"):
                    setattr(self.delivered, name,
                            getattr(self.delivered, name) + getattr(used, name))

        monkeypatch.setattr(desk, "deliver", deliver)
        for cls in (Connection, PgConnection):
            self._record(cls, monkeypatch)

    def _record(self, cls, monkeypatch) -> None:
        execute, executemany = cls.execute, cls.executemany

        async def recorded(conn, sql, parameters=()):
            self.statements.append((sql, tuple(parameters)))
            return await execute(conn, sql, parameters)

        async def recorded_many(conn, sql, rows):
            self.statements.append((sql, ()))
            return await executemany(conn, sql, rows)

        monkeypatch.setattr(cls, "execute", recorded)
        monkeypatch.setattr(cls, "executemany", recorded_many)

    async def step(self, name: str, actor: int, action) -> Step:
        self.statements.clear()
        self.delivered = counts.Counts()
        before = counts.now()
        await action
        whole = counts.now() - before
        used = whole - self.delivered
        mine = self.statements[:used.statements]  # the delivery runs after the update
        person = sum(sql == _PERSON_READ and params == (actor,) for sql, params in mine)
        self.steps.append(Step(name, used, person))
        return self.steps[-1]


def held(step: Step, statements: int, not_person: int, round_trips: int) -> None:
    used = step.used
    assert used.round_trips <= round_trips, (
        f"{step.name}: {used.round_trips} round trips, at most {round_trips}")
    assert used.statements <= statements, (
        f"{step.name}: {used.statements} statements, at most {statements}")
    assert used.statements - step.person_reads <= not_person, (
        f"{step.name}: {used.statements - step.person_reads} statements besides the "
        f"{step.person_reads} reads of the acting person, at most {not_person}")
    assert used.transactions <= TRANSACTIONS, (
        f"{step.name}: {used.transactions} transactions, at most {TRANSACTIONS}")
    assert used.durable <= DURABLE, (
        f"{step.name}: {used.durable} durable commits, at most {DURABLE}")


@pytest.fixture
async def job(desk, monkeypatch):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    return clerk, tech, Meter(desk, monkeypatch)


def trips(desk, path: str) -> int:
    """What PostgreSQL may wait; SQLite has no server to wait for."""
    return ROUND_TRIPS[path] if desk.schema is not None else 0


async def test_a_dispatch_tap_costs_few_statements(job, desk):
    clerk, _, meter = job
    taps = (clerk.tap_starting("d:tech:1:"), clerk.tap_starting(f"d:pt:1:{TECH}:"),
            clerk.tap_starting(f"d:dl:1:t{TECH}:2:"))
    for (name, actor, statements, not_person), tap in zip(DISPATCH, taps, strict=True):
        held(await meter.step(name, actor, tap), statements, not_person,
             trips(desk, "dispatch"))
    assert "R-2026-00001 assigned to Ah Wai" in clerk.last_text
    total = sum(s.used.statements for s in meter.steps)
    assert total / len(meter.steps) <= PATH_AVERAGE, (
        f"dispatch: {total / len(meter.steps):.1f} statements per tap")


async def test_a_completion_step_costs_few_statements(job, desk):
    clerk, tech, meter = job
    await clerk.tap_starting("d:tech:1:")
    await clerk.tap_starting(f"d:pt:1:{TECH}:")
    await clerk.tap_starting(f"d:dl:1:t{TECH}:2:")
    updates = (tech.tap_starting("w:go:1:"), tech.tap_starting("w:at:1:"),
               tech.tap_starting("w:done:1:"), tech.send_photo("after-1"),
               tech.tap_data("w:pd"), tech.send("Replaced the washer."), tech.send("1"),
               tech.send("120"))
    for (name, actor, statements, not_person), update in zip(COMPLETION, updates,
                                                              strict=True):
        held(await meter.step(name, actor, update), statements, not_person,
             trips(desk, "completion"))
    assert tech.last_text == "R-2026-00001 is complete. The resident has been asked to confirm."
    assert await desk.query("SELECT status, materials_cost FROM tickets") == [
        ("completed", 12000)]
    total = sum(s.used.statements for s in meter.steps)
    assert total / len(meter.steps) <= PATH_AVERAGE, (
        f"completion: {total / len(meter.steps):.1f} statements per update")


async def test_a_rounds_notices_read_their_ticket_once(job, desk, monkeypatch):
    """The assignment tells the resident and the technician in one delivery round: the
    ticket's file is read once for both, not once per message (on PostgreSQL with the
    round's claim); the next round reads it afresh."""
    clerk, tech, _ = job
    await clerk.tap_starting("d:tech:1:")
    await clerk.tap_starting(f"d:pt:1:{TECH}:")
    reads: list[int] = []
    read, with_claim, deliver = ticket_files.sent, ticket_files.sent_claimed, desk.deliver

    async def counted(conn, ticket_id: int):
        reads.append(ticket_id)
        return await read(conn, ticket_id)

    async def counted_with_claim(conn, worker: str, until: str):
        answer = await with_claim(conn, worker, until)

        async def answered():
            rows = await answer()
            if rows is not None:
                reads.append(rows.ticket.id)
            return rows
        return answered

    async def delivered() -> int:
        monkeypatch.setattr(ticket_files, "sent", counted)
        monkeypatch.setattr(ticket_files, "sent_claimed", counted_with_claim)
        try:
            return await deliver()
        finally:
            monkeypatch.setattr(ticket_files, "sent", read)
            monkeypatch.setattr(ticket_files, "sent_claimed", with_claim)

    monkeypatch.setattr(desk, "deliver", delivered)
    sent = "SELECT count(*) FROM outbox WHERE ticket_id = 1 AND sent_at IS NOT NULL"
    [(before,)] = await desk.query(sent)
    await clerk.tap_starting(f"d:dl:1:t{TECH}:2:")
    [(after,)] = await desk.query(sent)
    assert after - before >= 2, "the resident and the technician are told"
    assert reads == [1]
    await tech.tap_starting("w:go:1:")  # the resident told: a later round reads afresh
    assert reads == [1, 1]
