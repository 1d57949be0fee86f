"""Unit sales control (房號管理): two sales people record a reservation payment for the same
unit at the same moment: one holds it, the other is told who was first; the person who
recorded a payment cannot verify it; the second person's check reserves the unit and every
sales person is told to stop offering it; a payment not found frees the unit; the day's
sales reach the sales supervisor in the evening."""

import asyncio
import re
from datetime import UTC, datetime

from tests.harness import DeskHarness
from tests.test_fees import join
from workflow import roles


async def test_one_unit_reserved_twice_at_once(tmp_path):
    desk = DeskHarness(tmp_path / "desk.sqlite3")
    await desk.start()
    try:
        await desk.import_roster("building,unit,name,phone\nC,8F-2,Owner,0911 000 001\n"
                                 "C,9F-1,Owner,0911 000 002\nC,10F-1,Owner,0911 000 003\n")
        first = await join(desk, roles.SALES_SERVICE, 9050, "Sales One")
        second = await join(desk, roles.SALES_SERVICE, 9051, "Sales Two")
        cashier = await join(desk, roles.CASHIER, 9040, "Cashier")
        head = await join(desk, roles.SALES_SUPERVISOR, 9060, "Sales Head")

        await asyncio.gather(first.send("/reserve C 9F-1 50000 R0043 Chan Tai Man"),
                             second.send("/reserve C 9F-1 50000 R0044 Ho Mei"))
        answers = sorted([first.last_text, second.last_text])
        assert answers[0].startswith("C 9F-1 is already held by reservation 1 (")
        assert "first paid, first served. Nothing was recorded." in answers[0]
        assert answers[1].startswith("Reservation 1 recorded: C 9F-1")
        assert await desk.query("SELECT COUNT(*) FROM reservations") == [(1,)]

        recorder = first if first.last_text.startswith("Reservation 1") else second
        other = second if recorder is first else first
        assert head.last_text.startswith("Reservation 1 to verify: C 9F-1")
        assert cashier.last_text.startswith("Reservation 1 to verify: C 9F-1")
        await desk.hire(recorder, roles.CASHIER, "Sales One")  # even as finance, not their own
        await recorder.tap_data("rs:v:1")
        assert recorder.last_text == ("You recorded this reservation: a second person must "
                                      "verify it.")
        await head.tap("Verified")
        assert head.last_text == "Reservation 1 verified: C 9F-1 is reserved."
        assert other.last_text.startswith("C 9F-1 is reserved (reservation 1")
        assert other.last_text.endswith("stop offering it.")
        await cashier.tap("Verified")  # the second verifier's card is out of date
        assert "out of date" in desk.api.calls[-1].params["text"]

        await other.send("/reserve C 9F-1 60000 R0050 Late Buyer")
        assert other.last_text.startswith("C 9F-1 is already held by reservation 1")
        await other.send("/reserve C 10F-1 20000 R0051 Ng Wing")
        await head.tap("Not received")
        assert re.match(r"Reservation \d+ of C 10F-1 was not verified", other.last_text)
        await other.send("/units C")
        assert other.last_text == ("available 2, reserved 1, contracted 0\n"
                                   "Available: C 10F-1, C 8F-2")

        desk.clock.now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # 18:00 in Taipei
        await desk.sweep()
        assert head.last_text == ("Sales on 2026-11-26:\nreserved: C 9F-1\n"
                                  "Reservation payments recorded: 2, 70,000 in all.")
        await desk.sweep()
        assert len([t for t in head.texts() if t.startswith("Sales on")]) == 1
    finally:
        await desk.stop()


async def test_strangers_cannot_reserve_or_verify(tmp_path):
    desk = DeskHarness(tmp_path / "desk.sqlite3")
    await desk.start()
    try:
        await desk.import_roster("building,unit,name,phone\nC,8F-2,Owner,0911 000 001\n")
        resident = desk.person(5001, "May", "en")
        await resident.send("/start")
        await resident.share_contact("0911 000 001")
        await resident.send("/reserve C 8F-2 50000 R1 Me")
        assert resident.last_text == "Sorry, you are not allowed to do that."
        await resident.tap_data("rs:v:1")
        await resident.send("/units")
        assert resident.last_text == "Sorry, you are not allowed to do that."
        assert await desk.query("SELECT COUNT(*) FROM reservations") == [(0,)]
    finally:
        await desk.stop()
