"""Reporting a repair: editing before sending, cancelling, several units, and a report in
progress that survives a restart of the bot."""

from tests.stories import staff


async def onboard(desk, user_id=5002, phone="886922111222"):
    owner = desk.person(user_id, "Chi-ming", "en")
    await owner.send("/start")
    await owner.share_contact(phone)
    await owner.tap("All of them")
    return owner


async def test_an_owner_of_two_units_chooses_the_unit_and_edits_before_sending(desk):
    clerk, _, _ = await staff(desk)
    owner = await onboard(desk)
    await owner.tap("Report a repair")
    assert owner.labels() == ["A 5F-1", "B 3F-2", "Cancel"]
    await owner.tap("B 3F-2")
    await owner.tap("Electrical")
    await owner.tap("No, not an emergency")
    await owner.tap("Living room")  # a room's chip
    await owner.send("The ceiling light flickers.")
    await owner.tap("Skip")
    await owner.tap(owner.labels()[2])
    await owner.tap("Evening (18-21)")
    await owner.tap("Edit")
    await owner.tap("Description")
    await owner.send("The ceiling light flickers and buzzes.")
    assert "flickers and buzzes" in owner.last_text and "Please check" in owner.last_text
    await owner.tap("Edit")
    await owner.tap("Visit time")
    await owner.tap(owner.labels()[0])  # today
    await owner.tap("Morning (9-12)")
    assert "Morning (9-12)" in owner.last_text and "Please check" in owner.last_text
    await owner.tap("Confirm and send")
    row = await desk.query("SELECT u.building, u.unit, t.category, t.description, t.visit_date, "
                           "t.visit_slot FROM tickets t JOIN units u ON u.id = t.unit_id")
    assert row == [("B", "3F-2", "electrical", "The ceiling light flickers and buzzes.",
                    "2026-11-26", "morning")]
    assert "B 3F-2" in clerk.last_text


async def test_a_room_is_a_chip_stored_by_its_key_and_read_in_the_readers_language(desk):
    from tests.stories import choose_a_visit, resident_of_a12
    clerk, _, _ = await staff(desk)  # reads English
    resident = await resident_of_a12(desk, "zh-TW")
    await resident.tap("我要報修")
    await resident.tap("給排水")
    await resident.tap("不是緊急情況")
    assert resident.labels() == ["廚房", "浴室", "客廳", "臥室", "陽台", "其他", "取消"]
    await resident.tap("廚房")
    await resident.send("水槽下方的水管一直滴水。")
    await resident.tap("略過")
    await choose_a_visit(resident)
    assert "位置：廚房" in resident.last_text
    await resident.tap("確認送出")
    assert await desk.query("SELECT location FROM tickets") == [("room:kitchen",)]
    assert "Where: Kitchen" in clerk.last_text

    # "Other" asks for it typed, as before the chips; typing without a chip works too.
    await resident.tap("我要報修")
    await resident.tap("給排水")
    await resident.tap("不是緊急情況")
    await resident.tap("其他")
    assert "例如：廚房水槽、主臥天花板" in resident.last_text
    await resident.send("儲藏室")
    assert "請描述問題" in resident.last_text
    await resident.tap_data("r:rm:garage")  # a forged room changes nothing
    assert await desk.query("SELECT step, data LIKE '%儲藏室%' FROM drafts") == [
        ("description", 1)]


async def test_a_day_outside_the_next_fourteen_is_refused(desk):
    owner = await onboard(desk)
    await owner.send("/repair")
    await owner.tap("A 5F-1")
    await owner.tap("Other")
    await owner.tap("No, not an emergency")
    await owner.send("Lobby")
    await owner.send("Door closer broken")
    await owner.tap("Skip")
    await owner.tap_data("r:d:2026-12-25")
    await owner.tap_data("r:d:2026-11-25")
    await owner.tap_data("r:d:yesterday")
    assert await desk.query("SELECT step FROM drafts") == [("visit_day",)]


