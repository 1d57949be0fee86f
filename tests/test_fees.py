"""Fees (收費管理): December's management fee is billed from the price list; the resident is
reminded before the due date and sees the statement; the cashier records the payment; a
manager reverses a wrong one; the day is closed with a difference explained; a large
payment reaches the manager the same day."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from handlers.i18n import Tr
from handlers.office import documents
from storage.fees import ledger
from tests.harness import DeskHarness
from tests.printed import text
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
    await person.join(await admin.invite(desk.db, role, name, desk.clock()))
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
        assert resident.last_text == ("Fees of A 12F-3:\n· December 2026 Property management fee: "
                                      "NT$3,200 (due Dec 10, 2026)\nPaid: NT$0. Outstanding: "
                                      "NT$3,200.")
        await desk.run_until(desk.clock.now + timedelta(days=11))  # 7 December
        reminders = [t for t in resident.texts() if t.startswith("A reminder: fees of A 12F-3")]
        assert len(reminders) == 1

        await cashier.send("/pay a 12f-3 3,200 cash R0042")
        assert cashier.last_text == ("Payment 1 recorded: NT$3,200 by cash, receipt R0042, for "
                                     "A 12F-3. Outstanding now: NT$0.")
        await cashier.send("/pay A 12F-3 32000 transfer T-77")  # a slip of a zero
        assert manager.last_text == ("A large payment today: 32,000 by transfer for A 12F-3, "
                                     "receipt T-77 (payment 2; see the day's close).")
        await manager.send("/reverse 2 entered 32000 for 3200; the transfer was 3200")
        assert manager.last_text == "Payment 2 is reversed (-32,000); both stay on record."
        await desk.deliver()
        assert resident.last_text == ("The office reversed the payment of NT$32,000 for A 12F-3 "
                                      "(receipt T-77): entered 32000 for 3200; the transfer was "
                                      "3200. It no longer counts; your statement: /fees")
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


ROSTER_TWO = ROSTER + "B,3F-1,林志明,0922-111-222\n"


async def cashier_desk(tmp_path, language="en"):
    """A12F-3 billed December's fee (3,200, due 10 December) and a cashier at work."""
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(
        fee_items=(FeeItem("management_fee", 3200),), large_payment=10_000))
    await desk.start()
    await desk.import_roster(ROSTER_TWO)
    await collection.bill_month(desk.db, desk.settings, "2026-12")
    cashier = await join(desk, roles.CASHIER, 9040, "Cashier", language)
    manager = await join(desk, roles.MANAGER, 9004, "Manager")
    return desk, cashier, manager


async def test_a_closed_day_stays_closed_and_a_correction_is_a_line_of_the_day_it_is_made(
        tmp_path):
    desk, cashier, manager = await cashier_desk(tmp_path)
    try:
        await cashier.send("/pay A 12F-3 3200 cash R1")
        await cashier.send("/closeday 3200 0")
        assert cashier.last_text.startswith("The day is closed: cash 3,200")
        await cashier.send("/pay B 3F-1 3200 cash R2")  # the resident came in after the close
        assert cashier.last_text.startswith("Today's takings are closed already: this payment "
                                            "counts in Fri, Nov 27, 2026.\nPayment 2 recorded")
        await cashier.send("/closeday 6400 0")  # a second close of the same day
        assert cashier.last_text.startswith("This day is closed already: at Nov 26, 2026")
        assert cashier.last_text.endswith("by Cashier. What is recorded now counts in the next "
                                          "day.")
        await manager.send("/reverse 1 paid by B 3F-1, not A 12F-3")  # after the close too
        assert await desk.query("SELECT id, day, amount, recorded_by, reason FROM payments "
                                "ORDER BY id") == [
            (1, "2026-11-26", 320000, 9040, ""), (2, "2026-11-27", 320000, 9040, ""),
            (3, "2026-11-27", -320000, 9004, "paid by B 3F-1, not A 12F-3")]
        assert await desk.query("SELECT day, cash_recorded FROM day_closes") == [
            ("2026-11-26", 320000)]  # the closed day is as it was closed
        path = tmp_path / "income.xlsx"
        await documents.write_income(Tr("en", desk.settings.tz), desk.settings, desk.db,
                                     date(2026, 11, 1), path)
        notes = [r[7] for r in load_workbook(path)["Income"].iter_rows(values_only=True)]
        assert notes[3] == ("Reverses payment 1, by Manager: paid by B 3F-1, not A 12F-3. "
                            "Counts in 2026-11-27 (the day was closed)")
        desk.clock.advance(days=1)
        await cashier.send("/closeday 0 0")  # R2's 3,200 and the reversal's -3,200
        assert cashier.last_text.startswith("The day is closed: cash 0, transfers 0")
        assert "Reversals made today: payments 3." in manager.last_text
    finally:
        await desk.stop()


