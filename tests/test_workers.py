"""Several workers on one PostgreSQL database, as an operator runs them behind a load
balancer: three sweep 500 due timers and each fires once; three senders drain 300 messages to
30 people and each message goes once, in order for each person; a worker that dies holding
claims has them taken over when the lease runs out; two clerks on two workers dispatch one
report once."""

import asyncio
from datetime import timedelta

import pytest

from bot.wakeups import for_apps
from storage import counts
from storage.db import from_db_time
from storage.postgres import PgDatabase
from tests import backends
from tests.harness import DeskHarness
from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff
from workflow import alerts, delivery, roles

pytestmark = pytest.mark.postgres_only


async def workers(desk, count: int = 3) -> list[PgDatabase]:
    """Other processes' connections to the desk's estate."""
    found = [PgDatabase(backends.PG_URL, desk.schema, max_size=2) for _ in range(count)]
    for db in found:
        await db.open()
    return found


async def test_three_workers_sweep_500_due_timers_and_each_fires_once(desk):
    clerk, _, _ = await staff(desk)
    await report_leak(await resident_of_a12(desk))
    async with desk.db.transaction() as conn:  # 499 more reports waiting for a technician
        cur = await conn.execute("SELECT column_name FROM information_schema.columns WHERE "
                                 "table_schema = current_schema() AND table_name = 'tickets' "
                                 "AND column_name NOT IN ('id', 'ref')")
        names = ", ".join(r[0] for r in await cur.fetchall())
        for n in range(2, 501):
            await conn.execute(f"INSERT INTO tickets (id, ref, {names}) SELECT ?, ?, {names} "
                               "FROM tickets WHERE id = 1", (n, f"R-2026-{n:05d}"))
        await conn.execute("INSERT INTO timers (ticket_id, kind, due_at) SELECT t.id, x.kind, "
                           "x.due_at FROM tickets t, timers x WHERE x.ticket_id = 1 AND t.id > 1")
    now = desk.clock() + timedelta(hours=20)  # past the early warning of the assign target
    due = (await desk.query("SELECT count(*) FROM timers WHERE fired_at IS NULL AND due_at <= ?",
                            now.isoformat()))[0][0]
    assert due >= 500
    pool = await workers(desk)

    async def sweep_until_done(db) -> int:
        fired = 0
        while n := await alerts.sweep(db, desk.settings, now):
            fired += n
        return fired

    fired = await asyncio.gather(*(sweep_until_done(db) for db in pool))
    for db in pool:
        await db.close()
    assert sum(fired) == due
    assert await desk.query("SELECT count(*) FROM timers WHERE fired_at IS NOT NULL") == [(due,)]
    assert await desk.query(
        "SELECT ticket_id, recipient_id, kind FROM outbox WHERE ticket_id IS NOT NULL GROUP BY "
        "ticket_id, recipient_id, kind, payload HAVING count(*) > 1") == []


async def test_three_senders_drain_300_messages_to_30_people_in_order(desk):
    now = desk.clock()
    async with desk.db.transaction() as conn:
        for n in range(300):
            await conn.execute(
                "INSERT INTO outbox (recipient_id, kind, payload, created_at, next_attempt_at) "
                "VALUES (?, 'digest', ?, ?, ?)", (7000 + n % 30, f'{{"n": {n}}}',
                                                  now.isoformat(), now.isoformat()))
    pool = await workers(desk)
    log: list[tuple[str, int, int]] = []

    async def send(db, name: str) -> None:
        while True:  # as the outbox job does, every few seconds
            batch = await delivery.due(db, now, worker=name)
            if not batch:
                if not await desk.query("SELECT 1 FROM outbox WHERE sent_at IS NULL"):
                    return
                await asyncio.sleep(0.01)
                continue
            for message in batch:
                log.append((name, message.recipient_id, message.id))
                await asyncio.sleep(0)  # the other senders run meanwhile
                await delivery.sent(db, message, now)

    await asyncio.gather(*(send(db, f"worker-{i}") for i, db in enumerate(pool)))
    for db in pool:
        await db.close()
    ids = [message_id for _, _, message_id in log]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 300  # each once
    for person in range(7000, 7030):
        theirs = [message_id for _, who, message_id in log if who == person]
        assert theirs == sorted(theirs) and len(theirs) == 10  # in order
    assert len({name for name, _, _ in log}) > 1  # the work was shared


