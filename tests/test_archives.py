"""The archive (檔案管理): a technician asks for a drawing, the manager approves, the
archivist hands it out and takes it back; an inspection needs no permission; items not back
and checks not made are chased; the index records every change."""

from datetime import timedelta

from tests.stories import staff
from tests.test_roster_cli import cli
from workflow import admin, roles
from workflow.registers import archives

INDEX = """code,title,kind,location,confidentiality
DRW-A-07,Block A water risers,drawing,Cabinet 3 shelf 2,internal
CON-2024-01,Lift maintenance contract,contract,Cabinet 1,confidential
"""


async def archive_room(desk, language="en"):
    await archives.load_index(desk.db, archives.parse_index(INDEX.encode()), desk.clock())
    people = []
    for user_id, role, name in ((9030, roles.ARCHIVIST, "Archivist"),
                                (9004, roles.MANAGER, "Manager")):
        person = desk.person(user_id, name, language)
        code = await admin.invite(desk.db, role, name, desk.clock())
        await person.join(code)
        people.append(person)
    return people


def alert(desk) -> str:
    answer = desk.api.calls[-1]
    assert answer.method == "answerCallbackQuery" and answer.params.get("show_alert")
    return answer.params["text"]


async def test_a_drawing_is_asked_for_approved_handed_out_and_returned(desk):
    clerk, tech, boss = await staff(desk)
    archivist, manager = await archive_room(desk)
    await tech.send("/archive drw-a-07 trace the riser behind A 12F-3")
    assert tech.last_text == "Asked: a manager decides, then the archivist hands it out."
    assert manager.last_text.startswith("Asked of the archive: DRW-A-07 Block A water risers "
                                        "(drawing, internal, at Cabinet 3 shelf 2): Ah Wai")
    await archivist.tap_data("ar:out:1")  # not approved yet
    assert alert(desk) == "This button is out of date: the ticket has moved on. Nothing was " \
                          "changed."
    await manager.tap("Approve")
    assert tech.last_text == "DRW-A-07, for trace the riser behind A 12F-3: ready to hand out."
    await manager.tap_data("ar:ok:1")  # a second tap
    assert manager.last_text == "This was already answered."
    await archivist.tap("Handed out")
    await archivist.send("/archives")
    assert "out (due back" in archivist.texts()[-2]
    await archivist.tap("Returned")
    assert archivist.last_text == "Returned to the archive."
    assert await desk.query("SELECT state, decided_by FROM archive_loans") == [
        ("returned", 9004)]


async def test_an_inspection_needs_no_permission_and_overdue_items_alert(desk):
    clerk, tech, boss = await staff(desk, "zh-TW")
    archivist, manager = await archive_room(desk, "zh-TW")
    await manager.send("/archive CON-2024-01 inspection 總公司稽核")
    assert "稽核" in archivist.last_text and archivist.labels() == ["已發出"]
    assert await desk.query("SELECT inspection, state FROM archive_loans") == [(1, "ready")]
    await archivist.tap("已發出")
    await desk.run_until(desk.clock.now + timedelta(days=3, minutes=1))
    for person in (manager, archivist):
        assert any(t.startswith("未歸還檔案：CON-2024-01") for t in person.texts())
    await tech.send("/archive CON-2024-01 inspection 想看看")
    assert "沒有權限" in tech.last_text


async def test_the_check_plan_reminds_the_archivist_and_a_missed_check_reaches_managers(desk):
    clerk, tech, boss = await staff(desk)
    archivist, manager = await archive_room(desk)
    await desk.start_schedule()
    await desk.run_until(desk.clock.now + timedelta(days=182, minutes=1))
    assert sum(t.startswith("The archive's check is due") for t in archivist.texts()) == 1
    await desk.run_until(desk.clock.now + timedelta(days=7))
    assert any("The archive's check is overdue" in t for t in manager.texts())
    await archivist.send("/archives")
    await archivist.tap("Record a check: in order")
    await archivist.send("All 2 items in place; labels renewed.")
    assert archivist.last_text.startswith("The check is recorded; the next one is due")
    assert await desk.query("SELECT result, in_order FROM archive_checks") == [
        ("All 2 items in place; labels renewed.", 1)]
    await manager.tap_data("ar:ck:ok")  # only the archivist records checks
    assert alert(desk) == "Sorry, you are not allowed to do that."


def test_the_index_is_imported_and_its_changes_recorded(tmp_path):
    first = tmp_path / "index.csv"
    first.write_text(INDEX)
    assert "2 items read, 2 new" in cli(tmp_path, "archive", "import", str(first)).stdout
    moved = tmp_path / "moved.csv"
    moved.write_text(INDEX.replace("Cabinet 3 shelf 2", "Cabinet 4"))
    assert cli(tmp_path, "archive", "import", str(moved)).returncode == 0
    import sqlite3
    with sqlite3.connect(tmp_path / "desk.sqlite3") as conn:
        changes = conn.execute("SELECT what FROM archive_changes ORDER BY id").fetchall()
    assert changes[-1] == ("location: Cabinet 3 shelf 2 → Cabinet 4",)
    with sqlite3.connect(tmp_path / "desk.sqlite3") as conn:  # the import, and who ran it
        sources = conn.execute("SELECT source FROM archive_changes ORDER BY id").fetchall()
    assert sources[0][0].startswith("import|index.csv|") and \
        sources[-1][0].startswith("import|moved.csv|")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,title,kind,location,confidentiality\nX,Y,poster,Z,secret\n")
    refused = cli(tmp_path, "archive", "import", str(bad))
    assert refused.returncode == 1 and "kind must be one of" in refused.stderr


