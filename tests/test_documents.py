"""The office's documents, read back as an office would open them: the monthly repair report
(維修月報) with its charts, the repair ledger (維修台帳) and the hot spots, in Chinese."""

from datetime import date

from openpyxl import load_workbook

from handlers.i18n import Tr
from handlers.office import spreadsheets
from storage.db import from_db_time
from tests import printed
from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff
from tests.test_measurement import storeroom
from tests.test_roster_cli import cli
from workflow import admin, roles
from workflow.office import reports


async def a_month_of_work(desk):
    """Three leaks in A 12F-3 in November: one repaired with materials and confirmed."""
    clerk, tech, boss = await staff(desk, "zh-TW")
    await storeroom(desk)
    resident = await resident_of_a12(desk, "zh-TW")
    await report_leak(resident, "廚房水槽漏水。")
    await report_leak(resident, "浴室天花板滲水。")
    await report_leak(resident, "陽台排水孔堵塞。")
    await assign_to_tech(clerk)
    await tech.tap_starting("w:done:1:")
    await tech.send_photo("after-1")
    await tech.tap_data("w:pd")
    await tech.send("更換存水彎。")
    await tech.send("2")
    await tech.send("S05 1")
    await tech.tap_data("w:mf")
    await resident.tap_starting("s:ok:1")
    return clerk, tech, boss, resident


def cells(path, sheet=None):
    book = load_workbook(path, read_only=True)
    found = book[sheet] if sheet else book.active
    return [[c for c in row] for row in found.iter_rows(values_only=True)]


async def test_the_monthly_report_in_chinese_with_its_charts(desk, tmp_path):
    await a_month_of_work(desk)
    data = await reports.monthly(desk.db, desk.settings, date(2026, 11, 1))
    assert (data.completed, data.open_at_end, data.by_building) == (1, 2, {"A": 3})
    assert data.cost_by_payer == {"estate": 1120.0}  # 2 h at 450, and a sink trap at 220
    path = tmp_path / "monthly.xlsx"
    spreadsheets.monthly_xlsx(Tr("zh_Hant", desk.settings.tz), desk.settings, data, path)
    book = load_workbook(path)
    assert book.sheetnames[:3] == ["摘要", "依類別", "依樓棟"]
    summary = {row[0]: row[1] for row in book["摘要"].iter_rows(values_only=True) if row[0]}
    assert summary["報修件數"] == 3 and summary["月底仍未完成的報修"] == 2
    assert book["依類別"]["A2"].value == "給排水" and book["依類別"]["B2"].value == 3
    with open(path, "rb") as f:
        assert b"xl/charts/chart1.xml" in f.read()  # Excel's own chart, drawn by Excel
    movements = cells(path, "庫存異動")
    assert ["S05", "Sink trap", -1, "領用", "R-2026-00001"] in [
        [m[0], m[1], m[3], m[4], m[5]] for m in movements]
    assert ["S05", "Sink trap", 3, "入庫", None, "期初庫存"] in [
        [m[0], m[1], m[3], m[4], m[5], m[6]] for m in movements]  # the opening stock, in Chinese


async def test_the_ledger_has_a_row_per_job_with_every_field(desk, tmp_path):
    await a_month_of_work(desk)
    path = tmp_path / "ledger.xlsx"
    writer = spreadsheets.LedgerWriter(Tr("zh_Hant", desk.settings.tz), desk.settings, path)
    count = await reports.each_ledger_row(desk.db, desk.settings, date(2026, 11, 1),
                                          date(2026, 11, 30), writer)
    writer.close()
    rows = cells(path)
    assert count == 3 and len(rows) == 4
    head, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert head[:3] == ["單號", "報修時間", "受理方式"]
    assert first["單號"] == "R-2026-00001" and first["問題"] == "廚房水槽漏水。"
    assert first["類別"] == "給排水" and first["維修人員"] == "Ah Wai"
    assert (first["人工時數"], first["人工費"], first["材料費"], first["費用"]) == (
        2, 900, 220, 1120)
    assert first["費用負擔"] == "管理處" and "業主" in first["簽認"]
    book = load_workbook(path)
    sheet = book.active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert sheet.column_dimensions["I"].width >= 40  # the problem's text fits