async def test_a_dead_senders_claims_are_taken_over_when_the_lease_runs_out(desk):
    now = desk.clock()
    async with desk.db.transaction() as conn:
        for n in range(4):
            await conn.execute(
                "INSERT INTO outbox (recipient_id, kind, payload, created_at, next_attempt_at) "
                "VALUES (?, 'digest', '{}', ?, ?)", (7100 + n % 2, now.isoformat(),
                                                     now.isoformat()))
    dead, alive = await workers(desk, 2)
    claimed = await delivery.due(dead, now, worker="dead")
    assert len(claimed) == 4  # and then the process is killed
    assert await delivery.due(alive, now + timedelta(seconds=10), worker="alive") == []
    taken = await delivery.due(alive, now + delivery.LEASE + timedelta(seconds=1),
                               worker="alive")
    assert [m.id for m in taken] == [m.id for m in claimed]
    for db in (dead, alive):
        await db.close()


async def test_two_clerks_on_two_workers_dispatch_one_report_once(desk, tmp_path):
    clerk, tech, _ = await staff(desk)
    second = desk.person(9005, "Clerk two", "en")
    await desk.hire(second, roles.CLERK, "Second clerk")
    other_tech = desk.person(9006, "Tech two", "en")
    await desk.hire(other_tech, roles.TECHNICIAN, "Ah Keung")
    await report_leak(await resident_of_a12(desk))
    other = DeskHarness(tmp_path / "other", clock=desk.clock)  # a second worker
    other.schema = desk.schema
    other.next_update_id = 10_000
    await other.start()
    try:
        second_there = other.person(9005, "Clerk two", "en")
        card = next(c for c in reversed(second.calls())
                    if any(b["callback_data"].startswith("d:tech:1:") for b in c.buttons()))
        await clerk.tap_starting("d:tech:1:")
        await second_there.tap_data(next(b["callback_data"] for b in card.buttons()
                                         if b["callback_data"].startswith("d:tech:1:")), card)
        await clerk.tap_starting("d:pt:1:9002:")
        await second_there.tap_starting("d:pt:1:9006:")
        await asyncio.gather(clerk.tap("2 days"), second_there.tap("5 days"))
        assert await desk.query("SELECT count(*) FROM ticket_events WHERE action = "
                                "'assigned'") == [(1,)]
        assert len(await desk.query("SELECT technician_id FROM tickets WHERE status = "
                                    "'assigned'")) == 1
    finally:
        await other.stop()


async def test_a_report_taken_by_one_worker_is_sent_by_another_woken_at_once(desk, tmp_path):
    """The clerk's card is committed by the worker that took the resident's report; that
    worker dies before sending it; the other worker, told by PostgreSQL, sends it without
    waiting for its next poll of the outbox."""
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    other = DeskHarness(tmp_path / "other", clock=desk.clock)
    other.schema = desk.schema
    await other.start()
    wakeups = for_apps([other.app])
    assert wakeups is not None
    wakeups.start()
    try:
        await asyncio.sleep(0.3)  # listening
        desk.deliver = _sends_nothing  # this worker commits and never sends
        await report_leak(resident)
        assert await desk.query("SELECT count(*) FROM outbox WHERE recipient_id = 9001 "
                                "AND kind = 'dispatch'") == [(1,)]
        for _ in range(100):
            if any(c.chat_id == clerk.user_id for c in other.api.calls):
                break
            await asyncio.sleep(0.05)
        [card] = [c for c in other.api.calls if c.chat_id == clerk.user_id]
        assert "R-" in card.text and card.buttons()
        unsent = "SELECT count(*) FROM outbox WHERE recipient_id = 9001 AND sent_at IS NULL"
        for _ in range(100):  # the send is marked just after Telegram's answer, not with it
            if await desk.query(unsent) == [(0,)]:
                break
            await asyncio.sleep(0.05)
        assert await desk.query(unsent) == [(0,)]
    finally:
        await wakeups.stop()
        await other.stop()


async def _sends_nothing() -> int:
    return 0


