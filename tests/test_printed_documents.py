"""The documents the office prints and signs, opened as people open them: Aqua Works' quarterly
settlement and the repair form of its job, in Traditional and Simplified Chinese and in
English, each page drawn and read back by PDFium and by poppler. Every page shows ink, the
Chinese, the reference and the totals; every font travels inside the file."""

import io
import re
from datetime import timezone

import pytest
from PIL import Image

from handlers.i18n import Tr
from handlers.office import pdfs
from tests import printed
from tests.stories import report_leak, resident_of_a12
from tests.test_repair_form import engineer_and_project
from tests.test_settlement import a_quarter_with_aqua
from workflow import views
from workflow.office import settlement
from workflow.office.settlement import CHARGED, TAKEN_OVER

LANGUAGES = ("zh_Hant", "zh_Hans", "en")
# What a reader of each language must find, word for word, besides the references and sums.
SETTLEMENT_WORDS = {
    "zh_Hant": ("季度結算匯總 2026-Q4：Aqua Works", "給排水", "逾期後由本處人員接手：向單位扣款",
                "簽名及日期："),
    "zh_Hans": ("季度结算汇总 2026-Q4：Aqua Works", "给排水", "逾期后由本处人员接手：向单位扣款",
                "签名及日期："),
    "en": ("Quarterly settlement 2026-Q4: Aqua Works", "Plumbing",
           "Taken over by our own staff after the deadline: charged back", "Signature and date:"),
}
FORM_WORDS = {
    "zh_Hant": ("維修單 R-2026-00001", "更換存水彎。", "廚房水槽漏水。", "簽認：", "業主陳美玲，在對話中簽認", "維修前",
                "維修後"),
    "zh_Hans": ("维修单 R-2026-00001", "更換存水彎。", "廚房水槽漏水。", "签认：", "业主陳美玲，在对话中签认", "维修前",
                "维修后"),
    "en": ("Repair form R-2026-00001", "更換存水彎。", "廚房水槽漏水。", "Signatures:", "Owner陳美玲 in the chat",
           "Before", "After"),
}
MIN_INK = 500  # dark pixels at 50 dpi: a page with a heading or a table has thousands


def picture(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (70, 110, 160)).save(out, "PNG")
    return out.getvalue()


def squeezed(text: str) -> str:
    """Viewers wrap lines and space table cells their own way: compare without spaces."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
async def quarter(desk, tmp_path):
    """Aqua Works' quarter and the form of its job, to be signed by four parties, printed in
    every language."""
    await engineer_and_project(desk, "zh-TW")
    await a_quarter_with_aqua(desk)
    await desk.person(5001, "May", "zh-TW").tap_starting("s:ok:1")  # the resident closes it
    data = await settlement.of_unit(desk.db, desk.settings, "aqua", "2026-Q4")
    job = await views.ticket_by_ref(desk.db, "R-2026-00001")
    printed_files = {}
    for language in LANGUAGES:
        tr = Tr(language, desk.settings.tz)
        path = tmp_path / f"settlement-{language}.pdf"
        pdfs.settlement_pdf(tr, desk.settings, data, path)
        form = tmp_path / f"form-{language}.pdf"
        pdfs.form_pdf(tr, desk.settings, job, form,
                      ((tr("Before"), picture(640, 480)), (tr("After"), picture(480, 640))))
        printed_files[language] = (path, form, tr)
    return data, printed_files


@pytest.mark.parametrize("viewer", printed.VIEWERS)
@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_settlement_reads_the_same_in_every_viewer(quarter, language, viewer):
    data, printed_files = quarter
    path, _, tr = printed_files[language]
    pages = printed.pages(viewer, path)
    assert pages and all(p.ink > MIN_INK for p in pages), [p.ink for p in pages]
    text = squeezed("".join(p.text for p in pages))
    for words in (*SETTLEMENT_WORDS[language], "R-2026-00001", "R-2026-00002",
                  tr("Cost of the unit's jobs: {charged}; charged back: {back}",
                     charged=tr.number(data.total(CHARGED)),
                     back=tr.number(data.total(TAKEN_OVER)))):
        assert squeezed(words) in text, (viewer, words)


@pytest.mark.parametrize("viewer", printed.VIEWERS)
@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_repair_form_reads_the_same_in_every_viewer(quarter, language, viewer):
    """The signature list's bullets and the residents' own Chinese included, whatever the
    reader's language."""
    _, printed_files = quarter
    _, path, tr = printed_files[language]
    pages = printed.pages(viewer, path)
    assert pages and all(p.ink > MIN_INK for p in pages), [p.ink for p in pages]
    text = squeezed("".join(p.text for p in pages))
    for words in FORM_WORDS[language]:
        assert squeezed(words) in text, (viewer, words)


