"""The key register (鑰匙管理): a technician needs to enter a flat while its owner is away;
the owner consents in the chat, or a supervisor declares an emergency; the key keeper hands
the keys out and takes them back; keys not back are chased; nobody borrows privately."""

import io
import sqlite3
from datetime import timedelta

from openpyxl import load_workbook

from handlers.i18n import Tr
from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff
from tests.test_roster_cli import cli
from tests.test_workbooks import formulas, valid_sheet_names
from workflow import admin, roles
from workflow.registers import key_import

KEYS = """tag,kind,label,building,unit,spare,copies
A12-D,owner_door,A 12F-3 front door,A,12F-3,no,
A12-M,owner_mailbox,A 12F-3 mailbox,A,12F-3,no,
PR-B1,equipment_room,Pump room B1,,,no,
PR-B1-S,equipment_room,Pump room B1 (spare),,,yes,PR-B1
"""


async def key_room(desk, language="en"):
    await key_import.load(desk.db, key_import.parse(KEYS.encode()))
    keeper = desk.person(9020, "Keeper", language)
    code = await admin.invite(desk.db, roles.KEY_KEEPER, "Key room", desk.clock())
    await keeper.join(code)
    return keeper


def alert(desk) -> str:
    answer = desk.api.calls[-1]
    assert answer.method == "answerCallbackQuery" and answer.params.get("show_alert")
    return answer.params["text"]


