"""The areas' routes as PTB handlers: each update becomes a turn before the area's handler
reads it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from handlers.channels.telegram.buttons import Buttons
from handlers.channels.telegram.context import PRIVATE, TelegramContext
from handlers.channels.telegram.turns import turn_of
from handlers.common import Context
from handlers.routes import ANY, COMMAND, CONTACT, Handler, Routes

_MESSAGES = {
    CONTACT: PRIVATE & filters.CONTACT,
    ANY: PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
    COMMAND: PRIVATE & filters.COMMAND,
}


def on_telegram(handler: Handler) -> Any:
    """A PTB callback that hands the area's handler a turn and the desk's context."""
    async def callback(update: Update, context: TelegramContext) -> None:
        data = context.bot_data
        turn = turn_of(update, data.channel, context.args)
        if turn is not None:
            await handler(turn, Context(data.desk, data.channel, turn.args, data.kick))

    callback.__qualname__ = getattr(handler, "__qualname__", "callback")
    callback.__wrapped__ = handler  # type: ignore[attr-defined]
    action = getattr(handler, "access_action", None)
    if action is not None:
        callback.access_action = action  # type: ignore[attr-defined]  # read by the tests
    return callback


def install(app: Application, all_routes: Iterable[Routes]) -> None:
    """In their order: the first route that takes an update handles it."""
    for r in all_routes:
        for name, handler in r.commands.items():
            app.add_handler(CommandHandler(name, on_telegram(handler), filters=PRIVATE))
        for pattern, handler in r.buttons:
            app.add_handler(Buttons(on_telegram(handler), pattern=pattern))
        for kind, handler in r.messages:
            app.add_handler(MessageHandler(_MESSAGES[kind], on_telegram(handler)))
