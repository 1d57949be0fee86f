"""What no Telegram client sends, but anyone can forge: a button's data with an id no
database can hold, a command naming one, a NUL in a text or a button, a language chosen by
someone who never joined. Each gets a plain answer and changes nothing, on SQLite and on
PostgreSQL alike; never a traceback."""

import re
from pathlib import Path

from tests.stories import report_leak, resident_of_a12, staff
from tests.test_workbooks import a_month_typed_by_mischief

HUGE = "9" * 61  # far beyond the 64-bit integers of SQLite and PostgreSQL
ROOT = Path(__file__).resolve().parent.parent


def button_templates() -> list[str]:
    """Every button's data the handlers make with an id or a value in it, as written in
    their source: "t:v:{t.id}", "d:pt:{ticket.id}:{p.user_id}", "ky:ok:{loan.id}", …"""
    found: set[str] = set()
    for path in (ROOT / "handlers").rglob("*.py"):
        found |= set(re.findall(r'f"([a-z]{1,3}:[a-z]+:\{[^"]*)"', path.read_text()))
    return sorted(found)


def forged(template: str):
    """The template with a huge number in each of its places in turn (1 in the others)."""
    places = re.findall(r"\{[^}]*\}", template)
    for huge in range(len(places)):
        data = template
        for place in range(len(places)):
            data = data.replace(places[place], HUGE if place == huge else "1", 1)
        yield data


async def test_a_huge_id_in_any_button_is_not_found_and_changes_nothing(tmp_path):
    desk = await a_month_typed_by_mischief(tmp_path)
    try:
        templates = button_templates()
        areas = {t.split(":")[0] for t in templates}
        assert len(templates) > 80 and {"t", "d", "w", "ky", "ar", "rn", "pa", "sv", "st",
                                        "ac", "by", "me", "mg", "u", "rs"} <= areas
        # the clerk, the technician, the unit's person, the manager, the resident, a stranger
        people = [desk.person(user_id, "Someone", "en")
                  for user_id in (9001, 9002, 7001, 9004, 5001, 6666)]
        before = await desk.query("SELECT id, status, version FROM tickets")
        for template in templates:
            for data in forged(template):
                for person in people:
                    await person.tap_data(data)  # the harness fails on any handler's error
        assert await desk.query("SELECT id, status, version FROM tickets") == before
        alerts = {c.params["text"] for c in desk.api.calls
                  if c.method == "answerCallbackQuery" and c.params.get("show_alert")}
        assert "Not found. Please check the reference and try again." in alerts
    finally:
        await desk.stop()


async def test_a_huge_number_in_a_command_is_answered_plainly(tmp_path):
    desk = await a_month_typed_by_mischief(tmp_path)
    try:
        clerk, manager = desk.person(9001, "Clerk", "en"), desk.person(9004, "Manager", "en")
        await manager.send(f"/reverse {HUGE} typed twice")
        assert manager.last_text.startswith(f"Payment {HUGE} cannot be reversed: it does not "
                                            "exist")
        await clerk.send(f"/callback R-2026-{HUGE}")
        await clerk.send(f"/callback {HUGE}")
        await manager.send(f"/stats {HUGE}-11")
        await manager.send(f"/stats 2026-{HUGE}")
        await manager.tap_data(f"rp:m:{HUGE}-11")
        assert await desk.query("SELECT count(*) FROM payments") == [(2,)]
    finally:
        await desk.stop()


async def test_a_nul_in_a_description_files_the_ticket_without_it(desk):
    resident = await resident_of_a12(desk)
    await report_leak(resident, "Water\x00 drips\x07 from the pipe.\nUnder the sink.")
    assert resident.last_text.startswith("Thank you. Your repair is registered as R-2026-00001")
    assert await desk.query("SELECT description FROM tickets") == [
        ("Water drips from the pipe.\nUnder the sink.",)]


async def test_a_right_to_left_override_in_a_complaint_cannot_turn_the_desks_card_around(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident, "Loud music \u202eat night\u2066 again\u2069.")
    assert await desk.query("SELECT description FROM tickets") == [
        ("Loud music at night again.",)]
    assert "\u202e" not in clerk.texts()[-1] and "Loud music at night again." in clerk.texts()[-1]

async def test_a_nul_before_a_command_or_in_a_button_is_left_out(desk):
    resident = await resident_of_a12(desk)
    resident.desk.next_message_id += 1
    await desk.feed({"message": {**resident._message(text="\x00/repair\x00"), "entities": [
        {"type": "bot_command", "offset": 1, "length": 7}]}})
    await resident.tap_data("r:c:plumb\x00ing")
    assert resident.last_text.startswith("Is it an emergency?"), resident.last_text
    [(flow, data)] = await desk.query("SELECT flow, data FROM drafts")
    assert flow == "report" and '"plumbing"' in data and "\\u0000" not in data


async def test_a_stranger_choosing_a_language_is_shown_the_notice_and_nothing_is_kept(desk):
    stranger = desk.person(6666, "Stranger", "zh-TW")
    await stranger.tap_data("o:lang:en")
    assert stranger.last_text.startswith("Welcome to the estatedesk service desk. Before "
                                         "anything about you is kept")
    assert stranger.labels() == ["I accept", "Decline"]
    assert await desk.query("SELECT count(*) FROM people WHERE user_id = 6666") == [(0,)]
    await stranger.tap_data("o:lang:xx")  # forged: refused, nothing kept
    assert await desk.query("SELECT count(*) FROM people WHERE user_id = 6666") == [(0,)]
    await stranger.tap("I accept")  # joined in the language chosen
    assert await desk.query("SELECT language FROM people WHERE user_id = 6666") == [("en",)]
    await stranger.tap_data("o:lang:en")
    assert stranger.last_text == "I will speak English with you from now on."
    assert await desk.query("SELECT language FROM people WHERE user_id = 6666") == [("en",)]
