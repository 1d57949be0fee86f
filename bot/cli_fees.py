"""Fees from the command line: a month's bills from the price list, or imported."""

from __future__ import annotations

import sys
from pathlib import Path

from handlers.i18n import BABEL_LOCALES
from handlers.office import spreadsheets
from workflow import dates
from workflow.fees import collection


def add_parsers(sub) -> None:
    fees = sub.add_parser("fees", help="fees (收費管理): bills").add_subparsers(
        dest="action", required=True)
    bill = fees.add_parser("bill", help="issue a month's bills to every unit from the price "
                                        "list ([[fee_items]] in the settings)")
    bill.add_argument("month", type=dates.month_text, help="such as 2026-12")
    load = fees.add_parser("import", help="import bills from a CSV with the columns "
                                          "building,unit,period,item,amount,due")
    load.add_argument("file", type=Path)


async def _bill(args, env, settings, db, now) -> int:
    if spreadsheets.month_of(args.month) is None or not settings.fee_items:
        print("fees: give a month like 2026-12, and a price list ([[fee_items]]) in the "
              "settings", file=sys.stderr)
        return 1
    issued = await collection.bill_month(db, settings, args.month)
    print(f"fees: {issued} bills issued for {args.month} (bills already issued are kept).")
    return 0


async def _import(args, env, settings, db, now) -> int:
    try:
        issued = await collection.import_file(db, args.file.read_bytes(),
                                              BABEL_LOCALES[settings.default_language])
    except OSError as exc:
        print(f"fees: cannot read {args.file}: {exc.strerror}. Nothing was imported.",
              file=sys.stderr)
        return 1
    except collection.BillFileError as exc:
        for line, problem in exc.problems:
            print(f"fees: {args.file}: line {line}: {problem}", file=sys.stderr)
        print(f"fees: {len(exc.problems)} problem(s). Nothing was imported.", file=sys.stderr)
        return 1
    print(f"fees: {issued} bills issued.")
    return 0


COMMANDS = {("fees", "bill"): _bill, ("fees", "import"): _import}
