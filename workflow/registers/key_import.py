"""The key register as the office keeps it: a CSV (UTF-8, as Excel saves it) with the columns
tag, kind, label, building, unit, spare. A resident's deposited key names its unit; a key of
the estate leaves building and unit empty; spare is yes for a key of the emergency spare
set. Every row is checked first, and every row must name a unit on the roster: a file with
a bad row changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database
from storage.registers import keys
from workflow import tables, units
from workflow.registers.keys import KINDS, OWNER_KINDS

COLUMNS = ("tag", "kind", "label", "building", "unit", "spare")
YES = {"yes", "y", "1", "true", "是"}


@dataclass(frozen=True)
class Row:
    line: int
    tag: str
    kind: str
    label: str
    building: str
    unit: str
    spare: bool


class KeyFileError(tables.TableError):
    pass


def parse(raw: bytes) -> list[Row]:
    table = tables.read(raw, "keys.csv", KeyFileError)
    if table.header != COLUMNS:
        raise KeyFileError([(1, "the first line must be the columns: " + ",".join(COLUMNS))])
    rows, problems, seen = [], list(table.problems), set()
    for number, cells in table.rows:
        cells = [c.strip() for c in cells] + [""] * (len(COLUMNS) - len(cells))
        tag, kind, label, building, unit, spare = cells[:6]
        if not tag or not label or len(tag) > 30 or len(label) > 100:
            problems.append((number, "tag and label must be given (tag up to 30 characters)"))
        elif kind not in KINDS:
            problems.append((number, f"kind must be one of {', '.join(KINDS)}"))
        elif (kind in OWNER_KINDS) != bool(building and unit):
            problems.append((number, "a resident's key names its building and unit; an "
                                     "estate's key leaves them empty"))
        elif tag.upper() in seen:
            problems.append((number, f"the tag {tag} is listed twice"))
        else:
            seen.add(tag.upper())
            rows.append(Row(number, tag.upper(), kind, label, building, unit, spare.lower() in YES))
    if problems:
        raise KeyFileError(problems)
    return rows


async def load(db: Database, rows: list[Row]) -> int:
    """All in one transaction, or nothing: the new keys. A row naming a unit the roster does
    not know (or more than one) is a KeyFileError, every such row with its line."""
    new, problems = 0, []
    async with db.transaction() as conn:
        for row in rows:
            unit_id = None
            if row.building:  # written as people write units: "A 12F-3", "a-12-3"
                found, _ = await units.find(conn, f"{row.building} {row.unit}")
                if len(found) != 1:
                    problems.append((row.line, f"{row.building} {row.unit} is not a unit on "
                                               "the roster"))
                    continue
                unit_id = found[0].id
            new += await keys.upsert(conn, row.tag, row.kind, row.label, unit_id, row.spare)
        if problems:
            raise KeyFileError(problems)  # undoes the rows written before it
    return new