async def test_an_escalation_firing_while_the_technician_completes_has_one_outcome(desk):
    """Another worker's sweep fires the late alert of a repair at the moment the technician
    sends its last answer: neither waits for the other for ever, the completion stands, and
    the alert is either sent once (it came first) or not at all (the repair was done)."""
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    [other] = await workers(desk, 1)
    try:
        for ticket in range(1, 5):
            await report_leak(resident)
            await assign_to_tech(clerk, ticket, days=1)
            await tech.tap_starting(f"w:go:{ticket}")
            await tech.tap_starting(f"w:at:{ticket}")
            desk.clock.advance(days=2)  # a long job: past the deadline, the late alert is due
            await tech.tap_starting(f"w:done:{ticket}")
            await tech.send_photo(f"after-{ticket}")
            await tech.tap_data("w:pd")
            await tech.send("Replaced the trap seal.")
            await tech.send("1.5")
            sweep = alerts.sweep(other, desk.settings, desk.clock())
            tech.new_texts()
            await asyncio.wait_for(asyncio.gather(tech.send("120"), sweep), timeout=20)
            # the answer, and the alert after it when the sweep came first (it was late)
            assert any(f"R-2026-{ticket:05d} is complete" in text for text in tech.new_texts())
            late = await desk.query("SELECT count(*) FROM timers WHERE ticket_id = ? AND kind = "
                                    "'resolve_late' AND fired_at IS NOT NULL", ticket)
            alerts_sent = await desk.query(
                "SELECT recipient_id, count(*) FROM outbox WHERE ticket_id = ? AND kind = "
                "'overdue_alert' GROUP BY recipient_id", ticket)
            assert late in ([(0,)], [(1,)])
            assert all(n == 1 for _, n in alerts_sent)  # once each, if at all
            assert bool(alerts_sent) == (late == [(1,)])
        assert await desk.query("SELECT count(*) FROM ticket_events WHERE action = "
                                "'completed'") == [(4,)]
    finally:
        await other.close()


async def test_a_stalled_sender_leaves_what_another_worker_took_over(desk):
    """A worker so busy that its claim ran out before it got to send: another worker took
    the messages over, so the first one sends nothing (the person would see them twice)."""
    now = desk.clock()
    async with desk.db.transaction() as conn:
        for _ in range(2):
            await conn.execute(
                "INSERT INTO outbox (recipient_id, kind, payload, created_at, next_attempt_at) "
                "VALUES (7200, 'digest', '{}', ?, ?)", (now.isoformat(), now.isoformat()))
    stalled, alive = await workers(desk, 2)
    claimed = await delivery.due(stalled, now, worker="stalled")
    later = now + delivery.LEASE + timedelta(seconds=1)
    taken = await delivery.due(alive, later, worker="alive")
    assert [m.id for m in taken] == [m.id for m in claimed]
    assert not await delivery.still_mine(stalled, claimed[0], later, worker="stalled")
    assert await delivery.still_mine(alive, taken[0], later, worker="alive")
    await delivery.sent(alive, taken[0], later)
    assert not await delivery.still_mine(alive, taken[0], later, worker="alive")  # sent
    for db in (stalled, alive):
        await db.close()


async def test_a_claim_and_its_renewal_are_one_round_trip_each(desk):
    """The claim's lock, statement and commit go together, its answer read once the commit
    is answered; so does a renewal's before a send. A message claimed moments ago (more
    than half its lease left) is sent without one: no other worker can have taken it."""
    now = desk.clock()
    async with desk.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO outbox (recipient_id, kind, payload, created_at, next_attempt_at) "
            "VALUES (7400, 'digest', '{}', ?, ?)", (now.isoformat(), now.isoformat()))
    [worker] = await workers(desk, 1)
    before = counts.now()
    [claimed] = await delivery.due(worker, now, worker="one")
    assert (counts.now() - before).round_trips == 1
    before = counts.now()
    assert await delivery.still_mine(worker, claimed, now + delivery.LEASE / 2, worker="one")
    assert (counts.now() - before).round_trips == 0
    later = now + delivery.LEASE / 2 + timedelta(seconds=1)
    before = counts.now()
    assert await delivery.still_mine(worker, claimed, later, worker="one")
    assert (counts.now() - before).round_trips == 1
    [(until,)] = await desk.query("SELECT claimed_until FROM outbox WHERE recipient_id = 7400")
    assert from_db_time(until) == later + delivery.LEASE  # renewed for a whole lease
    assert not await delivery.still_mine(worker, claimed, later, worker="another")
    await worker.close()


async def test_a_late_sent_mark_from_a_stalled_worker_keeps_the_first_time(desk):
    now = desk.clock()
    async with desk.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO outbox (recipient_id, kind, payload, created_at, next_attempt_at) "
            "VALUES (7300, 'digest', '{}', ?, ?)", (now.isoformat(), now.isoformat()))
    stalled, alive = await workers(desk, 2)
    [claimed] = await delivery.due(stalled, now, worker="stalled")
    later = now + delivery.LEASE + timedelta(seconds=1)
    [taken] = await delivery.due(alive, later, worker="alive")
    await delivery.sent(alive, taken, later)
    await delivery.sent(stalled, claimed, later + timedelta(seconds=30))  # its send returned
    [(sent_at,)] = await desk.query("SELECT sent_at FROM outbox WHERE recipient_id = 7300")
    assert from_db_time(sent_at) == later
    for db in (stalled, alive):
        await db.close()
