"""How long the desk keeps what: a closed ticket's photos, voice notes and free text are
forgotten once the settings' time since it closed has passed, a person who left once theirs
has; a batch a run, only what is past its time, and a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.privacy import erasure as store
from tests.conftest import ROSTER
from tests.harness import DeskHarness
from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff
from tests.test_fees import join
from workflow import admin, roles
from workflow.fees import collection
from workflow.privacy import retention
from workflow.settings import EstateSettings, FeeItem


async def contents(desk):
    return await desk.query(
        "SELECT t.id, t.description, t.location, t.erased_at IS NOT NULL, "
        "(SELECT count(*) FROM ticket_photos p WHERE p.ticket_id = t.id), "
        "(SELECT count(*) FROM visits v WHERE v.ticket_id = t.id AND v.note <> '') "
        "FROM tickets t ORDER BY t.id")


@pytest.fixture
async def short_desk(tmp_path):
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(
        keep_closed_tickets_days=30, keep_people_left_days=10,
        fee_items=(FeeItem("management_fee", 3200),)))
    await desk.start()
    await desk.import_roster(ROSTER)
    yield desk
    await desk.stop()


async def test_closed_tickets_and_people_who_left_are_forgotten_in_their_time(short_desk,
                                                                               monkeypatch):
    desk = short_desk
    monkeypatch.setattr(retention, "TICKETS_A_RUN", 1)
    clerk, tech, boss = await staff(desk)
    may = await resident_of_a12(desk)
    for n in (1, 2, 3):
        if n == 3:
            desk.clock.advance(days=20)
        await report_leak(may, description=f"Leak number {n} under the sink.",
                          photos=(f"sink-{n}",))
        await assign_to_tech(clerk, n)
        await complete(tech, n)
        await may.tap("Confirm, it is fixed")
    assert [r[1:] for r in await contents(desk)] == [
        (f"Leak number {n} under the sink.", "Kitchen sink", False, 2, 1) for n in (1, 2, 3)]
    desk.clock.advance(days=5)  # 25 days after the first two closed
    assert await admin.staff_remove(desk.db, boss.user_id, desk.clock()) is not None
    assert await retention.sweep(desk.db, desk.settings, desk.clock()) == 0

    desk.clock.advance(days=6)  # 31 days: the first two are past their time, a run each
    assert await retention.sweep(desk.db, desk.settings, desk.clock()) == 1
    assert [r[3] for r in await contents(desk)] == [True, False, False]
    assert await retention.sweep(desk.db, desk.settings, desk.clock()) == 1
    assert await retention.sweep(desk.db, desk.settings, desk.clock()) == 0
    first, second, third = await contents(desk)
    assert first[1:] == second[1:] == (store.ERASED, store.ERASED, True, 0, 0)
    assert third[1:] == ("Leak number 3 under the sink.", "Kitchen sink", False, 2, 1)
    # the figures stay: reference, unit, category, dates
    assert await desk.query("SELECT ref, category, closed_at IS NOT NULL FROM tickets "
                            "ORDER BY id") == [(f"R-2026-0000{n}", "plumbing", True)
                                               for n in (1, 2, 3)]
    assert await desk.query("SELECT name FROM people WHERE user_id = ?", boss.user_id) == [
        ("Supervisor",)]

    desk.clock.advance(days=5)  # the supervisor left 11 days ago
    assert await retention.sweep(desk.db, desk.settings, desk.clock()) == 1
    assert await desk.query("SELECT count(*) FROM people WHERE user_id = ?",
                            boss.user_id) == [(0,)]
    assert await desk.query("SELECT count(*) FROM people WHERE name = ? AND role = ?",
                            store.FORMER_STAFF, "supervisor") == [(1,)]
    before = await desk.query("SELECT * FROM tickets ORDER BY id")
    assert await retention.sweep(desk.db, desk.settings, desk.clock()) == 0
    assert await desk.query("SELECT * FROM tickets ORDER BY id") == before
    assert await desk.query("SELECT name FROM people WHERE user_id = ?", may.user_id) == [
        ("陳美玲",)]


async def test_the_minutes_sweep_runs_retention_and_the_settings_are_read(tmp_path):
    from bot.config import ConfigError, parse_settings
    assert parse_settings({}).keep_closed_tickets_days == 3 * 365 + 1
    assert parse_settings({}).keep_people_left_days == 365
    found = parse_settings({"keep_closed_tickets_days": 400, "keep_people_left_days": 30})
    assert (found.keep_closed_tickets_days, found.keep_people_left_days) == (400, 30)
    with pytest.raises(ConfigError, match="keep_closed_tickets_days"):
        parse_settings({"keep_closed_tickets_days": 0})
    from bot.app import DOORS
    assert any(retention.sweep in door.timers for door in DOORS)
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(
        keep_closed_tickets_days=30))
    await desk.start()
    try:
        await desk.import_roster(ROSTER)
        clerk, tech, boss = await staff(desk)
        may = await resident_of_a12(desk)
        await report_leak(may, photos=("sink",))
        await assign_to_tech(clerk)
        await complete(tech)
        await may.tap("Confirm, it is fixed")
        await desk.run_until(desk.clock.now + timedelta(days=29))
        assert not (await contents(desk))[0][3]
        await desk.run_until(desk.clock.now + timedelta(days=2))
        assert (await contents(desk))[0][1:] == (store.ERASED, store.ERASED, True, 0, 0)
    finally:
        await desk.stop()


async def test_a_resident_who_moved_out_is_forgotten_a_setting_later(short_desk):
    """`estatedesk roster remove A 12F-3 0912-345-678`: the roster line goes at once, May
    loses the unit and has left the estate; ten days on the sweep erases her."""
    import argparse

    from bot import cli
    desk = short_desk
    clerk, tech, boss = await staff(desk)
    may = await resident_of_a12(desk)
    await report_leak(may)
    cashier = await join(desk, roles.CASHIER, 9040, "Cashier")
    assert await collection.bill_month(desk.db, desk.settings, "2026-11") == 3  # 3 units
    await cashier.send("/pay A 12F-3 3,200 cash R0042")
    assert await desk.query("SELECT payer, amount FROM payments") == [("陳美玲", 320000)]
    remove = cli._ADMIN[("roster", "remove")]
    assert await remove(argparse.Namespace(building="Z", unit="1F", phone="0912-345-678"),
                        None, desk.settings, desk.db) == 1
    assert await admin.roster_remove(desk.db, "a", "12f-3", "+886 912 345 678",
                                     desk.clock()) == (1, 1)
    assert await desk.query("SELECT count(*) FROM roster WHERE phone_key = '12345678'") == [
        (0,)]
    assert await desk.query("SELECT count(*) FROM residencies WHERE user_id = ?",
                            may.user_id) == [(0,)]
    assert await desk.query("SELECT name, left_at IS NOT NULL FROM people WHERE user_id = ?",
                            may.user_id) in ([("陳美玲", 1)], [("陳美玲", True)])
    assert await admin.roster_remove(desk.db, "A", "12F-3", "0912345678",
                                     desk.clock()) == (0, 0)  # once
    desk.clock.advance(days=9)
    assert await retention.sweep(desk.db, desk.settings, desk.clock()) == 0
    desk.clock.advance(days=2)
    assert await retention.sweep(desk.db, desk.settings, desk.clock()) == 1
    assert await desk.query("SELECT count(*) FROM people WHERE user_id = ?",
                            may.user_id) == [(0,)]
    assert await desk.query("SELECT description FROM tickets") == [(store.ERASED,)]
    assert await desk.query("SELECT payer, amount FROM payments") == [(store.ERASED, 320000)]
    assert await desk.query("SELECT count(*) FROM people WHERE name = '陳美玲'") == [(0,)]
    assert await retention.sweep(desk.db, desk.settings, desk.clock()) == 0


@pytest.mark.parametrize("language, removed", [("zh-TW", "（已刪除）"), ("zh-CN", "（已删除）"),
                                               ("en", "(deleted)")])
async def test_her_old_repair_after_its_time_says_what_was_removed_in_her_language(
        short_desk, language, removed):
    desk = short_desk
    clerk, tech, _ = await staff(desk)
    may = await resident_of_a12(desk, language)
    await report_leak(may)
    await assign_to_tech(clerk)
    await complete(tech)
    await may.tap_starting("s:ok:1")
    desk.clock.advance(days=31)
    assert await retention.sweep(desk.db, desk.settings, desk.clock()) == 1
    await may.tap_data("t:v:1")  # her repair, opened from /mytickets
    card = may.last_text
    assert card.startswith("R-2026-00001") and card.count(removed) == 2  # where, what
    if language != "en":
        assert "(deleted)" not in card
