"""After the technician says done: the resident confirms, disputes, or stays silent."""

from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff


async def test_not_fixed_reopens_the_task_to_the_same_technician(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await complete(tech, note="Tightened the joint.")

    await resident.tap("Not fixed")
    assert "What is still wrong" in resident.last_text
    await resident.send("It still drips at night.")
    assert "reopened R-2026-00001" in resident.last_text
    assert "not resolved: It still drips at night." in tech.last_text
    assert await desk.query("SELECT status, technician_id FROM tickets") == [("reopened", 9002)]
    assert await desk.query("SELECT party FROM signoffs") == []

    # The same technician goes back, completes again, and this time it holds.
    await tech.tap("Complete")
    await tech.send_photo("after-second-visit")
    await tech.tap("Done")
    await tech.send("Replaced the whole pipe.")
    await tech.send("2")
    await tech.send("350.5")
    await resident.tap("Confirm, it is fixed")
    assert await desk.query("SELECT status, work_note FROM tickets") == [
        ("closed", "Replaced the whole pipe.")]
    actions = [a for (a,) in await desk.query("SELECT action FROM ticket_events ORDER BY id")]
    assert actions == ["reported", "assigned", "completed", "not_fixed", "completed", "confirmed"]
    stages = await desk.query("SELECT DISTINCT stage FROM ticket_photos ORDER BY stage")
    assert stages == [("after1",), ("after2",)]
    # Each visit keeps its own labour and materials; the ticket shows their sum.
    assert await desk.query("SELECT round, worker_id, labour_hours, materials_cost FROM visits "
                            "ORDER BY round") == [(1, 9002, 100, 0), (2, 9002, 200, 35050)]
    assert await desk.query("SELECT labour_hours, materials_cost FROM tickets") == [(300, 35050)]
    await clerk.tap_data("d:v:1")
    assert "Labour: 3 h, materials: NT$350.5" in clerk.last_text
    assert "Visit 1, Nov 26, 2026 10:00: 1 h, materials: NT$0" in clerk.last_text
    assert "Visit 2, Nov 26, 2026 10:00: 2 h, materials: NT$350.5" in clerk.last_text


async def test_a_silent_resident_is_confirmed_automatically_after_three_days(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await complete(tech)

    desk.clock.advance(days=2, hours=23)
    await desk.sweep()
    assert await desk.query("SELECT status FROM tickets") == [("completed",)]

    desk.clock.advance(hours=1)
    await desk.sweep()
    await desk.sweep()  # a second sweep finds nothing more to do
    assert await desk.query("SELECT status FROM tickets") == [("closed",)]
    assert await desk.query("SELECT party, user_id, automatic FROM signoffs WHERE party = "
                            "'resident'") == [("resident", None, 1)]
    assert sum("was confirmed automatically" in t for t in resident.texts()) == 1

    # The old buttons change nothing now.
    await resident.tap("Not fixed")
    assert "out of date" in desk.api.calls[-1].params.get("text", "")
    assert await desk.query("SELECT status FROM tickets") == [("closed",)]


async def test_a_double_tap_on_confirm_closes_once(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await complete(tech)
    await resident.tap_data("s:ok:1")
    await resident.tap_data("s:ok:1")
    assert await desk.query("SELECT count(*) FROM ticket_events WHERE action = 'confirmed'") == [
        (1,)]
    assert sum("confirmed the repair" in t for t in tech.texts()) == 1


async def test_a_supervisor_finds_completed_repairs_to_sign_and_signs_from_the_card(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await boss.send("/signoffs")
    assert boss.last_text == "No repair is waiting for your sign-off."
    await report_leak(resident)
    await assign_to_tech(clerk)
    await complete(tech)
    await resident.tap("Confirm, it is fixed")

    form = next(c for c in boss.calls() if c.text and "Please sign the repair form as" in c.text)
    assert [b["text"] for b in form.buttons()] == ["Sign", "Query"]
    await boss.send("/signoffs")
    assert "Repair forms waiting for signatures" in boss.last_text
    await boss.tap("R-2026-00001 · Closed · A 12F-3")
    assert "Repair department (supervisor): waiting" in boss.last_text
    await boss.tap("Sign")
    assert "Signed off." in boss.last_text
    assert "now signed off by every party" in boss.last_text  # in-house: with the owner's
    assert await desk.query("SELECT party, user_id FROM signoffs WHERE party = 'supervisor'") \
        == [("supervisor", 9003)]
    await boss.tap("Waiting for sign-off")
    assert boss.last_text == "No repair is waiting for your sign-off."
    # A clerk or a technician has no such list.
    await clerk.send("/signoffs")
    await tech.send("/signoffs")
    assert "not allowed" in clerk.last_text and "not allowed" in tech.last_text
