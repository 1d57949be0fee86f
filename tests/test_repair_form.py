"""The repair form (簽認維修單): a responsible unit's job signed by all four parties, told in
Traditional Chinese; a query and a paper signature; a party who waits is reminded once; the
supervising engineer sees only the forms they sign."""

from datetime import timedelta

from handlers.i18n import Tr
from handlers.office import pdfs
from tests import printed
from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff
from tests.test_measurement import storeroom
from tests.test_units_in_chat import aqua_works, send_to_aqua
from workflow import admin, roles, views


async def engineer_and_project(desk, language="en"):
    """The supervising engineer (監理) and the project department (項目部) join."""
    joined = []
    for user_id, role, name in ((8001, roles.SUPERVISING_ENGINEER, "監理 陳工"),
                                (8002, roles.PROJECT_DEPARTMENT, "項目部 王經理")):
        person = desk.person(user_id, name, language)
        code = await admin.invite(desk.db, role, name, desk.clock())
        await person.join(code)
        joined.append(person)
    return joined


def form_of(person, ref="R-2026-00001"):
    return next(c for c in reversed(person.calls()) if c.text and ref in c.text and
                any(b["callback_data"].startswith("s:sg:") for b in c.buttons()))


async def test_a_units_job_is_signed_by_all_four_parties_in_chinese(desk):
    clerk, tech, boss = await staff(desk, "zh-TW")
    lee, wong = await aqua_works(desk, "zh-TW")
    engineer, project = await engineer_and_project(desk, "zh-TW")
    resident = await resident_of_a12(desk, "zh-TW")
    await report_leak(resident, "水槽下方的水管漏水。", photos=("leak-1",))
    await send_to_aqua(clerk)
    await lee.tap_starting("u:ok:1:")
    await complete(lee, note="更換存水彎。")
    await resident.tap_starting("s:ok:1")
    assert "已結案" in resident.last_text

    for person, party in ((boss, "維修部門（主管）"), (engineer, "監理"), (project, "項目部")):
        form = form_of(person)
        assert f"請以{party}身分簽認維修單" in form.text
        assert "更換存水彎。" in form.text and "未超過維修期限" in form.text
        assert "業主：" in form.text and "監理：待簽認" in form.text
        assert [b["text"] for b in form.buttons()] == ["簽認", "提出疑問"]
        photos = [c for c in person.calls() if c.method == "sendMediaGroup"]
        assert photos, "before and after photos come with the form"
    assert not any("請以" in t for t in resident.texts() + lee.texts() + clerk.texts())

    await engineer.tap("簽認")
    await project.tap("簽認")
    assert await desk.query("SELECT count(*) FROM ticket_events WHERE action = 'signed_off'"
                            ) == [(0,)]
    await boss.tap("簽認")
    assert "R-2026-00001 各方均已簽認。" in boss.last_text
    await engineer.tap_starting("s:sg:1:")  # a second tap signs nothing more
    assert engineer.last_text == "之前已經簽認過了。"
    parties = await desk.query("SELECT party, user_id, channel FROM signoffs ORDER BY party")
    # the owner reported it and confirmed in the chat: their confirmation and their signature
    assert parties == [("owner", 5001, "bot"), ("project_department", 8002, "bot"),
                       ("resident", 5001, "bot"),
                       ("supervising_engineer", 8001, "bot"), ("supervisor", 9003, "bot"),
                       ("technician", 7001, "bot")]
    await clerk.tap_data("t:v:1")
    assert "維修單各方均已簽認" in clerk.last_text and "監理已簽認" in clerk.last_text


