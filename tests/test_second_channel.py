"""The same desk on a second chat app. The in-memory app (tests/memory_channel.py) is as
plain as chat apps get: a message cannot be changed once sent, at most 13 choices show under
one, a tap gets no alert. The main stories run on it through the very routes and flows
Telegram's users reach (handlers/channels/dispatch.py hands its turns to them): nothing in
workflow/ or in the area flows knows which app a person uses."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.app import DOORS
from handlers import router
from handlers.channels.content import choices, pages
from handlers.channels.dispatch import Dispatcher
from storage.records import Account
from tests.memory_channel import MEMORY, MemoryChannel, MemoryPerson
from workflow import admin, roles


class MemoryApp:
    """The desk's people on the in-memory app; what the desk owes them is delivered after
    each thing they do, as the harness does for Telegram."""

    def __init__(self, desk) -> None:
        self.desk = desk
        self.channel = MemoryChannel()
        desk.app.bot_data.outboxes = {**desk.app.bot_data.outboxes, MEMORY: self.channel}
        every = (*DOORS, router.door(DOORS))
        self.dispatcher = Dispatcher(desk.app.bot_data.desk, self.channel,
                                     (r for door in every for r in door.routes),
                                     deliver_soon=lambda: None)

    async def _handle(self, turn) -> None:
        await self.dispatcher.handle(turn)
        await self.desk.deliver()

    def person(self, external_id: str, first_name: str, language: str = "en") -> MemoryPerson:
        return MemoryPerson(self.channel, self._handle, external_id, first_name, language)

    async def hire(self, person: MemoryPerson, role: str, name: str) -> None:
        code = await admin.invite(self.desk.db, role, name, self.desk.clock())
        await person.send(f"/start {code}")
        await person.tap("I accept")  # the privacy notice a newcomer is shown first


@pytest.fixture
def app(desk) -> MemoryApp:
    return MemoryApp(desk)


async def staff_and_may(app: MemoryApp):
    clerk, tech = app.person("m-clerk", "Clerk"), app.person("m-tech", "Tech")
    await app.hire(clerk, roles.CLERK, "Desk clerk")
    await app.hire(tech, roles.TECHNICIAN, "Ah Wai")
    assert "registered as technician" in tech.last_text
    may = app.person("m-may", "May")
    await may.send("/start")
    assert "share your phone number" in may.last_text
    assert may.shown[-1].asking is not None  # the app's own contact button
    await may.share_contact("+886 912 345 678")
    assert any("linked to unit A 12F-3" in t for t in may.texts())
    return clerk, tech, may


async def report_a_leak(may: MemoryPerson) -> None:
    await may.tap("Report a repair")
    await may.tap("Plumbing")
    await may.tap("No, not an emergency")
    await may.send("Kitchen sink")
    await may.send("Water drips from the pipe under the sink all day.")
    await may.send_photo("leak-1")
    await may.send_photo("leak-2")
    await may.tap("Done")
    days = may.labels()
    await may.tap(days[1])  # the day after today
    await may.tap("Afternoon (13-17)")
    assert "Kitchen sink" in may.last_text and "Photos: 2" in may.last_text
    await may.tap("Confirm and send")


async def test_a_leak_reported_dispatched_fixed_confirmed_and_rated_on_the_second_app(desk, app):
    clerk, tech, may = await staff_and_may(app)
    await report_a_leak(may)
    assert "registered as R-2026-00001" in may.last_text
    assert await desk.query("SELECT ref, status, resident_id FROM tickets") == [
        ("R-2026-00001", "new", await person_of(desk, "m-may"))]

    # The clerk's card, with the report's photos, on the same app
    assert any("New repair report" in t and "Water drips" in t for t in clerk.texts())
    assert any(s.photos == ("leak-1", "leak-2") for s in clerk.shown)
    await clerk.tap("Assign technician")
    await clerk.tap("Ah Wai")
    await clerk.tap(clerk.labels()[0])  # the category's default deadline
    assert "R-2026-00001 assigned to Ah Wai" in clerk.last_text
    assert "Ah Wai will take care of your repair" in may.last_text
    assert "New task for you" in tech.last_text

    await tech.send("/mytasks")
    await tech.tap(tech.labels()[0])
    await tech.tap("On my way")
    assert "the technician is on the way" in may.last_text
    await tech.tap("Arrived")
    await tech.tap("Complete")
    await tech.send_photo("fixed-1")
    await tech.tap("Done")
    await tech.send("Replaced the trap seal.")
    await tech.send("1.5")
    await tech.send("120")
    assert "R-2026-00001 is complete" in tech.last_text

    assert "Is it fixed?" in may.last_text
    await may.tap("Confirm, it is fixed")
    assert "R-2026-00001 is closed" in may.last_text
    assert await desk.query("SELECT status, labour_hours, materials_cost FROM tickets") == [
        ("closed", 150, 12000)]

    await desk.run_until(desk.clock.now + timedelta(days=1))  # the callback's survey
    assert any("How did we do?" in t for t in may.texts())
    await may.tap("5★")
    await may.tap("Quick")  # no edits on this app: the chips come again, ticked
    assert "✓ Quick" in may.labels()
    await may.tap("Next")
    await may.send("Very friendly technician.")
    assert may.last_text == "Thank you for your feedback."
    assert await desk.query("SELECT rating, reasons, comment FROM surveys") == [
        (5, '["quick"]', "Very friendly technician.")]
    every = [s for p in (clerk, tech, may) for s in p.shown if s.choices]
    assert every and all(len(s.choices) <= 13 for s in every)


async def test_an_old_card_keeps_its_buttons_and_a_second_tap_changes_nothing(desk, app):
    """The app cannot take a tapped card's buttons away: the same tap again, or a second
    clerk's on the same card, is told what happened instead."""
    clerk, tech, may = await staff_and_may(app)
    second = app.person("m-clerk-2", "Second clerk")
    await app.hire(second, roles.CLERK, "Second clerk")
    await report_a_leak(may)
    await clerk.tap("Assign technician")
    await clerk.tap("Ah Wai")
    await clerk.tap(clerk.labels()[0])
    assigned = await desk.query("SELECT status, technician_id, version FROM tickets")

    await second.tap("Assign technician")  # the card second had, still with its buttons
    assert "Already assigned to Ah Wai by Desk clerk" in " ".join(second.texts()[-2:])
    assert "Reassign: technician" in second.labels()  # the card as it is now
    await clerk.again()  # the app delivers the clerk's last tap again
    assert await desk.query("SELECT status, technician_id, version FROM tickets") == assigned
    assert await desk.query("SELECT count(*) FROM ticket_events WHERE action = 'assigned'") \
        == [(1,)]


