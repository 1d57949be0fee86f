"""A buyer before move-in, from the register to the handover: the buyer joins with their phone
number and sees the contract; the first payment and the mortgage paperwork are reminded at
the set time but never in quiet hours; the buyer asks for another mortgage time and the sales
service moves it (reminders re-armed, audited); overdue loan documents reach the buyer, then
the staff; the move-in notice books a handover slot; at the handover two defects become
repairs the buyer, now a resident, follows in /mytickets, and the days late are recorded."""

from datetime import UTC, datetime, time

from tests.harness import DeskHarness
from tests.stories import staff
from tests.test_fees import join
from workflow import roles
from workflow.office.catalogue import CatalogueError
from workflow.repairs.warranty import Period
from workflow.sales import buyers
from workflow.settings import EstateSettings, FeeItem

REGISTER = """contract,building,unit,name,phone,first_payment_due,mortgage_at,bank,place,\
loan_documents_due,handover_due
C-001,C,8F-2,Wong Siu Ming,0955 123 456,2026-12-01,2026-12-08 14:00,First Bank,\
Xinyi Branch 3F,2026-12-05,2026-12-20
C-002,C,9F-1,Lee Ka Yan,0966 222 333,,,,,,2027-01-10
"""


def taipei(day: str, clock: str) -> datetime:
    """A moment in the estate's time (UTC+8)."""
    return datetime.fromisoformat(f"{day}T{clock}+08:00").astimezone(UTC)


async def open_desk(tmp_path) -> DeskHarness:
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(
        buyer_reminder_time=time(7),  # inside quiet hours (21:00-08:00): waits until 08:00
        handover_fees=(FeeItem("maintenance_fund", 12000),),
        warranty={"plumbing": Period(2)}))
    await desk.start()
    return desk


async def load_register(desk, text: str = REGISTER) -> None:
    rows = buyers.parse(text.encode(), "register.csv", desk.settings.tz)
    assert await buyers.import_rows(desk.db, rows, desk.clock()) == (len(rows), 0)


def reminders(person, start: str) -> list[str]:
    return [t for t in person.texts() if t.startswith(start)]


