"""Reports that come by phone or to the counter: the clerk records them for the unit's
resident, who is kept informed in the bot or, without Telegram, by a call from the desk."""

from datetime import date, timedelta

from tests.stories import assign_to_tech, complete, resident_of_a12, staff
from workflow import roles, stats


def said(person, phrase) -> bool:
    return any(phrase in t for t in person.texts())


async def take_repair_by_phone(clerk, unit_text="a 12f-3", person="陳美玲 0912-345-678 ☎"):
    await clerk.send("/intake")
    await clerk.send(unit_text)
    await clerk.tap(person)
    await clerk.tap("by phone")
    await clerk.tap("The resident themselves")
    await clerk.tap("Repair")
    await clerk.tap("Plumbing")
    await clerk.tap("No, not an emergency")
    await clerk.send("Bathroom")
    await clerk.send("The toilet keeps running.")
    await clerk.tap("Skip")
    call, _ = clerk.button(clerk.labels()[1])
    await clerk.tap_data(call.buttons()[1]["callback_data"])
    await clerk.tap("Morning (9-12)")


async def test_a_phone_report_for_a_resident_without_telegram(desk):
    clerk, tech, boss = await staff(desk)
    await take_repair_by_phone(clerk)
    assert "For: 陳美玲 (received by phone)" in clerk.last_text
    assert clerk.last_text.startswith("Please check the report with the resident:")  # the desk's
    await clerk.tap("Confirm and send")
    assert said(clerk, "Recorded as R-2026-00001 for the resident of A 12F-3")
    assert await desk.query("SELECT resident_id, channel, filed_by FROM tickets") == [
        (-1, "phone", 9001)]
    card = next(t for t in clerk.texts() if t.startswith("New repair report"))
    assert "Received by phone, recorded by Desk clerk" in card

    # Every notice meant for the resident reaches the desk as "call the resident".
    await assign_to_tech(clerk)
    call_them = [t for t in clerk.texts() if "陳美玲 does not use the bot" in t]
    assert len(call_them) == 1
    assert "Please phone them at 0912-345-678 and tell them:\nR-2026-00001: Ah Wai will take " \
           "care of your repair." in call_them[0]
    await boss.send("/overdue")  # not using the bot is not "blocked the bot"
    assert "not reachable" not in boss.last_text

    # Done: the desk phones her, she says it holds, and the clerk records it from the notice.
    await complete(tech)
    ask = next(c for c in reversed(clerk.calls()) if "is reported as repaired" in c.text)
    assert "陳美玲 does not use the bot" in ask.text
    button = next(b for b in ask.buttons() if b["text"] == "Resident confirmed by phone")
    await clerk.tap_data(button["callback_data"], ask)
    await clerk.tap_data(button["callback_data"], ask)  # a double tap records it once
    assert await desk.query("SELECT status FROM tickets") == [("closed",)]
    # her confirmation, recorded by the clerk who phoned (not her signature as the owner)
    assert await desk.query("SELECT party, user_id, channel FROM signoffs WHERE party = "
                            "'resident'") == [("resident", 9001, "phone")]
    assert await desk.query("SELECT count(*) FROM ticket_events WHERE action = "
                            "'confirmed_by_phone'") == [(1,)]
    assert any("the resident confirmed the repair" in t for t in tech.texts())

    # When she starts using the bot, the ticket is hers in /mytickets.
    resident = await resident_of_a12(desk)
    await resident.send("/mytickets")
    assert resident.labels()[0].startswith("R-2026-00001")
    assert await desk.query("SELECT resident_id FROM tickets") == [(5001,)]

    figures = await stats.compute(desk.db, desk.settings, 9003, date(2026, 11, 1))
    assert figures.by_channel == {"phone": 1}
    await boss.send("/stats")
    assert "Received: by phone 1" in boss.last_text


