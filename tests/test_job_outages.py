"""A PostgreSQL outage as the office's log shows it: the scheduled jobs meet it every second,
but the log says it once, naming the job, and once more when the database is back; no
"while handling an update" traceback per run."""

import logging

import psycopg
from telegram.ext import CallbackContext

from bot import app as desk_app
from tests.harness import _JobContext


async def test_an_outage_is_logged_once_naming_the_job_and_again_when_it_is_over(
        desk, monkeypatch, caplog):
    desk_app.schedule(desk.app)
    jobs = {job.name: job for job in desk.app.job_queue.jobs()}
    assert set(jobs) == {"sweep", "outbox", "announcements"}
    context = _JobContext(desk.app)
    real_forget = desk_app.forget_old  # the sweep's first step that is not an area's timer

    async def unreachable(*args, **kwargs):
        raise psycopg.OperationalError("connection failed: Connection refused")

    monkeypatch.setattr(desk_app, "forget_old", unreachable)
    caplog.set_level(logging.INFO)
    for _ in range(5):  # five runs during the outage
        await jobs["sweep"].callback(context)
        await jobs["outbox"].callback(context)
    said = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 1, [r.getMessage() for r in said]
    assert "scheduled job sweep" in said[0].getMessage()
    assert "cannot be reached" in said[0].getMessage() and said[0].exc_info is None
    assert desk.errors == []  # nothing reached the error handler as an update's fault

    monkeypatch.setattr(desk_app, "forget_old", real_forget)
    desk.clock.advance(minutes=3)
    await jobs["sweep"].callback(context)
    await jobs["sweep"].callback(context)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 2 and "answers again" in said[1]
    assert "2026-11-26T02:00:00" in said[1]  # since when it could not be reached
    desk.app.job_queue.scheduler.remove_all_jobs()


async def test_other_background_faults_name_what_failed_not_an_update(desk, caplog):
    desk_app.schedule(desk.app)
    sweep_job = next(job for job in desk.app.job_queue.jobs() if job.name == "sweep")
    caplog.set_level(logging.INFO)
    broken = CallbackContext.from_error(None, ValueError("a bug"), desk.app, job=sweep_job)
    await desk_app._on_error(None, broken)
    down = CallbackContext.from_error(None, psycopg.OperationalError("connection refused"),
                                      desk.app)
    await desk_app._on_error(None, down)  # the outbox kicked after a commit
    said = [(r.levelno, r.getMessage(), r.exc_info is not None) for r in caplog.records
            if r.name == "bot.app"]
    assert said[0] == (logging.ERROR, "in the scheduled job sweep", True)
    assert said[1][0] == logging.WARNING and not said[1][2]
    assert "outbox" in said[1][1] and "cannot be reached" in said[1][1]
    assert not any("while handling an update" in text for _, text, _ in said)
    desk.app.job_queue.scheduler.remove_all_jobs()