async def test_a_renovation_fee_and_its_deposit_refund_go_through_the_one_ledger(tmp_path):
    desk, cashier, manager = await cashier_desk(tmp_path)
    try:
        resident = await resident_of_a12(desk)
        now = desk.clock()
        async with desk.db.transaction() as conn:
            fee = await collection.bill_and_pay(
                conn, desk.settings, 1, "renovation_fee", Decimal(5000), now, reference="RV-1",
                tender=collection.Tender("現金", "RV-R1", 9040, "陳美玲"))
            billed = await collection.bill_and_pay(conn, desk.settings, 1, "renovation_fee",
                                                   Decimal(800), now, period="2026-11-27")
        assert fee.payment is not None and fee.payment.bill_id == fee.bill.id
        assert billed.payment is None and fee.closed_day is None
        await desk.deliver()
        assert resident.last_text.startswith("Received for A 12F-3: NT$5,000 by cash, receipt "
                                             "RV-R1")
        await resident.send("/fees")
        assert ("· Nov 26, 2026 Renovation management fee RV-1: NT$5,000 (due Nov 26, 2026) (paid)"
                in resident.last_text)
        assert "· Nov 27, 2026 Renovation management fee: NT$800" in resident.last_text
        await cashier.send("/closeday 5000 0")
        assert cashier.last_text.startswith("The day is closed: cash 5,000")
        async with desk.db.transaction() as conn:  # the deposit given back, the day closed
            refund = await collection.bill_and_pay(
                conn, desk.settings, 1, "renovation_fee", Decimal(-2000), now,
                reference="RV-1", period="2026-11-26-refund",
                tender=collection.Tender("cash", "RV-P1", 9040))
        assert refund.closed_day == "2026-11-26" and refund.payment.day == "2026-11-27"
        await desk.deliver()
        assert resident.last_text.startswith("Paid out to A 12F-3: NT$2,000 by cash, receipt RV-P1")
        income = await collection.income(desk.db, desk.settings, "2026-11")
        assert [(p.receipt, p.amount, p.payer) for p in income.payments] == [
            ("RV-R1", 5000, "陳美玲"), ("RV-P1", -2000, "陳美玲")]
        assert sorted(b.amount for b in income.bills) == [-2000, 800, 5000]
    finally:
        await desk.stop()


async def test_a_receipt_number_is_used_once_in_the_estate(tmp_path):
    desk, cashier, manager = await cashier_desk(tmp_path, "zh-TW")
    try:
        await cashier.send("/pay A 12F-3 3200 cash R0042")
        await cashier.send("/pay B 3F-1 3200 轉帳 r0042")  # another unit, the same receipt
        assert cashier.last_text.startswith("收據 R0042 已用於收款 1（A 12F-3，3,200，")
        assert cashier.last_text.endswith("收據號碼只能使用一次：本筆未登錄。")
        assert await desk.query("SELECT count(*) FROM payments") == [(1,)]
        async with desk.db.transaction() as conn:  # the schema holds it too
            with pytest.raises(Exception, match="(?i)unique|duplicate"):
                await ledger.add_payment(conn, 2, Decimal(1), "cash", "R0042", 9040,
                                         desk.clock(), receipt_key="R0042")
    finally:
        await desk.stop()