async def test_hot_spots_show_where_and_what_repeats(desk, tmp_path):
    await a_month_of_work(desk)
    data = await reports.hot_spots(desk.db, desk.settings, 6, desk.clock())
    assert data.places[0] == ("A", "12F", "plumbing", 3)
    assert data.repeats == [("A", "12F-3", "plumbing", 3)]
    path = tmp_path / "hot.xlsx"
    spreadsheets.hot_spots_xlsx(Tr("zh_Hans", desk.settings.tz), desk.settings, data, path)
    assert cells(path, "重复维修")[1] == ["A", "12F-3", "给排水", 3]


def test_the_office_makes_its_documents_from_the_command_line(tmp_path):
    made = cli(tmp_path, "report", "monthly", "2026-11", "--out", str(tmp_path / "m.xlsx"))
    assert made.returncode == 0 and (tmp_path / "m.xlsx").exists(), made.stderr
    ledger = cli(tmp_path, "report", "ledger", "--from", "2026-11-01", "--to", "2026-11-30",
                 "--language", "en", "--out", str(tmp_path / "l.xlsx"))
    assert "0 jobs" in ledger.stdout, ledger.stderr
    assert cells(tmp_path / "l.xlsx")[0][:2] == ["Reference", "Reported at"]
    wrong = cli(tmp_path, "report", "ledger", "--from", "2026-12-01", "--to", "2026-11-01")
    assert wrong.returncode == 1 and "--from not after --to" in wrong.stderr
    assert cli(tmp_path, "report", "monthly", "Nov").returncode == 1
    hot = cli(tmp_path, "report", "hotspots", "--months", "3", "--out", str(tmp_path / "h.xlsx"))
    assert hot.returncode == 0, hot.stderr


async def test_a_supervisor_gets_the_documents_in_the_chat(desk, tmp_path):
    clerk, tech, boss, resident = await a_month_of_work(desk)
    await boss.send("/report")
    assert boss.last_text == ("需要哪一份文件？結算匯總及收支明細表附可列印的 PDF 檔案及 "
                              "Excel 檔案，其餘為 Excel 檔案。")
    assert boss.labels() == ["維修月報：2026年11月", "維修月報：2026年10月",
                             "維修台帳：2026年11月至今", "結算匯總：2026-Q3",
                             "2026-Q2", "2026-Q1", "2025-Q4",  # earlier quarters too
                             "收支明細表：2026年11月", "收支明細表：2026年10月",
                             "熱點問題：最近 6 個月", "關閉"]
    await boss.tap("維修月報：2026年11月")
    sent = [c for c in boss.calls() if c.method == "sendDocument"]
    name, content = sent[-1].files["document"]
    assert name == "monthly-report-2026-11.xlsx"
    assert any(t.startswith("2026年11月") for t in boss.texts())  # the figures, as text
    chart = [c for c in boss.calls() if c.method == "sendPhoto"][-1]
    assert next(iter(chart.files.values()))[1].startswith(b"\x89PNG")
    (tmp_path / name).write_bytes(content)
    assert load_workbook(tmp_path / name).sheetnames[0] == "摘要"
    await boss.tap_data("rp:l:2026-11")
    ledger = [c for c in boss.calls() if c.method == "sendDocument"][-1]
    assert ledger.params["caption"] == "維修台帳，2026年11月：3 件工作"
    await boss.tap_data("rp:m:2020-01")  # a month never offered
    assert desk.api.calls[-1].method == "answerCallbackQuery"
    await clerk.send("/report")
    assert clerk.last_text == "抱歉，您沒有權限進行這個操作。"
    engineer = desk.person(8001, "監理", "zh-TW")
    code = await admin.invite(desk.db, roles.SUPERVISING_ENGINEER, "監理", desk.clock())
    await engineer.join(code)
    await engineer.send("/report")
    assert engineer.labels() == ["熱點問題：最近 6 個月", "關閉"]
    await engineer.tap_data("rp:l:2026-11")  # the ledger is not theirs
    assert desk.api.calls[-1].params.get("show_alert")
    await engineer.tap("熱點問題：最近 6 個月")
    assert [c for c in engineer.calls() if c.method == "sendDocument"]