async def test_a_query_goes_to_the_desk_and_a_paper_signature_completes_the_form(desk):
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    engineer, project = await engineer_and_project(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    await lee.tap("Accept")
    await complete(lee, note="Replaced the trap.")
    await resident.tap("Confirm, it is fixed")

    await engineer.tap("Query")
    await engineer.send("The after-photo does not show the joint.")
    assert "your question went to the desk" in engineer.last_text
    assert clerk.last_text.startswith("Supervising engineer queries the repair form of "
                                      "R-2026-00001: The after-photo does not show the joint.")
    assert await desk.query("SELECT party FROM signoffs WHERE party = 'supervising_engineer'"
                            ) == []

    await boss.tap("Sign")
    await project.tap("Sign")
    await clerk.tap("Record a paper signature")
    assert clerk.labels() == ["Supervising engineer", "Close"]
    await clerk.tap("Supervising engineer")
    await clerk.send("Chan Tai-man")
    assert "the paper signature of Chan Tai-man is recorded" in clerk.last_text
    assert "now signed off by every party" in clerk.last_text
    assert await desk.query("SELECT user_id, channel, signer_name FROM signoffs WHERE party = "
                            "'supervising_engineer'") == [(9001, "paper", "Chan Tai-man")]
    await engineer.tap("Sign")  # the paper one already stands
    assert engineer.last_text.startswith("Already signed off.")
    await boss.tap_data("s:f:1")
    assert "Supervising engineer: Chan Tai-man, on paper (recorded by Desk clerk)" in \
        boss.last_text and "Signed off by every party." in boss.last_text


async def test_a_party_who_has_not_signed_is_reminded_once_after_a_day(desk):
    clerk, tech, boss = await staff(desk)
    engineer, project = await engineer_and_project(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)  # in-house: the repair department and the owner
    await complete(tech)
    await resident.tap("Confirm, it is fixed")
    assert any("Please sign the repair form as Repair department" in t for t in boss.texts())
    assert not any("repair form" in t for t in engineer.texts() + project.texts())
    await desk.run_until(desk.clock.now + timedelta(hours=23, minutes=59))
    assert not any(t.startswith("A reminder: the repair form") for t in boss.texts())
    await desk.run_until(desk.clock.now + timedelta(days=3))
    assert sum(t.startswith("A reminder: the repair form waits for your signature")
               for t in boss.texts()) == 1


async def test_the_engineer_sees_only_the_forms_they_sign(desk):
    clerk, tech, boss = await staff(desk)
    engineer, project = await engineer_and_project(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)  # in-house: not the engineer's to sign
    for data in ("t:v:1", "s:f:1", "s:sg:1:supervising_engineer", "d:v:1", "s:sg:1:supervisor"):
        await engineer.tap_data(data)
        answer = desk.api.calls[-1]
        assert answer.method == "answerCallbackQuery" and answer.params["show_alert"], data
    await engineer.send("/signoffs")
    assert engineer.last_text == "No repair is waiting for your sign-off."
    for command in ("/queue", "/mytasks", "/stats"):
        await engineer.send(command)
        assert "not allowed" in engineer.last_text, command
    assert await desk.query("SELECT count(*) FROM signoffs WHERE user_id = 8001") == [(0,)]


FORM_WORDS = {  # the first visit's note, the reopening's reason, the second visit's
    "en": ("Work, visit by visit, as recorded", "Tightened the joint.", "Reopened as not fixed",
           "It still drips at night.", "Replaced the whole pipe."),
    "zh_Hant": ("各次到場施工（施工人員登記）", "Tightened the joint.", "未修好，重新處理",
                "It still drips at night.", "Replaced the whole pipe."),
    "zh_Hans": ("各次上门施工（施工人员登记）", "Tightened the joint.", "未修好，重新处理",
                "It still drips at night.", "Replaced the whole pipe."),
}


async def a_job_fixed_on_the_second_visit(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await complete(tech, note="Tightened the joint.")
    desk.clock.advance(hours=2)
    await resident.tap("Not fixed")
    await resident.send("It still drips at night.")
    desk.clock.advance(days=1)
    await tech.tap("Complete")
    await tech.send_photo("after-second-visit")
    await tech.tap("Done")
    await tech.send("Replaced the whole pipe.")
    await tech.send("2")
    await tech.send("350.5")
    await resident.tap("Confirm, it is fixed")
    return clerk, tech, boss, resident


async def test_the_form_lists_every_visit_and_why_it_was_reopened(desk, tmp_path):
    """Not the last visit's note alone: each visit (when, who, what, hours, materials) and
    the resident's reason for reopening, in the chat and on paper in every language."""
    clerk, tech, boss, resident = await a_job_fixed_on_the_second_visit(desk)
    await boss.tap_data("s:f:1")
    form = boss.last_text
    first = form.index("Visit 1, Nov 26, 2026 10:00, Ah Wai: Tightened the joint. (1 h, "
                       "materials: NT$0)")
    reopened = form.index("reopened by 陳美玲: It still drips at night.")
    second = form.index("Visit 2, Nov 27, 2026 12:00, Ah Wai: Replaced the whole pipe. "
                        "(2 h, materials: NT$350.5)")
    assert first < reopened < second
    assert "Work done: Replaced the whole pipe." not in form  # the last note alone, no more
    file = await views.ticket_by_ref(desk.db, "R-2026-00001")
    for language, words in FORM_WORDS.items():
        pdf = tmp_path / f"form-{language}.pdf"
        pdfs.form_pdf(Tr(language, desk.settings.tz), desk.settings, file, pdf)
        text = "".join(printed.text(pdf).split())  # cells wrap their lines
        where = [text.index("".join(w.split())) for w in words]
        assert where == sorted(where), (language, where)
        assert text.rindex("350.5") > where[-1], language  # the second visit's materials
        assert text.count("AhWai") >= 3, language  # the holder, and each visit's


async def test_a_corrected_measurement_is_one_set_of_figures_marked_as_corrected(desk, tmp_path):
    """The desk's correction replaces the recorded hours as well as the labour cost: one
    set (hours, labour, materials, total), saying who corrected it and when."""
    clerk, tech, boss = await staff(desk, "zh-TW")
    await storeroom(desk)  # plumbing at 450 an hour
    resident = await resident_of_a12(desk, "zh-TW")
    await report_leak(resident)
    await assign_to_tech(clerk)
    await complete(tech, note="鎖緊接頭。")  # 1 h, no materials: 450
    await resident.tap_data("s:ok:1")
    await clerk.tap_data("me:fix:1")
    await clerk.send("2 100 多跑一趟")
    await boss.tap_data("s:f:1")
    form = boss.last_text
    assert "工時：2 小時，材料費：100" in form and "工時：1 小時" not in form
    assert "費用 1,000 元（人工 900 元，材料 100 元）：Desk clerk於2026年11月26日週四更正：多跑一趟" in form
    file = await views.ticket_by_ref(desk.db, "R-2026-00001")
    pdf = tmp_path / "form.pdf"
    pdfs.form_pdf(Tr("zh_Hant", desk.settings.tz), desk.settings, file, pdf)
    text = "".join(printed.text(pdf).split())
    assert "工時：2小時，材料費：100" in text and "工時：1小時" not in text
    assert "費用1,000元（人工900元，材料100元）：Deskclerk於2026年11月26日週四更正：多跑一趟" in text


async def test_a_query_is_answered_and_a_corrected_form_is_signed_again_by_every_party(desk):
    """The engineer queries the figures; the query stays open on the desk's side until a
    clerk answers it. The clerk corrects the measurement: the signatures given on the old
    figures are withdrawn and every party (the owner too) gets the corrected form; then the
    answer reaches the engineer."""
    clerk, tech, boss = await staff(desk)
    lee, wong = await aqua_works(desk)
    engineer, project = await engineer_and_project(desk)
    owner = await resident_of_a12(desk)
    await report_leak(owner)
    await send_to_aqua(clerk)
    await lee.tap("Accept")
    await complete(lee, note="Replaced the trap.")
    await owner.tap("Confirm, it is fixed")
    assert "As the owner, your confirmation is also your signature" in owner.last_text
    await boss.tap("Sign")
    await project.tap("Sign")

    await engineer.tap("Query")
    await engineer.send("1800 is too much for one trap.")
    asked = next(c for c in reversed(clerk.calls()) if c.text and "queries the repair form" in
                 c.text)
    assert asked.buttons()[0]["text"] == "Answer the query"
    await clerk.send("/queries")
    assert "R-2026-00001 Supervising engineer" in clerk.last_text
    assert "1800 is too much for one trap." in clerk.last_text
    assert clerk.labels() == ["Answer R-2026-00001"]

    await clerk.tap_data("me:fix:1")
    await clerk.send("0.5 0 half an hour, no materials")
    withdrawn = await desk.query("SELECT note FROM ticket_events WHERE action = "
                                 "'signature_withdrawn' ORDER BY id")
    assert withdrawn == [("Supervisor",), ("陳美玲",), ("項目部 王經理",)]  # whose, in order
    assert await desk.query("SELECT party FROM signoffs ORDER BY party") == [
        ("resident",), ("technician",)]
    for person in (boss, engineer, project, owner):
        assert any(t.startswith("The desk corrected the figures of the repair form: please "
                                "sign it again as") and "R-2026-00001" in t
                   for t in person.texts()), person.first_name
    await clerk.send("/queries")  # corrected, but not answered yet
    assert clerk.labels() == ["Answer R-2026-00001"]

    await clerk.tap("Answer R-2026-00001")
    assert "Supervising engineer asked: 1800 is too much for one trap." in clerk.last_text
    await clerk.send("Right: half an hour, corrected.")
    assert "your answer went to the one who asked" in clerk.last_text
    assert engineer.last_text.startswith("The desk answered your question on the repair form "
                                         "of R-2026-00001 (1800 is too much for one trap.): "
                                         "Right: half an hour, corrected.")
    assert "The figures were corrected: the corrected form was sent to you" in \
        engineer.last_text
    await clerk.send("/queries")
    assert clerk.last_text == "No query on a repair form is waiting for an answer."

    for person in (boss, engineer, project, owner):
        await person.tap("Sign")
    assert "now signed off by every party" in owner.last_text


async def test_an_answer_without_a_correction_brings_the_form_back_to_sign(desk):
    clerk, tech, boss = await staff(desk)
    owner = await resident_of_a12(desk)
    await report_leak(owner)
    await assign_to_tech(clerk)
    await complete(tech)
    await owner.tap("Confirm, it is fixed")
    await boss.tap("Query")
    await boss.send("Why one hour?")
    await clerk.tap("Answer the query")
    await clerk.send("The pipe was behind the cabinet.")
    assert boss.last_text == ("The desk answered your question on the repair form of "
                              "R-2026-00001 (Why one hour?): The pipe was behind the cabinet.")
    assert boss.labels() == ["Sign", "Query"]
    await boss.tap("Sign")
    assert "now signed off by every party" in boss.last_text
    await clerk.tap_data("s:qa:1")  # answered already
    assert desk.api.calls[-1].method == "answerCallbackQuery"


async def test_the_printed_form_shows_the_confirmation_apart_and_the_owners_signature_missing(
        desk, tmp_path):
    """Confirmed by phone through the desk: the form, in every language, says so and by
    whom it was recorded, and lists the owner's signature as not signed yet."""
    clerk, tech, boss = await staff(desk)
    owner = await resident_of_a12(desk)
    await report_leak(owner)
    await assign_to_tech(clerk)
    await complete(tech)
    await clerk.tap_data("d:v:1")
    await clerk.tap_starting("d:cp:1")
    await boss.tap("Sign")
    job = await views.ticket_by_ref(desk.db, "R-2026-00001")
    words = {"en": ("Repair confirmed by 陳美玲 by phone", "recorded by Desk clerk.",
                    "Owner", "not signed yet", "Supervisor in the chat"),
             "zh_Hant": ("陳美玲於", "電話確認修復，由Desk clerk登錄。", "業主", "尚未簽認",
                         "Supervisor，在對話中簽認"),
             "zh_Hans": ("陳美玲于", "电话确认修复，由Desk clerk登记。", "业主", "尚未签认",
                         "Supervisor，在对话中签认")}
    for language, expected in words.items():
        tr = Tr(language, desk.settings.tz)
        path = tmp_path / f"form-{language}.pdf"
        pdfs.form_pdf(tr, desk.settings, job, path)
        text = "".join(p.text for p in printed.pages("pdfium", path)).replace("\r", "")
        text = "".join(text.split())
        for word in expected:
            assert "".join(word.split()) in text, (language, word)
        assert "系統自動" not in text and "系统自动" not in text


async def test_after_a_correction_no_visit_shows_the_hours_it_replaced(desk, tmp_path):
    """The visits' work stays on the form, but not their recorded hours and materials once
    the desk corrected the figures: a signer reads one set, in the chat and on paper."""
    clerk, tech, boss = await staff(desk)
    await storeroom(desk)  # plumbing at 450 an hour
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await complete(tech, note="Tightened the joint.")  # 1 h
    await resident.tap_data("s:ok:1")
    await clerk.tap_data("me:fix:1")
    await clerk.send("0.5 0 half an hour")
    await boss.tap_data("s:f:1")
    form = boss.last_text
    assert "· Visit 1, Nov 26, 2026 10:00, Ah Wai: Tightened the joint.\n" in form
    assert "(1 h" not in form and "Labour: 0.5 h, materials: NT$0" in form
    file = await views.ticket_by_ref(desk.db, "R-2026-00001")
    for language, hours in (("en", "Labour hours"), ("zh_Hant", "人工時數"),
                            ("zh_Hans", "人工时数")):
        pdf = tmp_path / f"form-{language}.pdf"
        pdfs.form_pdf(Tr(language, desk.settings.tz), desk.settings, file, pdf)
        text = "".join(printed.text(pdf).split())
        assert "Tightenedthejoint." in text and hours not in text, language
