"""The office's documents from the command line: the monthly repair report, the repair
ledger and the hot spots, as Excel workbooks in the estate's language (or --language)."""

from __future__ import annotations

import sys
from pathlib import Path

from handlers import spreadsheets
from handlers.i18n import Tr
from workflow import reports
from workflow.settings import LANGUAGES


def add_parsers(sub) -> None:
    report = sub.add_parser("report", help="the office's documents (XLSX)").add_subparsers(
        dest="action", required=True)
    monthly = report.add_parser("monthly", help="the monthly repair report (維修月報)")
    monthly.add_argument("month", help="such as 2026-11")
    ledger = report.add_parser("ledger", help="the repair ledger (維修台帳), one row per job")
    ledger.add_argument("--from", dest="first", required=True, help="the first day, 2026-11-01")
    ledger.add_argument("--to", dest="last", required=True, help="the last day, 2026-11-30")
    hot = report.add_parser("hotspots", help="hot spots (熱點問題): where and what keeps "
                                             "breaking")
    hot.add_argument("--months", type=int, default=6)
    for parser in (monthly, ledger, hot):
        parser.add_argument("--language", choices=LANGUAGES,
                            help="the document's language; default the estate's")
        parser.add_argument("--out", type=Path, help="the file to write; default in the "
                                                     "current folder")


def _tr(args, settings) -> Tr:
    return Tr(args.language or settings.default_language, settings.tz)


async def _monthly(args, env, settings, db, now) -> int:
    month = spreadsheets.month_of(args.month)
    if month is None:
        print("report: the month must be written like 2026-11", file=sys.stderr)
        return 1
    out = args.out or Path(spreadsheets.file_name("monthly-report", args.month))
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
    out = args.out or Path(spreadsheets.file_name("repair-ledger", args.first, args.last))
    writer = spreadsheets.LedgerWriter(_tr(args, settings), settings, out)
    try:
        count = await reports.each_ledger_row(db, settings, *days, writer)
    finally:
        writer.close()
    print(f"Repair ledger, {args.first} to {args.last}: {count} jobs in {out}")
    return 0


async def _hotspots(args, env, settings, db, now) -> int:
    if not 1 <= args.months <= 36:
        print("report: --months must be from 1 to 36", file=sys.stderr)
        return 1
    out = args.out or Path(spreadsheets.file_name("hot-spots", f"{args.months}m"))
    spreadsheets.hot_spots_xlsx(_tr(args, settings), settings,
                                await reports.hot_spots(db, settings, args.months, now), out)
    print(f"Hot spots of the last {args.months} months: {out}")
    return 0


COMMANDS = {
    ("report", "monthly"): _monthly,
    ("report", "ledger"): _ledger,
    ("report", "hotspots"): _hotspots,
}
