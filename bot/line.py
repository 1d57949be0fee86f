"""LINE beside Telegram, for an estate that has it set: the LINE client, the files it shows,
its channel in the outbox (`outboxes["line"]`) and the webhook's front (`bot_data.line`,
which bot/serve.py routes to). Imported only when LINE is set, so a Telegram-only desk never
loads LINE's SDK."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from telegram.ext import Application

from bot.app import DOORS
from bot.config import LineConfig
from handlers import router
from handlers.channels.line import menus
from handlers.channels.line.api import LineApi, LineSettings
from handlers.channels.line.budget import LineBudget
from handlers.channels.line.channel import LineChannel
from handlers.channels.line.front import LineFront
from handlers.channels.line.media import LineMedia
from handlers.channels.line.turns import LINE, Profiles

log = logging.getLogger(__name__)
MENU_SECONDS = 20.0  # at start-up, LINE is given this long to take the default menu


def settings_of(config: LineConfig) -> LineSettings:
    return LineSettings(secret=config.secret, token=config.token, api_url=config.api_url,
                        data_url=config.data_url, public_url=config.public_url)


def attach(app: Application, settings: LineSettings, estate_key: str = "") -> LineFront:
    """LINE added to the desk's Application (before it starts); its client closed at
    post_shutdown, before the database."""
    data = app.bot_data
    desk = data.desk
    api = LineApi(settings)
    media = LineMedia(desk.db, settings, data.outboxes, blob=_AtFirstUse(lambda: api.blob),
                      estate_key=estate_key, clock=desk.clock)
    budget = LineBudget(desk.db, desk.settings, api, desk.clock)
    channel = LineChannel(api, media, budget, estate=estate_key, db=desk.db)
    data.outboxes[LINE] = channel  # the same dict the media reads Telegram's channel from
    every = (*DOORS, router.door(DOORS))
    front = LineFront(desk, channel, media, settings.secret,
                      (r for door in every for r in door.routes), data.kick,
                      Profiles(_AtFirstUse(lambda: api.messaging)), estate_key)
    data.line = front
    starting, closing = app.post_init, app.post_shutdown

    async def startup(application: Application) -> None:
        if starting is not None:
            await starting(application)  # the database opened first
        await stranger_menu(api, desk)

    async def shutdown(application: Application) -> None:
        try:
            await api.close()
        finally:
            if closing is not None:
                await closing(application)

    app.post_init, app.post_shutdown = startup, shutdown
    return front


class _AtFirstUse:
    """An SDK client asked of the LineApi at each use: `estatedesk run` attaches LINE before
    the event loop runs, and the SDK opens its aiohttp session as a client is made."""

    def __init__(self, client: Callable[[], Any]) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client(), name)


async def stranger_menu(api: LineApi, desk) -> None:
    """The rich menu of someone who has not joined yet (Start, Language, Help), in the
    estate's language, as Telegram's default commands are set at start-up. Best effort: LINE
    away must not keep the desk from starting (`estatedesk line menus` sets it again)."""
    try:
        await asyncio.wait_for(menus.set_default(
            api, desk.db, desk.tr(desk.settings.default_language)), MENU_SECONDS)
    except Exception as exc:
        log.warning("LINE: the default rich menu was not set at start-up: %s", exc)
