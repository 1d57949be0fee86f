"""Two clerks on the same card, a double tap in one batch: a button acts on the state its
person saw, and the second one is told who already handled it."""

import asyncio

from tests.stories import report_leak, resident_of_a12, staff
from workflow import roles


async def _two_clerks(desk):
    clerk, tech, boss = await staff(desk)
    second = desk.person(9005, "Clerk two", "en")
    await desk.hire(second, roles.CLERK, "Second clerk")
    other_tech = desk.person(9006, "Tech two", "en")
    await desk.hire(other_tech, roles.TECHNICIAN, "Ah Keung")
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    return clerk, second, tech, other_tech, resident


async def test_two_clerks_dispatching_the_same_report_assign_it_once(desk):
    clerk, second, tech, other_tech, resident = await _two_clerks(desk)
    # Both clerks got the new report and open the technician list from their own card.
    await clerk.tap_starting("d:tech:1:")
    await second.tap_starting("d:tech:1:")
    await clerk.tap_starting("d:pt:1:9002:")
    await second.tap_starting("d:pt:1:9006:")
    await clerk.tap("2 days")
    await second.tap("5 days")

    assert "Already assigned to Ah Wai by Desk clerk, Nov 26, 2026 10:00." in second.last_text
    assert "Assigned to: Ah Wai" in second.last_text  # the card, as it is now
    assert await desk.query("SELECT status, technician_id FROM tickets") == [("assigned", 9002)]
    assert await desk.query(
        "SELECT count(*) FROM ticket_events WHERE action = 'assigned'") == [(1,)]
    assert sum("New task for you" in t for t in tech.texts()) == 1
    assert not any("New task for you" in t for t in other_tech.texts())
    assert sum("will take care of your repair" in t for t in resident.texts()) == 1

    # Reassigning on purpose stays possible, from the fresh card.
    await second.tap("Reassign: technician")
    await second.tap("Ah Keung")
    await second.tap("5 days")
    assert "assigned to Ah Keung" in second.last_text
    assert await desk.query("SELECT technician_id FROM tickets") == [(9006,)]


async def test_a_card_another_clerk_dispatched_refuses_before_the_technician_list(desk):
    clerk, second, tech, other_tech, resident = await _two_clerks(desk)
    desk.clock.advance(minutes=5)
    await clerk.tap_starting("d:tech:1:")
    await clerk.tap_starting("d:pt:1:9002:")
    await clerk.tap("2 days")
    second.new_texts()
    await second.tap("Assign technician")  # on the new-report card, now out of date
    told = second.new_texts()
    assert not any("which technician?" in t for t in told)  # no list to pick from first
    assert told[0].startswith("Already assigned to Ah Wai by Desk clerk, Nov 26, 2026 10:05.")
    alert = next(c for c in reversed(desk.api.calls) if c.method == "answerCallbackQuery")
    assert alert.params["text"] == told[0].split("\n")[0] and alert.params["show_alert"]
    assert "Reassign: technician" in second.labels()  # the fresh card, to change it on purpose


async def test_a_double_tap_in_one_batch_dispatches_once(desk):
    clerk, _, tech, _, resident = await _two_clerks(desk)
    await clerk.tap_starting("d:tech:1:")
    await clerk.tap_starting("d:pt:1:9002:")
    call, button = clerk.button("2 days")
    await asyncio.gather(clerk.tap_data(button["callback_data"], call),
                         clerk.tap_data(button["callback_data"], call))
    assert await desk.query(
        "SELECT count(*) FROM ticket_events WHERE action = 'assigned'") == [(1,)]
    assert any("You already did this: Assigned" in t for t in clerk.texts())
    assert sum("New task for you" in t for t in tech.texts()) == 1
    assert sum("will take care of your repair" in t for t in resident.texts()) == 1


async def test_a_technician_double_tapping_on_my_way_moves_once(desk):
    clerk, _, tech, _, resident = await _two_clerks(desk)
    await clerk.tap_starting("d:tech:1:")
    await clerk.tap_starting("d:pt:1:9002:")
    await clerk.tap("2 days")
    call, button = tech.button("On my way")
    await tech.tap_data(button["callback_data"], call)
    await tech.tap_data(button["callback_data"], call)
    assert await desk.query(
        "SELECT count(*) FROM ticket_events WHERE action = 'en_route'") == [(1,)]
    assert sum("on the way" in t for t in resident.texts()) == 1
    assert "You already did this" in tech.last_text
    assert "Arrived" in tech.labels()  # the fresh card offers what comes next
