"""The quarter's settlement with a responsible unit (季度結算匯總): its own jobs and those
taken over and charged back, in writing (PDF and XLSX), delivered to the unit's people on the
first day of the next quarter, who acknowledge receipt (送達); the managers get a copy, and
last month's report on the 1st."""

from datetime import date, datetime, timedelta

from openpyxl import load_workbook

from handlers.i18n import Tr
from handlers.office import pdfs, spreadsheets
from tests import printed
from tests.stories import complete, report_leak, resident_of_a12, staff
from tests.test_measurement import storeroom
from tests.test_roster_cli import cli, count
from tests.test_units_in_chat import aqua_works, send_to_aqua
from workflow import admin, roles
from workflow.office import settlement


async def a_quarter_with_aqua(desk, confirmed: bool = True):
    """Aqua Works repairs one leak itself; it never takes the second, which our own
    technician does instead; the desk confirms both jobs' figures (計量確認)."""
    clerk, tech, boss = await staff(desk, "zh-TW")
    await storeroom(desk)
    lee, wong = await aqua_works(desk, "zh-TW")
    manager = desk.person(9004, "Manager", "zh-TW")
    code = await admin.invite(desk.db, roles.MANAGER, "經理", desk.clock())
    await manager.join(code)
    resident = await resident_of_a12(desk, "zh-TW")
    await report_leak(resident, "廚房水槽漏水。")
    await report_leak(resident, "浴室水龍頭漏水。")
    await send_to_aqua(clerk, 1)
    await lee.tap_starting("u:ok:1:")
    await lee.tap_starting("w:done:1:")
    await lee.send_photo("after-1")
    await lee.tap_data("w:pd")
    await lee.send("更換存水彎。")
    await lee.send("1")
    await lee.send("S05 1 x 220")  # the unit's own trap (not the estate's stock), priced
    await lee.tap_data("w:mf")
    await send_to_aqua(clerk, 2)
    await desk.run_until(desk.clock.now + timedelta(hours=5))  # not taken in 4 hours
    await clerk.tap_starting("d:own:2:")
    await clerk.tap_starting("d:po:2:9002:")
    await clerk.tap_starting("d:dl:2:o9002:2:")
    await complete(tech, 2, note="更換水龍頭墊片。")
    if confirmed:
        await clerk.tap_data("me:ok:1")
        await clerk.tap_data("me:ok:2")
    return clerk, tech, boss, manager, lee, wong


async def test_the_settlement_lists_the_units_jobs_and_the_charge_backs(desk, tmp_path):
    await a_quarter_with_aqua(desk)
    data = await settlement.of_unit(desk.db, desk.settings, "aqua", "2026-Q4")
    assert [(j.ref, j.kind, j.cost) for j in data.jobs] == [
        ("R-2026-00001", "charged", 670.0), ("R-2026-00002", "taken_over", 450.0)]
    assert (data.met, data.missed, data.total("charged")) == (1, 1, 670.0)
    path = tmp_path / "settlement.pdf"
    pdfs.settlement_pdf(Tr("zh_Hant", desk.settings.tz), desk.settings, data, path)
    text = printed.text(path)
    for words in ("季度結算匯總 2026-Q4：Aqua Works", "R-2026-00001", "給排水",
                  "本處人員接手", "簽名及日期"):
        assert words in text, words
    sheet = tmp_path / "settlement.xlsx"
    spreadsheets.settlement_xlsx(Tr("zh_Hans", desk.settings.tz), desk.settings, data, sheet)
    rows = list(load_workbook(sheet).active.iter_rows(values_only=True))
    assert rows[1][0] == "R-2026-00001" and rows[1][2] == "给排水"


