"""The key register as the office keeps it: a CSV (UTF-8, as Excel saves it) or an XLSX with
the columns tag, kind, label, building, unit, spare, copies. A resident's deposited key names
its unit; a key of the estate leaves building and unit empty; spare is yes or no, and a
spare (of the emergency set) names in copies the tag of the key it copies. Every row is
checked, and every bad row reported with its line: a file with a bad row changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database
from storage.registers import keys
from workflow import tables, units
from workflow.registers.keys import KINDS, OWNER_KINDS

COLUMNS = ("tag", "kind", "label", "building", "unit", "spare", "copies")
YES = {"yes", "y", "1", "true", "是"}
NO = {"no", "n", "0", "false", "否", ""}


@dataclass(frozen=True)
class Row:
    line: int
    tag: str
    kind: str
    label: str
    building: str
    unit: str
    spare: bool
    copies: str | None = None


class KeyFileError(tables.TableError):
    pass


def check(raw: bytes, filename: str = "keys.csv") -> tuple[list[Row], list[tuple[int, str]]]:
    """The good rows and the problems of the others (what the file alone shows)."""
    table = tables.read(raw, filename, KeyFileError)
    if table.header not in (COLUMNS, COLUMNS[:-1]):  # copies may be left out: no spares
        raise KeyFileError([(1, "the first line must be the columns: " + ",".join(COLUMNS))])
    rows, problems, seen = [], list(table.problems), set()
    for number, cells in table.rows:
        cells = [c.strip() for c in cells] + [""] * (len(COLUMNS) - len(cells))
        tag, kind, label, building, unit, spare, copies = cells[:7]
        if not tag or not label or len(tag) > 30 or len(label) > 100:
            problems.append((number, "tag and label must be given (tag up to 30 characters)"))
        elif kind not in KINDS:
            problems.append((number, f"kind must be one of {', '.join(KINDS)}"))
        elif (kind in OWNER_KINDS) != bool(building and unit):
            problems.append((number, "a resident's key names its building and unit; an "
                                     "estate's key leaves them empty"))
        elif spare.lower() not in YES | NO:
            problems.append((number, f"spare must be yes or no, not {spare}"))
        elif (spare.lower() in YES) != bool(copies):
            problems.append((number, "a spare key names the tag of the key it copies (the "
                                     "column copies); a key that is no spare leaves it empty"))
        elif tag.upper() in seen:
            problems.append((number, f"the tag {tag} is listed twice"))
        else:
            seen.add(tag.upper())
            rows.append(Row(number, tag.upper(), kind, label, building, unit,
                            spare.lower() in YES, copies.upper() or None))
    return rows, problems


def parse(raw: bytes, filename: str = "keys.csv") -> list[Row]:
    rows, problems = check(raw, filename)
    if problems:
        raise KeyFileError(problems)
    return rows


async def load(db: Database, rows: list[Row], problems: list[tuple[int, str]] | None = None,
               ) -> int:
    """All in one transaction, or nothing: the new keys. A row naming a unit the roster does
    not know (or more than one), or a spare of a key neither in the file nor in the register,
    is a problem; with the file's own `problems`, every bad row is a KeyFileError with its
    line, and nothing is written."""
    new, problems = 0, list(problems or [])
    async with db.transaction() as conn:
        known = await keys.tags(conn) | {r.tag for r in rows if not r.spare}
        for row in rows:
            unit_id = None
            if row.copies and row.copies not in known:
                problems.append((row.line, f"the spare copies {row.copies}, which is no key "
                                           "of the file or the register"))
                continue
            if row.building:  # written as people write units: "A 12F-3", "a-12-3"
                found, _ = await units.find(conn, f"{row.building} {row.unit}")
                if len(found) != 1:
                    problems.append((row.line, f"{row.building} {row.unit} is not a unit on "
                                               "the roster"))
                    continue
                unit_id = found[0].id
            if not problems:
                new += await keys.upsert(conn, row.tag, row.kind, row.label, unit_id,
                                         row.spare, row.copies)
        if problems:
            raise KeyFileError(problems)  # undoes the rows written before it
    return new
