"""The database from the command line: `db migrate` brings ESTATEDESK_DB (a file, or a
postgresql:// URL) to the current schema; `db copy --from FILE --to URL` moves an estate from
SQLite to an empty PostgreSQL schema, every row, and checks the counts."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

from storage.db import Database
from storage.migrations import MIGRATIONS
from storage.postgres import PgDatabase, open_database

BATCH = 1000


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
    if args.action == "migrate":
        return asyncio.run(_migrate(env.db_path, env.db_schema))
    return asyncio.run(_copy(args.source, args.target, args.schema))


async def _migrate(target: str, schema: str) -> int:
    db = open_database(target, schema)
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
    pg = PgDatabase(target, schema)
    await pg.open()
    try:
        copied = await _copy_rows(source, pg)
    except _NotEmpty as exc:
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


class _NotEmpty(Exception):
    pass


async def _copy_rows(source: Path, pg: PgDatabase) -> list[tuple[str, int]]:
    """One transaction: all of it or nothing."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    copied = []
    try:
        async with pg.transaction() as conn:
            tables = await _tables_in_order(conn)
            for table in tables:
                row = await (await conn.execute(f"SELECT count(*) FROM {table}")).fetchone()
                if row[0]:
                    raise _NotEmpty(table)
            for table in tables:
                columns = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
                names = ", ".join(columns)
                marks = ", ".join("?" for _ in columns)
                cursor = src.execute(f"SELECT {names} FROM {table}")  # noqa: S608 (schema names)
                count = 0
                while rows := cursor.fetchmany(BATCH):
                    await conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                                           rows)
                    count += len(rows)
                check = await (await conn.execute(f"SELECT count(*) FROM {table}")).fetchone()
                assert check[0] == count, f"{table}: {check[0]} rows arrived of {count}"
                if "id" in columns:  # new rows continue after the copied ones
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
                copied.append((table, count))
    finally:
        src.close()
    return copied


async def _tables_in_order(conn) -> list[str]:
    """The schema's tables, each after the tables it references."""
    cur = await conn.execute(
        "SELECT c.relname, coalesce(array_agg(r.relname) FILTER (WHERE r.relname IS NOT NULL "
        "AND r.relname != c.relname), '{}') FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
        "LEFT JOIN pg_constraint f ON f.conrelid = c.oid AND f.contype = 'f' "
        "LEFT JOIN pg_class r ON r.oid = f.confrelid "
        "WHERE c.relkind = 'r' AND c.relname != 'schema_version' GROUP BY c.relname")
    needs = {name: set(refs) for name, refs in await cur.fetchall()}
    ordered: list[str] = []
    while len(ordered) < len(needs):
        ordered += sorted(t for t, refs in needs.items()
                          if t not in ordered and refs <= set(ordered))
    return ordered
