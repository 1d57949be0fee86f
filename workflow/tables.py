"""The files the office imports, read the same way by every import: a CSV (UTF-8, as Excel
saves it) or the first sheet of an XLSX, row by row with its line number, every cell as text
without control characters. What cannot be read is a problem on its line, never a
traceback: a cell beyond the csv module's limit (131,072 characters), a quote that does not
close, a file too long to be an estate's list."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from workflow.text import clean

MAX_ROWS = 100_000  # far more than an estate lists; a file with more is refused unread


class TableError(Exception):
    """Every problem of an imported file, each with its line; nothing of the file is used."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"line {line}: {problem}" for line, problem in problems))
        self.problems = sorted(problems)


@dataclass
class Table:
    header: tuple[str, ...]  # the first row, trimmed and in lower case
    rows: list[tuple[int, list[str]]]  # each later row that has a value, with its line
    problems: list[tuple[int, str]] = field(default_factory=list)  # lines not read


def read(raw: bytes, filename: str, error: type[TableError] = TableError) -> Table:
    """The file's rows; `error` (the import's own kind of TableError) when it cannot be read
    at all."""
    lines = _xlsx(raw, error) if filename.lower().endswith(".xlsx") else _csv(raw, error)
    header: tuple[str, ...] = ()
    rows: list[tuple[int, list[str]]] = []
    problems: list[tuple[int, str]] = []
    for line, cells in lines:
        if isinstance(cells, str):
            problems.append((line, cells))
            continue
        cells = [clean(c) for c in cells]
        if not header and not rows and line == 1:
            header = tuple(c.strip().lower() for c in cells)
        elif any(c.strip() for c in cells):
            rows.append((line, cells))
    return Table(header, rows, problems)


UNREADABLE = ("a value is longer than 131,072 characters, or its quotes do not close: "
              "this line cannot be read")


def _csv(raw: bytes, error: type[TableError]):
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error([(1, "the file is not UTF-8 text; save it as 'CSV UTF-8'")]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            if reader.line_num < start:  # nothing more was read: the end
                return
            yield start, UNREADABLE
            continue
        if start > MAX_ROWS:
            raise error([(start, f"the file has more than {MAX_ROWS:,} lines; split it")])
        yield start, cells


def _xlsx(raw: bytes, error: type[TableError]):
    from openpyxl import load_workbook  # only an import of a sheet needs it
    try:
        sheet = load_workbook(io.BytesIO(raw), read_only=True, data_only=True).active
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise error([(1, f"cannot be read as XLSX ({exc.__class__.__name__})")]) from exc
    if sheet is None:
        raise error([(1, "the workbook has no sheet")])
    # A read-only sheet believes the size the file declares, which may be false: the rows
    # are read as they are, each with its own number.
    sheet.reset_dimensions()
    rows = sheet.iter_rows()
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # a damaged sheet is found while it is read
            raise error([(1, f"cannot be read as XLSX ({exc.__class__.__name__})")]) from exc
        number = next((c.row for c in row if getattr(c, "row", None)), None)
        if number is None:
            continue
        if number > MAX_ROWS:
            raise error([(number, f"the sheet has more than {MAX_ROWS:,} rows; split it")])
        yield number, ["" if c.value is None else str(c.value) for c in row]
