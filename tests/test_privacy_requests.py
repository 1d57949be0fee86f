"""A resident asks the desk to correct, stop using or delete their personal data (個人資料保護法
Arts. 3, 11, 13): each request is filed with its reference and the Act's clock, the desk
decides (a refusal and an extension say why, and the resident is told in their language),
managers and supervisors are alerted before the due date and when it passes, once; a second
tap or a second clerk changes nothing; a granted deletion tells the resident before they are
erased, a granted stop keeps them out of surveys and announcements."""

from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import DOORS  # noqa: F401  (the doors register every renderer)
from handlers.renderers import PLAIN
from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff
from tests.test_announcements import pump
from tests.test_who_is_told import PEOPLE, world
from workflow import roles, told
from workflow.privacy import requests as flow
from workflow.told import TOLD_OF_PERSON

# What each language says at each step (the resident and the staff read the same language).
SAY = {
    "en": {
        "ask_text": "What is wrong in the data the desk holds about you",
        "filed": "Filed as PD-1 (correcting personal data). The desk decides by",
        "already": "You asked for this already: PD-2 (deleting personal data)",
        "desk_told": "A request about personal data",
        "extended": "Your request PD-1 (correcting personal data): the desk needs more time",
        "granted_note": "Your request PD-1 (correcting personal data) is granted. What was "
                        "changed: Phone fixed",
        "refused": "Your request PD-3 (stopping the use of personal data) is refused. The "
                   "desk's reason: An unpaid fee is being collected",
        "deleted": "Your request PD-2 (deleting personal data) is granted",
        "decided": "This request was already decided.",
        "sticker": "Please answer in text.",
        "long": "That is 5000 characters; the limit is 2000.",
        "yes": "Yes, ask the desk", "close": "Close",
        "note": "Corrected: note what changed", "grant": "Grant",
        "refuse": "Refuse", "extend": "Extend by 30 days",
        "soon": "A request about personal data is due soon",
        "overdue": "A request about personal data is overdue",
        "left": "(30 days left)",
        "forbidden": "Sorry, you are not allowed to do that.",
    },
    "zh-TW": {
        "ask_text": "客服中心保存的您的資料哪裡有誤",
        "filed": "已登記，編號 PD-1（更正個人資料）。客服中心會在",
        "already": "您已提出過這項請求：PD-2（刪除個人資料）",
        "desk_told": "個人資料請求",
        "extended": "您的請求 PD-1（更正個人資料）：客服中心需要更多時間",
        "granted_note": "您的請求 PD-1（更正個人資料）已同意。更正內容：Phone fixed",
        "refused": "您的請求 PD-3（停止利用個人資料）未獲同意。客服中心的理由：An unpaid fee "
                   "is being collected",
        "deleted": "您的請求 PD-2（刪除個人資料）已同意",
        "decided": "這項請求已經有決定了。",
        "sticker": "請用文字回覆。",
        "long": "您輸入了 5000 字，上限是 2000 字。",
        "yes": "是，向客服中心提出", "close": "關閉",
        "note": "已更正：註明更正內容", "grant": "同意",
        "refuse": "不同意", "extend": "延長 30 天",
        "soon": "個人資料請求即將到期",
        "overdue": "個人資料請求已逾期",
        "left": "（剩 30 天）",
        "forbidden": "抱歉，您沒有權限進行這個操作。",
    },
    "zh-CN": {
        "ask_text": "客服中心保存的您的信息哪里有误",
        "filed": "已登记，编号 PD-1（更正个人信息）。客服中心会在",
        "already": "您已提出过这项请求：PD-2（删除个人信息）",
        "desk_told": "个人信息请求",
        "extended": "您的请求 PD-1（更正个人信息）：客服中心需要更多时间",
        "granted_note": "您的请求 PD-1（更正个人信息）已同意。更正内容：Phone fixed",
        "refused": "您的请求 PD-3（停止使用个人信息）未获同意。客服中心的理由：An unpaid fee "
                   "is being collected",
        "deleted": "您的请求 PD-2（删除个人信息）已同意",
        "decided": "这项请求已经有决定了。",
        "sticker": "请用文字回复。",
        "long": "您输入了 5000 字，上限是 2000 字。",
        "yes": "是，向客服中心提出", "close": "关闭",
        "note": "已更正：注明更正内容", "grant": "同意",
        "refuse": "不同意", "extend": "延长 30 天",
        "soon": "个人信息请求即将到期",
        "overdue": "个人信息请求已逾期",
        "left": "（剩 30 天）",
        "forbidden": "抱歉，您没有权限进行这个操作。",
    },
}


