"""No message can jam a chat: one that cannot be rendered, or that Telegram refuses as bad,
is tried a few times, then given up and the desk told once, while the person's later
messages go on; a passing fault is tried again for as long as it lasts."""

import logging

import pytest

from storage import outbox
from tests.conftest import ROSTER
from tests.fake_telegram import AnsweredLate, TelegramError
from tests.harness import DeskHarness
from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff
from workflow import delivery

GIVEN_UP = "could not be sent, even after several tries"


async def poison(desk, person) -> None:
    """A message whose payload lost what its text needs (damaged, or written by a bug)."""
    async with desk.db.transaction() as conn:
        await outbox.add(conn, person.user_id, "join_approved", desk.clock(), payload={})


async def tries_until_given_up(desk, before_each=None) -> None:
    """The retries fall due one after another (10 s, 20 s, 40 s)."""
    for seconds in (11, 21, 41):
        desk.clock.advance(seconds=seconds)
        if before_each:
            before_each()
        await desk.deliver()


async def test_a_message_that_cannot_be_rendered_is_given_up_and_the_next_one_arrives(
        desk, caplog):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await poison(desk, resident)
    await assign_to_tech(clerk)  # the resident is told who comes: behind the poisoned one
    assert any("will take care of your repair" in t for t in resident.texts())
    await tries_until_given_up(desk)
    assert await desk.query("SELECT attempts, failed_at IS NOT NULL, last_error LIKE "
                            "'cannot be rendered%' FROM outbox WHERE kind = 'join_approved'") \
        == [(delivery.REFUSALS, 1, 1)]
    told = [t for t in clerk.texts() if GIVEN_UP in t]
    assert len(told) == 1 and "陳美玲" in told[0] and "join_approved" in told[0] \
        and "+886 912 345 678" in told[0]
    desk.clock.advance(minutes=30)
    await desk.deliver()
    assert sum(GIVEN_UP in t for t in clerk.texts()) == 1  # once, not again
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1 and "join_approved" in tracebacks[0].getMessage()


async def test_a_message_telegram_refuses_as_bad_is_given_up_and_the_next_one_arrives(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    bad = TelegramError(400, "Bad Request: can't parse entities")
    desk.api.fail_next(resident.user_id, bad)
    await assign_to_tech(clerk)
    assert not any("will take care of your repair" in t for t in resident.texts())
    await tech.tap("On my way")  # a later message to the same resident
    assert "R-2026-00001: the technician is on the way." in resident.last_text
    await tries_until_given_up(desk, lambda: desk.api.fail_next(resident.user_id, bad))
    assert await desk.query("SELECT attempts, failed_at IS NOT NULL FROM outbox WHERE "
                            "kind = 'resident_assigned'") == [(delivery.REFUSALS, 1)]
    told = [t for t in clerk.texts() if GIVEN_UP in t]
    assert len(told) == 1 and told[0].startswith("A message for 陳美玲 (R-2026-00001, "
                                                 "resident_assigned)")
    assert not any("will take care of your repair" in t for t in resident.texts())


async def test_a_bad_gateway_is_tried_again_as_long_as_it_lasts(desk):
    """A passing fault costs none of the tries a bad message gets."""
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    desk.api.fail_next(tech.user_id, TelegramError(502, "Bad Gateway"))
    await assign_to_tech(clerk)
    for _ in range(delivery.REFUSALS + 2):
        desk.api.fail_next(tech.user_id, TelegramError(502, "Bad Gateway"))
        desk.clock.advance(hours=1)
        await desk.deliver()
    desk.clock.advance(hours=1)
    await desk.deliver()
    assert sum("New task for you" in t for t in tech.texts()) == 1
    assert not any(GIVEN_UP in t for t in clerk.texts())


async def test_a_card_telegram_refused_late_is_sent_again(desk, caplog):
    """Telegram's answer, an error, came after PTB's usual five seconds: the outbox waits
    long enough to read it, so the card is not taken as delivered."""
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    desk.api.fail_next(tech.user_id, AnsweredLate(after=12,
                                                  error=TelegramError(502, "Bad Gateway")))
    await assign_to_tech(clerk)
    assert not any("New task for you" in t for t in tech.texts())
    desk.clock.advance(seconds=11)
    await desk.deliver()
    assert sum("New task for you" in t for t in tech.texts()) == 1


async def test_a_card_telegram_accepted_late_is_taken_as_delivered(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    desk.api.fail_next(tech.user_id, AnsweredLate(after=12))
    await assign_to_tech(clerk)
    desk.clock.advance(minutes=5)
    await desk.deliver()
    assert sum("New task for you" in t for t in tech.texts()) == 1


@pytest.fixture
async def paced_desk(tmp_path):
    """With production's rate limiter in front of the offline Bot API."""
    harness = DeskHarness(tmp_path / "desk.sqlite3", rate_limited=True)
    await harness.start()
    await harness.import_roster(ROSTER)
    yield harness
    await harness.stop()


async def test_a_reference_telegram_was_too_busy_to_show_arrives_after_the_wait(
        paced_desk, caplog):
    desk = paced_desk
    resident = await resident_of_a12(desk)
    await report_leak(resident, send=False)
    desk.api.fail_next(resident.user_id, TelegramError(429, "Too Many Requests: retry after 3",
                                                       retry_after=3))
    await resident.tap("Confirm and send")
    assert not any("registered as" in t or "could not show you" in t for t in resident.texts())
    desk.clock.advance(seconds=4)
    await desk.deliver()
    assert resident.last_text.startswith("Thank you. Your repair is registered as "
                                         "R-2026-00001.")
    resident.button("My tickets")  # with its menu
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any(r.levelno == logging.WARNING and "Retry in 3 seconds" in r.getMessage()
               for r in caplog.records)


async def test_a_reference_lost_to_a_bad_gateway_is_sent_again(desk):
    resident = await resident_of_a12(desk)
    await report_leak(resident, send=False)
    desk.api.fail_next(resident.user_id, TelegramError(502, "Bad Gateway"))
    await resident.tap("Confirm and send")
    assert resident.last_text.startswith("Thank you. Your repair is registered as "
                                         "R-2026-00001.")
    assert not any("could not show you" in t for t in resident.texts())
    assert sum("registered as" in t for t in resident.texts()) == 1


async def test_a_newcomers_welcome_lost_to_a_bad_gateway_arrives_with_its_contact_button(desk):
    newcomer = desk.person(5003, "Newcomer", "en")
    desk.api.fail_next(newcomer.user_id, TelegramError(502, "Bad Gateway"))
    await newcomer.send("/start")
    assert "Welcome" in newcomer.last_text
    assert newcomer.calls()[-1].params["reply_markup"]["keyboard"][0][0]["request_contact"]
