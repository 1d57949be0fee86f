"""An estate's SQLite file copied into an empty PostgreSQL schema (`estatedesk db copy`):
every table (by COPY), in the order their references need, in one transaction, each count
checked, the ids' sequences set to go on after the copied rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from psycopg import sql

from storage.postgres import PgDatabase

BATCH = 1000


class NotEmpty(Exception):
    """The target schema already holds data (the table's name)."""


async def copy_file(source: Path, pg: PgDatabase) -> list[tuple[str, int]]:
    """One transaction: all of it or nothing."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    copied = []
    try:
        async with pg.transaction(pipeline=False) as conn:  # COPY: not in a pipeline
            tables = await _tables_in_order(conn)
            for table in tables:
                row = await (await conn.execute(f"SELECT count(*) FROM {table}")).fetchone()
                if row[0]:
                    raise NotEmpty(table)
            for table in tables:
                columns = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
                names = ", ".join(columns)
                cursor = src.execute(f"SELECT {names} FROM {table}")  # noqa: S608 (schema names)
                count = 0
                into = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
                async with conn.raw.cursor().copy(into) as copy:  # the bulk path: no statements
                    while rows := cursor.fetchmany(BATCH):
                        for row in rows:
                            await copy.write_row(row)
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