async def test_every_font_travels_inside_the_documents(quarter):
    _, printed_files = quarter
    for language, (path, form, _) in printed_files.items():
        for document in (path, form):
            assert printed.unembedded_fonts(document) == [], (language, document.name)


async def test_a_photos_caption_never_ends_a_page_alone(desk, tmp_path):
    """However far the photos push the form on, each caption shares its page with its
    photo."""
    import pypdfium2
    await a_quarter_with_aqua(desk)
    tr = Tr("zh_Hant", desk.settings.tz)
    job = await views.ticket_by_ref(desk.db, "R-2026-00001")
    for count in range(1, 7):
        for height in (160, 320, 480):
            path = tmp_path / f"form-{count}-{height}.pdf"
            shown = tuple((tr("Before") if i < 3 else tr("After"), picture(640, height))
                          for i in range(count))
            pdfs.form_pdf(tr, desk.settings, job, path, shown)
            document = pypdfium2.PdfDocument(path)
            for number, page in enumerate(document):
                text = page.get_textpage().get_text_bounded()
                captions = text.count("維修前") + text.count("維修後")
                images = len(list(page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,))))
                assert captions == images, (path.name, number, captions, images)
            document.close()


async def test_a_resident_writing_simplified_chinese_is_read_on_a_traditional_form(desk,
                                                                                  tmp_path):
    """Noto Sans TC lacks many Simplified characters: the SC face fills them in."""
    resident = await resident_of_a12(desk, "zh-CN")
    await report_leak(resident, "厨房水槽漏水，请尽快维修。")
    job = await views.ticket_by_ref(desk.db, "R-2026-00001")
    path = tmp_path / "form.pdf"
    pdfs.form_pdf(Tr("zh_Hant", desk.settings.tz), desk.settings, job, path)
    for viewer in printed.VIEWERS:
        text = squeezed("".join(p.text for p in printed.pages(viewer, path)))
        assert "厨房水槽漏水，请尽快维修。" in text and "維修單R-2026-00001" in text, viewer


def test_a_long_settlement_repeats_its_heading_on_every_page_and_drops_no_job(tmp_path):
    """A big builder's plumbing contractor: 130 jobs in a quarter, over several pages."""
    from datetime import date, datetime, timedelta, timezone

    from storage.records import Contractor
    from workflow.office.settlement import Job, Settlement
    from workflow.settings import EstateSettings

    settings = EstateSettings()
    begun = datetime(2026, 7, 1, tzinfo=timezone.utc)
    jobs = [Job(f"R-2026-{n:05d}", "A", f"{n % 30 + 1}F-{n % 4 + 1}", "plumbing",
                begun + timedelta(hours=n), begun + timedelta(hours=n + 40),
                CHARGED if n % 10 else TAKEN_OVER, 450 + n % 7) for n in range(1, 131)]
    data = Settlement(Contractor(1, "Aqua Works", "", ("plumbing",), True, key="aqua"),
                      "2026-Q3", date(2026, 7, 1), date(2026, 9, 30), jobs)
    tr = Tr("zh_Hant", settings.tz)
    path = tmp_path / "settlement.pdf"
    pdfs.settlement_pdf(tr, settings, data, path)
    pages = printed.pages("pdfium", path)
    assert len(pages) >= 3
    for number, page in enumerate(pages):
        if "R-2026-" in page.text:  # a page of jobs begins with the table's heading
            assert "單號" in page.text.split("R-2026-")[0], number
    text = "".join(p.text for p in pages)
    assert [j.ref for j in jobs if j.ref not in text] == []


def test_a_time_in_a_chinese_table_cell_is_never_cut_in_two():
    """The settlement's 「完成時間」 column: the date may wrap, the time 20:48 stays whole."""
    for language, when in (("zh_Hant", "2026年12月6日 20:48"), ("zh_Hans", "2026年12月6日 20:48")):
        document = pdfs._Document(Tr(language, timezone.utc), "settlement")
        document.set_font_size(9)  # as in a table
        lines = document._wrapped(when, 30 - 2 * pdfs.CELL_SIDE)
        assert lines == ["2026年12月6日", "20:48"], lines
        assert document._wrapped("R-2026-00003", 28 - 2 * pdfs.CELL_SIDE) == ["R-2026-00003"]


