"""The office's books agree: one job's measured cost and payer (workflow/office/costs.py) in
the monthly report, the ledger, the quarter's settlement, the income statement, /stats and
the repair form, read back from the files people open. A November with a unit's jobs (one
confirmed, one reopened as not fixed and never redone, one not yet measured), a job taken
over from the unit and corrected by the desk, an estate job corrected by the desk, and an
owner-paid job charged its accepted quotation."""

from datetime import date, timedelta

from openpyxl import load_workbook

from handlers import labels
from handlers.i18n import Tr
from handlers.office import documents, pdfs, spreadsheets
from handlers.repairs import signoffs
from tests import printed
from tests.stories import assign_to_tech, complete, report_leak
from tests.test_settlement import a_quarter_with_aqua
from tests.test_units_in_chat import send_to_aqua
from workflow import views
from workflow.office import reports, settlement

NOVEMBER = date(2026, 11, 1)


async def lee_repairs(lee, ticket_id: int, materials: str | None) -> None:
    await lee.tap_starting(f"u:ok:{ticket_id}:")
    await lee.tap_starting(f"w:done:{ticket_id}:")
    await lee.send_photo(f"after-{ticket_id}")
    await lee.tap_data("w:pd")
    await lee.send("更換存水彎。")
    await lee.send("1")
    if materials:
        await lee.send(materials)
    await lee.tap_data("w:mf")


async def a_november_of_books(desk):
    """Six jobs of A 12F-3, reported and done in November 2026:
    1 Aqua Works' own, 670 (1 h at 450, a sink trap at 220), confirmed;
    2 taken over from Aqua after its deadline, 450 as recorded, corrected to 1,000 (2 h, 100);
    3 Aqua's, 670, reopened by the owner as not fixed and never redone;
    4 Aqua's, 450, its measurement not yet confirmed;
    5 the estate's, 450 as recorded, corrected to 500 (1 h, 50), closed by the owner;
    6 the owner's, quoted 850 and accepted, recorded 1,120 (2 h and a sink trap)."""
    clerk, tech, boss, manager, lee, wong = await a_quarter_with_aqua(desk, confirmed=False)
    resident = desk.person(5001, "May", "zh-TW")
    await clerk.tap_data("me:ok:1")
    await clerk.tap_data("me:fix:2")
    await clerk.send("2 100 多跑一趟")
    for problem in ("洗手台漏水。", "馬桶水箱漏水。", "浴缸排水慢。", "熱水器接頭漏水。"):
        await report_leak(resident, problem)
    await send_to_aqua(clerk, 3)
    await lee_repairs(lee, 3, "S05 1 x 220")  # the unit's own trap, priced
    await resident.tap_data("s:no:3")
    await resident.send("還是會漏。")
    await send_to_aqua(clerk, 4)
    await lee_repairs(lee, 4, None)
    await assign_to_tech(clerk, 5)
    await complete(tech, 5, note="鎖緊接頭。")
    await clerk.tap_data("me:fix:5")
    await clerk.send("1 50 加買止洩帶")
    await resident.tap_data("s:ok:5")
    await clerk.tap_starting("pa:l:6:")
    await clerk.tap_starting("pa:q:6:")
    await clerk.send("850元 更換熱水器接頭")
    await resident.tap("接受報價")
    await assign_to_tech(clerk, 6)
    await tech.tap_starting("w:done:6:")
    await tech.send_photo("after-6")
    await tech.tap_data("w:pd")
    await tech.send("更換接頭。")
    await tech.send("2")
    await tech.send("S05 1")
    await tech.tap_data("w:mf")
    assert await desk.query("SELECT id, status FROM tickets ORDER BY id") == [
        (1, "completed"), (2, "completed"), (3, "reopened"), (4, "completed"), (5, "closed"),
        (6, "completed")]
    return clerk, tech, boss, manager, lee, wong, resident


def sheet_rows(content: bytes | str, tmp_path, name: str, sheet: str | None = None) -> list:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    book = load_workbook(path, read_only=True)
    return [list(row) for row in (book[sheet] if sheet else book.active).iter_rows(
        values_only=True)]


