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
    await owner.send("Living room")
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


async def report_something(owner) -> None:
    await owner.send("/repair")
    await owner.tap("A 5F-1")
    await owner.tap("Other")
    await owner.tap("No, not an emergency")
    await owner.send("Hall")
    await owner.send("Something")
    await owner.tap("Skip")
    await owner.tap(owner.labels()[0])
    await owner.tap("Morning (9-12)")
    await owner.tap("Confirm and send")


async def test_references_count_up_per_year(desk):
    owner = await onboard(desk)
    await report_something(owner)
    await report_something(owner)
    desk.clock.advance(days=40)  # into 2027
    await report_something(owner)
    refs = [r for (r,) in await desk.query("SELECT ref FROM tickets ORDER BY id")]
    assert refs == ["R-2026-00001", "R-2026-00002", "R-2027-00001"]
    await owner.send("/mytickets")
    assert owner.labels()[0].startswith("R-2027-00001")
