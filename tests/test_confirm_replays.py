"""A confirmed report answers with its reference however often "Confirm and send" arrives:
Telegram delivers the tap again after a crash between the filing's commit and its answer,
and people double-tap. One ticket, and the reference every time."""

import asyncio
import contextlib

from handlers.channels.telegram import broadcast
from tests.harness import DeskHarness
from tests.stories import report_leak, resident_of_a12, staff
from tests.test_renovations import apply_for_a_bathroom, open_desk, resident

REGISTERED = "Thank you. Your repair is registered as R-2026-00001."


async def crash_after_the_commit(desk: DeskHarness, person, label: str, table: str) -> None:
    """The person taps; the process is killed once the record is committed, before its
    answer reaches Telegram; a new process starts on the same database."""
    desk.api.held[person.user_id] = asyncio.Event()  # the answer hangs on its way
    tapping = asyncio.create_task(person.tap(label))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if await desk.query(f"SELECT count(*) FROM {table}") == [(1,)]:
            break
    tapping.cancel()  # kill -9
    with contextlib.suppress(asyncio.CancelledError):
        await tapping
    await desk.restart()


async def test_a_report_confirmed_again_after_a_crash_answers_with_its_reference(desk):
    resident_ = await resident_of_a12(desk)
    await report_leak(resident_, send=False)
    await crash_after_the_commit(desk, resident_, "Confirm and send", "tickets")
    assert not any("registered as" in t for t in resident_.texts())
    await desk.replay_last()  # Telegram had no answer: it delivers the tap again
    assert resident_.last_text.startswith(REGISTERED)
    assert await desk.query("SELECT ref FROM tickets") == [("R-2026-00001",)]


async def test_a_double_tap_on_confirm_answers_with_the_reference_twice(desk):
    clerk, _, _ = await staff(desk)
    resident_ = await resident_of_a12(desk)
    await report_leak(resident_, send=False)
    await resident_.tap("Confirm and send")
    await resident_.tap("Confirm and send")
    assert sum(t.startswith(REGISTERED) for t in resident_.texts()) == 2
    assert await desk.query("SELECT count(*) FROM tickets") == [(1,)]
    assert sum("New repair report" in t for t in clerk.texts()) == 1


async def test_the_confirm_of_a_cancelled_report_still_says_so(desk):
    resident_ = await resident_of_a12(desk)
    await report_leak(resident_)  # R-2026-00001
    await report_leak(resident_, "The tap in the bathroom drips.", send=False)
    await resident_.send("/cancel")
    await resident_.tap("Confirm and send")  # the cancelled one's button
    assert "already been sent or was cancelled" in resident_.last_text
    assert await desk.query("SELECT count(*) FROM tickets") == [(1,)]


async def complaint_up_to_its_summary(person) -> None:
    await person.send("/complain")
    await person.tap("Noise and neighbours")
    await person.send("Drilling every night after ten.")
    await person.tap("Skip")
    await person.tap("Yes, please call me")


async def test_a_complaint_confirmed_again_after_a_crash_or_twice_answers_with_its_reference(
        desk):
    resident_ = await resident_of_a12(desk)
    await complaint_up_to_its_summary(resident_)
    await crash_after_the_commit(desk, resident_, "Confirm and send", "tickets")
    await desk.replay_last()
    await resident_.tap("Confirm and send")  # and a double tap
    registered = [t for t in resident_.texts() if "registered as" in t]
    assert len(registered) == 2 and all("complaint is registered as C-2026-00001" in t
                                        for t in registered)
    assert await desk.query("SELECT count(*) FROM tickets") == [(1,)]


async def test_a_renovation_application_confirmed_twice_answers_with_its_reference(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        owner = await resident(desk, 5001, "0912-345-678")
        await apply_for_a_bathroom(owner)
        await crash_after_the_commit(desk, owner, "Confirm and send", "renovations")
        await desk.replay_last()
        await owner.tap("Confirm and send")
        assert sum("registered as RN-2026-00001" in t for t in owner.texts()) == 2
        assert await desk.query("SELECT count(*) FROM renovations") == [(1,)]
    finally:
        await desk.stop()


async def test_an_announcement_sent_now_twice_is_one_announcement(desk):
    clerk, _, _ = await staff(desk)
    may = await resident_of_a12(desk)
    await clerk.send("/announce")
    await clerk.send("The lifts are serviced on Friday morning.")
    await clerk.tap("Everyone")
    await clerk.tap("Send now")
    await clerk.tap("Send now")
    assert [t for t in clerk.texts() if t.startswith("Sending announcement")] == \
        ["Sending announcement 1: starting."] * 2
    assert await desk.query("SELECT count(*) FROM announcements") == [(1,)]
    for _ in range(5):
        await broadcast.pump(desk.app.bot, desk.app.bot_data.desk)
    assert sum("The lifts are serviced" in t for t in may.texts()) == 1



async def test_another_residents_confirm_button_shows_them_nothing_of_it(desk):
    may = await resident_of_a12(desk)
    await report_leak(may, send=False)
    _, button = may.button("Confirm and send")
    await desk.import_roster("building,unit,name,phone\nA,7F-2,Neighbour,0933 222 444\n")
    neighbour = desk.person(5002, "Neighbour", "en")
    await neighbour.send("/start")
    await neighbour.share_contact("0933 222 444")
    await may.tap("Confirm and send")
    await neighbour.tap_data(button["callback_data"])  # forged: May's draft's id
    assert "already been sent or was cancelled" in neighbour.last_text
    assert not any("R-2026-00001" in t for t in neighbour.texts())


async def test_a_confirm_naming_no_draft_is_an_old_button(desk):
    """A forged id (a NUL, which PostgreSQL refuses in text) is read as no id at all."""
    may = await resident_of_a12(desk)
    await report_leak(may, send=False)
    await may.tap_data("r:ok:\x00")
    assert may.last_text.startswith(REGISTERED)
