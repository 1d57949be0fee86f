"""Which database the suite runs on: SQLite (a file per test) by default; PostgreSQL when
ESTATEDESK_TEST_BACKEND=postgres (a schema per test on ESTATEDESK_TEST_PG, by default the
local server's database `test`).

A test's desk (`database()` with no schema named) starts on an empty estate already at the
current schema, made the production way (Database.open, PgDatabase.open) once per test
process rather than once per test: running every migration for each of ~600 tests was a
third of the suite's time. On SQLite the test's file is a copy of a migrated file; on
PostgreSQL it is a migrated schema, either new or one an earlier test was lent and that was
emptied after it (`recycle`: its rows deleted and its sequences reset, once every desk on it
closed; a schema whose tables, columns, indexes, constraints, triggers or functions differ
from a freshly migrated one is dropped, never lent again). Migrating from nothing stays
tested where it is the subject: tests/test_migrations.py, test_postgres_schema.py, the bot
processes `for_process` prepares (they create their own estate), and whatever names its
schema with `fresh_schema()`. A test that changes the migrations opens the usual way."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import storage.db
import storage.postgres
from storage import migrations, pg_migrations
from storage.backup import create_private
from storage.db import Database
from storage.postgres import PgDatabase

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
POSTGRES = os.environ.get("ESTATEDESK_TEST_BACKEND", "sqlite") == "postgres"
PG_URL = os.environ.get("ESTATEDESK_TEST_PG", "") or DEFAULT_PG


CREATED: list[str] = []  # the schemas this session made, dropped at its end


def fresh_schema() -> str:
    """A new schema's name; nothing is created until a desk opens it."""
    CREATED.append(f"t_{uuid.uuid4().hex[:16]}")
    return CREATED[-1]


def drop_created() -> None:
    """Drops this session's schemas (from conftest, when the session finishes)."""
    if not CREATED:
        return
    import psycopg
    from psycopg import sql
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for schema in CREATED:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema)))


def database(path: Path, schema: str | None = None):
    """The test's database: at `path` on SQLite, or in `schema` on PostgreSQL. Without a
    schema (or a file at `path`), an empty one at the current schema."""
    if POSTGRES:
        if schema is None and _as_released():
            return _lend()
        db = PgDatabase(PG_URL, schema or fresh_schema(), max_size=4)
        if db.schema in _LENT:  # the test's desk again (a restart): emptied once both closed
            _OPENED[db.schema].append(db)
        return db
    if _as_released() and not os.path.lexists(path):
        create_private(path)  # residents' numbers: the owner's eyes only, as Database makes it
        shutil.copyfile(_sqlite_template(), path)
    return Database(str(path))


def for_process(path: Path, schema: str | None = None) -> tuple[str, dict[str, str]]:
    """Where a bot process a test starts keeps its estate: ESTATEDESK_DB, and the schema."""
    if POSTGRES:
        return PG_URL, {"ESTATEDESK_SCHEMA": schema or fresh_schema()}
    return str(path), {}


def stored(path: Path, schema: str | None, query: str, *args) -> list[tuple]:
    """Reads what a process stored, from outside it."""
    if POSTGRES:
        import psycopg
        from psycopg import sql

        from storage import dialect
        with psycopg.connect(PG_URL) as conn:
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema or "")))
            text, _ = dialect.postgres(query, frozenset())
            return [tuple(r) for r in conn.execute(text, args).fetchall()]
    import sqlite3
    with sqlite3.connect(path) as conn:
        return conn.execute(query, args).fetchall()


def _as_released() -> bool:
    """The migrations are the code's own (a test may stand the desk at an older schema)."""
    return (storage.db.MIGRATIONS is migrations.MIGRATIONS
            and storage.postgres.MIGRATIONS is migrations.MIGRATIONS
            and storage.postgres.STEPS is pg_migrations.STEPS
            and storage.postgres.BASELINE_SQL == _BASELINE_SQL)


_BASELINE_SQL = storage.postgres.BASELINE_SQL


def _opened_and_closed(db) -> None:
    """Opens and closes a database the production way, from a thread of its own (the caller
    may be inside a test's running event loop)."""
    async def both() -> None:
        await db.open()
        await db.close()
    with ThreadPoolExecutor(1) as apart:
        apart.submit(asyncio.run, both()).result()


# --- SQLite: one migrated file per test process, copied for each test ---

_TEMPLATE: list[Path] = []


def _sqlite_template() -> Path:
    if not _TEMPLATE:
        folder = tempfile.mkdtemp(prefix="estatedesk-migrated-")
        atexit.register(shutil.rmtree, folder, True)
        path = Path(folder) / "migrated.sqlite3"
        _opened_and_closed(Database(str(path)))
        # Closing the last connection moved the WAL into the file: the file is the database.
        assert not Path(f"{path}-wal").exists(), "the migrated file kept a WAL"
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


# --- PostgreSQL: migrated schemas, lent to one test at a time and emptied after it ---

