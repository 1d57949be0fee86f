"""The SQL the storage functions write is SQLite's; this turns a statement into PostgreSQL's,
once per statement text (cached): `?` placeholders become `%s` (and a literal `%` doubles),
`group_concat` is `string_agg`, `instr` is `strpos`, and an INSERT into a table with an
identity id returns it (psycopg has no lastrowid). What cannot be said the same way in both
is written per backend where it is used (`conn.dialect`)."""

from __future__ import annotations

import re
from functools import lru_cache

_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_GROUP_CONCAT = re.compile(r"group_concat\(([^(),]+)(?:,\s*('[^']*'))?\)", re.IGNORECASE)
_INSTR = re.compile(r"\binstr\(", re.IGNORECASE)
_SELECT = re.compile(r"^\s*\(?\s*SELECT\b", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


def _placeholders(sql: str) -> str:
    """`?` -> `%s` outside quoted text; `%` -> `%%` everywhere (psycopg's own escape)."""
    out, quote = [], None
    for ch in sql:
        if quote:
            if ch == quote:
                quote = None
            out.append("%%" if ch == "%" else ch)
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=4096)
def postgres(sql: str, id_tables: frozenset[str]) -> tuple[str, bool]:
    """(the statement for PostgreSQL, whether it now returns the inserted row's id)."""
    text = _GROUP_CONCAT.sub(
        lambda m: f"string_agg(({m.group(1)})::text, {m.group(2) or chr(39) + ',' + chr(39)})",
        sql)
    text = _INSTR.sub("strpos(", text)
    text = _placeholders(text)
    insert = _INSERT.match(text)
    returns_id = bool(insert and insert.group(1) in id_tables and
                      "RETURNING" not in text.upper())
    if returns_id:
        text = text.rstrip().rstrip(";") + " RETURNING id"
    return text, returns_id


def is_select(sql: str) -> bool:
    """A SELECT: its answer is read only by fetching it (a write's rowcount is read at once)."""
    return _SELECT.match(sql) is not None


def returns_rows(sql: str) -> bool:
    """A write RETURNING rows: its caller reads them by fetching, as a SELECT's."""
    return _RETURNING.search(sql) is not None