async def test_cancel_leaves_at_any_step_and_files_nothing(desk):
    owner = await onboard(desk)
    await owner.send("/repair")
    await owner.tap("A 5F-1")
    await owner.tap("Cancel")
    assert owner.last_text == "Cancelled. Nothing was sent."
    await owner.send("/repair")
    await owner.tap("A 5F-1")
    await owner.tap("Plumbing")
    await owner.tap("No, not an emergency")
    await owner.send("/cancel")
    assert owner.last_text == "Cancelled. Nothing was sent."
    await owner.send("/cancel")
    assert owner.last_text == "There is nothing to cancel."
    assert await desk.query("SELECT count(*) FROM tickets") == [(0,)]
    assert await desk.query("SELECT count(*) FROM drafts") == [(0,)]


async def test_a_report_in_progress_survives_a_restart(desk):
    clerk, _, _ = await staff(desk)
    owner = await onboard(desk)
    await owner.send("/repair")
    await owner.tap("A 5F-1")
    await owner.tap("Leaks and damp")
    await owner.tap("No, not an emergency")
    await owner.send("Bathroom ceiling")

    await desk.restart()

    await owner.send("Dark stain spreading above the shower.")
    await owner.send_photo("stain")
    await owner.tap("Done")
    await owner.tap(owner.labels()[1])
    await owner.tap("Afternoon (13-17)")
    await owner.tap("Confirm and send")
    assert "registered as R-2026-00001" in owner.last_text
    assert await desk.query("SELECT location, description FROM tickets") == [
        ("Bathroom ceiling", "Dark stain spreading above the shower.")]


async def report_something(owner, description: str = "Something") -> None:
    await owner.send("/repair")
    await owner.tap("A 5F-1")
    await owner.tap("Other")
    await owner.tap("No, not an emergency")
    await owner.send("Hall")
    await owner.send(description)
    await owner.tap("Skip")
    await owner.tap(owner.labels()[0])
    await owner.tap("Morning (9-12)")
    await owner.tap("Confirm and send")


async def test_references_count_up_per_year(desk):
    owner = await onboard(desk)
    await report_something(owner, "The hall light flickers.")
    await report_something(owner, "The hall door does not close.")
    desk.clock.advance(days=40)  # into 2027
    await report_something(owner, "The hall light flickers again.")
    refs = [r for (r,) in await desk.query("SELECT ref FROM tickets ORDER BY id")]
    assert refs == ["R-2026-00001", "R-2026-00002", "R-2027-00001"]
    await owner.send("/mytickets")
    assert owner.labels()[0].startswith("R-2027-00001")


async def test_a_report_can_be_made_an_emergency_and_back_while_editing(desk):
    owner = await onboard(desk)
    await owner.send("/repair")
    await owner.tap("A 5F-1")
    await owner.tap("Electrical")
    await owner.tap("No, not an emergency")
    await owner.send("Whole flat")
    await owner.send("No power since this morning")
    await owner.tap("Skip")
    await owner.tap(owner.labels()[1])
    await owner.tap("Evening (18-21)")
    await owner.tap("Edit")
    await owner.tap("Emergency?")
    await owner.tap("Yes, an emergency")
    assert "Priority: Emergency" in owner.last_text
    assert "Preferred visit: As soon as possible" in owner.last_text
    await owner.tap("Edit")
    assert "Visit time" not in owner.labels()
    await owner.tap("Emergency?")
    await owner.tap("No, not an emergency")
    assert "Preferred visit: Fri, Nov 27 Evening (18-21)" in owner.last_text  # kept
    await owner.tap("Confirm and send")
    assert await desk.query("SELECT priority, visit_slot FROM tickets") == [
        ("normal", "evening")]


async def test_an_emergency_that_is_not_one_after_all_asks_for_a_visit(desk):
    owner = await onboard(desk)
    await owner.send("/repair")
    await owner.tap("A 5F-1")
    await owner.tap("Doors and windows")
    await owner.tap("Yes, an emergency")
    await owner.send("Front door")
    await owner.send("The lock is stuck")
    await owner.tap("Skip")
    await owner.tap("Edit")
    await owner.tap("Emergency?")
    await owner.tap("No, not an emergency")
    assert "Which day suits you" in owner.last_text
    await owner.tap(owner.labels()[0])
    await owner.tap("Evening (18-21)")
    assert "Priority: Normal" in owner.last_text and "Please check" in owner.last_text


