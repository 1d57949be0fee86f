"""Runs before every other handler: an update seen before is dropped."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.common import Context, desk
from workflow import replays


async def drop_replays(update: Update, context: Context) -> None:
    d = desk(context)
    if not await replays.first_sight(d.db, update.update_id, d.now()):
        raise ApplicationHandlerStop


def register(app) -> None:
    app.add_handler(TypeHandler(Update, drop_replays), group=-1)