async def test_card_and_chinese_methods_credit_carried_forward_and_the_residents_receipt(
        tmp_path):
    desk, cashier, manager = await cashier_desk(tmp_path)
    try:
        resident = await resident_of_a12(desk)
        await cashier.send("/pay A 12F-3 -3200 cash R1")
        assert cashier.last_text.startswith("“-3200” is below zero. A payment is more than 0; "
                                            "to undo a payment, a manager reverses it")
        await cashier.send("/pay A 12F-3 −3200 cash R1")  # the minus sign of a phone
        assert cashier.last_text.startswith("“−3200” is below zero.")
        await cashier.send("/pay A 12F-3 3000 現金 R1")
        assert cashier.last_text.startswith("Payment 1 recorded: NT$3,000 by cash")
        assert resident.last_text == ("Received for A 12F-3: NT$3,000 by cash, receipt R1, on "
                                      "Nov 26, 2026 10:00. Thank you.\nOutstanding now: NT$200.")
        await cashier.send("/pay A 12F-3 2000 刷卡 R2 陳美玲")  # 1,800 more than owed
        assert cashier.last_text == ("Payment 2 recorded: NT$2,000 by card, receipt R2, for A "
                                     "12F-3. Outstanding now: NT$0.\nCredit carried forward: "
                                     "NT$1,800 "
                                     "(taken off the next bill).")
        await cashier.send("/pay A 12F-3 500 支票 R3")
        await cashier.send("/closeday 3000 0")  # card and cheques are not transfers
        assert cashier.last_text.startswith("The counted totals differ from the payments "
                                            "recorded (cash 0, transfers 0, card -2,000, "
                                            "cheques -500)")
        await cashier.send("/closeday 3000 0 2000 500")
        assert cashier.last_text.startswith("The day is closed: cash 3,000, transfers 0, card "
                                            "2,000, cheques 500 recorded.")
        await collection.bill_month(desk.db, desk.settings, "2027-01")
        await resident.send("/fees")
        assert resident.last_text == (
            "Fees of A 12F-3:\n· December 2026 Property management fee: NT$3,200 (due Dec 10, "
            "2026) (paid)\n· January 2027 Property management fee: NT$3,200 (due Jan 10, 2027) "
            "(NT$900 still owed)\nPaid: NT$5,500. Outstanding: NT$900.")
    finally:
        await desk.stop()


async def test_the_cashier_gets_the_income_statement_with_unit_and_payer(tmp_path):
    desk, cashier, manager = await cashier_desk(tmp_path, "zh-TW")
    try:
        await cashier.send("/pay A 12F-3 3200 cash R1")
        await cashier.send("/pay B 3F-1 1000 轉帳 R2 林太太")
        await cashier.send("/report")
        assert cashier.labels() == ["收支明細表：2026年11月", "收支明細表：2026年10月",
                                    "關閉"]
        await cashier.tap("收支明細表：2026年11月")
        sent = {c.files["document"][0]: c.files["document"][1]
                for c in cashier.calls() if c.method == "sendDocument"}
        assert sorted(sent) == ["income-statement-2026-11.pdf", "income-statement-2026-11.xlsx"]
        (tmp_path / "income.xlsx").write_bytes(sent["income-statement-2026-11.xlsx"])
        rows = list(load_workbook(tmp_path / "income.xlsx")["收入"].iter_rows(values_only=True))
        assert rows[0][3:5] == ("單位", "繳款人")
        assert [r[2:7] for r in rows[1:]] == [("R1", "A 12F-3", "陳美玲", "現金", 3200),
                                              ("R2", "B 3F-1", "林太太", "轉帳", 1000)]
        printed = text(sent["income-statement-2026-11.pdf"])
        assert "繳款人" in printed and "林太太" in printed and "B 3F-1" in printed
        await cashier.tap_data("rp:m:2026-11")  # the monthly report is not the cashier's
        assert desk.api.calls[-1].params.get("show_alert")
    finally:
        await desk.stop()


