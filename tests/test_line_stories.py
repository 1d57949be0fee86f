"""The desk's main stories on LINE, end to end. The LINE stand-in (sandbox/line_api.py) plays
both of LINE's hosts over HTTP, signs each webhook delivery with the channel's secret and
keeps what each person was shown and how (reply or push); the desk is the real Application
(bot.app.build_application) with the LINE front attached (bot.line.attach), and every event
reaches it as LINE sends it: a signed body into `LineFront.handle`, the webhook route's own
call. A resident and a clerk on LINE, a technician on Telegram, one ticket; in Traditional
Chinese, Simplified Chinese and English. Then what LINE does to a desk: a forged body, an
event delivered twice, a reply token that expired, a 429, a push whose answer never came."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.line import attach, stranger_menu
from handlers.channels.line.api import LineSettings
from handlers.channels.line.menus import key_of
from handlers.i18n import Tr
from sandbox.line_api import LineApiStandIn, sign
from tests.harness import DeskHarness
from tests.line_people import LinePerson, quick_actions
from workflow import admin, roles
from workflow.onboarding import unit_codes

SECRET, TOKEN = "line-test-secret", "line-test-token"
PUBLIC = "https://desk.example.invalid"
LANGUAGES = ("zh_Hant", "zh_Hans", "en")
TELEGRAM_CODE = {"zh_Hant": "zh-TW", "zh_Hans": "zh-CN", "en": "en"}
MAY, KEN, CLERK, CLERK_2 = ("U" + c * 32 for c in "abcd")
REF = "R-2026-00001"
# What a story stores: none of it may appear for a body LINE did not sign.
STORED = ("people", "channel_accounts", "seen_updates", "drafts", "media", "tickets", "outbox")


class LineDesk:
    """The desk with LINE beside Telegram. People on LINE talk to it through the stand-in;
    what the desk owes anyone is delivered after each thing a person does, as the harness
    does for Telegram."""

    def __init__(self, desk: DeskHarness, line: LineApiStandIn) -> None:
        self.desk, self.line = desk, line
        settings = LineSettings(SECRET, TOKEN, api_url=line.url, data_url=line.url,
                                public_url=PUBLIC)
        self.front = attach(desk.app, settings)
        self.channel = desk.app.bot_data.outboxes["line"]
        line.handler = self.handle

    async def handle(self, body: bytes, signature: str) -> int:
        status = await self.front.handle(body, signature)
        await self.desk.deliver()
        return status

    def person(self, user_id: str, name: str, language: str) -> LinePerson:
        return LinePerson(self.line, user_id, name, language)

    async def hire(self, person: LinePerson, tr: Tr, role: str, name: str) -> None:
        """An invitation link opened in LINE, and the privacy notice accepted."""
        code = await admin.invite(self.desk.db, role, name, self.desk.clock())
        await person.send(f"/start {code}")
        await person.tap(tr("I accept"))

    async def close(self) -> None:
        """What post_shutdown does in production (the harness stops the desk without it)."""
        await self.channel.api.close()


@pytest.fixture
async def line(desk):
    with LineApiStandIn(secret=SECRET, token=TOKEN) as stand_in:
        at = LineDesk(desk, stand_in)
        yield at
        await at.close()


def words(desk: DeskHarness, language: str) -> Tr:
    return Tr(language, desk.settings.tz)


def opening(tr: Tr, text: str, later: tuple[str, ...], **values: str) -> str:
    """A text as its reader sees it, up to the first of the `later` values (a date, a
    deadline: the test does not say them)."""
    return tr(text, **values, **dict.fromkeys(later, "\x00")).split("\x00")[0]


async def sheet_code(desk: DeskHarness, unit: str = "A 12F-3") -> str:
    """The office prints the unit's code (`estatedesk roster codes`)."""
    found, _ = await unit_codes.units_named(desk.db, [unit], None)
    now = desk.clock()
    until = unit_codes.last_moment(now, 90, desk.settings.tz)
    return (await unit_codes.make(desk.db, found, 4, now, until))[0].code


async def resident_by_code(desk: DeskHarness, line: LineDesk, tr: Tr, language: str,
                           user_id: str = MAY, name: str = "May") -> LinePerson:
    """A resident adds the desk on LINE, accepts the notice and types the code from the
    office's sheet (LINE shares no phone number)."""
    code = await sheet_code(desk)
    may = line.person(user_id, name, language)
    await may.follow()
    await may.tap(tr("I accept"))
    assert tr("I have no code") in may.labels()
    await may.send(code.lower().replace("-", ""))  # typed on a phone
    assert tr("Thank you. You are linked to unit {unit}.", unit="A 12F-3") in may.texts()
    assert tr("Report a repair") in may.labels()
    return may


