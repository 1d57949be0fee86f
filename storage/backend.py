"""Which database an estate lives in, without loading PostgreSQL's driver for a SQLite file:
psycopg and its pool cost a process ~20 MiB and a tenth of a second at start-up, so
`storage.postgres` is imported only when ESTATEDESK_DB is a postgresql:// URL."""

from __future__ import annotations

import sys
from typing import Any

from storage.db import Database


def is_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def open_database(target: str, schema: str = "public", pool_size: int = 10) -> Any:
    """A file path (SQLite, the default) or a postgresql:// URL (the desk takes either
    backend's database)."""
    if is_url(target):
        from storage.postgres import PgDatabase
        return PgDatabase(target, schema, max_size=pool_size)
    return Database(target)


def unreachable() -> tuple[type[BaseException], ...]:
    """PostgreSQL's "the server cannot be reached" errors; none while its driver was never
    loaded (nothing can raise them then). For `except unreachable():` and isinstance."""
    postgres = sys.modules.get("storage.postgres")
    return postgres.UNREACHABLE if postgres is not None else ()


def is_postgres(db: object) -> bool:
    postgres = sys.modules.get("storage.postgres")
    return postgres is not None and isinstance(db, postgres.PgDatabase)
