"""Unit sales control (房號管理): two sales people record a reservation payment for the same
unit at the same moment: one holds it, the other is told who was first; the person who
recorded a payment cannot verify it; the second person's check reserves the unit and every
sales person is told to stop offering it; a payment not found frees the unit; the day's
sales reach the sales supervisor in the evening."""

import asyncio
import re
from datetime import UTC, datetime
from decimal import Decimal

from storage import roster
from storage.sales import units
from tests.harness import DeskHarness
from tests.test_fees import join
from workflow import roles
from workflow.sales import reservations

INVENTORY = """building,unit,area,price,status
C,8F-2,35.5,12800000,available
C,9F-1,35.5,13200000,available
C,10F-1,40.25,15000000,available
"""


async def load_inventory(desk, text: str = INVENTORY) -> tuple[int, int, int]:
    """The office loads the developer's inventory (estatedesk units import)."""
    return await reservations.import_inventory(desk.db, text.encode(), "inventory.csv", "en",
                                               desk.clock())


async def test_one_unit_reserved_twice_at_once(tmp_path):
    desk = DeskHarness(tmp_path / "desk.sqlite3")
    await desk.start()
    try:
        await load_inventory(desk)
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
        assert other.last_text == (
            "available 2, reserved 1, and contracted 0\n"
            "C 8F-2: available, area 35.5, price 12,800,000\n"
            "C 9F-1: reserved, area 35.5, price 13,200,000\n"
            "C 10F-1: available, area 40.25, price 15,000,000")

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
        await load_inventory(desk, "building,unit,area,price,status\nC,9F-1,35,1,available\n")
        resident = desk.person(5001, "May", "en")
        await resident.send("/start")
        await resident.share_contact("0911 000 001")
        await resident.send("/reserve C 9F-1 50000 R1 Me")
        assert resident.last_text == "Sorry, you are not allowed to do that."
        await resident.tap_data("rs:v:1")
        await resident.send("/units")
        assert resident.last_text == "Sorry, you are not allowed to do that."
        assert await desk.query("SELECT COUNT(*) FROM reservations") == [(0,)]
    finally:
        await desk.stop()


async def test_only_the_developers_inventory_is_for_sale(tmp_path):
    """The roster's occupied homes were listed as for sale and could be reserved, and a unit
    for sale that was not on the roster could not: now the developer's inventory is loaded on
    its own, /units lists it with each unit's status, and only its units can be reserved."""
    desk = DeskHarness(tmp_path / "desk.sqlite3")
    await desk.start()
    try:
        await desk.import_roster("building,unit,name,phone\nA,12F-3,陳美玲,0912 345 678\n")
        sales = await join(desk, roles.SALES_SERVICE, 9050, "Sales")
        await sales.send("/units")
        assert sales.last_text.startswith("No units for sale yet")  # the roster is no stock

        bad = ("building,unit,area,price,status\n"
               "D,3F-1,31.2,9800000,available\n"
               "D,3F-2,thirty,9800000,available\n"  # not a number
               "D,3F-3,31.2,9800000,on hold\n"  # not a status
               "D,3F-1,31.2,9900000,sold\n"  # the same unit twice
               "A,12F-3,42,16000000,available\n")  # an occupied home
        try:
            await load_inventory(desk, bad)
        except reservations.InventoryError as refused:
            assert refused.problems == [
                (3, "area and price must be numbers above 0 (area to the thousandth, price "
                    "to the cent)"),
                (4, "the status 'on hold' is not one of available, reserved, sold"),
                (5, "D 3F-1 is listed twice (line 2)"),
                (6, "A 12F-3 is an occupied home on the owner roster: it cannot be for sale")]
        else:
            raise AssertionError("a file with bad rows was imported")
        good = bad.replace("D,3F-2,thirty", "D,3F-2,31.2").replace("on hold", "已下訂") \
            .replace("D,3F-1,31.2,9900000,sold", "D,5F-1,31.2,9900000,已售")
        assert await desk.query("SELECT COUNT(*) FROM sale_units") == [(0,)]
        assert await load_inventory(desk, good.replace("A,12F-3,42,16000000,available\n", "")) \
            == (4, 4, 0)

        await sales.send("/units D")
        assert sales.last_text == ("available 2, reserved 1, and contracted 1\n"
                                   "D 3F-1: available, area 31.2, price 9,800,000\n"
                                   "D 3F-2: available, area 31.2, price 9,800,000\n"
                                   "D 3F-3: reserved, area 31.2, price 9,800,000\n"
                                   "D 5F-1: contracted, area 31.2, price 9,900,000")
        await sales.send("/units")
        assert "12F-3" not in sales.last_text

        await sales.send("/reserve A 12F-3 50000 R0100 Chan Tai Man")
        assert sales.last_text == ("A 12F-3 is not in the developer's inventory of units for "
                                   "sale: only those can be reserved. Nothing was recorded.")
        await sales.send("/reserve D 5F-1 50000 R0101 Chan Tai Man")
        assert sales.last_text == "D 5F-1 cannot be reserved: it is contracted."
        await sales.send("/reserve D 3F-1 50000 R0102 Chan Tai Man")  # not on the roster
        assert sales.last_text.startswith("Reservation 1 recorded: D 3F-1")
        assert await desk.query("SELECT u.unit FROM reservations r JOIN units u "
                                "ON u.id = r.unit_id") == [("3F-1",)]

        # the developer's file again, out of date: it does not free a unit the desk holds
        assert await load_inventory(desk, good.replace(
            "A,12F-3,42,16000000,available\n", "").replace("D,3F-3,31.2,9800000,已下訂",
                                                           "D,3F-3,31.2,9800000,available")
            .replace("D,3F-1,31.2,9800000", "D,3F-1,31.2,9700000")) == (4, 0, 0)
        await sales.send("/units D")
        assert sales.last_text.splitlines()[1:3] == [
            "D 3F-1: available, area 31.2, price 9,700,000",  # its reservation is pending
            "D 3F-2: available, area 31.2, price 9,800,000"]
        assert "D 3F-3: available" in sales.last_text  # the developer released it

        head = await join(desk, roles.SALES_SUPERVISOR, 9060, "銷售主管", "zh-TW")
        await head.tap_data("rs:v:1")  # joined after it was recorded: the card's button
        assert head.last_text == "訂金 1 已覆核：D 3F-1已下訂。"
        await head.send("/units D")
        assert head.last_text.splitlines()[1] == "D 3F-1：已下訂，面積 31.2，售價 9,700,000"
        assert await load_inventory(desk, "building,unit,area,price,status\n"
                                          "D,3F-1,31.2,9700000,available\n") == (1, 0, 1)
        await head.send("/units D")  # the verified reservation holds it still
        assert head.last_text.splitlines()[1] == "D 3F-1：已下訂，面積 31.2，售價 9,700,000"
    finally:
        await desk.stop()


