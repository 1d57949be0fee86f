"""Normal days at a desk: Telegram failing on an answer, old and foreign buttons, a button
pressed in a group, a member of staff who left."""

import logging

import pytest

from tests.fake_telegram import TelegramError
from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff
from workflow import admin


async def test_when_the_answer_fails_after_a_change_the_apology_says_it_was_saved(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    # (a passing fault, a 5xx or a 429, is not a failure: the answer goes through the outbox)
    desk.api.fail_next(9002, TelegramError(400, "Bad Request: can't parse entities"))
    with pytest.raises(AssertionError):  # the harness reports the handler's failure
        await tech.tap("On my way")
    assert await desk.query("SELECT status FROM tickets") == [("en_route",)]
    assert "what you did was saved" in tech.last_text
    assert "Nothing was changed" not in tech.last_text


async def test_when_a_look_fails_the_apology_says_nothing_changed(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    desk.errors.clear()
    desk.api.fail_next(9002, TelegramError(400, "Bad Request: can't parse entities"))
    with pytest.raises(AssertionError):
        await tech.send("/mytasks")
    assert "Nothing was changed" in tech.last_text


async def test_flood_control_on_an_answer_is_a_warning_not_an_error(desk, caplog):
    """The answer waits as Telegram asks, in the outbox, and then arrives."""
    clerk, tech, _ = await staff(desk)
    desk.api.fail_next(9002, TelegramError(429, "Too Many Requests: retry after 7",
                                           retry_after=7))
    with caplog.at_level(logging.WARNING):
        await tech.send("/mytasks")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("Retry in 7 seconds" in r.getMessage() for r in caplog.records)
    before = len(tech.texts())
    desk.clock.advance(seconds=8)
    await desk.deliver()
    assert len(tech.texts()) == before + 1


async def test_an_unknown_button_stops_its_spinner_with_a_short_message(desk):
    clerk, _, _ = await staff(desk)
    await clerk.tap_data("zz:1")
    answered = [c for c in desk.api.calls if c.method == "answerCallbackQuery"]
    assert "start again from the menu" in answered[-1].params["text"]


async def test_a_button_pressed_in_a_group_changes_nothing_and_shows_nothing(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    call, button = clerk.button("Assign technician")
    before = len(desk.api.calls)
    desk.next_update_id += 1
    await desk.feed({"callback_query": {
        "id": "group-tap", "from": clerk.user, "chat_instance": "g1",
        "data": button["callback_data"],
        "message": {"message_id": 1, "date": desk.api.now, "text": call.text,
                    "chat": {"id": -100123, "type": "supergroup", "title": "Estate staff"}}}})
    made = desk.api.calls[before:]
    assert [c.method for c in made] == ["answerCallbackQuery"]
    assert "text" not in made[0].params
    await desk.feed({"message": {"message_id": 2, "date": desk.api.now, "text": "/queue",
                                 "entities": [{"type": "bot_command", "offset": 0,
                                               "length": 6}],
                                 "from": clerk.user,
                                 "chat": {"id": -100123, "type": "supergroup", "title": "x"}}})
    assert [c.method for c in desk.api.calls[before:]] == ["answerCallbackQuery"]


async def test_a_removed_member_of_staff_cannot_read_tickets_with_old_buttons(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await admin.staff_remove(desk.db, 9001)
    await admin.staff_remove(desk.db, 9002)
    for person, data in ((clerk, "d:v:1"), (clerk, "t:v:1"), (tech, "w:v:1"), (tech, "t:v:1")):
        before = len(desk.api.calls)
        await person.tap_data(data)
        shown = " ".join(c.text for c in desk.api.calls[before:])
        assert "Water drips" not in shown
        assert "not allowed" in shown
