"""Community activities (社區文化活動): the office plans a Christmas craft afternoon for six;
residents sign up until it is full, a third family waits, a cancellation lets them in; a
reminder the day before; a rating after, counted in the month's figures."""

from datetime import timedelta

from tests.stories import staff

ROSTER = """building,unit,name,phone
A,2F-1,Resident Two,0933 000 002
A,3F-1,Resident Three,0933 000 003
"""


async def families(desk, language="en"):
    await desk.import_roster(ROSTER)
    found = []
    for user_id, phone in ((5001, "0912-345-678"), (5002, "0933 000 002"),
                           (5003, "0933 000 003")):
        person = desk.person(user_id, f"Family {user_id}", language)
        await person.send("/start")
        await person.share_contact(phone)
        found.append(person)
    return found


async def test_full_then_waiting_then_in_reminded_and_rated(desk):
    clerk, tech, boss = await staff(desk)
    first, second, third = await families(desk)
    await clerk.send("/activity 2026-12-12 14:00 | 6 | 3 | Clubhouse | Christmas crafts")
    assert clerk.last_text.startswith("Planned: Christmas crafts: Dec 12, 2026 14:00 at "
                                      "Clubhouse; 6 of 6 places left")
    await first.send("/activities")
    await first.tap("Sign up")
    assert first.labels() == ["1", "2", "3", "Close"]  # at most three a unit
    await first.tap("3")
    assert first.last_text == "You are signed up for 3 people. See you there!"
    await first.tap_data("ac:n:1:2")  # a second tap: still the first sign-up
    assert first.last_text == "You are signed up for 3 people. See you there!"
    await second.send("/activities")
    assert "3 of 6 places left" in second.last_text
    await second.tap("Sign up")
    await second.tap("3")
    await third.send("/activities")
    await third.tap("Sign up")
    await third.tap("2")
    assert third.last_text.startswith("It is full: you are on the waiting list for 2 people")
    await third.tap_data("ac:n:1:7")  # more than a unit may bring
    assert desk.api.calls[-1].params.get("show_alert")

    await clerk.send("/activities")
    await clerk.tap("Attendees")
    assert "Coming: 6 people" in clerk.last_text and "Waiting list:" in clerk.last_text
    await first.send("/activities")
    await first.tap("Cancel my places")
    assert first.last_text == "Your places are cancelled."
    assert third.last_text.startswith("Good news: places freed up, and you are in for "
                                      "Christmas crafts")
    await desk.run_until(desk.clock.now + timedelta(days=15, hours=6))  # 11 Dec, afternoon
    for family in (second, third):
        assert family.last_text.startswith("A reminder: Christmas crafts is on Dec 12, 2026")
    assert not any(t.startswith("A reminder") for t in first.texts())
    await desk.run_until(desk.clock.now + timedelta(days=1, hours=3))
    await third.tap("5★")
    await second.tap("4★")
    await second.tap_data("ac:r:1:1")  # the first rating counts
    assert second.last_text == "You have already rated this one. Thank you!"
    await first.tap_data("ac:r:1:1")  # did not come
    assert desk.api.calls[-1].params.get("show_alert")
    await boss.send("/stats 2026-12")
    assert "Community activities: 1; rated by 2, on average 4.5" in boss.last_text


async def test_residents_cannot_plan_and_a_past_activity_takes_no_sign_up(desk):
    clerk, tech, boss = await staff(desk, "zh-TW")
    first, *_ = await families(desk, "zh-TW")
    await first.send("/activity 2026-12-12 14:00 | 6 | 3 | 會所 | 聖誕手作")
    assert "沒有權限" in first.last_text
    await clerk.send("/activity 明天 | 很多 | | 會所 | 聖誕手作")
    assert "/activity" in clerk.last_text
    await clerk.send("/activity 2026-11-27 10:00 | 10 | - | 會所 | 早操")
    await desk.run_until(desk.clock.now + timedelta(days=2))
    await first.tap_data("ac:n:1:1")
    assert desk.api.calls[-1].params.get("show_alert")
    assert await desk.query("SELECT count(*) FROM activity_signups") == [(0,)]


