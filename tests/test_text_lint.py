"""One set of words: a broad story (a repair, a public fault reported twice, a quotation, a
responsible unit that declines then takes a job, a complaint, the survey, /stats, the
digest) run in each language, and every text a person reads checked for what should never
reach them: keys and English words in Chinese, ISO dates and times, half-width brackets and
stray spaces in Chinese, amounts without their currency."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.fake_telegram import Call
from tests.harness import DeskHarness
from tests.stories import assign_to_tech, choose_a_visit, complete
from workflow import admin, roles
from workflow.settings import EstateSettings

ROSTER = """building,unit,name,phone
A,12F-3,陳美玲,0912-345-678
A,5F-1,林志明,0922 111 222
A,6F-1,王小明,0933 000 006
"""
LANGUAGES = {"zh_Hant": "zh-TW", "zh_Hans": "zh-CN", "en": "en"}
# Names and words people typed themselves, in the story's language (what the desk repeats).
TYPED = {
    "zh_Hant": {"clerk": "客服小姐", "tech": "阿偉", "boss": "王主任", "head": "保全主任",
                "unit": "大成水電工程行", "lee": "大成：李師傅", "wong": "大成：黃師傅",
                "where": "廚房水槽", "leak": "水槽下方的水管一直滴水。",
                "fixed": "更換存水彎墊圈。", "decline": "這條水管是住戶自己改過的。",
                "lift": "電梯停在三樓和四樓之間。", "gate": "夜班保全又在門口睡著了。",
                "quote": "NT$850 更換插座", "note": "更換插座", "answer": "已更換保全人員。",
                "reply": "很抱歉，已更換夜班保全。", "comment": "還是會滴水。",
                "litter": "大廳地上都是垃圾。", "contractor_done": "更換了閥門。"},
    "zh_Hans": {"clerk": "客服小姐", "tech": "阿伟", "boss": "王主任", "head": "保安主任",
                "unit": "大成水电工程行", "lee": "大成：李师傅", "wong": "大成：黄师傅",
                "where": "厨房水槽", "leak": "水槽下方的水管一直滴水。",
                "fixed": "更换存水弯垫圈。", "decline": "这条水管是住户自己改过的。",
                "lift": "电梯停在三楼和四楼之间。", "gate": "夜班保安又在门口睡着了。",
                "quote": "850元 更换插座", "note": "更换插座", "answer": "已更换保安人员。",
                "reply": "很抱歉，已更换夜班保安。", "comment": "还是会滴水。",
                "litter": "大堂地上都是垃圾。", "contractor_done": "更换了阀门。"},
    "en": {"clerk": "Desk clerk", "tech": "Ah Wai", "boss": "Supervisor",
           "head": "Head of security", "unit": "Aqua Works", "lee": "Aqua: Lee",
           "wong": "Aqua: Wong", "where": "Kitchen sink",
           "leak": "Water drips from the pipe under the sink.",
           "fixed": "Replaced the trap seal.", "decline": "The owner changed this pipe.",
           "lift": "The lift stopped between 3F and 4F.", "gate": "The night guard was asleep.",
           "quote": "NT$850 new socket", "note": "new socket",
           "answer": "The guard was replaced.", "reply": "We are sorry; the guard was replaced.",
           "comment": "It still drips.", "litter": "Litter all over the lobby.",
           "contractor_done": "Replaced the valve."},
}
ESTATE = {"zh_Hant": "翠湖花園", "zh_Hans": "翠湖花园", "en": "Green Lake Gardens"}


def read_texts(calls: list[Call]) -> list[str]:
    """Every text a person reads: messages, captions, edits, button labels, alerts."""
    texts = []
    for call in calls:
        params = call.params
        for key in ("text", "caption"):
            if isinstance(params.get(key), str):
                texts.append(params[key])
        for medium in params.get("media") or []:
            if isinstance(medium, dict) and medium.get("caption"):
                texts.append(medium["caption"])
        texts.extend(b["text"] for b in call.buttons())
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            texts.extend(b["text"] if isinstance(b, dict) else b
                         for row in markup.get("keyboard", []) for b in row)
        if call.method == "setMyCommands":
            texts.extend(c["description"] for c in params.get("commands", []))
    return texts


# Chinese characters and their full-width punctuation: no space between two of them.
CJK = r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff0f\uff1a-\uff1f]"
# Latin letters a Chinese text may hold, each for a reason: a reference (R-2026-00001), a
# unit or a floor (A 12F-3, 3F), the currency (NT$), and a command with what is typed after
# it, as the person types it (「/archive 編號 原因」). A phone number breaks no rule.
ALLOWED_LATIN = re.compile(r"[RC]-\d{4}-\d{5}|\b[A-C] \d+F-\d+\b|\b\d+F\b|NT\$|"
                           r"/[a-z_]+\b[^\n]*")
RULES_ALL = {
    "an ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "a time with seconds": re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b"),
    "a Python value": re.compile(r"\b(?:None|True|False|null)\b"),
    "a placeholder left": re.compile(r"\{[a-z_]+\}"),
    "a sentence's end before a comma": re.compile(r"[.。!！][,，]"),
}
RULES_CHINESE = {
    "a key": re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"),
    "an English word": re.compile(r"[A-Za-z]{2,}"),
    "a half-width bracket": re.compile(r"[()]"),
    "a space between Chinese": re.compile(rf"{CJK} +{CJK}"),
}
# A complaint is received, routed and answered, never reported, dispatched or repaired.
REPAIR_WORDS = {
    "zh_Hant": re.compile(r"報修|派工|維修"), "zh_Hans": re.compile(r"报修|派工|维修"),
    "en": re.compile(r"\b(?:repairs?|repaired|dispatch(?:ed)?|technicians?|reported)\b", re.I),
}
# An amount: a figure after a word for money carries its currency (NT$850, 850 元).
MONEY_WORDS = {
    "zh_Hant": r"(?:報價|費用|材料費?|工資|人工|金額|收費|保證金|工錢|維修費)",
    "zh_Hans": r"(?:报价|费用|材料费?|工资|人工|金额|收费|押金|工钱|维修费)",
    "en": r"(?:quotation|quoted|cost|costs|materials|labour|amount|charge|fee|deposit)",
}
NOT_MONEY = r"(?!\s*(?:元|年|月|日|件|張|张|小時|小时|時|时|分|秒|個|个|%|h\b|hours?\b|days?\b))"


def offences(text: str, language: str) -> list[str]:
    found = [f"{what} {m.group(0)!r}" for what, rule in RULES_ALL.items()
             for m in rule.finditer(text)]
    if language != "en":
        chinese = ALLOWED_LATIN.sub("\x00", text)
        found += [f"{what} {m.group(0)!r}" for what, rule in RULES_CHINESE.items()
                  for m in rule.finditer(chinese)]
    money = re.compile(MONEY_WORDS[language] + r"[^\d\n。，,;；?？]{0,12}?(?P<figure>\d[\d,.]*)"
                       + NOT_MONEY + r"(?![\d,.]*\d)", re.I)
    about_complaint = re.search(r"C-\d", text) and not re.search(r"R-\d", text)
    for line in text.split("\n"):  # a complaint's own text, or its line in a list
        if about_complaint or (re.search(r"C-\d", line) and not re.search(r"R-\d", line)):
            found += [f"a repair word about a complaint {m.group(0)!r}"
                      for m in REPAIR_WORDS[language].finditer(line)]
    for match in money.finditer(text):
        if not text[:match.start("figure")].rstrip().endswith("NT$"):
            found.append(f"an amount without its currency {match.group(0)!r}")
    return found


def lint(calls: list[Call], language: str, typed: dict[str, str]) -> list[str]:
    """The texts that break a rule, each with what is wrong. What people typed is theirs
    (a name, a note): it stands in as 「某」 with its last full stop, so that the desk's own
    spacing and punctuation round it count."""
    problems: dict[str, list[str]] = {}
    for text in read_texts(calls):
        checked = text
        for word in sorted(typed.values(), key=len, reverse=True):
            stop = word[-1] if word[-1] in ".。!！" else ""
            checked = checked.replace(word, ("某" if language != "en" else "Someone") + stop)
        for offence in offences(checked, language):
            problems.setdefault(text, []).append(offence)
    return [f"{', '.join(why)}:\n    {text!r}" for text, why in problems.items()]


async def report(resident, where: str, description: str, photos=(),
                 priority: str = "normal") -> None:
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data(f"r:g:{priority}")
    await resident.send(where)
    await resident.send(description)
    for photo in photos:
        await resident.send_photo(photo)
    await resident.tap_data("r:pd")
    await choose_a_visit(resident)
    await resident.tap_data("r:ok")


async def broad_story(desk: DeskHarness, language: str) -> None:
    code, say = LANGUAGES[language], TYPED[language]
    clerk, tech, boss = (desk.person(9001, "客服", code), desk.person(9002, "師傅", code),
                         desk.person(9003, "主任", code))
    await desk.hire(clerk, roles.CLERK, say["clerk"])
    await desk.hire(tech, roles.TECHNICIAN, say["tech"])
    await desk.hire(boss, roles.SUPERVISOR, say["boss"])
    head = desk.person(9010, "保全", code)
    await head.join(await admin.invite(desk.db, roles.SUPERVISOR, say["head"],
                                                   desk.clock(), department="security"))
    await admin.add_contractor(desk.db, say["unit"], "02-2345-6789", ["plumbing"],
                               timedelta(days=3), "aqua", timedelta(hours=4))
    lee, wong = desk.person(7001, "李", code), desk.person(7002, "黃", code)
    for person, name in ((lee, say["lee"]), (wong, say["wong"])):
        await person.join(await admin.invite(desk.db, roles.CONTRACTOR, name,
                                                         desk.clock(), contractor="aqua"))
    await desk.start_schedule()

    may = desk.person(5001, "美玲", code)
    await may.send("/start")
    await may.share_contact("+886 912 345 678")
    newcomer = desk.person(5005, "大文", code, last_name="陳")
    await newcomer.send("/start")
    await newcomer.share_contact("+886 955 000 111")
    await newcomer.send("A 12F-3")
    await clerk.tap_starting("o:join:a:")

    # 1. A leak, dispatched to our technician, completed and confirmed.
    await report(may, say["where"], say["leak"], photos=("leak",))
    await may.tap_data("t:v:1")
    await assign_to_tech(clerk)
    await tech.tap_starting("w:go:1:")
    await complete(tech, note=say["fixed"])
    await may.tap_data("s:ok:1")

    # 2. Lift A of block A stops: two residents report it, the second follows the first.
    neighbour = desk.person(5006, "小明", code)
    await neighbour.send("/start")
    await neighbour.share_contact("0933 000 006")
    for resident in (may, neighbour):
        await resident.send("/repair")
        await resident.tap_data("r:c:public_areas")
        await resident.tap_data("r:g:normal")
        await resident.tap_data("r:p:1")  # Lift A
        if resident is may:
            await may.send(say["lift"])
            await may.tap_data("r:pd")
            await may.tap_data("r:ok")
    await neighbour.tap_data("r:sm:2")
    await clerk.tap_data("t:v:2")
    await clerk.tap_data("d:v:2")

    # 3. The newcomer's emergency: a quotation to the owner.
    await report(newcomer, say["where"], say["leak"], priority="emergency")
    await clerk.tap_starting("pa:l:3:")
    await clerk.tap_starting("pa:q:3:")
    await clerk.send(say["quote"])
    await clerk.tap_data("d:v:3")
    await clerk.tap_data("t:v:3")

    # 4. Another leak for the responsible unit, which declines, then takes it.
    await report(may, say["where"], say["leak"])
    await clerk.tap_starting("d:con:4:")
    await clerk.tap(say["unit"])
    await clerk.tap_starting("d:dl:4:c1:3:")
    await lee.tap_starting("u:no:4")
    await lee.send(say["decline"])
    await clerk.tap_starting("d:con:4:")
    await clerk.tap(say["unit"])
    await clerk.tap_starting("d:ru:4:")  # the desk's ruling: theirs after all
    await clerk.tap_starting("d:dl:4:c1r0:3:")
    await wong.tap_starting("u:ok:4")
    await complete(wong, 4, note=say["contractor_done"])

    # 5. A complaint, acknowledged, routed and answered.
    await may.send("/complain")
    await may.tap_data("k:c:security")
    await may.send(say["gate"])
    await may.tap_data("k:pd")
    await may.tap_data("k:cb:1")
    await may.tap_starting("k:ok")
    await clerk.tap_starting("d:ack:5:")
    await clerk.tap_starting("d:rt:5:")
    await clerk.tap_starting("d:dp:5:security:")
    await head.tap_starting("k:reply:5")
    await head.send(say["answer"])
    await head.send(say["reply"])
    await may.send("/mytickets")
    await clerk.send("/queue")
    # another that nobody acknowledges: late, with the desk, and in the digest
    await neighbour.send("/complain")
    await neighbour.tap_data("k:c:cleanliness")
    await neighbour.send(say["litter"])
    await neighbour.tap_data("k:pd")
    await neighbour.tap_data("k:cb:0")
    await neighbour.tap_starting("k:ok")

    # 6. A job the unit never takes: the evening reminder, the window closing; another it
    # declines, left with the desk over the evening.
    await report(may, say["where"], say["leak"])
    await clerk.tap_starting("d:con:7:")
    await clerk.tap(say["unit"])
    await clerk.tap_starting("d:dl:7:c1:3:")
    await report(may, say["where"], say["comment"])
    await clerk.tap_starting("d:con:8:")
    await clerk.tap(say["unit"])
    await clerk.tap_starting("d:dl:8:c1:3:")
    await lee.tap_starting("u:no:8")
    await lee.send(say["decline"])

    # 7. The next morning: the digest, the survey; a 3★ with "not fixed"; the figures.
    await desk.run_until(desk.clock.now + timedelta(hours=24))
    await may.tap_data("sv:r:1:3")
    await may.tap_data("sv:c:1:not_fixed")
    await may.tap_data("sv:n:1")
    await may.send(say["comment"])
    await boss.send("/stats")
    await boss.send("/overdue")
    await tech.send("/mytasks")
    assert await desk.query("SELECT ref, status FROM tickets ORDER BY id") == [  # all the way
        ("R-2026-00001", "closed"), ("R-2026-00002", "new"), ("R-2026-00003", "new"),
        ("R-2026-00004", "completed"), ("C-2026-00001", "completed"),
        ("C-2026-00002", "new"), ("R-2026-00005", "assigned"), ("R-2026-00006", "assigned")]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_text_of_the_story_reads_right(tmp_path, language):
    desk = DeskHarness(tmp_path / "desk.sqlite3",
                       settings=EstateSettings(estate_name=ESTATE[language],
                                               affected_urgent=2))
    await desk.start()
    try:
        await desk.import_roster(ROSTER)
        await broad_story(desk, language)
        problems = lint(desk.api.calls, language, TYPED[language])
    finally:
        await desk.stop()
    assert not problems, f"{len(problems)} texts read wrong:\n" + "\n".join(problems)
