"""One fault, many callers: the lift of Block A stops and five residents report it; a
resident of Block B sees nothing of Block A's reports; a clerk merges a duplicate."""

from datetime import timedelta

from tests.stories import assign_to_tech, complete, report_leak, staff

NEIGHBOURS = """building,unit,name,phone
A,2F-1,Resident Two,0933 000 002
A,3F-1,Resident Three,0933 000 003
A,4F-1,Resident Four,0933 000 004
A,6F-1,Resident Six,0933 000 006
B,1F-1,Resident B,0944 000 001
A,12F-3,陳大文,0912 000 111
"""


def alert(desk) -> str:
    """What the last tap was answered with, as an alert over the chat."""
    answer = desk.api.calls[-1]
    assert answer.method == "answerCallbackQuery" and answer.params["show_alert"]
    return answer.params["text"]


async def neighbours(desk):
    """May of A 12F-3 and four neighbours of Block A, all in English."""
    await desk.import_roster(NEIGHBOURS)
    people = []
    for user_id, phone in ((5001, "0912-345-678"), (5002, "0933 000 002"),
                           (5003, "0933 000 003"), (5004, "0933 000 004"),
                           (5006, "0933 000 006")):
        person = desk.person(user_id, f"Resident {user_id}", "en")
        await person.send("/start")
        await person.share_contact(phone)
        people.append(person)
    return people


async def begin_public_report(resident) -> None:
    await resident.send("/repair")
    await resident.tap_data("r:c:public_areas")
    await resident.tap_data("r:g:normal")


async def report_the_lift(resident) -> None:
    """The first to report it: picks 'Lift B', describes it, no photos, no visit time."""
    await begin_public_report(resident)
    await resident.tap("Lift B")
    await resident.send("Lift B stopped between 3F and 4F.")
    await resident.tap_data("r:pd")
    assert "Preferred visit: As soon as possible" in resident.last_text
    await resident.tap_data("r:ok")


async def test_five_residents_report_the_same_lift_one_ticket_five_followers(desk):
    clerk, tech, boss = await staff(desk)
    first, *others = await neighbours(desk)
    await begin_public_report(first)
    assert "Where is it? Pick the place" in first.last_text
    assert {"Lobby", "Lift A", "Lift B", "Car park", "Garden", "Gym"} <= set(first.labels())
    await first.tap("Lift B")
    await first.send("Lift B stopped between 3F and 4F.")
    await first.tap_data("r:pd")
    assert "Where: Lift B" in first.last_text
    await first.tap_data("r:ok")
    assert "registered as R-2026-00001" in first.last_text

    for n, resident in enumerate(others, start=2):
        await begin_public_report(resident)
        await resident.tap("Lift B")
        offer = resident.last_text
        assert offer.startswith("Already reported at Lift B:")
        assert "R-2026-00001: Lift B stopped between 3F and 4F, reported" in offer
        assert "A 12F-3" not in offer  # the reporter's unit is theirs
        await resident.tap("Same problem: R-2026-00001")
        assert "already reported as R-2026-00001, and you now follow it" in resident.last_text
        assert await desk.query("SELECT count(*) FROM ticket_followers") == [(n - 1,)]

    assert await desk.query("SELECT count(*) FROM tickets") == [(1,)]
    assert await desk.query("SELECT priority FROM tickets") == [("urgent",)]
    assert await desk.query("SELECT note FROM ticket_events WHERE action = 'priority_raised'"
                            ) == [("normal → urgent (5)",)]
    assert any("5 residents report this fault, so its priority is now Urgent" in t
               for t in clerk.texts())
    await clerk.tap_data("d:v:1")
    assert "Residents affected: 5" in clerk.last_text

    follower = others[0]
    await follower.send("/mytickets")
    assert follower.labels() == ["R-2026-00001 · Received, waiting for dispatch · following"]
    await follower.tap_data("t:v:1")
    assert "Residents affected: 5" in follower.last_text
    assert "A 12F-3" not in follower.last_text and "Resident 5001" not in follower.last_text

    await assign_to_tech(clerk)
    for resident in (first, *others):
        assert any("Ah Wai will take care of your repair" in t for t in resident.texts())
    await complete(tech, note="Reset the lift controller.")
    assert "Is it fixed?" in first.last_text
    for resident in others:
        assert "which you reported too, is repaired: Reset the lift controller." in \
            resident.last_text
    await first.tap("Confirm, it is fixed")

    await desk.run_until(desk.clock.now + timedelta(hours=24))
    for resident in (first, *others):
        assert "How did we do?" in resident.last_text
    await first.tap("5★")
    await others[1].tap("1★")
    await others[1].tap("Next")
    await others[1].send("It stopped again the next day.")
    assert await desk.query("SELECT count(*), count(rating) FROM surveys") == [(5, 2)]
    alert = boss.last_text
    assert alert.startswith("Low rating for R-2026-00001: 1/5.")
    await boss.tap("Open a follow-up")
    unit = await desk.query("SELECT u.building, u.unit, t.resident_id FROM tickets t JOIN units "
                            "u ON u.id = t.unit_id WHERE t.kind = 'C'")
    assert unit == [("A", "3F-1", 5003)]  # the follower's complaint, from their own unit