async def test_the_repair_form_as_pdf_with_its_photos_and_signatures(desk, tmp_path):
    clerk, tech, boss, resident = await a_month_of_work(desk)
    await clerk.tap_data("d:v:1")
    await clerk.tap("維修單（PDF）")
    sent = [c for c in clerk.calls() if c.method == "sendDocument"][-1]
    name, content = sent.files["document"]
    assert name == "repair-form-R-2026-00001.pdf"
    (tmp_path / name).write_bytes(content)
    text = printed.text(tmp_path / name)
    for words in ("維修單 R-2026-00001", "廚房水槽漏水。", "更換存水彎。", "Sink trap",
                  "業主", "維修部門（主管）", "簽名及日期"):
        assert words in text, words
    assert printed.images(tmp_path / name) == 1  # the after-photo
    assert [c.params["file_id"] for c in desk.api.calls if c.method == "getFile"] == ["after-1"]
    made = cli(tmp_path, "report", "form", "R-2099-00001")
    assert made.returncode == 1 and "no ticket R-2099-00001" in made.stderr


async def test_every_character_of_the_chart_has_a_glyph_of_the_readers_script(desk):
    """No label of the chart is drawn as boxes, in either Chinese, and each is drawn in its
    own script's face (not a Japanese one)."""
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font

    from handlers.office import charts
    await a_month_of_work(desk)
    data = await reports.monthly(desk.db, desk.settings, date(2026, 11, 1))
    for language, family in (("zh_Hant", "Noto Sans TC"), ("zh_Hans", "Noto Sans SC")):
        families = charts.font_families(language)
        font = FT2Font(findfont(FontProperties(family=families[0]), fallback_to_default=False))
        assert font.family_name == family
        title, names, counts = charts.chart_labels(Tr(language, desk.settings.tz),
                                                   desk.settings, data.figures)
        text = title + "".join(names)
        assert "給排水" in text or "给排水" in text
        missing = [c for c in text if not c.isspace() and font.get_char_index(ord(c)) == 0]
        assert missing == [], language


def test_the_chart_counts_reports_in_whole_numbers():
    """Two reports in one category and one in another: the axis reads 0, 1, 2, never 1.25."""
    from handlers.office import charts
    for counts in ([2, 1], [1], [0], [37, 2]):
        figure = charts.figure_of("zh_Hant", "各類別報修件數", ["給排水", "電力"][:len(counts)],
                                  counts)
        ticks = figure.axes[0].get_yticks()
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), (counts, ticks)


async def test_every_chart_of_the_workbooks_counts_whole_reports(desk, tmp_path):
    """The supervisor opens November's report (three leaks in one building) and the hot spots:
    each of Excel's charts with an axis marks 0, 1, 2, 3 reports, never 0.5."""
    import re
    import zipfile
    await a_month_of_work(desk)
    tr = Tr("zh_Hant", desk.settings.tz)
    data = await reports.monthly(desk.db, desk.settings, date(2026, 11, 1))
    spreadsheets.monthly_xlsx(tr, desk.settings, data, tmp_path / "monthly.xlsx")
    spreadsheets.hot_spots_xlsx(tr, desk.settings, await reports.hot_spots(
        desk.db, desk.settings, 6, desk.clock()), tmp_path / "hot.xlsx")
    axes = []
    for name in ("monthly.xlsx", "hot.xlsx"):
        with zipfile.ZipFile(tmp_path / name) as book:
            for chart in (n for n in book.namelist() if n.startswith("xl/charts/chart")):
                xml = book.read(chart).decode()
                if "<c:valAx>" in xml:  # the pie has no axis
                    axes.append((name, chart, re.findall(r'<c:majorUnit val="([^"]+)"', xml),
                                 re.findall(r'<c:min val="([^"]+)"', xml)))
    assert len(axes) == 3, axes  # by category, by building, the trend
    for name, chart, steps, least in axes:
        assert steps == ["1"] and least == ["0"], (name, chart, steps, least)