async def manager_of(desk, language):
    manager = desk.person(9005, "Manager", language)
    await desk.hire(manager, roles.MANAGER, "Manager")
    return manager


async def neighbour_of(desk):
    neighbour = desk.person(5002, "Neighbour", "en")
    await neighbour.send("/start")
    await neighbour.share_contact("+886 922 111 222")
    await neighbour.tap("All of them")
    return neighbour


def saw(person, text: str) -> bool:
    return any(text in t for t in person.texts())


@pytest.mark.parametrize("language", SAY)
async def test_correct_stop_delete_filed_extended_and_decided(desk, language):
    say = SAY[language]
    clerk, tech, boss = await staff(desk, language)
    manager = await manager_of(desk, language)
    resident = await resident_of_a12(desk, language)

    # a correction: its text is asked for; a sticker and 5,000 characters are answered
    await resident.tap_data("pv:correct")
    assert say["ask_text"] in resident.last_text
    await resident.send_sticker()
    assert resident.last_text == say["sticker"]
    await resident.send("x" * 5000)
    assert resident.last_text.startswith(say["long"])
    assert await desk.query("SELECT count(*) FROM privacy_requests") == [(0,)]
    await resident.send("My phone is 0912-345-678, it should be 0912-345-679.")
    assert resident.last_text.startswith(say["filed"])
    assert saw(clerk, say["desk_told"]) and "0912-345-679" in clerk.last_text
    assert say["left"] in clerk.last_text

    # a deletion: explained, with a way out that files nothing; confirmed; a double tap
    # files nothing more
    await resident.tap_data("pv:delete")
    assert resident.labels() == [say["yes"], say["close"]]
    await resident.tap(say["close"])
    assert await desk.query("SELECT count(*) FROM privacy_requests") == [(1,)]
    await resident.tap_data("pv:delete")
    await resident.tap(say["yes"])
    await resident.tap_data("pv:delete:yes")
    assert resident.last_text.startswith(say["already"])
    # a stop
    await resident.tap_data("pv:stop")
    await resident.tap(say["yes"])
    rows = await desk.query("SELECT id, kind, state, person_id FROM privacy_requests ORDER BY id")
    assert rows == [(1, "correct", "open", 5001), (2, "delete", "open", 5001),
                    (3, "stop", "open", 5001)]

    # the desk's list: each with its days left and buttons
    await clerk.send("/requests")
    assert sum("PD-" in t for t in clerk.texts()[-3:]) == 3
    # the correction extended once, with a reason the resident is told
    await clerk.tap_data("pv:x:1")
    await clerk.send("The owner's file is in the archive")
    assert resident.last_text.startswith(say["extended"])
    assert "The owner's file is in the archive" in resident.last_text
    await clerk.tap_data("pv:x:1")  # only once
    assert await desk.query("SELECT due_at > filed_at FROM privacy_requests WHERE id = 1")
    # granted with a note of what changed
    await clerk.tap_data("pv:n:1")
    await clerk.send("Phone fixed")
    assert resident.last_text == say["granted_note"]
    # the stop refused, with its reason
    await clerk.tap_data("pv:r:3")
    await clerk.send("An unpaid fee is being collected")
    assert resident.last_text == say["refused"]
    # a second clerk on the same card: told it was decided, nothing overwritten
    await boss.tap_data("pv:r:3")
    assert boss.last_text == say["decided"]
    await manager.tap_data("pv:n:1")
    assert manager.last_text == say["decided"]
    assert await desk.query("SELECT state, decided_by, decision_note FROM privacy_requests "
                            "ORDER BY id") == [
        ("granted", 9001, "Phone fixed"), ("open", None, None),
        ("refused", 9001, "An unpaid fee is being collected")]

    # the deletion granted: the resident is told first, then erased
    await manager.tap_data("pv:g:2")
    await manager.tap_data("pv:g:2")  # a double tap
    assert manager.last_text == say["decided"]
    assert resident.last_text.startswith(say["deleted"])
    await desk.sweep()
    assert await desk.query("SELECT name FROM people WHERE user_id = 5001") == []  # re-keyed
    assert await desk.query("SELECT erased_at IS NOT NULL, person_id <> 5001, details "
                            "FROM privacy_requests WHERE id = 2") == [(1, 1, None)]
    assert await desk.query("SELECT count(*) FROM privacy_requests WHERE person_id = 5001"
                            ) == [(0,)]  # her requests kept, anonymous: the Act's evidence


