"""Renovation (裝修管理): a resident applies for a new bathroom that moves pipes; the repair
department reviews it; the desk records the fees and grants the permit only after both; a
neighbour's noise complaint shows the permit; the acceptance inspection fails once, then
passes and the deposit is refunded."""

from tests.harness import DeskHarness
from tests.stories import staff
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


async def apply_for_a_bathroom(owner):
    await owner.send("/renovate")
    await owner.tap_data("rv:s:bathroom")
    await owner.tap_data("rv:s:flooring")
    await owner.tap_data("rv:sd")
    await owner.send("New bathroom: tiles, shower tray, and the basin moved to the left wall.")
    await owner.tap_data("rv:w:plumbing")
    await owner.tap_data("rv:wd")
    await owner.send("2026-12-01 2026-12-20")
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
        owner = await resident(desk, 5001, "0912-345-678")
        await apply_for_a_bathroom(owner)
        assert owner.last_text.startswith("Please check your application:")
        assert "Touches: Water and drainage pipes" in owner.last_text
        await owner.tap("Confirm and send")
        assert "registered as RN-2026-00001" in owner.last_text
        assert clerk.last_text.startswith("A renovation application\nRenovation RN-2026-00001")
        assert "Engineering review: waiting" in clerk.last_text

        await clerk.tap("Approve the permit")  # not reviewed, not paid
        assert alert(desk) == ("The repair department has not approved this work yet: it "
                               "touches structure or building services.")
        await boss.tap("Needs changes")
        await boss.send("Keep the drain's fall at 2%; show the new pipe route.")
        assert "changes needed. Keep the drain's fall" in owner.last_text
        await boss.tap_data("rn:ra:1")
        await boss.send("Route checked.")
        await clerk.tap_data("rn:ok:1")
        assert alert(desk) == "The renovation fees are not recorded as paid yet."
        await clerk.tap("Record the fees")
        await clerk.send("1000 10000 R0042")  # less than the price list's fee
        assert clerk.last_text == ("The price list asks for a fee of 2,000 and a deposit of "
                                   "10,000; please send the amounts paid.")
        await clerk.send("2000 10000 R0042")
        assert clerk.last_text == "RN-2026-00001: the fees are recorded."
        await clerk.tap("Approve the permit")
        assert owner.last_text.startswith("Your renovation permit RN-2026-00001: from "
                                          "2026-12-01 to 2026-12-20, working hours 08:30-18:00")

        neighbour = await resident(desk, 5002, "0933 111 333")
        desk.clock.advance(days=6)  # 2 December, during the works
        await neighbour.tap("Make a complaint")
        await neighbour.tap("Noise and neighbours")
        await neighbour.send("Drilling all day upstairs.")
        await neighbour.tap("Skip")
        await neighbour.tap("Yes, please call me")
        await neighbour.tap("Confirm and send")
        card = next(t for t in clerk.texts() if "Drilling all day upstairs." in t)
        assert "Renovation permit in this building: RN-2026-00001, A 12F-3, 2026-12-01 to " \
               "2026-12-20, working hours 08:30-18:00" in card

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
        await tech.send("Sealed and dry.")
        assert owner.last_text == ("RN-2026-00001: the renovation passed its acceptance "
                                   "inspection. The deposit of 10,000 is refunded.")
        actions = [a for (a,) in await desk.query(
            "SELECT action FROM renovation_events ORDER BY id")]
        assert actions == ["applied", "review_changes", "review_approved", "paid", "approved",
                           "inspection_requested", "inspection_failed", "inspection_requested",
                           "inspection_passed", "deposit_refunded"]
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
        await clerk.tap("登錄費用")
        await clerk.send("2000 10000 R0043")
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
    finally:
        await desk.stop()
