"""The buyers' register from the command line: contracts imported from CSV or XLSX."""

from __future__ import annotations

import sys
from pathlib import Path

from workflow.office.catalogue import CatalogueError
from workflow.sales import buyers

COLUMNS = ",".join((*buyers.REQUIRED, *buyers.OPTIONAL))


def add_parsers(sub) -> None:
    register = sub.add_parser("buyers", help="buyers before move-in (the sales side)"
                              ).add_subparsers(dest="action", required=True)
    load = register.add_parser("import", help=f"import contracts from a CSV or XLSX with the "
                                              f"columns {COLUMNS} (the last five optional; "
                                              f"dates 2026-12-03, mortgage_at 2026-12-03 10:00)")
    load.add_argument("file", type=Path)


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


COMMANDS = {("buyers", "import"): _import}