async def test_a_counter_complaint_for_a_resident_on_telegram_is_told_to_them(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await clerk.send("/intake")
    await clerk.send("0912 345 678")  # found by the caller's number
    await clerk.tap("陳美玲 0912-345-678")
    await clerk.tap("at the counter")
    await clerk.send("王小明 0933 111 222")
    await clerk.tap("Complaint")
    await clerk.tap("Noise and neighbours")
    await clerk.send("Loud music from 13F every night after 23:00.")
    await clerk.tap("Skip")
    assert clerk.last_text == "Does the resident want a phone call back?"  # not "you"
    await clerk.tap("Yes, call them back")
    assert "Caller: 王小明 0933 111 222" in clerk.last_text
    assert clerk.last_text.startswith("Please check the complaint with the resident:")
    await clerk.tap("Confirm and send")
    assert said(clerk, "Recorded as C-2026-00001")
    told = next(t for t in resident.texts() if "recorded your complaint" in t)
    assert "C-2026-00001" in told and "at the counter" in told
    await resident.tap("Open C-2026-00001")
    assert "Loud music" in resident.last_text
    assert await desk.query("SELECT resident_id, channel, caller_name, caller_phone FROM "
                            "tickets") == [(5001, "counter", "王小明", "0933 111 222")]


async def test_the_intake_checks_on_the_server_and_is_not_counted_against_the_resident(desk):
    desk.settings = desk.settings.__class__(daily_report_limit=1)
    await desk.restart()
    clerk, tech, _ = await staff(desk)
    await tech.send("/intake")
    assert "not allowed" in tech.last_text
    await clerk.send("/intake")
    await clerk.send("Z 99F-9")
    assert "No unit on the roster matches 'Z 99F-9'" in clerk.last_text
    await clerk.send("A 12F-3")
    await clerk.tap_data("i:p:r3")  # a roster line of another unit: refused
    assert "not allowed" in desk.api.calls[-1].params.get("text", "")
    await clerk.tap("Cancel")
    await take_repair_by_phone(clerk)
    await clerk.tap("Confirm and send")
    await take_repair_by_phone(clerk, "A 12F-3")  # a second one the same day is fine
    await clerk.tap("Confirm and send")
    assert "same as R-2026-00001" not in clerk.last_text
    assert await desk.query("SELECT count(*) FROM tickets") == [(2,)]


async def test_a_supervisor_can_take_a_report_in_chinese(desk):
    boss = desk.person(9003, "主管", "zh-TW")
    await desk.hire(boss, roles.SUPERVISOR, "林主管")
    await boss.send("/intake")
    assert "請輸入棟別與戶號" in boss.last_text
    await boss.send("Ａ 12F-3")  # full-width, as a phone keyboard may type it
    assert "是哪位住戶的報修" in boss.last_text


async def test_a_unit_is_found_however_it_is_typed_or_the_closest_are_offered(desk):
    clerk, _, _ = await staff(desk)
    await clerk.send("/intake")
    await clerk.send("A棟12樓之3")
    assert "A 12F-3: whose report is it?" in clerk.last_text
    await clerk.send("/cancel")
    await clerk.send("/intake")
    await clerk.send("A 12F-9")
    assert "No unit on the roster matches 'A 12F-9'" in clerk.last_text
    assert "Closest on the roster:" in clerk.last_text and "A 12F-3" in clerk.labels()
    await clerk.tap("A 12F-3")
    assert "A 12F-3: whose report is it?" in clerk.last_text


async def test_a_visit_proposed_to_a_resident_without_telegram_is_read_out_and_recorded(desk):
    """The unit proposes a time to a resident who does not use the bot: the desk is asked to
    phone them with the proposal itself (not a bare reference), and records their yes; the
    unit hears it as if they had tapped it."""
    from tests.test_units_in_chat import aqua_works, send_to_aqua
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    await take_repair_by_phone(clerk)
    await clerk.tap("Confirm and send")
    await send_to_aqua(clerk)
    await lee.tap("Accept")
    await lee.tap("Propose a visit time")
    await lee.tap("Sat, Nov 28")
    await lee.tap("Morning (9-12)")
    ask = next(c for c in reversed(clerk.calls()) if "陳美玲 does not use the bot" in c.text)
    assert ask.text.endswith("tell them:\nR-2026-00001: Aqua Works proposes to visit Sat, "
                             "Nov 28 Morning (9-12). Does it suit you?")
    await clerk.tap("Resident agreed by phone")
    assert "the visit is Sat, Nov 28 Morning (9-12), as the resident agreed by phone" in \
        clerk.last_text
    assert lee.last_text.startswith("R-2026-00001: the resident confirmed the visit Sat, Nov 28")
    assert await desk.query("SELECT visit_date, visit_slot FROM tickets") == [
        ("2026-11-28", "morning")]
    await tech.tap_data("vp:1:2026-11-28:morning")  # nobody else records it
    assert desk.api.calls[-1].method == "answerCallbackQuery"
    await clerk.tap_data("vp:1:2026-11-28:morning")  # a double tap, or a second clerk
    assert await desk.query("SELECT count(*) FROM ticket_events WHERE action = "
                            "'visit_confirmed'") == [(1,)]
    assert sum("the resident confirmed the visit" in t for t in lee.texts()) == 1


async def test_a_resident_without_telegram_who_says_not_fixed_has_the_job_reopened(desk):
    """On the desk's call the resident says it still leaks: the clerk records why, the job
    goes back to its technician, and nothing closes it automatically meanwhile."""
    clerk, tech, boss = await staff(desk)
    await take_repair_by_phone(clerk)
    await clerk.tap("Confirm and send")
    await assign_to_tech(clerk)
    await complete(tech)
    ask = next(c for c in reversed(clerk.calls()) if "is reported as repaired" in c.text)
    await clerk.tap_data(next(b["callback_data"] for b in ask.buttons()
                              if b["text"] == "Resident says not fixed"), ask)
    assert "what is still wrong, as the resident says?" in clerk.last_text
    await clerk.send("Still runs at night.")
    assert await desk.query("SELECT status FROM tickets") == [("reopened",)]
    assert tech.last_text.startswith("Reopened: the resident says it is not resolved: Still "
                                     "runs at night.")
    await desk.run_until(desk.clock.now + timedelta(days=4))
    assert await desk.query("SELECT status FROM tickets") == [("reopened",)]


async def test_a_complaint_answered_to_a_resident_without_telegram_is_settled_on_the_phone(desk):
    """The department's reply is read out by the desk, which records whether it settles
    the matter (or why not), not the department head who wrote it."""
    clerk, tech, boss = await staff(desk)
    await clerk.send("/intake")
    await clerk.send("a 12f-3")
    await clerk.tap("陳美玲 0912-345-678 ☎")
    await clerk.tap("by phone")
    await clerk.tap("The resident themselves")
    await clerk.tap("Complaint")
    await clerk.tap("Noise and neighbours")
    await clerk.send("Loud music from 13F every night after 23:00.")
    await clerk.tap("Skip")
    await clerk.tap("No call back needed")
    await clerk.tap("Confirm and send")
    await clerk.tap_starting("d:rt:1")
    await clerk.tap_starting("d:dp:1:")
    await boss.tap_starting("k:reply:1")
    await boss.send("Spoke to 13F.")
    await boss.send("We spoke to 13F; the music stops at 22:00 from now on.")
    ask = next(c for c in reversed(clerk.calls()) if "陳美玲 does not use the bot" in c.text)
    assert "the music stops at 22:00" in ask.text and "Is the matter resolved?" in ask.text
    assert not any("陳美玲 does not use the bot" in t for t in boss.texts())
    await clerk.tap_data(next(b["callback_data"] for b in ask.buttons()
                              if b["text"] == "Resident confirmed by phone"), ask)
    assert await desk.query("SELECT status FROM tickets") == [("closed",)]
