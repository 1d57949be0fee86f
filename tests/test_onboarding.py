"""Joining the desk: residents by their own phone number, staff by invitation."""

from tests.fake_telegram import BOT
from tests.stories import staff
from workflow import roles


async def test_the_language_is_guessed_from_telegram(desk):
    for user_id, code, greeting in [
        (1, "zh-TW", "歡迎"), (2, "zh-HK", "歡迎"), (3, "zh-CN", "欢迎"), (4, "zh-SG", "欢迎"),
        (5, "en", "Welcome"), (6, "en-US", "Welcome"), (7, "fr", "歡迎"), (8, None, "歡迎"),
    ]:
        someone = desk.person(user_id, "Someone", code)
        await someone.send("/start")
        assert greeting in someone.last_text, code
        assert someone.calls()[-1].params["reply_markup"]["keyboard"][0][0]["request_contact"]


async def test_someone_elses_contact_is_refused(desk):
    resident = desk.person(5001, "May", "en")
    await resident.send("/start")
    await resident.share_contact("+886 912 345 678", owner=5999)
    assert "your own phone number" in resident.last_text
    assert await desk.query("SELECT count(*) FROM residencies") == [(0,)]
    # nothing is kept: the notice shown with /start is accepted only by one's own number
    assert await desk.query("SELECT count(*) FROM people WHERE user_id = 5001") == [(0,)]


async def test_an_owner_of_two_units_picks_one(desk):
    owner = desk.person(5002, "Chi-ming", "en")
    await owner.send("/start")
    await owner.share_contact("886922111222")
    assert owner.labels() == ["A 5F-1", "B 3F-2", "All of them"]
    await owner.tap("B 3F-2")
    assert "You are linked to: B 3F-2" in owner.last_text
    units = await desk.query("SELECT u.building, u.unit FROM residencies r JOIN units u "
                             "ON u.id = r.unit_id WHERE r.user_id = 5002")
    assert units == [("B", "3F-2")]

    # A forged button for a unit the phone is not registered to links nothing.
    await owner.tap_data("o:unit:1")
    assert await desk.query("SELECT count(*) FROM residencies WHERE unit_id = 1") == [(0,)]


async def test_a_phone_not_on_the_roster_waits_for_a_clerk(desk):
    clerk, _, _ = await staff(desk)
    newcomer = desk.person(5003, "Newcomer", "en")
    await newcomer.send("/start")
    await newcomer.share_contact("+886 955 000 111")
    assert "not on the owner roster" in newcomer.last_text
    await newcomer.send_sticker()
    assert "building and the unit" in newcomer.last_text
    await newcomer.send("C 7F-1")
    assert "A clerk will confirm" in newcomer.last_text
    assert "Newcomer, phone +886 955 000 111, says they live in C 7F-1" in clerk.last_text

    await newcomer.send("/repair")
    assert "not confirmed yet" in newcomer.last_text

    await clerk.tap("Approve")
    assert "Approved: C 7F-1" in clerk.last_text
    assert "C 7F-1 is confirmed" in newcomer.last_text
    await clerk.tap_data("o:join:a:1")  # a second tap: already decided
    assert await desk.query("SELECT status FROM join_requests") == [("approved",)]
    await newcomer.tap("Report a repair")  # the menu's buttons, as a roster resident has
    assert "What kind of problem" in newcomer.last_text


async def test_a_second_clerk_on_a_decided_join_request_is_told_who_decided_and_when(desk):
    clerk, _, _ = await staff(desk)
    second = desk.person(9005, "Clerk two", "en")
    await desk.hire(second, roles.CLERK, "Second clerk")
    newcomer = desk.person(5003, "Newcomer", "en")
    await newcomer.send("/start")
    await newcomer.share_contact("+886 955 000 111")
    await newcomer.send("C 7F-1")
    desk.clock.advance(minutes=5)
    await clerk.tap("Approve")
    second.new_texts()
    await second.tap("Reject")  # on their own copy of the request
    assert second.new_texts() == ["Already approved by Desk clerk, Nov 26, 2026 10:05: C 7F-1."]
    assert not any(c.buttons() for c in second.calls()[-2:])
    edits = [c for c in second.calls() if c.method == "editMessageReplyMarkup"]
    assert edits and "reply_markup" not in edits[-1].params  # their copy keeps no buttons
    assert await desk.query("SELECT status, decided_by FROM join_requests") == [
        ("approved", 9001)]


async def test_a_clerk_can_reject_a_join_request(desk):
    clerk, _, _ = await staff(desk)
    newcomer = desk.person(5003, "Newcomer", "en")
    await newcomer.send("/start")
    await newcomer.share_contact("+886 955 000 111")
    await newcomer.send("Z 99F")
    await clerk.tap("Reject")
    assert "could not confirm unit Z 99F" in newcomer.last_text
    assert await desk.query("SELECT role FROM people WHERE user_id = 5003") == [(None,)]


async def test_an_invitation_works_once(desk):
    first = desk.person(9100, "First", "en")
    second = desk.person(9101, "Second", "en")
    from workflow import admin
    code = await admin.invite(desk.db, roles.TECHNICIAN, "Lo Sifu", desk.clock())
    await first.join(code)
    assert "registered as technician" in first.last_text
    await second.join(code)
    assert "already been used" in second.last_text
    await second.send("/start not-a-real-code")
    assert "unknown, has expired or has already been used" in second.last_text
    assert await desk.query("SELECT user_id, role, name FROM people WHERE role IS NOT NULL") == [
        (9100, "technician", "Lo Sifu")]
    menu = [c for c in desk.api.calls if c.method == "setMyCommands"
            and c.params.get("scope", {}).get("chat_id") == 9100]
    assert [cmd["command"] for cmd in menu[-1].params["commands"]] == [
        "mytasks", "borrow", "cancel", "mydata", "privacy", "language", "help"]