async def test_another_buildings_lift_is_its_own_report_and_forged_taps_are_refused(desk):
    clerk, tech, boss = await staff(desk)
    may, *_ = await neighbours(desk)
    await report_the_lift(may)  # R-2026-00001, Block A's Lift B
    b_resident = desk.person(5101, "Resident B", "en")
    await b_resident.send("/start")
    await b_resident.share_contact("0944 000 001")

    await begin_public_report(b_resident)
    await b_resident.tap("Lift B")
    assert "Already reported" not in b_resident.last_text  # Block A's is not shown
    await b_resident.send("Block B lift makes a grinding noise.")
    await b_resident.tap_data("r:pd")
    await b_resident.tap_data("r:ok")
    assert "R-2026-00002" in b_resident.last_text

    # May reports a leak in her own flat: a private report, never offered to anyone
    await may.send("/repair")
    await may.tap_data("r:c:plumbing")
    await may.tap_data("r:g:emergency")
    await may.send("Kitchen sink")
    await may.send("Water everywhere.")
    await may.tap_data("r:pd")
    await may.tap_data("r:ok")
    assert "R-2026-00003" in may.last_text

    # another Block B resident would be offered Block B's report only
    await begin_public_report(b_resident)
    await b_resident.tap("Lift B")
    assert "Same problem: R-2026-00002" in b_resident.labels()
    for forged in ("r:sm:1", "r:sm:3", "r:sm:999", "r:sm:x"):
        await b_resident.tap_data(forged)
        assert alert(desk) in ("Sorry, you are not allowed to do that.",
                               "That did not work. Please start again from the menu."), forged
    assert await desk.query("SELECT count(*) FROM ticket_followers") == [(0,)]
    await b_resident.tap_data("r:sm:2")
    assert "You reported this yourself as R-2026-00002" in b_resident.last_text
    assert await desk.query("SELECT count(*) FROM ticket_followers") == [(0,)]
    assert desk.errors == []


async def test_a_clerk_merges_a_duplicate_and_both_reporters_are_told(desk):
    clerk, tech, boss = await staff(desk)
    may, *_ = await neighbours(desk)
    husband = desk.person(5111, "Tai Man", "en")  # the second resident of A 12F-3
    await husband.send("/start")
    await husband.share_contact("0912 000 111")
    await report_leak(may, "The sink pipe drips.", photos=("leak-1",))
    await report_leak(husband, "Water under the kitchen sink.", photos=("leak-2",))
    await assign_to_tech(clerk, ticket_id=2)

    await clerk.tap_data("d:v:2")
    await clerk.tap("Merge as a duplicate")
    assert clerk.last_text.startswith("Merge R-2026-00002 into which report?")
    await clerk.tap_starting("mg:m:2:1:")
    assert clerk.last_text == "Merged into R-2026-00001. Residents affected: 2."
    await clerk.tap_starting("mg:m:2:1:")  # a double tap: the duplicate has moved on
    assert await desk.query("SELECT status, duplicate_of FROM tickets ORDER BY id") == [
        ("new", None), ("merged", 1)]
    assert await desk.query("SELECT file_id FROM ticket_photos WHERE ticket_id = 1 ORDER BY "
                            "position") == [("leak-1",), ("leak-2",)]
    assert await desk.query("SELECT user_id, via FROM ticket_followers") == [(5111, "merged")]
    assert "R-2026-00002 is the same problem as R-2026-00001" in husband.last_text
    assert "another report of the same problem (R-2026-00002) was joined to yours" in \
        may.last_text
    assert "R-2026-00002 was a duplicate of R-2026-00001" in tech.last_text
    await husband.tap_data("t:v:2")
    assert "Merged into R-2026-00001" in husband.last_text

    await boss.send("/stats")
    assert "Same problem: residents who joined a report already made: 1; duplicates merged: " \
        "1; most affected: R-2026-00001 (2 residents)" in boss.last_text
    await desk.sweep()
    assert await desk.query("SELECT count(*) FROM timers WHERE ticket_id = 2 AND fired_at IS "
                            "NULL") == [(0,)]


