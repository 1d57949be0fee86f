"""Each server-side check holds on its own: a forged button or a call that skips the bot's
menus is refused by the workflow itself, and these tests fail if a check is removed."""

from datetime import timedelta

import pytest

from storage.records import Draft
from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff
from workflow import views
from workflow.repairs import addenda, dispatch
from workflow.tickets import Refusal


async def neighbour_of(desk):
    neighbour = desk.person(5002, "Neighbour", "en")
    await neighbour.send("/start")
    await neighbour.share_contact("+886 922 111 222")
    await neighbour.tap("All of them")
    return neighbour


async def closed_and_surveyed(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await complete(tech)
    await resident.tap("Confirm, it is fixed")
    await desk.run_until(desk.clock.now + timedelta(hours=24))
    return clerk, tech, boss, resident


async def test_only_the_resident_answers_their_own_survey(desk):
    await closed_and_surveyed(desk)
    neighbour = await neighbour_of(desk)
    await neighbour.tap_data("sv:r:1:1")
    assert "not allowed" in desk.api.calls[-1].params.get("text", "")
    assert await desk.query("SELECT rating, answered_at FROM surveys") == [(None, None)]


async def test_a_chip_must_fit_the_rating_and_the_settings(desk):
    *_, resident = await closed_and_surveyed(desk)
    await resident.tap("5★")
    await resident.tap_data("sv:c:1:rude")  # a fault chip for a five-star answer
    await resident.tap_data("sv:c:1:made_up")
    assert await desk.query("SELECT reasons FROM surveys") == [("[]",)]
    await resident.tap("Quick")
    assert await desk.query("SELECT reasons FROM surveys") == [('["quick"]',)]


async def test_only_the_resident_adds_to_their_own_ticket(desk):
    await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    neighbour = await neighbour_of(desk)
    await neighbour.tap_data("t:add:1")
    assert "not allowed" in desk.api.calls[-1].params.get("text", "")
    assert await desk.query("SELECT count(*) FROM drafts") == [(0,)]
    # Even a conversation that points at someone else's ticket adds nothing to it.
    await views.save_draft(desk.db, Draft(5002, addenda.FLOW, "content", {"ticket_id": 1}),
                           desk.clock())
    assert await addenda.add(desk.db, 5002, desk.clock(), text="Not mine") is None
    assert await desk.query("SELECT count(*) FROM ticket_events WHERE action = "
                            "'resident_added'") == [(0,)]


async def test_only_a_contractor_liable_for_the_trade_can_be_given_the_job(desk):
    clerk, _, _ = await staff(desk)
    await desk.add_contractor("Aqua Works", ["plumbing"])
    sparks = await desk.add_contractor("Bright Electric", ["electrical"])
    resident = await resident_of_a12(desk)
    await report_leak(resident)  # plumbing
    await clerk.tap_data(f"d:dl:1:c{sparks}:2:v0")
    assert await desk.query("SELECT status, contractor_id FROM tickets") == [("new", None)]
    with pytest.raises(Refusal):
        await dispatch.assign(desk.db, desk.settings, 1, 9001, desk.clock(), 2,
                              contractor_id=sparks, seen=0)


async def test_only_dispatchers_assign_even_without_the_bots_menus(desk):
    _, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    for someone in (9002, 5001, 424242):  # a technician, a resident, a stranger
        with pytest.raises(Refusal) as refused:
            await dispatch.assign(desk.db, desk.settings, 1, someone, desk.clock(), 2,
                                  technician_id=9002, seen=0)
        assert refused.value.reason == Refusal.FORBIDDEN
    assert await desk.query("SELECT status FROM tickets") == [("new",)]
