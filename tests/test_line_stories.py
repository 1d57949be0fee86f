"""The desk's main stories on LINE, end to end: the LINE stand-in (sandbox/line_api.py) plays
LINE's two hosts, signs each webhook delivery with the channel's secret and keeps what each
person was shown; the desk is the real Application (bot.app.build_application) with the LINE
front attached (bot.line.attach), and every event reaches it as LINE sends it, a signed body
into `LineFront.handle`. A resident and a clerk on LINE, a technician on Telegram, one ticket;
in Traditional Chinese, Simplified Chinese and English. Then what LINE does to a desk: forged
bodies, events delivered twice, reply tokens that expire, 429s and pushes whose answer never
came."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.line import attach
from handlers.channels.line.api import LineSettings
from handlers.i18n import Tr
from sandbox.line_api import LineApiStandIn
from storage.records import Account
from tests.harness import DeskHarness
from tests.line_people import LinePerson
from workflow import admin, roles

SECRET, TOKEN = "line-test-secret", "line-test-token"
PUBLIC = "https://desk.example.invalid"
LANGUAGES = ("zh_Hant", "zh_Hans", "en")
TELEGRAM_CODE = {"zh_Hant": "zh-TW", "zh_Hans": "zh-CN", "en": "en"}
MAY, CLERK, CLERK_2 = "U" + "a" * 32, "U" + "c" * 32, "U" + "d" * 32


class LineDesk:
    """The desk with LINE beside Telegram: people on LINE talk to it through the stand-in;
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
        code = await admin.invite(self.desk.db, role, name, self.desk.clock())
        await person.send(f"/start {code}")
        await person.tap(tr("I accept"))  # the privacy notice a newcomer is shown first

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


async def telegram_technician(desk: DeskHarness, tr: Tr, language: str):
    tech = desk.person(9002, "Tech", TELEGRAM_CODE[language])
    await desk.hire(tech, roles.TECHNICIAN, "Ah Wai")
    assert tr("Welcome to the team. You are now registered as {role}.",
              role=tr("technician")) in tech.texts()[-1] or tech.texts()
    return tech


async def resident_by_link(desk: DeskHarness, line: LineDesk, tr: Tr, language: str,
                           user_id: str = MAY) -> LinePerson:
    """May is on the roster, shares her phone on Telegram, and links LINE with /link: from
    then on the desk's notices come to LINE."""
    telegram = desk.person(5001, "May", TELEGRAM_CODE[language])
    await telegram.send("/start")
    await telegram.share_contact("+886 912 345 678")
    await telegram.send("/link")
    code = re.findall(r"\b(\d{6})\b", telegram.last_text)[-1]
    may = line.person(user_id, "May", language)
    await may.send(f"/link {code}")
    await may.tap(tr("This account"))
    assert may.last_text == tr("From now on the desk's notices come to this account.")
    return may


async def report_a_leak(may: LinePerson, tr: Tr) -> None:
    await may.send("/repair")
    await may.tap(tr("Plumbing"))
    await may.tap(tr("No, not an emergency"))
    await may.send("Kitchen sink")
    await may.send_voice(b"OggS-voice-note", 23_000)  # the problem told, not typed
    await may.send_photo(b"\xff\xd8leak-photo")
    await may.tap(tr("Done"))
    days = may.labels()
    await may.tap(days[1])  # the day after today
    await may.tap(tr("Afternoon (13-17)"))
    assert "Kitchen sink" in may.last_text
    assert tr("Photos: {count}", count=1) in may.last_text
    await may.tap(tr("Confirm and send"))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_leak_on_line_dispatched_to_telegram_fixed_confirmed_and_rated(desk, line,
                                                                               language):
    tr = words(desk, language)
    clerk = line.person(CLERK, "Clerk", language)
    await line.hire(clerk, tr, roles.CLERK, "Desk clerk")
    tech = await telegram_technician(desk, tr, language)
    may = await resident_by_link(desk, line, tr, language)

    await report_a_leak(may, tr)
    assert tr("Thank you. Your repair is registered as {ref}. We will tell you who will "
              "come and when.", ref="R-2026-00001") in may.last_text
    assert await desk.query("SELECT ref, status FROM tickets") == [("R-2026-00001", "new")]

    # The clerk on LINE: the card, the photo at a signed address, the voice note as a link
    assert any(tr("New repair report") in t for t in clerk.texts())
    await clerk.tap(tr("Assign technician"))
    await clerk.tap("Ah Wai")
    await clerk.tap(clerk.labels()[0])  # the category's default deadline
    assert "R-2026-00001" in clerk.last_text and "Ah Wai" in clerk.last_text
    told = [t for t in may.texts() if "R-2026-00001" in t and "Ah Wai" in t]
    assert told, may.texts()[-3:]
    assert tr("New task for you") in " ".join(tech.texts())

    # The technician on Telegram hears the LINE voice note and sees the LINE photo
    heard = [c for c in tech.calls() if c.method in ("sendVoice", "sendAudio")]
    seen = [c for c in tech.calls() if c.method in ("sendPhoto", "sendMediaGroup")]
    assert heard and seen

    await tech.send("/mytasks")
    await tech.tap(tech.labels()[0])
    await tech.tap(tr("On my way"))
    assert tr("{ref}: the technician is on the way.", ref="R-2026-00001") in may.last_text
    await tech.tap(tr("Arrived"))
    await tech.tap(tr("Complete"))
    await tech.send_photo("fixed-1")
    await tech.tap(tr("Done"))
    await tech.send("Replaced the trap seal.")
    await tech.send("1.5")
    await tech.send("120")
    assert tr("{ref} is complete. The resident has been asked to confirm.",
              ref="R-2026-00001") in tech.last_text

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
