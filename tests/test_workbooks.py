"""Every workbook the office makes opens in Excel, in every language, whatever people typed:
sheet names Excel accepts, names and descriptions that start with "=" kept as text (never a
live formula), and files only their owner can read (they hold names and phones)."""

import re
import stat
import zipfile
from datetime import date, timedelta

from openpyxl import load_workbook

from handlers.i18n import Tr
from handlers.office import documents, pdfs, spreadsheets
from tests.harness import DeskHarness
from tests.stories import choose_a_visit
from workflow import admin, roles, views
from workflow.fees import collection
from workflow.office import catalogue, reports, settlement
from workflow.settings import LANGUAGES, EstateSettings, FeeItem

RESIDENT = '=HYPERLINK("http://evil.example/","Chen")'
PROBLEM = '=HYPERLINK("http://evil.example/","the sink leaks")'
PLACE = "=1+1"
TECHNICIAN = "=2+2"
ITEM = "=SUM(3,3)"
REASON = "=cmd|' /C calc'!A0"
UNIT = "Aqua: Works [North]/*?\\'"  # a responsible unit named as no sheet may be
PEOPLES_TEXT = (RESIDENT, PROBLEM, PLACE, TECHNICIAN, ITEM, REASON)


async def join(desk, user_id, role, name):
    person = desk.person(user_id, name, "en")
    code = await admin.invite(desk.db, role, name, desk.clock(),
                              contractor="aqua" if role == roles.CONTRACTOR else None)
    await person.join(code)
    return person


async def a_month_typed_by_mischief(tmp_path) -> DeskHarness:
    """A resident on the roster as a formula reports a leak as one; a responsible unit with
    a name full of what sheet names may not hold repairs it with an item named as a formula;
    a payment is reversed for a reason written as one."""
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(
        fee_items=(FeeItem("management_fee", 3200),)))
    await desk.start()
    quoted = RESIDENT.replace('"', '""')  # as a CSV writes a quote in a cell
    await desk.import_roster(f'building,unit,name,phone\nA,12F-3,"{quoted}",0912-345-678\n')
    await catalogue.load(desk.db, catalogue.parse(
        f'code,name,unit,unit_price,minimum,stock\nS05,"{ITEM}",pc,220,1,3\n'.encode(),
        "catalogue.csv"), desk.clock())
    await admin.add_contractor(desk.db, UNIT, "02-2345-6789", ["plumbing"], timedelta(days=3),
                               "aqua", timedelta(hours=4))
    clerk = await join(desk, 9001, roles.CLERK, "Clerk")
    await join(desk, 9002, roles.TECHNICIAN, TECHNICIAN)
    lee = await join(desk, 7001, roles.CONTRACTOR, "Lee")
    cashier = await join(desk, 9040, roles.CASHIER, "Cashier")
    manager = await join(desk, 9004, roles.MANAGER, "Manager")
    resident = desk.person(5001, "May", "en")
    await resident.send("/start")
    await resident.share_contact("+886 912 345 678")
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:normal")
    await resident.send(PLACE)
    await resident.send(PROBLEM)
    await resident.tap_data("r:pd")
    await choose_a_visit(resident)
    await resident.tap_data("r:ok")
    await clerk.tap_starting("d:con:1:")
    await clerk.tap(UNIT)
    await clerk.tap_starting("d:dl:1:c1:3:")
    await lee.tap_starting("u:ok:1:")
    await lee.tap_starting("w:done:1:")
    await lee.send_photo("after-1")
    await lee.tap_data("w:pd")
    await lee.send("Replaced the trap.")
    await lee.send("1")
    await lee.send("S05 1")
    await lee.tap_data("w:mf")
    await collection.bill_month(desk.db, desk.settings, "2026-11")
    await cashier.send("/pay A 12F-3 3200 cash R1")
    await manager.send(f"/reverse 1 {REASON}")
    assert manager.last_text.startswith("Payment 1 is reversed"), manager.last_text
    return desk