async def telegram_technician(desk: DeskHarness, language: str):
    tech = desk.person(9002, "Tech", TELEGRAM_CODE[language])
    await desk.hire(tech, roles.TECHNICIAN, "Ah Wai")
    return tech


async def report_a_leak(may: LinePerson, tr: Tr) -> None:
    """Told by a voice note, with a photo, at a visit time she picks."""
    await may.tap(tr("Report a repair"))
    await may.tap(tr("Plumbing"))
    await may.tap(tr("No, not an emergency"))
    await may.send("Kitchen sink")
    await may.send_voice(b"\x00\x00\x00\x18ftypM4A voice note", 23_000)
    # LINE's camera and camera roll above her keyboard, in her language, beside Done and Skip
    asked = {(a["type"], a["label"]) for a in quick_actions(may.shown()[-1])}
    assert {("camera", tr("Take a photo")), ("cameraRoll", tr("Choose a photo"))} <= asked
    assert ("postback", tr("Done")) in asked
    await may.send_photo(b"\xff\xd8\xff\xe0leak-photo")
    await may.tap(tr("Done"))
    await may.tap(may.labels()[0])  # a day the desk offers
    await may.tap(tr("Afternoon (13-17)"))
    assert tr("Photos: {count}", count=1) in may.last_text
    await may.tap(tr("Confirm and send"))


async def assign(clerk: LinePerson, tr: Tr) -> None:
    await clerk.tap(tr("Assign technician"))
    await clerk.tap("Ah Wai")
    await clerk.tap(clerk.labels()[0])  # the category's default deadline


async def tap_menu(person: LinePerson, label: str) -> int:
    """A tile of the rich menu LINE shows under the person's chat: its postback."""
    menu = person.line.menu_of(person.user_id)
    assert menu is not None, f"no rich menu for {person.name}"
    action = next(a["action"] for a in menu["areas"] if a["action"].get("label") == label)
    return await person._send("postback", postback={"data": action["data"]})


def via(line: LineApiStandIn, user_id: str) -> list[tuple[str, str]]:
    """What the bot showed the person, each with how it came: by reply or by push."""
    return [(e.via, e.content.get("text") or e.content.get("altText") or e.content["type"])
            for e in line.history(user_id) if e.by == "bot"]


