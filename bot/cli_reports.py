"""The office's documents from the command line: the monthly repair report, the repair
ledger and the hot spots, as Excel workbooks in the estate's language (or --language)."""

from __future__ import annotations

import sys
from pathlib import Path

from handlers.i18n import Tr
from handlers.office import documents, spreadsheets
from storage.exact import plain
from workflow import dates, views
from workflow.office import reports, settlement
from workflow.privacy import access as access_log
from workflow.settings import LANGUAGES
from workflow.tickets import Refusal


def add_parsers(sub) -> None:
    report = sub.add_parser("report", help="the office's documents (XLSX)").add_subparsers(
        dest="action", required=True)
    monthly = report.add_parser("monthly", help="the monthly repair report (維修月報)")
    monthly.add_argument("month", type=dates.month_text, help="such as 2026-11")
    ledger = report.add_parser("ledger", help="the repair ledger (維修台帳), one row per job")
    ledger.add_argument("--from", dest="first", required=True, type=dates.day_text,
                        help="the first day, 2026-11-01")
    ledger.add_argument("--to", dest="last", required=True, type=dates.day_text,
                        help="the last day, 2026-11-30")
    settle = report.add_parser("settlement", help="the quarterly settlement per responsible "
                                                  "unit (季度結算匯總), PDF and XLSX")
    settle.add_argument("quarter", help="such as 2026-Q4")
    settle.add_argument("--contractor", metavar="KEY", help="one unit; default every unit")
    settle.add_argument("--deliver", action="store_true",
                        help="also send it to each unit's people in the chat (to acknowledge) "
                             "and to the managers, as the first day of a quarter does; with "
                             "--contractor, only that unit's")
    income = report.add_parser("income", help="the month's income and expenditure "
                                              "statement (收支明細表), XLSX")
    income.add_argument("month", type=dates.month_text, help="such as 2026-11")
    form = report.add_parser("form", help="the repair form (維修單) of one job, PDF")
    form.add_argument("reference", help="such as R-2026-00017")
    hot = report.add_parser("hotspots", help="hot spots (熱點問題): where and what keeps "
                                             "breaking")
    hot.add_argument("--months", type=int, default=6)
    for parser in (monthly, ledger, settle, income, form, hot):
        parser.add_argument("--language", choices=LANGUAGES,
                            help="the document's language; default the estate's")
        parser.add_argument("--out", type=Path, help="the file to write; default in the "
                                                     "current folder")


class OutRefused(Exception):
    """--out names what cannot be written: said, and nothing is computed."""


