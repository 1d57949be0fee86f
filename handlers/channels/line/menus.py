"""LINE's rich menus: the tiles under a person's chat, by their role and language, LINE's
equivalent of Telegram's command menus (handlers/menus.py says which commands each role has).
Each tile is a postback whose data is the command ("/repair"), which the webhook turns into
that command (turns.py), shown in the chat as its label.

A menu is made at LINE once per kind (role and language) and kept in the database
(storage/channels/line_menus.py), so every worker links the same one; its digest says what it shows,
and a menu whose labels or layout changed is made anew and the old one deleted."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from handlers.i18n import N_, Tr
from handlers.menus import commands
from storage.channels import line_menus as store
from workflow import roles

log = logging.getLogger(__name__)

WIDTH, FULL, HALF = 2500, 1686, 843  # LINE's sizes: a full menu, a half-height one
MOST = 6  # tiles on a menu: the last is /help ("More…")
PREFIX = "estatedesk "  # the name of every menu the desk makes (the others are not ours)
DRAWING = "2"  # bump when the drawing changes, so the menus are made anew
PNG_LIMIT = 1024 * 1024  # LINE refuses a larger image

# The tile's label: short, for a third of a phone's width; the longer description of
# handlers/menus.py goes under it.
LABELS = {
    "start": N_("Start"),
    "repair": N_("Report a repair"),
    "complain": N_("Make a complaint"),
    "mytickets": N_("My tickets"),
    "mytasks": N_("My tasks"),
    "queue": N_("Queue"),
    "intake": N_("Take a report"),
    "overdue": N_("Overdue"),
    "signoffs": N_("Waiting for sign-off"),
    "queries": N_("Form queries"),
    "stock": N_("Low stock"),
    "report": N_("Office documents"),
    "keys": N_("Key register"),
    "borrow": N_("Borrow a key"),
    "archive": N_("Ask for an archive item"),
    "renovate": N_("Renovation permit"),
    "activities": N_("Community activities"),
    "notifications": N_("Activity notices"),
    "fees": N_("My fees"),
    "announce": N_("Write an announcement"),
    "pay": N_("Record a payment"),
    "closeday": N_("Close the day"),
    "reverse": N_("Reverse a payment"),
    "archives": N_("Archive room"),
    "stats": N_("Monthly figures"),
    "requests": N_("Data requests"),
    "callback": N_("Phone callback"),
    "contract": N_("My contract"),
    "buyers": N_("Buyers"),
    "buyer": N_("A buyer's contract"),
    "handover": N_("Handover inspection"),
    "units": N_("Units for sale"),
    "reserve": N_("Reservation payment"),
    "mydata": N_("My data"),
    "cancel": N_("Cancel"),
    "privacy": N_("Privacy"),
    "language": N_("Language"),
    "help": N_("Help"),
}
MORE = N_("More…")
# What a tile says under its label, where LINE's differs from Telegram's description: on LINE
# there is no phone number to share; a resident joins with the office's code.
NOTES = {"start": N_("Start, or join with the code from the office")}
# Every menu's own tail on Telegram: on LINE /help (the last tile) answers with the
# language button, and /cancel, /mydata, /privacy are typed.
TAIL = ("cancel", "mydata", "privacy", "language", "help")
OWN_FLAT = ("repair", "mytickets")  # staff who live here: their flat, on every menu of theirs

# Tiles' colours, in turn; the last tile (/help) is grey.
FILLS = ("#E3F2FD", "#E8F5E9", "#FFF3E0", "#F3E5F5", "#E0F7FA")
MORE_FILL, LINES, TITLE, NOTE = "#ECEFF1", "#90A4AE", "#102A43", "#486581"


@dataclass(frozen=True)
class Tile:
    command: str
    label: str  # on the tile and said in the chat when tapped
    note: str  # what it does, under the label
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Menu:
    key: str  # the kind: role (+home for staff who live here) and language
    language: str
    height: int
    chat_bar: str
    tiles: tuple[Tile, ...]

    @property
    def digest(self) -> str:
        """What the menu shows (its tiles, texts, layout and drawing), in 16 hex digits."""
        shown = json.dumps([DRAWING, self.language, self.height, self.chat_bar,
                            [t.__dict__ for t in self.tiles]], ensure_ascii=False)
        return hashlib.sha256(shown.encode()).hexdigest()[:16]

    @property
    def name(self) -> str:
        return f"{PREFIX}{self.key} {self.digest}"

    def request(self) -> dict:
        """The rich menu object of LINE's API."""
        return {
            "size": {"width": WIDTH, "height": self.height},
            "selected": True,  # open when the chat opens: people find the desk's commands
            "name": self.name,
            "chatBarText": self.chat_bar[:14],
            "areas": [{"bounds": {"x": t.x, "y": t.y, "width": t.width, "height": t.height},
                       "action": {"type": "postback", "label": t.label[:20],
                                  "data": "/" + t.command, "displayText": t.label}}
                      for t in self.tiles],
        }