async def test_one_reminder_per_unit_listing_its_bills_and_overdue_never_due_soon(tmp_path):
    desk, cashier, manager = await cashier_desk(tmp_path)
    try:
        resident = await resident_of_a12(desk)
        rows = [("A", "12F-3", "2026-10", "management_fee", Decimal(3200), "2026-10-28"),
                ("A", "12F-3", "2026-11", "water", Decimal(412), "2026-11-28"),
                ("A", "12F-3", "2026-11", "parking", Decimal(1500), "2026-11-28"),
                ("A", "12F-3", "2026-11", "electricity", Decimal(230), "2026-11-28")]
        await collection.import_bills(desk.db, rows)
        await desk.run_until(desk.clock.now + timedelta(hours=1))
        fees = [t for t in resident.texts() if "A 12F-3" in t and "fee" in t.lower()]
        assert fees == [
            "Fees of A 12F-3 are overdue.\nOverdue:\n· October 2026 Property management fee: "
            "NT$3,200 (due Oct 28, 2026)\nDue soon:\n· November 2026 Water (collected for the "
            "utility): NT$412 (due Nov 28, 2026)\n· November 2026 Parking: NT$1,500 (due Nov 28, "
            "2026)\n· November 2026 Public electricity: NT$230 (due Nov 28, 2026)\nOutstanding "
            "in all: NT$8,542. The statement: /fees"]
        await desk.run_until(desk.clock.now + timedelta(days=2))  # 28 Nov: nothing new
        assert len([t for t in resident.texts() if "A 12F-3" in t and "fee" in t.lower()]) == 1
        await desk.run_until(desk.clock.now + timedelta(days=1))  # 29 Nov: the three overdue
        last = [t for t in resident.texts() if "A 12F-3" in t and "fee" in t.lower()][-1]
        assert last.startswith("Fees of A 12F-3 are overdue.\n· November 2026 Water")
        assert "2026-10" not in last and "Due soon" not in last
    finally:
        await desk.stop()


async def test_an_older_desk_with_a_receipt_used_twice_upgrades_and_keeps_both(tmp_path):
    """Payments recorded before the rule are kept as recorded; the first of a receipt number
    holds it, so it cannot be used again."""
    import sqlite3

    from storage.db import Database, _sha256_hex
    from storage.migrations import MIGRATIONS
    from tests.test_migrations import T0, old_desk
    path = tmp_path / "old.sqlite3"
    old_desk(path, 1)
    conn = sqlite3.connect(path)
    conn.create_function("sha256_hex", 1, _sha256_hex)
    mine = next(n for n, m in enumerate(MIGRATIONS) if "payments_receipt" in m)
    for number in range(2, mine + 1):  # up to the one before this rule
        conn.executescript(MIGRATIONS[number - 1])
        conn.execute(f"PRAGMA user_version={number}")
    conn.executescript(f"""
        INSERT INTO payments (id, unit_id, amount, method, receipt, cashier_id, at, reverses,
            recorded_by) VALUES (1, 1, 320000, 'cash', 'R7', 9040, '{T0}', NULL, 9040),
            (2, 1, 100000, 'transfer', 'r7 ', 9040, '{T0}', NULL, 9040),
            (3, 1, -100000, 'transfer', 'r7 ', 9040, '{T0}', 2, 9004);
    """)
    conn.commit()
    conn.close()
    db = Database(str(path))
    await db.open()
    async with db.reading() as c:
        rows = await (await c.execute("SELECT id, receipt, receipt_key, day FROM payments "
                                      "ORDER BY id")).fetchall()
    await db.close()
    assert [tuple(r) for r in rows] == [(1, "R7", "R7", None), (2, "r7 ", None, None),
                                        (3, "r7 ", None, None)]


async def test_a_day_that_only_paid_a_deposit_back_closes_with_a_count_below_zero(tmp_path):
    """The cashier took nothing today and handed 8,500 of a renovation deposit back: the
    drawer is 8,500 short of the morning, counted as -8,500, and the day closes."""
    desk, cashier, manager = await cashier_desk(tmp_path, "zh-TW")
    try:
        async with desk.db.transaction() as conn:
            await collection.bill_and_pay(
                conn, desk.settings, 1, "renovation_deposit_refund", Decimal(-8500),
                desk.clock(), reference="RN-2026-00001", period="2026-11-26",
                tender=collection.Tender("cash", "RN-2026-00001-R", 9040))
        await cashier.send("/closeday 0 0")  # the habit of a day without takings
        assert cashier.last_text.endswith("今日現金支出多於收入：現金請填負數，例如 /closeday "
                                          "-8500 0。")
        await cashier.send("/closeday −8,500 0")  # the minus sign of a phone
        assert cashier.last_text.startswith("已日結：登錄現金 -8,500，轉帳 0。")
        assert await desk.query("SELECT cash_counted, cash_recorded FROM day_closes") == [
            (-850000, -850000)]
    finally:
        await desk.stop()