async def test_every_document_takes_the_same_figures(desk, tmp_path):
    clerk, tech, boss, manager, lee, wong, resident = await a_november_of_books(desk)
    tr = Tr("zh_Hant", desk.settings.tz)
    payer = {p: labels.of(tr, labels.PAYERS, p) for p in ("unit", "estate", "owner")}
    expected = {"unit": 670 + 1000 + 450, "estate": 500, "owner": 850}  # job 3 is not done

    # the monthly report (維修月報), as the supervisor gets it in the chat
    await boss.send("/report")
    await boss.tap("維修月報：2026年11月")
    sent = [c for c in boss.calls() if c.method == "sendDocument"][-1]
    content = sent.files["document"][1]
    by_payer = {r[0]: r[1] for r in sheet_rows(content, tmp_path, "monthly.xlsx",
                                               tr("Cost by payer"))[1:]}
    assert by_payer == {payer[p]: v for p, v in expected.items()}
    summary = {r[0]: r[1] for r in sheet_rows(content, tmp_path, "monthly.xlsx", "摘要")}
    assert summary["月底仍未完成的報修"] == 1  # R-2026-00003, reopened and still open

    # /stats: the same figures, as text
    await boss.send("/stats 2026-11")
    line = next(t for t in boss.last_text.split("\n") if t.startswith("本月完成維修的費用"))
    for words in ("施工責任單位 2,120", "管理處 500", "業主 850"):
        assert words in line, line

    # the ledger (維修台帳): each job's row, summed by payer over the jobs done
    await boss.tap_data("rp:l:2026-11")
    ledger = sheet_rows([c for c in boss.calls() if c.method == "sendDocument"][-1]
                        .files["document"][1], tmp_path, "ledger.xlsx")
    rows = [dict(zip(ledger[0], row, strict=True)) for row in ledger[1:]]
    done = {labels.of(tr, labels.STATUSES, s) for s in ("completed", "closed")}
    sums: dict[str, float] = {}
    for row in rows:
        if row["狀態"] in done:
            sums[row["費用負擔"]] = sums.get(row["費用負擔"], 0) + row["費用"]
    assert sums == {payer[p]: v for p, v in expected.items()}
    second, sixth = rows[1], rows[5]
    assert (second["費用負擔"], second["費用"], second["材料費"]) == (payer["unit"], 1000, 100)
    assert (sixth["費用負擔"], sixth["費用"], sixth["人工費"], sixth["材料費"]) == (
        payer["owner"], 850, 900, 220)  # the quotation accepted, not the 1,120 recorded

    # the income statement (收支明細表): what the estate paid for repairs
    income = tmp_path / "income.xlsx"
    await documents.write_income(tr, desk.settings, desk.db, NOVEMBER, income)
    figures = {r[0]: r[1] for r in sheet_rows(income, tmp_path, "income.xlsx", "摘要")}
    assert figures[tr("Repairs paid by the estate")] == expected["estate"]

    # the quarter's settlement with Aqua Works: the unit's cost, settled or pending
    data = await settlement.of_unit(desk.db, desk.settings, "aqua", "2026-Q4")
    workbook = tmp_path / "settlement.xlsx"
    spreadsheets.settlement_xlsx(tr, desk.settings, data, workbook)
    settled = sheet_rows(workbook, tmp_path, "settlement.xlsx")
    assert [(r[0], r[7]) for r in settled[1:3]] == [("R-2026-00001", 670),
                                                    ("R-2026-00002", 1000)]
    totals = {r[6]: r[7] for r in settled[3:] if r[6]}
    assert totals == {"單位負責工作的費用": 670, "扣款": 1000}
    pending = sheet_rows(workbook, tmp_path, "settlement.xlsx", tr("Not settled"))
    assert [(r[0], r[4], r[5]) for r in pending[1:]] == [
        ("R-2026-00003", "住戶回報未修好，尚未重修", 670),
        ("R-2026-00004", "服務台尚未確認計量", 450)]
    unconfirmed = sum(r[5] for r in pending[1:] if r[4] == "服務台尚未確認計量")
    assert sum(totals.values()) + unconfirmed == expected["unit"]
    pdf = tmp_path / "settlement.pdf"
    pdfs.settlement_pdf(tr, desk.settings, data, pdf)
    text = "".join(printed.text(pdf).split())  # cells wrap their lines
    for words in ("單位負責工作的費用：670；扣款：1,000", "待處理：本季不結算",
                  "住戶回報未修好，尚未重修", "服務台尚未確認計量", "扣款原因", "單位逾期未完成"):
        assert words in text, words

    # the repair form (維修單): the quotation charged to the owner
    form = tmp_path / "form.pdf"
    pdfs.form_pdf(tr, desk.settings, await views.ticket_by_ref(desk.db, "R-2026-00006"), form)
    assert "依業主接受的報價向業主收費：850" in printed.text(form)


