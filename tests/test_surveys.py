"""The callback survey (回訪) after every job, on a fake clock. The repair is confirmed on
Thursday 26 November at 10:00 Taipei time; the survey goes out 24 hours later."""

import json
from datetime import date, timedelta

from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff
from workflow import stats


async def closed_repair(desk, *, hours_before_confirm=0):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await complete(tech)
    desk.clock.advance(hours=hours_before_confirm)
    await resident.tap("Confirm, it is fixed")
    return clerk, tech, boss, resident


async def later(desk, **delta):
    await desk.run_until(desk.clock.now + timedelta(**delta))


def surveys_sent(resident):
    return [t for t in resident.texts() if "How did we do?" in t]


async def test_a_survey_answered_with_a_rating_chips_and_a_comment(desk):
    clerk, tech, boss, resident = await closed_repair(desk)
    await later(desk, hours=23, minutes=59)
    assert surveys_sent(resident) == []
    await later(desk, minutes=1)
    assert surveys_sent(resident) == [
        "R-2026-00001 (Plumbing) is closed. How did we do? Please rate our service from 1 "
        "(poor) to 5 (excellent)."]
    await resident.tap("5★")
    assert resident.labels() == ["Quick", "Tidy", "Polite", "Fixed first time", "Next"]
    await resident.tap("Quick")
    await resident.tap("Tidy")
    assert resident.labels()[:2] == ["✓ Quick", "✓ Tidy"]
    await resident.tap("✓ Tidy")
    await resident.tap("Next")
    await resident.send("Very friendly technician.")
    assert resident.last_text == "Thank you for your feedback."
    row = await desk.query("SELECT channel, rating, reasons, comment, answered_late FROM surveys")
    assert row == [("bot", 5, '["quick"]', "Very friendly technician.", 0)]
    await resident.tap_data("sv:r:1:1")  # a second rating changes nothing
    assert "already rated" in resident.last_text
    assert await desk.query("SELECT rating FROM surveys") == [(5,)]
    await later(desk, days=5)
    assert not any("A reminder" in t for t in resident.texts())


async def test_a_survey_due_at_night_waits_for_the_allowed_hours(desk):
    clerk, tech, boss, resident = await closed_repair(desk, hours_before_confirm=11)  # 21:00
    await later(desk, hours=24)  # Friday 21:00: outside 09:00-20:00
    assert surveys_sent(resident) == []
    await later(desk, hours=11, minutes=59)  # Saturday 08:59
    assert surveys_sent(resident) == []
    await later(desk, minutes=1)
    assert len(surveys_sent(resident)) == 1


async def test_an_unanswered_survey_is_reminded_once_then_closed_but_a_late_answer_counts(desk):
    clerk, tech, boss, resident = await closed_repair(desk)
    await later(desk, hours=24)
    assert len(surveys_sent(resident)) == 1
    await later(desk, hours=24)
    reminders = [t for t in resident.texts() if t.startswith("A reminder")]
    assert len(reminders) == 1
    await later(desk, hours=47)
    assert await desk.query("SELECT expired_at IS NULL FROM surveys") == [(1,)]
    await later(desk, hours=1)
    assert await desk.query("SELECT expired_at IS NOT NULL, answered_at FROM surveys") == [
        (1, None)]
    await later(desk, days=3)
    assert len([t for t in resident.texts() if t.startswith("A reminder")]) == 1
    await resident.tap("4★")
    assert await desk.query("SELECT rating, answered_late FROM surveys") == [(4, 1)]


async def test_a_low_rating_alerts_supervisors_who_open_a_follow_up(desk):
    clerk, tech, boss, resident = await closed_repair(desk)
    await later(desk, hours=24)
    await resident.tap("2★")
    assert resident.labels() == ["Late", "Not fixed", "Messy", "Rude", "Not kept informed",
                                 "Next"]
    await resident.tap("Messy")
    await resident.tap("Next")
    await resident.send("Dirt left all over the kitchen floor.")
    alert = boss.last_text
    assert alert.startswith("Low rating for R-2026-00001: 2/5.")
    assert "Reasons: Messy" in alert and "Dirt left all over" in alert
    await boss.tap("Open a follow-up")
    assert "Follow-up complaint C-2026-00001 opened" in boss.last_text
    await boss.tap_data("sv:f:1")
    assert "already opened" in boss.last_text
    assert "Follow-up complaint, opened after a low rating" in clerk.last_text
    rows = await desk.query("SELECT ref, kind, linked_ticket_id, channel, filed_by, "
                            "description FROM tickets WHERE kind = 'C'")
    assert rows == [("C-2026-00001", "C", 1, "survey", 9003,
                     "Follow-up of R-2026-00001, filed by the desk after a rating of 2/5 by "
                     "陳美玲 of A 12F-3.\nReasons they chose: Messy\n"
                     "In their words: “Dirt left all over the kitchen floor.”")]
    await tech.tap_data("sv:f:1")  # a technician may not
    assert await desk.query("SELECT count(*) FROM tickets WHERE kind = 'C'") == [(1,)]