async def test_a_chinese_statement_reads_as_chinese_and_a_refund_falls_due_on_no_one(tmp_path):
    desk, cashier, manager = await cashier_desk(tmp_path, "zh-TW")
    try:
        resident = await resident_of_a12(desk, "zh-TW")
        async with desk.db.transaction() as conn:
            await collection.bill_and_pay(
                conn, desk.settings, 1, "renovation_deposit", Decimal(10000), desk.clock(),
                reference="RN-2026-00001", tender=collection.Tender("現金", "R7", 9040))
            await collection.bill_and_pay(
                conn, desk.settings, 1, "renovation_deposit_refund", Decimal(-8500),
                desk.clock(), reference="RN-2026-00001", period="2026-11-26",
                tender=collection.Tender("cash", "RN-2026-00001-R", 9040))
        await desk.deliver()  # the receipts first
        await resident.send("/fees")
        assert resident.last_text.split("\n")[1:4] == [
            "· 2026年11月26日裝修保證金 RN-2026-00001：10,000 元（2026年11月26日到期）（已繳清）",
            "· 2026年11月26日裝修保證金退還 RN-2026-00001：-8,500 元",
            "· 2026年12月管理費：3,200 元（2026年12月10日到期）"]
    finally:
        await desk.stop()


async def test_a_new_manager_learns_of_reverse_and_report_from_the_menu_and_help(tmp_path):
    desk, cashier, _ = await cashier_desk(tmp_path)
    try:
        manager = await join(desk, roles.MANAGER, 9005, "經理", "zh-TW")
        menu = [c for c in desk.api.calls if c.method == "setMyCommands"
                and c.params.get("scope", {}).get("chat_id") == 9005]
        assert {"report", "reverse"} <= {c["command"] for c in menu[-1].params["commands"]}
        await manager.send("/help")
        assert "收款登錄錯誤請用 /reverse 沖銷" in manager.last_text
        assert "/report 可取得管理處文件" in manager.last_text
    finally:
        await desk.stop()


async def test_a_day_left_open_is_named_at_the_next_close_and_closed_with_its_date(tmp_path):
    """The cashier forgot Thursday's close: Friday's close says so, and Thursday is closed
    with its date, its takings in a close at last."""
    desk, cashier, manager = await cashier_desk(tmp_path, "zh-TW")
    try:
        await cashier.send("/pay A 12F-3 3200 現金 R1")  # Thursday 26 November
        desk.clock.advance(days=1)
        await cashier.send("/pay B 3F-1 100 現金 R2")
        await cashier.send("/closeday 100 0")
        assert cashier.last_text == ("已日結：登錄現金 100，轉帳 0。摘要已送交經理。\n"
                                     "以下較早的日期尚未日結：2026-11-26（1 筆收款）。"
                                     "請附上日期逐日日結，例如 /closeday 2026-11-26 3200 0。")
        await cashier.send("/closeday 2026/11/26 3200 0")
        assert cashier.last_text == "已日結：登錄現金 3,200，轉帳 0。摘要已送交經理。"
        assert manager.last_text.startswith("2026-11-26, closed by Cashier: cash 3,200 counted")
        await cashier.send("/closeday 2026-11-26 3200 0")  # once
        assert cashier.last_text == ("該日已由Cashier於 2026年11月27日 10:00 日結。現在登錄的"
                                     "收款計入次日。")
        await cashier.send("/closeday 2026-11-28 0 0")  # tomorrow has nothing to count yet
        assert await desk.query("SELECT day, cash_recorded FROM day_closes ORDER BY day") == [
            ("2026-11-26", 320000), ("2026-11-27", 10000)]
    finally:
        await desk.stop()


async def test_an_income_statement_with_nothing_billed_says_so_in_words(tmp_path):
    desk, cashier, manager = await cashier_desk(tmp_path, "zh-TW")
    try:
        await cashier.send("/pay A 12F-3 3200 cash R1")  # November: paid, December billed
        await cashier.send("/report")
        await cashier.tap("收支明細表：2026年11月")
        sent = {c.files["document"][0]: c.files["document"][1]
                for c in cashier.calls() if c.method == "sendDocument"}
        printed = "".join(text(sent["income-statement-2026-11.pdf"]).split())
        assert "應收本月沒有應收帳單。" in printed and "R1" in printed
        await cashier.tap("收支明細表：2026年10月")
        october = [c for c in cashier.calls() if c.method == "sendDocument"
                   and c.files["document"][0] == "income-statement-2026-10.pdf"]
        assert "本月沒有收款。" in text(october[-1].files["document"][1])
    finally:
        await desk.stop()
