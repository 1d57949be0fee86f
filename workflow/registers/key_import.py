"""The key register as the office keeps it: a CSV (UTF-8, as Excel saves it) with the columns
tag, kind, label, building, unit, spare. A resident's deposited key names its unit; a key of
the estate leaves building and unit empty; spare is yes for a key of the emergency spare
set. Every row is checked first; a bad file changes nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from storage.db import Database
from storage.registers import keys
from workflow import units
from workflow.registers.keys import KINDS, OWNER_KINDS

COLUMNS = ("tag", "kind", "label", "building", "unit", "spare")
YES = {"yes", "y", "1", "true", "是"}


@dataclass(frozen=True)
class Row:
    tag: str
    kind: str
    label: str
    building: str
    unit: str
    spare: bool


class KeyFileError(Exception):
    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def parse(raw: bytes) -> list[Row]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KeyFileError([(1, "the file is not UTF-8 text; save it as 'CSV UTF-8'")]) from exc
    lines = list(csv.reader(io.StringIO(text, newline="")))
    if not lines or tuple(c.strip().lower() for c in lines[0]) != COLUMNS:
        raise KeyFileError([(1, "the first line must be the columns: " + ",".join(COLUMNS))])
    rows, problems, seen = [], [], set()
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
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
            rows.append(Row(tag.upper(), kind, label, building, unit, spare.lower() in YES))
    if problems:
        raise KeyFileError(problems)
    return rows


async def load(db: Database, rows: list[Row]) -> tuple[int, list[str]]:
    """All in one transaction: (new keys, units not on the roster). A row naming a unit the
    roster does not know is left out and reported."""
    new, unknown = 0, []
    async with db.transaction() as conn:
        for row in rows:
            unit_id = None
            if row.building:  # written as people write units: "A 12F-3", "a-12-3"
                found, _ = await units.find(conn, f"{row.building} {row.unit}")
                if len(found) != 1:
                    unknown.append(f"{row.building} {row.unit}")
                    continue
                unit_id = found[0].id
            new += await keys.upsert(conn, row.tag, row.kind, row.label, unit_id, row.spare)
    return new, unknown
