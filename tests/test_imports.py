"""The office imports its lists (the roster, the storeroom's catalogue, the buyers' contracts,
the keys, the archive's index, the bills, the developer's units for sale) from what Excel saves, and every import reads them
the same way: a line that cannot be read is reported with its number and nothing of the file
is used, never a traceback; a sheet is read row by row, whatever size it declares; control
characters (NUL above all) are taken out of every cell, the same on SQLite and PostgreSQL."""

import re
import sqlite3
import zipfile

import pytest
import xlsxwriter

from tests.test_roster_cli import cli
from workflow import admin, tables
from workflow.office import catalogue
from workflow.registers import archives, key_import
from workflow.sales import buyers

ROSTER = "building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n"
HUGE = "長" * 140_000  # beyond the csv module's 131,072 characters a cell

# Each import: its command, its columns, a good line, and the table it fills.
IMPORTS = {
    "roster": ("building,unit,name,phone", "B,1F,李大同,0911 000 111", "roster"),
    "materials": ("code,name,unit,unit_price,minimum", "S05,Sink trap,pc,220,1", "materials"),
    "buyers": ("contract,building,unit,name,phone,handover_due",
               "C-001,C,8F-2,王小明,0955 123 456,2026-12-20", "buyers"),
    "keys": ("tag,kind,label,building,unit,spare", "K1,owner_door,front door,A,12F-3,no",
             "keys"),
    "archive": ("code,title,kind,location,confidentiality",
                "D-1,Drawings of A,drawing,Shelf 3,internal", "archive_items"),
    "fees": ("building,unit,period,item,amount,due", "A,12F-3,2026-12,water,412,2026-12-15",
             "bills"),
    "units": ("building,unit,area,price,status", "D,3F-1,31.2,9800000,available",
              "sale_units"),
}


def count(tmp_path, table: str) -> int:
    with sqlite3.connect(tmp_path / "desk.sqlite3") as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def with_roster(tmp_path) -> None:
    roster = tmp_path / "owners.csv"
    roster.write_text(ROSTER)
    assert cli(tmp_path, "roster", "import", str(roster)).returncode == 0


@pytest.mark.parametrize("command", IMPORTS)
def test_a_cell_too_long_to_read_is_a_line_reported_and_nothing_is_imported(tmp_path, command):
    with_roster(tmp_path)
    header, good, table = IMPORTS[command]
    before = count(tmp_path, table)
    file = tmp_path / "list.csv"
    file.write_text(f"{header}\n{good}\n{good.split(',')[0]}2,{HUGE}\n{good}\n",
                    encoding="utf-8")
    result = cli(tmp_path, command, "import", str(file))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "line 3: a value is longer than 131,072 characters" in result.stderr, result.stderr
    assert "Nothing was imported" in result.stderr
    assert count(tmp_path, table) == before


def test_keys_for_a_unit_not_on_the_roster_import_nothing_and_name_their_lines(tmp_path):
    with_roster(tmp_path)
    file = tmp_path / "keys.csv"
    file.write_text("tag,kind,label,building,unit,spare\nK1,owner_door,front door,A,12F-3,no\n"
                    "K2,owner_door,front door,Z,99F-9,no\nK3,public_door,lobby,,,no\n"
                    "K4,owner_inner,bedroom,Y,1F-1,no\n")
    refused = cli(tmp_path, "keys", "import", str(file))
    assert refused.returncode == 1, refused.stdout
    assert "line 3: Z 99F-9 is not a unit on the roster" in refused.stderr
    assert "line 5: Y 1F-1 is not a unit on the roster" in refused.stderr
    assert "2 problem(s). Nothing was imported." in refused.stderr
    assert count(tmp_path, "keys") == 0
    file.write_text("tag,kind,label,building,unit,spare\nK1,owner_door,front door,A,12F-3,no\n"
                    "K3,public_door,lobby,,,no\n")
    made = cli(tmp_path, "keys", "import", str(file))
    assert made.returncode == 0 and "2 keys recorded, 2 new" in made.stdout, made.stderr


def a_sheet_that_understates_its_size(path, rows: list[list[str]]) -> None:
    """A workbook whose declared size (its dimension) says one row of data, whatever it
    holds, as some programs write it."""
    made = path.with_suffix(".made.xlsx")
    book = xlsxwriter.Workbook(made)
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:F2"/>', data)
            target.writestr(item, data)


def test_a_sheet_is_read_row_by_row_whatever_size_it_declares(tmp_path):
    with_roster(tmp_path)
    items = [["code", "name", "unit", "unit_price", "minimum"]] + [
        [f"S{n:02d}", f"Item {n}", "pc", "10", "1"] for n in range(1, 8)]
    a_sheet_that_understates_its_size(tmp_path / "catalogue.xlsx", items)
    made = cli(tmp_path, "materials", "import", str(tmp_path / "catalogue.xlsx"))
    assert made.returncode == 0, made.stderr
    assert count(tmp_path, "materials") == 7
    contracts = [["contract", "building", "unit", "name", "phone", "handover_due"]] + [
        [f"C-{n}", "C", f"{n}F-1", "王小明", f"0955 123 45{n}", "2026-12-20"] for n in range(5)]
    contracts[4][5] = "soon"  # a bad row beyond the declared size is found as well
    a_sheet_that_understates_its_size(tmp_path / "contracts.xlsx", contracts)
    refused = cli(tmp_path, "buyers", "import", str(tmp_path / "contracts.xlsx"))
    assert refused.returncode == 1 and "line 5: dates are written" in refused.stderr
    assert count(tmp_path, "buyers") == 0