async def test_language_can_be_switched_at_any_time(desk):
    resident = desk.person(5001, "May", "zh-TW")
    await resident.send("/start")
    await resident.send("/language")
    assert resident.labels() == ["繁體中文", "简体中文", "English", "關閉"]
    await resident.tap("English")  # not joined yet: the notice, in the language chosen
    assert "Privacy notice of estatedesk" in resident.last_text
    assert await desk.query("SELECT count(*) FROM people") == [(0,)]
    await resident.tap("I accept")
    assert "share your phone number" in resident.last_text
    await resident.send("/language")
    await resident.tap("English")
    assert "English" in resident.last_text
    await resident.send("/help")
    assert "share your phone number" in resident.last_text
    await resident.tap_data("o:lang:klingon")
    assert await desk.query("SELECT language FROM people WHERE user_id = 5001") == [("en",)]


async def test_help_depends_on_the_role(desk):
    clerk, tech, _ = await staff(desk)
    await tech.send("/help")
    assert "/mytasks" in tech.last_text
    await clerk.send("/help")
    assert "/queue" in clerk.last_text
    assert BOT["username"]
    from handlers import menus
    assert set(roles.STAFF_ROLES) <= set(menus.HELP)  # every role has help of its own
    assert set(roles.STAFF_ROLES) <= set(menus.BY_ROLE)  # and its command menu


async def test_an_invitation_expires_can_be_revoked_and_guessing_is_throttled(desk):
    from datetime import timedelta

    from workflow import admin
    late = desk.person(9100, "Late", "en")
    code = await admin.invite(desk.db, roles.CLERK, "Front desk", desk.clock(),
                              expires_in=timedelta(days=2))
    desk.clock.advance(days=2, minutes=1)
    await late.join(code)
    assert "has expired" in late.last_text
    revoked = await admin.invite(desk.db, roles.SUPERVISOR, None, desk.clock())
    assert await admin.revoke(desk.db, revoked, desk.clock())
    await late.join(revoked)
    assert "unknown, has expired" in late.last_text
    assert await desk.query("SELECT count(*) FROM people WHERE role IS NOT NULL") == [(0,)]

    guesser = desk.person(9200, "Guesser", "en")
    good = await admin.invite(desk.db, roles.MANAGER, None, desk.clock())
    for n in range(5):  # the first as a newcomer, accepting the notice; the rest at once
        await guesser.join(f"guess{n}")
    await guesser.join(good)  # even the right code waits now
    assert "Too many wrong invitation codes" in guesser.last_text
    assert await desk.query("SELECT role FROM people WHERE user_id = 9200") == [(None,)]
    desk.clock.advance(hours=1, minutes=1)
    await guesser.join(good)
    assert "registered as manager" in guesser.last_text


async def test_a_resident_is_named_as_the_roster_writes_them(desk):
    resident = desk.person(5001, "May", "en")  # Telegram's first name
    await resident.send("/start")
    await resident.share_contact("+886 912 345 678")
    assert await desk.query("SELECT name FROM people WHERE user_id = 5001") == [("陳美玲",)]
    clerk = desk.person(9001, "Front", "en")
    await desk.hire(clerk, roles.CLERK, "Desk clerk")
    assert await desk.query("SELECT name FROM people WHERE user_id = 9001") == [("Desk clerk",)]


async def test_a_clerk_who_owns_a_flat_keeps_their_own_tickets(desk):
    resident = desk.person(5001, "May", "en")
    await resident.send("/start")
    await resident.share_contact("+886 912 345 678")
    from workflow import admin
    code = await admin.invite(desk.db, roles.CLERK, "Front desk", desk.clock())
    await resident.join(code)
    assert "registered as clerk" in resident.last_text
    assert "Your flat stays linked" in resident.last_text
    assert "My tickets" in resident.labels() and "Queue" in resident.labels()
    menu = [c for c in desk.api.calls if c.method == "setMyCommands"
            and c.params.get("scope", {}).get("chat_id") == 5001]
    assert "mytickets" in [cmd["command"] for cmd in menu[-1].params["commands"]]
    await resident.send("/repair")
    assert resident.last_text == "What kind of problem is it?"
    await resident.send("/cancel")
    await resident.send("/mytickets")
    assert "no tickets yet" in resident.last_text
    await resident.send("/queue")
    assert "No open tickets" in resident.last_text


async def test_a_tenant_types_the_unit_their_way_and_the_clerk_sees_the_roster(desk):
    clerk, _, _ = await staff(desk)
    tenant = desk.person(5004, "Tenant", "zh-TW")
    await tenant.send("/start")
    await tenant.share_contact("+886 955 000 222")
    await tenant.send("A棟12樓之3")
    request = next(t for t in clerk.texts() if "says they live in" in t)
    assert "The roster has for this unit: 陳美玲 0912-345-678" in request
    await clerk.tap("Approve")
    linked = await desk.query("SELECT u.building, u.unit FROM residencies r JOIN units u "
                              "ON u.id = r.unit_id WHERE r.user_id = 5004")
    assert linked == [("A", "12F-3")]  # the roster's own unit, not a new one
    assert await desk.query("SELECT count(*) FROM units") == [(3,)]
