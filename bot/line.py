"""LINE beside Telegram, for an estate that has it set: the LINE client, the files it shows,
its channel in the outbox (`outboxes["line"]`) and the webhook's front (`bot_data.line`,
which bot/serve.py routes to). Imported only when LINE is set, so a Telegram-only desk never
loads LINE's SDK."""

from __future__ import annotations

from telegram.ext import Application

from bot.app import DOORS
from bot.config import LineConfig
from handlers import router
from handlers.channels.line.api import LineApi, LineSettings
from handlers.channels.line.channel import LineChannel
from handlers.channels.line.front import LineFront
from handlers.channels.line.media import LineMedia
from handlers.channels.line.turns import LINE, Profiles


def settings_of(config: LineConfig) -> LineSettings:
    return LineSettings(secret=config.secret, token=config.token, api_url=config.api_url,
                        data_url=config.data_url, public_url=config.public_url)


def attach(app: Application, settings: LineSettings, estate_key: str = "") -> LineFront:
    """LINE added to the desk's Application (before it starts); its client closed at
    post_shutdown, before the database."""
    data = app.bot_data
    desk = data.desk
    api = LineApi(settings)
    media = LineMedia(desk.db, settings, data.outboxes, blob=api.blob, estate_key=estate_key,
                      clock=desk.clock)
    channel = LineChannel(api, media, estate=estate_key)
    data.outboxes[LINE] = channel  # the same dict the media reads Telegram's channel from
    every = (*DOORS, router.door(DOORS))
    front = LineFront(desk, channel, media, settings.secret,
                      (r for door in every for r in door.routes), data.kick,
                      Profiles(api.messaging), estate_key)
    data.line = front
    closing = app.post_shutdown

    async def shutdown(application: Application) -> None:
        try:
            await api.close()
        finally:
            if closing is not None:
                await closing(application)

    app.post_shutdown = shutdown
    return front
