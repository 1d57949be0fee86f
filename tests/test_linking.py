"""A person, not a Telegram account: a resident links a second account with a one-time code,
chooses it for the desk's notices and hears each notice once, there; either account acts as
the same person. Codes are single-use, expire, are guessed at most a few times an hour, and
never take over an account that has records of its own."""

import re

from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff

WRONG = ("This link code is unknown, has expired or has already been used. On your other "
         "account, send /link for a new one.")
LINKED = ("This account is now linked: you can use the desk from here as from your other "
          "account.")


async def a_code(person) -> str:
    """The code /link shows the person (the newest)."""
    await person.send("/link")
    found = re.findall(r"link code: (\d{6})", " ".join(person.texts()))
    assert found, person.texts()[-2:]
    return found[-1]


async def test_a_resident_hears_of_her_repair_once_on_the_account_she_chose(desk):
    clerk, tech, _ = await staff(desk)
    may = await resident_of_a12(desk)
    phone = desk.person(6001, "May", "en")  # her second Telegram account
    code = await a_code(may)
    assert await desk.query("SELECT code FROM link_codes") != [(code,)]  # kept hashed

    await phone.send(f"/link {code}")
    assert LINKED in phone.texts()
    # where she hears notices (the first account, still) she is told of the link
    assert any("Telegram account was just linked" in t for t in may.new_texts())
    assert phone.labels()[0].startswith("✓ Telegram account, since")  # still the first
    await phone.tap("This account")
    assert phone.last_text == "From now on the desk's notices come to this account."
    await phone.send("/link")  # a second look at the chooser: the choice holds, said once
    await phone.tap("✓ This account")
    assert phone.last_text == "The desk's notices already come to this account."
    assert await desk.query("SELECT external_id, person_id, chosen FROM channel_accounts "
                            "WHERE person_id = 5001 ORDER BY linked_at, external_id") == [
        ("5001", 5001, 0), ("6001", 5001, 1)]

    await report_leak(phone)  # from the second account: her report, her unit
    assert await desk.query("SELECT resident_id, unit_id FROM tickets") == [(5001, 1)]
    may.new_texts(), phone.new_texts()
    await assign_to_tech(clerk)
    told = [t for t in phone.new_texts() if "R-" in t and "will take care" in t]
    assert len(told) == 1  # once, on the chosen account
    assert not [t for t in may.new_texts() if "will take care" in t]
    await phone.send("/mytickets")
    assert any("R-2026-00001" in label for label in phone.labels())


async def test_a_wrong_an_expired_and_a_used_code_are_refused(desk):
    may = await resident_of_a12(desk)
    phone = desk.person(6001, "May", "en")
    await phone.send("/link 000000" if (await a_code(may)) != "000000" else "/link 000001")
    assert phone.last_text == WRONG

    code = await a_code(may)
    desk.clock.advance(minutes=16)
    await phone.send(f"/link {code}")
    assert phone.last_text == WRONG  # expired

    code = await a_code(may)
    await phone.send(f"/link {code}")
    assert LINKED in phone.texts()
    other = desk.person(6002, "Someone", "en")
    await other.send(f"/link {code}")
    assert other.last_text == WRONG  # used
    assert await desk.query("SELECT count(*) FROM channel_accounts WHERE external_id = "
                            "'6002'") == [(0,)]


async def test_guessing_stops_after_five_wrong_codes_an_hour(desk):
    may = await resident_of_a12(desk)
    code = await a_code(may)
    guesser = desk.person(6666, "Guesser", "en")
    wrong = [f"{n:06d}" for n in range(10) if f"{n:06d}" != code][:5]
    for guess in wrong:
        await guesser.send(f"/link {guess}")
        assert guesser.last_text == WRONG
    await guesser.send(f"/link {code}")  # the right one, too late
    assert guesser.last_text == ("Too many wrong link codes were tried from this account. "
                                 "Please try again in an hour.")
    assert await desk.query("SELECT used_at FROM link_codes") == [(None,)]
    desk.clock.advance(minutes=61)
    code = await a_code(may)
    await guesser.send(f"/link {code}")
    assert LINKED in guesser.texts()


