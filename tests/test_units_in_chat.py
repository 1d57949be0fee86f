"""The builder's responsible unit (施工責任單位) in the chat: the desk sends it a leak, its
two people get it at once, one takes it and repairs it; another time the unit declines and
the desk decides; a unit that never answers is taken over by our own staff."""

from datetime import timedelta

from tests.stories import complete, report_leak, resident_of_a12, staff
from workflow import admin, roles


async def aqua_works(desk, language="en"):
    """Aqua Works, liable for plumbing, must take a job within 4 hours; two of its people
    join with their invitations."""
    await admin.add_contractor(desk.db, "Aqua Works", "02-2345-6789", ["plumbing"],
                               timedelta(days=3), "aqua", timedelta(hours=4))
    people = []
    for user_id, name in ((7001, "Aqua: Lee"), (7002, "Aqua: Wong")):
        person = desk.person(user_id, name.split(": ")[1], language)
        code = await admin.invite(desk.db, roles.CONTRACTOR, name, desk.clock(),
                                  contractor="aqua")
        await person.join(code)
        people.append(person)
    return people


async def send_to_aqua(clerk, ticket_id=1):
    await clerk.tap_starting(f"d:con:{ticket_id}:")
    await clerk.tap("Aqua Works")
    await clerk.tap_starting(f"d:dl:{ticket_id}:c1:3:")  # three days, in any language


async def test_the_units_person_accepts_and_repairs_and_the_colleague_sees_who_took_it(desk):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident, photos=("leak-1",))
    await send_to_aqua(clerk)
    assert "Sent to Aqua Works's people in the chat" in clerk.last_text
    for person in (lee, wong):
        card = next(c for c in person.calls() if c.text and "A job for your unit" in c.text)
        assert "Kitchen sink" in card.text and "Deadline:" in card.text
        assert [b["text"] for b in card.buttons()] == ["Accept", "Decline"]
    assert [c.method for c in lee.calls()].count("sendPhoto") == 1  # with the resident's photo

    await wong.send("/mytasks")
    assert "Waiting for your unit to accept: 1" in wong.last_text
    await lee.tap("Accept")
    assert lee.last_text.startswith("R-2026-00001 is yours.")
    assert wong.last_text == "R-2026-00001 was taken by Aqua: Lee."
    await wong.tap("Accept")  # too late: the job has moved on
    assert await desk.query("SELECT technician_id, accepted_at IS NOT NULL FROM tickets") == [
        (7001, 1)]

    await lee.tap("On my way")
    assert "the technician is on the way" in resident.last_text
    await complete(lee, note="Replaced the trap under the sink.")
    assert "Is it fixed?" in resident.last_text
    await resident.tap("Confirm, it is fixed")
    actions = [a for (a,) in await desk.query("SELECT action FROM ticket_events ORDER BY id")]
    assert actions == ["reported", "assigned", "contractor_accepted", "en_route", "completed",
                       "confirmed", "owner_signed"]  # the owner confirmed: and signed


async def test_the_colleague_who_lost_the_race_is_told_who_took_it_and_gets_no_work_buttons(
        desk):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    desk.clock.advance(minutes=5)
    await lee.tap("Accept")
    wong.new_texts()
    await wong.tap("Accept")  # a moment too late
    told = wong.new_texts()
    assert told[0].startswith("Already taken by Aqua: Lee, Nov 26, 2026 10:05.")
    assert not any("not allowed" in t for t in told)
    edits = [c for c in wong.calls() if c.method == "editMessageReplyMarkup"]
    assert edits and "reply_markup" not in edits[-1].params  # the tapped card: no buttons
    assert wong.calls()[-1].buttons() == []  # the card as it is now: nothing to tap for him
    assert await desk.query("SELECT technician_id FROM tickets") == [(7001,)]

    # Later the desk gives the job to our own staff: a tap on the unit's old card says so.
    await clerk.tap("Reassign: technician")  # the dispatch card: out of date, shown fresh
    await clerk.tap("Reassign: technician")
    await clerk.tap("Ah Wai")
    await clerk.tap("2 days")
    lee.new_texts()
    await lee.tap_starting("w:go:1:")
    told = lee.new_texts()
    assert told and told[0].startswith("This job is no longer yours")
    assert "Already assigned to Ah Wai by Desk clerk" in told[0]
    assert not any("not allowed" in t for t in told)
    await wong.tap_data("u:ok:1:v1")  # the first card, the job long gone from the unit
    assert "Already assigned to Ah Wai by Desk clerk" in wong.last_text
    assert await desk.query("SELECT technician_id, status FROM tickets") == [
        (9002, "assigned")]


