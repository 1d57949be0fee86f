"""What the desk must tell people arrives whatever Telegram does: a refused photo, an answer
that comes too late, a slow chat, a resident who is no longer there."""

import asyncio

from telegram import Update

from handlers.common import utf16_len
from storage import outbox
from tests.fake_telegram import AnsweredLate, TelegramError
from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff


def sent(person, method):
    return [c for c in person.calls() if c.method == method]


async def test_a_refused_photo_never_costs_the_clerk_the_card_and_its_buttons(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    desk.api.fail_next(9001, TelegramError(400, "Bad Request: wrong file identifier"))
    await report_leak(resident, photos=("leak-photo",))
    card = clerk.button("Assign technician")[0]
    assert card.text.startswith("New repair report")
    assert "(A photo could not be shown here.)" in card.text
    assert await desk.query("SELECT sent_at IS NOT NULL FROM outbox WHERE kind = 'dispatch'") \
        == [(1,)]


async def test_a_retried_card_does_not_send_its_photos_again(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    desk.api.fail_next(9001, None)  # the album goes through
    desk.api.fail_next(9001, TelegramError(502, "Bad Gateway"))  # the text does not
    await report_leak(resident, photos=("leak-1", "leak-2"))
    assert not any("New repair report" in t for t in clerk.texts())
    desk.clock.advance(seconds=11)
    await desk.deliver()
    assert sum("New repair report" in t for t in clerk.texts()) == 1
    assert len(sent(clerk, "sendMediaGroup")) == 1


async def test_the_photos_of_a_card_sent_whole_cost_no_write_of_their_own(desk):
    """What parts of a message went matters only if the rest fails: a card sent whole is
    marked sent, its photos never written apart (a transaction saved on every card with
    photos); a card whose text fails keeps them with its retry (the test above)."""
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident, photos=("leak-1", "leak-2"))
    assert sum("New repair report" in t for t in clerk.texts()) == 1
    assert await desk.query("SELECT progress, sent_at IS NOT NULL FROM outbox WHERE kind = "
                            "'dispatch'") == [("", 1)]


async def test_a_card_telegram_answered_too_late_for_is_not_sent_twice(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    desk.api.fail_next(9002, AnsweredLate())
    await assign_to_tech(clerk)
    desk.clock.advance(minutes=5)
    await desk.deliver()
    assert sum("New task for you" in t for t in tech.texts()) == 1
    assert await desk.query("SELECT sent_at IS NOT NULL FROM outbox WHERE "
                            "kind = 'task_assigned'") == [(1,)]


async def test_one_slow_chat_does_not_hold_up_the_others(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    desk.api.held[9002] = asyncio.Event()  # the technician's chat answers slowly
    await clerk.tap_starting("d:tech:1:")
    await clerk.tap_starting("d:pt:1:9002:")
    call, button = clerk.button("2 days")
    desk.next_update_id += 1
    await desk.app.process_update(Update.de_json({"update_id": desk.next_update_id,
                                                  "callback_query": {
        "id": "slow", "from": clerk.user, "chat_instance": "1", "data": button["callback_data"],
        "message": {"message_id": 5, "date": desk.api.now, "text": call.text,
                    "chat": {"id": 9001, "type": "private"}}}}, desk.app.bot))
    sending = asyncio.create_task(desk.deliver())
    for _ in range(50):
        await asyncio.sleep(0.01)
        if any("will take care of your repair" in t for t in resident.texts()):
            break
    assert any("will take care of your repair" in t for t in resident.texts())
    assert not any("New task for you" in t for t in tech.texts())
    desk.api.held[9002].set()
    await sending
    assert sum("New task for you" in t for t in tech.texts()) == 1


async def test_a_resident_who_closed_the_chat_is_phoned_and_the_technician_told_so(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    desk.api.fail_next(5001, TelegramError(400, "Bad Request: chat not found"))
    await tech.tap("On my way")
    notice = "R-2026-00001: 陳美玲 cannot be reached in the chat"  # the roster's name
    assert any(notice in t and "+886 912 345 678" in t for t in tech.texts())
    assert any(notice in t and "+886 912 345 678" in t for t in clerk.texts())
    assert await desk.query("SELECT unreachable_at IS NOT NULL FROM people WHERE "
                            "user_id = 5001") == [(1,)]
    await tech.tap("Arrived")  # now the technician is told the truth at once
    assert "recorded. The resident cannot be reached in the chat: please phone them at " \
           "+886 912 345 678" in tech.last_text


async def test_an_emoji_flood_is_measured_as_telegram_measures_it(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await resident.send("/complain")
    await resident.tap("Noise and neighbours")
    await resident.send("😡" * 1500)  # 1,500 characters, 3,000 UTF-16 units
    assert "That is 3000 characters; the limit is 2000" in resident.last_text
    await resident.send("😡" * 990)  # within the limit as Telegram counts it
    await resident.tap("Skip")
    await resident.tap("Yes, please call me")
    await resident.tap("Confirm and send")
    card = next(c for c in clerk.calls() if c.text.startswith("New complaint"))
    assert utf16_len(card.text) <= 4096


async def test_a_description_of_invisible_characters_is_refused(desk):
    resident = await resident_of_a12(desk)
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:normal")
    await resident.send("\u200b\u200c\u200d\u2060\ufeff")
    assert resident.last_text == "Please answer in text."
    assert await desk.query("SELECT step FROM drafts") == [("location",)]


def test_cards_are_cut_to_telegrams_own_measure():
    from handlers.common import fit
    text = "R-2026-00001\n" + "😡" * 3000
    cut = fit(text)
    assert utf16_len(cut) <= 4096 and cut.startswith("R-2026-00001") and cut.endswith("…")
    tail = fit("head\n" + "😡" * 3000 + "\nnewest", keep_end=True)
    assert utf16_len(tail) <= 4096 and tail.endswith("newest")


async def test_an_album_gets_one_reply_and_reaches_the_desk_as_one_captioned_album(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:normal")
    await resident.send("Kitchen sink")
    await resident.send("Water drips from the pipe under the sink.")
    before = len(resident.texts())
    for n in range(3):
        await resident.send_photo(f"leak-{n}", album="album-1")
    assert len(resident.texts()) == before + 1  # one reply for the album
    assert "Photos received" in resident.last_text
    await resident.tap_data("r:pd")
    call, _ = resident.button(resident.labels()[1])
    await resident.tap_data(call.buttons()[1]["callback_data"])
    await resident.tap_data("r:s:morning")
    await resident.tap_data("r:ok")
    album = next(c for c in clerk.calls() if c.method == "sendMediaGroup")
    media = album.params["media"]
    assert [m["media"] for m in media] == ["leak-0", "leak-1", "leak-2"]
    assert media[0]["caption"] == "R-2026-00001" and "caption" not in media[1]


async def test_a_notice_no_renderer_knows_fails_once_and_holds_up_no_other(desk):
    """Written by a newer version of the bot, then the office went back to this one: the
    message is marked failed with the reason, never retried, and the next one goes out."""
    clerk, _, _ = await staff(desk)
    async with desk.db.transaction() as conn:
        await outbox.add(conn, clerk.user_id, "from_a_newer_version", desk.clock())
    resident = await resident_of_a12(desk)  # a new report behind it, for the same clerk
    await report_leak(resident)
    assert "New repair report" in clerk.last_text
    assert await desk.query("SELECT attempts, last_error LIKE 'cannot be rendered%' "
                            "FROM outbox WHERE kind = 'from_a_newer_version' "
                            "AND failed_at IS NOT NULL") == [(1, 1)]


async def test_a_resident_without_telegram_is_phoned_by_one_person_once_and_never_at_night(desk):
    import dataclasses

    from tests.stories import complete
    from tests.test_intake import take_repair_by_phone
    from workflow import roles
    desk.settings = dataclasses.replace(desk.settings, office_hours="09:00-18:00")
    await desk.restart()
    clerk, tech, boss = await staff(desk)
    other_clerk = desk.person(9004, "Clerk Two", "en")
    await desk.hire(other_clerk, roles.CLERK, "Second clerk")
    await take_repair_by_phone(clerk)
    await clerk.tap("Confirm and send")
    await assign_to_tech(clerk)

    # One person is asked per step: the clerk who acted, not the whole desk, nor the
    # technician.
    def asks(person):
        return [t for t in person.texts() if "陳美玲 does not use the bot" in t]
    assert len(asks(clerk)) == 1 and "Ah Wai will take care" in asks(clerk)[0]
    assert asks(other_clerk) == [] and asks(tech) == []
    await clerk.tap("I phoned them")
    assert clerk.last_text.startswith("Recorded: you phoned them")
    assert await desk.query("SELECT staff_id FROM resident_calls") == [(9001,)]
    assert await desk.query("SELECT actor_id, note FROM ticket_events WHERE action = "
                            "'phoned_resident'") == [(9001, "陳美玲")]

    # The technician finishes at 19:30, after office hours: nobody is asked to phone then.
    desk.clock.advance(hours=9, minutes=30)
    await complete(tech)
    assert len(asks(clerk)) == 1 and asks(other_clerk) == []
    await take_repair_by_phone(other_clerk)  # another call that evening: the held request
    await other_clerk.tap("Confirm and send")  # holds up nothing else of the clerk's
    assert clerk.last_text.startswith("New repair report")
    desk.clock.advance(hours=13, minutes=29)  # 08:59 the next morning
    await desk.deliver()
    assert len(asks(clerk)) == 1
    desk.clock.advance(minutes=1)  # 09:00: the office opens
    await desk.deliver()
    assert len(asks(clerk)) == 2 and asks(other_clerk) == []
    request = asks(clerk)[-1]
    assert "is reported as repaired" in request
    assert "Already phoned about this job: Desk clerk at" in request  # nobody phones twice

    # A second tap, on the first request: says who phoned, records nothing.
    first = next(c for c in clerk.calls() if "Ah Wai will take care" in c.text)
    button = next(b for b in first.buttons() if b["text"] == "I phoned them")
    await clerk.tap_data(button["callback_data"], first)
    assert clerk.last_text.startswith("Already recorded: Desk clerk phoned them")
    assert await desk.query("SELECT count(*) FROM resident_calls") == [(1,)]


async def test_the_holder_phones_a_resident_without_telegram_when_the_settings_say_so(desk):
    import dataclasses

    import pytest

    from bot.config import ConfigError, parse_settings
    from tests.test_intake import take_repair_by_phone
    assert parse_settings({}).phone_calls_by == "desk"
    assert parse_settings({"phone_calls_by": "holder"}).phone_calls_by == "holder"
    with pytest.raises(ConfigError, match="phone_calls_by"):
        parse_settings({"phone_calls_by": "everyone"})
    desk.settings = dataclasses.replace(desk.settings, phone_calls_by="holder")
    await desk.restart()
    clerk, tech, boss = await staff(desk)
    await take_repair_by_phone(clerk)
    await clerk.tap("Confirm and send")
    await assign_to_tech(clerk)
    await tech.tap("On my way")
    asked = [t for t in tech.texts() if "陳美玲 does not use the bot" in t]
    assert len(asked) == 2  # assigned (told by the clerk's action), on the way
    assert not any("陳美玲 does not use the bot" in t for t in clerk.texts())
    await tech.tap("I phoned them")
    assert await desk.query("SELECT staff_id FROM resident_calls") == [(9002,)]
