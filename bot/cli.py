"""The command line: `python -m bot …` or `estatedesk …`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlparse

from bot import (
    cli_db,
    cli_fees,
    cli_line,
    cli_privacy,
    cli_registers,
    cli_reports,
    cli_roster_codes,
    cli_sales,
    cli_storeroom,
    cli_web,
    polling,
    telegram_check,
)
from bot.app import build_application, utc_now
from bot.cli_web import port_number
from bot.config import TOKEN_HELP, ConfigError, deployment, duration, estate_settings
from storage import backup as backups
from storage.backend import is_url, open_database, unreachable
from storage.privacy import encrypted
from workflow import admin, roles


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="estatedesk", description="The customer-service desk of a residential estate.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the bot (long polling, or a webhook); Ctrl-C or "
                                     "SIGTERM stops it")
    run.add_argument("--webhook", metavar="URL",
                     help="receive updates at this public https address (behind your HTTPS "
                          "proxy) instead of polling; Telegram sends the secret token "
                          "(TELEGRAM_WEBHOOK_SECRET, or a new random one) with every update")
    run.add_argument("--listen", default="127.0.0.1",
                     help="with --webhook, or when LINE is set (its webhook, /line): the "
                          "address to listen on (default 127.0.0.1)")
    run.add_argument("--port", type=port_number, default=8443,
                     help="with --webhook, or when LINE is set: the port to listen on "
                          "(default 8443)")

    saving = sub.add_parser("backup", help="copy the database while the bot runs (safe to run "
                                           "every hour)", description=BACKUP_HELP)
    saving.add_argument("path", type=Path, help="the file to write, e.g. backups/desk.sqlite3")
    saving.add_argument("--encrypt", action="store_true",
                        help=f"encrypt the copy with the passphrase in {PASSPHRASE} "
                             f"(ChaCha20-Poly1305, its key derived by scrypt); restore asks for it")
    putting_back = sub.add_parser("restore", help="put a backup in place of the database (the "
                                                  "bot must be stopped)",
                                  description=RESTORE_HELP)
    putting_back.add_argument("path", type=Path, help="a file written by 'estatedesk backup'")

    roster = sub.add_parser("roster", help="the owner roster").add_subparsers(
        dest="action", required=True)
    load = roster.add_parser("import", help="import a CSV: building,unit,name,phone")
    load.add_argument("file", type=Path)
    leave = roster.add_parser("remove", help="a resident moved out: their line of the roster "
                                              "goes (their name and phone after "
                                              "keep_people_left_days)")
    leave.add_argument("building")
    leave.add_argument("unit")
    leave.add_argument("phone")
    cli_roster_codes.add_parsers(roster)

    staff = sub.add_parser("staff", help="staff members").add_subparsers(
        dest="action", required=True)
    invite = staff.add_parser("invite", help="make a one-time invitation link")
    invite.add_argument("--role", required=True, choices=[str(r) for r in roles.STAFF_ROLES])
    invite.add_argument("--name", help="the name the desk will show")
    invite.add_argument("--department", help="for a supervisor: the department they head, "
                                             "such as security (complaints are routed to it)")
    invite.add_argument("--contractor", metavar="KEY",
                        help="for --role contractor: the responsible unit they work for, by the "
                             "key 'contractor list' shows")
    invite.add_argument("--expires", default="7d",
                        help="how long the invitation can be used, such as 2d or 12h "
                             "(default 7d)")
    revoke = staff.add_parser("revoke", help="cancel an invitation that was not used yet")
    revoke.add_argument("code", help="the code printed by 'staff invite'")
    staff.add_parser("list", help="list staff")
    remove = staff.add_parser("remove", help="remove a staff member's rights")
    remove.add_argument("user_id", type=int, help="the Telegram user id shown by 'staff list'")

    contractor = sub.add_parser("contractor", help="responsible units (施工責任單位)") \
        .add_subparsers(dest="action", required=True)
    add = contractor.add_parser("add", help="add or update a contractor")
    add.add_argument("--name", required=True)
    add.add_argument("--trades", required=True,
                     help="comma-separated categories it is liable for, e.g. plumbing,electrical")
    add.add_argument("--phone", default="")
    add.add_argument("--deadline", help="its contractual repair deadline, such as 48h or 5d; "
                                        "without it the service levels apply")
    add.add_argument("--key", help="a short name to invite its staff by (letters, digits, _), "
                                   "such as aqua; default unit<number>")
    add.add_argument("--response", help="its contractual time to accept a job sent to its "
                                        "staff in the chat, such as 4h")
    contractor.add_parser("list", help="list contractors")
    cli_storeroom.add_parsers(sub)
    cli_reports.add_parsers(sub)
    cli_registers.add_parsers(sub)
    cli_fees.add_parsers(sub)
    cli_sales.add_parsers(sub)
    cli_privacy.add_parsers(sub)
    cli_db.add_parsers(sub)
    cli_web.add_parsers(sub)
    cli_line.add_parsers(sub)
    demo = sub.add_parser("demo", help="try the desk in your browser, without Telegram: the real "
                                       "bot against a local stand-in, with a demo estate")
    demo.add_argument("--port", type=port_number, default=8080,
                      help="the page's port (default 8080)")
    demo.add_argument("--listen", default="127.0.0.1",
                      help="the address to listen on (default 127.0.0.1: this computer only)")
    demo.add_argument("--db", type=Path, help="keep the demo's SQLite file here (replaced at "
                                              "every start); default a temporary folder")
    demo.add_argument("--open", action="store_true", help="open the page in your browser")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _logging(logging.WARNING if args.command == "demo" else logging.INFO)
    if args.command == "demo":
        from sandbox import demo  # never imported by the production commands
        return demo.run(args.listen, args.port, args.db, args.open)
    try:
        env = deployment()
        settings = estate_settings(env.config_path)
    except ConfigError as exc:
        print(f"estatedesk: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "db":
        return cli_db.run(args, env)
    if args.command == "serve":
        return cli_web.run_worker(args, env, settings, TOKEN_HELP)
    if args.command == "line" and args.action in ("info", "set-webhook"):
        return cli_line.run(args, env, settings)  # LINE's, not the estate's database
    if args.command not in ("run", "backup", "restore") and not env.db_given and \
            not Path(env.db_path).exists():  # (an office command: it needs the estate's)
        print(f"estatedesk: there is no database at {Path(env.db_path).resolve()}: "
              f"ESTATEDESK_DB is not set, so the desk looked in the current folder. Set "
              f"ESTATEDESK_DB to the estate's database (as the bot runs with), or start the "
              f"bot once (estatedesk run) to create it here. Nothing was created.",
              file=sys.stderr)
        return 2
    if args.command == "webhook":
        return cli_web.webhook(args, env, TOKEN_HELP)
    if args.command == "line":
        return cli_line.run(args, env, settings)
    if args.command in ("backup", "restore"):
        return _backup(args, env) if args.command == "backup" else _restore(args, env)
    if args.command == "run":
        if env.token is None:
            print(TOKEN_HELP, file=sys.stderr)
            return 2
        refused = telegram_check.refusal(env.token, env.api_url)
        if refused:
            print(refused, file=sys.stderr)
            return 1
        on_file = not is_url(env.db_path)  # PostgreSQL: several processes may serve one estate
        running = backups.hold_running_lock(env.db_path) if on_file else True  # held until exit
        if running is None:
            print(f"estatedesk: another estatedesk is already running on {env.db_path}",
                  file=sys.stderr)
            return 2
        app = build_application(settings, open_database(env.db_path, env.db_schema),
                                token=env.token, api_url=env.api_url)
        if env.line is not None:
            from bot import line  # LINE's SDK: only for a desk with LINE
            line.attach(app, line.settings_of(env.line))
        if args.webhook:
            return _run_webhook(app, args, env)
        beside = None
        if env.line is not None:  # LINE's webhook, served beside the polling
            from bot import serve
            beside = serve.listener(app, args.listen, args.port)
        polling.run(app, beside)
        return 0
    try:
        return asyncio.run(_admin(args, env, settings))
    except unreachable() as exc:
        print(cli_db.unreachable(env.db_path, exc), file=sys.stderr)
        return 1


OWN_LOGGERS = ("bot", "handlers", "workflow", "storage", "sandbox")
# named as well as under the root's WARNING: a library that sets its own level, or a root
# someone lowered, still keeps these quiet
LIBRARY_LOGGERS = ("apscheduler", "httpx", "httpcore", "telegram", "aiosqlite", "psycopg",
                   "psycopg_pool", "asyncio", "aiohttp", "PIL", "matplotlib", "fontTools")


def _level(variable: str, default: int) -> int:
    """A level named in the environment (DEBUG, INFO, WARNING…), for a debugging session."""
    named = logging.getLevelName(os.environ.get(variable, "").strip().upper() or default)
    return named if isinstance(named, int) else default


def _logging(own: int) -> None:
    """The desk's own log at `own` (ESTATEDESK_LOG_LEVEL), other libraries' at WARNING
    (ESTATEDESK_LIBRARY_LOG_LEVEL): APScheduler says every run of a job, twice a second (some
    60 MB a day), httpx every request to Telegram."""
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    libraries = _level("ESTATEDESK_LIBRARY_LOG_LEVEL", logging.WARNING)
    logging.getLogger().setLevel(libraries)
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(libraries)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(_level("ESTATEDESK_LOG_LEVEL", own))


PASSPHRASE = "ESTATEDESK_BACKUP_PASSPHRASE"
PG_BACKUP = ("a PostgreSQL estate's backups are the office's pg_dump and pg_restore (encrypted "
             "with the office's own tools; the server's files are its administrator's); "
             "'estatedesk backup' and 'restore' copy a SQLite estate's file")
BACKUP_HELP = (f"A consistent copy of a SQLite estate's database, readable by its owner only "
               f"(0600), as the database itself is. With --encrypt the copy is encrypted with "
               f"the passphrase in the environment variable {PASSPHRASE} (at least 12 "
               f"characters; keep it apart from the backups: without it they cannot be "
               f"restored). {PG_BACKUP[0].upper()}{PG_BACKUP[1:]}.")
RESTORE_HELP = (f"Puts a backup in place of a SQLite estate's database (the bot stopped), the "
                f"current one kept beside it; both owner-only (0600). An encrypted backup needs "
                f"its passphrase: from {PASSPHRASE}, else asked in the terminal; a wrong one is "
                f"refused and nothing is replaced. {PG_BACKUP[0].upper()}{PG_BACKUP[1:]}.")


def _backup(args, env) -> int:
    if is_url(env.db_path):
        print(f"backup: this estate's database is PostgreSQL: {PG_BACKUP}.", file=sys.stderr)
        return 2
    if not Path(env.db_path).exists():
        print(f"backup: there is no database at {env.db_path} (ESTATEDESK_DB)", file=sys.stderr)
        return 1
    passphrase = None
    if args.encrypt:
        passphrase = os.environ.get(PASSPHRASE, "")
        refused = f"set {PASSPHRASE}" if not passphrase else encrypted.weak(passphrase)
        if refused:
            print(f"backup: --encrypt: {refused} ({PASSPHRASE}: the passphrase, kept apart "
                  f"from the backups; without it they cannot be restored). Nothing was "
                  f"written.", file=sys.stderr)
            return 2
    try:
        tickets = backups.backup(env.db_path, args.path, passphrase)
    except (OSError, sqlite3.Error) as exc:
        print(f"backup: could not write {args.path}: {exc}", file=sys.stderr)
        return 1
    print(f"backup: {args.path} written ({tickets} tickets" +
          (", encrypted)." if passphrase else ")."))
    return 0


def _restore(args, env) -> int:
    if is_url(env.db_path):
        print(f"restore: this estate's database is PostgreSQL: {PG_BACKUP}.", file=sys.stderr)
        return 2
    passphrase = None
    if encrypted.is_encrypted(args.path):
        passphrase = os.environ.get(PASSPHRASE) or _ask_passphrase()
        if not passphrase:
            print(f"restore: refused: {args.path} is encrypted: set {PASSPHRASE}, or run "
                  f"restore in a terminal to be asked. Nothing was changed.", file=sys.stderr)
            return 1
    try:
        kept = backups.restore(args.path, env.db_path, passphrase)
    except backups.RestoreRefused as exc:
        print(f"restore: refused: {exc}. Nothing was changed.", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"restore: could not read {args.path}: {exc}. Nothing was changed.",
              file=sys.stderr)
        return 1
    print(f"restore: {env.db_path} now holds {args.path}." +
          (f" The database it replaced is kept as {kept}." if kept else ""))
    return 0


def _ask_passphrase() -> str | None:
    """In a terminal: asked, never echoed."""
    if not sys.stdin.isatty():
        return None
    import getpass
    try:
        return getpass.getpass("Passphrase of the backup: ")
    except (EOFError, KeyboardInterrupt):
        return None


def _run_webhook(app, args, env) -> int:
    url = urlparse(args.webhook)
    if url.scheme != "https" or not url.hostname:
        print("estatedesk: --webhook: Telegram sends updates only to an https address, such as "
              "https://desk.example.com/telegram", file=sys.stderr)
        return 2
    # Telegram sends the token back in a header; the worker refuses every request without it.
    secret = env.webhook_secret or secrets.token_urlsafe(32)
    app.bot_data.webhook_secret = secret
    started = app.post_init
    assert started is not None

    async def register(app) -> None:
        await started(app)
        await app.bot.set_webhook(args.webhook, secret_token=secret,
                                  allowed_updates=polling.ALLOWED_UPDATES)

    app.post_init = register
    # `serve`'s worker, not PTB's webhook server: PTB answers 200 as soon as an update is
    # queued, so a crash while handling it loses it; the worker answers once it is handled.
    from bot import serve  # Starlette and uvicorn: only for a webhook
    return serve.run(app, args.listen, args.port, url.path or "/")


async def _admin(args, env, settings) -> int:
    db = open_database(env.db_path, env.db_schema)
    await db.open()
    try:
        more = {**cli_storeroom.COMMANDS, **cli_reports.COMMANDS, **cli_registers.COMMANDS,
                **cli_fees.COMMANDS, **cli_sales.COMMANDS, **cli_privacy.COMMANDS,
                **cli_roster_codes.COMMANDS}
        if (args.command, args.action) in more:
            return await more[(args.command, args.action)](args, env, settings, db, utc_now())
        return await _ADMIN[(args.command, args.action)](args, env, settings, db)
    finally:
        await db.close()


async def _roster_import(args, env, settings, db) -> int:
    try:
        rows = admin.parse_roster(args.file.read_bytes())
    except OSError as exc:
        print(f"roster: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except admin.RosterError as exc:
        for line, problem in exc.problems:
            print(f"roster: {args.file}: line {line}: {problem}", file=sys.stderr)
        print(f"roster: {len(exc.problems)} problem(s). Nothing was imported.", file=sys.stderr)
        return 1
    added = await admin.import_roster(db, rows)
    print(f"roster: {len(rows)} rows read, {added} new, {len(rows) - added} already known.")
    return 0


async def _roster_remove(args, env, settings, db) -> int:
    found = await admin.roster_remove(db, args.building, args.unit, args.phone, utc_now())
    if found is None:
        print(f"roster: no unit {args.building} {args.unit}; nothing was removed.",
              file=sys.stderr)
        return 1
    removed, left = found
    print(f"roster: {removed} line(s) removed; {left} person(s) left the estate.")
    return 0 if removed else 1


async def _staff_invite(args, env, settings, db) -> int:
    known = [d.key for d in settings.departments]
    if args.department and args.role != roles.SUPERVISOR:
        print(f"staff: --department is for a supervisor (the department they head); a "
              f"{args.role} has none. Nothing was created.", file=sys.stderr)
        return 1
    if args.department and args.department not in known:
        print(f"staff: --department: unknown department {args.department}; choose from "
              f"{','.join(known)}", file=sys.stderr)
        return 1
    try:
        expires_in = duration("--expires", args.expires)
    except ConfigError as exc:
        print(f"staff: {exc}", file=sys.stderr)
        return 1
    if expires_in > admin.INVITATION_LONGEST:
        print(f"staff: --expires: an invitation lasts at most "
              f"{admin.INVITATION_LONGEST.days}d (it is for someone joining now); make a new "
              f"one when they are ready. Nothing was created.", file=sys.stderr)
        return 1
    if (args.role == roles.CONTRACTOR) != bool(args.contractor):
        print("staff: --contractor KEY goes with --role contractor, and only with it; "
              "'estatedesk contractor list' shows the keys", file=sys.stderr)
        return 1
    now = utc_now()
    try:
        code = await admin.invite(db, args.role, args.name, now, args.department, expires_in,
                                  args.contractor)
    except admin.NoSuchUnit:
        print(f"staff: --contractor: no responsible unit has the key {args.contractor}; "
              f"'estatedesk contractor list' shows the keys", file=sys.stderr)
        return 1
    username = await admin.bot_username(db) or await _ask_username(env)
    print(f"Invitation for a {args.role}{' (' + args.name + ')' if args.name else ''}, "
          f"usable once:")
    print(f"  code: {code}")
    if username:
        print(f"  link: https://t.me/{username}?start={code}")
    else:
        print(f"  in the bot, send: /start {code}")
    if env.line is not None:  # a t.me link opens Telegram, not LINE
        print(f"  on LINE: send the desk's LINE account the message /start {code}")
    until = (now + expires_in).astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    print(f"  valid until {until}; 'estatedesk staff revoke {code}' cancels it.")
    return 0


async def _staff_revoke(args, env, settings, db) -> int:
    if not await admin.revoke(db, args.code, utc_now()):
        print("staff: no unused invitation has that code", file=sys.stderr)
        return 1
    print("Invitation revoked: nobody can use it now.")
    return 0


async def _ask_username(env) -> str | None:
    """Before the bot's first run the database does not know its username: ask Telegram."""
    if env.token is None:
        return None
    from telegram import Bot
    from telegram.error import TelegramError
    try:
        async with Bot(env.token, base_url=f"{env.api_url}/bot") as bot:
            return bot.username
    except (TelegramError, OSError):
        return None