async def test_a_phone_callback_is_recorded_and_counts_as_answered(desk):
    clerk, tech, boss, resident = await closed_repair(desk)
    await clerk.send("/callback R-2026-00099")
    assert "Not found. Please check the reference" in clerk.last_text
    await clerk.send("/callback r-2026-00001")
    await clerk.tap("Reached")
    await clerk.tap("4★")
    await clerk.send("Happy, asked about the bathroom tap too.")
    assert "the callback is recorded" in clerk.last_text
    row = await desk.query("SELECT staff_id, reached, rating, note FROM phone_callbacks")
    assert row == [(9001, 1, 4, "Happy, asked about the bathroom tap too.")]
    figures = await stats.compute(desk.db, desk.settings, 9003, date(2026, 11, 1))
    assert (figures.surveys_due, figures.surveys_answered) == (1, 1)  # reached by phone
    assert figures.rating_by_category == {("R", "plumbing"): 4}
    await later(desk, days=2)
    assert surveys_sent(resident) == []  # the call took the survey's place
    await resident.send("/callback R-2026-00001")
    assert "not allowed" in resident.last_text


async def test_the_survey_goes_out_exactly_once_across_a_restart(desk):
    clerk, tech, boss, resident = await closed_repair(desk)
    await desk.stop()
    desk.clock.advance(hours=30)
    await desk.start()
    await desk.sweep()
    await desk.restart()
    await desk.sweep()
    assert len(surveys_sent(resident)) == 1
    assert await desk.query("SELECT count(*) FROM outbox WHERE kind = 'survey'") == [(1,)]
    assert json.loads((await desk.query("SELECT reasons FROM surveys"))[0][0]) == []


async def test_a_complaint_closed_by_its_resident_gets_a_survey_too(desk):
    from tests.test_complaints import complain
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await complain(resident)
    await clerk.tap("Route to a department")
    await clerk.tap("Security")
    await boss.tap("Record the reply")
    await boss.send("Talked to the guard.")
    await boss.send("Sorry, it will not happen again.")
    await resident.tap("Resolved")
    await later(desk, hours=24)
    assert surveys_sent(resident) == [
        "C-2026-00001 (Security) is closed. How did we do? Please rate our service from 1 "
        "(poor) to 5 (excellent)."]
    await resident.tap("5★")  # a complaint is asked about its handling, not a repair's
    assert resident.labels() == ["Answered quickly", "Listened to me", "Resolved it", "Next"]


async def test_a_low_rating_without_a_comment_still_alerts_within_half_an_hour(desk):
    clerk, tech, boss, resident = await closed_repair(desk)
    await later(desk, hours=24)
    await resident.tap("1★")
    assert not any(t.startswith("Low rating") for t in boss.texts())
    await later(desk, minutes=30)
    alerts = [t for t in boss.texts() if t.startswith("Low rating for R-2026-00001: 1/5.")]
    assert len(alerts) == 1 and "Comment: -" in alerts[0]
    await resident.send("Nobody came back to clean up.")  # the comment, late: no second alert
    assert len([t for t in boss.texts() if t.startswith("Low rating")]) == 1
    assert await desk.query("SELECT comment FROM surveys") == [("Nobody came back to clean up.",)]


async def test_the_estate_chooses_its_own_reason_chips(tmp_path):
    from bot.config import parse_settings
    from tests.conftest import ROSTER
    from tests.harness import DeskHarness
    settings = parse_settings({"praise_chips": [
        {"key": "quick"},
        {"key": "explained", "labels": {"zh_Hant": "解說清楚", "zh_Hans": "解说清楚",
                                        "en": "Explained well"}}]})
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=settings)
    await desk.start()
    await desk.import_roster(ROSTER)
    try:
        clerk, tech, boss, resident = await closed_repair(desk)
        await later(desk, hours=24)
        await resident.tap("5★")
        assert resident.labels() == ["Quick", "Explained well", "Next"]
    finally:
        await desk.stop()