async def test_the_first_day_of_the_quarter_delivers_it_and_the_unit_acknowledges(desk):
    clerk, tech, boss, manager, lee, wong = await a_quarter_with_aqua(desk)
    await desk.start_schedule()
    await desk.run_until(datetime(2026, 12, 1, 1, 0, tzinfo=desk.clock.now.tzinfo))
    monthly = [c for c in manager.calls() if c.method == "sendDocument"]
    assert [c.files["document"][0] for c in monthly] == ["monthly-report-2026-11.xlsx"]
    await desk.run_until(datetime(2027, 1, 1, 1, 0, tzinfo=desk.clock.now.tzinfo))
    for person in (lee, wong, manager):
        names = [c.files["document"][0] for c in person.calls() if c.method == "sendDocument"]
        assert "settlement-2026-Q4-aqua.pdf" in names and "settlement-2026-Q4-aqua.xlsx" in \
            names, person.first_name
    pdf = next(c for c in lee.calls() if c.method == "sendDocument" and
               c.files["document"][0].endswith(".pdf"))
    assert "Aqua Works" in printed.text(pdf.files["document"][1])
    assert [b["text"] for b in pdf.buttons()] == ["已收到"]
    assert not any(c.buttons() for c in manager.calls() if c.method == "sendDocument")
    await lee.tap("已收到")
    assert lee.last_text == "已登錄收件，謝謝。"
    await wong.tap("已收到")
    assert wong.last_text == "已經登錄過收件了。"
    assert await desk.query("SELECT period, acknowledged_by FROM settlement_deliveries") == [
        ("2026-Q4", 7001)]
    await boss.tap_data("st:ack:1")  # only the unit's people acknowledge
    assert desk.api.calls[-1].params.get("show_alert")