async def test_a_stranger_makes_no_code_but_may_type_one(desk):
    stranger = desk.person(7777, "Stranger", "en")
    await stranger.send("/link")
    assert stranger.last_text == ("Please send /start and share your phone number first, so "
                                  "we know which unit is yours.")
    assert await desk.query("SELECT count(*) FROM link_codes") == [(0,)]
    assert await desk.query("SELECT count(*) FROM people WHERE user_id = 7777") == [(0,)]

    may = await resident_of_a12(desk)
    await stranger.send(f"/link {await a_code(may)}")
    assert LINKED in stranger.texts()
    assert await desk.query("SELECT person_id FROM channel_accounts WHERE external_id = "
                            "'7777'") == [(5001,)]
    await stranger.send("/mytickets")  # her records, from the linked account
    assert "Please send /start" not in stranger.last_text


async def test_an_account_of_another_person_is_refused_and_the_code_stays_good(desk):
    may = await resident_of_a12(desk)
    neighbour = desk.person(5002, "Lin", "en")
    await neighbour.send("/start")
    await neighbour.share_contact("0922 111 222")  # on the roster: records of his own
    code = await a_code(may)
    await neighbour.send(f"/link {code}")
    assert neighbour.last_text.startswith("This account already has its own records")
    assert await desk.query("SELECT person_id FROM channel_accounts WHERE external_id = "
                            "'5002'") == [(5002,)]
    phone = desk.person(6001, "May", "en")
    await phone.send(f"/link {code}")  # the code was not used up by the refusal
    assert LINKED in phone.texts()


async def test_a_greeting_alone_is_no_record_and_may_be_linked(desk):
    may = await resident_of_a12(desk)
    phone = desk.person(6001, "May", "en")
    await phone.send("/start")  # a person now, but nothing more
    await phone.send(f"/link {await a_code(may)}")
    assert LINKED in phone.texts()
    await phone.send(f"/link {await a_code(may)}")
    assert phone.last_text == "This account is already yours at the desk."


async def test_a_clerks_role_works_from_the_linked_account(desk):
    clerk, _, _ = await staff(desk)
    may = await resident_of_a12(desk)
    await report_leak(may)
    second = desk.person(9901, "Clerk", "en")
    await second.send("/queue")
    assert "R-2026-00001" not in " ".join(second.texts())  # a stranger sees no queue
    await second.send(f"/link {await a_code(clerk)}")
    assert LINKED in second.texts()
    await second.send("/queue")
    await second.tap(next(label for label in second.labels() if "R-2026-00001" in label))
    await assign_to_tech(second)  # the clerk's permission check, passed from the new account
    assert await desk.query("SELECT technician_id, status FROM tickets") == [(9002, "assigned")]
    assert await desk.query("SELECT actor_id FROM ticket_events WHERE action = 'assigned'") == \
        [(9001,)]


async def test_a_person_chooses_only_among_their_own_accounts(desk):
    may = await resident_of_a12(desk)
    neighbour = desk.person(5002, "Lin", "en")
    await neighbour.send("/start")
    await neighbour.share_contact("0922 111 222")
    await neighbour.tap_data("lk:ch:telegram:5001")  # May's account, forged
    assert await desk.query("SELECT external_id, chosen FROM channel_accounts WHERE "
                            "person_id = 5001") == [("5001", 1)]
    await may.send("/link")  # hers to choose: she has one account, so nothing to choose
    assert "Which account" not in may.last_text


async def test_a_newcomer_who_types_the_code_alone_is_linked_and_loses_the_phone_button(desk):
    may = await resident_of_a12(desk)
    phone = desk.person(6001, "May", "en")
    await phone.send("/start")  # the new account is offered the phone button first
    assert phone.calls()[-1].params["reply_markup"]["keyboard"][0][0]["request_contact"]
    code = await a_code(may)
    await phone.send(code)  # as the code's text says to type it, without /link
    assert LINKED in phone.texts()
    linked = next(c for c in phone.calls() if c.params.get("text") == LINKED)
    assert linked.params["reply_markup"] == {"remove_keyboard": True}
    assert await desk.query("SELECT person_id FROM channel_accounts WHERE external_id = "
                            "'6001'") == [(5001,)]


async def test_a_language_chosen_on_one_account_sets_the_menus_of_both(desk):
    may = await resident_of_a12(desk)
    phone = desk.person(6001, "May", "en")
    await phone.send(f"/link {await a_code(may)}")
    desk.api.calls.clear()
    await phone.send("/language")
    await phone.tap("English")
    menus = {c.params["scope"]["chat_id"] for c in desk.api.calls
             if c.method == "setMyCommands"}
    assert menus == {5001, 6001}
