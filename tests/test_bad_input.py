"""Bad input gets a clear answer and changes nothing."""

import json

from storage.db import Database, commits_so_far
from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff


async def tickets(desk):
    return await desk.query("SELECT ref, status, technician_id FROM tickets")


async def test_a_stranger_cannot_use_staff_commands_or_buttons(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    stranger = desk.person(6666, "Stranger", "en")
    for command in ("/queue", "/mytasks"):
        await stranger.send(command)
        assert "not allowed" in stranger.last_text, command
    for command in ("/repair", "/mytickets"):
        await stranger.send(command)
        assert "share your phone number first" in stranger.last_text, command
    before = await tickets(desk)
    for data in ("d:tech:1", "d:pt:1:9002", "d:dl:1:t9002:2", "w:go:1", "s:ok:1", "s:sup:1",
                 "t:v:1", "o:join:a:1"):
        await stranger.tap_data(data)
        answer = desk.api.calls[-1]
        assert answer.method == "answerCallbackQuery" and answer.params["show_alert"], data
    assert await tickets(desk) == before
    alerts = [c.params["text"] for c in desk.api.calls if c.method == "answerCallbackQuery"
              and c.params.get("show_alert")]
    assert alerts[-8:] == ["Sorry, you are not allowed to do that."] * 8


async def test_a_resident_cannot_dispatch_or_see_other_peoples_tickets(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    neighbour = desk.person(5002, "Chi-ming", "en")
    await neighbour.send("/start")
    await neighbour.share_contact("886922111222")
    await neighbour.tap("All of them")
    await neighbour.tap_data("t:v:1")
    await neighbour.tap_data("d:dl:1:t9002:2")
    await neighbour.tap_data("s:ok:1")
    assert all("Water drips" not in t for t in neighbour.texts())
    assert await tickets(desk) == [("R-2026-00001", "new", None)]
    await neighbour.send("/mytickets")
    assert "no tickets yet" in neighbour.last_text


async def test_a_technician_acts_only_on_their_own_tasks(desk):
    clerk, tech, _ = await staff(desk)
    other = desk.person(9004, "Other tech", "en")
    await desk.hire(other, "technician", "Second tech")
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await other.tap_data("w:go:1")
    await other.tap_data("w:done:1")
    await other.tap_data("d:tech:1")
    assert await tickets(desk) == [("R-2026-00001", "assigned", 9002)]
    await other.send("/mytasks")
    assert "no open tasks" in other.last_text


async def test_stale_and_forged_buttons_change_nothing(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    # The report is filed; its old buttons are out of date.
    await resident.tap_data("r:ok")
    assert "already been sent" in resident.last_text
    await resident.tap_data("r:c:electrical")
    assert "out of date" in desk.api.calls[-1].params["text"]
    for forged in ("d:dl:1:t9002:999", "d:dl:1:x1:2", "d:dl:abc", "w:go:999999", "zz:1",
                   "d:pt:1:notanumber", "s:ok:1"):
        await clerk.tap_data(forged)
    assert await desk.query("SELECT count(*) FROM tickets") == [(1,)]
    assert await tickets(desk) == [("R-2026-00001", "new", None)]
    # Assigning to someone who is not a technician is refused.
    await clerk.tap_data("d:dl:1:t9001:2:v0")
    assert "not allowed" in desk.api.calls[-1].params["text"] or \
        "out of date" in desk.api.calls[-1].params["text"]
    assert await tickets(desk) == [("R-2026-00001", "new", None)]
    await assign_to_tech(clerk)
    await complete(tech)
    await clerk.tap_data("d:dl:1:t9002:2")  # an old card's button, with no version mark
    assert "This card is out of date" in desk.api.calls[-1].params["text"]
    await clerk.tap_data("d:dl:1:t9002:2:v1")  # one shown before the job was completed
    assert "already handled it: Ah Wai, Marked complete" in desk.api.calls[-1].params["text"]
    assert await desk.query("SELECT status FROM tickets") == [("completed",)]


async def test_a_sticker_or_a_photo_where_text_is_expected(desk):
    resident = await resident_of_a12(desk)
    await resident.send("/repair")
    await resident.tap("Plumbing")
    await resident.tap("No, not an emergency")
    await resident.send_sticker()
    assert resident.last_text == "Please answer in text."
    await resident.send_photo("not-a-place")
    assert resident.last_text == "Please answer in text."
    await resident.send("   ")
    assert resident.last_text == "Please answer in text."
    draft = await desk.query("SELECT step FROM drafts WHERE user_id = 5001")
    assert draft == [("location",)]
    await resident.send("Bathroom")
    await resident.send("Tap leaks")
    await resident.send("a text where a photo is expected")
    assert "send a photo" in resident.last_text
    await resident.tap("Done")
    await resident.send("tomorrow please")
    assert "use the buttons above" in resident.texts()[-2]


async def test_an_over_long_description_is_refused_with_its_length(desk):
    resident = await resident_of_a12(desk)
    await resident.send("/repair")
    await resident.tap("Plumbing")
    await resident.tap("No, not an emergency")
    await resident.send("Kitchen")
    await resident.send("漏" * 5000)
    assert resident.last_text == ("That is 5000 characters; the limit is 1000. Please shorten "
                                  "it and send it again.")
    assert await desk.query("SELECT step FROM drafts") == [("description",)]
    await resident.send("漏" * 1000)
    assert await desk.query("SELECT step FROM drafts") == [("photos",)]


async def test_at_most_five_photos(desk):
    resident = await resident_of_a12(desk)
    await resident.send("/repair")
    await resident.tap("Plumbing")
    await resident.tap("No, not an emergency")
    await resident.send("Kitchen")
    await resident.send("Leak")
    for n in range(6):
        await resident.send_photo(f"p{n}")
    assert "most photos one report can take (5)" in resident.last_text
    [(data,)] = await desk.query("SELECT data FROM drafts")
    assert json.loads(data)["photos"] == ["p0", "p1", "p2", "p3", "p4"]


async def test_an_album_of_seven_says_five_were_kept_and_two_left_out(desk):
    resident = await resident_of_a12(desk)
    await resident.send("/repair")
    await resident.tap("Plumbing")
    await resident.tap("No, not an emergency")
    await resident.send("Kitchen")
    await resident.send("Leak")
    before = len(resident.calls())
    for n in range(7):
        await resident.send_photo(f"p{n}", album="album-1")
    replies = [c for c in resident.calls()[before:] if c.method == "sendMessage"]
    assert len(replies) == 1  # still one reply for the album, edited as it grows
    assert resident.last_text == ("Of these photos, 5 were kept and 2 left out: at most 5 can "
                                  "be sent. Tap 'Done' to go on.")
    assert resident.labels() == ["Done"]
    [(data,)] = await desk.query("SELECT data FROM drafts")
    assert json.loads(data)["photos"] == ["p0", "p1", "p2", "p3", "p4"]

    clerk, tech, _ = await staff(desk)  # the technician's completion photos, too
    await resident.tap_data("r:pd")
    call, _ = resident.button(resident.labels()[1])
    await resident.tap_data(call.buttons()[1]["callback_data"])
    await resident.tap_data("r:s:morning")
    await resident.tap_data("r:ok")
    await assign_to_tech(clerk)
    await tech.tap_starting("w:done:1:")
    await tech.send_photo("after-0")
    for n in range(1, 7):
        await tech.send_photo(f"after-{n}", album="album-2")
    assert tech.last_text == ("Of these photos, 4 were kept and 2 left out: at most 5 can be "
                              "sent. Tap 'Done' to go on.")


async def test_unknown_commands_and_chatter(desk):
    resident = await resident_of_a12(desk)
    await resident.send("/frobnicate")
    assert "do not know that command" in resident.last_text
    await resident.send("hello?")
    assert "choose from the menu" in resident.last_text
    stranger = desk.person(6667, "Stranger", "en")
    await stranger.send("hello?")
    assert "send /start" in stranger.last_text


async def test_technician_numbers_are_validated(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await tech.tap_starting("w:done:1:")
    await tech.tap_data("w:pd")
    assert "At least one photo" in tech.last_text
    await tech.send("no photo")
    assert "Please send a photo" in tech.last_text
    await tech.send_photo("after")
    await tech.tap("Done")
    await tech.send("Fixed")
    for bad, why in (("one hour", "“one hour” is not a number I can read"),
                     ("-1", "“-1” is below zero"),
                     ("500", "“500” is more than 200, the most that can be recorded here"),
                     ("nan", "“nan” is not a number"),
                     ("1e400", "“1e400” is more than 200"),
                     ("1.255", "“1.255” has too many decimal places: up to 2 are kept")):
        await tech.send(bad)
        assert tech.last_text.startswith(why), bad
    await tech.send("1,5")  # a comma groups thousands here: 15 or 1.5? Asked, never guessed
    assert tech.last_text.startswith("Is “1,5” 15 or 1.5? Here a comma separates thousands.")
    assert await desk.query("SELECT step FROM drafts") == [("hours",)]
    await tech.send("1.5")
    await tech.send("1,200")
    assert await desk.query("SELECT labour_hours, materials_cost FROM tickets") == [(150, 120000)]


async def test_a_completion_record_is_void_when_the_job_is_reassigned_meanwhile(desk):
    clerk, tech, _ = await staff(desk)
    other = desk.person(9004, "Other tech", "en")
    await desk.hire(other, "technician", "Second tech")
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await tech.tap_starting("w:done:1:")
    await tech.send_photo("after")
    await tech.tap_data("w:pd")
    await tech.send("Fixed")
    await tech.send("1")
    await assign_to_tech(clerk, tech_id=9004)  # the clerk gives the job to someone else
    await tech.send("100")
    assert "out of date" in tech.last_text
    assert await desk.query("SELECT status, technician_id FROM tickets") == [("assigned", 9004)]
    assert await desk.query("SELECT count(*) FROM drafts WHERE user_id = 9002") == [(0,)]
    await tech.send("hello")
    assert "choose from the menu" in tech.last_text


async def test_a_late_not_fixed_after_auto_confirmation_changes_nothing(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await complete(tech)
    await resident.tap("Not fixed")
    desk.clock.advance(days=4)
    await desk.sweep()
    await resident.send("Still dripping")
    assert "has expired" in resident.last_text and "Nothing was changed" in resident.last_text
    assert await desk.query("SELECT status FROM tickets") == [("closed",)]
    assert await desk.query("SELECT count(*) FROM drafts") == [(0,)]


async def test_a_redelivered_update_is_not_handled_twice(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await desk.replay_last()  # the confirmation tap, delivered again
    assert await desk.query("SELECT count(*) FROM tickets") == [(1,)]
    if isinstance(desk.db, Database):  # the mark skipped its fsync; later ones sync (2: FULL)
        assert await desk.query("PRAGMA synchronous") == [(2,)]
    await assign_to_tech(clerk)
    await tech.tap_starting("w:done:1:")
    await tech.send_photo("after")
    await tech.tap_data("w:pd")
    await tech.send("Fixed")
    await tech.send("1.5")
    sent = len(tech.texts())
    await desk.replay_last()  # "1.5" again must not become the materials cost
    assert len(tech.texts()) == sent
    await tech.send("80")
    assert await desk.query("SELECT labour_hours, materials_cost FROM tickets") == [(150, 8000)]
    desk.clock.advance(days=4)
    await desk.sweep()  # the record of seen updates does not grow for ever
    assert await desk.query("SELECT count(*) FROM seen_updates") == [(0,)]


async def test_a_look_at_tickets_writes_nothing_and_is_simply_answered_again(desk, monkeypatch):
    from workflow import replays
    monkeypatch.setattr(replays, "FLUSH_AFTER", 3600)  # the report's own mark, not the look's
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    marks = await desk.query("SELECT count(*) FROM seen_updates")
    before = commits_so_far()
    await resident.send("/mytickets")
    assert commits_so_far() == before  # no transaction, so no fsync, for a look
    assert await desk.query("SELECT count(*) FROM seen_updates") == marks
    await desk.replay_last()  # after a crash: the same answer, nothing changed
    assert resident.texts()[-1] == resident.texts()[-2]
    assert any("R-2026-00001" in label for label in resident.labels())