async def test_a_buyer_from_the_register_to_the_handover(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        clerk, _, _ = await staff(desk)
        sales = await join(desk, roles.SALES_SERVICE, 9050, "Sales")
        await load_register(desk)
        buyer = desk.person(5200, "Siu Ming", "en")
        await buyer.send("/start")
        await buyer.share_contact("+886 955 123 456")
        assert "You are the buyer under this contract" in buyer.texts()[-2]
        assert buyer.last_text.startswith("Contract C-001: C 8F-2, Wong Siu Ming")
        assert "Next: the first payment, due" in buyer.last_text

        await desk.run_until(taipei("2026-11-28", "07:30"))  # opened at 07:00: quiet hours
        assert reminders(buyer, "A reminder: the first payment") == []
        await desk.run_until(taipei("2026-11-28", "08:00"))
        await desk.run_until(taipei("2026-11-28", "09:00"))
        assert len(reminders(buyer, "A reminder: the first payment for C 8F-2")) == 1
        await buyer.tap("Confirm")
        assert buyer.last_text == "Thank you: confirmed."
        await buyer.tap_data("by:ok:C-001:first_payment")  # a second tap changes nothing
        assert "out of date" in desk.api.calls[-1].params["text"]
        await sales.send("/buyer C-001 paid")

        await desk.run_until(taipei("2026-12-05", "08:00"))  # 3 days before 8 December
        [mortgage] = reminders(buyer, "A reminder: the mortgage paperwork")
        assert "First Bank, Xinyi Branch 3F" in mortgage and "ID card" in mortgage
        await buyer.tap("Ask for another time")
        assert buyer.last_text.startswith("When would suit you? Please write your wish")
        assert "asks for another time" not in sales.last_text  # not before the wish
        await buyer.send("Any afternoon after the 9th, I work mornings")
        assert buyer.last_text == ("We have asked our sales service to arrange another time; "
                                   "they will contact you.")
        assert sales.last_text == ("Wong Siu Ming (C-001, C 8F-2, 0955 123 456) asks for "
                                   "another time for the mortgage paperwork. Set it with "
                                   "/buyer C-001 mortgage …\nTheir wish: Any afternoon after "
                                   "the 9th, I work mornings")
        await sales.send("/buyer C-001 mortgage 2026-12-10 15:00")
        assert buyer.last_text.startswith("Our sales service changed a date of your contract")
        assert await desk.query("SELECT detail, actor_id FROM buyer_events WHERE action = "
                                "'mortgage_at'") == [
            ("2026-12-08T14:00+08:00 -> 2026-12-10T15:00+08:00", 9050)]

        await desk.run_until(taipei("2026-12-06", "08:00"))  # the documents were due on 5 Dec
        assert len(reminders(buyer, "Your loan documents for C 8F-2 were due")) == 1
        await desk.run_until(taipei("2026-12-07", "08:00"))  # 3 days before the new time
        assert len(reminders(buyer, "A reminder: the mortgage paperwork")) == 2
        await desk.run_until(taipei("2026-12-08", "09:00"))
        assert len(reminders(sales, "Loan documents overdue: C-001")) == 1
        await sales.send("/buyer C-001 docsin")
        await desk.run_until(taipei("2026-12-09", "09:00"))  # the day before
        assert len(reminders(buyer, "A reminder: the mortgage paperwork")) == 3
        assert reminders(buyer, "A reminder: the mortgage paperwork")[-1].startswith(
            "A reminder: the mortgage paperwork for C 8F-2 is tomorrow,")

        await desk.run_until(taipei("2026-12-20", "08:00"))  # the contract's date
        [notice] = reminders(buyer, "Move-in notice: C 8F-2 (contract C-001)")
        assert "Maintenance fund: 12,000" in notice
        # billed to the unit as the notice goes out, once
        assert await desk.query("SELECT u.building, u.unit, b.period, b.item, b.amount, "
                                "b.due_date FROM bills b JOIN units u ON u.id = b.unit_id") == [
            ("C", "8F-2", "2026-12", "maintenance_fund", 1200000, "2026-12-20")]
        await buyer.tap("Book the handover time")
        await buyer.tap("Tue, Dec 22, 2026")
        await buyer.tap("14:00")
        assert buyer.last_text.startswith("Booked: your handover is on")
        assert sales.last_text.startswith("Handover booked: C-001 C 8F-2 Wong Siu Ming")

        desk.clock.now = taipei("2026-12-22", "14:10")
        await sales.send("/handover C-001")
        await sales.send("Kitchen sink")
        await sales.tap("Plumbing")
        await sales.send_photo("leak-photo", caption="Water seeps from the drain joint")
        await sales.tap("Done")
        assert sales.last_text.startswith("Defect recorded as R-")
        await sales.send("Living room wall")
        await sales.tap("Walls and ceilings")
        await sales.send("A crack above the window")
        await sales.tap("Done")
        await sales.tap("Finish handover")
        assert sales.last_text.startswith("Handed over: C 8F-2 to Wong Siu Ming, 2 defects "
                                          "filed as repairs.\n2 days after the contract's date")
        assert buyer.last_text.startswith("Welcome home: C 8F-2 is handed over to you.")
        cards = [t for t in clerk.texts() if t.startswith("New repair report")]
        assert len(cards) == 2 and "Within the warranty of the responsible unit" in cards[0]
        await buyer.send("/mytickets")
        assert buyer.last_text.startswith("Your tickets")
        listed = " ".join(buyer.labels())
        assert "R-2026-00001" in listed and "R-2026-00002" in listed
        assert await desk.query("SELECT days_late FROM buyers WHERE contract_no = 'C-001'") \
            == [(2,)]
        await sales.send("/buyer C-001")
        assert "Handed over: 2 days after the contract's date (Sales)" in sales.last_text
        assert "Defect found at the handover, filed as a repair: R-2026-00001" in \
            sales.last_text
        await sales.send("/handover C-001")  # once
        assert "out of date" in desk.api.calls[-1].params["text"]
    finally:
        await desk.stop()


async def test_a_register_with_mistakes_is_refused_whole(tmp_path):
    bad = REGISTER + "C-003,C,10F-1,No Date,0977 000 111,,,,,,next spring\n"
    try:
        buyers.parse(bad.encode(), "register.csv", EstateSettings().tz)
    except CatalogueError as exc:
        assert [line for line, _ in exc.problems] == [4]
    else:
        raise AssertionError("a date that is not one was accepted")


async def test_strangers_and_residents_cannot_reach_the_register(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        await load_register(desk)
        stranger = desk.person(6100, "Someone", "en")
        await stranger.send("/buyer C-001 mortgage 2027-01-01 10:00")
        assert "not allowed" in stranger.last_text or "share your phone" in stranger.last_text
        await stranger.tap_data("by:t:C-001:0")  # a forged slot booking
        assert await desk.query("SELECT handover_slot FROM buyers") == [(None,), (None,)]
        assert await desk.query("SELECT COUNT(*) FROM buyer_events WHERE action NOT IN "
                                "('imported')") == [(0,)]
    finally:
        await desk.stop()




async def test_the_buyer_and_the_sales_service_each_in_their_own_language(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        sales = await join(desk, roles.SALES_SERVICE, 9050, "銷售", "zh-CN")
        await load_register(desk)
        buyer = desk.person(5200, "小明", "zh-TW")
        await buyer.send("/start")
        await buyer.share_contact("0955123456")
        assert buyer.last_text.startswith("合約 C-001：C 8F-2，Wong Siu Ming")
        await desk.run_until(taipei("2026-11-28", "08:00"))
        assert buyer.last_text.startswith("提醒您：C 8F-2（合約 C-001）的首期款於")
        await buyer.tap("另約時間")
        assert buyer.last_text.startswith("請問什麼時間方便？")
        await buyer.send("下週平日下午")
        assert buyer.last_text == "已請銷售客服另行安排時間，他們會與您聯絡。"
        assert sales.last_text.startswith("Wong Siu Ming（C-001，C 8F-2，0955 123 456）要求另约"
                                          "首期款的时间")
        assert sales.last_text.endswith("\n买方希望：下週平日下午")
        await sales.send("/buyer C-001 firstpay 2026-12-04")
        assert buyer.last_text.startswith("銷售客服已修改您合約的日期：")
        await sales.send("/buyer C-001 firstpay next week")
        assert sales.last_text.startswith("请输入：/buyer 合同编号")
        await sales.send("/buyers")
        assert "\n· C-002 C 9F-1 Lee Ka Yan：" in sales.last_text  # a full-width colon
        assert sales.last_text.endswith("日起（尚未使用本服务）")  # no space before it
    finally:
        await desk.stop()


async def test_a_past_handover_time_cannot_be_booked(tmp_path):
    """The buyer opens the move-in notice days late: the times already past are not offered,
    and a past time tapped (from an older list) is refused with a clear answer."""
    desk = await open_desk(tmp_path)
    try:
        sales = await join(desk, roles.SALES_SERVICE, 9050, "Sales")
        await load_register(desk)
        buyer = desk.person(5200, "Siu Ming", "en")
        await buyer.send("/start")
        await buyer.share_contact("+886 955 123 456")
        await desk.run_until(taipei("2026-12-20", "08:00"))
        await buyer.tap("Book the handover time")
        assert buyer.labels()[0] == "Sun, Dec 20, 2026"
        await buyer.tap("Sun, Dec 20, 2026")  # the list is kept while the day goes by
        desk.clock.now = taipei("2026-12-21", "12:00")
        await buyer.tap("09:30")  # 20 December, 09:30: past
        assert buyer.texts()[-2] == ("That time has already passed, so it cannot be booked. "
                                     "Please choose a later one.")
        assert buyer.last_text == "Which day suits you?"
        assert buyer.labels()[0] == "Mon, Dec 21, 2026"  # today: 14:00 and 15:30 are ahead
        await buyer.tap("Mon, Dec 21, 2026")
        assert buyer.labels() == ["14:00", "15:30", "Close"]
        assert await desk.query("SELECT handover_slot FROM buyers WHERE contract_no = 'C-001'") \
            == [(None,)]
        assert not reminders(sales, "Handover booked")
        await buyer.tap("14:00")
        assert buyer.last_text.startswith("Booked: your handover is on")
    finally:
        await desk.stop()


async def test_a_buyer_asks_for_another_handover_time_with_their_wish(tmp_path):
    """None of the handover times suits (or all passed): 'another time' asks the buyer's wish
    and passes it to the sales service, who set the new date."""
    desk = await open_desk(tmp_path)
    try:
        sales = await join(desk, roles.SALES_SERVICE, 9050, "銷售", "zh-TW")
        await load_register(desk)
        buyer = desk.person(5200, "Siu Ming", "en")
        await buyer.send("/start")
        await buyer.share_contact("+886 955 123 456")
        await desk.run_until(taipei("2026-12-20", "08:00"))
        desk.clock.now = taipei("2026-12-27", "09:00")  # back from a trip: all times past
        await buyer.tap("Book the handover time")
        assert buyer.last_text == ("The handover times offered have all passed. Tap 'Ask for "
                                   "another time' and write when suits you.")
        await buyer.tap("Ask for another time")
        await buyer.send("Saturday 2 January, morning")
        assert buyer.last_text == ("We have asked our sales service to arrange another time; "
                                   "they will contact you.")
        assert sales.last_text == ("Wong Siu Ming（C-001，C 8F-2，0955 123 456）要求另約交屋的"
                                   "時間。請用 /buyer C-001 handover … 設定。\n買方希望："
                                   "Saturday 2 January, morning")
        await sales.send("/buyer C-001 handover 2027-01-02")
        assert buyer.last_text.startswith("Our sales service changed a date of your contract")
        await buyer.tap("Ask for another time")  # the old notice's button: answered
        assert "out of date" in desk.api.calls[-1].params["text"]
        assert await desk.query("SELECT action, detail FROM buyer_events WHERE action LIKE "
                                "'move_in%'") == [("move_in_reschedule",
                                                   "2026-12-20 Saturday 2 January, morning")]
    finally:
        await desk.stop()


def test_the_register_is_imported_from_a_sheet_and_imported_again_updates_it(tmp_path):
    from openpyxl import Workbook

    from tests.test_roster_cli import cli

    book = Workbook()
    sheet = book.active
    sheet.append(("contract", "building", "unit", "name", "phone", "mortgage_at", "bank",
                  "handover_due"))
    sheet.append(("C-001", "C", "8F-2", "王小明", "0955 123 456",
                  datetime(2026, 12, 8, 14, 0), "第一銀行", datetime(2026, 12, 20)))
    book.save(tmp_path / "contracts.xlsx")
    first = cli(tmp_path, "buyers", "import", str(tmp_path / "contracts.xlsx"))
    assert "1 contracts new, 0 updated" in first.stdout, first.stderr
    again = cli(tmp_path, "buyers", "import", str(tmp_path / "contracts.xlsx"))
    assert "0 contracts new, 1 updated" in again.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("contract,building,unit,name\nC-9,C,1F-1,Nobody\n")
    refused = cli(tmp_path, "buyers", "import", str(bad))
    assert refused.returncode == 1 and "missing: phone, handover_due" in refused.stderr


async def test_the_mortgage_reminders_three_days_and_one_day_before_differ(tmp_path):
    """Both mortgage reminders (通知辦理按揭) read the same, so the buyer could not tell the
    first from the last call: three days before, what is due and in how many days, with
    the documents to get ready; the day before, that it is tomorrow and what to bring."""
    desk = await open_desk(tmp_path)
    try:
        await load_register(desk, "contract,building,unit,name,phone,mortgage_at,bank,place,"
                                  "handover_due\n"
                                  "C-001,C,8F-2,Wong Siu Ming,0955 123 456,2026-12-08 14:00,"
                                  "First Bank,Xinyi Branch 3F,2026-12-20\n"
                                  "C-002,C,9F-1,陳美玲,0966 222 333,2026-12-08 10:00,第一銀行,"
                                  "信義分行 3 樓,2027-01-10\n")
        english = desk.person(5200, "Siu Ming", "en")
        chinese = desk.person(5201, "美玲", "zh-TW")
        for buyer, phone in ((english, "0955 123 456"), (chinese, "0966 222 333")):
            await buyer.send("/start")
            await buyer.share_contact(phone)

        await desk.run_until(taipei("2026-12-05", "08:00"))  # 3 days before
        assert english.last_text == (
            "A reminder: the mortgage paperwork for C 8F-2 is in 3 days, on Dec 8, 2026 "
            "14:00, at First Bank, Xinyi Branch 3F. Please start getting these ready: ID card, "
            "household register, marriage certificate (or proof of being single), proof of "
            "income, bank statements of the last six months, purchase contract, and receipt of the "
            "down payment.")
        assert chinese.last_text.startswith("提醒您：C 9F-1的房貸手續將於3 天後（")
        assert "請開始備妥：" in chinese.last_text
        await desk.run_until(taipei("2026-12-07", "08:00"))  # the day before
        assert english.last_text.startswith(
            "A reminder: the mortgage paperwork for C 8F-2 is tomorrow, Dec 8, 2026 14:00, at "
            "First Bank, Xinyi Branch 3F. Please bring: ID card")
        assert chinese.last_text.startswith("提醒您：C 9F-1的房貸手續就在明天（")
        assert "請記得攜帶：" in chinese.last_text
        assert len(reminders(english, "A reminder: the mortgage")) == 2
        assert len(reminders(chinese, "提醒您：C 9F-1的房貸手續")) == 2
        await english.tap("Confirm")  # the day before's reminder is answered like the first
        assert english.last_text == "Thank you: confirmed."
        assert await desk.query("SELECT kind, answer FROM buyer_notices WHERE contract_no = "
                                "'C-001' ORDER BY kind") == [("mortgage_1", "confirmed"),
                                                             ("mortgage_3", "confirmed")]
    finally:
        await desk.stop()


async def test_the_contracts_record_reads_in_words_and_the_estates_time(tmp_path):
    """The sales service's /buyer showed the record as codes (mortgage_at,
    mortgage_confirmed) and a buyer's answer at its UTC time (06:00+00:00 for 14:00 in
    Taipei): now each line says what happened, the dates in the estate's time, and who."""
    desk = await open_desk(tmp_path)
    try:
        sales = await join(desk, roles.SALES_SERVICE, 9050, "Sales")
        mainland = await join(desk, roles.SALES_SERVICE, 9051, "銷售", "zh-CN")
        await load_register(desk)
        buyer = desk.person(5200, "Siu Ming", "en")
        await buyer.send("/start")
        await buyer.share_contact("0955 123 456")
        await desk.run_until(taipei("2026-12-05", "08:00"))  # 3 days before 8 December
        await buyer.tap("Confirm")  # the mortgage appointment
        desk.clock.now = taipei("2026-12-05", "09:30")
        await sales.send("/buyer C-001 mortgage 2026-12-10 15:00")

        await sales.send("/buyer C-001")
        record = sales.last_text.split("Record:\n")[1].splitlines()
        assert record == [
            "· Nov 26, 2026 10:00 Imported from the register",
            "· Dec 5, 2026 08:00 The buyer confirmed the mortgage appointment: Dec 8, 2026 "
            "14:00 (Wong Siu Ming)",
            "· Dec 5, 2026 09:30 Mortgage appointment changed: Dec 8, 2026 14:00 → Dec 10, "
            "2026 15:00 (Sales)"]
        await mainland.send("/buyer C-001")
        assert mainland.last_text.split("记录：\n")[1].splitlines()[1:] == [
            "· 2026年12月5日 08:00 购房人确认按揭手续时间：2026年12月8日 14:00（Wong Siu Ming）",
            "· 2026年12月5日 09:30 按揭手续时间已变更：2026年12月8日 14:00 → 2026年12月10日 "
            "15:00（Sales）"]
    finally:
        await desk.stop()