def pushes(line: LineApiStandIn, to: str | None = None) -> list[dict]:
    return [c for c in line.calls if c["path"] == "/v2/bot/message/push"
            and (to is None or c["body"].get("to") == to)]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_leak_on_line_dispatched_to_telegram_fixed_confirmed_and_rated(desk, line,
                                                                               language):
    tr = words(desk, language)
    clerk = line.person(CLERK, "Clerk", language)
    await line.hire(clerk, tr, roles.CLERK, "Desk clerk")
    tech = await telegram_technician(desk, language)
    may = await resident_by_code(desk, line, tr, language)

    # Each has the rich menu of their role, in their language
    assert key_of(roles.RESIDENT, False, language) in line.line.menu_of(MAY)["name"]
    assert key_of(roles.CLERK, False, language) in line.line.menu_of(CLERK)["name"]

    await report_a_leak(may, tr)
    assert tr("Thank you. Your repair is registered as {ref}. We will tell you who will "
              "come and when.", ref=REF) in may.texts()
    assert await desk.query("SELECT ref, status FROM tickets") == [(REF, "new")]
    # Her answers came free, by the events' reply tokens
    assert {how for how, _ in via(line.line, MAY)} == {"reply"}

    # The clerk on LINE: the card, the photo at the desk's signed address, the voice note
    # behind a link (LINE bots cannot send a file)
    card = next(t for t in clerk.texts() if tr("New repair report") in t)
    assert REF in card and tr("Plumbing") in card
    shown = clerk.shown()
    assert any(m["type"] == "image" and m["originalContentUrl"].startswith(f"{PUBLIC}/line/")
               for m in shown)
    assert any(f"{PUBLIC}/line/media/" in str(m) and m["type"] == "flex" for m in shown
               if m["type"] != "image")
    await assign(clerk, tr)
    assert REF in clerk.last_text and "Ah Wai" in clerk.last_text
    told = opening(tr, "{ref}: {name} will take care of your repair. Preferred visit: "
                   "{visit}. Deadline: {deadline}.", ("visit", "deadline"), ref=REF,
                   name="Ah Wai")
    assert any(t.startswith(told) for t in may.texts())  # pushed: not her turn

    # The technician on Telegram hears the LINE voice note and sees the LINE photo
    assert tr("New task for you") in " ".join(tech.texts())
    assert [c for c in tech.calls() if c.method in ("sendVoice", "sendAudio")]
    assert [c for c in tech.calls() if c.method in ("sendPhoto", "sendMediaGroup")]
    await tech.send("/mytasks")
    await tech.tap(tech.labels()[0])
    await tech.tap(tr("On my way"))
    assert tr("{ref}: the technician is on the way.", ref=REF) in may.last_text
    await tech.tap(tr("Arrived"))
    await tech.tap(tr("Complete"))
    await tech.send_photo("fixed-1")
    await tech.tap(tr("Done"))
    await tech.send("Replaced the trap seal.")
    await tech.send("1.5")
    await tech.send("120")
    assert tr("{ref} is complete. The resident has been asked to confirm.",
              ref=REF) in tech.last_text

    await may.tap(tr("Confirm, it is fixed"))
    assert await desk.query("SELECT status, labour_hours, materials_cost FROM tickets") == [
        ("closed", 150, 12000)]

    await desk.run_until(desk.clock.now + timedelta(days=1))  # the callback's survey
    await may.tap("5★")
    await may.tap(tr("Quick"))  # LINE cannot edit: the chips come again, ticked
    assert "✓ " + tr("Quick") in may.labels()
    await may.tap(tr("Next"))
    await may.send("Very friendly technician.")
    assert may.last_text == tr("Thank you for your feedback.")
    assert await desk.query("SELECT rating, reasons, comment FROM surveys") == [
        (5, '["quick"]', "Very friendly technician.")]

    # Notices were pushed, each with its retry key; nothing was shown twice; every choice
    # fitted LINE's 13 quick replies
    sent = pushes(line.line)
    assert sent and all(re.fullmatch(r"[0-9a-f-]{36}", c["headers"]["x-line-retry-key"])
                        for c in sent)
    keys = [c["headers"]["x-line-retry-key"] for c in sent]
    assert len(keys) == len(set(keys))
    assert all(len((m.get("quickReply") or {}).get("items", [])) <= 13
               for who in (MAY, CLERK) for m in line.line.shown(who))
    # The month's pushes: LINE's count (one per push call to a friend) is the desk's
    assert line.line.used == len(sent)
    assert await desk.query("SELECT sum(pushed) FROM line_pushes") == [(len(sent),)]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_complaint_from_line_reaches_the_clerk_on_line(desk, line, language):
    tr = words(desk, language)
    clerk = line.person(CLERK, "Clerk", language)
    await line.hire(clerk, tr, roles.CLERK, "Desk clerk")
    may = await resident_by_code(desk, line, tr, language)
    await tap_menu(may, tr("Make a complaint"))  # the tile under the chat
    await may.tap(tr("Security"))
    await may.send("The night guard was asleep at the gate again.")
    await may.tap(tr("Skip"))
    await may.tap(tr("Yes, please call me"))
    await may.tap(tr("Confirm and send"))
    assert any("C-2026-00001" in t for t in may.texts()[-2:])
    await may.redeliver()  # LINE delivers the tap again: one complaint
    assert await desk.query("SELECT count(*) FROM tickets WHERE kind = 'C'") == [(1,)]
    assert any(tr("New complaint") in t and "asleep at the gate" in t for t in clerk.texts())
    await clerk.tap(tr("Acknowledge"))
    acknowledged = opening(tr, "{ref}: the desk has received your complaint and is looking "
                           "into it. We will answer by {deadline}.", ("deadline",),
                           ref="C-2026-00001")
    assert may.last_text.startswith(acknowledged)


async def test_an_old_card_on_line_is_refused_as_stale_with_what_happened(desk, line):
    """LINE cannot take a sent card's buttons away: a tap on it after someone acted is told
    what happened, and the card as it is now comes as a new message."""
    tr = words(desk, "en")
    clerk, second = line.person(CLERK, "Clerk", "en"), line.person(CLERK_2, "Second", "en")
    await line.hire(clerk, tr, roles.CLERK, "Desk clerk")
    await line.hire(second, tr, roles.CLERK, "Second clerk")
    await telegram_technician(desk, "en")
    may = await resident_by_code(desk, line, tr, "en")
    await report_a_leak(may, tr)
    await assign(clerk, tr)
    assigned = await desk.query("SELECT status, technician_id, version FROM tickets")

    before = len(second.shown())
    await second.tap(tr("Assign technician"))  # the card second had, its buttons still there
    fresh = second.texts()[before - len(second.shown()):] if before < len(second.shown()) \
        else []
    assert any("Already assigned to Ah Wai by Desk clerk" in t for t in fresh), fresh
    assert "Reassign: technician" in second.labels()  # the card as it is now
    await clerk.redeliver()  # LINE delivers the clerk's last tap again
    assert await desk.query("SELECT status, technician_id, version FROM tickets") == assigned
    assert await desk.query(
        "SELECT count(*) FROM ticket_events WHERE action = 'assigned'") == [(1,)]


