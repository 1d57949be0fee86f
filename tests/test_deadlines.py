"""Deadlines that bite: targets, early warnings, escalation, pauses, reminders and the digest,
all on a fake clock. The report is made at 10:00 Taipei time on Thursday 26 November."""

from datetime import timedelta

from storage.repairs import contractors
from tests.fake_telegram import TelegramError
from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff
from workflow import roles


def count(person, phrase):
    return sum(phrase in t for t in person.texts())


async def manager_of(desk):
    manager = desk.person(9005, "Manager", "en")
    await desk.hire(manager, roles.MANAGER, "Estate manager")
    return manager


async def run_to(desk, **delta):
    """Lets time pass, sweeping whenever something falls due."""
    await desk.run_until(desk.clock.now + timedelta(**delta))


async def test_an_unassigned_report_warns_the_desk_then_escalates_once_per_step(desk):
    clerk, tech, boss = await staff(desk)
    manager = await manager_of(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)  # normal priority: assign within 24 h, resolve within 72 h

    await run_to(desk, hours=19)
    assert count(clerk, "Early warning") == 0
    await run_to(desk, hours=1)  # 80% of 24 h is 19 h 12 min
    assert count(clerk, "Early warning: R-2026-00001 must be assigned by") == 1
    assert count(boss, "Early warning") == 0

    await run_to(desk, hours=4)  # 24 h: the target is missed
    assert count(clerk, "was not assigned by") == 1
    assert count(boss, "was not assigned by") == 1
    assert count(manager, "Still late") == 0
    await run_to(desk, hours=12)  # a further half of the target
    assert count(manager, "Still late after the supervisors were told: R-2026-00001") == 1
    await run_to(desk, hours=24)
    assert count(clerk, "was not assigned by") == 1  # each step once
    assert count(manager, "Still late") == 1
    actions = [a for (a,) in await desk.query("SELECT action FROM ticket_events ORDER BY id")]
    assert actions == ["reported", "overdue_assign_late", "escalated_assign_managers"]
    alert = next(c for c in boss.calls() if "not assigned by" in c.text)
    assert [b["text"] for b in alert.buttons()][:2] == ["Assign technician", "Assign contractor"]


async def test_a_missed_repair_deadline_reaches_the_technician_supervisors_then_managers(desk):
    clerk, tech, boss = await staff(desk)
    manager = await manager_of(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk, days=0)  # the service level: 72 h from the report
    await tech.tap("On my way")  # started, so the visit slot is kept

    await run_to(desk, hours=57)
    assert count(tech, "Early warning") == 0
    await run_to(desk, hours=1)  # 80% of 72 h is 57 h 36 min
    assert count(tech, "Early warning: R-2026-00001 must be resolved by") == 1
    await run_to(desk, hours=14)
    assert count(tech, "Late: R-2026-00001 missed its deadline of") == 1
    alert = next(c.text for c in boss.calls() if "missed its deadline" in c.text)
    assert "Held by Ah Wai." in alert
    await run_to(desk, hours=36)
    assert count(manager, "Still late after the supervisors were told") == 1
    assert count(clerk, "missed its deadline") == 0  # the technician holds it

    await boss.send("/overdue")
    assert "R-2026-00001 A 12F-3: late by 1 day, 12 hours, held by Ah Wai" in boss.last_text