async def test_open_at_the_months_end_counts_a_job_reopened_and_not_redone(desk):
    await a_november_of_books(desk)
    data = await reports.monthly(desk.db, desk.settings, NOVEMBER)
    assert (data.open_at_end, data.cost_by_payer) == (1, {"unit": 2120, "estate": 500,
                                                          "owner": 850})
    assert data.cost_by_payer == data.figures.cost_by_payer  # /stats and the report, one sum


SETTLEMENT_WORDS = {
    "zh_Hant": ("扣款原因", "單位逾期未完成", "待處理：本季不結算", "住戶回報未修好，尚未重修",
                "服務台尚未確認計量"),
    "zh_Hans": ("扣款原因", "单位逾期未完成", "待处理：本季不结算", "住户反映未修好，尚未重修",
                "服务台尚未确认计量"),
    "en": ("Why charged back", "The unit missed its deadline",
           "Pending: not settled this quarter", "Reopened as not fixed and not redone",
           "Measurement not confirmed by the desk"),
}


async def test_the_settlement_says_what_is_pending_and_why_in_every_language(desk, tmp_path):
    """A charge-back says the unit missed its deadline, not "deadline met: yes" of our own
    technician; the jobs not settled are listed apart with why; the English workbook opens."""
    await a_november_of_books(desk)
    data = await settlement.of_unit(desk.db, desk.settings, "aqua", "2026-Q4")
    assert [(j.ref, j.kind, j.cost) for j in data.jobs] == [
        ("R-2026-00001", "charged", 670), ("R-2026-00002", "taken_over", 1000)]
    assert [(j.ref, j.pending) for j in data.pending] == [
        ("R-2026-00003", settlement.NOT_REDONE), ("R-2026-00004", settlement.UNCONFIRMED)]
    assert (data.met, data.missed) == (1, 1)
    for language, words in SETTLEMENT_WORDS.items():
        tr = Tr(language, desk.settings.tz)
        pdf, workbook = tmp_path / f"settlement-{language}.pdf", tmp_path / f"s-{language}.xlsx"
        pdfs.settlement_pdf(tr, desk.settings, data, pdf)
        text = "".join(printed.text(pdf).split())
        for word in words:
            assert "".join(word.split()) in text, (language, word)
        spreadsheets.settlement_xlsx(tr, desk.settings, data, workbook)
        book = load_workbook(workbook)
        charge_back = [c.value for c in book.worksheets[0][3]]
        assert charge_back[0] == "R-2026-00002" and charge_back[5] == words[1]
        assert [r[0].value for r in book.worksheets[1].iter_rows(min_row=2)] == [
            "R-2026-00003", "R-2026-00004"]


