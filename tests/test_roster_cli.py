"""The office's command line: the owner roster, staff invitations, contractors."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def cli(tmp_path: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {"ESTATEDESK_DB": str(tmp_path / "desk.sqlite3"), "PATH": "/usr/bin:/bin",
                   **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60)


def count(tmp_path: Path, table: str) -> int:
    import sqlite3
    with sqlite3.connect(tmp_path / "desk.sqlite3") as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_roster_saved_by_excel_imports_once(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes("building,unit,name,phone\r\nA,12F-3,陳美玲,0912-345-678\r\n"
                       "A,5F-1,林志明,0922 111 222\r\n\r\n".encode("utf-8-sig"))
    first = cli(tmp_path, "roster", "import", str(roster))
    assert first.returncode == 0, first.stderr
    assert "2 rows read, 2 new" in first.stdout
    again = cli(tmp_path, "roster", "import", str(roster))
    assert "2 rows read, 0 new, 2 already known" in again.stdout
    assert count(tmp_path, "roster") == 2 and count(tmp_path, "units") == 2


@pytest.mark.parametrize("bad_row, problem", [
    ("B,3F,,0933 000 111", "line 3: 'name' is empty"),
    ("B,3F,王,not a phone", "line 3: 'not a phone' is not a phone number"),
    ("B,3F,王", "line 3: expected 4 values, found 3"),
])
def test_a_bad_row_is_named_by_line_and_nothing_is_imported(tmp_path, bad_row, problem):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"building,unit,name,phone\nA,1F,李,0911 000 111\n{bad_row}\n",
                      encoding="utf-8")
    result = cli(tmp_path, "roster", "import", str(roster))
    assert result.returncode == 1
    assert problem in result.stderr and "Nothing was imported" in result.stderr
    assert count(tmp_path, "roster") == 0


def test_a_roster_with_the_wrong_columns_or_encoding(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("unit,name\n1F,李\n", encoding="utf-8")
    assert "line 1: the first line must be the columns" in cli(
        tmp_path, "roster", "import", str(roster)).stderr
    roster.write_bytes("building,unit,name,phone\nA,1F,李,0911\n".encode("big5"))
    assert "not UTF-8" in cli(tmp_path, "roster", "import", str(roster)).stderr
    assert "cannot read" in cli(tmp_path, "roster", "import", str(tmp_path / "none.csv")).stderr


def test_staff_invitations_and_removal(tmp_path):
    result = cli(tmp_path, "staff", "invite", "--role", "clerk", "--name", "Front desk")
    assert result.returncode == 0, result.stderr
    assert "/start " in result.stdout  # no token yet: the code to send by hand
    assert "No staff yet" in cli(tmp_path, "staff", "list").stdout
    assert cli(tmp_path, "staff", "invite", "--role", "owner").returncode == 2
    removal = cli(tmp_path, "staff", "remove", "12345")
    assert removal.returncode == 1 and "no staff member" in removal.stderr
    short = cli(tmp_path, "staff", "invite", "--role", "technician", "--expires", "2d")
    assert "valid until" in short.stdout
    code = short.stdout.split("code: ")[1].split()[0]
    assert "revoked" in cli(tmp_path, "staff", "revoke", code).stdout
    assert cli(tmp_path, "staff", "revoke", code).returncode == 1


def test_an_invitation_code_never_looks_like_an_option():
    import asyncio
    from datetime import UTC, datetime

    from storage.db import Database
    from workflow import admin

    async def many(path) -> list[str]:
        db = Database(str(path))
        await db.open()
        try:
            return [await admin.invite(db, "clerk", None, datetime.now(UTC))
                    for _ in range(300)]
        finally:
            await db.close()

    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        codes = asyncio.run(many(folder + "/desk.sqlite3"))
    assert not any(c.startswith("-") or "-" in c for c in codes)


def test_contractors_are_listed_with_their_trades(tmp_path):
    added = cli(tmp_path, "contractor", "add", "--name", "Aqua Works", "--trades",
                "plumbing,leaks_damp", "--phone", "02-2345-6789")
    assert added.returncode == 0, added.stderr
    listing = cli(tmp_path, "contractor", "list").stdout
    assert "Aqua Works\t02-2345-6789\tplumbing,leaks_damp" in listing
    wrong = cli(tmp_path, "contractor", "add", "--name", "X", "--trades", "roofing")
    assert wrong.returncode == 1 and "unknown trade roofing" in wrong.stderr
    contract = cli(tmp_path, "contractor", "add", "--name", "Bright Electric", "--trades",
                   "electrical", "--deadline", "2d")
    assert "repairs within 2d" in contract.stdout
    assert "Bright Electric\t\telectrical\trepairs within 2d" in cli(
        tmp_path, "contractor", "list").stdout
    # A contract of 90 minutes stays 90 minutes: never rounded to whole hours.
    quick = cli(tmp_path, "contractor", "add", "--name", "Lift Co", "--trades", "public_areas",
                "--deadline", "90m")
    assert "repairs within 90m" in quick.stdout
    assert "Lift Co\t\tpublic_areas\trepairs within 90m" in cli(
        tmp_path, "contractor", "list").stdout
    vague = cli(tmp_path, "contractor", "add", "--name", "Y", "--trades", "other",
                "--deadline", "soon")
    assert vague.returncode == 1 and "'soon' is not a duration" in vague.stderr


def test_a_units_staff_are_invited_by_the_units_key(tmp_path):
    added = cli(tmp_path, "contractor", "add", "--name", "Aqua Works", "--trades", "plumbing",
                "--key", "aqua", "--deadline", "3d", "--response", "4h")
    assert "accepts within 4h" in added.stdout, added.stderr
    assert cli(tmp_path, "contractor", "list").stdout.startswith(
        "aqua\tAqua Works\t\tplumbing\trepairs within 3d\taccepts within 4h")
    taken = cli(tmp_path, "contractor", "add", "--name", "Other", "--trades", "plumbing",
                "--key", "aqua")
    assert taken.returncode == 1 and "another unit's key" in taken.stderr
    invited = cli(tmp_path, "staff", "invite", "--role", "contractor", "--contractor", "aqua",
                  "--name", "Aqua Works: site lead")
    assert invited.returncode == 0 and "code:" in invited.stdout, invited.stderr
    unknown = cli(tmp_path, "staff", "invite", "--role", "contractor", "--contractor", "nope")
    assert unknown.returncode == 1 and "no responsible unit has the key nope" in unknown.stderr
    missing = cli(tmp_path, "staff", "invite", "--role", "contractor")
    assert missing.returncode == 1 and "--contractor KEY goes with --role contractor" in \
        missing.stderr
    for role in ("supervising_engineer", "project_department"):
        assert cli(tmp_path, "staff", "invite", "--role", role).returncode == 0


def test_run_without_a_token_says_how_to_get_one(tmp_path):
    result = cli(tmp_path, "run")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr and "@BotFather" in result.stderr


def test_a_wrong_setting_is_named_with_its_fix(tmp_path):
    config = tmp_path / "estate.toml"
    config.write_text('timezone = "Asia/Taipe"\n', encoding="utf-8")
    result = cli(tmp_path, "run", env={"TELEGRAM_BOT_TOKEN": "1:x",
                                       "ESTATEDESK_CONFIG": str(config)})
    assert result.returncode == 2
    assert "timezone: 'Asia/Taipe' is not a time zone" in result.stderr
    bad_url = cli(tmp_path, "run", env={"TELEGRAM_BOT_TOKEN": "1:x",
                                        "TELEGRAM_API_URL": "localhost:8081"})
    assert "TELEGRAM_API_URL" in bad_url.stderr


def test_every_bad_line_is_reported_and_a_huge_cell_is_not_a_traceback(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("building,unit,name,phone\nA,1F,李,0911 000 111\nB,3F,,0933 000 111\n"
                      "B,4F,王,not a phone\n" + "C,5F," + "長" * 200 + ",0922 000 111\n",
                      encoding="utf-8")
    result = cli(tmp_path, "roster", "import", str(roster))
    assert result.returncode == 1
    for problem in ("line 3: 'name' is empty", "line 4: 'not a phone' is not a phone number",
                    "line 5: 'name' is longer than 100 characters", "3 problem(s)"):
        assert problem in result.stderr
    assert count(tmp_path, "roster") == 0
    roster.write_text("building,unit,name,phone\nA,1F,李,0911 000 111\n" +
                      "A,2F," + "x" * 200_000 + ",0911 000 222\n", encoding="utf-8")
    huge = cli(tmp_path, "roster", "import", str(roster))
    assert huge.returncode == 1 and "Traceback" not in huge.stderr
    assert "line 3: a value is longer than 131,072 characters" in huge.stderr


def test_the_same_unit_or_number_written_two_ways_imports_once(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n"
                      "ａ, 12f-3 ,陳美玲,0912 345 678\nA,12F-3,陳美玲,+886 912 345 678\n"
                      "B,1F,=HYPERLINK(\"http://x\"),0911 000 111\n", encoding="utf-8")
    result = cli(tmp_path, "roster", "import", str(roster))
    assert result.returncode == 0, result.stderr
    assert count(tmp_path, "units") == 2 and count(tmp_path, "roster") == 2
    import sqlite3
    with sqlite3.connect(tmp_path / "desk.sqlite3") as conn:
        # a cell that looks like a formula is kept as the text that was typed
        assert conn.execute("SELECT name FROM roster WHERE phone = '0911 000 111'").fetchall() \
            == [('=HYPERLINK("http://x")',)]