async def test_an_emergency_has_short_targets_and_no_appointment(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await resident.send("/repair")
    await resident.tap("Plumbing")
    assert "smell of gas" in resident.last_text
    await resident.tap("Yes, an emergency")
    await resident.send("Bathroom")
    await resident.send("Water is pouring from the ceiling!")
    await resident.tap("Skip")
    assert "Preferred visit: As soon as possible" in resident.last_text
    await resident.tap("Confirm and send")
    assert await desk.query("SELECT priority, visit_slot, assign_due_at, deadline_at FROM "
                            "tickets") == [("emergency", "asap", "2026-11-26T02:30:00.000000Z",
                                            "2026-11-26T06:00:00.000000Z")]
    assert "Priority: Emergency" in clerk.last_text
    await run_to(desk, minutes=30)
    assert count(boss, "was not assigned by") == 1


async def test_a_clerk_changes_the_priority_and_it_is_audited(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await clerk.tap("Priority")
    await clerk.tap("Urgent")
    assert "R-2026-00001 is now Urgent" in clerk.last_text
    assert await desk.query("SELECT priority, assign_due_at FROM tickets") == [
        ("urgent", "2026-11-26T04:00:00.000000Z")]
    assert await desk.query("SELECT action, note FROM ticket_events WHERE action = "
                            "'priority_changed'") == [("priority_changed", "normal → urgent")]
    await run_to(desk, hours=2)
    assert count(boss, "was not assigned by") == 1
    await tech.tap_data("d:pp:1:emergency")  # a technician may not
    assert await desk.query("SELECT priority FROM tickets") == [("urgent",)]


async def test_a_paused_clock_moves_the_deadlines_by_the_paused_time(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk, days=0)
    await tech.tap("On my way")
    await clerk.tap_data("d:v:1")
    await clerk.tap("Pause clock")
    await clerk.send("Waiting for a replacement valve")
    assert "the clock is paused" in clerk.last_text
    await run_to(desk, hours=100)  # well past the original deadline: nothing fires
    assert count(boss, "missed its deadline") == 0 and count(tech, "Early warning") == 0
    await boss.send("/overdue")
    assert "Nothing is late" in boss.last_text

    await clerk.tap_data("d:v:1")
    await clerk.tap("Resume clock")
    assert await desk.query("SELECT deadline_at, paused_at, paused_seconds FROM tickets") == [
        ("2026-12-03T06:00:00.000000Z", None, 100 * 3600)]  # 72 h + 100 h after the report
    await run_to(desk, hours=72)
    assert count(boss, "missed its deadline") == 1
    actions = [a for (a,) in await desk.query("SELECT action FROM ticket_events ORDER BY id")]
    assert "paused" in actions and "resumed" in actions


async def test_an_extended_deadline_can_be_missed_again(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk, days=0)
    await tech.tap("On my way")
    await run_to(desk, hours=73)
    assert count(boss, "missed its deadline") == 1
    await boss.tap("Extend deadline")
    await boss.tap("+3 days")
    await boss.send("Resident away until Monday")
    assert "R-2026-00001: the deadline is now" in boss.last_text
    assert "Reason: Resident away until Monday" in tech.last_text
    assert await desk.query("SELECT note FROM ticket_events WHERE action = "
                            "'deadline_extended'") == [("Resident away until Monday",)]
    await run_to(desk, days=3)
    assert count(boss, "missed its deadline") == 2


async def test_a_visit_not_started_by_the_end_of_its_slot_is_late(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)  # tomorrow morning, 9-12
    await assign_to_tech(clerk)
    await run_to(desk, hours=21, minutes=30)  # Friday 07:30
    assert count(tech, "Reminder: your visit") == 0
    await run_to(desk, minutes=31)  # 08:01: an hour before the slot
    assert count(tech, "Reminder: your visit for R-2026-00001 is") == 1
    await run_to(desk, hours=4)  # past 12:00
    assert count(boss, "Late: the visit for R-2026-00001") == 1
    assert count(tech, "Late: the visit for R-2026-00001") == 1


async def test_no_visit_alert_when_the_technician_set_out_in_time(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await run_to(desk, hours=23)
    await tech.tap("On my way")
    await run_to(desk, hours=4)
    assert count(boss, "Late: the visit") == 0


async def test_the_resident_is_reminded_the_evening_before_but_not_in_quiet_hours(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await run_to(desk, hours=8, minutes=59)  # 18:59
    assert count(resident, "Reminder: for R-2026-00001") == 0
    await run_to(desk, minutes=2)
    assert count(resident, "Reminder: for R-2026-00001, Ah Wai will visit you") == 1


async def test_a_reminder_that_would_fall_in_quiet_hours_waits_for_the_morning(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    desk.clock.advance(hours=12)  # 22:00: the report is made late in the evening
    await report_leak(resident)
    await assign_to_tech(clerk)  # for the day after tomorrow, 9-12
    await run_to(desk, hours=9, minutes=30)  # 07:30 next day: still quiet, and not yet evening
    assert count(resident, "Reminder") == 0
    await run_to(desk, hours=12)  # 19:30 the evening before the visit
    assert count(resident, "Reminder: for R-2026-00001") == 1


async def test_the_morning_digest_tells_supervisors_how_the_desk_stands(desk):
    clerk, tech, boss = await staff(desk)
    await desk.start_schedule()
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await run_to(desk, hours=22, minutes=29)  # Friday 08:29
    assert count(boss, "Good morning") == 0
    await run_to(desk, minutes=2)
    digest = boss.last_text
    assert "Good morning. The desk today: 1 open, 0 late, 0 paused." in digest
    assert "Visits today:\n· R-2026-00001 A 12F-3 Morning (9-12) Ah Wai" in digest
    assert "Oldest open tickets:\n· R-2026-00001 A 12F-3, reported" in digest
    await run_to(desk, hours=23)
    assert count(boss, "Good morning") == 1
    await run_to(desk, hours=2)
    assert count(boss, "Good morning") == 2
    assert count(clerk, "Good morning") == 0


async def test_what_fell_due_while_the_bot_was_down_is_sent_once_marked_late(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await desk.stop()
    desk.clock.advance(hours=30)  # down across the assign target
    await desk.start()
    await desk.sweep()
    await desk.sweep()
    alerts = [t for t in boss.texts() if "was not assigned by" in t]
    assert len(alerts) == 1 and "(Sent late: the bot was offline" in alerts[0]
    assert count(clerk, "Early warning") == 0  # pointless once the target is missed


async def test_send_our_own_staff_when_the_contractor_is_late(desk):
    clerk, tech, boss = await staff(desk)
    await desk.add_contractor("Aqua Works", ["plumbing"], deadline_hours=48)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await clerk.tap("Assign contractor")
    await clerk.tap("Aqua Works")
    assert clerk.labels()[0].startswith("Contract: ")
    await clerk.tap(clerk.labels()[0])
    assert await desk.query("SELECT deadline_at FROM tickets") == [
        ("2026-11-28T02:00:00.000000Z",)]
    await run_to(desk, hours=48)
    alert = next(c for c in boss.calls() if "missed its deadline" in c.text)
    assert "Held by Aqua Works (responsible contractor)." in alert.text
    assert count(clerk, "missed its deadline") == 1  # the desk holds a contractor's job
    await boss.tap("Send our own staff")
    await boss.tap("Ah Wai")
    await boss.tap("2 days")
    assert await desk.query("SELECT technician_id, contractor_id, defaulted_contractor_id FROM "
                            "tickets") == [(9002, None, 1)]
    assert "New task for you" in tech.last_text
    assert await desk.query("SELECT note FROM ticket_events WHERE action = "
                            "'contractor_defaulted'") == [("Aqua Works",)]


async def test_an_alert_for_someone_who_blocked_the_bot_goes_to_the_next_of_that_role(desk):
    clerk, tech, boss = await staff(desk)
    spare = desk.person(9007, "Spare tech", "en")
    await desk.hire(spare, roles.TECHNICIAN, "Second tech")
    await desk.start_schedule()
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk, days=0)
    await tech.tap("On my way")
    desk.api.fail_next(9002, TelegramError(403, "Forbidden: bot was blocked by the user"))
    await run_to(desk, hours=58)
    assert count(tech, "Early warning") == 0
    assert count(spare, "Early warning: R-2026-00001 must be resolved by") == 1
    await boss.send("/overdue")
    assert "not reachable: Ah Wai" in boss.last_text
    await run_to(desk, hours=24)  # the digest, the next morning at 08:30
    digest = next(t for t in reversed(boss.texts()) if t.startswith("Good morning"))
    assert "not reachable: Ah Wai" in digest
    await tech.send("/help")  # they unblocked us and write again
    assert await desk.query("SELECT unreachable_at FROM people WHERE user_id = 9002") == [
        (None,)]


async def test_an_alert_is_not_doubled_for_someone_who_already_has_it(desk):
    clerk, tech, boss = await staff(desk)
    second = desk.person(9006, "Second boss", "en")
    await desk.hire(second, roles.SUPERVISOR, "Deputy supervisor")
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    desk.api.fail_next(9003, TelegramError(403, "Forbidden: bot was blocked by the user"))
    await run_to(desk, hours=25)
    assert count(boss, "not assigned by") == 0
    assert count(second, "not assigned by") == 1


async def report_emergency(resident, text="A burst pipe floods the bathroom."):
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:emergency")
    await resident.send("Bathroom")
    await resident.send(text)
    await resident.tap_data("r:pd")
    await resident.tap_data("r:ok")


async def test_a_contract_never_loosens_an_emergency_and_is_kept_to_the_minute(desk):
    clerk, _, _ = await staff(desk)
    await desk.add_contractor("Aqua Works", ["plumbing"])
    async with desk.db.transaction() as conn:  # a contract of 90 minutes, as the CLI stores it
        await contractors.add(conn, "Quick Pipes", "", ["plumbing"], timedelta(minutes=90))
    resident = await resident_of_a12(desk)
    await report_emergency(resident)
    await clerk.tap("Assign contractor")
    await clerk.tap("Quick Pipes")
    assert clerk.labels()[0].startswith("Contract: ")  # 90 minutes beats the 4-hour target
    await clerk.tap(clerk.labels()[0])
    assert await desk.query("SELECT deadline_at FROM tickets") == [
        ("2026-11-26T03:30:00.000000Z",)]

    async with desk.db.transaction() as conn:  # a 48-hour contract against an emergency
        await contractors.add(conn, "Slow Pipes", "", ["plumbing"], timedelta(hours=48))
    await report_emergency(resident, "The kitchen tap burst as well.")
    await clerk.tap_starting("d:con:2:")
    await clerk.tap("Slow Pipes")
    assert clerk.labels()[0].startswith("Service level: ")
    await clerk.tap(clerk.labels()[0])
    assert await desk.query("SELECT deadline_at FROM tickets WHERE id = 2") == [
        ("2026-11-26T06:00:00.000000Z",)]  # the emergency's 4 hours


async def test_a_late_ticket_is_offered_only_deadlines_still_to_come(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await run_to(desk, hours=80)  # past the 72-hour target, still unassigned
    await clerk.tap("Assign technician")
    await clerk.tap("Ah Wai")
    assert not any(label.startswith("Service level") for label in clerk.labels())
    assert clerk.labels()[0] == "1 day"
    # A forged 'standard deadline' button is refused; nobody is told a time already past.
    await clerk.tap_data("d:dl:1:t9002:0:v0")
    assert await desk.query("SELECT status FROM tickets") == [("new",)]
    await clerk.tap("1 day")
    deadline = (await desk.query("SELECT deadline_at FROM tickets"))[0][0]
    assert deadline > "2026-11-29T10:00"
    told = next(t for t in resident.texts() if "will take care of your repair" in t)
    assert "Nov 30, 2026 23:59" in told
    # The card keeps the first target, and the timeline the deadline that was missed.
    await clerk.tap_data("t:v:1")
    assert "Service-level target: Nov 29, 2026 10:00" in clerk.last_text
    assert "Deadline missed: supervisors alerted (the desk): Nov 29, 2026 10:00" in clerk.last_text


async def test_managers_get_the_week_on_monday_and_the_digest_greets_by_the_hour(desk):
    from datetime import time
    desk.settings = desk.settings.__class__(digest_time=time(14, 0))
    await desk.restart()
    clerk, tech, boss = await staff(desk)
    manager = await manager_of(desk)
    await desk.start_schedule()
    resident = await resident_of_a12(desk)
    await report_leak(resident)  # never assigned: late by Monday
    await run_to(desk, hours=5)  # Thursday 15:00
    digest = next(t for t in boss.texts() if "The desk today" in t)
    assert digest.startswith("Good afternoon.")
    assert not any("The desk's week" in t for t in manager.texts())
    await run_to(desk, days=4)  # past Monday 30 November, 14:00
    weekly = [t for t in manager.texts() if "The desk's week" in t]
    assert len(weekly) == 1
    assert "1 reported, 0 resolved" in weekly[0]
    assert "Still late now: 1 ticket" in weekly[0] and "R-2026-00001 A 12F-3, late by" in weekly[0]
    await run_to(desk, days=7)
    assert sum("The desk's week" in t for t in manager.texts()) == 2


async def test_a_deadline_is_never_set_before_the_visit_the_resident_chose(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:normal")
    await resident.send("Kitchen sink")
    await resident.send("Water drips from the pipe under the sink.")
    await resident.tap_data("r:pd")
    await resident.tap_data("r:d:2026-12-01")  # Tuesday 1 December, in the afternoon
    await resident.tap_data("r:s:afternoon")
    await resident.tap_data("r:ok")
    await clerk.tap("Assign technician")
    await clerk.tap("Ah Wai")
    # the 72-hour target (Sunday) and 1 to 3 days all end before the visit: not offered
    assert clerk.labels() == ["5 days", "7 days", "14 days", "Close"]
    assert "The resident chose Tue, Dec 1 Afternoon (13-17): only deadlines after it are " \
        "offered." in clerk.last_text
    for forged in ("d:dl:1:t9002:2:v0", "d:dl:1:t9002:0:v0"):  # two days; the standard
        await clerk.tap_data(forged)
        assert await desk.query("SELECT status FROM tickets") == [("new",)]
    await clerk.tap("5 days")
    assert await desk.query("SELECT status, deadline_at FROM tickets") == [
        ("assigned", "2026-12-01T15:59:00.000000Z")]


async def test_a_job_reopened_after_its_deadline_passed_while_completed_is_late_again(desk):
    """The completion leaves the deadline's steps not yet fired (workflow/sla.py
    `waits_for_confirmation`): they fall due while the resident has yet to confirm and are
    dropped, not sent and not spent, so the reopened job still warns when it is late."""
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk, days=0)  # the service level: 72 h from the report
    await tech.tap("On my way")
    await run_to(desk, hours=2)
    await complete(tech)
    await run_to(desk, hours=71)  # the deadline passes; the resident has not answered yet
    assert count(tech, "Early warning") == 0
    assert count(tech, "missed its deadline") == 0
    assert count(boss, "missed its deadline") == 0
    await resident.tap_data("s:no:1")
    await resident.send("Still dripping.")
    await run_to(desk, minutes=5)
    assert count(tech, "Late: R-2026-00001 missed its deadline of") == 1
    assert count(boss, "missed its deadline") == 1
