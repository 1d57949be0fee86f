"""Exactly once: an update already handled is dropped before every other handler, and an
update is marked handled after them. A crash in between leaves it unmarked, so Telegram's
redelivery (bot/polling.py confirms a batch only once it is handled) handles it again rather
than losing it. The guard's look reads the sender too, once for the whole update
(workflow/replays.py)."""

from __future__ import annotations

from contextvars import ContextVar

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.channels.telegram.context import TelegramContext
from storage import accounts
from storage.db import commits_so_far
from workflow import replays

# The task's commit count when its update arrived: more after handling means it changed
# something (bot/polling.py handles each chat's updates in a task of its own).
_commits_before: ContextVar[int] = ContextVar("commits_before", default=0)
# A handler of this update failed (the error handler says so): it is not marked handled,
# so a redelivery (a webhook worker answered 503) handles it again rather than dropping it.
_failed: ContextVar[bool] = ContextVar("failed", default=False)


def failed() -> None:
    _failed.set(True)


async def drop_replays(update: Update, context: TelegramContext) -> None:
    user = update.effective_user
    if await replays.arrive(context.desk.db, accounts.TELEGRAM, update.update_id,
                            accounts.telegram(user.id) if user else None):
        raise ApplicationHandlerStop
    _commits_before.set(commits_so_far())
    _failed.set(False)


async def mark_handled(update: Update, context: TelegramContext) -> None:
    replays.done()
    if commits_so_far() == _commits_before.get() or _failed.get():
        return  # nothing changed: answering it again after a crash is harmless
    d = context.desk
    await replays.handled(d.db, accounts.TELEGRAM, update.update_id, d.now())


def register(app) -> None:
    app.add_handler(TypeHandler(Update, drop_replays), group=-1)
    app.add_handler(TypeHandler(Update, mark_handled), group=1)
