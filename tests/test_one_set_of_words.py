"""One set of words, item by item: a public place in each reader's language, Taiwan's words,
the priority by the level the card shows, a complaint in a complaint's words, a name in the
order its owner writes it."""

from datetime import date, time, timedelta

from tests.conftest import ROSTER
from tests.harness import DeskHarness
from tests.stories import report_leak, resident_of_a12, staff
from tests.test_stats import the_month_of_november
from workflow import admin, roles, stats
from workflow.settings import EstateSettings

NEIGHBOURS = """building,unit,name,phone
A,2F-1,王小明,0933 000 002
"""


async def public_report(resident, place: int = 1) -> None:
    """Picks the place by its button (1: the building's lift A)."""
    await resident.send("/repair")
    await resident.tap_data("r:c:public_areas")
    await resident.tap_data("r:g:normal")
    await resident.tap_data(f"r:p:{place}")


async def test_a_public_place_is_shown_in_each_readers_language(desk):
    clerk = desk.person(9001, "客服", "zh-TW")
    boss = desk.person(9003, "Boss", "en")
    await desk.hire(clerk, roles.CLERK, "客服小姐")
    await desk.hire(boss, roles.SUPERVISOR, "Supervisor")
    reporter = await resident_of_a12(desk, "zh-CN")  # reports in Simplified Chinese
    await public_report(reporter)
    reporter.button("A号电梯")  # offered in their words
    await reporter.send("电梯停了。")
    await reporter.tap_data("r:pd")
    await reporter.tap_data("r:ok")
    assert await desk.query("SELECT place FROM ticket_places") == [("lift_a",)]

    new_report = next(t for t in clerk.texts() if t.startswith("新報修"))
    assert "位置：A梯電梯" in new_report and "电梯" not in new_report.replace("电梯停了", "")
    await boss.tap_data("d:v:1")
    assert "Where: Lift A" in boss.last_text and "号" not in boss.last_text

    await desk.import_roster(NEIGHBOURS)
    neighbour = desk.person(5002, "小明", "zh-TW")
    await neighbour.send("/start")
    await neighbour.share_contact("0933 000 002")
    await public_report(neighbour)
    assert neighbour.last_text.startswith("A梯電梯已有報修：")  # no space between Chinese
    await public_report(neighbour, place=9)
    neighbour.button("垃圾集中室")  # Taiwan's word for the refuse room
    assert not any(b["text"] == "垃圾房" for c in neighbour.calls() for b in c.buttons())


async def test_the_evening_digest_greets_without_saying_good_night(desk):
    desk.settings = desk.settings.__class__(digest_time=time(19, 0))
    await desk.restart()
    boss = desk.person(9003, "主任", "zh-TW")
    await desk.hire(boss, roles.SUPERVISOR, "王主任")
    await desk.start_schedule()
    await desk.run_until(desk.clock.now + timedelta(hours=10))
    digest = next(t for t in boss.texts() if "今日客服概況" in t)
    assert digest.startswith("晚上好。今日客服概況") and "晚安" not in digest


async def test_a_priority_raised_by_the_count_names_the_level_the_card_shows(tmp_path):
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(affected_urgent=2))
    await desk.start()
    try:
        await desk.import_roster(ROSTER + NEIGHBOURS.split("\n", 1)[1])
        clerk = desk.person(9001, "客服", "zh-TW")
        await desk.hire(clerk, roles.CLERK, "客服小姐")
        first = await resident_of_a12(desk, "zh-TW")
        await public_report(first)
        await first.send("電梯停了。")
        await first.tap_data("r:pd")
        await first.tap_data("r:ok")
        second = desk.person(5002, "小明", "zh-TW")
        await second.send("/start")
        await second.share_contact("0933 000 002")
        await public_report(second)
        await second.tap_data("r:sm:1")
        told = next(t for t in clerk.texts() if "戶報修此故障" in t)
        assert "緊急程度已調為急件" in told and "緊急。" not in told
        assert "緊急程度：急件" in told  # the card's own word for it
        await clerk.tap_data("t:v:1")
        assert "一般 → 急件，2 戶受影響" in clerk.last_text
        assert "normal" not in clerk.last_text and "urgent" not in clerk.last_text
    finally:
        await desk.stop()