async def _staff_list(args, env, settings, db) -> int:
    people = await admin.staff_list(db)
    if not people:
        print("No staff yet. Invite someone with: estatedesk staff invite --role clerk")
    for p in people:
        print(f"{p.user_id}\t{p.role}\t{p.name}\t{p.department or ''}".rstrip())
    return 0


async def _staff_remove(args, env, settings, db) -> int:
    removed = await admin.staff_remove(db, args.user_id, utc_now())
    if removed is None:
        print(f"staff: no staff member has user id {args.user_id}; see 'estatedesk staff list'",
              file=sys.stderr)
        return 1
    print(f"Removed {removed.name} ({removed.role}); they can no longer act as staff.")
    return 0


async def _contractor_add(args, env, settings, db) -> int:
    trades = [t.strip() for t in args.trades.split(",") if t.strip()]
    known = [c.key for c in settings.categories]
    unknown = [t for t in trades if t not in known]
    if not trades or unknown:
        print(f"contractor: --trades: unknown trade {', '.join(unknown) or '(none given)'}; "
              f"choose from {','.join(known)}", file=sys.stderr)
        return 1
    key = args.key.strip() if args.key else None
    if key is not None and (not key.replace("_", "").isalnum() or not key.isascii() or
                            len(key) > 30):
        print("contractor: --key: a short name of letters, digits and _, such as aqua",
              file=sys.stderr)
        return 1
    try:  # kept exactly, never rounded
        deadline = duration("--deadline", args.deadline) if args.deadline else None
        response = duration("--response", args.response) if args.response else None
    except ConfigError as exc:
        print(f"contractor: {exc}", file=sys.stderr)
        return 1
    try:
        contractor_id = await admin.add_contractor(db, args.name.strip(), args.phone.strip(),
                                                   trades, deadline, key, response)
    except admin.KeyTaken:
        print(f"contractor: --key: {key} is another unit's key", file=sys.stderr)
        return 1
    contract = f", repairs within {_span(deadline)}" if deadline else ""
    contract += f", accepts within {_span(response)}" if response else ""
    print(f"Contractor {contractor_id}: {args.name} ({','.join(trades)}){contract}")
    return 0


async def _contractor_list(args, env, settings, db) -> int:
    found = await admin.contractor_list(db)
    if not found:
        print("No contractors yet. Add one with: estatedesk contractor add --name … --trades …")
    for c in found:
        contract = f"\trepairs within {_span(c.deadline)}" if c.deadline else ""
        contract += f"\taccepts within {_span(c.response)}" if c.response else ""
        print(f"{c.key}\t{c.name}\t{c.phone}\t{','.join(c.trades)}{contract}")
    return 0


def _span(value) -> str:
    """A duration as the settings write it: 90m, 36h, 5d."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


_ADMIN = {
    ("roster", "import"): _roster_import,
    ("roster", "remove"): _roster_remove,
    ("staff", "invite"): _staff_invite,
    ("staff", "list"): _staff_list,
    ("staff", "remove"): _staff_remove,
    ("staff", "revoke"): _staff_revoke,
    ("contractor", "add"): _contractor_add,
    ("contractor", "list"): _contractor_list,
}
