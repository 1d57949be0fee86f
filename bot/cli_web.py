"""`estatedesk serve` (a webhook worker; several on PostgreSQL) and `estatedesk webhook
set|info|delete` (registers the webhook with Telegram, with a generated secret every worker
reads from the database)."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from typing import Any
from urllib.parse import urlparse

from telegram import Bot
from telegram.error import TelegramError

from bot import estates, polling, telegram_check
from bot.app import build_application
from bot.config import ConfigError
from storage import backup as backups
from storage.backend import is_url, open_database
from workflow import admin


def port_number(text: str) -> int:
    """A TCP port, refused by argparse with the rule (not bind()'s OverflowError)."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port: use a number from 1 to 65535")
    return int(text)


def add_parsers(sub) -> None:
    worker = sub.add_parser("serve", help="a webhook worker: run several behind a load "
                                          "balancer on PostgreSQL (one on SQLite)")
    worker.add_argument("--listen", default="127.0.0.1", help="address (default 127.0.0.1)")
    worker.add_argument("--port", type=port_number, default=8443,
                        help="port (default 8443)")
    worker.add_argument("--path", default="/telegram", help="the webhook's path (default "
                                                            "/telegram)")
    worker.add_argument("--estates", metavar="FILE",
                        help="serve every estate the file lists, each at PATH/<key> in its "
                             "own schema of ESTATEDESK_DB (PostgreSQL), one pool for all")
    hook = sub.add_parser("webhook", help="register the webhook with Telegram").add_subparsers(
        dest="action", required=True)
    setting = hook.add_parser("set", help="register URL (https) with a new secret")
    setting.add_argument("url")
    hook.add_parser("info", help="what Telegram says of the webhook")
    hook.add_parser("delete", help="stop the webhook (back to polling with `run`)")


def run_worker(args, env, settings, token_help: str) -> int:
    if args.estates:
        return _run_estates(args, env)
    if env.token is None:
        print(token_help, file=sys.stderr)
        return 2
    refused = telegram_check.refusal(env.token, env.api_url)
    if refused:
        print(refused, file=sys.stderr)
        return 1
    running = backups.hold_running_lock(env.db_path) if not is_url(env.db_path) else True
    if running is None:  # (kept in `running` until the worker exits)
        print(f"estatedesk serve: another estatedesk already serves {env.db_path}; on SQLite "
              f"one process serves an estate (set ESTATEDESK_DB to a PostgreSQL URL to run "
              f"several workers)", file=sys.stderr)
        return 2
    app = build_application(settings, open_database(env.db_path, env.db_schema, env.pool_size),
                            token=env.token, api_url=env.api_url)
    if env.line is not None:
        from bot import line  # LINE's SDK: only for a desk with LINE
        line.attach(app, line.settings_of(env.line))
    from bot import serve  # Starlette and uvicorn: only for a webhook worker
    return serve.run(app, args.listen, args.port, args.path)


def webhook(args, env, token_help: str) -> int:
    if env.token is None:
        print(token_help, file=sys.stderr)
        return 2
    return asyncio.run(_webhook(args, env))


async def _webhook(args, env) -> int:
    db = open_database(env.db_path, env.db_schema)
    await db.open()
    bot = Bot(env.token, base_url=f"{env.api_url}/bot", base_file_url=f"{env.api_url}/file/bot")
    try:
        async with bot:
            if args.action == "set":
                url = urlparse(args.url)
                if url.scheme != "https" or not url.hostname:
                    print("webhook: Telegram sends updates only to an https address, such as "
                          "https://desk.example.com/telegram", file=sys.stderr)
                    return 2
                secret = secrets.token_urlsafe(32)
                await admin.set_webhook_secret(db, secret)  # first: workers accept it at once
                await bot.set_webhook(args.url, secret_token=secret,
                                      allowed_updates=polling.ALLOWED_UPDATES)
                print(f"webhook: Telegram now sends updates to {args.url}, with a new secret "
                      f"the workers read from the database.")
            elif args.action == "info":
                info = await bot.get_webhook_info()
                print(f"url: {info.url or '(none: polling)'}\npending updates: "
                      f"{info.pending_update_count}\nlast error: "
                      f"{info.last_error_message or '-'}")
            else:
                await bot.delete_webhook()
                await admin.set_webhook_secret(db, None)
                print("webhook: deleted; `estatedesk run` polls again.")
    except TelegramError as exc:
        print(f"webhook: Telegram said: {exc}", file=sys.stderr)
        return 1
    finally:
        await db.close()
    return 0


def _run_estates(args, env) -> int:
    if not is_url(env.db_path):
        print("estatedesk serve --estates: many estates need PostgreSQL: set ESTATEDESK_DB to "
              "a postgresql:// URL", file=sys.stderr)
        return 2
    try:
        listed = estates.load(args.estates)
    except ConfigError as exc:
        print(f"estatedesk: configuration error: {exc}", file=sys.stderr)
        return 2
    for e in listed:
        refused = telegram_check.refusal(e.token, env.api_url)
        if refused:
            print(f"estatedesk serve --estates: the estate {e.key}: {refused}", file=sys.stderr)
            return 1
    from storage import postgres
    shared = postgres.pool(env.db_path, max_size=env.pool_size)
    apps = {f"{args.path.rstrip('/')}/{e.key}": build_application(
        e.settings, _estate_db(env.db_path, e.key, shared), token=e.token,
        api_url=env.api_url) for e in listed}
    for e in listed:
        if e.line is not None:  # its LINE webhook at /line/<key>
            from bot import line
            line.attach(apps[f"{args.path.rstrip('/')}/{e.key}"], line.settings_of(e.line),
                        e.key)
    from bot import serve
    return serve.run(apps, args.listen, args.port, args.path, shared=shared)


def _estate_db(url: str, key: str, shared) -> Any:
    """The estate's schema on the shared pool (the desk takes either backend's database)."""
    from storage.postgres import PgDatabase
    return PgDatabase(url, key, shared=shared)
