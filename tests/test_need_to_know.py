"""Need to know (個人資料保護法 Arts. 5, 19, 20): a technician sees the resident's name and
phone while the job is theirs, the unit after it closes; a responsible unit's offer shows
the unit and the problem, and the contact comes to the one who accepts; neighbours who
follow one public fault never see each other; the office sees contact as always."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from bot.config import ConfigError, parse_settings
from handlers.i18n import Tr
from handlers.office import pdfs, spreadsheets
from tests import printed
from tests.harness import DeskHarness
from tests.stories import (
    assign_to_tech,
    complete,
    report_leak,
    resident_of_a12,
    staff,
)
from tests.test_fees import open_desk
from tests.test_settlement import a_quarter_with_aqua
from tests.test_units_in_chat import aqua_works, send_to_aqua
from tests.test_who_is_told import NIGHT, ON_DUTY, SETTINGS, report_emergency
from workflow import roles
from workflow.fees import collection
from workflow.office import settlement

NAME, PHONE = "陳美玲", "912 345 678"
LANGUAGES = {"en": "en", "zh_Hant": "zh-TW", "zh_Hans": "zh-CN"}
UNIT_LINE = {"en": "Unit: A 12F-3", "zh_Hant": "單位：A 12F-3", "zh_Hans": "单元：A 12F-3"}
RESIDENT_LINE = {"en": "Resident: ", "zh_Hant": "住戶：", "zh_Hans": "住户："}


def contact_in(text: str) -> bool:
    return NAME in text or PHONE in text


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_technician_sees_the_phone_while_holding_the_job_and_not_after_it_closes(
        desk, language):
    clerk, tech, boss = await staff(desk, LANGUAGES[language])
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    assert any(contact_in(t) for t in clerk.texts())  # the desk: as always

    await assign_to_tech(clerk)
    task = tech.last_text
    assert f"{RESIDENT_LINE[language]}{NAME} +886 {PHONE}" in task
    assert UNIT_LINE[language] in task
    await tech.tap_data("t:v:1")  # the ticket, looked up while the job is his
    assert contact_in(tech.last_text)

    await complete(tech)
    await resident.tap("Confirm, it is fixed")
    assert await desk.query("SELECT status FROM tickets") == [("closed",)]
    tech.new_texts()
    await tech.tap_data("t:v:1")  # closed: the unit, not who lives there
    closed = tech.last_text
    assert UNIT_LINE[language] in closed
    assert not contact_in(closed), closed
    assert RESIDENT_LINE[language] not in closed
    await clerk.tap_data("t:v:1")  # the desk still sees who it was
    assert contact_in(clerk.last_text)


async def test_a_job_taken_from_the_technician_no_longer_shows_him_the_resident(desk):
    clerk, tech, boss = await staff(desk)
    other = desk.person(9004, "Other", "en")
    await desk.hire(other, roles.TECHNICIAN, "Ah Keung")
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    assert contact_in(tech.last_text)
    await clerk.tap("Reassign: technician")
    await clerk.tap("Ah Keung")
    await clerk.tap("2 days")
    assert contact_in(other.last_text)  # the new holder
    tech.new_texts()
    await tech.tap_starting("w:go:1:")  # his old card: the job is no longer his
    assert tech.new_texts() and not any(contact_in(t) for t in tech.texts()[-2:])


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_units_offer_shows_the_unit_and_the_problem_and_the_accepter_gets_the_contact(
        desk, language):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk, LANGUAGES[language])
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    for person in (lee, wong):
        offer = "\n".join(person.texts())
        assert UNIT_LINE[language] in offer and "Water drips from the pipe" in offer
        assert not contact_in(offer), offer
    await wong.send("/mytasks")
    await wong.tap_data("w:v:1")  # the waiting job, opened: still no contact
    assert UNIT_LINE[language] in wong.last_text and not contact_in(wong.last_text)

    await lee.tap_starting("u:ok:1")
    accepted = lee.last_text
    assert accepted.startswith("R-2026-00001")
    assert f"{NAME} +886 {PHONE}" in accepted and UNIT_LINE[language] in accepted
    await wong.tap_data("t:v:1")  # the colleague who did not take it: the unit alone
    assert not contact_in("\n".join(wong.texts())), wong.texts()
    await lee.tap_data("t:v:1")
    assert contact_in(lee.last_text)



NEIGHBOURS = """building,unit,name,phone
A,2F-1,Resident Two,0933 000 002
A,3F-1,Resident Three,0933 000 003
"""


async def report_a_public_fault(resident, follow: bool) -> None:
    """A fault at the first public place offered: reported, or followed as the same."""
    await resident.send("/repair")
    await resident.tap_data("r:c:public_areas")
    await resident.tap_data("r:g:normal")
    await resident.tap_data("r:p:0")
    if follow:
        await resident.tap_data("r:sm:1")
        return
    await resident.send("The light is out.")
    await resident.tap_data("r:pd")
    await resident.tap_data("r:ok")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_neighbours_following_one_fault_never_see_each_others_names_or_units(
        desk, language):
    clerk, tech, boss = await staff(desk)
    await desk.import_roster(NEIGHBOURS)
    people = []
    for user_id, phone in ((5001, "0912-345-678"), (5002, "0933 000 002"),
                           (5003, "0933 000 003")):
        person = desk.person(user_id, f"Neighbour {user_id}", LANGUAGES[language])
        await person.send("/start")
        await person.share_contact(phone)
        people.append(person)
    first, second, third = people
    await report_a_public_fault(first, follow=False)
    for follower in (second, third):
        await report_a_public_fault(follower, follow=True)
    assert await desk.query("SELECT count(*) FROM ticket_followers") == [(2,)]
    await assign_to_tech(clerk)
    await complete(tech)
    await first.tap_data("s:ok:1")
    for person in people:
        await person.tap_data("t:v:1")  # the ticket's card and timeline
        assert "R-2026-00001" in person.last_text
    marks = [(NAME, "12F-3"), ("Resident Two", "2F-1"), ("Resident Three", "3F-1")]
    for n, person in enumerate(people):
        seen = "\n".join(person.texts())
        others = [m for i, found in enumerate(marks) if i != n for m in found]
        assert not [m for m in others if m in seen], (person.user_id, seen)
    await clerk.tap_data("t:v:1")  # the office sees who follows it
    assert "Resident Two" in clerk.last_text and "2F-1" in clerk.last_text


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_units_settlement_carries_units_not_names_unless_the_settings_say_so(
        desk, tmp_path, language):
    await a_quarter_with_aqua(desk)
    tr = Tr(language, desk.settings.tz)
    plain = await settlement.of_unit(desk.db, desk.settings, "aqua", "2026-Q4")
    named = await settlement.of_unit(
        desk.db, replace(desk.settings, names_on_contractor_documents=True), "aqua", "2026-Q4")
    for data, shown in ((plain, False), (named, True)):
        pdf, sheet = tmp_path / f"s-{shown}.pdf", tmp_path / f"s-{shown}.xlsx"
        pdfs.settlement_pdf(tr, desk.settings, data, pdf)
        spreadsheets.settlement_xlsx(tr, desk.settings, data, sheet)
        cells = "\n".join(str(v) for ws in load_workbook(sheet).worksheets
                          for row in ws.iter_rows(values_only=True) for v in row if v)
        for text in (printed.text(pdf), cells):
            assert "A 12F-3" in text and "R-2026-00001" in text  # the unit, always
            assert (NAME in text) is shown and (PHONE in text) is shown, text


async def test_the_settlement_the_unit_receives_names_nobody(desk):
    clerk, tech, boss, manager, lee, wong = await a_quarter_with_aqua(desk)
    await desk.start_schedule()
    await desk.run_until(datetime(2027, 1, 1, 1, 0, tzinfo=desk.clock.now.tzinfo))
    sent = {c.files["document"][0]: c.files["document"][1] for c in lee.calls()
            if c.method == "sendDocument"}
    pdf = printed.text(sent["settlement-2026-Q4-aqua.pdf"])
    assert "A 12F-3" in pdf and not contact_in(pdf)


ARREARS_ROSTER = "building,unit,name,phone\nA,2F-1,Resident Two,0933 000 002\n"
NAMES_NOBODY = {"en": "An announcement to the estate never names a household",
                "zh_Hant": "社區公告不得指名任何住戶", "zh_Hans": "小区公告不得点名任何住户"}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_announcement_never_names_a_household(desk, language):
    clerk, tech, boss = await staff(desk, LANGUAGES[language])
    await desk.import_roster(ARREARS_ROSTER)
    await clerk.send("/announce")
    for text in ("Still unpaid: A 12F-3 and A 2F-1. Please pay by Friday.",
                 "12F-3 owes three months.", "陳美玲 has not paid the fee.",
                 "resident two: please pay."):
        await clerk.send(text)
        refused = clerk.last_text
        assert refused.startswith(NAMES_NOBODY[language]), refused
        assert any(word in refused for word in ("12F-3", "2F-1", NAME, "Resident Two"))
        assert await desk.query("SELECT step FROM drafts WHERE user_id = 9001") == [
            ("content",)]  # still waiting for a text that names nobody
    await clerk.send("Management fees for December are due on the 10th. Thank you.")
    assert await desk.query("SELECT step FROM drafts WHERE user_id = 9001") == [("audience",)]
    assert await desk.query("SELECT count(*) FROM announcements") == [(0,)]


async def test_a_unit_in_arrears_is_told_alone_and_no_list_names_a_household(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        await desk.import_roster(ARREARS_ROSTER)
        clerk, tech, boss = await staff(desk)
        may = await resident_of_a12(desk)
        two = desk.person(5002, "Two", "en")
        await two.send("/start")
        await two.share_contact("0933 000 002")
        assert await collection.bill_month(desk.db, desk.settings, "2026-12") == 2
        await desk.run_until(desk.clock.now + timedelta(days=16))  # 12 Dec: both overdue
        for person, own, others in ((may, "A 12F-3", ("2F-1", "Resident Two")),
                                    (two, "A 2F-1", ("12F-3", NAME))):
            overdue = [t for t in person.texts() if "overdue" in t]
            assert overdue and all(own in t for t in overdue)
            seen = "\n".join(person.texts())
            assert not [word for word in others if word in seen], seen
        told = await desk.query("SELECT DISTINCT recipient_id FROM outbox WHERE kind IN "
                                "('fee_overdue', 'fee_reminder') ORDER BY recipient_id")
        assert told == [(5001,), (5002,)]  # each unit's own people, nobody else
        for person in (clerk, tech, boss):
            assert not any("12F-3" in t or "2F-1" in t for t in person.texts())
    finally:
        await desk.stop()


async def test_the_supervising_engineer_reads_the_form_with_the_unit_not_the_resident(desk):
    clerk, tech, boss = await staff(desk)
    engineer = desk.person(9010, "Engineer", "en")
    await desk.hire(engineer, roles.SUPERVISING_ENGINEER, "Site engineer")
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    await lee.tap_starting("u:ok:1")
    await complete(lee)
    await resident.tap("Not fixed")
    await resident.send("Still dripping.")
    await complete(lee)
    await resident.tap("Confirm, it is fixed")
    form = "\n".join(engineer.texts())
    assert "Repair form R-2026-00001" in form and "A 12F-3" in form
    assert not contact_in(form), form
    assert "Repair confirmed by the resident in the chat" in form
    assert "reopened by the resident: Still dripping." in form
    assert any(contact_in(t) and "Repair form R-2026-00001" in t for t in boss.texts())


def test_the_privacy_settings_are_read_and_checked():
    assert parse_settings({}).names_on_contractor_documents is False
    assert parse_settings({"privacy": {"names_on_contractor_documents": True}}
                          ).names_on_contractor_documents is True
    for bad, said in (({"privacy": {"names_on_contractor_documents": "yes"}},
                       "must be true or false"),
                      ({"privacy": {"names_on_documents": True}}, "unknown setting"),
                      ({"privacy": 1}, "must be a table")):
        with pytest.raises(ConfigError, match=said):
            parse_settings(bad)


async def test_a_neighbour_the_desk_adds_on_a_call_is_not_shown_to_the_reporter(desk):
    clerk, tech, boss = await staff(desk)
    may = await resident_of_a12(desk)
    await report_a_public_fault(may, follow=False)
    await clerk.send("/intake")
    await clerk.send("a 5f-1")
    await clerk.tap("林志明 0922 111 222 ☎")
    await clerk.tap("by phone")
    await clerk.tap("The resident themselves")
    await clerk.tap("Repair")
    await clerk.tap("Public areas")
    await clerk.tap("No, not an emergency")
    await clerk.tap_data("r:p:0")
    await clerk.tap_data("r:sm:1")
    assert await desk.query("SELECT count(*) FROM ticket_followers") == [(1,)]
    await may.tap_data("t:v:1")
    assert "R-2026-00001" in may.last_text
    assert "5F-1" not in may.last_text and "林志明" not in may.last_text, may.last_text
    await clerk.tap_data("t:v:1")
    assert "5F-1" in clerk.last_text  # the office: who follows it, and where


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_repair_form_pdf_names_the_resident_to_the_office_alone(
        desk, tmp_path, language):
    clerk, tech, boss = await staff(desk)
    engineer = desk.person(9010, "Engineer", LANGUAGES[language])
    await desk.hire(engineer, roles.SUPERVISING_ENGINEER, "Site engineer")
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    await lee.tap_starting("u:ok:1")
    await complete(lee)
    await resident.tap("Confirm, it is fixed")
    for person, shown in ((engineer, False), (clerk, True)):
        await person.tap_data("fm:1")
        name, content = [c for c in person.calls()
                         if c.method == "sendDocument"][-1].files["document"]
        assert name == "repair-form-R-2026-00001.pdf"
        path = tmp_path / f"{person.user_id}-{name}"
        path.write_bytes(content)
        text = printed.text(path)
        assert "A 12F-3" in text and "Water drips from the pipe" in text.replace("\r\n", " ")
        assert contact_in(text) is shown, text


async def test_the_technician_on_duty_at_night_gets_the_emergencys_contact(tmp_path):
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=SETTINGS)
    await desk.start()
    try:
        await desk.import_roster("building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n")
        clerk, tech, boss = await staff(desk)
        await tech.share_contact(ON_DUTY)  # Ah Wai is on duty tonight
        resident = await resident_of_a12(desk)
        desk.clock.now = NIGHT
        await report_emergency(resident)
        card = tech.last_text
        assert card.startswith("An emergency reported out of office hours")
        assert f"{NAME} +886 {PHONE}" in card  # to see to it now, before anyone holds it
    finally:
        await desk.stop()
