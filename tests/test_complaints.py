"""A complaint from filing to reply, dispute and close; additions to an open ticket."""

from tests.stories import resident_of_a12, staff
from workflow import roles


async def hire_security_head(desk):
    head = desk.person(9010, "Security head", "en")
    from workflow import admin
    code = await admin.invite(desk.db, roles.SUPERVISOR, "Head of security", desk.clock(),
                              department="security")
    await head.join(code)
    return head


async def complain(resident, text="The night guard was asleep at the gate again."):
    await resident.tap("Make a complaint")
    await resident.tap("Security")
    await resident.send(text)
    await resident.tap("Skip")
    await resident.tap("Yes, please call me")
    assert "Wants a phone call back." in resident.last_text
    await resident.tap("Confirm and send")


async def test_a_complaint_is_acknowledged_routed_answered_disputed_and_closed(desk):
    clerk, tech, boss = await staff(desk)
    head = await hire_security_head(desk)
    resident = await resident_of_a12(desk)
    await complain(resident)
    assert "registered as C-2026-00001" in resident.last_text
    assert "New complaint" in clerk.last_text and "asleep at the gate" in clerk.last_text
    assert "Acknowledge by:" in clerk.last_text

    await clerk.tap("Acknowledge")
    assert "acknowledged" in clerk.last_text
    assert "the desk has received your complaint and is looking into it" in resident.last_text
    await clerk.tap("Route to a department")
    await clerk.tap("Security")
    assert "C-2026-00001 passed to Security" in clerk.last_text
    assert "your complaint is now with Security, who will answer you by" in resident.last_text
    assert "A complaint for your department" in head.last_text
    assert not any("A complaint for your department" in t for t in boss.texts())

    await boss.tap_data("d:v:1")
    assert "Record the reply" not in boss.labels()  # not the head of security
    await boss.tap_data("k:reply:1")  # nor may a forged button
    assert await desk.query("SELECT count(*) FROM drafts WHERE user_id = 9003") == [(0,)]
    await head.tap("Record the reply")
    await head.send("Spoke to the guard company; the guard was replaced.")
    await head.send("We are sorry. The guard has been replaced and night rounds are checked.")
    assert "your reply was sent" in head.last_text
    assert "the reply to your complaint:\nWe are sorry." in resident.last_text

    await resident.tap("Not resolved")
    await resident.send("Last night the gate was unattended again.")
    assert "not resolved: Last night the gate" in head.last_text
    assert await desk.query("SELECT status FROM tickets") == [("reopened",)]
    await head.tap("Record the reply")
    await head.send("Added a second guard.")
    await head.send("A second guard now covers the gate at night.")
    await resident.tap("Resolved")
    row = await desk.query("SELECT ref, kind, status, department, callback_requested, reply "
                           "FROM tickets")
    assert row == [("C-2026-00001", "C", "closed", "security", 1,
                    "A second guard now covers the gate at night.")]
    actions = [a for (a,) in await desk.query("SELECT action FROM ticket_events ORDER BY id")]
    assert actions == ["reported", "acknowledged", "routed", "replied", "not_fixed", "replied",
                       "confirmed"]


