"""What PTB keeps for the desk: the application's data (typed) and the context its handlers
and jobs receive."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, filters

from handlers.common import Desk

if TYPE_CHECKING:
    from handlers.channels.line.front import LineFront
    from handlers.channels.telegram.channel import TelegramChannel
    from handlers.channels.turns import Channel

# Private chats, new messages only: an edited old answer must not count as a new one.
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


class DeskData:
    """What the application keeps for every handler (PTB's bot_data, typed): the desk, the
    channel that answers through this bot, the outbox sender and the channels it delivers
    through (by name), which the composition root (bot/app.py) puts in."""

    desk: Desk
    channel: TelegramChannel
    deliver: Callable[[Application], Awaitable[int]]
    outboxes: dict[str, Channel]
    outbox_lock: asyncio.Lock
    webhook_secret: str | None  # as `estatedesk webhook set` registered it (bot/serve.py)
    application: Application
    line: LineFront | None  # LINE's webhook front, where the estate has LINE (bot/line.py)

    def __init__(self) -> None:
        self.outbox_lock = asyncio.Lock()
        self.webhook_secret = None
        self.line = None

    def kick(self) -> None:
        """The outbox delivered soon, without making the person who acted wait for it."""
        self.application.create_task(self.deliver(self.application), name="outbox")


class TelegramContext(CallbackContext[ExtBot, dict, dict, DeskData]):
    """What PTB's handlers and jobs receive: `context.desk` as well as PTB's own."""

    @property
    def desk(self) -> Desk:
        return self.bot_data.desk


CONTEXT_TYPES = ContextTypes(context=TelegramContext, bot_data=DeskData)
