"""Who is told (workflow/told.py): the table checked row by row, then the stories of the
fixes it made: a reassigned worker told and their old card silenced, the desk told of a
reopen, an emergency out of office hours, a unit's acceptance window."""

import dataclasses
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import DOORS  # noqa: F401  (the doors register every renderer)
from bot.config import ConfigError, parse_settings
from handlers.renderers import ABOUT_A_TICKET
from storage import accounts, people, roster, tickets
from storage.repairs import contractors, followers
from tests.harness import DeskHarness
from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff
from tests.test_units_in_chat import aqua_works, send_to_aqua
from workflow import phones, roles, told
from workflow import tickets as machine
from workflow.settings import EstateSettings
from workflow.told import ESTATE_TOLD, TOLD, To, When

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Taipei")
DAY = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)  # within 09:00-18:00
NIGHT = datetime(2026, 12, 7, 22, 0, tzinfo=TZ)
ON_DUTY = "0955-123-456"
SETTINGS = EstateSettings(office_phone="02-2345-6789", office_hours="09:00-18:00",
                          on_duty=ON_DUTY)

# One person (or two) in every audience, none in two of them, so that who got a notice
# says which row sent it; except the supervisor, also the head of a department-less
# complaint, and the technician, who holds the job (HOLDERS falls back to the desk only
# when nobody does).
# A new audience needs its people here and in `world`.
PEOPLE = {To.RESIDENT: {5002}, To.FOLLOWERS: {5003}, To.OWNER: {5001}, To.HOLDER: {9002},
          To.PREVIOUS_HOLDER: {9004}, To.HOLDERS: {9002}, To.UNIT: {7001, 7002},
          To.PREVIOUS_UNIT: {7101},
          To.CLERKS: {9001}, To.DEPARTMENT_HEAD: {9003}, To.SUPERVISORS: {9003},
          To.MANAGERS: {9005}, To.ON_DUTY: {9006},
          To.PHONER: {9001},  # by default the desk phones: its one clerk
          To.DESK_PHONER: {9001}}
ROWS = [(event, i) for event, rows in TOLD.items() for i in range(len(rows))]


@pytest.fixture
async def night_desk(tmp_path):
    harness = DeskHarness(tmp_path / "desk.sqlite3", settings=SETTINGS)
    await harness.start()
    await harness.import_roster("building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n")
    yield harness
    await harness.stop()


async def world(desk) -> tuple:
    """A tenant's public-area job with a follower, held by a technician and with a unit
    after another technician and another unit had it; the whole staff, one on duty."""
    now = DAY
    async with desk.db.transaction() as conn:
        home = await roster.unit_id(conn, "A", "12F-3")
        other = await roster.unit_id(conn, "A", "5F-1")
        await roster.add_entry(conn, home, "Owner", "0912-345-678",
                               phones.phone_key("0912-345-678"), "owner")
        await roster.add_entry(conn, home, "Tenant", "0933-000-111",
                               phones.phone_key("0933-000-111"), "tenant")
        unit_now = await contractors.add(conn, "Aqua Works", "", ["plumbing"])
        unit_before = await contractors.add(conn, "Pipe Co", "", ["plumbing"])
        residents = ((5001, home, "0912-345-678"), (5002, home, "0933-000-111"),
                     (5003, other, "0922-111-222"))
        for user_id, unit, phone in residents:
            await accounts.enter(conn, accounts.telegram(user_id), "en", f"Resident {user_id}",
                                 now)
            await people.set_role(conn, user_id, roles.RESIDENT)
            await people.set_phone(conn, user_id, phone)
            await people.link_unit(conn, user_id, unit, now)
        staff_roles = ((9001, roles.CLERK, None), (9002, roles.TECHNICIAN, None),
                       (9003, roles.SUPERVISOR, None), (9004, roles.TECHNICIAN, None),
                       (9005, roles.MANAGER, None), (9006, roles.TECHNICIAN, None),
                       (7001, roles.CONTRACTOR, unit_now), (7002, roles.CONTRACTOR, unit_now),
                       (7101, roles.CONTRACTOR, unit_before))
        for user_id, role, unit in staff_roles:
            await accounts.enter(conn, accounts.telegram(user_id), "en", f"Staff {user_id}", now)
            await people.set_role(conn, user_id, role, contractor_id=unit)
        await people.set_phone(conn, 9006, ON_DUTY)
        ticket_id = await tickets.insert(
            conn, ref="R-2026-00001", kind="repair", resident_id=5002, unit_id=home,
            category="plumbing", location="Lobby", description="Leak", visit_date="2026-12-08",
            visit_slot="morning", status=machine.ASSIGNED, priority="emergency",
            assign_due_at=now, deadline_at=now + timedelta(hours=4), now=now)
        await followers.add(conn, ticket_id, 5003, other, "same_problem", now)
        await tickets.update_fields(conn, ticket_id, now, technician_id=9002,
                                    contractor_id=unit_now)
        ticket = await machine.load(conn, ticket_id)
    before = dataclasses.replace(ticket, technician_id=9004, contractor_id=unit_before)
    return ticket, before