ALERTS = {"en": ("A request about personal data is due soon",
                 "A request about personal data is overdue", "(5 days left)"),
          "zh-TW": ("個人資料請求即將到期", "個人資料請求已逾期", "（剩 5 天）"),
          "zh-CN": ("个人信息请求即将到期", "个人信息请求已逾期", "（剩 5 天）")}


def count(person, text: str) -> int:
    return sum(t.startswith(text) for t in person.texts())


@pytest.mark.parametrize("language", ALERTS)
async def test_managers_and_supervisors_are_alerted_before_the_due_date_and_when_it_passes_once(
        desk, language):
    soon, overdue, left = ALERTS[language]
    clerk, tech, boss = await staff(desk, language)
    manager = await manager_of(desk, language)
    resident = await resident_of_a12(desk, language)
    filed = desk.clock.now
    await resident.tap_data("pv:delete")
    await resident.tap_data("pv:delete:yes")
    await desk.run_until(filed + timedelta(days=25) - timedelta(minutes=1))
    assert count(manager, soon) == count(boss, soon) == 0
    await desk.run_until(filed + timedelta(days=25))
    assert count(manager, soon) == count(boss, soon) == 1
    assert left in manager.last_text
    assert count(tech, soon) == count(resident, soon) == 0
    await desk.restart()  # the marks are in the database: nothing is sent twice
    await desk.run_until(filed + timedelta(days=30) - timedelta(minutes=1))
    assert count(manager, soon) == count(boss, soon) == 1 and count(manager, overdue) == 0
    await desk.run_until(filed + timedelta(days=30))
    assert count(manager, overdue) == count(boss, overdue) == count(clerk, overdue) == 1
    await desk.run_until(filed + timedelta(days=31))
    await desk.restart()
    await desk.sweep()
    assert count(manager, overdue) == count(boss, overdue) == 1
    # extended once: the new due date warns and alerts again, once
    await clerk.tap_data("pv:x:1")
    await clerk.send("Waiting for the bank's records")
    await desk.run_until(filed + timedelta(days=55))
    assert count(manager, soon) == 2
    await desk.run_until(filed + timedelta(days=61))
    assert count(manager, overdue) == 2
    # decided: nothing more
    await manager.tap_data("pv:g:1")
    await desk.run_until(filed + timedelta(days=90))
    assert count(manager, soon) == 2 and count(manager, overdue) == 2


