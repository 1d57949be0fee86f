"""Delivering the outbox: each stored message is rendered in its recipient's language at
the time of sending (handlers/renderers.py), sent, then marked sent. Passing faults are
retried with back-off for as long as they last; a message that fails to render or that
Telegram refuses as bad is tried a few times, then given up and the desk told, and never
holds up the person's later messages; a person who blocked the bot is not retried, and
whoever can phone them is told. Recipients are served side by side, so one slow or failing
chat never holds up the others; a message's photos are remembered once sent, so a retry of
its text does not send them twice."""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import cast

import httpx
from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut

from handlers import job_notices  # noqa: F401  (the newer notices register themselves)
from handlers.common import Desk, retry_after
from handlers.renderers import Notice, UnknownNotice, render, send_reply, unreachable_error
from handlers.sales import notices as sales_notices  # noqa: F401  (the same)
from storage.records import OutboxMessage
from workflow import delivery, views

log = logging.getLogger(__name__)
MAX_ROUNDS = 5
# Seconds the outbox waits for Telegram's answer to a send (PTB's default is 5): an answer
# that comes late but within this is read, so a late error is retried rather than taken as
# delivered; only no answer at all is "unknown", and counted as delivered.
PATIENCE = 30.0


async def deliver_due(application) -> int:
    """Sends what is due, one sender at a time, until nothing more is (a message rerouted
    from someone who blocked the bot goes out in the same round). Returns how many."""
    d: Desk = application.bot_data.desk
    lock = application.bot_data.outbox_lock
    count = 0
    async with lock:
        for _ in range(MAX_ROUNDS):
            batch = await delivery.due(d.db, d.now())
            if not batch:
                break
            chats: dict[int, list[OutboxMessage]] = {}
            for message in batch:
                chats.setdefault(message.recipient_id, []).append(message)
            sent = await asyncio.gather(*(_deliver_chat(application.bot, d, messages)
                                          for messages in chats.values()))
            count += sum(sent)
            if sum(sent) < len(batch):  # a chat stopped at a failure: its rest wait, free
                await delivery.release(d.db)
    return count


async def _deliver_chat(bot: Bot, d: Desk, messages: list[OutboxMessage]) -> int:
    """One recipient's messages in order; after a failure the rest wait for the next round."""
    count = 0
    for message in messages:
        done = await _deliver_one(bot, d, message)
        if not done:
            break
        count += 1
    return count


async def _deliver_one(bot: Bot, d: Desk, message: OutboxMessage) -> bool:
    """Sends one message and records the outcome; False when the rest of its chat waits (a
    passing fault: the network, Telegram busy or asking to wait)."""
    if not await delivery.still_mine(d.db, message, d.now()):
        return False  # another worker took it over while this one stalled
    try:
        await _send(bot, d, message)
    except Forbidden as exc:
        await delivery.unreachable(d.db, message, d.now(), f"unreachable: {exc}")
    except WithoutTelegram:  # the desk phones them instead
        await delivery.unreachable(d.db, message, d.now(), "does not use Telegram",
                                   d.settings)
        return True
    except UnknownNotice as exc:  # no try can render it
        log.error("outbox %s (%s) cannot be rendered: %s", message.id, message.kind, exc)
        await delivery.given_up(d.db, message, d.now(), f"cannot be rendered: {exc}")
        return True
    except RetryAfter as exc:  # flood control: a wait, not a fault
        log.warning("outbox %s (%s): Telegram asks to wait %s s", message.id, message.kind,
                    retry_after(exc).total_seconds())
        await delivery.retry(d.db, message, d.now(), str(exc), retry_after(exc))
    except BadRequest as exc:
        if unreachable_error(exc):
            await delivery.unreachable(d.db, message, d.now(), f"unreachable: {exc}")
            return True  # settled: the others of this chat are tried, and fail alike
        await _refused(d, message, f"refused by Telegram: {exc}")
        return True
    except TimedOut as exc:
        if isinstance(exc.__cause__, httpx.ReadTimeout):
            # No answer even after PATIENCE: whether it arrived is unknown, and sending it
            # again would show the person the same card twice. (A late answer within
            # PATIENCE was read: an error in it is retried like any other.)
            log.warning("outbox %s (%s): no answer from Telegram in %s s; taken as delivered",
                        message.id, message.kind, PATIENCE)
            await delivery.sent(d.db, message, d.now())
            return True
        await delivery.retry(d.db, message, d.now(), str(exc) or "timed out")
    except TelegramError as exc:  # 5xx, a cut connection (NetworkError), a conflict
        log.warning("outbox %s (%s): %s; tried again later", message.id, message.kind, exc)
        await delivery.retry(d.db, message, d.now(), str(exc))
    except delivery.database_down():
        raise  # not the message's fault: the next round tries it again
    except Exception as exc:  # it fails to render (a bug, damaged data): never jams the chat
        await _refused(d, message, f"cannot be rendered: {exc!r}", exc)
        return True
    else:
        await delivery.sent(d.db, message, d.now())
        return True
    return False


async def _refused(d: Desk, message: OutboxMessage, error: str,
                   exc: BaseException | None = None) -> None:
    """A bad message: tried again a few times, then given up and the desk told. Its
    traceback is logged once, on the first try, not on every try."""
    tries = message.refusals + 1
    if tries == 1:
        log.error("outbox %s (%s) for %s: %s", message.id, message.kind, message.recipient_id,
                  error, exc_info=exc)
    if await delivery.refused(d.db, message, d.now(), error):
        log.error("outbox %s (%s) for %s given up after %d tries; the desk is told",
                  message.id, message.kind, message.recipient_id, tries)
    elif tries > 1:
        log.warning("outbox %s (%s) failed again (try %d of %d): %s", message.id,
                    message.kind, tries, delivery.REFUSALS, error)


class WithoutTelegram(Exception):
    """The recipient is a resident on the roster who does not use the bot."""


async def _send(bot: Bot, d: Desk, message: OutboxMessage) -> None:
    if message.kind == delivery.REPLY:
        await send_reply(cast(Bot, _Patient(bot)), message)
        return
    recipient = await views.person(d.db, message.recipient_id)
    if recipient is None:
        raise UnknownNotice(f"recipient {message.recipient_id} unknown")
    if recipient.user_id < 0:
        raise WithoutTelegram()
    file = None
    if message.ticket_id is not None:
        file = await views.ticket_file(d.db, message.ticket_id, None)
    await render(Notice(cast(Bot, _Patient(bot)), d, d.tr(recipient.language), message,
                        recipient, file))


class _Patient:
    """The bot, its sends waiting PATIENCE seconds for Telegram's answer."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    def __getattr__(self, name: str):
        found = getattr(self._bot, name)
        if name.startswith("send") and callable(found):
            return functools.partial(found, read_timeout=PATIENCE)
        return found
