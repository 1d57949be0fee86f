"""The repair form (簽認維修單): a responsible unit's job signed by all four parties, told in
Traditional Chinese; a query and a paper signature; a party who waits is reminded once; the
supervising engineer sees only the forms they sign."""

from datetime import timedelta

from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff
from tests.test_units_in_chat import aqua_works, send_to_aqua
from workflow import admin, roles


async def engineer_and_project(desk, language="en"):
    """The supervising engineer (監理) and the project department (項目部) join."""
    joined = []
    for user_id, role, name in ((8001, roles.SUPERVISING_ENGINEER, "監理 陳工"),
                                (8002, roles.PROJECT_DEPARTMENT, "項目部 王經理")):
        person = desk.person(user_id, name, language)
        code = await admin.invite(desk.db, role, name, desk.clock())
        await person.send(f"/start {code}")
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
