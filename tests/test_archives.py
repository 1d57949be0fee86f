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
        await person.send(f"/start {code}")
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
    bad = tmp_path / "bad.csv"
    bad.write_text("code,title,kind,location,confidentiality\nX,Y,poster,Z,secret\n")
    refused = cli(tmp_path, "archive", "import", str(bad))
    assert refused.returncode == 1 and "kind must be one of" in refused.stderr
