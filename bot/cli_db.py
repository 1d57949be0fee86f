"""The database from the command line: `db migrate` brings ESTATEDESK_DB (a file, or a
postgresql:// URL) to the current schema; `db copy --from FILE --to URL` moves an estate from
SQLite to an empty PostgreSQL schema, every row, and checks the counts."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from storage import backend
from storage.db import Database
from storage.migrations import MIGRATIONS


def add_parsers(sub) -> None:
    db = sub.add_parser("db", help="the database: migrate, or copy SQLite to PostgreSQL"
                        ).add_subparsers(dest="action", required=True)
    db.add_parser("migrate", help="bring ESTATEDESK_DB to the current schema (once, even "
                                  "with several processes starting at once)")
    copy = db.add_parser("copy", help="copy an estate's SQLite file into an empty PostgreSQL "
                                      "schema, with nothing lost")
    copy.add_argument("--from", dest="source", type=Path, required=True)
    copy.add_argument("--to", dest="target", required=True, help="postgresql://…")
    copy.add_argument("--schema", default="public", help="the estate's schema (default public)")


def run(args, env) -> int:
    target = env.db_path if args.action == "migrate" else args.target
    try:
        if args.action == "migrate":
            return asyncio.run(_migrate(env.db_path, env.db_schema))
        return asyncio.run(_copy(args.source, args.target, args.schema))
    except backend.unreachable() as exc:
        print(unreachable(target, exc), file=sys.stderr)
        return 1


def unreachable(target: str, exc: BaseException) -> str:
    """PostgreSQL down or unknown, said in two lines."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (f"estatedesk: cannot reach the database {_shown(target)} ({reason}).\n"
            f"  Is PostgreSQL running and the URL right? Nothing was changed.")


async def _migrate(target: str, schema: str) -> int:
    db = backend.open_database(target, schema)
    await db.open()
    await db.close()
    print(f"db: {_shown(target)} is at schema version {len(MIGRATIONS)}.")
    return 0


def _shown(target: str) -> str:
    """The target without a password."""
    if "://" in target and "@" in target:
        scheme, rest = target.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return target


async def _copy(source: Path, target: str, schema: str) -> int:
    if not source.exists():
        print(f"db copy: there is no database at {source}", file=sys.stderr)
        return 1
    sqlite_db = Database(str(source))
    await sqlite_db.open()  # brings the file to the current schema first
    await sqlite_db.close()
    from storage import pg_copy
    from storage.postgres import PgDatabase
    pg = PgDatabase(target, schema)
    await pg.open()
    try:
        copied = await pg_copy.copy_file(source, pg)
    except pg_copy.NotEmpty as exc:
        print(f"db copy: the table {exc} in {schema} is not empty: nothing was copied",
              file=sys.stderr)
        return 1
    finally:
        await pg.close()
    for table, count in copied:
        print(f"{table}\t{count}")
    print(f"db copy: {sum(c for _, c in copied)} rows in {len(copied)} tables copied to "
          f"{_shown(target)} (schema {schema}); the counts match.")
    return 0
