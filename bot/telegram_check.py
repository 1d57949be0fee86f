"""Before the desk starts: does Telegram answer to the token? A wrong token or no way to reach
Telegram is said in one or two lines, not a page of traceback."""

from __future__ import annotations

import asyncio

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError


def refusal(token: str, api_url: str) -> str | None:
    """None when Telegram knows the token; else what is wrong and what to do."""
    return asyncio.run(_ask(token, api_url))


async def _ask(token: str, api_url: str) -> str | None:
    try:
        async with Bot(token, base_url=f"{api_url}/bot", base_file_url=f"{api_url}/file/bot"):
            return None  # entering asks getMe
    except InvalidToken:
        return ("estatedesk: Telegram does not know this bot token (TELEGRAM_BOT_TOKEN). Copy "
                "it again from @BotFather (/mybots, the bot, API Token) and start again.")
    except NetworkError as exc:  # timed out, refused, no route, a proxy's error page
        return (f"estatedesk: cannot reach Telegram at {api_url} ({exc}).\n"
                f"  Check this computer's network (and TELEGRAM_API_URL), then start again.")
    except TelegramError as exc:
        return f"estatedesk: Telegram refused to start the bot: {exc}"
