"""Builds the python-telegram-bot Application, the same way for production and tests."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache

import httpx
from telegram import Update
from telegram.error import NetworkError, RetryAfter
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest, HTTPXRequest

from bot.outages import JobOutages
from handlers import notices, router
from handlers.channels.telegram import broadcast, cleaning, faults, menus, replays, routes
from handlers.channels.telegram.channel import TelegramChannel
from handlers.channels.telegram.context import CONTEXT_TYPES, TelegramContext
from handlers.channels.telegram.pacing import DeskRateLimiter
from handlers.channels.telegram.turns import turn_of
from handlers.common import Desk, asker
from handlers.community.door import DOOR as COMMUNITY
from handlers.complaints.door import DOOR as COMPLAINTS
from handlers.fees.door import DOOR as FEES
from handlers.i18n import Tr
from handlers.office.door import DOOR as OFFICE
from handlers.onboarding.door import DOOR as ONBOARDING
from handlers.privacy.door import DOOR as PRIVACY
from handlers.registers.door import DOOR as REGISTERS
from handlers.repairs.door import DOOR as REPAIRS
from handlers.routes import Door
from handlers.sales.door import DOOR as SALES
from handlers.surveys.door import DOOR as SURVEYS
from handlers.tickets.door import DOOR as TICKETS
from storage.backend import unreachable
from storage.db import Database
from workflow import admin, alerts, views
from workflow.replays import flush as flush_marks
from workflow.replays import forget_old
from workflow.settings import DEFAULT_LANGUAGE, EstateSettings

log = logging.getLogger(__name__)
# Set by a webhook worker (bot/serve.py) around each update: when the database cannot be
# reached the failure is put here and the worker answers 503, so Telegram delivers the update
# again once it is back, instead of the person being told to try again.
redeliverable: ContextVar[list[BaseException] | None] = ContextVar("redeliverable",
                                                                   default=None)

# The areas' front doors, in the order their routes are tried (no two take the same button,
# command or flow: tests/test_doors.py); the router is the last door, after them all.
DOORS: tuple[Door, ...] = (
    ONBOARDING,
    REPAIRS,
    COMPLAINTS,
    TICKETS,
    OFFICE,
    REGISTERS,
    SURVEYS,
    COMMUNITY,
    FEES,
    SALES,
    PRIVACY,
)

OUTBOX_SECONDS = 5  # the fallback: a message committed is kicked, or woken (PostgreSQL)


def utc_now() -> datetime:
    return datetime.now(UTC)


@cache
def _tls() -> ssl.SSLContext:
    """The process's one TLS context for the Bot API: its CA bundle is ~0.8 MiB loaded, and
    PTB's default loads one per request object (two per estate, in a worker of many)."""
    return httpx.create_ssl_context()


def build_application(settings: EstateSettings, db: Database, *, token: str, api_url: str,
                      clock: Callable[[], datetime] = utc_now,
                      request: BaseRequest | None = None,
                      rate_limited: bool = True) -> Application:
    desk = Desk(db, settings, clock)
    # The languages the commands' defaults are set in at start-up (_post_init), their catalogs
    # parsed first: the memory the parse frees is then taken by PTB's requests below instead
    # of staying holes in an idle desk (1.4 MiB).
    for language in (DEFAULT_LANGUAGE, "en"):
        desk.tr(language)
    builder = (ApplicationBuilder().token(token)
               .base_url(f"{api_url}/bot").base_file_url(f"{api_url}/file/bot")
               .context_types(CONTEXT_TYPES)
               .post_init(_post_init).post_shutdown(_post_shutdown))
    if rate_limited:
        # Telegram's limits; "retry after" answers come back to the outbox, which waits.
        # (PTB types the builder by its limiter; the untyped one it starts with cannot say so)
        builder = builder.rate_limiter(DeskRateLimiter())  # type: ignore[arg-type]
    polling: BaseRequest
    if request is None:  # PTB's own requests and pool sizes, sharing one TLS context
        request = HTTPXRequest(connection_pool_size=256, httpx_kwargs={"verify": _tls()})
        polling = HTTPXRequest(connection_pool_size=1, httpx_kwargs={"verify": _tls()})
    else:
        polling = request
    app = builder.request(request).get_updates_request(polling).build()
    app.bot_data.desk = desk
    app.bot_data.channel = TelegramChannel(app.bot, db=db)
    app.bot_data.deliver = notices.deliver_due
    app.bot_data.outboxes = {TelegramChannel.name: TelegramChannel.for_outbox(app.bot, db)}
    app.bot_data.application = app
    cleaning.register(app)
    replays.register(app)
    routes.install(app, (r for door in (*DOORS, router.door(DOORS)) for r in door.routes))
    app.add_error_handler(_on_error)
    return app