async def every_workbook(desk, language: str, folder) -> list:
    """The monthly report, the ledger, the hot spots, the settlement and the income
    statement, as the chat and the command line write them."""
    tr, settings = Tr(language, desk.settings.tz), desk.settings
    month = date(2026, 11, 1)
    made = []
    path = folder / f"monthly-{language}.xlsx"
    spreadsheets.monthly_xlsx(tr, settings, await reports.monthly(desk.db, settings, month),
                              path)
    made.append(path)
    path = folder / f"ledger-{language}.xlsx"
    writer = spreadsheets.LedgerWriter(tr, settings, path)
    await reports.each_ledger_row(desk.db, settings, month, date(2026, 11, 30), writer)
    writer.close()
    made.append(path)
    path = folder / f"hot-spots-{language}.xlsx"
    spreadsheets.hot_spots_xlsx(tr, settings, await reports.hot_spots(desk.db, settings, 6,
                                                                      desk.clock()), path)
    made.append(path)
    path = folder / f"settlement-{language}.xlsx"
    spreadsheets.settlement_xlsx(tr, settings, await settlement.of_unit(
        desk.db, settings, "aqua", "2026-Q4"), path)
    made.append(path)
    path = folder / f"income-{language}.xlsx"
    await documents.write_income(tr, settings, desk.db, month, path)
    made.append(path)
    return made


def formulas(path) -> list[str]:
    """The <f> elements of every sheet of the workbook, as Excel would compute them."""
    with zipfile.ZipFile(path) as book:
        return [f for name in book.namelist() if name.startswith("xl/worksheets/sheet")
                for f in re.findall(r"<f[ >].*?</f>", book.read(name).decode())]


def valid_sheet_names(names: list[str]) -> bool:
    return len({n.lower() for n in names}) == len(names) and all(
        0 < len(n.encode("utf-16-le")) // 2 <= 31 and not re.search(r"[\[\]:*?/\\]", n)
        and n[0] != "'" and n[-1] != "'" for n in names)


async def test_every_workbook_opens_in_every_language_with_peoples_text_as_text(tmp_path):
    desk = await a_month_typed_by_mischief(tmp_path)
    try:
        for language in LANGUAGES:
            for path in await every_workbook(desk, language, tmp_path):
                book = load_workbook(path)  # Excel's rules, as openpyxl reads them
                assert valid_sheet_names(book.sheetnames), (path.name, book.sheetnames)
                assert formulas(path) == [], path.name
                values = {c.value for sheet in book for row in sheet.iter_rows() for c in row}
                if path.name.startswith("ledger"):
                    assert {RESIDENT, PROBLEM, PLACE} <= values, path.name
                if path.name.startswith("monthly"):
                    assert ITEM in values
                if path.name.startswith("income"):
                    assert any(REASON in str(v) for v in values)
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
        english = load_workbook(tmp_path / "settlement-en.xlsx").sheetnames
        assert english == ["Quarterly settlement 2026-Q4 Aq", "Not settled"]
    finally:
        await desk.stop()


async def test_the_pdfs_are_for_their_owner_only(tmp_path):
    desk = await a_month_typed_by_mischief(tmp_path)
    try:
        tr = Tr("en", desk.settings.tz)
        data = await settlement.of_unit(desk.db, desk.settings, "aqua", "2026-Q4")
        old = tmp_path / "settlement.pdf"
        old.write_bytes(b"an earlier copy, readable by all")
        old.chmod(0o644)
        pdfs.settlement_pdf(tr, desk.settings, data, old)
        form = tmp_path / "form.pdf"
        pdfs.form_pdf(tr, desk.settings, await views.ticket_by_ref(desk.db, "R-2026-00001"),
                      form)
        for path in (old, form):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    finally:
        await desk.stop()


def test_sheet_names_excel_accepts_from_any_title():
    taken: set[str] = set()
    names = [spreadsheets.sheet_name(title, taken) for title in (
        "Quarterly settlement 2026-Q4: Aqua Works Plumbing", "Quarterly settlement 2026-Q4: "
        "Aqua Works Plumbing", "'quoted'", "History", "a[b]c*?/\\d", "", "😀" * 40,
        "季度結算匯總 2026-Q4：水電工程有限公司")]
    assert names[:6] == ["Quarterly settlement 2026-Q4 Aq", "Quarterly settlement 2026-Q (2)",
                         "quoted", "History (2)", "a b c d", "Sheet"]
    assert valid_sheet_names(names)


def test_the_command_line_writes_reports_for_their_owner_only(tmp_path):
    from tests.test_roster_cli import cli
    made = []
    for name, *args in (("m.xlsx", "monthly", "2026-11"), ("i.xlsx", "income", "2026-11"),
                        ("l.xlsx", "ledger", "--from", "2026-11-01", "--to", "2026-11-30"),
                        ("h.xlsx", "hotspots")):
        result = cli(tmp_path, "report", *args, "--language", "en", "--out",
                     str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        made.append(stat.S_IMODE((tmp_path / name).stat().st_mode))
    assert made == [0o600] * 4