async def test_strangers_residents_and_forged_buttons_change_nothing(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    neighbour = await neighbour_of(desk)
    stranger = desk.person(6001, "Stranger", "en")
    await resident.tap_data("pv:stop")
    await resident.tap_data("pv:stop:yes")
    before = await desk.query("SELECT * FROM privacy_requests")
    for data in ("pv:g:1", "pv:r:1", "pv:x:1", "pv:n:1"):
        for person in (resident, neighbour, tech):  # their own request, another's, staff
            await person.tap_data(data)
            assert desk.api.calls[-1].params.get("text") == \
                "Sorry, you are not allowed to do that.", (person.user_id, data)
        await stranger.tap_data(data)
    for data in ("pv:g:x", "pv:g:99999999999999999999", "pv:g:"):
        await clerk.tap_data(data)
    await clerk.tap_data("pv:g:77")  # no such request
    assert desk.api.calls[-1].params.get("text") == \
        "Not found. Please check the reference and try again."
    await stranger.tap_data("pv:delete:yes")
    assert stranger.last_text.startswith("Please send /start")
    await tech.send("/requests")
    assert tech.last_text == "Sorry, you are not allowed to do that."
    await resident.send("/requests")
    assert resident.last_text == "Sorry, you are not allowed to do that."
    await tech.tap_data("pv:correct")
    assert await desk.query("SELECT * FROM privacy_requests") == before
    assert await desk.query("SELECT count(*) FROM drafts") == [(0,)]


async def test_a_deletion_is_told_before_the_person_is_erased(desk):
    """The notice of the decision is written with the decision and delivered while the chat
    account is still known; the person is erased only once it has left the outbox, or a day
    after the decision if it cannot go."""
    clerk, tech, boss = await staff(desk, "zh-TW")
    resident = await resident_of_a12(desk, "zh-TW")
    await resident.tap_data("pv:delete")
    await resident.tap_data("pv:delete:yes")
    await flow.grant(desk.db, 1, 9001, desk.clock())  # not delivered yet
    await flow.sweep(desk.db, desk.clock())
    assert await desk.query("SELECT name FROM people WHERE user_id = 5001") == [("陳美玲",)]
    await desk.deliver()
    assert resident.last_text.startswith("您的請求 PD-1（刪除個人資料）已同意")
    assert await desk.query("SELECT sent_at IS NOT NULL FROM outbox WHERE recipient_id = 5001 "
                            "AND kind = 'privacy_decided'") == [(1,)]
    await flow.sweep(desk.db, desk.clock())
    assert await desk.query("SELECT name FROM people WHERE user_id = 5001") == []  # erased
    # a notice that cannot go does not keep the data for ever
    neighbour = await neighbour_of(desk)
    await neighbour.tap_data("pv:delete:yes")
    await flow.grant(desk.db, 2, 9001, desk.clock())
    await flow.sweep(desk.db, desk.clock() + timedelta(hours=23))
    assert await desk.query("SELECT name FROM people WHERE user_id = 5002") == [("林志明",)]
    await flow.sweep(desk.db, desk.clock() + timedelta(days=1, minutes=1))
    assert await desk.query("SELECT name FROM people WHERE user_id = 5002") == []
    assert await desk.query("SELECT count(*) FROM privacy_requests WHERE erased_at IS NULL") \
        == [(0,)]


async def test_a_granted_stop_means_no_surveys_or_announcements(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await resident.tap_data("pv:stop")
    await resident.tap_data("pv:stop:yes")
    await clerk.tap_data("pv:g:1")
    assert resident.last_text == ("Your request PD-1 (stopping the use of personal data) is "
                                  "granted: you get no more surveys, announcements or news "
                                  "of activities.")
    await report_leak(resident)  # what they asked for still reaches them
    await assign_to_tech(clerk)
    await complete(tech)
    await resident.tap("Confirm, it is fixed")
    await desk.run_until(desk.clock.now + timedelta(hours=48))
    assert not any("How did we do?" in t for t in resident.texts())
    assert await desk.query("SELECT count(*) FROM surveys") == [(0,)]
    await clerk.send("/announce")
    await clerk.send("Water off on Tuesday 9:00-12:00.")
    await clerk.tap("Everyone")
    await clerk.tap("Send now")
    await pump(desk)
    assert not any(t.startswith("Announcement from") for t in resident.texts())
    assert clerk.last_text.startswith("Announcement 1 is sent: 0 delivered")
    # /notifications says so, not "on", and an old switch does not turn them back on
    stopped = ("Notices of new activities: off. The desk stopped using your data, as you "
               "asked; to hear of activities again, ask the office.")
    await resident.send("/notifications")
    assert resident.last_text == stopped and resident.calls()[-1].buttons() == []
    await resident.tap_data("ac:nt:0:1")
    assert resident.last_text == stopped


async def test_who_is_told_of_a_persons_requests_is_the_table(desk):
    """Each row of told.TOLD_OF_PERSON: its audience hears its notice, the first row naming
    a person wins, the one who acted is not told; each notice has a renderer and each event
    is told by the workflow."""
    await world(desk)
    for event, rows in TOLD_OF_PERSON.items():
        for actor in (None, 9005):
            expected: dict[int, str] = {}
            for row in rows:
                for user_id in sorted(PEOPLE[row.to]):
                    if user_id != actor:
                        expected.setdefault(user_id, row.notice)
            async with desk.db.transaction() as conn:
                await conn.execute("DELETE FROM outbox")
                got = await told.tell_of_person(conn, event, 5002, desk.clock(),
                                                actor_id=actor)
            assert got == expected, event
            assert dict(await desk.query("SELECT recipient_id, kind FROM outbox")) == expected
    assert {row.to for rows in TOLD_OF_PERSON.values() for row in rows} <= \
        set(told.PERSON_AUDIENCES)
    assert sorted({r.notice for rows in TOLD_OF_PERSON.values() for r in rows} - set(PLAIN)) \
        == []
    root = Path(__file__).resolve().parent.parent
    source = (root / "workflow/privacy/requests.py").read_text(encoding="utf-8")
    assert [e for e in TOLD_OF_PERSON if f'"{e}"' not in source] == []


async def test_a_clerk_who_lives_here_asks_like_a_resident_but_does_not_decide_their_own(desk):
    clerk, tech, boss = await staff(desk)
    at_home = await resident_of_a12(desk)
    await desk.hire(at_home, roles.CLERK, "Clerk at home")
    await at_home.tap_data("pv:stop")
    await at_home.tap_data("pv:stop:yes")
    assert at_home.last_text.startswith("Filed as PD-1 (stopping the use of personal data).")
    assert clerk.last_text.startswith("A request about personal data")
    for data in ("pv:g:1", "pv:r:1", "pv:x:1"):
        await at_home.tap_data(data)
        assert desk.api.calls[-1].params.get("text") == "Sorry, you are not allowed to do that."
    assert await desk.query("SELECT count(*) FROM drafts") == [(0,)]
    await clerk.tap_data("pv:g:1")
    assert await desk.query("SELECT state, decided_by FROM privacy_requests") == [
        ("granted", 9001)]


async def test_a_correction_waiting_is_not_asked_for_twice(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await resident.tap_data("pv:correct")
    await resident.send("My name is 陳美玲, not 陳美鈴.")
    await resident.tap_data("pv:correct")
    assert resident.last_text.startswith("You asked for this already: PD-1 (correcting "
                                         "personal data) waits for the desk's decision")
    await resident.send("Another correction.")  # no conversation: not taken as one
    assert await desk.query("SELECT count(*), min(details) FROM privacy_requests") == [
        (1, "My name is 陳美玲, not 陳美鈴.")]
    await clerk.tap_data("pv:g:1")  # a correction is granted with its note only
    assert await desk.query("SELECT state FROM privacy_requests") == [("open",)]


@pytest.mark.parametrize("language, line", [
    ("en", "/requests lists the residents' requests about their personal data"),
    ("zh-TW", "/requests 列出住戶尚待決定的個人資料請求"),
    ("zh-CN", "/requests 列出住户尚待决定的个人信息请求")])
async def test_the_desk_finds_requests_in_its_help_a_technician_does_not(desk, language, line):
    clerk, tech, _ = await staff(desk, language)
    await clerk.send("/help")
    assert line in clerk.last_text
    await tech.send("/help")
    assert "/requests" not in tech.last_text
