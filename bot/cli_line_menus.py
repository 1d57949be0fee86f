"""`estatedesk line menus`: the rich menus of LINE (each role's and a stranger's, in each of the
estate's languages) made at LINE now rather than at each kind's first person, the desk's stale
ones deleted; `--preview DIR` draws them into a folder instead, for the office to look at."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from handlers.i18n import Tr

DEFAULT_URL = "https://api.line.me"


def add_parsers(group) -> None:
    """`group`: the subcommands of `estatedesk line` (bot/cli_line.py)."""
    menus = group.add_parser(
        "menus", help="make the rich menus at LINE now (each role, in each language) and "
                      "delete the desk's old ones; --preview draws them instead")
    menus.add_argument("--preview", type=Path, metavar="DIR",
                       help="write each menu's picture (PNG) into this folder; nothing is sent "
                            "to LINE")


async def _menus(args, env, settings, db, now) -> int:
    from handlers.channels.line import menus  # Pillow and LINE's SDK: only here

    trs = {language: Tr(language, settings.tz) for language in settings.languages}
    every = [menu for menu, _, _ in menus.every_menu(trs)]
    if args.preview is not None:
        return _preview(menus, every, args.preview)
    api = open_api()
    if api is None:
        print("line menus: LINE_CHANNEL_ACCESS_TOKEN is not set; nothing was sent. "
              "(--preview DIR draws the menus without LINE.)", file=sys.stderr)
        return 1
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
    from linebot.v3.messaging import ApiException

    from storage import line_menus as store

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
        print(f"line menus: LINE refused or could not be reached: {_said(exc)}. The menus "
              f"made so far are kept; run it again.", file=sys.stderr)
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


def open_api() -> Any:
    """LINE's clients from the environment (LINE_CHANNEL_ACCESS_TOKEN, LINE_API_URL), as the
    desk's LINE front builds them; None without a token."""
    token = os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "").strip()
    if not token:
        return None
    from handlers.channels.line.api import LineApi, LineSettings
    url = os.environ.get("LINE_API_URL", "").strip().rstrip("/")
    hosts = {"api_url": url, "data_url": url} if url else {}
    return LineApi(LineSettings(secret=os.environ.get("LINE_CHANNEL_SECRET", "").strip(),
                                token=token, **hosts))


COMMANDS: dict = {  # (command, action) -> async (args, env, settings, db, now) -> exit code
    ("line", "menus"): _menus,
}
