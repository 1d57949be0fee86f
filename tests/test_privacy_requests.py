"""A resident asks the desk to correct, stop using or delete their personal data (個人資料保護法
Arts. 3, 11, 13): each request is filed with its reference and the Act's clock, the desk
decides (a refusal and an extension say why, and the resident is told in their language),
managers and supervisors are alerted before the due date and when it passes, once; a second
tap or a second clerk changes nothing; a granted deletion tells the resident before they are
erased, a granted stop keeps them out of surveys and announcements."""

from datetime import timedelta

import pytest

from tests.stories import resident_of_a12, staff
from workflow import roles

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
        "yes": "Yes, ask the desk", "note": "Corrected: note what changed", "grant": "Grant",
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
        "yes": "是，向客服中心提出", "note": "已更正：註明更正內容", "grant": "同意",
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
        "yes": "是，向客服中心提出", "note": "已更正：注明更正内容", "grant": "同意",
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

    # a deletion: explained, confirmed; a double tap files nothing more
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
    assert await desk.query("SELECT name, phone, role FROM people WHERE user_id = 5001") == [
        ("", "", None)]
    assert await desk.query("SELECT erased_at IS NOT NULL FROM privacy_requests "
                            "WHERE id = 2") == [(1,)]
