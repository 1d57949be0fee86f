"""Renovation (裝修管理): a resident applies for a new bathroom that moves pipes; the repair
department asks for changes, the resident amends the application with drawings, and the
department approves (the resident is told); the cashier takes the fee and the deposit (bills
and a payment of the fee ledger); the desk grants the permit only after both; the acceptance
inspection cannot be asked before the works start; a neighbour's noise complaint shows the
permit; the inspection fails once, then passes, and the cashier refunds the deposit less a
deduction, the resident told. /mytickets lists the renovations; a refusal says 不予核准."""

from handlers import labels
from handlers.i18n import Tr
from tests.harness import DeskHarness
from tests.stories import staff
from tests.test_fees import join
from workflow import roles
from workflow.fees import collection
from workflow.settings import EstateSettings

ROSTER = """building,unit,name,phone
A,12F-3,陳美玲,0912-345-678
A,11F-3,Neighbour,0933 111 333
"""


async def open_desk(tmp_path):
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(
        renovation_fee=2000, renovation_deposit=10000))
    await desk.start()
    await desk.import_roster(ROSTER)
    return desk


async def resident(desk, user_id, phone, language="en"):
    person = desk.person(user_id, f"Resident {user_id}", language)
    await person.send("/start")
    await person.share_contact(phone)
    return person


async def send_file(person, file_id: str, name: str) -> None:
    """A file (a PDF drawing) sent in the chat."""
    await person.desk.feed({"message": person._message(document={
        "file_id": file_id, "file_unique_id": file_id[-8:], "file_name": name,
        "mime_type": "application/pdf"})})


async def apply_for_a_bathroom(owner, dates: str = "2026-12-01 2026-12-20"):
    await owner.send("/renovate")
    await owner.tap_data("rv:s:bathroom")
    await owner.tap_data("rv:s:flooring")
    await owner.tap_data("rv:sd")
    await owner.send("New bathroom: tiles, shower tray, and the basin moved to the left wall.")
    await owner.tap_data("rv:w:plumbing")
    await owner.tap_data("rv:wd")
    await owner.send(dates)
    await owner.send("Good Homes Ltd, 02-2222-3333")
    await owner.send_photo("bathroom-plan")
    await owner.tap_data("rv:pd")


def alert(desk) -> str:
    answer = desk.api.calls[-1]
    assert answer.method == "answerCallbackQuery" and answer.params.get("show_alert")
    return answer.params["text"]


