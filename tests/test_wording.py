"""What people see at the desk: pickers that can be closed, a priority question that names the
ticket, the pause reason on the card, a complaint that can be edited before it is sent."""

from tests.stories import report_leak, resident_of_a12, staff


async def test_every_picker_closes_without_changing_anything(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await clerk.tap("Assign technician")
    assert clerk.labels()[-1] == "Close"
    await clerk.tap("Close")
    assert desk.api.calls[-2].method == "editMessageReplyMarkup"
    await clerk.tap_starting("d:pr:1:")
    assert "R-2026-00001 is Normal now. Its new priority?" in clerk.last_text
    assert clerk.labels() == ["Emergency", "Urgent", "Close"]
    await clerk.tap("Close")
    assert await desk.query("SELECT status, priority FROM tickets") == [("new", "normal")]


async def test_the_language_picker_closes_without_changing_the_language(desk):
    resident = await resident_of_a12(desk)
    await resident.send("/language")
    assert resident.labels()[-1] == "Close"
    await resident.tap("Close")
    assert await desk.query("SELECT language FROM people WHERE user_id = 5001") == [("en",)]


async def test_the_pause_reason_shows_on_the_card(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await clerk.tap("Pause clock")
    await clerk.send("Waiting for the resident to be home.")
    await clerk.tap_data("d:v:1")
    assert "Clock paused since Nov 26, 2026 10:00: Waiting for the resident to be home." in \
        clerk.last_text


async def test_a_complaint_can_be_edited_before_it_is_sent_and_shows_its_unit(desk):
    await staff(desk)
    resident = await resident_of_a12(desk)
    await resident.tap("Make a complaint")
    await resident.tap("Security")
    await resident.send("The gate was open all night.")
    await resident.tap("Skip")
    await resident.tap("No, a reply here is fine")
    assert "Unit: A 12F-3" in resident.last_text
    await resident.tap("Edit")
    await resident.tap("Complaint")
    await resident.send("The back gate was open all night on Friday.")
    assert "Please check your complaint" in resident.last_text
    assert "The back gate was open all night on Friday." in resident.last_text
    await resident.tap("Confirm and send")
    assert await desk.query("SELECT description FROM tickets") == [
        ("The back gate was open all night on Friday.",)]


async def test_a_repair_summary_names_the_unit(desk):
    resident = await resident_of_a12(desk)
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:emergency")
    await resident.send("Bathroom")
    await resident.send("Burst pipe.")
    await resident.tap_data("r:pd")
    assert "Unit: A 12F-3" in resident.last_text


async def test_an_edit_menu_goes_back_to_the_summary(desk):
    resident = await resident_of_a12(desk)
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:emergency")
    await resident.send("Bathroom")
    await resident.send("Burst pipe.")
    await resident.tap_data("r:pd")
    await resident.tap("Edit")
    await resident.tap("Back")
    assert resident.last_text.startswith("Please check your report")
    assert "Confirm and send" in resident.labels()


async def test_a_technician_whose_job_moved_on_is_told_so_not_refused(desk):
    from workflow import roles
    clerk, tech, _ = await staff(desk)
    other = desk.person(9006, "Tech two", "en")
    await desk.hire(other, roles.TECHNICIAN, "Ah Keung")
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await clerk.tap_starting("d:tech:1:")
    await clerk.tap_starting("d:pt:1:9002:")
    await clerk.tap("2 days")
    await clerk.tap("Reassign: technician")
    await clerk.tap("Ah Keung")
    await clerk.tap("2 days")
    await tech.tap("On my way")  # the old task card
    shown = desk.api.calls[-1].params.get("text", "")
    assert "not allowed" not in shown
    assert "This job is no longer yours" in shown
    assert "Already assigned to Ah Keung by Desk clerk, Nov 26, 2026 10:00." in shown
    assert await desk.query("SELECT status, technician_id FROM tickets") == [("assigned", 9006)]
