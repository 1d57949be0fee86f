"""The sales side from the command line: the buyers' register (contracts) and the developer's
inventory of units for sale, each imported from CSV or XLSX."""

from __future__ import annotations

import sys
from pathlib import Path

from handlers.i18n import BABEL_LOCALES
from workflow.office.catalogue import CatalogueError
from workflow.sales import buyers, reservations

COLUMNS = ",".join((*buyers.REQUIRED, *buyers.OPTIONAL))


def add_parsers(sub) -> None:
    register = sub.add_parser("buyers", help="buyers before move-in (the sales side)"
                              ).add_subparsers(dest="action", required=True)
    load = register.add_parser("import", help=f"import contracts from a CSV or XLSX with the "
                                              f"columns {COLUMNS} (the last five optional; "
                                              f"dates 2026-12-03, mortgage_at 2026-12-03 10:00)")
    load.add_argument("file", type=Path)
    inventory = sub.add_parser("units", help="the developer's units for sale (房號管理)"
                               ).add_subparsers(dest="action", required=True)
    listed = inventory.add_parser("import", help="import the inventory from a CSV or XLSX with "
                                                 "the columns " + ",".join(
                                                     reservations.INVENTORY_COLUMNS)
                                  + " (status available, reserved or sold)")
    listed.add_argument("file", type=Path)


async def _import(args, env, settings, db, now) -> int:
    try:
        rows = buyers.parse(args.file.read_bytes(), args.file.name, settings.tz)
    except OSError as exc:
        print(f"buyers: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except CatalogueError as exc:
        for line, problem in exc.problems:
            print(f"buyers: {args.file}: line {line}: {problem}", file=sys.stderr)
        print(f"buyers: {len(exc.problems)} problem(s). Nothing was imported.", file=sys.stderr)
        return 1
    new, updated = await buyers.import_rows(db, rows, now)
    print(f"buyers: {new} contracts new, {updated} updated; their units are marked "
          f"contracted.")
    return 0


async def _import_units(args, env, settings, db, now) -> int:
    try:
        read, new, kept = await reservations.import_inventory(
            db, args.file.read_bytes(), args.file.name,
            BABEL_LOCALES[settings.default_language], now)
    except OSError as exc:
        print(f"units: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except reservations.InventoryError as exc:
        for line, problem in exc.problems:
            print(f"units: {args.file}: line {line}: {problem}", file=sys.stderr)
        print(f"units: {len(exc.problems)} problem(s). Nothing was imported.", file=sys.stderr)
        return 1
    print(f"units: {read} units read, {new} new to the inventory, {read - new} updated"
          + (f"; {kept} kept as the desk recorded them (a live reservation or a contract)"
             if kept else "") + ". Only these units can be reserved.")
    return 0


COMMANDS = {("buyers", "import"): _import, ("units", "import"): _import_units}
