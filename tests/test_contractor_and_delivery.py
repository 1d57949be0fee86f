"""A defect under warranty goes to the builder's contractor; messages reach people even when
Telegram fails for a while."""

from datetime import timedelta

from storage import outbox
from tests.fake_telegram import TelegramError
from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff
from workflow import delivery


async def test_a_contractor_without_telegram_is_phoned_and_the_desk_records_completion(desk):
    clerk, tech, _ = await staff(desk)
    await desk.add_contractor("Aqua Works", ["plumbing"], "02-2345-6789")
    await desk.add_contractor("Bright Electric", ["electrical"])
    resident = await resident_of_a12(desk)
    await report_leak(resident)

    await clerk.tap("Assign contractor")
    assert clerk.labels() == ["Aqua Works", "Close"]  # only the one liable for plumbing
    await clerk.tap("Aqua Works")
    await clerk.tap("5 days")
    assert "assigned to Aqua Works (responsible contractor)" in clerk.last_text
    assert "Please phone Aqua Works at 02-2345-6789" in clerk.last_text
    assert "Aqua Works (responsible contractor) will take care" in resident.last_text
    deadline = await desk.query("SELECT deadline_at FROM tickets")
    assert deadline == [("2026-12-01T15:59:00.000000Z",)]  # 23:59 in Taipei, five days on

    await clerk.tap("Notified by phone")
    assert "notified by phone" in clerk.last_text
    await clerk.tap_data("d:v:1")
    assert "Contractor's phone: 02-2345-6789" in clerk.last_text
    await clerk.tap("Record completion")
    await clerk.send_photo("contractor-after")
    await clerk.tap("Done")
    await clerk.send("Contractor replaced the valve.")
    await clerk.send("3")
    await clerk.send("0")
    assert "R-2026-00001 is complete" in clerk.last_text
    assert "Is it fixed?" in resident.last_text
    actions = [a for (a,) in await desk.query("SELECT action FROM ticket_events ORDER BY id")]
    assert actions == ["reported", "assigned", "contractor_notified_by_phone", "completed"]


async def test_a_message_is_retried_after_a_network_error_and_sent_once(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    desk.api.fail_next(9002, TelegramError(502, "Bad Gateway"))
    await assign_to_tech(clerk)
    assert not any("New task" in t for t in tech.texts())
    assert await desk.query("SELECT attempts, sent_at IS NULL FROM outbox WHERE "
                            "kind = 'task_assigned'") == [(1, 1)]
    await desk.deliver()  # too early: back-off
    assert not any("New task" in t for t in tech.texts())
    desk.clock.advance(seconds=11)
    await desk.deliver()
    await desk.deliver()
    assert sum("New task" in t for t in tech.texts()) == 1


async def test_telegram_flood_control_is_respected(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    desk.api.fail_next(9002, TelegramError(429, "Too Many Requests: retry after 30", 30))
    await assign_to_tech(clerk)
    desk.clock.advance(seconds=29)
    await desk.deliver()
    assert not any("New task" in t for t in tech.texts())
    desk.clock.advance(seconds=2)
    await desk.deliver()
    assert sum("New task" in t for t in tech.texts()) == 1


async def test_a_person_who_blocked_the_bot_is_not_retried_forever(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    desk.api.fail_next(5001, TelegramError(403, "Forbidden: bot was blocked by the user"))
    await assign_to_tech(clerk)
    rows = await desk.query("SELECT failed_at IS NOT NULL, last_error FROM outbox "
                            "WHERE kind = 'resident_assigned'")
    assert rows[0][0] == 1 and "blocked" in rows[0][1]
    assert "New task" in tech.last_text  # the others still get theirs


async def test_messages_committed_before_a_crash_are_sent_after_restart(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    desk.api.fail_next(9002, TelegramError(502, "Bad Gateway"))
    await assign_to_tech(clerk)
    await desk.restart()
    desk.clock.advance(minutes=1)
    await desk.deliver()
    assert sum("New task" in t for t in tech.texts()) == 1


async def test_a_message_waiting_to_be_tried_again_keeps_the_later_ones_behind_it(desk):
    """Telegram failed the first of two messages to the clerk: the second waits for it, so
    the clerk reads them in the order they happened; someone else's go out meanwhile."""
    now = desk.clock()
    async with desk.db.transaction() as conn:
        for recipient in (9001, 9001, 9003):
            await outbox.add(conn, recipient, "digest", now)
    first, *_ = await delivery.due(desk.db, now)
    await delivery.retry(desk.db, first, now, "Bad Gateway")  # tried again in 10 s
    await delivery.release(desk.db)
    assert [(m.recipient_id, m.id) for m in await delivery.due(desk.db, now)] == [(9003, 3)]
    later = now + timedelta(seconds=11)
    assert [m.id for m in await delivery.due(desk.db, later) if m.recipient_id == 9001] == \
        [1, 2]