def key_of(role: str | None, lives_here: bool, language: str) -> str:
    home = "+home" if lives_here and roles.is_staff(role) else ""
    return f"{role or 'stranger'}{home}:{language}"


def chosen(tr: Tr, role: str | None, lives_here: bool = False) -> list[str]:
    """The commands of a role's menu: Telegram's, most used first, at most five, then
    /help; staff who live here keep their flat's two; a short menu gets /language."""
    names = [name for name, _ in commands(tr, role, lives_here)]
    own = [n for n in OWN_FLAT if n in names] if lives_here and roles.is_staff(role) else []
    first = [n for n in names if n not in TAIL and n not in own]
    picked = first[:MOST - 1 - len(own)] + own
    if len(picked) < MOST - 1:
        picked.append("language")
    return picked + ["help"]


def plan(tr: Tr, role: str | None, lives_here: bool = False) -> Menu:
    """The person's menu in their language (made once per language: tr.made)."""
    home = lives_here and roles.is_staff(role)
    return tr.made(("line-menu", role, home), lambda: _plan(tr, role, home))


def _plan(tr: Tr, role: str | None, lives_here: bool) -> Menu:
    names = chosen(tr, role, lives_here)
    described = dict(commands(tr, role, lives_here))
    left_out = any(n not in TAIL and n not in names for n in described)  # /help: "More…"
    notes = described | {k: tr(v) for k, v in NOTES.items()}
    rows = _rows(len(names))
    height = HALF if len(rows) == 1 else FULL
    tiles, index = [], 0
    for row, columns in enumerate(rows):
        top, bottom = height * row // len(rows), height * (row + 1) // len(rows)
        for column in range(columns):
            left, right = WIDTH * column // columns, WIDTH * (column + 1) // columns
            name = names[index]
            label = tr(MORE) if name == "help" and left_out else tr(LABELS[name])
            tiles.append(Tile(name, label, notes.get(name, ""), left, top, right - left,
                              bottom - top))
            index += 1
    return Menu(key_of(role, lives_here, tr.language), tr.language, height, tr("Menu"),
                tuple(tiles))