def _out(given: Path | None, default: str) -> Path:
    """The file to write: --out, else `default` in the current folder; a folder it names
    that does not exist yet is made, as for the settlement's folder."""
    out = given or Path(default)
    if out.is_dir():
        raise OutRefused(f"--out {out} is a folder: give a file name, such as {out / default}")
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def counted(n: int, noun: str) -> str:
    """'1 job', '2 jobs' (the command line speaks English only)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _refusing(command):
    """A report that cannot be written says why in one line (no traceback)."""
    async def run(args, env, settings, db, now) -> int:
        try:
            return await command(args, env, settings, db, now)
        except OutRefused as exc:
            print(f"report: {exc}", file=sys.stderr)
        except OSError as exc:
            print(f"report: cannot write {exc.filename or args.out}: {exc.strerror}",
                  file=sys.stderr)
        return 1
    return run


def _tr(args, settings) -> Tr:
    return Tr(args.language or settings.default_language, settings.tz)


async def _monthly(args, env, settings, db, now) -> int:
    month = spreadsheets.month_of(args.month)
    if month is None:
        print("report: the month must be written like 2026-11", file=sys.stderr)
        return 1
    out = _out(args.out, spreadsheets.file_name("monthly-report", args.month))
    spreadsheets.monthly_xlsx(_tr(args, settings), settings,
                              await reports.monthly(db, settings, month), out)
    print(f"Monthly repair report for {args.month}: {out}")
    return 0


async def _ledger(args, env, settings, db, now) -> int:
    days = reports.parse_range(args.first, args.last)
    if days is None:
        print("report: --from and --to must be days like 2026-11-01, --from not after --to",
              file=sys.stderr)
        return 1
    out = _out(args.out, spreadsheets.file_name("repair-ledger", args.first, args.last))
    # the server's operator, who holds the database itself, gets the phones too
    writer = spreadsheets.LedgerWriter(_tr(args, settings), settings, out, phones=True)
    try:
        count = await reports.each_ledger_row(db, settings, *days, writer)
    finally:
        writer.close()
    await access_log.ledger_opened(db, None, *reports.day_bounds(settings, *days), out.name,
                                   f"estatedesk report ledger {args.first} {args.last}", now,
                                   access_log.EXPORT)
    print(f"Repair ledger, {args.first} to {args.last}: {counted(count, 'job')} in {out}")
    return 0


async def _settlement(args, env, settings, db, now) -> int:
    if settlement.quarter_days(args.quarter) is None:
        print("report: the quarter must be written like 2026-Q4", file=sys.stderr)
        return 1
    period = args.quarter.strip().upper()
    try:
        found = [await settlement.of_unit(db, settings, args.contractor, period)] \
            if args.contractor else await settlement.all_units(db, settings, period)
    except Refusal:
        print(f"report: no responsible unit has the key {args.contractor}; see "
              f"'estatedesk contractor list'", file=sys.stderr)
        return 1
    folder = args.out or Path(".")
    if folder.exists() and not folder.is_dir():
        raise OutRefused(f"--out {folder} is a file: a settlement is a PDF and a workbook per "
                         f"unit, written into a folder")
    if not found:
        print(f"No responsible unit yet, so there is no settlement for {period}: nothing was "
              f"written. Add one with 'estatedesk contractor add'.")
        return 0
    folder.mkdir(parents=True, exist_ok=True)
    from handlers.office import pdfs  # fpdf2 and Pillow: only for a PDF
    tr = _tr(args, settings)
    for data in found:
        stem = f"settlement-{period}-{data.unit.key}"
        pdfs.settlement_pdf(tr, settings, data, folder / f"{stem}.pdf")
        spreadsheets.settlement_xlsx(tr, settings, data, folder / f"{stem}.xlsx")
        pending = f", {counted(len(data.pending), 'job')} pending (not settled this " \
            f"quarter)" if data.pending else ""
        print(f"{data.unit.name}: {counted(len(data.jobs), 'job')} settled, "
              f"{plain(data.total(settlement.CHARGED))} the unit's, "
              f"{plain(data.total(settlement.TAKEN_OVER))} charged back{pending}: "
              f"{folder / stem}.pdf and .xlsx")
    if args.deliver:  # only the unit asked for, when one is
        units = await settlement.deliver_now(db, period, now, args.contractor)
        print(f"Delivery of {period} queued for {counted(units, 'unit')}; the bot sends it "
              f"when it runs.")
    return 0


async def _income(args, env, settings, db, now) -> int:
    month = spreadsheets.month_of(args.month)
    if month is None:
        print("report: the month must be written like 2026-11", file=sys.stderr)
        return 1
    out = _out(args.out, spreadsheets.file_name("income-statement", args.month))
    printed = out.with_suffix(".pdf" if out.suffix.lower() != ".pdf" else ".print.pdf")
    await documents.write_income(_tr(args, settings), settings, db, month, out, pdf=printed)
    print(f"Income and expenditure statement for {args.month}: {out} (to print: {printed})")
    return 0


async def _form(args, env, settings, db, now) -> int:
    """Without the bot's connection to Telegram, the photos are counted, not shown; the
    form asked for in the chat carries them."""
    try:
        file = await views.ticket_by_ref(db, args.reference.strip().upper())
    except Refusal:
        print(f"report: no ticket {args.reference}", file=sys.stderr)
        return 1
    out = _out(args.out, f"repair-form-{file.ticket.ref}.pdf")
    from handlers.office import pdfs  # fpdf2 and Pillow: only for a PDF
    pdfs.form_pdf(_tr(args, settings), settings, file, out)
    await access_log.opened(db, None, access_log.on_export(file), access_log.EXPORT, out.name,
                            f"estatedesk report form {file.ticket.ref}", now)
    print(f"Repair form {file.ticket.ref}: {out}")
    return 0


async def _hotspots(args, env, settings, db, now) -> int:
    if not 1 <= args.months <= 36:
        print("report: --months must be from 1 to 36", file=sys.stderr)
        return 1
    out = _out(args.out, spreadsheets.file_name("hot-spots", f"{args.months}m"))
    spreadsheets.hot_spots_xlsx(_tr(args, settings), settings,
                                await reports.hot_spots(db, settings, args.months, now), out)
    print(f"Hot spots of the last {args.months} months: {out}")
    return 0


COMMANDS = {
    ("report", "monthly"): _refusing(_monthly),
    ("report", "ledger"): _refusing(_ledger),
    ("report", "hotspots"): _refusing(_hotspots),
    ("report", "settlement"): _refusing(_settlement),
    ("report", "form"): _refusing(_form),
    ("report", "income"): _refusing(_income),
}