async def test_a_decline_written_while_a_colleague_accepts_says_who_took_it(desk):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    await wong.tap("Decline")
    await lee.tap("Accept")  # while Wong writes his reason
    await wong.send("Not ours, we think.")
    assert wong.last_text.startswith("Already taken by Aqua: Lee, Nov 26, 2026 10:00.\n"
                                     "The job changed while you wrote: nothing was declined.")
    assert await desk.query("SELECT technician_id, contractor_id FROM tickets") == [(7001, 1)]


async def test_a_decline_goes_back_to_the_desk_which_decides_liability(desk):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    await lee.tap("Decline")
    await lee.send("The owner changed this pipe himself last year.")
    assert "declined and back with the desk" in lee.last_text
    assert "was declined by Aqua: Lee: The owner changed this pipe" in wong.last_text
    told = clerk.last_text
    assert told.startswith("Aqua Works declined R-2026-00001: The owner changed this pipe")
    assert "The desk decides who is liable" in told
    assert await desk.query("SELECT status, contractor_id, technician_id FROM tickets") == [
        ("assigned", None, None)]

    await clerk.tap("Assign technician")  # our own staff, then
    await clerk.tap("Ah Wai")
    await clerk.tap("2 days")
    notes = await desk.query("SELECT action, note FROM ticket_events WHERE action LIKE "
                             "'liability%' OR action = 'contractor_declined' ORDER BY id")
    assert notes == [("contractor_declined",
                      "Aqua Works: The owner changed this pipe himself last year."),
                     ("liability_in_house", "Aqua Works")]


async def test_the_desk_upholds_the_units_liability_after_a_decline(desk):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    await wong.tap("Decline")
    await wong.tap("Not under warranty")
    # between the decline and the desk's ruling the card waits for the desk, with no deadline
    told = clerk.last_text
    assert "R-2026-00001 · Waiting for the desk: Aqua Works declined it" in told
    assert "Deadline:" not in told and "Assigned" not in told.splitlines()[2]
    await clerk.send("/queue")  # the queue says so too, and puts it first
    assert clerk.labels()[0] == "R-2026-00001 · Waiting for the desk · A 12F-3"
    await resident.send("/mytickets")
    assert "Assigned" not in resident.last_text
    await clerk.tap_starting("d:con:1:")
    await clerk.tap("Aqua Works")
    assert "Aqua Works declined it. Why is it theirs after all?" in clerk.last_text
    await clerk.tap("It is within the warranty")  # the desk checked the handover date
    await clerk.tap_starting("d:dl:1:c1r0:3:")
    assert await desk.query("SELECT action, note FROM ticket_events WHERE action LIKE "
                            "'liability%'") == [("liability_upheld", "Aqua Works")]
    assert sum("A job for your unit" in t for t in lee.texts()) == 1
    for person in (lee, wong):  # both read the ruling and the decline it answers
        assert person.last_text.startswith(
            "The desk sends R-2026-00001 back to your unit: It is within the warranty. You had "
            "declined it: Not under warranty. The first of you to accept holds it.")
    assert [b["text"] for b in lee.calls()[-1].buttons()] == ["Accept", "Decline"]


