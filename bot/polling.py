"""Long polling that loses no one's message in a crash: a batch fetched from Telegram is
handled before the next fetch, which is what confirms it to Telegram. After a kill -9 the
unconfirmed batch comes again; updates already handled are dropped by the replay guard
(handlers/channels/telegram/replays.py), the rest are handled now.

PTB's own run_polling confirms a batch as soon as it is queued, before it is handled, so a
crash loses whatever was still waiting in the queue."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application

from handlers.channels.telegram import faults

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
LONG_POLL_SECONDS = 10
MAX_PAUSE = 30.0


def run(app: Application, beside: Any = None) -> None:
    """Runs until SIGINT or SIGTERM, then stops cleanly. `beside`: a web server run in the
    same loop while the desk runs (LINE's webhook: bot/serve.py `listener`)."""
    asyncio.run(_serve(app, beside))


async def _serve(app: Application, beside: Any = None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        serving = asyncio.ensure_future(beside.serve()) if beside is not None else None
        try:
            await poll(app, stop)
        finally:
            if serving is not None:  # its requests in flight finish first
                beside.should_exit = True
                await serving
            await app.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


async def poll(app: Application, stop: asyncio.Event) -> None:
    offset: int | None = None
    pause = 1.0
    while not stop.is_set():
        fetch = asyncio.ensure_future(app.bot.get_updates(
            offset=offset, timeout=LONG_POLL_SECONDS, allowed_updates=ALLOWED_UPDATES))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not fetch.done():  # stopping: what was not fetched stays with Telegram
            fetch.cancel()
            break
        try:
            updates = fetch.result()
        except InvalidToken:
            raise
        except RetryAfter as exc:
            await _sleep(stop, faults.retry_after(exc).total_seconds())
            continue
        except NetworkError as exc:
            log.warning("could not fetch updates (%s); trying again in %.0f s", exc, pause)
            await _sleep(stop, pause)
            pause = min(pause * 2, MAX_PAUSE)
            continue
        pause = 1.0
        if updates:
            await handle_batch(app, updates)
            offset = updates[-1].update_id + 1  # the next fetch confirms this batch
    if offset is not None:  # confirm the last batch handled, so it is not fetched again
        try:
            await app.bot.get_updates(offset=offset, timeout=0,
                                      allowed_updates=ALLOWED_UPDATES)
        except NetworkError:
            pass  # it comes again at the next start and the replay guard drops it


async def handle_batch(app: Application, updates: tuple[Update, ...]) -> None:
    """Each chat's updates in order, the chats side by side."""
    chats: dict[int, list[Update]] = {}
    for update in updates:
        key = update.effective_chat.id if update.effective_chat else update.update_id
        chats.setdefault(key, []).append(update)

    async def one_chat(batch: list[Update]) -> None:
        for update in batch:
            await app.process_update(update)

    await asyncio.gather(*(one_chat(b) for b in chats.values()), return_exceptions=True)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