async def test_a_stranger_cannot_merge(desk):
    clerk, tech, boss = await staff(desk)
    may, *_ = await neighbours(desk)
    await report_the_lift(may)
    for data in ("mg:l:1:v1", "mg:m:1:1:v1"):
        await may.tap_data(data)
        assert alert(desk) == "Sorry, you are not allowed to do that.", data
    assert await desk.query("SELECT status FROM tickets") == [("new",)]


async def test_a_typed_place_finds_the_same_typed_place_and_editing_keeps_the_offer(desk):
    clerk, tech, boss = await staff(desk)
    may, two, *_ = await neighbours(desk)
    await begin_public_report(may)
    await may.send("Lift near the lobby")
    assert "Please describe the problem" in may.last_text
    await may.send("The lift door does not close.")
    await may.tap_data("r:pd")
    await may.tap_data("r:ok")

    await two.send("/repair")
    await two.tap_data("r:c:plumbing")  # a place in the unit first, then changed
    await two.tap_data("r:g:normal")
    await two.send("Bathroom")
    await two.send("Door stuck")
    await two.tap_data("r:pd")
    call, _ = two.button(two.labels()[1])
    await two.tap_data(call.buttons()[1]["callback_data"])
    await two.tap_data("r:s:morning")
    assert "Where: Bathroom" in two.last_text
    await two.tap_data("r:edit")
    await two.tap_data("r:e:category")
    await two.tap_data("r:c:public_areas")
    assert "Where is it? Pick the place" in two.last_text  # the bathroom is no public place
    await two.send("  LIFT near the   lobby ")
    assert "Same problem: R-2026-00001" in two.labels()
    await two.tap("No, a different problem")
    summary = two.last_text
    assert "Where: LIFT near the   lobby" in summary and "As soon as possible" in summary
    await two.tap_data("r:ok")
    assert "registered as R-2026-00002" in two.last_text
    assert await desk.query("SELECT place FROM ticket_places ORDER BY ticket_id") == [
        ("~lift near the lobby",), ("~lift near the lobby",)]


async def test_with_affected_urgent_off_the_count_never_raises_the_priority(tmp_path):
    from tests.conftest import ROSTER
    from tests.harness import DeskHarness
    from workflow.settings import EstateSettings

    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(affected_urgent=0))
    await desk.start()
    try:
        await desk.import_roster(ROSTER)
        await staff(desk)
        first, *others = await neighbours(desk)
        await report_the_lift(first)
        for resident in others:
            await begin_public_report(resident)
            await resident.tap("Lift B")
            await resident.tap("Same problem: R-2026-00001")
        assert await desk.query("SELECT count(*) FROM ticket_followers") == [(4,)]
        assert await desk.query("SELECT priority FROM tickets") == [("normal",)]
    finally:
        await desk.stop()


async def test_the_desk_taking_a_call_adds_the_caller_to_the_report_already_made(desk):
    clerk, tech, boss = await staff(desk)
    may, *_ = await neighbours(desk)
    await report_the_lift(may)
    await clerk.send("/intake")
    await clerk.send("a 5f-1")
    await clerk.tap("林志明 0922 111 222 ☎")
    await clerk.tap("by phone")
    await clerk.tap("The resident themselves")
    await clerk.tap("Repair")
    await clerk.tap("Public areas")
    await clerk.tap("No, not an emergency")
    await clerk.tap("Lift B")
    await clerk.tap("Same problem: R-2026-00001")
    assert "already reported as R-2026-00001: the resident now follows it" in clerk.last_text
    follower = await desk.query("SELECT f.user_id, u.unit FROM ticket_followers f JOIN units u "
                                "ON u.id = f.unit_id")
    assert follower[0][0] < 0 and follower[0][1] == "5F-1"  # on the roster, not on Telegram
    await assign_to_tech(clerk)
    assert any("林志明 does not use the bot" in t and "Ah Wai will take care" in t
               for t in clerk.texts())