async def test_the_places_left_are_places_a_party_can_take(desk):
    clerk, tech, boss = await staff(desk)
    first, second, third = await families(desk)
    await clerk.send("/activity 2026-12-12 14:00 | 3 | 3 | Clubhouse | Tea tasting")
    await first.send("/activities")
    await first.tap("Sign up")
    await first.tap("2")
    await second.send("/activities")
    assert second.last_text.endswith("1 of 3 places left")
    await second.tap("Sign up")
    await second.tap("2")  # more than is left: waits, and is told why
    assert second.last_text == ("Places left: 1, fewer than your 2: you are on the waiting "
                                "list; we tell you if places free up.")
    await third.send("/activities")
    assert third.last_text.endswith("1 of 3 places left")  # what is shown can be taken
    await third.tap("Sign up")
    await third.tap("1")
    assert third.last_text == "You are signed up for 1 person. See you there!"
    await third.send("/activities")
    assert third.last_text.endswith("Tea tasting: Dec 12, 2026 14:00 at Clubhouse; full, "
                                    "with a waiting list")
    assert await desk.query("SELECT user_id, people, state FROM activity_signups ORDER BY id") \
        == [(5001, 2, "in"), (5002, 2, "waiting"), (5003, 1, "in")]
    await first.tap("Cancel my places")
    assert second.last_text.startswith("Good news: places freed up, and you are in for Tea "
                                       "tasting")
    await clerk.send("/activities")
    await clerk.tap("Attendees")
    assert "Coming: 3 people" in clerk.last_text and "Waiting list:" not in clerk.last_text


async def test_residents_hear_of_a_new_activity_unless_they_turned_it_off(desk):
    clerk, tech, boss = await staff(desk, "zh-TW")
    first, second, third = await families(desk, "zh-TW")
    await first.send("/notifications")
    assert first.last_text == "新活動通知：開啟。每有新活動都會通知您。"
    await first.tap("關閉通知")
    assert first.last_text == "新活動通知：關閉。可用 /activities 查看近期活動。"
    await first.tap_data("ac:nt:0:0")  # a second tap on the same switch: still off
    assert first.last_text == "新活動通知：關閉。可用 /activities 查看近期活動。"
    await tech.send("/notifications")  # a resident's setting
    assert "沒有權限" in tech.last_text

    await clerk.send("/activity 2026-12-12 14:00 | 6 | 3 | 會所 | 聖誕手作")
    assert await desk.query("SELECT recipient_id FROM outbox WHERE kind = 'activity_new' "
                            "ORDER BY recipient_id") == [(5002,), (5003,)]  # durable, at once
    for family in (second, third):
        assert family.last_text.startswith("新的社區活動：聖誕手作，")
        assert "/notifications" in family.last_text
    assert not any(t.startswith("新的社區活動") for t in first.texts() + clerk.texts())
    await second.tap("報名")
    assert second.labels() == ["1", "2", "3", "關閉"]

    await first.send("/notifications")
    await first.tap("開啟通知")
    await clerk.send("/activity 2026-12-19 10:00 | 20 | - | 中庭 | 早市")
    assert first.last_text.startswith("新的社區活動：早市，")


async def test_a_new_activity_planned_late_in_the_evening_is_told_in_the_morning(desk):
    clerk, tech, boss = await staff(desk)
    first, *_ = await families(desk)
    desk.clock.advance(hours=12)  # 22:00 in Taipei: the quiet hours
    await clerk.send("/activity 2026-12-12 14:00 | 6 | 3 | Clubhouse | Christmas crafts")
    await desk.deliver()
    assert not any(t.startswith("A new community activity") for t in first.texts())
    await desk.run_until(desk.clock.now + timedelta(hours=10, minutes=1))  # 08:01
    assert first.last_text.startswith("A new community activity: Christmas crafts, Dec 12, "
                                      "2026 14:00 at Clubhouse.")
