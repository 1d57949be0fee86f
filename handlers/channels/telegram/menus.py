"""Telegram's command menus: each person's by their role and language."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from handlers.i18n import Tr
from handlers.menus import commands

log = logging.getLogger(__name__)


def bot_commands(tr: Tr, role: str | None, lives_here: bool = False) -> list[BotCommand]:
    return [BotCommand(name, text) for name, text in commands(tr, role, lives_here)]


async def set_for_chat(bot: Bot, chat_id: int, tr: Tr, role: str | None,
                       lives_here: bool = False) -> None:
    """Best effort: a menu that fails to update is not worth failing the action for."""
    try:
        await bot.set_my_commands(bot_commands(tr, role, lives_here),
                                  scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not set the command menu of %s: %s", chat_id, exc)


async def set_defaults(bot: Bot, trs: dict[str, Tr]) -> None:
    """For people the bot does not know yet: Telegram tells languages only by two letters,
    so 'zh' gets the default Chinese."""
    default, english = bot_commands(trs["zh_Hant"], None), bot_commands(trs["en"], None)
    await bot.set_my_commands(default, scope=BotCommandScopeDefault())
    await bot.set_my_commands(default, scope=BotCommandScopeDefault(), language_code="zh")
    await bot.set_my_commands(english, scope=BotCommandScopeDefault(), language_code="en")