async def test_a_unit_that_never_accepts_is_taken_over_by_our_own_staff(desk):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    await desk.run_until(desk.clock.now + timedelta(hours=3, minutes=59))
    assert not any("has not taken" in t for t in clerk.texts())
    await desk.run_until(desk.clock.now + timedelta(minutes=1))
    alert = next(t for t in clerk.texts() if "has not taken" in t)
    assert alert.startswith("Late: Aqua Works (responsible contractor) has not taken "
                            "R-2026-00001")
    assert any("has not taken" in t for t in boss.texts())
    await clerk.tap("Send our own staff")
    await clerk.tap("Ah Wai")
    await clerk.tap("2 days")
    assert "no longer with your unit" in wong.last_text
    await lee.tap("Accept")  # the unit wakes up too late
    assert await desk.query("SELECT technician_id, contractor_id, defaulted_contractor_id "
                            "FROM tickets") == [(9002, None, 1)]
    actions = [a for (a,) in await desk.query("SELECT action FROM ticket_events ORDER BY id")]
    assert actions == ["reported", "assigned", "overdue_unit_response", "assigned",
                       "contractor_defaulted"]


async def test_a_units_person_sees_only_their_units_jobs(desk):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)  # R-2026-00001: another unit's job
    await report_leak(resident, "The bathroom tap drips too.")  # R-2026-00002: sent to it
    await send_to_aqua(clerk, ticket_id=2)
    await admin.add_contractor(desk.db, "Other Plumbing", "", ["plumbing"], key="other")
    await clerk.tap_starting("d:con:1:")
    await clerk.tap("Other Plumbing")
    await clerk.tap_starting("d:dl:1:c2:3:")
    assert await desk.query("SELECT contractor_id FROM tickets ORDER BY id") == [(2,), (1,)]
    lee.new_texts()
    for data in ("t:v:1", "w:v:1", "u:ok:1:v1", "d:v:1", "d:tech:1", "mg:l:1:v1"):
        await lee.tap_data(data)
        answer = desk.api.calls[-1]
        assert answer.method == "answerCallbackQuery" and answer.params["show_alert"], data
    assert lee.new_texts() == []  # nothing of R-2026-00001 was shown
    for command in ("/queue", "/overdue", "/stats", "/intake"):
        await lee.send(command)
        assert "not allowed" in lee.last_text, command
    await lee.tap_data("t:v:2")
    assert lee.last_text.startswith("R-2026-00002")


async def test_the_unit_proposes_a_visit_and_the_resident_confirms_or_picks_another(desk):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    await lee.tap("Accept")
    await lee.tap("Propose a visit time")
    day_call, day_button = lee.button(lee.labels()[2])  # the third day offered
    await lee.tap_data(day_button["callback_data"], day_call)
    await lee.tap("Afternoon (13-17)")
    assert "is proposed to the resident" in lee.last_text
    proposal = resident.last_text
    assert proposal.startswith("R-2026-00001: Aqua: Lee of Aqua Works proposes to visit")
    assert "Afternoon (13-17)" in proposal
    day = day_button["callback_data"].split(":")[-1]
    await resident.tap_data(f"v:ok:1:{day}:evening")  # a time nobody proposed
    assert await desk.query("SELECT visit_slot FROM tickets") == [("morning",)]

    await resident.tap("Another time")
    await resident.tap(resident.labels()[0])
    await resident.tap("Evening (18-21)")
    assert "the visit is" in resident.last_text and "Evening (18-21)" in resident.last_text
    assert "the resident asks for another time" in lee.last_text
    assert await desk.query("SELECT visit_slot FROM tickets") == [("evening",)]

    await lee.tap("Propose a visit time")
    await lee.tap_data(day_button["callback_data"])
    await lee.tap("Morning (9-12)")
    await resident.tap("Confirm")
    assert "the resident confirmed the visit" in lee.last_text
    assert await desk.query("SELECT visit_date, visit_slot FROM tickets") == [(day, "morning")]
    notes = [n for (n,) in await desk.query(
        "SELECT note FROM ticket_events WHERE action LIKE 'visit%' ORDER BY id")]
    assert notes[0] == f"{day} 13:00-17:00" and notes[-1] == f"{day} 09:00-12:00"
    await wong.tap_data(f"u:ps:1:{day}:morning")  # not the one who holds it
    assert await desk.query("SELECT count(*) FROM ticket_events WHERE action = "
                            "'visit_proposed'") == [(2,)]


