"""The same story in Traditional and in Simplified Chinese: a resident reports a leak, the
desk dispatches it, the technician completes it, the resident signs off."""

import pytest

from workflow import roles

STORIES = {
    "zh-TW": {
        "welcome": "歡迎使用 estatedesk 客服中心", "linked": "您已連結到單位 A 12F-3",
        "report": "我要報修", "plumbing": "給排水", "not_emergency": "不是緊急情況",
        "done": "完成", "afternoon": "下午（13-17 時）",
        "summary": "請核對您的報修內容", "visit": "希望上門時間：11月27日週五下午（13-17 時）",
        "send": "確認送出", "received": "您的報修已登記，單號 R-2026-00001",
        "new": "新報修", "assign": "派給維修人員", "assigned": "R-2026-00001 已派給阿偉",
        "told": "您的報修已交由阿偉處理", "deadline": "2026年11月29日 10:00",
        "task": "您有新任務", "on_way": "出發中", "arrived": "已到場", "complete": "完工",
        "way_told": "維修人員正在前往", "completed": "R-2026-00001 已完工",
        "ask": "請問修好了嗎？", "confirm": "確認已修好", "closed": "R-2026-00001 已結案",
        "timeline": "處理紀錄：", "confirmed": "住戶確認修好",
    },
    "zh-CN": {
        "welcome": "欢迎使用 estatedesk 客服中心", "linked": "您已关联到单位 A 12F-3",
        "report": "我要报修", "plumbing": "给排水", "not_emergency": "不是紧急情况",
        "done": "完成", "afternoon": "下午（13-17 时）",
        "summary": "请核对您的报修内容", "visit": "希望上门时间：11月27日周五下午（13-17 时）",
        "send": "确认送出", "received": "您的报修已登记，单号 R-2026-00001",
        "new": "新报修", "assign": "派给维修人员", "assigned": "R-2026-00001 已派给阿偉",
        "told": "您的报修已交由阿偉处理", "deadline": "2026年11月29日 10:00",
        "task": "您有新任务", "on_way": "出发中", "arrived": "已到场", "complete": "完工",
        "way_told": "维修人员正在前往", "completed": "R-2026-00001 已完工",
        "ask": "请问修好了吗？", "confirm": "确认已修好", "closed": "R-2026-00001 已结案",
        "timeline": "处理记录：", "confirmed": "住户确认修好",
    },
}


@pytest.mark.parametrize("language_code", STORIES)
async def test_a_leak_reported_and_closed_in_chinese(desk, language_code):
    say = STORIES[language_code]
    clerk = desk.person(9001, "客服", language_code)
    tech = desk.person(9002, "師傅", language_code)
    await desk.hire(clerk, roles.CLERK, "客服小姐")
    await desk.hire(tech, roles.TECHNICIAN, "阿偉")

    resident = desk.person(5001, "美玲", language_code)
    await resident.send("/start")
    assert say["welcome"] in resident.last_text
    await resident.share_contact("886912345678")
    assert say["linked"] in resident.texts()[-2]

    await resident.tap(say["report"])
    await resident.tap(say["plumbing"])
    await resident.tap(say["not_emergency"])
    await resident.send("廚房水槽")
    await resident.send("水槽下方的水管一直滴水。")
    await resident.send_photo("leak")
    await resident.tap(say["done"])
    await resident.tap(resident.labels()[1])
    await resident.tap(say["afternoon"])
    assert say["summary"] in resident.last_text and say["visit"] in resident.last_text
    await resident.tap(say["send"])
    assert say["received"] in resident.last_text

    assert any(say["new"] in t for t in clerk.texts())
    await clerk.tap(say["assign"])
    await clerk.tap("阿偉")
    await clerk.tap(clerk.labels()[0])
    assert say["assigned"] in clerk.last_text and say["deadline"] in clerk.last_text
    assert say["told"] in resident.last_text
    assert say["task"] in tech.last_text

    await tech.tap(say["on_way"])
    assert say["way_told"] in resident.last_text
    await tech.tap(say["arrived"])
    await tech.tap(say["complete"])
    await tech.send_photo("fixed")
    await tech.tap(say["done"])
    await tech.send("更換存水彎墊圈。")
    await tech.send("1")
    await tech.send("80")
    assert say["completed"] in tech.last_text

    assert say["ask"] in resident.last_text
    await resident.tap(say["confirm"])
    assert say["closed"] in resident.last_text
    await resident.tap_data("t:v:1")
    assert say["timeline"] in resident.last_text and say["confirmed"] in resident.last_text
    assert await desk.query("SELECT status FROM tickets") == [("closed",)]
