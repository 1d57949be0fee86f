"""The desk's registers from the command line: the keys and the archive's index, imported
from CSV files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from workflow.registers import archives


def add_parsers(sub) -> None:
    register = sub.add_parser("keys", help="the key register (鑰匙管理)").add_subparsers(
        dest="action", required=True)
    load = register.add_parser("import", help="import keys from a CSV or XLSX with the "
                                              "columns tag,kind,label,building,unit,spare,"
                                              "copies (a spare: the tag it copies)")
    load.add_argument("file", type=Path)
    archive = sub.add_parser("archive", help="the archive (檔案管理)").add_subparsers(
        dest="action", required=True)
    index = archive.add_parser("import", help="import the index from a CSV with the columns "
                                              "code,title,kind,location,confidentiality")
    index.add_argument("file", type=Path)


async def _import(args, env, settings, db, now) -> int:
    from workflow.registers import key_import  # this command's alone: not at start-up
    try:
        rows, problems = key_import.check(args.file.read_bytes(), args.file.name)
        new = await key_import.load(db, rows, problems)  # every bad row, file's and roster's
    except OSError as exc:
        print(f"keys: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except key_import.KeyFileError as exc:
        for line, problem in exc.problems:
            print(f"keys: {args.file}: line {line}: {problem}", file=sys.stderr)
        print(f"keys: {len(exc.problems)} problem(s). Nothing was imported.", file=sys.stderr)
        return 1
    print(f"keys: {len(rows)} keys recorded, {new} new.")
    return 0


async def _archive_import(args, env, settings, db, now) -> int:
    try:
        rows = archives.parse_index(args.file.read_bytes())
    except OSError as exc:
        print(f"archive: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except archives.ArchiveIndexError as exc:
        for line, problem in exc.problems:
            print(f"archive: {args.file}: line {line}: {problem}", file=sys.stderr)
        print(f"archive: {len(exc.problems)} problem(s). Nothing was imported.",
              file=sys.stderr)
        return 1
    new = await archives.load_index(db, rows, now, _source(args.file))
    print(f"archive: {len(rows)} items read, {new} new (changes to known items are recorded).")
    return 0


def _source(file: Path) -> str:
    """Who made an import's changes, for the archive's history: the file and the account
    that ran the command."""
    try:
        import getpass
        user = getpass.getuser()
    except (OSError, KeyError):  # no name for this account
        user = str(os.getuid()) if hasattr(os, "getuid") else "?"
    return archives.import_source(file.name, user)


COMMANDS = {("keys", "import"): _import, ("archive", "import"): _archive_import}
