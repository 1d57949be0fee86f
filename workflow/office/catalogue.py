"""The storeroom's catalogue as the office keeps it: a CSV (UTF-8, as Excel saves it) or an
XLSX sheet with the columns code, name, unit, unit_price, minimum and, for a new item, its
opening stock. Every row is checked before any is used; a bad file changes nothing."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from storage.db import Database
from storage.office import storeroom
from storage.office.storeroom import Material, Movement
from workflow import numbers, tables

OPENING_NOTE = "opening stock"  # the note of an item's first stock, shown in the reader's words

COLUMNS = ("code", "name", "unit", "unit_price", "minimum")
OPENING = "stock"
MAX_CELL = 100


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    unit: str
    unit_price: Decimal
    minimum: Decimal
    stock: Decimal | None


class CatalogueError(tables.TableError):
    pass


def _number(value: str, read, locale) -> Decimal | None:
    try:
        return read(value, locale, maximum=Decimal(10_000_000), zero=True)
    except numbers.Unreadable:
        return None


def parse(raw: bytes, filename: str, locale: str = "en") -> list[Row]:
    """The rows, checked; numbers read as the office writes them (`locale`)."""
    table = tables.read(raw, filename, CatalogueError)
    header = table.header
    if header not in (COLUMNS, (*COLUMNS, OPENING)):
        raise CatalogueError([(1, "the first line must be the columns: " + ",".join(COLUMNS) +
                               f"[,{OPENING}]")])
    rows, problems, seen = [], list(table.problems), set()
    for line, row in table.rows:
        row = [c.strip() for c in row] + [""] * (len(header) - len(row))
        code, name, unit = unicodedata.normalize("NFKC", row[0]), row[1], row[2]
        price = _number(row[3], numbers.amount, locale)
        minimum = _number(row[4] or "0", numbers.quantity, locale)
        stock = _number(row[5], numbers.quantity, locale) if len(header) > 5 and row[5] \
            else None
        if not code or not name or not unit:
            problems.append((line, "code, name and unit must not be empty"))
        elif any(len(c) > MAX_CELL for c in (code, name, unit)):
            problems.append((line, f"a value is longer than {MAX_CELL} characters"))
        elif price is None or minimum is None or (len(header) > 5 and row[5] and stock is None):
            problems.append((line, "unit_price, minimum and stock must be numbers, 0 or more "
                                   "(unit_price to the cent, quantities to the thousandth)"))
        elif storeroom.code_key(code) in seen:
            problems.append((line, f"the code {code} is listed twice"))
        else:
            seen.add(storeroom.code_key(code))
            rows.append(Row(code, name, unit, price, minimum, stock))
    if problems:
        raise CatalogueError(problems)
    return rows


async def load(db: Database, rows: list[Row], now: datetime) -> tuple[int, int]:
    """All rows in one transaction: (new items, updated items). A new item's opening stock is
    a receipt; a known item's stock moves only by receipts and issues."""
    new = 0
    async with db.transaction() as conn:
        for row in rows:
            material_id, added = await storeroom.upsert(conn, row.code, row.name, row.unit,
                                                        row.unit_price, row.minimum)
            if added:
                new += 1
                if row.stock:
                    await storeroom.move(conn, material_id, row.stock, "receipt", now, None,
                                         note=OPENING_NOTE)
    return new, len(rows) - new


async def listing(db: Database) -> tuple[list[Material], dict[str, Decimal]]:
    async with db.reading() as conn:
        return await storeroom.catalogue(conn), await storeroom.rates(conn)


async def set_rate(db: Database, trade: str, hourly: Decimal | int) -> None:
    async with db.transaction() as conn:
        await storeroom.set_rate(conn, trade, hourly)


async def movements(db: Database, start: datetime, end: datetime) -> list[Movement]:
    async with db.reading() as conn:
        return await storeroom.movements(conn, start, end)
