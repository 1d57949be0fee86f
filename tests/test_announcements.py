"""Announcements: the office tells Block A that the water is off on Tuesday; only Block A's
residents get it, one who blocked the bot is reported with their unit; a restart mid-way
sends nobody twice; a scheduled yearly notice comes back next year; alerts go first."""

from datetime import datetime, timedelta

from handlers.channels.telegram import broadcast
from tests.fake_telegram import TelegramError
from tests.stories import staff

ROSTER = """building,unit,name,phone
A,2F-1,Resident Two,0933 000 002
A,3F-1,Resident Three,0933 000 003
B,1F-1,Resident B,0944 000 001
"""


async def residents(desk, language="en"):
    await desk.import_roster(ROSTER)
    found = []
    for user_id, phone in ((5001, "0912-345-678"), (5002, "0933 000 002"),
                           (5003, "0933 000 003"), (5101, "0944 000 001")):
        person = desk.person(user_id, f"Resident {user_id}", language)
        await person.send("/start")
        await person.share_contact(phone)
        found.append(person)
    return found


async def pump(desk, rounds=10) -> None:
    for _ in range(rounds):
        await broadcast.pump(desk.app.bot, desk.app.bot_data.desk)


def told(person) -> list[str]:
    return [t for t in person.texts() if t.startswith("Announcement from")]


async def test_block_a_is_told_and_the_report_names_who_was_not(desk):
    clerk, tech, boss = await staff(desk)
    may, two, three, b_resident = await residents(desk)
    await clerk.send("/announce")
    await clerk.send("Water off in Block A on Tuesday 9:00-12:00 for pump maintenance.")
    assert clerk.last_text == "Who receives it?"
    await clerk.tap("A building")
    await clerk.tap("A")
    assert clerk.texts()[-2] == ("Announcement from estatedesk\n\nWater off in Block A on "
                                 "Tuesday 9:00-12:00 for pump maintenance.")  # the preview
    desk.api.fail_next(5003, TelegramError(403, "Forbidden: bot was blocked by the user"))
    await clerk.tap("Send now")
    await pump(desk)
    for person in (may, two):
        assert told(person) == ["Announcement from estatedesk\n\nWater off in Block A on "
                                "Tuesday 9:00-12:00 for pump maintenance."]
    assert told(b_resident) == [] and told(three) == []
    report = clerk.last_text
    assert report.startswith("Announcement 1 is sent: 2 delivered, 1 blocked the bot, 0 failed.")
    assert "Tell these units another way: A 3F-1" in report
    edits = [c for c in desk.api.calls if c.method == "editMessageText"]
    assert edits and edits[-1].params["text"] == "Sending announcement 1: 3 of 3."
    await pump(desk)
    assert len(told(may)) == 1  # nothing sent twice


async def test_a_crash_mid_broadcast_sends_nobody_twice(desk):
    from workflow.community import announcements
    clerk, tech, boss = await staff(desk)
    people = await residents(desk)
    await clerk.send("/announce")
    await clerk.send("Lift B is serviced on Friday.")
    await clerk.tap("Everyone")
    await clerk.tap("Send now")
    batch = await announcements.next_batch(desk.db, desk.clock(), 2)  # marked, then a crash
    assert batch is not None and len(batch[1]) == 2
    await desk.restart()
    await pump(desk)
    got = [len(told(p)) for p in people]
    assert got.count(1) == 2 and got.count(0) == 2  # the two cut off are not sent again
    assert "Tell these units another way" in clerk.last_text


async def test_scheduled_yearly_advice_and_alerts_first(desk):
    clerk, tech, boss = await staff(desk, "zh-TW")
    people = await residents(desk, "zh-TW")
    await boss.send("/announce")
    await boss.send("冬季提醒：請關好窗戶，防止水管結冰。")
    await boss.tap("全體住戶")
    await boss.tap("每年一次，從某日開始")
    await boss.send("2026-12-01 09:00")
    assert boss.last_text.startswith("已排定於 2026年12月1日 09:00")
    await pump(desk)
    assert not any(t.startswith("公告") for t in people[0].texts())
    desk.clock.now = datetime(2026, 12, 1, 1, 0, tzinfo=desk.clock.now.tzinfo)
    await pump(desk)
    assert sum(t.startswith("來自 estatedesk 的公告") for t in people[0].texts()) == 1
    assert await desk.query("SELECT send_at FROM announcements WHERE state = 'scheduled'") \
        == [("2027-12-01T01:00:00.000000Z",)]
    await boss.send("/announce")
    await boss.send("第二則公告")
    await boss.tap("全體住戶")
    await boss.tap("立即發送")
    from storage import outbox as outbox_store
    async with desk.db.transaction() as conn:  # an alert waiting in the outbox
        await outbox_store.add(conn, 9003, "digest", desk.clock() - timedelta(minutes=1),
                               payload={"open": 0, "overdue": 0, "paused": 0, "visits": [],
                                        "oldest": [], "unreachable": [], "late_sent": False})
    assert await broadcast.pump(desk.app.bot, desk.app.bot_data.desk) == 0
    await desk.deliver()  # the alert goes; then the broadcast
    assert await broadcast.pump(desk.app.bot, desk.app.bot_data.desk) == 4
    for person in (clerk, tech):
        await person.send("/announce")
    assert "沒有權限" in tech.last_text


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2  # strict: a lone half of an emoji raises


async def test_a_photo_caption_of_chinese_and_emoji_is_cut_as_telegram_counts(desk):
    """A caption may hold 1,024 UTF-16 units: an emoji counts two, a Chinese character one.
    Cut by characters, 1,000 of them with emoji were too long and Telegram refused them."""
    clerk, tech, boss = await staff(desk, "zh-TW")
    may, two, three, b_resident = await residents(desk, "zh-TW")
    await clerk.send("/announce")
    await clerk.send_photo("water-notice", caption="週二停水🚰" * 170)  # 850 characters
    await clerk.tap_data("an:a:all")
    preview = [c for c in clerk.calls() if c.method == "sendPhoto"][-1].params["caption"]
    assert utf16_units(preview) == 1024 and preview.endswith("…")
    assert preview.startswith("來自 estatedesk 的公告\n\n週二停水🚰週二停水🚰")
    await clerk.tap_data("an:go")
    await pump(desk)
    got = [c for c in two.calls() if c.method == "sendPhoto"][-1].params["caption"]
    assert got == preview


async def test_a_text_too_long_as_telegram_counts_is_refused_before_it_is_sent(desk):
    clerk, tech, boss = await staff(desk)
    await residents(desk)
    await clerk.send("/announce")
    await clerk.send("🚰" * 1600)  # 1,600 characters, 3,200 units as Telegram counts
    assert clerk.last_text.startswith("Please send the announcement's text")
    await clerk.send("🚰" * 1400 + "停水")  # 2,802 units: it fits, and arrives whole
    await clerk.tap_data("an:a:all")
    assert clerk.texts()[-2].endswith("🚰" * 1400 + "停水")


def test_a_cut_never_splits_an_emoji_in_half():
    from handlers.common import MAX_CAPTION, fit
    cut = fit("🚰" * 600, MAX_CAPTION)  # 1,023 units before the "…" would end mid-emoji
    assert cut == "🚰" * 511 + "…" and utf16_units(cut) == 1023
    assert fit("停" + "🚰" * 600, MAX_CAPTION) == "停" + "🚰" * 511 + "…"