_SPARE: list[str] = []  # emptied, at the current schema: lent to the next test
_LENT: list[str] = []  # lent since the last recycle
_OPENED: dict[str, list] = {}  # schema -> the desks made on it here (each closed before reuse)
_FRESH: list[str] = []  # the catalog's digest of a freshly migrated schema, once known

# Everything a migration or a test's DDL could change in a schema, with the schema's own
# name taken out (indexes and functions name it), hashed in one round trip.
_SHAPE = """
SELECT md5(string_agg(replace(d, quote_ident(%(name)s::text) || '.', ''), E'\\n' ORDER BY d)) FROM (
  SELECT format('%%s %%s %%s', c.relname, c.relkind, pg_get_indexdef(c.oid)) AS d
    FROM pg_class c WHERE c.relnamespace = %(s)s::regnamespace
  UNION ALL
  SELECT format('%%s.%%s %%s %%s %%s %%s', c.relname, a.attname,
                format_type(a.atttypid, a.atttypmod), a.attidentity,
                a.attnotnull, pg_get_expr(f.adbin, f.adrelid))
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef f ON f.adrelid = a.attrelid AND f.adnum = a.attnum
   WHERE c.relnamespace = %(s)s::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT format('%%s %%s', conname, pg_get_constraintdef(oid)) FROM pg_constraint
   WHERE connamespace = %(s)s::regnamespace
  UNION ALL
  SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE c.relnamespace = %(s)s::regnamespace AND NOT t.tgisinternal
  UNION ALL
  SELECT pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = %(s)s::regnamespace
) shape
"""
_TABLES = ("SELECT tablename FROM pg_tables WHERE schemaname = %s "
           "AND tablename <> 'schema_version' ORDER BY tablename")
_RESTART_SEQUENCES = ("SELECT setval(c.oid, s.seqstart, false) FROM pg_sequence s "
                      "JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relnamespace = "
                      "%s::regnamespace")


def _lend() -> PgDatabase:
    if not _SPARE:
        schema = fresh_schema()
        _opened_and_closed(PgDatabase(PG_URL, schema, max_size=1))
        if not _FRESH:
            _FRESH.append(_inspect(schema))
        _SPARE.append(schema)
    schema = _SPARE.pop()
    _LENT.append(schema)
    db = PgDatabase(PG_URL, schema, max_size=4)
    _OPENED.setdefault(schema, []).append(db)
    return db


def _inspect(schema: str) -> str:
    """The shape of a freshly migrated schema; an empty string when a migration wrote rows
    (then emptying would not give a fresh estate: every test gets a new schema)."""
    import psycopg
    from psycopg import sql
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(_TABLES, (schema,)).fetchall()]
        rows = conn.execute(sql.SQL(" UNION ALL ").join(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, t))
            for t in tables)).fetchall()
        if any(n for (n,) in rows):
            return ""
        return conn.execute(_SHAPE, {"s": schema, "name": schema}).fetchone()[0]


def recycle() -> None:
    """After each test (conftest): each schema lent whose desks all closed is emptied and
    lent again, or dropped when a test changed its shape; one still open waits."""
    waiting = [s for s in _LENT if any(db._pool is not None for db in _OPENED.get(s, []))]
    done = [s for s in _LENT if s not in waiting]
    _LENT[:] = waiting
    if not done:
        return
    import psycopg
    from psycopg import sql
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        # A connection a test left in a transaction must not hang the suite: leave its schema.
        conn.execute("SET lock_timeout = '5s'")
        for schema in done:
            _OPENED.pop(schema, None)
            try:
                shape = conn.execute(_SHAPE, {"s": schema, "name": schema}).fetchone()[0]
                if _FRESH[0] and shape == _FRESH[0] and _at_current(conn, schema):
                    _empty(conn, schema)
                    _SPARE.append(schema)
                else:
                    conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(
                        sql.Identifier(schema)))
            except psycopg.errors.LockNotAvailable:
                pass  # still held: dropped when the session ends


def _at_current(conn, schema: str) -> bool:
    """Its version is the code's (a test may have written an older one to the table)."""
    from psycopg import sql
    versions = conn.execute(sql.SQL("SELECT version FROM {}").format(
        sql.Identifier(schema, "schema_version"))).fetchall()
    return versions == [(len(migrations.MIGRATIONS),)]


def _empty(conn, schema: str) -> None:
    """Every row but the schema's version deleted, every sequence back at its start, in one
    transaction. DELETE with the foreign keys' triggers off (a superuser's session setting)
    costs a hundredth of TRUNCATE's new files; TRUNCATE when that is not allowed."""
    import psycopg
    from psycopg import sql
    tables = [sql.Identifier(schema, r[0]) for r in conn.execute(_TABLES, (schema,)).fetchall()]
    try:
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
            conn.execute(sql.SQL("; ").join(sql.SQL("DELETE FROM {}").format(t) for t in tables))
            conn.execute(_RESTART_SEQUENCES, (schema,))
    except psycopg.errors.InsufficientPrivilege:
        with conn.transaction():
            conn.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(tables)))
            conn.execute(_RESTART_SEQUENCES, (schema,))