async def test_a_phone_callback_never_overwrites_the_residents_own_answer(desk):
    clerk, tech, boss, resident = await closed_repair(desk)
    await later(desk, hours=24)
    await resident.tap("5★")
    await resident.tap("Next")
    await resident.send("Very friendly technician.")
    # A clerk phones as well, and notes a lower figure from the call.
    await clerk.send("/callback R-2026-00001")
    await clerk.tap("Reached")
    await clerk.tap("2★")
    await clerk.send("Said the tap drips again.")
    assert await desk.query("SELECT channel, rating, comment FROM surveys") == [
        ("bot", 5, "Very friendly technician.")]
    assert await desk.query("SELECT rating, note FROM phone_callbacks") == [
        (2, "Said the tap drips again.")]
    figures = await stats.compute(desk.db, desk.settings, 9003, date(2026, 11, 1))
    assert figures.rating_by_category == {("R", "plumbing"): 5}  # the resident's own first
    assert figures.rated_by_phone == 0
    await boss.send("/stats 2026-11")
    assert "Ratings count the resident's own answer in the chat" in boss.last_text


async def test_a_low_rating_asks_what_to_improve_and_a_not_fixed_alerts_at_any_rating(desk):
    clerk, tech, boss, resident = await closed_repair(desk)
    await later(desk, hours=24)
    await resident.tap("3★")  # not low by the setting (2 and below)
    assert "What should we improve?" in resident.last_text
    await resident.tap("Not fixed")
    await resident.tap("Next")
    await resident.tap("Skip")
    alerts = [t for t in boss.texts() if "R-2026-00001" in t and "3/5" in t]
    assert len(alerts) == 1 and "Not fixed" in alerts[0]
    # a 3★ is not a low rating: it needs attention for the reason chosen
    assert alerts[0].startswith("Needs attention: R-2026-00001 was rated 3/5, with a reason "
                                "that alerts.")


async def test_the_low_rating_threshold_is_a_setting(desk):
    desk.settings = desk.settings.__class__(low_rating=3)
    await desk.restart()
    clerk, tech, boss, resident = await closed_repair(desk)
    await later(desk, hours=24)
    await resident.tap("3★")
    await later(desk, minutes=30)  # no comment: alerted anyway
    assert any(t.startswith("Low rating for R-2026-00001: 3/5.") for t in boss.texts())


async def test_a_followers_low_rating_names_them_and_the_follow_up_quotes_them(desk):
    from tests.test_same_problem import neighbours, report_the_lift
    clerk, tech, boss = await staff(desk)
    may, two, three, *_ = await neighbours(desk)
    await report_the_lift(may)
    await three.send("/repair")
    await three.tap_data("r:c:public_areas")
    await three.tap_data("r:g:normal")
    await three.tap("Lift B")
    await three.tap("Same problem: R-2026-00001")
    await assign_to_tech(clerk)
    await complete(tech, note="Reset the lift controller.")
    await may.tap("Confirm, it is fixed")
    await later(desk, hours=24)
    await three.tap("1★")
    await three.tap("Not fixed")
    await three.tap("Next")
    await three.send("It stopped again the next day.")
    alert = boss.last_text
    assert alert.startswith("Low rating for R-2026-00001: 1/5.")
    assert "Rated by Resident Three of A 3F-1, who follows this report 0933 000 003" in alert
    await boss.tap("Open a follow-up")
    rows = await desk.query("SELECT resident_id, channel, filed_by, description FROM tickets "
                            "WHERE kind = 'C'")
    assert rows == [(5003, "survey", 9003,
                     "Follow-up of R-2026-00001, filed by the desk after a rating of 1/5 by "
                     "Resident Three of A 3F-1.\nReasons they chose: Not fixed\n"
                     "In their words: “It stopped again the next day.”")]
    # the card says the desk filed it, not the resident
    card = next(t for t in reversed(clerk.texts()) if "Follow-up complaint" in t)
    assert "Received after a low rating, recorded by Supervisor" in card
    assert await desk.query("SELECT actor_id FROM ticket_events WHERE action = 'reported' "
                            "AND ticket_id = 2") == [(9003,)]