async def test_a_complaint_on_the_second_app_reaches_the_desk(desk, app):
    clerk, _, may = await staff_and_may(app)
    await may.tap("Make a complaint")
    await may.tap("Security")
    await may.send("The night guard was asleep at the gate again.")
    await may.tap("Skip")
    await may.tap("Yes, please call me")
    await may.tap("Confirm and send")
    assert "registered as C-2026-00001" in may.last_text
    await may.again()  # delivered twice: one complaint
    assert await desk.query("SELECT count(*) FROM tickets WHERE kind = 'C'") == [(1,)]
    assert any("New complaint" in t and "asleep at the gate" in t for t in clerk.texts())
    await clerk.tap("Acknowledge")
    assert "the desk has received your complaint and is looking into it" in may.last_text


async def test_a_telegram_resident_links_the_second_app_and_hears_her_notices_there(desk,
                                                                                     app):
    clerk, tech = desk.person(9001, "Clerk", "en"), desk.person(9002, "Tech", "en")
    await desk.hire(clerk, roles.CLERK, "Desk clerk")
    await desk.hire(tech, roles.TECHNICIAN, "Ah Wai")
    may = desk.person(5001, "May", "en")  # on Telegram
    await may.send("/start")
    await may.share_contact("+886 912 345 678")
    await may.send("/link")
    code = re.findall(r"link code: (\d{6})", " ".join(may.texts()))[-1]

    phone = app.person("m-may", "May")  # the same May, on the second app
    await phone.send(f"/link {code}")
    await phone.tap("This account")
    assert phone.last_text == "From now on the desk's notices come to this account."
    await phone.send("/repair")  # either account acts as May
    assert "What kind of problem" in phone.last_text or phone.labels()
    await phone.send("/cancel")

    await may.send("/repair")
    await may.tap("Plumbing")
    await may.tap("No, not an emergency")
    await may.send("Kitchen sink")
    await may.send("Water drips.")
    await may.tap("Done")
    await may.tap(may.labels()[1])
    await may.tap("Afternoon (13-17)")
    await may.tap("Confirm and send")
    assert "registered as R-2026-00001" in may.last_text  # a reply: where she asked
    telegram_before = len(may.texts())
    await clerk.tap("Assign technician")
    await clerk.tap("Ah Wai")
    await clerk.tap(clerk.labels()[0])
    assert "Ah Wai will take care of your repair" in phone.last_text  # the chosen app
    assert len(may.texts()) == telegram_before  # and only there


async def person_of(desk, external_id: str) -> int:
    rows = await desk.query("SELECT person_id FROM channel_accounts WHERE channel = ? AND "
                            "external_id = ?", MEMORY, external_id)
    return rows[0][0]


def test_more_choices_than_an_app_shows_go_in_groups_in_their_order():
    rows = [[(f"{n}", f"t:{n}")] for n in range(20)] + [[("a", "x:a"), ("b", "x:b")]]
    groups = pages(choices(rows), 13)
    assert [len(g) for g in groups] == [13, 9]
    assert [t for g in groups for t in g.tokens()] == [t for r in rows for _, t in r]
    wide = choices([[(f"{n}", f"w:{n}") for n in range(30)]])
    assert [len(g) for g in pages(wide, 13)] == [13, 13, 4]


def test_an_account_is_the_apps_name_and_its_id():
    assert Account(MEMORY, "m-may") != Account("telegram", "m-may")
