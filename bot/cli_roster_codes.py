"""`estatedesk roster codes`: a fresh joining code for each unit (one a unit: a new one
replaces the old), and the sheet to print, one slip a unit (workflow/onboarding/unit_codes.py,
handlers/onboarding/sheet.py)."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from bot.cli_reports import counted
from handlers.i18n import Tr
from workflow.onboarding import unit_codes
from workflow.settings import LANGUAGES

HELP = """\
a joining code for each unit, printed on a sheet (one slip a unit) to hand out: a resident
adds the desk on LINE (or Telegram), taps 'I accept' under the privacy notice and types the
code; they are linked to the unit at once. A code admits up to --uses people of the unit (a
household) until it expires at the end of the day printed on it. Making a code for a unit
again replaces its earlier one (a lost sheet: make a new one for that unit). The codes are
kept only as hashes: print the sheet (or keep the CSV) when you make them.

  estatedesk roster codes                              every unit of the roster
  estatedesk roster codes --building A --out a.pdf     the units of building A
  estatedesk roster codes --units A-12F-3,B-3F-2       these units
  estatedesk roster codes --units A-12F-3 --csv        the codes as CSV (mail merge)"""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 3650:
        raise argparse.ArgumentTypeError(f"{value} is not between 1 and 3650")
    return value


def add_parsers(roster) -> None:
    codes = roster.add_parser("codes", help="a joining code for each unit, on a sheet to "
                                            "print (residents on LINE or Telegram)",
                              description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    which = codes.add_mutually_exclusive_group()
    which.add_argument("--units", default="",
                       help="comma-separated units, such as A-12F-3,B-3F-2 (default: all)")
    which.add_argument("--building", help="every unit of this building, such as A")
    codes.add_argument("--days", type=_positive, default=unit_codes.DAYS,
                       help=f"how many days the codes work (default {unit_codes.DAYS})")
    codes.add_argument("--uses", type=_positive, default=unit_codes.USES,
                       help=f"how many people of a unit one code admits (default "
                            f"{unit_codes.USES})")
    codes.add_argument("--language", choices=LANGUAGES,
                       help="the sheet's language; default the estate's")
    codes.add_argument("--out", type=Path, help="the sheet (PDF) to write; default "
                                                "unit-codes-<day>.pdf in the current folder")
    codes.add_argument("--csv", action="store_true",
                       help="print the codes as CSV (building,unit,code,valid_until) instead "
                            "of a sheet (with --out, both)")


async def _codes(args, env, settings, db, now) -> int:
    from handlers.onboarding import sheet  # this command's alone: not at start-up
    names = [u.strip() for u in args.units.split(",") if u.strip()]
    chosen, unknown = await unit_codes.units_named(db, names, args.building)
    if unknown:
        print(f"roster codes: no unit {', '.join(unknown)} on the roster (write them as "
              f"A-12F-3). No code was made.", file=sys.stderr)
        return 1
    if not chosen:
        print("roster codes: no unit to make a code for (import the roster first, or check "
              "--building). No code was made.", file=sys.stderr)
        return 1
    tr = Tr(args.language or settings.default_language, settings.tz)
    out = None if args.csv and args.out is None else \
        args.out or Path(f"unit-codes-{now.astimezone(settings.tz):%Y-%m-%d}.pdf")
    if out is not None and (out.is_dir() or not out.parent.resolve().is_dir()):
        print(f"roster codes: cannot write the sheet to {out}: give a file in a folder that "
              f"exists. No code was made.", file=sys.stderr)
        return 1
    until = unit_codes.last_moment(now, args.days, settings.tz)
    made = await unit_codes.make(db, chosen, args.uses, now, until)
    last_day = sheet.until_text(Tr("en", settings.tz), until)
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["building", "unit", "code", "valid_until"])
        day = unit_codes.last_day(until, settings.tz).isoformat()
        for m in made:
            writer.writerow([m.unit.building, m.unit.unit, m.code, day])
    told = sys.stderr if args.csv else sys.stdout
    if out is not None:
        try:
            sheet.write(tr, settings.estate_name, made, args.uses, out)
        except OSError as exc:
            print(f"roster codes: the codes were made but the sheet could not be written "
                  f"({exc.strerror}): run the command again to replace them.", file=sys.stderr)
            return 1
        print(f"roster codes: the sheet: {out}", file=told)
    print(f"roster codes: {counted(len(made), 'unit')}, one code each, valid until {last_day} "
          f"(each admits up to {counted(args.uses, 'person').replace('persons', 'people')} of "
          f"the unit); any earlier code of these units no longer works.", file=told)
    return 0


COMMANDS = {("roster", "codes"): _codes}