async def test_a_telegram_resident_links_line_and_hears_her_notices_there(desk, line):
    tr = words(desk, "zh_Hant")
    clerk = desk.person(9001, "Clerk", "zh-TW")
    await desk.hire(clerk, roles.CLERK, "Desk clerk")
    await telegram_technician(desk, "zh_Hant")
    may = desk.person(5001, "May", "zh-TW")  # on Telegram, by her phone
    await may.send("/start")
    await may.share_contact("+886 912 345 678")
    await may.send("/link")
    code = re.findall(r"/link (\d{6})", may.last_text)[-1]

    phone = line.person(MAY, "May", "zh_Hant")  # the same May, on LINE
    await phone.send(f"/link {code}")
    await phone.tap(tr("This account"))
    assert phone.last_text == tr("From now on the desk's notices come to this account.")

    await may.send("/repair")
    await may.tap(tr("Plumbing"))
    await may.tap(tr("No, not an emergency"))
    await may.send("廚房水槽")
    await may.send("水管一直滴水。")
    await may.tap(tr("Done"))
    await may.tap(may.labels()[1])
    await may.tap(tr("Afternoon (13-17)"))
    await may.tap(tr("Confirm and send"))
    assert REF in may.last_text  # the reply: where she asked
    on_telegram = len(may.texts())
    await clerk.tap(tr("Assign technician"))
    await clerk.tap("Ah Wai")
    await clerk.tap(clerk.labels()[0])
    assert REF in phone.last_text and "Ah Wai" in phone.last_text  # the chosen app
    assert len(may.texts()) == on_telegram  # and only there
    assert via(line.line, MAY)[-1][0] == "push"


# --- what LINE does to a desk ---------------------------------------------------------------


async def counts(desk: DeskHarness) -> dict[str, int]:
    return {t: (await desk.query(f"SELECT count(*) FROM {t}"))[0][0] for t in STORED}


async def test_a_forged_signature_is_refused_and_nothing_is_stored(desk, line):
    before = await counts(desk)
    stranger = line.person(MAY, "May", "en")
    event = line.line.event(MAY, "message", message={"type": "text", "text": "/start"})
    assert await line.line.deliver([event], signature="Zm9yZ2Vk") == 401
    body = b'{"destination":"U0","events":[]}'
    assert await line.line.post(body, sign("another-secret", body)) == 401
    assert await counts(desk) == before
    assert stranger.shown() == [] and line.line.calls == []  # no answer, no profile fetched
    assert await stranger.send("/start") == 200  # the same, signed: answered
    assert stranger.shown()


async def test_an_event_delivered_again_is_handled_once(desk, line):
    tr = words(desk, "en")
    clerk = line.person(CLERK, "Clerk", "en")
    await line.hire(clerk, tr, roles.CLERK, "Desk clerk")
    may = await resident_by_code(desk, line, tr, "en")
    await report_a_leak(may, tr)
    shown, calls = len(may.shown()), len(clerk.shown())
    assert await may.redeliver() == 200  # "Confirm and send" again, isRedelivery
    assert await desk.query("SELECT count(*) FROM tickets") == [(1,)]
    assert len(may.shown()) == shown and len(clerk.shown()) == calls  # nothing said twice


async def test_an_expired_reply_token_pushes_the_replies_and_loses_none(desk, line):
    tr = words(desk, "en")
    may = await resident_by_code(desk, line, tr, "en")
    line.line.reply_token_seconds = -1  # the desk took longer than LINE keeps a token
    await may.tap(tr("Report a repair"))
    await may.tap(tr("Plumbing"))
    assert tr("No, not an emergency") in may.labels()
    last = via(line.line, MAY)[-2:]
    assert [how for how, _ in last] == ["push", "push"]
    replies = [c for c in line.line.calls if c["path"] == "/v2/bot/message/reply"]
    assert replies[-1]["status"] == 400  # tried first, refused as expired
    assert all(c["headers"].get("x-line-retry-key") for c in pushes(line.line, MAY))
    assert await desk.query("SELECT step FROM drafts") == [("urgency",)]


