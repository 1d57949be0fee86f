"""`estatedesk line info|set-webhook` (and the menus' and the quota's own, from their
modules): the LINE Official Account's channel as LINE sees it, and where LINE posts its
webhook. With `--estates FILE --estate KEY`, one estate's channel of several."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from bot import cli_line_menus, cli_line_quota, estates
from bot.config import ConfigError, LineConfig

HELP = ("LINE is not set for this desk: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN "
        "(LINE Developers console → your provider → the Messaging API channel: the channel "
        "secret is on 'Basic settings', the long-lived channel access token on 'Messaging "
        "API'), or, for one estate of several, line_secret_env and line_token_env in the "
        "estates file.")


class NoLine(Exception):
    """LINE is not set (the message says what to set)."""


def add_parsers(sub) -> None:
    group = sub.add_parser("line", help="the LINE Official Account: the channel, its webhook, "
                                        "rich menus and the month's messages"
                           ).add_subparsers(dest="action", required=True)
    info = group.add_parser("info", help="the LINE bot's name and id, the webhook address "
                                         "LINE has and whether it answers")
    hook = group.add_parser("set-webhook", help="tell LINE where to post (the desk's /line)")
    hook.add_argument("--url", help="the https address LINE posts to (default: "
                                    "LINE_PUBLIC_URL/line, or /line/<estate> with --estate)")
    for parser in (info, hook):
        _estate_arguments(parser)
    cli_line_menus.add_parsers(group)
    cli_line_quota.add_parsers(group)


def _estate_arguments(parser) -> None:
    parser.add_argument("--estates", metavar="FILE", help="the estates file (with --estate)")
    parser.add_argument("--estate", metavar="KEY", help="the estate of the estates file")


def line_of(args, env) -> tuple[LineConfig, str]:
    """The channel's settings and the estate's key ("" for a one-estate desk); NoLine or
    ConfigError with what to fix."""
    estates_file, key = getattr(args, "estates", None), getattr(args, "estate", None)
    if bool(estates_file) != bool(key):
        raise ConfigError("--estates and --estate go together: the estates file and the key "
                          "of the estate in it")
    if estates_file:
        found = next((e for e in estates.load(estates_file) if e.key == key), None)
        if found is None:
            raise ConfigError(f"--estate: {key} is not listed in {estates_file}")
        if found.line is None:
            raise NoLine(f"LINE is not set for the estate {key}: give it line_secret_env and "
                         f"line_token_env in {estates_file}")
        return found.line, str(key)
    if env.line is None:
        raise NoLine(HELP)
    return env.line, ""


def run(args, env, settings) -> int:
    """`estatedesk line …`: 2 for what the office must set first, 1 when LINE refused."""
    try:
        line, key = line_of(args, env)
    except ConfigError as exc:
        print(f"estatedesk: configuration error: {exc}", file=sys.stderr)
        return 2
    except NoLine as exc:
        print(f"estatedesk line: {exc}", file=sys.stderr)
        return 2
    if args.action == "info":
        return asyncio.run(_talk(line, _info))
    if args.action == "set-webhook":
        url = args.url or (f"{line.public_url}/line{'/' + key if key else ''}"
                           if line.public_url else None)
        if url is None:
            print("estatedesk line set-webhook: give --url https://… or set LINE_PUBLIC_URL "
                  "to the desk's public https root (LINE posts to /line there)",
                  file=sys.stderr)
            return 2
        if line.own_hosts and not url.startswith("https://"):
            print(f"estatedesk line set-webhook: LINE posts only to an https address, not "
                  f"{url}; put the desk behind your HTTPS proxy", file=sys.stderr)
            return 2
        return asyncio.run(_talk(line, lambda api: _set_webhook(api, url)))
    return _with_database(args, env, settings, key)


def _with_database(args, env, settings, key: str) -> int:
    """The menus' and the quota's commands (their modules' COMMANDS): with the estate's
    database, as the office's other commands."""
    from bot.app import utc_now
    from storage.backend import open_database

    async def run_it() -> int:
        db = open_database(env.db_path, key or env.db_schema)
        await db.open()
        try:
            command = {**cli_line_menus.COMMANDS, **cli_line_quota.COMMANDS}[
                (args.command, args.action)]
            return await command(args, env, settings, db, utc_now())
        finally:
            await db.close()

    return asyncio.run(run_it())


async def _talk(line: LineConfig, action) -> int:
    from linebot.v3.messaging import (  # type: ignore[import-untyped]
        ApiException,
        AsyncApiClient,
        AsyncMessagingApi,
        Configuration,
    )

    client = AsyncApiClient(Configuration(host=line.api_url, access_token=line.token))
    try:
        return await action(AsyncMessagingApi(client))
    except ApiException as exc:
        print(f"estatedesk line: {_refusal(exc)}", file=sys.stderr)
        return 1
    except (OSError, asyncio.TimeoutError) as exc:
        print(f"estatedesk line: could not reach LINE at {line.api_url}: {exc}",
              file=sys.stderr)
        return 1
    except Exception as exc:  # aiohttp's ClientError (not an OSError) and the like
        if type(exc).__module__.startswith("aiohttp"):
            print(f"estatedesk line: could not reach LINE at {line.api_url}: {exc}",
                  file=sys.stderr)
            return 1
        raise
    finally:
        await client.close()


def _refusal(exc: Any) -> str:
    if exc.status == 401:
        return ("LINE refused the channel access token (401): copy the long-lived token "
                "again from the Messaging API tab into LINE_CHANNEL_ACCESS_TOKEN")
    body = exc.body.decode() if isinstance(exc.body, bytes) else exc.body
    return f"LINE answered {exc.status} {exc.reason or ''}: {str(body or '')[:300]}"


async def _info(api: Any) -> int:
    from linebot.v3.messaging import ApiException

    bot = await api.get_bot_info()
    print(f"bot: {bot.display_name} ({bot.basic_id})")
    try:
        hook = await api.get_webhook_endpoint()
    except ApiException as exc:
        print(f"webhook: (none: {_refusal(exc)})")
        return 0
    state = "on" if hook.active else "off: turn on 'Use webhook' in the Messaging API tab"
    print(f"webhook: {hook.endpoint or '(none)'} ({state})")
    if hook.endpoint:
        print(f"answers: {await _tested(api)}")
    return 0


async def _tested(api: Any) -> str:
    """What LINE's test post to the webhook got."""
    from linebot.v3.messaging import ApiException

    try:
        test = await api.test_webhook_endpoint()
    except ApiException as exc:
        return f"not tested ({_refusal(exc)})"
    if test.success:
        return f"yes ({test.status_code})"
    said = f"no: {test.status_code} {test.reason} {test.detail}".strip()
    if not test.status_code:
        return f"{said} (LINE could not reach that address: is the desk running, and does " \
               f"the address lead to it?)"
    if test.status_code in (401, 403):
        return f"{said} (the desk refused LINE's signature: is LINE_CHANNEL_SECRET this " \
               f"channel's secret?)"
    return said


async def _set_webhook(api: Any, url: str) -> int:
    from linebot.v3.messaging import SetWebhookEndpointRequest

    await api.set_webhook_endpoint(SetWebhookEndpointRequest(endpoint=url))
    print(f"webhook: LINE now posts to {url}")
    print(f"answers: {await _tested(api)}")
    return 0
