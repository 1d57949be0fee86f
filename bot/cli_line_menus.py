"""`estatedesk line menus`: the rich menus of LINE (each role's and a stranger's, in each of the
estate's languages) made at LINE now rather than at each kind's first person, the desk's stale
ones deleted; `--preview DIR` draws them into a folder instead, for the office to look at."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from handlers.i18n import Tr
from storage import people
from workflow import roles


def add_parsers(group) -> None:
    """`group`: the subcommands of `estatedesk line` (bot/cli_line.py)."""
    menus = group.add_parser(
        "menus", help="make the rich menus at LINE now (each role, in each language) and "
                      "delete the desk's old ones; --preview draws them instead")
    menus.add_argument("--preview", type=Path, metavar="DIR",
                       help="write each menu's picture (PNG) into this folder; nothing is sent "
                            "to LINE")
    menus.add_argument("--estates", metavar="FILE", help="the estates file (with --estate)")
    menus.add_argument("--estate", metavar="KEY", help="the estate of the estates file")


async def _menus(args, env, settings, db, now) -> int:
    from handlers.channels.line import menus  # Pillow and LINE's SDK: only here

    trs = {language: Tr(language, settings.tz) for language in settings.languages}
    if args.preview is not None:
        return _preview(menus, menus.every_menu(trs), args.preview)
    async with db.reading() as conn:
        at_home = {(str(p.role), p.language)
                   for p in await people.staff(conn, roles.STAFF_ROLES) if p.lives_here}
    every = menus.every_menu(trs, at_home)
    config = _line_of(args, env)
    if config is None:
        print("line menus: LINE is not set (LINE_CHANNEL_SECRET and "
              "LINE_CHANNEL_ACCESS_TOKEN); nothing was sent. (--preview DIR draws the menus "
              "without LINE.)", file=sys.stderr)
        return 2
    api = open_api(config)
    try:
        return await _upload(menus, api, db, every, Tr(settings.default_language, settings.tz),
                             now)
    finally:
        await api.close()


def _preview(menus: Any, every: list, folder: Path) -> int:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for menu in every:
            (folder / f"{menu.key.replace(':', '-')}.png").write_bytes(menus.image_of(menu))
    except OSError as exc:
        print(f"line menus: cannot write to {folder}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"line menus: {len(every)} pictures in {folder} (role-language.png); nothing was "
          f"sent to LINE.")
    return 0


async def _upload(menus: Any, api: Any, db: Any, every: list, default_tr: Tr, now) -> int:
    from linebot.v3.messaging import ApiException  # type: ignore[import-untyped]

    from storage.channels import line_menus as store

    async with db.reading() as conn:
        before = {m.key: m.menu_id for m in await store.every(conn)}
    made = 0
    try:
        for menu in every:
            menu_id = await menus.made(api, db, menu, now)
            if before.get(menu.key) != menu_id:
                made += 1
                print(f"  made {menu.key}: {menu_id} ({len(menu.tiles)} tiles)")
        default = await menus.set_default(api, db, default_tr)
        deleted = await menus.tidy(api, db, every)
    except (ApiException, OSError) as exc:
        if getattr(exc, "status", None) == 429:
            print("line menus: LINE makes at most 100 menus an hour; the menus made so far "
                  "are kept: run it again in an hour.", file=sys.stderr)
        else:
            print(f"line menus: LINE refused or could not be reached: {_said(exc)}. The "
                  f"menus made so far are kept; run it again.", file=sys.stderr)
        return 1
    for name in deleted:
        print(f"  deleted the old {name}")
    print(f"line menus: {len(every)} menus, {made} made now, {len(every) - made} already at "
          f"LINE; {len(deleted)} old one(s) deleted; new followers see "
          f"stranger:{default_tr.language} ({default}).")
    return 0


def _said(exc: BaseException) -> str:
    status = getattr(exc, "status", None)
    body = getattr(exc, "body", None)
    return f"{status} {body!s}" if status else str(exc)


def _line_of(args, env) -> Any:
    """The channel's settings (bot/config.py's LineConfig): the deployment's, or with
    --estates and --estate that estate's (bot/cli_line.py reads the estates file)."""
    if getattr(args, "estates", None) or getattr(args, "estate", None):
        from bot import cli_line
        return cli_line.line_of(args, env)[0]
    return getattr(env, "line", None)


def open_api(config: Any) -> Any:
    """LINE's clients (handlers/channels/line/api.py), as the desk's LINE front makes them."""
    from handlers.channels.line.api import LineApi, LineSettings
    return LineApi(LineSettings(secret=config.secret, token=config.token,
                                api_url=config.api_url, data_url=config.data_url))


COMMANDS: dict = {  # (command, action) -> async (args, env, settings, db, now) -> exit code
    ("line", "menus"): _menus,
}
