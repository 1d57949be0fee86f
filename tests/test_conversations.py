"""One conversation at a time: a half-written report is never dropped by an old button or a
survey arriving in between, and a conversation left for a day expires."""

from datetime import timedelta

from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff


async def half_written_report(resident):
    await resident.send("/repair")
    await resident.tap_data("r:c:electrical")
    await resident.tap_data("r:g:normal")
    await resident.send("Living room")


async def test_an_old_add_button_does_not_drop_a_half_written_report(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await half_written_report(resident)
    await resident.tap_data("t:add:1")  # an old 'add a message' button
    assert "You are in the middle of a repair report" in resident.last_text
    assert await desk.query("SELECT flow, step FROM drafts") == [("report", "description")]
    await resident.send("The socket sparks.")  # the report goes on where it was
    assert await desk.query("SELECT flow, step FROM drafts") == [("report", "photos")]
    await resident.send("/complain")  # another conversation: asked, not replaced
    assert "You are in the middle of a repair report" in resident.last_text
    await resident.tap("Drop it")
    assert "Cancelled" in resident.last_text
    await resident.tap_data("t:add:1")
    assert "Send a message, a photo or a voice note to add to R-2026-00001" in resident.last_text


async def test_a_survey_answered_in_the_middle_of_a_report_keeps_both(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await complete(tech)
    await resident.tap("Confirm, it is fixed")
    await desk.run_until(desk.clock.now + timedelta(hours=23))
    await half_written_report(resident)
    await desk.run_until(desk.clock.now + timedelta(hours=2))  # the survey arrives
    await resident.tap("5★")
    assert await desk.query("SELECT rating FROM surveys") == [(5,)]
    assert await desk.query("SELECT flow, step FROM drafts") == [("report", "description")]


async def test_a_conversation_left_for_a_day_expires_and_says_so(desk):
    resident = await resident_of_a12(desk)
    await half_written_report(resident)
    desk.clock.advance(hours=25)
    await resident.send("The socket sparks.")
    assert "has expired: it was left for more than a day" in resident.last_text
    assert await desk.query("SELECT count(*) FROM drafts") == [(0,)]
    await half_written_report(resident)  # a new one starts at once
    desk.clock.advance(hours=25)
    await resident.send("/repair")  # an expired one never blocks a new start
    assert resident.last_text == "What kind of problem is it?"
    desk.clock.advance(days=8)
    await desk.sweep()  # the sweep forgets long-expired conversations
    assert await desk.query("SELECT count(*) FROM drafts") == [(0,)]


def test_every_conversation_is_named_in_words_when_another_waits():
    """「您正在進行…」 names what is in progress: a flow without its words showed its code
    (「renovation_payment」) to the cashier."""
    from bot.app import DOORS
    from handlers import labels
    from handlers.routes import steps_of
    assert set(steps_of(DOORS)) - set(labels.CONVERSATIONS) == set()
