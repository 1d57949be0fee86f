"""A photo first: a resident sends a picture of the leak and nothing else; the desk offers to
report it and asks only for what the photo and its caption do not say."""

import json

from tests.conftest import ROSTER
from tests.harness import DeskHarness
from tests.stories import choose_a_visit, report_leak, resident_of_a12, staff


async def test_a_photo_sent_cold_becomes_a_repair_without_asking_twice(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await resident.send_photo("leak-1", caption="Water under the kitchen sink")
    assert resident.last_text == "Report a repair with this photo? Or is it a complaint?"
    await resident.tap("Report a repair")
    await resident.tap_data("pf:r")  # a double tap: the offer is taken already
    assert "out of date" in resident.desk.api.calls[-1].params.get("text", "")
    assert await desk.query("SELECT flow, step FROM drafts") == [("report", "category")]
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:normal")
    await resident.send("Kitchen")
    # the caption was the description and the photo is attached: on to the visit
    assert resident.last_text == "Which day suits you for a visit?"
    await choose_a_visit(resident)
    assert "Water under the kitchen sink" in resident.last_text  # the summary
    await resident.tap_data("r:ok")
    assert "registered as R-2026-00001" in resident.last_text
    assert await desk.query("SELECT description FROM tickets") == \
        [("Water under the kitchen sink",)]
    assert await desk.query("SELECT file_id FROM ticket_photos") == [("leak-1",)]
    assert "New repair report" in clerk.last_text


async def test_an_album_of_seven_offered_says_five_were_kept_and_two_left_out(desk):
    resident = await resident_of_a12(desk)
    for n in range(7):
        await resident.send_photo(f"leak-{n}", album="album-1")
    await resident.tap("Report a repair")
    assert "5 of your photos were kept and 2 left out: a report takes at most 5." in \
        resident.texts()[-2]
    [(data,)] = await desk.query("SELECT data FROM drafts")
    assert len(json.loads(data)["photos"]) == 5


async def test_an_album_makes_one_offer_and_every_photo_follows_the_report(desk):
    resident = await resident_of_a12(desk)
    for n in range(3):
        await resident.send_photo(f"leak-{n}", album="album-1")
    offers = [t for t in resident.texts() if t.startswith("Report a repair with this photo")]
    assert len(offers) == 1
    await resident.tap("Report a repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:normal")
    await resident.send("Kitchen")
    assert "describe" in resident.last_text.lower()  # no caption: the description is asked
    await resident.send("It drips all night.")
    await choose_a_visit(resident)
    await resident.tap_data("r:ok")
    assert await desk.query("SELECT file_id FROM ticket_photos ORDER BY position") == \
        [("leak-0",), ("leak-1",), ("leak-2",)]


async def test_a_photo_can_become_a_complaint_or_nothing(desk):
    resident = await resident_of_a12(desk)
    await resident.send_photo("rubbish-1", caption="Rubbish left in the stairwell for days")
    await resident.tap("No, thanks")
    assert "nothing was reported" in resident.last_text
    assert await desk.query("SELECT count(*) FROM drafts") == [(0,)]
    await resident.tap_data("pf:r")  # the old offer again: nothing left to accept
    assert await desk.query("SELECT count(*) FROM tickets") == [(0,)]
    await resident.send_photo("rubbish-2", caption="Rubbish left in the stairwell for days")
    await resident.tap("Make a complaint")
    assert await desk.query("SELECT flow, step FROM drafts") == [("complaint", "category")]
    draft = await desk.query("SELECT data FROM drafts")
    assert "rubbish-2" in draft[0][0] and "stairwell" in draft[0][0]


async def test_the_offer_speaks_the_residents_language(desk):
    resident = await resident_of_a12(desk, language="zh-TW")
    await resident.send_photo("leak-9")
    assert resident.last_text == "要用這張照片報修嗎？還是要投訴？"
    await resident.send("好")  # text while the offer waits: the buttons again
    assert "請用按鈕選擇" in resident.last_text
    assert "我要報修" in resident.labels()


async def test_a_photo_past_the_days_limit_is_told_when_to_come_back(tmp_path):
    from workflow.settings import EstateSettings

    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(daily_report_limit=1))
    await desk.start()
    try:
        await desk.import_roster(ROSTER)
        resident = await resident_of_a12(desk)
        await report_leak(resident)
        await resident.send_photo("leak-2", caption="And the bathroom too")
        await resident.tap("Report a repair")
        assert "the most new reports one day takes" in resident.last_text
        assert await desk.query("SELECT count(*) FROM drafts") == [(0,)]  # the offer ended
        assert await desk.query("SELECT count(*) FROM tickets") == [(1,)]
    finally:
        await desk.stop()
