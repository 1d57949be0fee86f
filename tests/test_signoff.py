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
    assert actions == ["reported", "assigned", "completed", "not_fixed", "completed", "confirmed",
                       "owner_signed"]  # the owner reported it: confirming, they sign
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


TENANT_ROSTER = "building,unit,name,phone,relation\nA,12F-3,張租客,0955 000 333,租客\n"


async def tenant_of_a12(desk, language="en"):
    await desk.import_roster(TENANT_ROSTER)
    tenant = desk.person(5005, "Tenant", language)
    await tenant.send("/start")
    await tenant.share_contact("+886 955 000 333")
    return tenant


def owners_form(person):
    return next(c for c in reversed(person.calls()) if c.text and
                any(b["callback_data"].startswith("s:sg:1:owner") for b in c.buttons()))


async def test_a_tenants_confirmation_is_not_the_owners_signature(desk):
    """The tenant confirms the repair; the owner is told it is done, gets the form and signs
    it as the owner: the form shows the confirmation and the signature apart."""
    clerk, tech, boss = await staff(desk)
    owner = await resident_of_a12(desk)
    tenant = await tenant_of_a12(desk)
    await report_leak(tenant)
    await assign_to_tech(clerk)
    await complete(tech, note="Tightened the joint.")
    assert any("R-2026-00001: the repair in your unit A 12F-3 reported by" in t and
               "is completed: Tightened the joint." in t for t in owner.texts())
    assert not any("is completed" in t for t in tenant.texts() + boss.texts())

    await tenant.tap("Confirm, it is fixed")
    assert "your signature" not in tenant.last_text
    assert await desk.query("SELECT party, user_id FROM signoffs ORDER BY party") == [
        ("resident", 5005), ("technician", 9002)]
    form = owners_form(owner)
    assert form.text.startswith("Please sign the repair form as Owner, or query it.")
    assert "Repair confirmed by 張租客 in the chat" in form.text
    assert "Owner: waiting" in form.text
    assert [b["text"] for b in form.buttons()] == ["Sign", "Query"]
    assert not any("Please sign the repair form as Owner" in t for t in tenant.texts())

    await boss.tap("Sign")
    assert "now signed off by every party" not in boss.last_text  # the owner has not yet
    await boss.tap_data("s:f:1")
    assert "Owner: waiting" in boss.last_text
    await tenant.tap_data("s:sg:1:owner")  # a tenant does not sign for the owner
    assert desk.api.calls[-1].method == "answerCallbackQuery"
    assert desk.api.calls[-1].params["show_alert"]

    await owner.tap("Sign")
    assert "Signed off." in owner.last_text
    assert "R-2026-00001 is now signed off by every party." in owner.last_text
    assert await desk.query("SELECT user_id, channel FROM signoffs WHERE party = 'owner'") == [
        (5001, "bot")]
    await boss.tap_data("s:f:1")
    assert "· Owner: 陳美玲" in boss.last_text and "Signed off by every party." in boss.last_text


async def test_a_confirmation_by_phone_or_automatic_is_no_signature_of_the_owner(desk):
    """The owner's own job confirmed by phone through the desk, and a second confirmed
    automatically: each form says who confirmed and how, and waits for the owner, who gets
    it in the chat (or a clerk records their paper signature)."""
    clerk, tech, boss = await staff(desk)
    owner = await resident_of_a12(desk)
    await report_leak(owner)
    await assign_to_tech(clerk)
    await complete(tech)
    await clerk.tap_data("d:v:1")
    await clerk.tap_starting("d:cp:1")
    assert await desk.query("SELECT party, user_id, channel FROM signoffs WHERE party IN "
                            "('resident', 'owner')") == [("resident", 9001, "phone")]
    form = owners_form(owner)
    assert form.text.startswith("Please sign the repair form as Owner, or query it.")
    assert "Repair confirmed by 陳美玲 by phone" in form.text
    assert "recorded by Desk clerk." in form.text
    assert "Owner: waiting" in form.text
    await boss.tap_data("s:f:1")
    assert "Repair confirmed by 陳美玲 by phone" in boss.last_text
    assert "Owner: waiting" in boss.last_text

    await report_leak(owner, "The balcony door sticks.")
    await assign_to_tech(clerk, ticket_id=2)
    await complete(tech, ticket_id=2)
    desk.clock.advance(days=3)
    await desk.sweep()
    assert await desk.query("SELECT status FROM tickets WHERE id = 2") == [("closed",)]
    assert await desk.query("SELECT party FROM signoffs WHERE ticket_id = 2 AND party = "
                            "'owner'") == []
    assert any(t.startswith("Please sign the repair form as Owner") and "R-2026-00002" in t
               and "Repair confirmed automatically" in t and
               "3 days after completion without an answer." in t for t in owner.texts())
    # the owner signs on paper, recorded by the desk
    await clerk.tap_data("s:pp:2")
    assert clerk.labels() == ["Repair department (supervisor)", "Owner", "Close"]
    await clerk.tap("Owner")
    await clerk.send("陳美玲")
    assert "the paper signature of 陳美玲 is recorded" in clerk.last_text
    assert await desk.query("SELECT user_id, channel, signer_name FROM signoffs WHERE "
                            "ticket_id = 2 AND party = 'owner'") == [(9001, "paper", "陳美玲")]


async def test_an_owner_without_telegram_is_phoned_by_the_desk_and_signs_on_paper(desk):
    """The tenant of A 5F-1 reports; its owner is on the roster but not on Telegram: the desk
    is asked to phone the owner of the report, of the completed job and of the form that
    waits for their signature, which a clerk then records from paper."""
    clerk, tech, boss = await staff(desk)
    await desk.import_roster("building,unit,name,phone,relation\nA,5F-1,租客乙,0966 000 444,"
                             "租客\n")
    tenant = desk.person(5007, "Tenant", "en")
    await tenant.send("/start")
    await tenant.share_contact("+886 966 000 444")
    await report_leak(tenant)
    phone_owner = "R-2026-00001: 林志明 does not use the bot. Please phone them at 0922 111 222"
    asked = [t for t in clerk.texts() if t.startswith(phone_owner)]
    assert len(asked) == 1 and "a repair in your unit A 5F-1 was reported by 租客乙" in asked[0]
    await assign_to_tech(clerk)
    await complete(tech)
    asked = [t for t in clerk.texts() if t.startswith(phone_owner)]
    assert len(asked) == 2 and "is completed" in asked[1]
    await tenant.tap("Confirm, it is fixed")
    asked = [t for t in clerk.texts() if t.startswith(phone_owner)]
    assert len(asked) == 3 and "its repair form waits for your signature as the owner" in \
        asked[2]
    assert not any(t.startswith(phone_owner) for t in tech.texts() + boss.texts())
    await clerk.tap_data("s:pp:1")
    await clerk.tap("Owner")
    await clerk.send("林志明")
    assert "the paper signature of 林志明 is recorded" in clerk.last_text