async def complain(resident) -> None:
    await resident.send("/complain")
    await resident.tap_data("k:c:cleanliness")
    await resident.send("大廳地上都是垃圾。")
    await resident.tap_data("k:pd")
    await resident.tap_data("k:cb:0")
    await resident.tap_starting("k:ok")


async def test_a_complaint_is_never_told_in_a_repairs_words(desk):
    clerk = desk.person(9001, "客服", "zh-TW")
    boss = desk.person(9003, "主任", "zh-TW")
    await desk.hire(clerk, roles.CLERK, "客服小姐")
    await desk.hire(boss, roles.SUPERVISOR, "王主任")
    await desk.start_schedule()
    resident = await resident_of_a12(desk, "zh-TW")
    await complain(resident)
    await desk.run_until(desk.clock.now + timedelta(hours=1))  # not acknowledged in time
    late = next(t for t in boss.texts() if t.startswith("逾時：投訴 C-2026-00001"))
    assert "目前由客服中心（尚未轉交部門）處理" in late and "派工" not in late
    await boss.send("/overdue")
    assert "負責：客服中心（尚未轉交部門）" in boss.last_text
    assert "尚未派工" not in boss.last_text
    await desk.run_until(desk.clock.now + timedelta(hours=22))  # the digest, at 08:30
    digest = next(t for t in boss.texts() if "今日客服概況" in t)
    assert "· C-2026-00001 A 12F-3，投訴於 2026年11月26日 10:00" in digest
    assert "報修於" not in digest


async def test_stats_count_a_complaint_by_a_complaints_status(desk):
    clerk, tech, boss = await staff(desk)
    await the_month_of_november(desk)
    figures = await stats.compute(desk.db, desk.settings, 9003, date(2026, 11, 1))
    assert figures.by_kind_status == {("R", "closed"): 2, ("R", "assigned"): 1,
                                      ("R", "new"): 1, ("C", "closed"): 1}
    await boss.send("/stats 2026-11")
    by_status = next(line for line in boss.last_text.split("\n") if line.startswith("By status"))
    assert by_status.startswith("By status: Closed 2, ")
    assert by_status.endswith(", and Closed (complaint) 1")  # not a repair's 'Closed 3'
    zh = desk.person(9008, "主任", "zh-TW")
    await desk.hire(zh, roles.SUPERVISOR, "王主任")
    await zh.send("/stats 2026-11")
    assert "已結案（投訴） 1" in zh.last_text


async def test_a_chinese_name_is_written_family_name_first(desk):
    clerk, _, _ = await staff(desk)
    newcomer = desk.person(5005, "大文", "zh-TW", last_name="陳")
    await newcomer.send("/start")
    await newcomer.share_contact("+886 955 000 111")
    await newcomer.send("A 12F-3")
    assert "陳大文, phone +886 955 000 111, says they live in A 12F-3" in clerk.last_text
    assert await desk.query("SELECT name FROM people WHERE user_id = 5005") == [("陳大文",)]
    english = desk.person(5006, "May", "en", last_name="Chen")
    await english.send("/start")
    await english.share_contact("+886 955 000 222")
    assert await desk.query("SELECT name FROM people WHERE user_id = 5006") == [("May Chen",)]


async def test_staff_who_live_here_are_named_as_residents_on_their_own_repair(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    code = await admin.invite(desk.db, roles.CLERK, "Front desk", desk.clock())
    await resident.join(code)
    await report_leak(resident)
    card = next(t for t in clerk.texts() if t.startswith("New repair report"))
    assert "Resident: 陳美玲 +886 912 345 678" in card and "Front desk" not in card