def schedule(app: Application) -> None:
    """What is due lives in SQLite; the JobQueue only wakes the sweep that asks for it."""
    d: Desk = app.bot_data.desk
    assert app.job_queue is not None  # python-telegram-bot[job-queue] is a dependency
    watch = JobOutages(d.now).watched  # an outage logged once, not at every run
    app.job_queue.run_repeating(watch("sweep", sweep), interval=d.settings.sweep_seconds,
                                first=1, name="sweep")
    app.job_queue.run_repeating(watch("outbox", _deliver), interval=OUTBOX_SECONDS, first=1,
                                name="outbox")
    app.job_queue.run_repeating(watch("announcements", broadcast.pump_job),
                                interval=1, first=2, name="announcements")


async def sweep(context: TelegramContext) -> None:
    d: Desk = context.application.bot_data.desk
    fired = 0
    for door in DOORS:
        for timer in door.timers:
            fired += await timer(d.db, d.settings, d.now())
    await forget_old(d.db, d.now())
    await views.forget_expired_drafts(d.db, d.now())
    await d.db.checkpoint()
    if fired:
        log.info("sweep: %d timers fired", fired)
    await notices.deliver_due(context.application)


async def _deliver(context: TelegramContext) -> None:
    await notices.deliver_due(context.application)


async def _post_init(app: Application) -> None:
    d: Desk = app.bot_data.desk
    await d.db.open()
    await admin.remember_bot_username(d.db, app.bot.username)
    await menus.set_defaults(app.bot, _Languages(d))
    await alerts.schedule_digest(d.db, d.settings, d.now())
    schedule(app)
    log.info("estatedesk is running as @%s", app.bot.username)


class _Languages(dict[str, Tr]):
    """Each language's Tr as it is first asked for: the commands' defaults need two of the
    three (build_application loads them), and a catalog not loaded at start-up is ~0.7 MiB
    of an idle desk's memory."""

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk

    def __missing__(self, language: str) -> Tr:
        return self.desk.tr(language)


async def _post_shutdown(app: Application) -> None:
    db = app.bot_data.desk.db
    await flush_marks(db)  # the replay marks still waiting (workflow/replays.py)
    await db.close()


async def _on_error(update: object, context: TelegramContext) -> None:
    error = context.error
    replays.failed()
    failures = redeliverable.get()
    if failures is not None and isinstance(error, unreachable()):
        failures.append(error)
        return
    if isinstance(error, RetryAfter):  # Telegram's flood control: a wait, not a fault
        log.warning("Telegram asked to wait %s s before answering an update",
                    faults.retry_after(error).total_seconds())
    elif isinstance(error, NetworkError):
        log.warning("could not answer an update: %s", error)
    elif update is None and context.job is not None:
        log.error("in the scheduled job %s", context.job.name, exc_info=error)
    elif update is None and isinstance(error, unreachable()):
        # the outbox kicked after a commit (handlers.common.kick): the job sends it later
        log.warning("delivering the outbox: the database cannot be reached (%s)", error)
    elif update is None:
        log.error("in a background task", exc_info=error)
    else:
        log.error("while handling an update", exc_info=error)
    turn = turn_of(update, context.bot_data.channel) if isinstance(update, Update) else None
    if turn is None or not turn.private:
        return
    try:
        who = await asker(turn, context.desk)
        if getattr(error, "saved", False):
            text = who.tr("Sorry, I could not show you the answer, but what you did was "
                          "saved. The ticket's card (or /mytickets) shows where it stands.")
        else:
            text = who.tr("Sorry, something went wrong on our side. Nothing was changed; "
                          "please try again.")
        await turn.channel.send(turn.address, text)
        if turn.tapped:
            await turn.channel.done(turn)
    except Exception as exc:  # the error answer itself is best effort
        log.warning("could not tell the user about the error: %s", exc)
