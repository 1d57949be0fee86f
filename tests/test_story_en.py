"""A resident reports a leaking sink in English; the desk carries it to a signed-off close."""

from workflow import roles


async def test_a_leaking_sink_from_report_to_sign_off(desk):
    clerk = desk.person(9001, "Clerk", "en")
    tech = desk.person(9002, "Tech", "en")
    boss = desk.person(9003, "Boss", "en")
    await desk.hire(clerk, roles.CLERK, "Desk clerk")
    await desk.hire(tech, roles.TECHNICIAN, "Ah Wai")
    await desk.hire(boss, roles.SUPERVISOR, "Supervisor")
    assert "registered as technician" in tech.last_text

    resident = desk.person(5001, "May", "en-GB")
    await resident.send("/start")
    assert "share your phone number" in resident.last_text
    await resident.share_contact("+886 912 345 678")
    assert "linked to unit A 12F-3" in resident.texts()[-2]

    await resident.tap("Report a repair")
    await resident.tap("Plumbing")
    await resident.tap("No, not an emergency")
    await resident.send("Kitchen sink")
    await resident.send("Water drips from the pipe under the sink all day.")
    await resident.send_photo("photo-leak-1")
    await resident.send_photo("photo-leak-2")
    await resident.tap("Done")
    await resident.tap(resident.labels()[1])  # the day after today
    await resident.tap("Afternoon (13-17)")
    summary = resident.last_text
    assert "Kitchen sink" in summary and "Photos: 2" in summary
    clerk.new_texts()
    await resident.tap("Confirm and send")
    assert "registered as R-2026-00001" in resident.last_text

    stored = await desk.query("SELECT ref, status, category, location FROM tickets")
    assert stored == [("R-2026-00001", "new", "plumbing", "Kitchen sink")]
    assert await desk.query("SELECT count(*) FROM ticket_photos") == [(2,)]

    # The clerk sees the report with its photos and dispatch buttons.
    assert any("New repair report" in t and "Water drips" in t for t in clerk.new_texts())
    assert any(c.method == "sendMediaGroup" for c in clerk.calls())
    await clerk.tap("Assign technician")
    await clerk.tap("Ah Wai")
    await clerk.tap(clerk.labels()[0])  # the category's default deadline
    assert "R-2026-00001 assigned to Ah Wai" in clerk.last_text

    assert "Ah Wai will take care of your repair" in resident.last_text
    assert "New task for you" in tech.last_text

    await tech.send("/mytasks")
    await tech.tap(tech.labels()[0])
    await tech.tap("On my way")
    assert "the technician is on the way" in resident.last_text
    await tech.tap("Arrived")
    await tech.tap("Complete")
    await tech.send_photo("photo-fixed")
    await tech.tap("Done")
    await tech.send("Replaced the trap seal.")
    await tech.send("1.5")
    await tech.send("120")
    assert "R-2026-00001 is complete" in tech.last_text

    assert "Is it fixed?" in resident.last_text
    await resident.tap("Confirm, it is fixed")
    assert "R-2026-00001 is closed" in resident.last_text
    assert "confirmed the repair" in tech.last_text

    await boss.send("/queue")
    assert "No open tickets" in boss.last_text
    await boss.tap_data("d:v:1")
    await boss.tap("Supervisor sign-off")
    assert boss.last_text == "Signed off.\nR-2026-00001 is now signed off by every party."

    rows = await desk.query("SELECT status, labour_hours, materials_cost, work_note FROM tickets")
    assert rows == [("closed", 150, 12000, "Replaced the trap seal.")]  # 1.5 h, NT$120
    parties = await desk.query("SELECT party, user_id, automatic FROM signoffs ORDER BY party")
    # May owns the flat: her confirmation in the chat is also the owner's signature
    assert parties == [("owner", 5001, 0), ("resident", 5001, 0), ("supervisor", 9003, 0),
                       ("technician", 9002, 0)]
    events = await desk.query("SELECT action, from_status, to_status FROM ticket_events")
    assert events == [
        ("reported", None, "new"), ("assigned", "new", "assigned"),
        ("en_route", "assigned", "en_route"), ("arrived", "en_route", "on_site"),
        ("completed", "on_site", "completed"), ("confirmed", "completed", "closed"),
        ("owner_signed", "closed", "closed"), ("supervisor_signed", "closed", "closed"),
        ("signed_off", "closed", "closed"),
    ]

    await resident.send("/mytickets")
    await resident.tap(resident.labels()[0])
    timeline = resident.last_text
    assert "Timeline:" in timeline and "Confirmed by the resident" in timeline
