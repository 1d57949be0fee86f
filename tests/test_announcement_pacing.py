"""An announcement at Telegram's pace, behind the production rate limiter: a resident the
desk has just answered gets it a second later (Telegram refuses a second message to one
chat within a second), and the broadcast only takes what the desk's answers leave of the
second's 30 messages."""

import pytest

from handlers.channels.telegram import pacing
from tests.conftest import ROSTER
from tests.harness import DeskHarness
from tests.stories import staff
from tests.test_announcements import pump, residents, told


@pytest.fixture
async def paced_desk(tmp_path):
    harness = DeskHarness(tmp_path / "desk.sqlite3", rate_limited=True)
    await harness.start()
    await harness.import_roster(ROSTER)
    yield harness
    await harness.stop()


def frozen(desk) -> list[float]:
    """The limiter's clock, moved by hand: [seconds]."""
    now = [1000.0]
    limiter = desk.app.bot.rate_limiter
    assert isinstance(limiter, pacing.DeskRateLimiter)
    limiter.clock = lambda: now[0]
    return now


async def announce_to_everyone(clerk, text: str) -> None:
    await clerk.send("/announce")
    await clerk.send(text)
    await clerk.tap("Everyone")
    await clerk.tap("Send now")


async def test_a_resident_just_answered_is_told_a_second_later(paced_desk):
    desk = paced_desk
    now = frozen(desk)
    clerk, _, _ = await staff(desk)
    may, two, three, b_resident = await residents(desk)
    now[0] += 1.1  # their welcome is a second old
    await two.send("/mytickets")  # the desk answers them in this second
    await announce_to_everyone(clerk, "The lifts are serviced on Friday morning.")
    await pump(desk, rounds=1)
    for person in (may, three, b_resident):
        assert told(person) == ["Announcement from estatedesk\n\nThe lifts are serviced on "
                                "Friday morning."]
    assert told(two) == []
    assert not clerk.last_text.startswith("Announcement 1 is sent")
    now[0] += 1.1
    await pump(desk, rounds=1)
    assert told(two) == ["Announcement from estatedesk\n\nThe lifts are serviced on Friday "
                         "morning."]
    assert clerk.last_text.startswith("Announcement 1 is sent: 4 delivered")


async def test_a_busy_second_belongs_to_the_answers(paced_desk):
    desk = paced_desk
    now = frozen(desk)
    clerk, _, _ = await staff(desk)
    people = await residents(desk)
    now[0] += 1.1
    await announce_to_everyone(clerk, "Fire drill on Sunday at 10:00.")
    callers = [desk.person(7000 + n, f"Caller {n}", "en") for n in range(pacing.OVERALL)]
    for caller in callers:  # a rush of people writing to the desk in the same second
        await caller.send("/help")
    await pump(desk, rounds=1)
    assert [told(person) for person in people] == [[], [], [], []]
    now[0] += 1.1
    await pump(desk, rounds=1)
    assert [len(told(person)) for person in people] == [1, 1, 1, 1]
