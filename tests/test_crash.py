"""A crash between committing an alert and sending it: the real process is killed with
SIGKILL while the alert is on its way; after a restart it arrives exactly once. On either
backend (on PostgreSQL the new process takes the dead one's claim when its lease runs out)."""

import signal
import time
from datetime import UTC, datetime, timedelta

from sandbox.bot_api import BotApiStandIn
from tests import backends
from tests.harness import DeskHarness, FakeClock
from tests.stories import report_leak, resident_of_a12, staff
from tests.test_end_to_end import start_bot

ALERT = "was not assigned by"
CLAIM = 60 if backends.POSTGRES else 30  # seconds: a dead process's claim runs out first


async def yesterday_s_report(path) -> str | None:
    """A leak reported two days ago that nobody assigned: its alert is due now."""
    desk = DeskHarness(path, clock=FakeClock(datetime.now(UTC) - timedelta(days=2)))
    await desk.start()
    await desk.import_roster("building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n")
    await staff(desk)
    await report_leak(await resident_of_a12(desk))
    await desk.stop()
    return desk.schema


def delivered(api: BotApiStandIn, chat_id: int) -> list[str]:
    return [p["text"] for m, p in api.calls
            if m == "sendMessage" and p.get("chat_id") == chat_id and ALERT in p["text"]]


async def test_an_alert_committed_before_a_crash_arrives_once_after_restart(tmp_path):
    path = tmp_path / "desk.sqlite3"
    schema = await yesterday_s_report(path)
    db, env = backends.for_process(path, schema)
    supervisor = 9003
    with BotApiStandIn() as api:
        api.held.add(supervisor)
        bot = start_bot(api, db, extra_env=env)
        try:
            assert api.wait_for_hanging(), "the alert was never sent"
            bot.send_signal(signal.SIGKILL)
            bot.wait(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()
        rows = backends.stored(path, schema, "SELECT sent_at FROM outbox WHERE recipient_id = ? "
                               "AND kind = 'overdue_alert'", supervisor)
        assert rows == [(None,)], "the alert is committed, and not marked sent"
        assert delivered(api, supervisor) == []

        api.release()
        bot = start_bot(api, db, extra_env=env)
        try:
            assert api.wait_for(lambda calls: delivered(api, supervisor), CLAIM), \
                "not sent after restart"
            time.sleep(2)  # a few more rounds of the outbox and the sweep
            bot.send_signal(signal.SIGTERM)
            output, _ = bot.communicate(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()
    assert bot.returncode == 0, output
    assert len(delivered(api, supervisor)) == 1
    assert backends.stored(path, schema, "SELECT count(*) FROM timers WHERE kind = "
                           "'assign_late' AND fired_at IS NOT NULL") == [(1,)]
    assert backends.stored(path, schema, "SELECT count(*) FROM outbox WHERE recipient_id = ? "
                           "AND kind = 'overdue_alert'", supervisor) == [(1,)]


def joining_update(user_id: int) -> dict:
    """A newcomer shares their number (a change: a /start alone keeps nothing, and is
    answered again after a crash, harmlessly)."""
    return {"message": {
        "message_id": user_id, "date": int(time.time()),
        "contact": {"phone_number": f"+886 955 {user_id:06d}", "first_name": "R",
                    "user_id": user_id},
        "chat": {"id": user_id, "type": "private", "first_name": "R"},
        "from": {"id": user_id, "is_bot": False, "first_name": "R", "language_code": "en"}}}


def welcomes(api: BotApiStandIn, chat_id: int) -> int:
    """The answers to a newcomer's number (not on the roster: a clerk will check)."""
    return sum(1 for m, p in api.calls if m == "sendMessage" and p.get("chat_id") == chat_id
               and p["text"].startswith("Your number is not on the owner roster"))


def test_a_kill_during_a_batch_loses_no_ones_message(tmp_path):
    db, env = backends.for_process(tmp_path / "desk.sqlite3")
    stuck, others = 4242, list(range(4300, 4310))
    with BotApiStandIn() as api:
        api.held.add(stuck)  # the answer to this one hangs when the process is killed
        bot = start_bot(api, db, extra_env=env)
        try:
            assert api.wait_for(lambda calls: any(m == "getUpdates" for m, _ in calls))
            api.push(*[joining_update(u) for u in [stuck, *others]])
            assert api.wait_for_hanging(), "the batch was never handled"
            assert api.wait_for(lambda calls: all(welcomes(api, u) for u in others))
            time.sleep(0.5)
            bot.send_signal(signal.SIGKILL)
            bot.wait(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()
        api.release()
        bot = start_bot(api, db, extra_env=env)
        try:
            assert api.wait_for(lambda calls: welcomes(api, stuck)), \
                "the message cut off by the crash was lost"
            time.sleep(1)
            bot.send_signal(signal.SIGTERM)
            output, _ = bot.communicate(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()
    assert bot.returncode == 0, output
    assert all(welcomes(api, u) == 1 for u in others), "an update was handled twice"
    assert welcomes(api, stuck) == 1
