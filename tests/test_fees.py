"""Fees (收費管理): December's management fee is billed from the price list; the resident is
reminded before the due date and sees the statement; the cashier records the payment; a
manager reverses a wrong one; the day is closed with a difference explained; a large
payment reaches the manager the same day."""

from datetime import date, timedelta

from openpyxl import load_workbook

from handlers.i18n import Tr
from handlers.office import documents
from tests.harness import DeskHarness
from tests.stories import resident_of_a12, staff
from workflow import admin, roles
from workflow.fees import collection
from workflow.settings import EstateSettings, FeeItem

ROSTER = "building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n"


async def open_desk(tmp_path):
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(
        fee_items=(FeeItem("management_fee", 3200),), large_payment=10_000))
    await desk.start()
    await desk.import_roster(ROSTER)
    return desk


async def join(desk, role, user_id, name, language="en"):
    person = desk.person(user_id, name, language)
    await person.send(f"/start {await admin.invite(desk.db, role, name, desk.clock())}")
    return person


async def test_billed_reminded_paid_reversed_and_the_day_closed(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        clerk, tech, boss = await staff(desk)
        cashier = await join(desk, roles.CASHIER, 9040, "Cashier")
        manager = await join(desk, roles.MANAGER, 9004, "Manager")
        resident = await resident_of_a12(desk)
        assert await collection.bill_month(desk.db, desk.settings, "2026-12") == 1
        assert await collection.bill_month(desk.db, desk.settings, "2026-12") == 0  # once
        await resident.send("/fees")
        assert resident.last_text == ("Fees of A 12F-3:\n· 2026-12 Property management fee: "
                                      "3,200 (due 2026-12-10)\nPaid: 0. Outstanding: 3,200.")
        await desk.run_until(desk.clock.now + timedelta(days=11))  # 7 December
        reminders = [t for t in resident.texts() if t.startswith("A reminder: fees of A 12F-3")]
        assert len(reminders) == 1

        await cashier.send("/pay a 12f-3 3,200 cash R0042")
        assert cashier.last_text == ("Payment 1 recorded: 3,200 by cash, receipt R0042, for "
                                     "A 12F-3. Outstanding now: 0.")
        await cashier.send("/pay A 12F-3 32000 transfer T-77")  # a slip of a zero
        assert manager.last_text == ("A large payment today: 32,000 by transfer for A 12F-3, "
                                     "receipt T-77 (payment 2; see the day's close).")
        await manager.send("/reverse 2 entered 32000 for 3200; the transfer was 3200")
        assert manager.last_text == "Payment 2 is reversed (-32,000); both stay on record."
        await manager.send("/reverse 2 again")
        assert manager.last_text.startswith("Payment 2 cannot be reversed")
        await cashier.send("/closeday 3100 0")
        assert cashier.last_text.startswith("The counted totals differ from the payments "
                                            "recorded (cash -100, transfers 0, card 0, "
                                            "cheques 0)")
        await cashier.send("/closeday 3100 0 change given twice to one resident")
        assert cashier.last_text.startswith("The day is closed: cash 3,200, transfers 0 recorded")
        assert "Difference explained: change given twice" in manager.last_text
        # in cents: NT$3,200
        assert await desk.query("SELECT count(*), sum(amount) FROM payments") == [(3, 320000)]
        path = tmp_path / "income.xlsx"
        await documents.write_income(Tr("zh_Hant", desk.settings.tz), desk.settings, desk.db,
                                     date(2026, 12, 1), path)
        book = load_workbook(path)
        rows = list(book["收入"].iter_rows(values_only=True))
        assert [r[1:7] for r in rows[1:]] == [(1, "R0042", "A 12F-3", "陳美玲", "現金", 3200),
                                              (2, "T-77", "A 12F-3", "陳美玲", "轉帳", 32000),
                                              (3, "T-77", "A 12F-3", "陳美玲", "轉帳", -32000)]
        assert "沖銷收款 2" in rows[3][7] and "Manager" in rows[3][7]
        summary = {r[0]: r[1] for r in book["摘要"].iter_rows(values_only=True)}
        assert summary["實收（2026-12）"] == 3200 and summary["應收（2026-12）"] == 3200
        await desk.run_until(desk.clock.now + timedelta(days=10))
        assert not any(t.startswith("Fees of A 12F-3 are overdue") for t in resident.texts())
    finally:
        await desk.stop()


async def test_only_the_cashier_records_and_only_a_manager_reverses(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        clerk, tech, boss = await staff(desk, "zh-TW")
        resident = await resident_of_a12(desk, "zh-TW")
        await collection.bill_month(desk.db, desk.settings, "2026-12")
        for person, command in ((resident, "/pay A 12F-3 3200 cash R1"),
                                (clerk, "/pay A 12F-3 3200 cash R1"),
                                (boss, "/reverse 1 wrong"), (clerk, "/closeday 0 0")):
            await person.send(command)
            assert "沒有權限" in person.last_text, command
        cashier = await join(desk, roles.CASHIER, 9040, "出納", "zh-TW")
        await cashier.send("/pay Z 99F-9 3200 cash R1")
        assert "沒有" in cashier.last_text
        await cashier.send("/pay A 12F-3 abc cash R1")
        assert "/pay" in cashier.last_text
        assert await desk.query("SELECT count(*) FROM payments") == [(0,)]
        await desk.run_until(desk.clock.now + timedelta(days=16))  # 12 Dec: overdue
        assert any(t.startswith("A 12F-3 的費用已逾期。") for t in resident.texts())
    finally:
        await desk.stop()


def test_bills_are_imported_and_a_bad_file_changes_nothing(tmp_path):
    from tests.test_roster_cli import cli
    roster = tmp_path / "owners.csv"
    roster.write_text(ROSTER)
    assert cli(tmp_path, "roster", "import", str(roster)).returncode == 0
    bills = tmp_path / "bills.csv"
    bills.write_text("building,unit,period,item,amount,due\nA,12F-3,2026-12,water,412.5,"
                     "2026-12-15\n")
    assert "1 bills issued" in cli(tmp_path, "fees", "import", str(bills)).stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("building,unit,period,item,amount,due\nA,12F-3,December,water,x,soon\n")
    refused = cli(tmp_path, "fees", "import", str(bad))
    assert refused.returncode == 1 and "line 2" in refused.stderr
    assert cli(tmp_path, "fees", "bill", "2026-12").returncode == 1  # no price list set