def test_the_inventory_is_imported_from_a_sheet_and_a_bad_one_changes_nothing(tmp_path):
    from openpyxl import Workbook

    from tests.test_roster_cli import cli, count

    book = Workbook()
    sheet = book.active
    sheet.append(("building", "unit", "area", "price", "status"))
    sheet.append(("E", "2F-1", 28.75, 8600000, "available"))
    sheet.append(("E", "2F-2", 28.75, 8650000, "sold"))
    book.save(tmp_path / "inventory.xlsx")
    first = cli(tmp_path, "units", "import", str(tmp_path / "inventory.xlsx"))
    assert "2 units read, 2 new to the inventory, 0 updated" in first.stdout, first.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("building,unit,area,price,status\nE,3F-1,28.75,-5,available\n"
                   "E,3F-2,28.75,8650000,maybe\n", encoding="utf-8")
    refused = cli(tmp_path, "units", "import", str(bad))
    assert refused.returncode == 1
    assert "line 2: area and price must be numbers above 0" in refused.stderr
    assert "line 3: the status 'maybe' is not one of available, reserved, sold" in refused.stderr
    assert "2 problem(s). Nothing was imported." in refused.stderr
    assert count(tmp_path, "sale_units") == 2


async def test_a_home_reserved_before_the_inventory_was_kept_is_not_verified(tmp_path):
    """A reservation recorded for an occupied home before the inventory was kept (the old
    fault) waits to be verified: the cashier's "Verified" is refused with why, and "Not
    received" voids it."""
    desk = DeskHarness(tmp_path / "desk.sqlite3")
    await desk.start()
    try:
        await desk.import_roster("building,unit,name,phone\nA,12F-3,陳美玲,0912 345 678\n")
        sales = await join(desk, roles.SALES_SERVICE, 9050, "Sales")
        cashier = await join(desk, roles.CASHIER, 9040, "Cashier")
        async with desk.db.transaction() as conn:
            home = await roster.unit_id(conn, "A", "12F-3")
            await units.add_reservation(conn, home, "Chan Tai Man", Decimal(50000), "R0043",
                                        sales.user_id, desk.clock())
        await cashier.tap_data("rs:v:1")
        assert cashier.last_text == ("A 12F-3 is not in the developer's inventory of units "
                                     "for sale: only those can be reserved. Nothing was "
                                     "recorded.")
        assert await desk.query("SELECT state FROM reservations") == [("pending",)]
        assert await desk.query("SELECT COUNT(*) FROM unit_sales") == [(0,)]
        await cashier.tap_data("rs:n:1")
        assert await desk.query("SELECT state FROM reservations") == [("void",)]
    finally:
        await desk.stop()


async def test_the_units_are_listed_floor_by_floor_in_chinese(tmp_path):
    """The 8th floor before the 10th, as a sales person walks the building."""
    desk = DeskHarness(tmp_path / "desk.sqlite3")
    await desk.start()
    try:
        await load_inventory(desk)
        sales = await join(desk, roles.SALES_SERVICE, 9050, "小王", "zh-TW")
        await sales.send("/units")
        assert sales.last_text.splitlines() == ["可售 3、已下訂 0 及已簽約 0",
                                                "C 8F-2：可售，面積 35.5，售價 12,800,000",
                                                "C 9F-1：可售，面積 35.5，售價 13,200,000",
                                                "C 10F-1：可售，面積 40.25，售價 15,000,000"]
    finally:
        await desk.stop()