async def test_the_visit_pickers_close_and_the_proposal_still_answers(desk):
    clerk, _, _ = await staff(desk)
    lee, _ = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    await lee.tap("Accept")
    await lee.tap("Propose a visit time")
    assert lee.labels()[-1] == "Close"
    await lee.tap(lee.labels()[1])
    assert lee.labels()[-1] == "Close"
    await lee.tap("Afternoon (13-17)")
    await resident.tap("Another time")
    assert resident.labels()[-1] == "Close"
    await resident.tap("Close")  # changes nothing: the proposal can still be confirmed
    assert await desk.query("SELECT visit_slot FROM tickets") == [("morning",)]
    await resident.tap("Confirm")
    assert "the resident confirmed the visit" in lee.last_text
    assert await desk.query("SELECT visit_slot FROM tickets") == [("afternoon",)]


async def test_the_card_says_who_is_liable_under_the_warranty(tmp_path):
    from datetime import date

    from tests.conftest import ROSTER
    from tests.harness import DeskHarness
    from workflow.repairs.warranty import Period
    from workflow.settings import EstateSettings

    settings = EstateSettings(warranty={"plumbing": Period(2)},
                              handover={"A": date(2025, 6, 30), "B": date(2023, 1, 15)})
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=settings)
    await desk.start()
    try:
        await desk.import_roster(ROSTER)
        clerk, tech, boss = await staff(desk)
        await aqua_works(desk)
        may = await resident_of_a12(desk)
        await report_leak(may)
        card = next(t for t in clerk.texts() if "R-2026-00001" in t and "Unit:" in t)
        assert "Within the warranty of Aqua Works until Wed, Jun 30, 2027." in card
        await desk.import_roster("building,unit,name,phone\nB,1F-1,Resident B,0944 000 001\n")
        neighbour = desk.person(5101, "Resident B", "en")
        await neighbour.send("/start")
        await neighbour.share_contact("0944 000 001")
        await report_leak(neighbour)
        card = next(t for t in clerk.texts() if "R-2026-00002" in t and "Unit:" in t)
        assert "Warranty expired Wed, Jan 15, 2025: in-house or owner-paid." in card
        assert "Within the warranty" not in may.last_text  # residents are not told
    finally:
        await desk.stop()



async def test_a_reason_typed_with_its_own_full_stop_is_not_stopped_twice(desk):
    """The decline's reason, quoted to the colleague and again in the desk's ruling, keeps
    one full stop: 「…水管。工作已退回」, not 「…水管。。」."""
    clerk, tech, boss = await staff(desk, "zh-TW")
    lee, wong = await aqua_works(desk, "zh-TW")
    resident = await resident_of_a12(desk, "zh-TW")
    await report_leak(resident)
    await send_to_aqua(clerk)
    await lee.tap_starting("u:no:1")
    await lee.send("屋主自行更換過水管。")
    assert wong.last_text == "R-2026-00001 已被Aqua: Lee婉拒：屋主自行更換過水管。工作已退回服務台。"
    await clerk.tap_starting("d:con:1:")
    await clerk.tap("Aqua Works")
    await clerk.tap_starting("d:ru:1:")
    await clerk.tap_starting("d:dl:1:c1r")
    for person in (lee, wong):
        assert "貴單位先前婉拒的理由：屋主自行更換過水管。由最先接單的人負責。" in person.last_text
        assert "。。" not in person.last_text


async def test_after_a_decline_no_list_says_dispatched_nor_shows_the_old_deadline(desk):
    """Between the unit's decline and the desk's next dispatch, the resident's /mytickets
    and the desk's /queue say the job waits for the desk; the resident's view has no
    deadline of the dispatch that was declined."""
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    await lee.tap("Decline")
    await lee.send("Not under warranty.")
    await resident.send("/mytickets")
    assert resident.labels() == ["R-2026-00001 · Waiting for the desk"]
    await resident.tap("R-2026-00001 · Waiting for the desk")
    assert resident.last_text.startswith("R-2026-00001 · Waiting for the desk\n")
    assert "Deadline:" not in resident.last_text and "Aqua" not in resident.last_text.split(
        "\n")[0]
    await clerk.send("/queue")
    assert clerk.labels() == ["R-2026-00001 · Waiting for the desk · A 12F-3"]