async def test_a_flat_is_one_word_in_simplified_chinese_documents(desk, tmp_path):
    """单元 (a flat) in the workbook and on the form alike; 单位 is the responsible unit."""
    await a_november_of_books(desk)
    tr = Tr("zh_Hans", desk.settings.tz)
    form = tmp_path / "form.pdf"
    pdfs.form_pdf(tr, desk.settings, await views.ticket_by_ref(desk.db, "R-2026-00001"), form)
    text = "".join(printed.text(form).split())
    assert "单元：A12F-3" in text and "单位：A12F-3" not in text
    workbook = tmp_path / "settlement.xlsx"
    spreadsheets.settlement_xlsx(tr, desk.settings, await settlement.of_unit(
        desk.db, desk.settings, "aqua", "2026-Q4"), workbook)
    assert load_workbook(workbook).worksheets[0]["B1"].value == "单元"


async def test_a_charge_back_has_one_payer_in_every_document(desk, tmp_path):
    """Aqua Works missed its deadline on R-2026-00002 and our own technician took the job
    over: charged back to the unit, and every document says so (the card, the repair form in
    the chat and on paper, the ledger, the settlement, the monthly report). R-2026-00003 was
    taken over too, but the desk said the estate pays: the estate in every document, and not
    in the settlement."""
    clerk, tech, boss, manager, lee, wong = await a_quarter_with_aqua(desk)
    resident = desk.person(5001, "May", "zh-TW")
    await report_leak(resident, "浴缸排水慢。")
    await send_to_aqua(clerk, 3)
    await desk.run_until(desk.clock.now + timedelta(hours=5))  # not taken in 4 hours
    await clerk.tap_starting("pa:l:3:")
    await clerk.tap_starting("pa:s:3:estate")
    await clerk.tap_data("d:v:3")
    await clerk.tap_starting("d:own:3:")
    await clerk.tap_starting("d:po:3:9002:")
    await clerk.tap_starting("d:dl:3:o9002:2:")
    await complete(tech, 3, note="疏通排水管。")
    await clerk.tap_data("me:ok:3")
    tr = Tr("zh_Hant", desk.settings.tz)
    said = {"R-2026-00002": labels.of(tr, labels.PAYERS, "unit"),
            "R-2026-00003": labels.of(tr, labels.PAYERS, "estate")}
    assert said == {"R-2026-00002": "施工責任單位", "R-2026-00003": "管理處"}

    for number, (ref, payer) in enumerate(said.items(), start=2):
        await clerk.tap_data(f"d:v:{number}")  # the desk's card
        assert f"費用負擔：{payer}" in clerk.last_text, ref
        file = await views.ticket_by_ref(desk.db, ref)
        assert f"費用負擔：{payer}" in signoffs.form_text(tr, desk.settings, file), ref
        form = tmp_path / f"form-{number}.pdf"
        pdfs.form_pdf(tr, desk.settings, file, form)
        assert f"費用負擔：{payer}" in "".join(printed.text(form).split()), ref

    await boss.send("/report")
    await boss.tap("維修月報：2026年11月")
    content = [c for c in boss.calls() if c.method == "sendDocument"][-1].files["document"][1]
    by_payer = {r[0]: r[1] for r in sheet_rows(content, tmp_path, "monthly.xlsx",
                                               tr("Cost by payer"))[1:]}
    assert by_payer == {said["R-2026-00002"]: 670 + 450, said["R-2026-00003"]: 450}
    await boss.tap_data("rp:l:2026-11")
    ledger = sheet_rows([c for c in boss.calls() if c.method == "sendDocument"][-1]
                        .files["document"][1], tmp_path, "ledger.xlsx")
    rows = {row[0]: dict(zip(ledger[0], row, strict=True)) for row in ledger[1:]}
    for ref, payer in said.items():
        assert rows[ref]["費用負擔"] == payer, ref

    data = await settlement.of_unit(desk.db, desk.settings, "aqua", "2026-Q4")
    assert [(j.ref, j.kind) for j in data.jobs] == [("R-2026-00001", "charged"),
                                                    ("R-2026-00002", "taken_over")]
    assert data.pending == []  # the estate's job is not the unit's to settle at all
    pdf = tmp_path / "settlement.pdf"
    pdfs.settlement_pdf(tr, desk.settings, data, pdf)
    text = "".join(printed.text(pdf).split())
    assert "R-2026-00002" in text and "R-2026-00003" not in text