FORM_TIMES = {"zh_Hant": ("報修時間", "完成時間", "如期完成", "否，逾期", "是"),
              "zh_Hans": ("报修时间", "完成时间", "如期完成", "否，逾期", "是"),
              "en": ("Reported at", "Completed at", "Deadline met", "no,", "yes")}


async def test_the_repair_form_says_when_it_was_reported_and_done_and_if_in_time(desk,
                                                                               tmp_path):
    """Two leaks: the technician fixes the first at once and the second three days after
    its two-day deadline. Each form, in every language and viewer, says when the job was
    reported and completed in the estate's time, and whether the deadline was met (by how
    much it was missed)."""
    from datetime import timedelta

    from tests.stories import assign_to_tech, complete, staff
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident, "廚房水槽漏水。")
    await report_leak(resident, "浴室水龍頭漏水。")
    await assign_to_tech(clerk, 1)
    await assign_to_tech(clerk, 2)
    await complete(tech, 1)
    await desk.run_until(desk.clock.now + timedelta(days=5))
    await complete(tech, 2)
    for language in LANGUAGES:
        tr = Tr(language, desk.settings.tz)
        reported, completed, met, late, in_time = FORM_TIMES[language]
        for ref, verdict in (("R-2026-00001", in_time), ("R-2026-00002", late)):
            job = await views.ticket_by_ref(desk.db, ref)
            t = job.ticket
            assert t.completed_at is not None and (t.completed_at > t.deadline_at) == (
                verdict == late)
            path = tmp_path / f"form-{ref}-{language}.pdf"
            pdfs.form_pdf(tr, desk.settings, job, path)
            local = t.created_at.astimezone(desk.settings.tz)
            assert tr.datetime(t.created_at).endswith(f"{local:%H:%M}")  # the estate's clock
            for viewer in printed.VIEWERS:
                text = squeezed("".join(p.text for p in printed.pages(viewer, path)))
                row = "".join((tr.datetime(t.created_at), tr.datetime(t.deadline_at),
                               tr.datetime(t.completed_at), verdict))
                for words in (reported, completed, met, row):
                    assert squeezed(words) in text, (ref, language, viewer, words)
                if verdict == late:
                    assert squeezed(tr.duration(t.completed_at - t.deadline_at)) in text


def test_a_tables_heading_repeats_only_at_a_page_top_and_no_row_runs_off_the_page(tmp_path):
    """A table begun halfway down a page, with a row longer than a whole page (a resident's
    long account of a leak) among short ones: the heading comes once where the table starts
    and again only at the top of each page it runs onto; nothing is drawn past the bottom
    margin and not one sentence of the long row is lost."""
    import pypdfium2
    tr = Tr("zh_Hant", timezone.utc)
    document = pdfs._Document(tr, "ledger")
    document.ln(100)
    account = "".join(f"第{n}句漏水。" for n in range(1, 700))
    rows = [["單號", "問題"], *[[f"R-2026-{n:05d}", "漏水"] for n in range(1, 20)],
            ["R-2026-00020", account], *[[f"R-2026-{n:05d}", "漏水"] for n in range(21, 60)]]
    document.grid(rows, [40, 120], "維修台帳")
    path = tmp_path / "table.pdf"
    document.save(path)
    top, bottom = pdfs.TOP / pdfs.PT, pdfs.TOP / pdfs.PT  # points from the page's edges
    pdf = pypdfium2.PdfDocument(path)
    headings = []
    for number, page in enumerate(pdf):
        text, height = page.get_textpage(), page.get_height()
        found = text.search("單號")
        while (hit := found.get_next()):
            headings.append((number, height - text.get_charbox(hit[0])[3]))
        lowest = min(text.get_charbox(i)[1] for i in range(text.count_chars())
                     if not text.get_text_range(i, 1).isspace())
        assert lowest >= bottom - 1, (number, lowest)  # within the bottom margin
    assert len(pdf) >= 3 and [n for n, _ in headings] == list(range(len(pdf)))
    first, *others = headings
    assert first[1] > top + 200  # where the table starts, under its caption
    assert all(y < top + 15 for _, y in others), others  # the top of each further page
    pdf.close()
    assert account in squeezed(printed.text(path)).replace("單號問題", "")  # the headings
    assert all(f"R-2026-{n:05d}" in printed.text(path) for n in range(1, 60))