def test_a_file_longer_than_any_estates_list_is_refused_unread(monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 3)
    lines = "code,title,kind,location,confidentiality\n" + "".join(
        f"D-{n},Drawing,drawing,Shelf,internal\n" for n in range(5))
    with pytest.raises(archives.ArchiveIndexError) as refused:
        archives.parse_index(lines.encode())
    assert refused.value.problems == [(4, "the file has more than 3 lines; split it")]


async def test_control_characters_in_cells_are_left_out_on_either_database(desk, tmp_path):
    """NUL, which PostgreSQL refuses in text, and the other control characters."""
    await admin.import_roster(desk.db, admin.parse_roster(
        "building,unit,name,phone\nB,1F,李\x00大同\x07,0911 000 111\n".encode()))
    rows = catalogue.parse(b"code,name,unit,unit_price,minimum\nS\x0005,Sink\x00 trap,pc,220,1\n",
                           "catalogue.csv")
    await catalogue.load(desk.db, rows, desk.clock())
    await key_import.load(desk.db, key_import.parse(
        b"tag,kind,label,building,unit,spare\nK\x001,public_door,lobby\x00 door,,,no\n"))
    await archives.load_index(desk.db, archives.parse_index(
        b"code,title,kind,location,confidentiality\nD-1,Plans\x00 of A,drawing,Shelf\x00,"
        b"internal\n"), desk.clock())
    await buyers.import_rows(desk.db, buyers.parse(
        b"contract,building,unit,name,phone,handover_due\nC-\x001,C,8F-2,Wang\x00,0955 123 456,"
        b"2026-12-20\n", "contracts.csv", desk.settings.tz), desk.clock())
    assert await desk.query("SELECT name FROM roster WHERE phone = '0911 000 111'") == [
        ("李大同",)]
    assert await desk.query("SELECT code, name FROM materials") == [("S05", "Sink trap")]
    assert await desk.query("SELECT tag, label FROM keys") == [("K1", "lobby door")]
    assert await desk.query("SELECT code, title, location FROM archive_items") == [
        ("D-1", "Plans of A", "Shelf")]
    assert await desk.query("SELECT contract_no, name FROM buyers") == [("C-1", "Wang")]


def test_bills_for_a_unit_not_on_the_roster_import_nothing_and_name_it(tmp_path):
    with_roster(tmp_path)
    file = tmp_path / "bills.csv"
    file.write_text("building,unit,period,item,amount,due\nA,12F-3,2026-12,water,412,2026-12-15\n"
                    "Z,99F-9,2026-12,water,300,2026-12-15\n")
    refused = cli(tmp_path, "fees", "import", str(file))
    assert refused.returncode == 1 and "line 3: Z 99F-9 is not a unit on the roster" in \
        refused.stderr
    assert "Nothing was imported" in refused.stderr and count(tmp_path, "bills") == 0


def test_the_cashier_hears_of_every_bad_line_of_a_bills_file_at_once(tmp_path):
    """The office mends the file once: each bad line is named (a date, an amount, a unit not
    on the roster), not only the first; dates as the office writes them are dates."""
    with_roster(tmp_path)
    file = tmp_path / "bills.csv"
    file.write_text("building,unit,period,item,amount,due\n"
                    "A,12F-3,2027/02,water,412,2027/02/01\n"  # good: slashes
                    "A,12F-3,2027-02,power,x,2027-02-10\n"  # the amount
                    "A,12F-3,2027-02,gas,200,soon\n"  # the due date
                    "A,12F-3,2027年2月,service,1500,2027-2-1\n")  # good: Chinese, short
    refused = cli(tmp_path, "fees", "import", str(file))
    assert refused.returncode == 1, refused.stdout
    assert "line 3: the amount 'x' is not an amount" in refused.stderr
    assert "line 4: building, unit, period (2026-12), item, amount and due" in refused.stderr
    assert "2 problem(s). Nothing was imported." in refused.stderr, refused.stderr
    assert count(tmp_path, "bills") == 0
    file.write_text("building,unit,period,item,amount,due\n"
                    "A,12F-3,2027/02,water,412,2027/02/01\n"
                    "Z,99F-9,2027-02,water,300,2027年2月1日\n"
                    "Y,1F-1,2027-02,water,300,2027-2-1\n")
    refused = cli(tmp_path, "fees", "import", str(file))
    assert "line 3: Z 99F-9 is not a unit on the roster" in refused.stderr
    assert "line 4: Y 1F-1 is not a unit on the roster" in refused.stderr
    assert count(tmp_path, "bills") == 0
    file.write_text("building,unit,period,item,amount,due\n"
                    "A,12F-3,2027/02,water,412,2027/02/01\n"
                    "A,12F-3,2027年2月,service,1500,2027年2月1日\n")
    assert "2 bills issued" in cli(tmp_path, "fees", "import", str(file)).stdout
    with sqlite3.connect(tmp_path / "desk.sqlite3") as conn:
        assert conn.execute("SELECT DISTINCT period, due_date FROM bills").fetchall() == [
            ("2027-02", "2027-02-01")]