async def test_the_history_of_an_item_says_who_changed_it_imports_included(desk):
    clerk, tech, boss = await staff(desk)
    archivist, manager = await archive_room(desk)
    await archives.load_index(desk.db, archives.parse_index(
        INDEX.replace("Cabinet 3 shelf 2", "Cabinet 4").encode()), desk.clock(),
        archives.import_source("moved.csv", "office"))
    await manager.send("/archive drw-a-07 history")
    shown = manager.last_text
    assert shown.startswith("Changes to DRW-A-07 Block A water risers (drawing, internal, at "
                            "Cabinet 4)")
    assert ": added (by —)" in shown  # the first load named nobody
    assert ": Location: Cabinet 3 shelf 2 → Cabinet 4 (by the import of moved.csv, run by " \
        "office)" in shown
    await archivist.send("/archive XX-1 history")
    assert archivist.last_text == "No archive item has the code XX-1."
    await tech.send("/archive DRW-A-07 history")  # the history is the archive's readers'
    assert "not allowed" in tech.last_text


async def test_a_refusal_asks_for_its_reason_and_the_requester_is_told_it(desk):
    clerk, tech, boss = await staff(desk, "zh-TW")
    archivist, manager = await archive_room(desk, "zh-TW")
    await tech.send("/archive CON-2024-01 看看電梯合約")
    await manager.tap("不同意")
    assert manager.last_text == "不予核准的原因是什麼？請輸入原因，申請人會收到通知。"
    assert await desk.query("SELECT state FROM archive_loans") == [("approval",)]  # not yet
    await manager.send("機密合約，請向總務部申請。")
    assert manager.last_text == "已不予核准，並已將原因告知申請人。"
    assert tech.last_text == "CON-2024-01（看看電梯合約）：不予核准。經理說明的原因：機密合約，請向總務部申請。"
    assert await desk.query("SELECT state, refusal, decided_by FROM archive_loans") == [
        ("refused", "機密合約，請向總務部申請。", 9004)]
    await manager.tap_data("ar:no:1")  # a second tap
    assert manager.last_text == "這已經回覆過了。"


async def test_a_check_that_found_problems_alerts_the_manager_at_once(desk):
    clerk, tech, boss = await staff(desk)
    archivist, manager = await archive_room(desk)
    await archivist.send("/archives")
    await archivist.tap("Record a check: in order")
    await archivist.send("All in place.")
    assert not any("found problems" in t for t in manager.texts())
    await archivist.send("/archives")
    await archivist.tap("Record a check: problems found")
    await archivist.send("CON-2024-01 is not in cabinet 1.")
    assert manager.last_text == ("The archive's check found problems (Archivist): CON-2024-01 "
                                 "is not in cabinet 1.")


async def test_reading_on_site_stays_in_the_room_while_borrowing_has_a_due_time(desk):
    clerk, tech, boss = await staff(desk)
    archivist, manager = await archive_room(desk)
    await tech.send("/archive DRW-A-07 read trace the riser")
    assert tech.last_text == ("Asked to read it in the archive room: a manager decides, then "
                              "the archivist hands it to you there.")
    assert "(to read in the archive room)" in manager.last_text
    await tech.send("/archive CON-2024-01 check the lift contract")
    assert "(to borrow)" in manager.last_text
    await manager.tap_data("ar:ok:1")
    await manager.tap_data("ar:ok:2")
    await archivist.tap("Handed over to read here")
    assert archivist.last_text.startswith("Handed over to read in the archive room: it does "
                                          "not leave the room.")
    await archivist.tap("Handed out")
    assert archivist.last_text.startswith("Handed out; due back")
    assert await desk.query("SELECT on_site, due_at IS NULL FROM archive_loans ORDER BY id") \
        == [(1, 1), (0, 0)]
    await desk.run_until(desk.clock.now + timedelta(days=3, minutes=1))
    late = [t for t in archivist.texts() if t.startswith("Not back in the archive")]
    assert len(late) == 1 and "CON-2024-01" in late[0]  # the reading is not "late"
    await archivist.send("/archives")
    assert any("DRW-A-07" in t and "(to read in the archive room)" in t
               for t in archivist.texts()[-3:])


async def test_an_old_archive_button_speaks_of_no_repair_ticket_in_chinese(desk):
    """The stale button's answer fits a drawing's loan, a key's or a renovation as well as a
    repair: no 工單 where there is none."""
    clerk, tech, boss = await staff(desk, "zh-TW")
    archivist, manager = await archive_room(desk, "zh-TW")
    await tech.send("/archive drw-a-07 查 A 12F-3 後方的立管")
    assert manager.last_text.startswith("檔案借閱申請：DRW-A-07 Block A water risers（圖紙")
    await archivist.tap_data("ar:out:1")  # not approved yet
    assert alert(desk) == "這個按鈕已經過期：狀態已有變化，沒有任何資料被更改。"