async def told_at(desk, event: str, ticket, before, moment: datetime,
                  actor_id: int | None = None) -> dict[int, str]:
    """Tells the event afresh; who got which notice, as the outbox holds it."""
    async with desk.db.transaction() as conn:
        await conn.execute("DELETE FROM outbox")
        await told.tell(conn, desk.settings, event, ticket, moment, actor_id=actor_id,
                        before=before)
    rows = await desk.query("SELECT recipient_id, kind FROM outbox WHERE ticket_id = ?",
                            ticket.id)
    assert len(rows) == len({r for r, _ in rows}), f"someone was told twice: {rows}"
    return dict(rows)


def expected(event: str, moment: datetime, actor_id: int | None = None) -> dict[int, str]:
    """The table read by hand: the first row naming a person wins, at its time of day."""
    found: dict[int, str] = {}
    for row in TOLD[event]:
        night = not SETTINGS.in_office_hours(moment)
        if row.when == When.DAY and night or row.when == When.NIGHT and not night:
            continue
        for user_id in sorted(PEOPLE[row.to]):
            if user_id != actor_id:
                found.setdefault(user_id, row.notice)
    return found


@pytest.mark.parametrize(("event", "index"), ROWS,
                         ids=[f"{e}-{TOLD[e][i].to.value}" for e, i in ROWS])
async def test_each_row_of_the_table(night_desk, event, index):
    row = TOLD[event][index]
    ticket, before = await world(night_desk)
    for moment in (DAY, NIGHT):
        got = await told_at(night_desk, event, ticket, before, moment)
        assert got == expected(event, moment), (event, moment)
        applies = row.when == When.ALWAYS or (row.when == When.NIGHT) == (moment == NIGHT)
        reached = {u: got.get(u) for u in PEOPLE[row.to]}
        if applies:  # each of its people hears: this row's notice, or an earlier row's
            assert all(reached.values()), (row, reached)
        actor = min(PEOPLE[row.to])  # the one who acted is not told of their own action
        got = await told_at(night_desk, event, ticket, before, moment, actor_id=actor)
        assert actor not in got and got == expected(event, moment, actor)


def test_every_audience_has_its_people_in_the_world():
    """(The estate's events, about no ticket, are checked in tests/test_breach.py.)"""
    used = {row.to for rows in TOLD.values() for row in rows}
    assert [to for to in To if to in used and not PEOPLE.get(to)] == []


def test_every_notice_of_the_table_has_a_renderer():
    kinds = {row.notice for rows in TOLD.values() for row in rows}
    assert sorted(k for k in kinds if k not in ABOUT_A_TICKET) == []