async def test_complaints_show_in_mytickets_queue_and_overdue(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await complain(resident)
    await resident.send("/mytickets")
    assert resident.labels()[0].startswith("C-2026-00001")
    await clerk.send("/queue")
    assert clerk.labels()[0].startswith("C-2026-00001")
    await desk.run_until(desk.clock.now + __import__("datetime").timedelta(minutes=31))
    assert any("complaint C-2026-00001 was not acknowledged by" in t for t in boss.texts())
    await boss.send("/overdue")
    assert "C-2026-00001" in boss.last_text


async def test_an_over_long_complaint_is_refused(desk):
    resident = await resident_of_a12(desk)
    await resident.send("/complain")
    await resident.tap("Parking")
    await resident.send("x" * 2001)
    assert "limit is 2000" in resident.last_text
    await resident.send_sticker()
    assert resident.last_text == "Please answer in text."
    assert await desk.query("SELECT step FROM drafts") == [("text",)]


async def test_a_resident_adds_a_photo_to_an_open_repair_and_the_technician_is_told(desk):
    from tests.stories import assign_to_tech, report_leak
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await resident.send("/mytickets")
    await resident.tap(resident.labels()[0])
    await resident.tap("Add a message or photo")
    await resident.send_photo("stain-bigger")
    assert "Added to R-2026-00001" in resident.last_text
    assert "the resident added" in tech.last_text
    assert any(c.method == "sendPhoto" and c.params["photo"] == "stain-bigger"
               for c in tech.calls())
    await resident.tap_data("t:add:1")
    await resident.send("It is spreading to the wall.")
    assert "the resident added: It is spreading to the wall." in tech.last_text
    stranger_ticket = await desk.query("SELECT count(*) FROM ticket_photos WHERE stage = 'extra'")
    assert stranger_ticket == [(1,)]


async def test_a_department_without_a_head_falls_to_the_desk_and_management_to_managers(desk):
    clerk, tech, boss = await staff(desk)  # the desk's supervisor has no department
    head = await hire_security_head(desk)
    manager = desk.person(9011, "Manager", "en")
    await desk.hire(manager, roles.MANAGER, "Estate manager")
    resident = await resident_of_a12(desk)
    await complain(resident)
    await clerk.tap("Route to a department")
    await clerk.tap("Cleaning")  # nobody heads cleaning in the bot
    assert "A complaint for Cleaning, which has no head here" in boss.last_text
    assert not any("Cleaning" in t for t in head.texts())  # not every supervisor
    await desk.run_until(desk.clock.now + __import__("datetime").timedelta(days=4))
    late = [t for t in boss.texts() if "was not answered by" in t]
    assert late and "With Cleaning." in late[0]  # the department, not "nobody yet"

    await complain(resident, "The management fee statement is wrong.")
    await clerk.tap_starting("d:rt:2:")
    await clerk.tap("Management")
    assert any("C-2026-00002" in t for t in manager.texts())


async def test_a_complaint_routed_after_its_deadline_promises_a_new_date(desk):
    clerk, tech, boss = await staff(desk)
    head = await hire_security_head(desk)
    resident = await resident_of_a12(desk)
    await complain(resident)  # Thursday 26 November: to be answered within 72 hours
    await clerk.tap("Acknowledge")
    assert "We will answer by Nov 29, 2026 10:00" in resident.last_text
    desk.clock.advance(hours=80)  # Sunday evening: the date promised has passed
    await clerk.tap("Route to a department")
    await clerk.tap("Security")
    told = resident.last_text
    assert "your complaint is now with Security" in told
    assert "Nov 29" not in told  # never a date already past
    assert "We are sorry it took longer than we said: they will answer you by Dec 2" in told
    assert "A complaint for your department" in head.last_text
    assert await desk.query("SELECT count(*) FROM ticket_events WHERE action = "
                            "'deadline_renewed'") == [(1,)]
    desk.clock.advance(hours=1)
    await desk.sweep()
    assert not any("was not answered by" in t for t in head.texts())  # not late again at once


async def test_a_complaint_acknowledged_after_its_deadline_promises_a_new_date(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await complain(resident)  # to be answered by Sunday 29 November, 10:00
    desk.clock.advance(hours=80)  # Sunday evening: nobody acknowledged it in time
    await clerk.tap("Acknowledge")
    told = resident.last_text
    assert "Nov 29" not in told  # never a date already past
    assert "We are sorry it took longer than we said: we will answer by Dec 2, 2026 18:00" \
        in told
    assert await desk.query("SELECT action, from_status, to_status FROM ticket_events WHERE "
                            "action = 'deadline_renewed'") == [("deadline_renewed", "new", "new")]