async def test_a_bathroom_reviewed_paid_permitted_inspected_and_its_deposit_refunded(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        clerk, tech, boss = await staff(desk)
        cashier = await join(desk, roles.CASHIER, 9040, "Cashier")
        owner = await resident(desk, 5001, "0912-345-678")
        await apply_for_a_bathroom(owner)
        assert owner.last_text.startswith("Please check your application:")
        assert "Touches: Water and drainage pipes" in owner.last_text
        await owner.tap("Confirm and send")
        assert "registered as RN-2026-00001" in owner.last_text
        assert clerk.last_text.startswith("A renovation application\nRenovation RN-2026-00001")
        assert "Engineering review: waiting" in clerk.last_text
        assert cashier.labels() == ["Record the fees"]

        await clerk.tap("Approve the permit")  # not reviewed, not paid
        assert alert(desk) == ("The repair department has not approved this work yet: it "
                               "touches structure or building services.")
        await boss.tap("Needs changes")
        await boss.send("Keep the drain's fall at 2%; show the new pipe route.")
        assert "changes needed. Keep the drain's fall" in owner.last_text
        await owner.tap("Amend the application")
        await owner.send("The drain runs along the left wall at a 2% fall, as drawn.")
        await owner.send_photo("pipe-route-photo")
        await send_file(owner, "pipe-route-pdf", "pipe-route.pdf")
        assert owner.last_text == "Drawing 2 of 5 received. Send another, or tap 'Done'."
        await owner.tap("Done")
        assert owner.last_text.startswith("RN-2026-00001: your amended application is sent")
        review = boss.last_text
        assert review.startswith("Please review again: the resident amended this application.")
        assert "Amended: The drain runs along the left wall at a 2% fall, as drawn." in review
        assert "Engineering review: waiting" in review
        shown = [c for c in boss.calls() if c.method in ("sendDocument", "sendPhoto")]
        assert [c.method for c in shown[-2:]] == ["sendDocument", "sendPhoto"]
        await boss.tap("Approve")
        await boss.send("Route checked.")
        assert owner.last_text == ("RN-2026-00001: the repair department's review: approved. "
                                   "Route checked.")
        await clerk.tap_data("rn:ok:1")
        assert alert(desk) == "The renovation fees are not recorded as paid yet."
        await clerk.tap_data("rn:pay:1")  # the cashier takes the money, not the clerk
        assert alert(desk) == "Sorry, you are not allowed to do that."
        await cashier.tap("Record the fees")
        await cashier.tap_data("rn:pay:1")  # a second tap: the question is named, not coded
        assert cashier.last_text.startswith("You are in the middle of recording the renovation "
                                            "fees.")
        await cashier.send("1000 10000 R0042")  # less than the price list's fee
        assert cashier.last_text == ("The price list asks for a fee of NT$2,000 and a deposit "
                                     "of NT$10,000; please send the amounts paid.")
        await cashier.send("2000 10000 R0042")
        assert cashier.last_text == ("RN-2026-00001: the fees are recorded in the fee ledger "
                                     "(NT$12,000 received); the desk can grant the permit.")
        assert clerk.last_text.startswith("The renovation fees are paid at the cashier.")
        await clerk.tap("Approve the permit")
        assert owner.last_text.startswith("Your renovation permit RN-2026-00001: from "
                                          "Dec 1, 2026 to Dec 20, 2026, working hours 08:30-18:00")

        await owner.tap("Request the acceptance inspection")  # 26 November: not started
        assert owner.last_text == ("The permit's works start on Dec 1, 2026: the acceptance "
                                   "inspection can be asked for from that day on, when the "
                                   "work is done.")
        assert not any(t.startswith("Acceptance inspection asked for") for t in tech.texts())
        neighbour = await resident(desk, 5002, "0933 111 333")
        desk.clock.advance(days=6)  # 2 December, during the works
        await neighbour.tap("Make a complaint")
        await neighbour.tap("Noise and neighbours")
        await neighbour.send("Drilling all day upstairs.")
        await neighbour.tap("Skip")
        await neighbour.tap("Yes, please call me")
        await neighbour.tap("Confirm and send")
        card = next(t for t in clerk.texts() if "Drilling all day upstairs." in t)
        assert "Renovation permit in this building: RN-2026-00001, A 12F-3, Dec 1, 2026 to " \
               "Dec 20, 2026, working hours 08:30-18:00" in card

        await owner.tap("Request the acceptance inspection")
        assert tech.last_text.startswith("Acceptance inspection asked for")
        await tech.tap("Record the inspection")
        await tech.send_photo("bathroom-done")
        await tech.tap_data("rn:ipd")
        await tech.tap("Fail")
        await tech.send("Silicone missing around the shower tray.")
        assert "Silicone missing around the shower tray" in owner.last_text
        await owner.tap("Request the acceptance inspection")
        await tech.tap("Record the inspection")
        await tech.send_photo("bathroom-done-2")
        await tech.tap_data("rn:ipd")
        await tech.tap("Pass")
        await tech.send("Sealed and dry; a lift lobby tile cracked by the works.")
        assert owner.last_text == ("RN-2026-00001: the renovation passed its acceptance "
                                   "inspection. The cashier refunds the deposit of NT$10,000; you "
                                   "are told when it is done.")
        assert cashier.last_text.startswith("RN-2026-00001 passed its acceptance inspection: "
                                            "refund the deposit of NT$10,000")
        await cashier.tap("Refund the deposit")
        await cashier.send("1500")  # a deduction needs its reason
        assert cashier.last_text.startswith("Please send 0, or the amount deducted and why")
        await cashier.send("20000 everything")  # more than the deposit
        assert cashier.last_text.startswith("The deduction cannot be more than the deposit")
        await cashier.send("1,500 lift lobby tile cracked")
        assert cashier.last_text == ("RN-2026-00001: the deposit's refund of NT$8,500 is recorded "
                                     "in the fee ledger; the resident is told.")
        assert owner.last_text == ("RN-2026-00001: your renovation deposit is refunded: "
                                   "NT$8,500.\nDeducted: NT$1,500, because: lift lobby tile "
                                   "cracked")
        await cashier.tap("Refund the deposit")  # once: an old button asks for nothing
        assert alert(desk).startswith("This button is out of date")
        await cashier.tap_data("rn:pay:1")  # nor does the fees' button, paid long ago
        assert alert(desk).startswith("This button is out of date")
        await cashier.send("0")
        assert cashier.last_text == "I did not understand that. Please choose from the menu."
        assert await desk.query("SELECT count(*) FROM payments") == [(2,)]

        # in the fee ledger: a bill behind each sum, in the cashier's drawer (day close,
        # income statement); the unit owes nothing and keeps the deduction
        assert await desk.query("SELECT item, amount, period FROM bills ORDER BY id") == [
            ("renovation_deposit", 1000000, "2026-11-26"), ("renovation_fee", 200000, "2026-11-26"),
            ("renovation_deposit_refund", -850000, "2026-12-02")]
        # one receipt paid both bills; the refund's payment is the cashier's own receipt
        assert await desk.query("SELECT receipt, bill_id IS NOT NULL FROM payments ORDER BY id") \
            == [("R0042", 1), ("RN-2026-00001-R", 1)]
        november, _ = await collection.month(desk.db, desk.settings, "2026-11")
        december, _ = await collection.month(desk.db, desk.settings, "2026-12")
        assert [(p.amount, p.method, p.cashier_id) for p in november + december] == [
            (12000, "cash", 9040), (-8500, "cash", 9040)]
        [statement] = await collection.statements(desk.db, owner.user_id)
        assert statement.outstanding == 0
        actions = [a for (a,) in await desk.query(
            "SELECT action FROM renovation_events ORDER BY id")]
        assert actions == ["applied", "review_changes", "amended", "review_approved", "paid",
                           "approved", "inspection_requested", "inspection_failed",
                           "inspection_requested", "inspection_passed", "deposit_refunded"]
        await owner.send("/mytickets")
        assert owner.last_text == ("Your renovations:\n· RN-2026-00001 · accepted, deposit "
                                   "refunded · Dec 1, 2026 to Dec 20, 2026")
    finally:
        await desk.stop()


async def test_a_renovation_without_building_services_needs_no_review_in_chinese(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        clerk, tech, boss = await staff(desk, "zh-TW")
        owner = await resident(desk, 5001, "0912-345-678", "zh-TW")
        await owner.send("/renovate")
        await owner.tap("油漆")
        await owner.tap("完成")
        await owner.send("客廳重新油漆。")
        await owner.tap("完成")  # touches none of the services
        await owner.send("2026-11-01 2026-11-05")  # already past
        assert "請輸入兩個日期" in owner.last_text
        await owner.send("2026-12-01 2026-12-05")
        await owner.send("好家油漆行 02-2222-4444")
        await owner.tap("完成")
        await owner.tap("確認送出")
        assert "RN-2026-00001" in owner.last_text
        assert not any("請審查" in t for t in boss.texts())
        cashier = await join(desk, roles.CASHIER, 9040, "出納", "zh-TW")
        await cashier.tap_data("rn:pay:1")
        assert cashier.last_text.startswith("裝修管理費、保證金、收據號碼；非現金時再加「轉帳」")
        await cashier.send("2000 10000 T-0043 轉帳")  # by transfer, counted as one
        assert await desk.query("SELECT amount, method, receipt FROM payments") == [
            (1200000, "transfer", "T-0043")]
        manager = await join(desk, roles.MANAGER, 9004, "經理", "zh-TW")
        await manager.send("/reverse 1 轉帳被退回")  # the bank returned the transfer
        await clerk.tap("核發裝修許可")  # no money behind the fees now: no permit
        assert alert(desk) == "裝修費用尚未登錄繳交。"
        assert await desk.query("SELECT state FROM renovations") == [("applied",)]
        await cashier.tap_data("rn:pay:1")  # the fees were recorded once: not again
        assert alert(desk).startswith("這個按鈕已經過期")
        await cashier.send("/pay A 12F-3 12000 轉帳 T-0045")  # paid again, against its bills
        await clerk.tap("核發裝修許可")
        assert "裝修許可 RN-2026-00001" in owner.last_text
        await clerk.tap_data("rn:ok:1:3")  # a second clerk on the same card
        assert desk.api.calls[-1].params.get("show_alert")
        await owner.tap_data("rn:ok:1:3")  # a resident cannot grant permits
        assert desk.api.calls[-1].params.get("show_alert")
        stranger = await resident(desk, 5002, "0933 111 333", "zh-TW")
        await stranger.tap_data("rv:in:1")  # not their renovation
        assert desk.api.calls[-1].params.get("show_alert")
        assert await desk.query("SELECT state FROM renovations") == [("approved",)]
        # the neighbour's renovation paid with a receipt number the ledger has already: refused
        # as at /pay, nothing recorded, and the right number then taken
        await stranger.send("/renovate")
        await stranger.tap("油漆")
        await stranger.tap("完成")
        await stranger.send("臥室油漆。")
        await stranger.tap("完成")
        await stranger.send("2026-12-02 2026-12-04")
        await stranger.send("好家油漆行 02-2222-4444")
        await stranger.tap("完成")
        await stranger.tap("確認送出")
        await cashier.tap_data("rn:pay:2")
        await cashier.send("2000 10000 t-0043 轉帳")
        assert cashier.last_text.startswith("收據 T-0043 已用於收款 1（A 12F-3")
        assert await desk.query("SELECT count(*) FROM payments") == [(3,)]
        assert await desk.query("SELECT count(*) FROM bills") == [(2,)]
        await cashier.send("2000 10000 T-0044 轉帳")
        assert await desk.query("SELECT receipt FROM payments ORDER BY id") == [
            ("T-0043",), ("T-0043",), ("T-0045",), ("T-0044",)]
    finally:
        await desk.stop()


async def test_a_refused_renovation_says_not_approved_and_is_listed_in_mytickets(tmp_path):
    """A refusal is 不予核准 (a permit is not approved; 不予借出 is a loan's refusal), in the
    resident's /mytickets as in the notice, in each language."""
    desk = await open_desk(tmp_path)
    try:
        clerk, tech, boss = await staff(desk, "zh-CN")
        owner = await resident(desk, 5001, "0912-345-678", "zh-TW")
        await owner.send("/mytickets")
        assert owner.last_text.startswith("您還沒有")  # nothing yet
        await apply_for_a_bathroom(owner)
        await owner.tap("確認送出")
        await owner.send("/mytickets")
        assert owner.last_text == ("您的裝修申請：\n· RN-2026-00001 · 已申請 · 2026年12月1日至 "
                                   "2026年12月20日")
        await boss.tap("不同意")
        await boss.send("排水管不得穿越樓板。")
        assert owner.last_text == "RN-2026-00001：維修部門審查結果：不予核准。排水管不得穿越樓板。"
        assert "不予核准" in clerk.last_text and "不予借出" not in clerk.last_text
        assert "裝修" not in " ".join(owner.labels())  # no amendment after a refusal
        await owner.send("/mytickets")
        assert owner.last_text == ("您的裝修申請：\n· RN-2026-00001 · 不予核准 · 2026年12月1日至 "
                                   "2026年12月20日")
        await owner.tap_data("rv:am:1")  # an amendment is for "needs changes" only
        assert alert(desk).startswith("這個按鈕已經過期")
        for language, words in (("zh_Hans", "不予核准"), ("en", "not approved")):
            tr = Tr(language, desk.settings.tz)
            assert labels.of(tr, labels.REVIEWS, "refused") == words
            assert labels.of(tr, labels.RENOVATION_STATES, "refused") == words
    finally:
        await desk.stop()
