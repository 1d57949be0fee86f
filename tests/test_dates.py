"""The office writes a date as it likes: 2026-12-01, 2026/12/01, 2026-12-1, 2026年12月1日,
full-width digits too. One reader (workflow/dates.py) serves every place the desk reads a
date: activities, announcements, renovation dates, /stats, and every import."""

from tests.stories import staff
from tests.test_renovations import open_desk, resident


async def test_the_desk_reads_a_date_however_the_office_writes_it(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        clerk, tech, boss = await staff(desk)
        await clerk.send("/activity 2026/12/12 14:00 | 6 | 3 | Clubhouse | Christmas crafts")
        assert clerk.last_text.startswith("Planned: Christmas crafts: Dec 12, 2026 14:00")
        await clerk.send("/activity 2026年12月13日 15:30 | 6 | 3 | Clubhouse | Carols")
        assert clerk.last_text.startswith("Planned: Carols: Dec 13, 2026 15:30")
        await clerk.send("/activity ２０２６－１２－１４ 10:00 | 6 | 3 | Garden | Tai chi")
        assert clerk.last_text.startswith("Planned: Tai chi: Dec 14, 2026 10:00")
        await clerk.send("/activity 2026/12/32 10:00 | 6 | 3 | Garden | Tai chi")
        assert clerk.last_text.startswith("Please write: /activity")  # no such day

        await boss.send("/announce")
        await boss.send("The lifts are serviced on Tuesday morning.")
        await boss.tap("Everyone")
        await boss.tap("At a set time")
        await boss.send("2026/12/1 09:00")
        assert boss.last_text.startswith("Scheduled for Dec 1, 2026 09:00"), boss.last_text

        owner = await resident(desk, 5001, "0912-345-678")
        await owner.send("/renovate")
        await owner.tap_data("rv:s:bathroom")
        await owner.tap_data("rv:sd")
        await owner.send("New bathroom tiles.")
        await owner.tap_data("rv:wd")
        await owner.send("2026/12/1 到 2026年12月20日")  # slashes, and the Chinese way
        await owner.send("Good Homes Ltd, 02-2222-3333")
        await owner.send_photo("bathroom-plan")
        await owner.tap_data("rv:pd")
        await owner.tap("Confirm and send")
        assert await desk.query("SELECT start_date, end_date FROM renovations") == [
            ("2026-12-01", "2026-12-20")]

        await boss.send("/stats 2026/11")
        by_slash = boss.last_text
        await boss.send("/stats 2026-11")
        assert by_slash == boss.last_text and "November 2026" in by_slash
    finally:
        await desk.stop()


def test_a_contracts_sheet_with_dates_written_the_chinese_way_is_read(tmp_path):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from workflow.sales import buyers
    taipei = ZoneInfo("Asia/Taipei")
    rows = buyers.parse("contract,building,unit,name,phone,handover_due,mortgage_at\n"
                        "C-1,C,8F-2,王小明,0955 123 456,2027/02/01,2027年1月20日 10:30\n"
                        .encode(), "contracts.csv", taipei)
    assert rows[0].values["handover_due"] == date(2027, 2, 1)
    assert rows[0].values["mortgage_at"] == datetime(2027, 1, 20, 10, 30, tzinfo=taipei)


def test_the_office_asks_for_reports_with_dates_as_it_writes_them(tmp_path):
    """The command line's dates too; the files are named the one way (2026-11-01)."""
    import os
    import subprocess
    import sys

    from tests.test_roster_cli import ROOT

    def estatedesk(*args):
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path,
                              env={"ESTATEDESK_DB": str(tmp_path / "desk.sqlite3"),
                                   "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                   "PYTHONPATH": str(ROOT)},
                              capture_output=True, text=True, timeout=60)

    made = estatedesk("report", "ledger", "--from", "2026/11/1", "--to", "2026年11月30日")
    assert made.returncode == 0, made.stderr
    assert "Repair ledger, 2026-11-01 to 2026-11-30" in made.stdout
    made = estatedesk("report", "monthly", "2026/11")
    assert made.returncode == 0 and "Monthly repair report for 2026-11" in made.stdout, \
        made.stderr
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == [
        "monthly-report-2026-11.xlsx", "repair-ledger-2026-11-01-2026-11-30.xlsx"]
    assert estatedesk("report", "monthly", "2026/13").returncode == 1