async def test_only_slots_not_yet_over_can_be_chosen(desk):
    owner = await onboard(desk)
    desk.clock.advance(hours=4)  # 14:00 in Taipei
    await owner.send("/repair")
    await owner.tap("A 5F-1")
    await owner.tap("Other")
    await owner.tap("No, not an emergency")
    await owner.send("Hall")
    await owner.send("Light out")
    await owner.tap("Skip")
    await owner.tap(owner.labels()[0])  # today
    assert owner.labels() == ["Afternoon (13-17)", "Evening (18-21)", "Cancel"]
    await owner.tap_data("r:s:morning")
    assert await desk.query("SELECT step FROM drafts") == [("visit_slot",)]
    await owner.send("/cancel")
    desk.clock.advance(hours=8)  # 22:00: nothing is left of today
    await owner.send("/repair")
    await owner.tap("A 5F-1")
    await owner.tap("Other")
    await owner.tap("No, not an emergency")
    await owner.send("Hall")
    await owner.send("Light out")
    await owner.tap("Skip")
    assert owner.labels()[0] == "Fri, Nov 27"
    assert len(owner.labels()) == 15  # fourteen days and Cancel


async def test_the_same_open_problem_is_not_filed_twice_and_a_day_has_a_limit(desk):
    desk.settings = desk.settings.__class__(daily_report_limit=3)
    await desk.restart()
    owner = await onboard(desk)
    await report_something(owner, "The hall light flickers.")
    await report_something(owner, "  the HALL light   flickers. ")  # the same, typed again
    assert "same as R-2026-00001, which is still open" in owner.last_text
    await owner.tap("Open R-2026-00001")
    assert "The hall light flickers." in owner.last_text
    await report_something(owner, "The hall door does not close.")
    await report_something(owner, "The hall window is cracked.")
    assert await desk.query("SELECT count(*) FROM tickets") == [(3,)]
    await owner.send("/repair")  # a fourth today: told at once, before writing it all
    assert "You can report again from Nov 27, 2026 00:00" in owner.last_text
    await owner.send("/complain")
    assert "most new reports one day takes" in owner.last_text
    desk.clock.advance(days=1)
    await report_something(owner, "The hall mirror fell down.")
    assert await desk.query("SELECT count(*) FROM tickets") == [(4,)]


async def test_the_emergency_question_gives_the_offices_number(desk):
    desk.settings = desk.settings.__class__(office_phone="02-2345-6789",
                                            office_hours="09:00-18:00")
    await desk.restart()
    owner = await onboard(desk)
    await owner.send("/repair")
    await owner.tap("A 5F-1")
    await owner.tap("Other")
    assert "you can also call the management office (02-2345-6789, open 09:00-18:00)" in \
        owner.last_text


async def test_a_tenants_repair_is_told_to_the_owner(desk):
    await desk.import_roster("building,unit,name,phone,relation\n"
                             "A,12F-3,張租客,0955 000 333,租客\n")
    from tests.stories import report_leak, resident_of_a12
    owner = await resident_of_a12(desk)
    tenant = desk.person(5005, "Tenant", "en")
    await tenant.send("/start")
    await tenant.share_contact("+886 955 000 333")
    assert await desk.query("SELECT relation FROM roster WHERE name = '張租客'") == [("tenant",)]
    await report_leak(tenant)
    told = [t for t in owner.texts() if "a repair in your unit A 12F-3 was reported by" in t]
    assert len(told) == 1 and "張租客" in told[0] and "Water drips" in told[0]
    await report_leak(owner, "The balcony door sticks.")  # the owner's own: nobody else told
    assert not any("was reported by" in t for t in tenant.texts())
