"""Which database the suite runs on: SQLite (a file per test) by default; PostgreSQL when
ESTATEDESK_TEST_BACKEND=postgres (a fresh schema per test on ESTATEDESK_TEST_PG, by default
the local server's database `test`)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from storage.db import Database
from storage.postgres import PgDatabase

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
POSTGRES = os.environ.get("ESTATEDESK_TEST_BACKEND", "sqlite") == "postgres"
PG_URL = os.environ.get("ESTATEDESK_TEST_PG", "") or DEFAULT_PG


CREATED: list[str] = []  # the schemas this session made, dropped at its end


def fresh_schema() -> str:
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
    """The test's database: at `path` on SQLite, or in `schema` on PostgreSQL."""
    if POSTGRES:
        return PgDatabase(PG_URL, schema or fresh_schema(), max_size=4)
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