def test_every_event_of_the_table_is_told_by_the_workflow():
    """No row is dead: each event's name is used by a workflow module that tells it."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "workflow").rglob("*.py")
                        if p.name != "told.py")
    assert [e for e in TOLD if f'"{e}"' not in sources] == []


def test_the_readme_holds_the_table_as_the_script_prints_it():
    printed = subprocess.run([sys.executable, "-m", "scripts.told_table"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.strip()
    assert printed.count("\n") > len(TOLD)
    assert printed in (ROOT / "README.md").read_text(encoding="utf-8"), \
        "README.md's table of who is told is stale: paste `python -m scripts.told_table`"


def answers(desk) -> list[str]:
    """The alerts a tap was answered with."""
    return [c.params.get("text", "") for c in desk.api.calls
            if c.method == "answerCallbackQuery" and c.params.get("text")]


async def test_a_reassigned_technician_is_told_and_their_old_card_offers_nothing(desk):
    clerk, tech, boss = await staff(desk)
    other = desk.person(9004, "Other", "en")
    await desk.hire(other, roles.TECHNICIAN, "Siu Ming")
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    assert "New task for you" in tech.last_text
    await assign_to_tech(clerk, tech_id=9004)  # reassigned
    assert tech.last_text == ("R-2026-00001 is no longer yours: the desk has given it to Siu "
                              "Ming. Its card's buttons no longer work; nothing more to do on it.")
    assert "New task for you" in other.last_text
    tapped = len(desk.api.calls)
    await tech.tap("On my way")  # on the old card
    said = ("This job is no longer yours: the desk has given it to someone else. Nothing was "
            "changed.\nAlready assigned to Siu Ming by Desk clerk, Nov 26, 2026 10:00.")
    assert answers(desk)[-1] == said
    assert [c.method for c in desk.api.calls[tapped:] if c.chat_id == 9002] == [
        "editMessageReplyMarkup", "sendMessage"]  # its buttons dropped; what happened, kept
    assert tech.last_text == said
    assert "technician is on the way" not in resident.last_text


async def test_a_units_person_who_took_the_job_is_told_when_our_staff_take_over(desk):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    await lee.tap("Accept")
    await clerk.tap_data("d:v:1")  # the card as it is now
    await clerk.tap_starting("d:own:1:")
    await clerk.tap("Ah Wai")
    await clerk.tap("2 days")
    assert lee.last_text.startswith("R-2026-00001 is no longer yours: the desk has given it to "
                                    "Ah Wai.")
    assert "no longer with your unit" in wong.last_text
    await lee.tap("On my way")
    assert answers(desk)[-1].startswith("This job is no longer yours")
    await wong.tap("Accept")  # the unit's old card
    assert answers(desk)[-1].startswith("This job is no longer yours")
    assert await desk.query("SELECT technician_id FROM tickets") == [(9002,)]


async def test_the_desk_hears_when_the_resident_says_not_fixed(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await complete(tech)
    await resident.tap("Not fixed")
    await resident.send("Still dripping.")
    head = "Reopened: the resident says it is not resolved: Still dripping."
    assert tech.last_text.startswith(head)
    for desk_person in (clerk, boss):  # the desk too, with its own buttons on the card
        assert desk_person.last_text.startswith(head)
        assert "Assigned to: Ah Wai" in desk_person.last_text
        assert any(b["callback_data"].startswith("d:ex:1:")
                   for b in desk_person.calls()[-1].buttons())
    assert not any(head in t for t in resident.texts())


async def report_emergency(resident) -> None:
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:emergency")
    await resident.send("Kitchen")
    await resident.send("Water pours from the ceiling.")
    await resident.tap_data("r:pd")
    await resident.tap_data("r:ok")


async def test_an_emergency_at_night_reaches_the_supervisors_and_the_one_on_duty(night_desk):
    desk = night_desk
    clerk, tech, boss = await staff(desk)
    await tech.share_contact(ON_DUTY)  # Ah Wai is on duty tonight
    resident = await resident_of_a12(desk)
    desk.clock.now = NIGHT
    await report_emergency(resident)
    for person in (boss, tech):
        assert person.last_text.startswith("An emergency reported out of office hours: please "
                                           "see to it now.")
    assert "New repair report" in clerk.last_text  # the desk's card waits for the morning
    reply = resident.last_text
    assert "The office is closed now, so your emergency went at once to the supervisors on " \
           "duty" in reply
    assert "call 0955-123-456" in reply


async def test_an_emergency_in_office_hours_goes_to_the_desk_alone(night_desk):
    desk = night_desk
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    desk.clock.now = DAY
    await report_emergency(resident)
    assert "New repair report" in clerk.last_text
    assert not any("out of office hours" in t for t in boss.texts() + tech.texts())
    assert "The office is closed" not in resident.last_text


async def test_a_contractor_is_warned_when_it_proposes_a_visit_after_an_emergencys_deadline(
        desk):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_emergency(resident)
    await clerk.tap_starting("d:con:1:")
    await clerk.tap("Aqua Works")
    await clerk.tap_starting("d:dl:1:c1:1:")  # by the end of tomorrow
    await lee.tap("Accept")
    await lee.tap("Propose a visit time")
    await lee.tap(lee.labels()[-2])  # the last day offered (before Close)
    await lee.tap_data(next(b["callback_data"] for b in lee.calls()[-1].buttons()
                            if b["callback_data"].startswith("u:ps:")))
    assert "is proposed to the resident" in lee.last_text
    assert "Careful: this is an emergency, due by" in lee.last_text


async def test_a_unit_is_reminded_before_its_time_to_accept_is_up_and_told_when_it_passed(desk):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)  # four hours to accept
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    start = desk.clock.now
    await desk.run_until(start + timedelta(hours=3, minutes=11))
    assert not any("A reminder" in t for t in lee.texts())
    await desk.run_until(start + timedelta(hours=3, minutes=12))
    for person in (lee, wong):
        assert person.last_text.startswith("A reminder: R-2026-00001 waits for your unit to "
                                           "accept it by")
        assert [b["text"] for b in person.calls()[-1].buttons()] == ["Accept", "Decline"]
    await desk.run_until(start + timedelta(hours=4))
    for person in (lee, wong):
        assert person.last_text.startswith("R-2026-00001: your unit's time to accept it has "
                                           "passed, and the desk is told.")
    assert any("has not taken" in t for t in clerk.texts())
    assert any("has not taken" in t for t in boss.texts())


def test_the_phone_on_duty_is_a_setting_checked_like_a_phone():
    assert parse_settings({"on_duty": " 0955-123-456 "}).on_duty == "0955-123-456"
    assert parse_settings({}).on_duty == ""
    for wrong in ("the supervisor", 955123456, "12"):
        with pytest.raises(ConfigError, match="on_duty"):
            parse_settings({"on_duty": wrong})


def test_the_table_script_names_every_event():
    printed = subprocess.run([sys.executable, "-m", "scripts.told_table"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    events = set(re.findall(r"^\| `(\w+)` \|", printed, re.M))
    assert events == set(TOLD) | set(told.TOLD_OF_PERSON) | set(ESTATE_TOLD)


async def test_a_public_area_job_is_not_the_reporters_unit_nor_its_owners_to_sign(desk):
    """A tenant reports the lift: the owner of the tenant's flat is not told of "a repair in
    your unit", nor asked to sign the lift's form as its owner; an owner who reports the
    lift and confirms it has not signed anything as an owner either."""
    from tests.test_signoff import tenant_of_a12
    clerk, tech, boss = await staff(desk)
    owner = await resident_of_a12(desk)
    tenant = await tenant_of_a12(desk)
    for reporter, ticket_id in ((tenant, 1), (owner, 2)):
        await reporter.send("/repair")
        await reporter.tap_data("r:c:public_areas")
        await reporter.tap_data("r:g:normal")
        await reporter.tap("Lift B" if ticket_id == 1 else "Lobby")
        await reporter.send("It stopped between 3F and 4F.")
        await reporter.tap_data("r:pd")
        await reporter.tap_data("r:ok")
        await assign_to_tech(clerk, ticket_id=ticket_id)
        await complete(tech, ticket_id=ticket_id)
        await reporter.tap("Confirm, it is fixed")
        assert "your signature" not in reporter.last_text
    assert not any("a repair in your unit" in t or "Please sign the repair form as Owner" in t
                   or "the repair in your unit" in t for t in owner.texts())
    assert await desk.query("SELECT DISTINCT party FROM required_signoffs") == [("supervisor",)]
    await boss.tap_data("s:f:1")
    assert "Owner" not in boss.last_text
    await boss.tap("Sign")
    assert "now signed off by every party" in boss.last_text


async def test_whether_it_is_fixed_is_asked_by_the_desk_which_records_the_answer(desk):
    """phone_calls_by = "holder": the technician phones a resident without Telegram with the
    job's news, but "is it fixed?" is the desk's call: only the desk records the answer
    (and the one who did the work does not vouch for it)."""
    from tests.test_intake import take_repair_by_phone
    desk.settings = dataclasses.replace(desk.settings, phone_calls_by="holder")
    await desk.restart()
    clerk, tech, boss = await staff(desk)
    await take_repair_by_phone(clerk)
    await clerk.tap("Confirm and send")
    await assign_to_tech(clerk)
    assert sum("陳美玲 does not use the bot" in t for t in tech.texts()) == 1
    await complete(tech)
    ask = next(c for c in reversed(clerk.calls()) if "is reported as repaired" in c.text)
    assert "陳美玲 does not use the bot. Please phone them" in ask.text
    assert not any("is reported as repaired" in t for t in tech.texts())
    await clerk.tap_data(next(b["callback_data"] for b in ask.buttons()
                              if b["text"] == "Resident confirmed by phone"), ask)
    assert await desk.query("SELECT status FROM tickets") == [("closed",)]


async def test_an_emergency_declined_at_night_reaches_the_supervisors_and_the_one_on_duty(
        night_desk):
    desk = night_desk
    clerk, tech, boss = await staff(desk)
    await tech.share_contact(ON_DUTY)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    desk.clock.now = NIGHT
    await report_emergency(resident)
    await boss.tap_starting("d:con:1:")
    await boss.tap("Aqua Works")
    await boss.tap_starting("d:dl:1:c1:")
    await lee.tap("Decline")
    await lee.send("Not our pipe.")
    for person in (clerk, boss, tech):
        assert person.last_text.startswith("Aqua Works declined R-2026-00001: Not our pipe."), \
            person.first_name
    # (in office hours the desk alone hears: test_each_row_of_the_table)


async def test_an_owner_is_told_of_a_tenants_late_report_after_the_quiet_hours(night_desk):
    """The tenant reports at 22:00: the desk has it at once, the owner in the morning."""
    from tests.test_signoff import tenant_of_a12
    desk = night_desk
    clerk, tech, boss = await staff(desk)
    owner = await resident_of_a12(desk)
    tenant = await tenant_of_a12(desk)
    desk.clock.now = NIGHT
    await report_leak(tenant)
    assert "New repair report" in clerk.last_text
    assert not any("a repair in your unit" in t for t in owner.texts())
    await desk.run_until(NIGHT.replace(hour=7, minute=59) + timedelta(days=1))
    assert not any("a repair in your unit" in t for t in owner.texts())
    await desk.run_until(NIGHT.replace(hour=8) + timedelta(days=1))
    assert owner.last_text.startswith("R-2026-00001: a repair in your unit A 12F-3 was "
                                      "reported by 張租客")


async def test_an_emergencys_early_warning_at_night_reaches_the_supervisors(night_desk):
    """Out of office hours the desk is not there to read "must be assigned by 22:30": the
    supervisors, who had the emergency, get the warning too; in office hours, not."""
    desk = night_desk
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    desk.clock.now = NIGHT
    await report_emergency(resident)
    await desk.run_until(NIGHT + timedelta(minutes=29))
    assert any(t.startswith("Early warning: R-2026-00001 must be assigned by") for t in
               clerk.texts())
    assert any(t.startswith("Early warning: R-2026-00001 must be assigned by") for t in
               boss.texts())
