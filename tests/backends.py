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


def fresh_schema() -> str:
    return f"t_{uuid.uuid4().hex[:16]}"


def database(path: Path, schema: str | None = None):
    """The test's database: at `path` on SQLite, or in `schema` on PostgreSQL."""
    if POSTGRES:
        return PgDatabase(PG_URL, schema or fresh_schema(), max_size=4)
    return Database(str(path))