def test_quarters_are_read_as_offices_write_them():
    assert settlement.quarter_days("2026-q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert settlement.quarter_days("2026-Q5") is None
    assert settlement.previous_quarter(date(2027, 1, 1)) == "2026-Q4"


def documents_sent(person) -> list:
    return [c for c in person.calls() if c.method == "sendDocument"]


async def test_managers_see_who_received_it_and_a_unit_without_the_chat_signs_on_paper(desk):
    clerk, tech, boss, manager, lee, wong = await a_quarter_with_aqua(desk)
    await admin.add_contractor(desk.db, "Sparky Electric", "02-1111-2222", ["electrical"],
                               timedelta(days=3), "sparky", timedelta(hours=4))  # nobody
    await desk.start_schedule()
    await desk.run_until(datetime(2027, 1, 1, 1, 0, tzinfo=desk.clock.now.tzinfo))
    copy = next(c for c in documents_sent(manager)
                if c.files["document"][0] == "settlement-2026-Q4-sparky.pdf")
    assert "Sparky Electric 沒有人在對話中：請列印此結算匯總，以書面送達" in copy.params["caption"]
    paper = next(c for c in documents_sent(clerk)
                 if c.files["document"][0] == "settlement-2026-Q4-sparky.pdf")
    assert [b["text"] for b in paper.buttons()] == ["登錄書面簽收"]
    assert not any(c.files["document"][0].endswith("aqua.pdf") for c in documents_sent(clerk))
    await lee.tap("已收到")

    await boss.send("/report")
    assert boss.labels()[3:7] == ["結算匯總：2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1"]
    await boss.tap("結算匯總：2026-Q4")
    sent = documents_sent(boss)
    assert [c.files["document"][0] for c in sent] == [
        "settlement-2026-Q4-aqua.pdf", "settlement-2026-Q4-aqua.xlsx",
        "settlement-2026-Q4-sparky.pdf", "settlement-2026-Q4-sparky.xlsx"]
    assert sent[0].params["caption"].startswith("季度結算匯總 2026-Q4：Aqua Works\n"
                                                "Aqua Works：Aqua: Lee已收件 2027年1月1日")
    assert "Sparky Electric：" in boss.last_text and "須以書面送達，尚未登錄簽收" in boss.last_text
    assert boss.labels() == ["登錄書面簽收：Sparky Electric"]

    await lee.tap_data("st:paper:2")  # not the unit's to record
    assert desk.api.calls[-1].params.get("show_alert")
    await clerk.tap("登錄書面簽收")
    assert "Sparky Electric：請輸入書面上簽收人的姓名。" == clerk.last_text
    await clerk.send("陳技師")
    assert clerk.last_text == "Sparky Electric：結算匯總 2026-Q4 的書面簽收（簽收人：陳技師）已登錄。"
    await clerk.tap("登錄書面簽收")  # a second time: already received
    assert desk.api.calls[-1].method == "answerCallbackQuery"
    assert await desk.query("SELECT period, acknowledged_by, paper_signer, recorded_by FROM "
                            "settlement_deliveries ORDER BY id") == [
        ("2026-Q4", 7001, None, None), ("2026-Q4", None, "陳技師", 9001)]
    await boss.send("/report")
    await boss.tap("結算匯總：2026-Q4")
    assert "Sparky Electric：已書面簽收，簽收人陳技師，由 Desk clerk 登錄 2027年1月1日" in \
        boss.last_text
    await boss.send("/report")
    await boss.tap("2026-Q3")  # an earlier quarter, never delivered
    assert "Aqua Works：尚未送出" in boss.last_text
    await boss.tap_data("rp:s:2020-Q1")  # a quarter never offered
    assert desk.api.calls[-1].method == "answerCallbackQuery"


def test_the_command_line_delivers_only_the_unit_asked_for(tmp_path):
    for name, key in (("Aqua Works", "aqua"), ("Sparky Electric", "sparky")):
        assert cli(tmp_path, "contractor", "add", "--name", name, "--trades", "plumbing",
                   "--key", key).returncode == 0
    made = cli(tmp_path, "report", "settlement", "2026-Q4", "--contractor", "aqua",
               "--deliver", "--language", "en", "--out", str(tmp_path / "q4"))
    assert made.returncode == 0, made.stderr
    assert "Aqua Works: 0 jobs settled" in made.stdout
    assert "Delivery of 2026-Q4 queued for 1 unit;" in made.stdout
    assert count(tmp_path, "settlement_deliveries") == 1
    assert sorted(p.name for p in (tmp_path / "q4").iterdir()) == [
        "settlement-2026-Q4-aqua.pdf", "settlement-2026-Q4-aqua.xlsx"]


async def test_a_job_measured_after_the_quarter_is_settled_in_the_next_one(desk, tmp_path):
    """Aqua Works finishes a leak in December, but the desk confirms its figures only in
    January: Q4's settlement lists it as pending with why, Q1's settles it; the job our
    technician took over, measured in December, is settled in Q4 and not again in Q1."""
    await desk.run_until(datetime(2026, 12, 10, 2, 0, tzinfo=desk.clock.now.tzinfo))
    clerk, *_ = await a_quarter_with_aqua(desk, confirmed=False)
    await clerk.tap_data("me:ok:2")
    await desk.run_until(datetime(2027, 1, 6, 2, 0, tzinfo=desk.clock.now.tzinfo))
    await clerk.tap_data("me:ok:1")

    fourth = await settlement.of_unit(desk.db, desk.settings, "aqua", "2026-Q4")
    assert [(j.ref, j.kind) for j in fourth.jobs] == [("R-2026-00002", "taken_over")]
    assert [(j.ref, j.pending) for j in fourth.pending] == [
        ("R-2026-00001", settlement.UNCONFIRMED)]
    assert (fourth.total("charged"), fourth.total("taken_over")) == (0, 450)
    workbook = tmp_path / "q4.xlsx"
    spreadsheets.settlement_xlsx(Tr("zh_Hant", desk.settings.tz), desk.settings, fourth,
                                 workbook)
    waiting = list(load_workbook(workbook).worksheets[1].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[4]) for r in waiting] == [("R-2026-00001", "服務台尚未確認計量")]

    first = await settlement.of_unit(desk.db, desk.settings, "aqua", "2027-Q1")
    assert [(j.ref, j.kind, j.cost) for j in first.jobs] == [("R-2026-00001", "charged", 670)]
    assert (first.pending, first.total("charged"), first.total("taken_over")) == ([], 670, 0)
    second = await settlement.of_unit(desk.db, desk.settings, "aqua", "2027-Q2")
    assert (second.jobs, second.pending) == ([], [])