def _rows(count: int) -> list[int]:
    """Tiles per row: one row of up to three (a half-height menu), else two rows."""
    if count <= 3:
        return [count]
    return [(count + 1) // 2, count // 2]


def every_menu(trs: dict[str, Tr],
               at_home: set[tuple[str, str]] | None = None) -> list[Menu]:
    """Every menu the desk can show: each role's and a stranger's in each language, and
    those of staff who live here: of the (role, language) pairs `at_home`, or all (None).
    (LINE makes at most 100 menus an hour: the staff at home's are made when needed.)"""
    kinds: list[tuple[str | None, bool]] = [(None, False)]
    kinds += [(role.value, False) for role in roles.Role]
    kinds += [(role, True) for role in roles.STAFF_ROLES]
    return [plan(tr, role, home) for tr in trs.values() for role, home in kinds
            if not home or at_home is None or (str(role), tr.language) in at_home]


# --- drawing ----------------------------------------------------------------------------

def image_of(menu: Menu) -> bytes:
    """The menu's PNG: each tile its label and, under it, what it does, in the reader's
    script's face (Noto Sans TC or SC)."""
    import io

    from PIL import Image, ImageDraw  # only when a menu is drawn

    picture = Image.new("RGB", (WIDTH, menu.height), "white")
    draw = ImageDraw.Draw(picture)
    for index, tile in enumerate(menu.tiles):
        last = index == len(menu.tiles) - 1
        _tile(draw, menu.language, tile, MORE_FILL if last else FILLS[index % len(FILLS)])
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _tile(draw: Any, language: str, tile: Tile, fill: str) -> None:
    gap = 14
    box = (tile.x + gap, tile.y + gap, tile.x + tile.width - gap, tile.y + tile.height - gap)
    draw.rounded_rectangle(box, radius=48, fill=fill, outline=LINES, width=4)
    inner = tile.width - 2 * gap - 120
    title_size, title = _fitted(language, tile.label, inner, 118, 2)
    note_size = 52
    shown = tile.note if tile.note != tile.label else ""  # 我要報修 under 我要報修: once
    note = _balanced(_font(language, note_size), shown, inner)
    if len(note) > 3:
        note = note[:2] + [note[2].rstrip() + "…"]
    title_height = int(title_size * 1.3) * len(title)
    note_height = int(note_size * 1.35) * len(note)
    space = int(title_size * 0.5) if note else 0
    top = tile.y + (tile.height - title_height - space - note_height) // 2
    centre = tile.x + tile.width // 2
    font = _font(language, title_size)
    for line in title:
        draw.text((centre, top), line, font=font, fill=TITLE, anchor="mt",
                  stroke_width=2, stroke_fill=TITLE)  # one face, no bold: a stroke makes it
        top += int(title_size * 1.3)
    top += space
    small = _font(language, note_size)
    for line in note:
        draw.text((centre, top), line, font=small, fill=NOTE, anchor="mt")
        top += int(note_size * 1.35)


def _fitted(language: str, text: str, width: int, size: int, most: int) -> tuple[int, list[str]]:
    """The largest size (from `size` down) at which the text fits: on one line if it can
    be at three quarters of the size, else in `most` lines, no line wider than `width`."""
    for lines_wanted, smallest in ((1, size * 3 // 4), (most, 40)):
        for trying in range(size, smallest - 1, -4):
            font = _font(language, trying)
            lines = _wrapped(font, text, width)
            if len(lines) <= lines_wanted and all(font.getlength(li) <= width for li in lines):
                return trying, lines
    return 40, _wrapped(_font(language, 40), text, width)[:most]


CLOSING = set(",;!?)，、。：；！？）」』…")  # never the first of a line


def _wrapped(font: Any, text: str, width: int) -> list[str]:
    """Lines no wider than `width`: Latin words kept whole, Chinese broken anywhere."""
    import re

    lines: list[str] = []
    line = ""
    for piece in re.findall(r"[A-Za-z0-9/_.:'\-–]+|\s+|.", text):
        trial = line + piece
        if font.getlength(trial) <= width or not line.strip() or piece in CLOSING:
            line = trial
            continue
        lines.append(line.rstrip())
        line = piece.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _balanced(font: Any, text: str, width: int) -> list[str]:
    """As few lines as at `width`, each as short as that allows: no lone character on the
    last line (號 / 碼)."""
    lines = _wrapped(font, text, width)
    while len(lines) > 1 and width > 200:
        narrower = _wrapped(font, text, width - 24)
        if len(narrower) > len(lines):
            break
        lines, width = narrower, width - 24
    return lines


_FONTS: dict[tuple[str, int], Any] = {}


def _font(language: str, size: int) -> Any:
    found = _FONTS.get((language, size))
    if found is None:
        from PIL import ImageFont

        from handlers.office import faces
        face = faces.of(language)[0]
        found = _FONTS[(language, size)] = ImageFont.truetype(
            str(faces.font_files()[face]), size)
    return found


# --- at LINE ----------------------------------------------------------------------------

_LOCKS: weakref.WeakKeyDictionary[Any, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


def _lock(db: Any, key: str) -> asyncio.Lock:
    """One making of a kind of menu at a time in this process (other workers: see made)."""
    return _LOCKS.setdefault(db, {}).setdefault(key, asyncio.Lock())


async def made(api: Any, db: Any, menu: Menu, now: datetime | None = None) -> str:
    """The id at LINE of the menu, made there (its object, then its image) unless the
    database keeps one of the same digest; a menu it replaced is deleted."""
    async with _lock(db, menu.key):
        async with db.reading() as conn:
            kept = await store.get(conn, menu.key)
        if kept is not None and kept.digest == menu.digest:
            return kept.menu_id
        from linebot.v3.messaging import RichMenuRequest  # type: ignore[import-untyped]
        image = await asyncio.to_thread(image_of, menu)  # ~0.3 s of drawing: off the loop
        made_id = (await api.messaging.create_rich_menu(
            RichMenuRequest.from_dict(menu.request()))).rich_menu_id
        try:
            await api.blob.set_rich_menu_image(made_id, image,
                                               _headers={"Content-Type": "image/png"})
        except BaseException:
            await _delete(api, made_id)
            raise
        async with db.transaction() as conn:
            menu_id, replaced = await store.put(conn, menu.key, made_id, menu.digest,
                                                now or datetime.now(UTC))
        if menu_id != made_id:  # another worker made it first: theirs is linked
            await _delete(api, made_id)
        if replaced is not None and replaced != menu_id:
            await _delete(api, replaced)
        log.info("made the LINE menu %s: %s", menu.name, menu_id)
        return menu_id


async def _delete(api: Any, menu_id: str) -> bool:
    """False when LINE no longer had it (deleted by hand in LINE's console, say)."""
    from linebot.v3.messaging import ApiException
    try:
        await api.messaging.delete_rich_menu(menu_id)
    except ApiException as exc:
        if exc.status != 404:
            raise
        return False
    return True


async def link(api: Any, db: Any, user_id: str, tr: Tr, role: str | None,
               lives_here: bool = False) -> None:
    """The person's menu linked to them (made at LINE the first time). Best effort: a menu
    that fails to change is not worth failing the person's action for."""
    from linebot.v3.messaging import ApiException
    menu = plan(tr, role, lives_here)
    try:
        menu_id = await made(api, db, menu)
        try:
            await api.messaging.link_rich_menu_id_to_user(user_id, menu_id)
        except ApiException as exc:
            if exc.status not in (400, 404) or await _exists(api, menu_id):
                raise
            # deleted at LINE behind the desk's back: made anew, once
            async with db.transaction() as conn:
                await store.forget(conn, menu.key, menu_id)
            await api.messaging.link_rich_menu_id_to_user(user_id, await made(api, db, menu))
    except Exception as exc:  # the SDK's faults, the network's, a timeout
        log.warning("could not link the LINE menu %s to %s: %s", menu.key, user_id, exc)


async def _exists(api: Any, menu_id: str) -> bool:
    from linebot.v3.messaging import ApiException
    try:
        await api.messaging.get_rich_menu(menu_id)
    except ApiException as exc:
        if exc.status in (400, 404):
            return False
        raise
    return True


async def set_default(api: Any, db: Any, tr: Tr) -> str:
    """The menu of people the desk does not know yet (a new follower): a stranger's, in the
    estate's language (`tr`): /start and /language."""
    menu_id = await made(api, db, plan(tr, None))
    await api.messaging.set_default_rich_menu(menu_id)
    return menu_id


async def tidy(api: Any, db: Any, menus: list[Menu]) -> list[str]:
    """Deletes at LINE the desk's menus that are no longer any kind's (made before a change,
    or of a kind that went), and forgets the kinds that went. The names deleted."""
    wanted = {m.key for m in menus}
    async with db.reading() as conn:
        kept = await store.every(conn)
    async with db.transaction() as conn:
        for gone in (k for k in kept if k.key not in wanted):
            await store.forget(conn, gone.key, gone.menu_id)
    linked = {k.menu_id for k in kept if k.key in wanted}
    deleted = []
    for found in (await api.messaging.get_rich_menu_list()).richmenus:
        if found.name.startswith(PREFIX) and found.rich_menu_id not in linked:
            if await _delete(api, found.rich_menu_id):
                deleted.append(found.name)
    return deleted