async def test_a_low_rating_taken_by_phone_alerts_as_in_the_chat_and_says_whom_it_is_for(desk):
    from tests.test_same_problem import neighbours, report_the_lift
    clerk, tech, boss = await staff(desk)
    may, two, three, *_ = await neighbours(desk)
    await report_the_lift(may)
    await three.send("/repair")
    await three.tap_data("r:c:public_areas")
    await three.tap_data("r:g:normal")
    await three.tap("Lift B")
    await three.tap("Same problem: R-2026-00001")
    await assign_to_tech(clerk)
    await complete(tech, note="Reset the lift controller.")
    await may.tap("Confirm, it is fixed")
    await later(desk, hours=24)
    await may.tap("5★")  # the reporter answers online; the follower does not

    await clerk.send("/callback R-2026-00001")
    assert "R-2026-00001 has 2 residents to call back" in clerk.last_text
    assert clerk.labels() == [
        "陳美玲 · A 12F-3 · 0912-345-678 · answered in the chat: 5/5",
        "Resident Three · A 3F-1 · 0933 000 003"]
    await clerk.tap("Resident Three · A 3F-1 · 0933 000 003")
    assert clerk.last_text == ("R-2026-00001: the call to Resident Three of A 3F-1, 0933 000 003."
                               " They have not answered in the chat.\nDid you reach them?")
    await clerk.tap("Reached")
    await clerk.tap("3★")
    assert "What should we improve, by their account?" in clerk.last_text
    await clerk.tap("Not fixed")  # an alerting chip, whatever the rating
    assert clerk.labels()[1] == "✓ Not fixed"
    await clerk.tap("Next")
    await clerk.send("Says it stopped again on Sunday.")
    assert "the callback is recorded. The supervisors are alerted" in clerk.last_text
    assert await desk.query("SELECT resident_id, rating, reasons, note FROM phone_callbacks"
                            ) == [(5003, 3, '["not_fixed"]', "Says it stopped again on Sunday.")]
    alert = boss.last_text
    assert alert.startswith("Needs attention: R-2026-00001 was rated 3/5, with a reason that "
                            "alerts.\nReasons: Not fixed\nComment: Says it stopped again on "
                            "Sunday.")  # a 3★ is not low: its chip alerts
    assert "Rated by Resident Three of A 3F-1" in alert and "Taken by phone by Desk clerk" in alert
    await boss.tap("Open a follow-up")
    assert "Follow-up complaint C-2026-00001 opened" in boss.last_text
    rows = await desk.query("SELECT resident_id, filed_by, description FROM tickets "
                            "WHERE kind = 'C'")
    assert rows == [(5003, 9003, "Follow-up of R-2026-00001, filed by the desk after a rating "
                                 "of 3/5 by Resident Three of A 3F-1.\nReasons they chose: Not "
                                 "fixed\nIn their words: “Says it stopped again on Sunday.”")]
    # the resident's own survey is untouched; the call counts for them
    assert await desk.query("SELECT resident_id, channel, rating FROM surveys ORDER BY "
                            "resident_id") == [(5001, "bot", 5), (5003, None, None)]
    figures = await stats.compute(desk.db, desk.settings, 9003, date(2026, 11, 1))
    assert figures.surveys_answered == 2


async def test_a_late_tap_on_reached_or_not_does_not_undo_the_rating_taken(desk):
    """The clerk taps "Reached", gives the rating, then "Not reached" on the message above
    (its buttons not yet gone): the call stays reached, with its rating, and alerts."""
    clerk, tech, boss, resident = await closed_repair(desk)
    await later(desk, hours=24)
    await clerk.send("/callback R-2026-00001")
    asked = clerk.calls()[-1]
    await clerk.tap("Reached")
    await clerk.tap("2★")
    await clerk.tap_data("cb:n:1", asked)  # the stale "Not reached"
    assert desk.api.calls[-1].method == "answerCallbackQuery"
    await clerk.tap("Next")
    await clerk.send("Waited a week.")
    assert "The supervisors are alerted" in clerk.last_text
    assert await desk.query("SELECT reached, rating FROM phone_callbacks") == [(1, 2)]
    assert boss.last_text.startswith("Low rating for R-2026-00001: 2/5.")


async def test_a_low_rating_of_a_complaint_names_who_complained_not_who_reported_a_repair(desk):
    from tests.test_complaints import complain
    clerk, tech, boss = await staff(desk, "zh-TW")
    resident = await resident_of_a12(desk, "zh-TW")
    await resident.send("/language")
    await resident.tap_data("o:lang:en")
    await complain(resident)
    await clerk.tap_starting("d:rt:1")
    await clerk.tap_starting("d:dp:1:security")
    await boss.tap_starting("k:reply:1")
    await boss.send("已與保全公司聯絡。")
    await boss.send("很抱歉，不會再發生。")
    await resident.tap("Resolved")
    await later(desk, hours=24)
    await resident.tap("1★")
    await resident.tap("Next")
    await resident.send("Too slow.")
    alert = boss.last_text
    assert "評分者：A 12F-3 陳美玲（投訴人）" in alert and "報修" not in alert