def test_a_count_axis_steps_in_whole_reports_at_any_size():
    from handlers.office import charts
    assert [charts.whole_step(top) for top in (0, 3, 8, 9, 40, 41, 400, 5000)] == [
        1, 1, 1, 2, 5, 10, 50, 1000]
    assert charts.count_axis([2, 1]) == {"min": 0, "major_unit": 1, "num_format": "0"}


async def ledger_in_chat(boss, tmp_path):
    """The ledger of November so far, as the reader gets it in the chat, read back."""
    await boss.send("/report")
    await boss.tap_data("rp:l:2026-11")
    name, content = [c for c in boss.calls() if c.method == "sendDocument"][-1].files["document"]
    (tmp_path / name).write_bytes(content)
    rows = cells(tmp_path / name)
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


async def test_the_ledger_files_the_phone_the_appointment_the_work_and_the_close(desk, tmp_path):
    """Seed 4.2: the office's ledger holds the resident's phone and the preferred visit, and
    on completion what was done, with what, and when it was closed (the estate's time)."""
    clerk, tech, boss, resident = await a_month_of_work(desk)
    head, rows = await ledger_in_chat(boss, tmp_path)
    assert head[5:7] == ["住戶", "住戶電話"] and head[9:11] == ["問題", "約定上門時間"]
    done, waiting = rows[0], rows[1]
    assert done["住戶電話"] == "+886 912 345 678"
    assert done["約定上門時間"] == "2026-11-27 上午（9-12 時）"
    assert done["維修內容"] == "更換存水彎。" and done["使用材料"] == "Sink trap × 1 pc"
    closed = await desk.query("SELECT closed_at FROM tickets WHERE ref = 'R-2026-00001'")
    assert done["結案時間"] == from_db_time(closed[0][0]).astimezone(
        desk.settings.tz).replace(tzinfo=None)
    assert (done["材料費"], done["費用"]) == (220, 1120)  # the money columns stay money
    assert waiting["結案時間"] is None and waiting["維修內容"] is None
    assert waiting["使用材料"] is None and waiting["住戶電話"] == "+886 912 345 678"


async def test_a_reader_who_may_not_see_phones_gets_a_ledger_without_them(desk, tmp_path,
                                                                          monkeypatch):
    """The privacy rules narrow PHONE_READERS, and nothing else: the supervisor's ledger then
    has no phone column and no phone anywhere."""
    from workflow import access
    clerk, tech, boss, resident = await a_month_of_work(desk)
    monkeypatch.setattr(access, "PHONE_READERS", (roles.MANAGER,))
    head, rows = await ledger_in_chat(boss, tmp_path)
    assert "住戶電話" not in head and len(rows) == 3
    assert not any("912" in str(v) for row in rows for v in row.values())
    assert rows[0]["維修內容"] == "更換存水彎。"  # the rest is all there


async def test_the_supervisors_figures_list_things_as_chinese_does(desk):
    """Lists in the figures read 「甲、乙及丙」: 及 before the last, never 「2和已結案 1」."""
    clerk, tech, boss, resident = await a_month_of_work(desk)
    await boss.send("/stats 2026-11")
    assert "按狀態：已受理，等待派工 2 及已結案 1" in boss.last_text
    assert "和" not in boss.last_text


async def test_the_monthly_report_counts_repairs_assigned_in_time_and_late(desk):
    """Counted by the month's groups: one repair assigned at once, one three days on."""
    clerk, _, _ = await staff(desk, "zh-TW")
    resident = await resident_of_a12(desk, "zh-TW")
    for words in ("廚房水槽漏水。", "浴室天花板滲水。", "陽台排水孔堵塞。"):
        await report_leak(resident, words)
    await assign_to_tech(clerk, 1)
    desk.clock.advance(days=3)
    await assign_to_tech(clerk, 2)
    data = await reports.monthly(desk.db, desk.settings, date(2026, 11, 1))
    assert (data.assigned, data.assigned_in_time, data.completed) == (2, 1, 0)