async def test_the_owner_consents_and_the_keys_go_out_and_come_back(desk):
    clerk, tech, boss = await staff(desk)
    keeper = await key_room(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await tech.tap_data("w:v:1")
    await tech.tap("Ask for the unit's keys")
    assert tech.last_text == "Which keys does the job need? Tap each, then ask."
    await tech.tap("☐ Anti-theft door A 12F-3 front door (A12-D)")
    await tech.tap("☐ Mailbox A 12F-3 mailbox (A12-M)")
    await tech.tap("Ask for these keys")
    assert "The resident is asked to allow it (R-2026-00001)" in tech.last_text
    asked = resident.last_text
    assert "asks to use the keys you deposited (Anti-theft door A 12F-3 front door (A12-D)" \
        in asked and "Mailbox A 12F-3 mailbox (A12-M)" in asked and "enter A 12F-3" in asked
    await keeper.send("/keys")
    assert "waiting for the resident's consent" in keeper.texts()[-2]
    assert "Anti-theft door: no spare set" in keeper.last_text

    await resident.tap("Allow")
    assert "used for this job only" in resident.last_text
    assert tech.last_text == "Keys for R-2026-00001: ready to hand out."
    assert keeper.last_text.startswith("Keys to hand out: Anti-theft door")
    await resident.tap_data("ky:y:1")  # a second tap
    assert resident.last_text == "This was already answered."

    await keeper.tap("Handed out")
    assert keeper.last_text.startswith("Handed out; due back")
    await keeper.tap_data("ky:out:1")  # a double tap hands out nothing more
    assert alert(desk).startswith("This button is out of date")
    await keeper.send("/keys")
    assert "A12-D" in keeper.texts()[-2] and "out (due back" in keeper.texts()[-2]
    assert "Equipment room: 1 of 1 in the cabinet" not in keeper.last_text
    assert "Equipment room: complete" in keeper.last_text
    await keeper.tap("Returned")
    assert keeper.last_text == "Returned: the keys are back in the cabinet."
    assert await desk.query("SELECT state, decided_by FROM key_loans") == [("returned", 5001)]
    assert await desk.query("SELECT count(*) FROM keys WHERE loan_id IS NOT NULL") == [(0,)]


async def test_no_answer_means_no_but_a_supervisor_may_declare_an_emergency(desk):
    clerk, tech, boss = await staff(desk, "zh-TW")
    keeper = await key_room(desk, "zh-TW")
    resident = await resident_of_a12(desk, "zh-TW")
    await report_leak(resident, "樓上漏水，家中無人。")
    await assign_to_tech(clerk)
    await tech.tap_starting("ky:job:1")
    await tech.tap_starting("ky:pk:1:")
    await tech.tap_starting("ky:ask:1:")
    await keeper.tap_data("ky:out:1")  # no consent yet: nothing to hand out
    assert await desk.query("SELECT state FROM key_loans") == [("consent",)]
    await boss.send("/keys")
    await boss.tap("緊急：立即進入")
    assert "緊急" in resident.last_text and "A12-D" in resident.last_text
    assert await desk.query("SELECT state, emergency, decided_by FROM key_loans") == [
        ("ready", 1, 9003)]
    await resident.tap_data("ky:n:1")  # too late to refuse: the emergency stands
    assert resident.last_text == "這已經回覆過了。"
    await keeper.tap_starting("ky:out:1")
    assert await desk.query("SELECT state FROM key_loans") == [("out",)]


async def test_keys_not_back_remind_the_borrower_then_alert_the_keeper_and_supervisors(desk):
    clerk, tech, boss = await staff(desk)
    keeper = await key_room(desk)
    await tech.send("/borrow PR-B1 check the pump room's leak")
    assert "a supervisor approves" in tech.last_text
    assert boss.last_text.startswith("Keys asked for: Equipment room Pump room B1 (PR-B1)")
    await boss.tap("Approve")
    await keeper.tap("Handed out")
    await desk.run_until(desk.clock.now + timedelta(hours=3, minutes=59))
    assert not any("Please return" in t for t in tech.texts())
    await desk.run_until(desk.clock.now + timedelta(minutes=1))
    assert tech.last_text.startswith("Please return the keys Equipment room Pump room B1")
    await desk.run_until(desk.clock.now + timedelta(hours=2))
    for person in (keeper, boss):
        assert person.last_text.startswith("Keys not back: Equipment room Pump room B1 (PR-B1), "
                                           "borrowed by Ah Wai for check the pump room's leak")
    await desk.run_until(desk.clock.now + timedelta(hours=5))
    assert sum(t.startswith("Keys not back") for t in keeper.texts()) == 1


async def test_no_private_borrowing(desk):
    clerk, tech, boss = await staff(desk)
    keeper = await key_room(desk)
    resident = await resident_of_a12(desk)
    await tech.send("/borrow A12-D I left my bag there")
    assert "A resident's key goes out only for a job" in tech.last_text
    await tech.send("/borrow PR-B1")
    assert "Please give the key's tag and the reason" in tech.last_text
    await tech.send("/borrow XX-1 a reason")
    assert tech.last_text == "No key has the tag XX-1."
    await resident.send("/borrow PR-B1 curious")
    assert "not allowed" in resident.last_text
    await resident.send("/keys")
    assert "not allowed" in resident.last_text
    await report_leak(resident)
    await tech.tap_data("ky:job:1")  # not their job
    assert alert(desk) == "Sorry, you are not allowed to do that."
    await tech.send("/borrow PR-B1 the pump")
    await tech.tap_data("ky:ok:1")  # approving one's own request
    assert alert(desk) == "Sorry, you are not allowed to do that."
    await keeper.tap_data("ky:out:1")  # not approved yet
    assert await desk.query("SELECT state FROM key_loans") == [("approval",)]
    await boss.tap("Refuse")
    assert tech.last_text == "Keys for the pump: refused."


def test_the_register_is_imported_and_a_bad_file_changes_nothing(tmp_path):
    roster = tmp_path / "owners.csv"
    roster.write_text("building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n")
    assert cli(tmp_path, "roster", "import", str(roster)).returncode == 0
    good = tmp_path / "keys.csv"
    good.write_text(KEYS)
    made = cli(tmp_path, "keys", "import", str(good))
    assert "4 keys recorded, 4 new" in made.stdout, made.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("tag,kind,label,building,unit,spare\nX1,owner_door,front door,,,no\n"
                   "X2,garage,door,,,no\n")
    refused = cli(tmp_path, "keys", "import", str(bad))
    assert refused.returncode == 1 and "line 2: a resident's key names its building" in \
        refused.stderr and "line 3: kind must be one of" in refused.stderr


async def test_a_job_asks_only_for_the_keys_it_needs(desk):
    clerk, tech, boss = await staff(desk)
    await key_room(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await tech.tap_data("w:v:1")
    await tech.tap("Ask for the unit's keys")
    assert tech.labels() == ["☐ Anti-theft door A 12F-3 front door (A12-D)",
                             "☐ Mailbox A 12F-3 mailbox (A12-M)", "Close"]  # nothing asked yet
    await tech.tap("☐ Anti-theft door A 12F-3 front door (A12-D)")
    assert tech.labels() == ["☑ Anti-theft door A 12F-3 front door (A12-D)",
                             "☐ Mailbox A 12F-3 mailbox (A12-M)", "Ask for these keys", "Close"]
    await tech.tap_data("ky:ask:1:3")  # a forged choice: the pump room's key is no key of
    assert desk.api.calls[-1].params.get("show_alert")  # the unit
    await tech.tap_data("ky:ask:1:")  # none at all
    assert await desk.query("SELECT count(*) FROM key_loans") == [(0,)]
    await tech.tap("Ask for these keys")
    assert "(A12-D)" in resident.last_text and "A12-M" not in resident.last_text
    assert await desk.query("SELECT k.tag FROM key_loan_items i JOIN keys k ON k.id = "
                            "i.key_id") == [("A12-D",)]


SWITCH_ROOM = KEYS + "EL-B1,equipment_room,配電室 B1,,,no,\n"


async def test_the_spare_set_is_checked_key_by_key_not_kind_by_kind(desk):
    clerk, tech, boss = await staff(desk, "zh-TW")
    keeper = await key_room(desk, "zh-TW")
    await key_import.load(desk.db, key_import.parse(SWITCH_ROOM.encode()))
    await keeper.send("/keys")
    assert "設備房：齊全" not in keeper.last_text  # the pump room's spare is no spare of
    assert "設備房：2 把中有 1 把在櫃內；無備用鑰匙：配電室 B1 (EL-B1)" in keeper.last_text
    english = desk.person(9021, "Keeper two", "en")
    await desk.hire(english, roles.KEY_KEEPER)
    await english.send("/keys")
    assert "Equipment room: 1 of 2 in the cabinet; no spare for 配電室 B1 (EL-B1)" in \
        english.last_text
    await tech.send("/borrow PR-B1-S 夜班備用")
    await boss.tap("核准")
    await keeper.tap("已發出")
    await english.send("/keys")
    assert "the spare is out for Pump room B1 (PR-B1)" in english.last_text


async def test_the_borrower_is_told_when_to_bring_the_keys_back(desk):
    clerk, tech, boss = await staff(desk)
    keeper = await key_room(desk)
    await tech.send("/borrow PR-B1 check the pump")
    await boss.tap("Approve")
    await keeper.tap("Handed out")
    due = desk.clock.now + timedelta(hours=4)
    assert tech.last_text == ("The keys Equipment room Pump room B1 (PR-B1) are handed out to "
                              "you for check the pump: please bring them back to the key "
                              f"keeper by {Tr('en', desk.settings.tz).datetime(due)}.")


async def test_each_loan_stays_in_the_history_of_its_key_and_unit_and_is_exported(desk):
    clerk, tech, boss = await staff(desk)
    keeper = await key_room(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await tech.tap_data("w:v:1")
    await tech.tap("Ask for the unit's keys")
    await tech.tap("☐ Anti-theft door A 12F-3 front door (A12-D)")
    await tech.tap("Ask for these keys")
    await resident.tap("Allow")
    await keeper.tap("Handed out")
    desk.clock.advance(hours=1)
    await keeper.tap("Returned")
    await tech.send("/borrow PR-B1 check the pump")
    await boss.tap("Approve")
    await keeper.tap("Handed out")

    await keeper.send("/keys a12-d")
    history = keeper.last_text
    assert history.startswith("Loan history of A12-D:") and "to Ah Wai for R-2026-00001, " \
        "handed out by Key room" in history and "back " in history and "taken by Key room" in \
        history and "pump" not in history
    await keeper.send("/keys A 12F-3")
    assert keeper.last_text.startswith("Loan history of A 12F-3:") and "R-2026-00001" in \
        keeper.last_text
    await keeper.send("/keys PR-B1")
    assert "not back yet (due" in keeper.last_text
    await keeper.send("/keys B 99F-9")
    assert keeper.last_text.startswith("No key has the tag B 99F-9")
    await keeper.send("/keys export")
    sent = desk.api.calls[-1]
    assert sent.method == "sendDocument" and sent.params["caption"] == "Key loans: 2"
    name, content = next(iter(sent.files.values()))[:2]
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:6] == ["Tag", "Key", "Kind", "Borrower", "Reason", "Handed out by"]
    assert [r[0] for r in rows[1:]] == ["PR-B1", "A12-D"]  # newest first
    assert rows[2][8] == "Key room" and rows[2][9] is not None and rows[1][9] is None
    await resident.send("/keys A 12F-3")  # the history is the key keeper's
    assert "not allowed" in resident.last_text


def test_a_bad_row_imports_nothing_and_every_bad_row_is_named(tmp_path):
    roster = tmp_path / "owners.csv"
    roster.write_text("building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n")
    assert cli(tmp_path, "roster", "import", str(roster)).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("tag,kind,label,building,unit,spare,copies\n"
                   "A12-D,owner_door,A 12F-3 front door,A,12F-3,no,\n"
                   "PR-B1,equipment_room,Pump room B1,,,maybe,\n"
                   "X9-D,owner_door,front door,Z,9F-9,no,\n"
                   "EL-S,equipment_room,Switch room spare,,,yes,EL-B1\n")
    refused = cli(tmp_path, "keys", "import", str(bad))
    assert refused.returncode == 1
    assert "line 3: spare must be yes or no, not maybe" in refused.stderr
    assert "line 4: Z 9F-9 is not a unit on the roster" in refused.stderr
    assert "line 5: the spare copies EL-B1, which is no key" in refused.stderr
    assert "3 problem(s). Nothing was imported." in refused.stderr
    with sqlite3.connect(tmp_path / "desk.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM keys").fetchone() == (0,)


async def test_the_loan_workbook_keeps_what_people_typed_as_text_in_every_language(desk):
    clerk, tech, boss = await staff(desk)
    keeper = await key_room(desk)
    mischief = '=HYPERLINK("http://x.invalid","pump")'
    await tech.send(f"/borrow PR-B1 {mischief}")
    await boss.tap("Approve")
    await keeper.tap("Handed out")
    for number, language in enumerate(("zh-TW", "zh-CN", "en")):
        reader = desk.person(9100 + number, "Reader", language)
        await desk.hire(reader, roles.SUPERVISOR)
        await reader.send("/keys export")
        sent = desk.api.calls[-1]
        assert sent.method == "sendDocument", reader.last_text
        name, content = next(iter(sent.files.values()))[:2]
        path = desk.path.parent / f"{language}-{name}"
        path.write_bytes(content)
        book = load_workbook(path)
        assert valid_sheet_names(book.sheetnames) and formulas(path) == []
        assert mischief in {c.value for row in book.active.iter_rows() for c in row}


async def test_a_chinese_key_keeper_reads_full_width_marks_without_stray_spaces(desk):
    clerk, tech, boss = await staff(desk, "zh-TW")
    keeper = await key_room(desk, "zh-TW")
    resident = await resident_of_a12(desk, "zh-TW")
    await report_leak(resident)
    await assign_to_tech(clerk)
    await tech.tap_data("w:v:1")
    await tech.tap("申請借用住戶鑰匙")
    await tech.tap("☐ 防盜門 A 12F-3 front door (A12-D)")
    await tech.tap("申請這些鑰匙")
    await resident.tap("同意")
    assert keeper.last_text.startswith("待發出的鑰匙：防盜門 A 12F-3 front door (A12-D)：Ah Wai")
    await keeper.tap("已發出")
    await keeper.send("/keys")
    assert keeper.texts()[-2].endswith("已借出（應於 2026年11月26日 14:00 歸還）")