async def test_a_429_is_retried_later_and_delivered_once(desk, line):
    tr = words(desk, "en")
    clerk = line.person(CLERK, "Clerk", "en")
    await line.hire(clerk, tr, roles.CLERK, "Desk clerk")
    may = await resident_by_code(desk, line, tr, "en")
    line.line.fail_next("/v2/bot/message/push", 429, {"message": "Too many requests"})
    await report_a_leak(may, tr)  # the clerk's card: LINE asks to wait
    assert not [t for t in clerk.texts() if tr("New repair report") in t]
    assert await desk.query("SELECT count(*) FROM outbox WHERE kind = 'dispatch' AND "
                            "sent_at IS NULL") == [(1,)]
    desk.clock.advance(minutes=5)
    await desk.deliver()
    assert len([t for t in clerk.texts() if tr("New repair report") in t]) == 1
    await desk.deliver()
    assert len([t for t in clerk.texts() if tr("New repair report") in t]) == 1
    assert await desk.query("SELECT count(*) FROM outbox WHERE kind = 'dispatch' AND "
                            "sent_at IS NULL") == [(0,)]


async def test_a_push_whose_answer_never_came_is_retried_and_shown_once(desk, line):
    """LINE took the push but its answer was lost: the outbox tries again with the same
    X-Line-Retry-Key, LINE answers 409 (already accepted), and the card shows once."""
    tr = words(desk, "en")
    clerk = line.person(CLERK, "Clerk", "en")
    await line.hire(clerk, tr, roles.CLERK, "Desk clerk")
    may = await resident_by_code(desk, line, tr, "en")
    line.channel.api.timeout = 0.5
    line.line.time_out_next_push(hold_seconds=5)
    await report_a_leak(may, tr)  # the card's photo comes first: its push times out

    def photos() -> int:
        return len([m for m in clerk.shown() if m["type"] == "image"])

    assert photos() == 1  # LINE showed it; the desk did not hear so
    assert not [t for t in clerk.texts() if tr("New repair report") in t]
    desk.clock.advance(minutes=5)
    await desk.deliver()
    assert photos() == 1
    assert len([t for t in clerk.texts() if tr("New repair report") in t]) == 1
    first, again = pushes(line.line, CLERK)[:2]
    assert again["status"] == 409
    assert again["headers"]["x-line-retry-key"] == first["headers"]["x-line-retry-key"]
    assert await desk.query("SELECT count(*) FROM outbox WHERE kind = 'dispatch' AND "
                            "sent_at IS NULL") == [(0,)]


async def test_near_the_months_cap_a_progress_note_waits_for_her_next_reply(desk, line):
    """At 95% of the plan's messages the desk stops pushing what can wait: May's "who will
    come" note is held, then comes free with the reply to the next thing she sends."""
    tr = words(desk, "en")
    clerk = line.person(CLERK, "Clerk", "en")
    await line.hire(clerk, tr, roles.CLERK, "Desk clerk")
    await telegram_technician(desk, "en")
    may = await resident_by_code(desk, line, tr, "en")
    await report_a_leak(may, tr)
    line.line.used = 190  # of the 200 free messages: LINE's count, read again after a while
    desk.clock.advance(minutes=10)
    await assign(clerk, tr)
    told = "R-2026-00001: Ah Wai will take care of your repair."
    assert not any(t.startswith(told) for t in may.texts())
    assert pushes(line.line, MAY) == []
    assert await desk.query("SELECT count(*) FROM outbox WHERE last_error LIKE 'held%'") == \
        [(1,)]

    await may.send("/help")
    fold = next(t for t in may.new_texts() if t.startswith(tr("While you were away:")))
    assert told in fold
    assert [how for how, _ in via(line.line, MAY)][-2:] == ["reply", "reply"]  # free
    assert await desk.query("SELECT count(*) FROM outbox WHERE last_error LIKE 'held%' "
                            "AND sent_at IS NULL") == [(0,)]
    await may.send("/help")
    assert not [t for t in may.new_texts() if told in t]  # shown once


async def test_at_start_up_someone_who_has_not_joined_sees_the_strangers_menu(desk, line):
    """As Telegram's default commands, LINE's default rich menu is set as the desk starts:
    whoever adds the account sees Start, Language and Help before they join."""
    await stranger_menu(line.channel.api, desk.app.bot_data.desk)
    newcomer = line.person(KEN, "Ken", "en")
    menu = line.line.menu_of(KEN)
    assert menu is not None and key_of(None, False, "zh_Hant") in menu["name"]
    start = next(a["action"]["data"] for a in menu["areas"] if a["action"]["data"] == "/start")
    await newcomer._send("postback", postback={"data": start})
    assert words(desk, "en")("I accept") in newcomer.labels()
