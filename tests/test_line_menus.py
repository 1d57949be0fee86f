"""LINE's rich menus: each role's and a stranger's, in each language, carry the commands the
desk answers for that role, in that language's words, on a picture LINE takes; made at LINE
once per kind and shared, made anew when what they show changes.

LINE itself is a small fake at the HTTP level (its rich-menu paths and JSON), reached through
the SDK's real client."""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import re
import socket
import threading
from dataclasses import replace
from types import SimpleNamespace

import pytest
import uvicorn
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import cli_line_menus
from bot.app import DOORS
from handlers import menus as telegram_menus
from handlers.channels.line import menus
from handlers.i18n import Tr
from storage import accounts, people, roster
from storage.channels import line_menus as store
from storage.records import Account, Person
from tests import backends
from tests.harness import START
from workflow import access, roles
from workflow.settings import LANGUAGES, EstateSettings

TOKEN = "menus-test-token"
ANN = "U" + "a" * 32  # LINE user ids: "U" and 32 hex digits
BEN = "U" + "b" * 32
CARL = "U" + "c" * 32
KINDS = [(None, False)] + [(r.value, False) for r in roles.Role] + \
        [(r, True) for r in roles.STAFF_ROLES]


class FakeLine:
    """LINE's rich-menu API as a desk sees it: menus made, their pictures, who is linked to
    which, the default; Bearer token checked; every call kept."""

    def __init__(self) -> None:
        self.menus: dict[str, dict] = {}
        self.images: dict[str, tuple[str, bytes]] = {}
        self.users: dict[str, str] = {}
        self.default: str | None = None
        self.calls: list[tuple[str, str]] = []
        self._ids = itertools.count(1)

    def made(self) -> int:
        return sum(1 for method, path in self.calls
                   if method == "POST" and path == "/v2/bot/richmenu")

    def add(self, name: str) -> str:
        """A menu someone made by hand (in LINE's console, say)."""
        menu_id = f"richmenu-{next(self._ids):032x}"
        self.menus[menu_id] = {"size": {"width": 2500, "height": 843}, "selected": False,
                               "name": name, "chatBarText": "Menu", "areas": []}
        return menu_id

    def __enter__(self) -> FakeLine:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        server = uvicorn.Server(uvicorn.Config(Starlette(routes=self._routes()),
                                               log_level="warning", lifespan="off"))
        self._server = server
        self._thread = threading.Thread(target=asyncio.run,
                                        args=(server.serve(sockets=[sock]),), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(10)

    def _routes(self) -> list[Route]:
        return [Route("/v2/bot/richmenu", self._create, methods=["POST"]),
                Route("/v2/bot/richmenu/list", self._list, methods=["GET"]),
                Route("/v2/bot/richmenu/{id}", self._one, methods=["GET", "DELETE"]),
                Route("/v2/bot/richmenu/{id}/content", self._content, methods=["POST"]),
                Route("/v2/bot/user/all/richmenu/{id}", self._default, methods=["POST"]),
                Route("/v2/bot/user/{user}/richmenu/{id}", self._link, methods=["POST"])]

    def _refused(self, request: Request) -> Response | None:
        self.calls.append((request.method, request.url.path))
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"message": "Authentication failed"}, 401)
        return None

    async def _create(self, request: Request) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        menu = await request.json()
        size, areas = menu["size"], menu["areas"]
        if size["width"] != 2500 or size["height"] not in (843, 1686) or \
                not 1 <= len(areas) <= 20 or len(menu["chatBarText"]) > 14:
            return JSONResponse({"message": "A message (richmenu) in the request body is "
                                            "invalid"}, 400)
        menu_id = f"richmenu-{next(self._ids):032x}"
        self.menus[menu_id] = menu
        return JSONResponse({"richMenuId": menu_id})

    async def _list(self, request: Request) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        return JSONResponse({"richmenus": [{"richMenuId": k, **v}
                                           for k, v in self.menus.items()]})

    async def _one(self, request: Request) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        menu_id = request.path_params["id"]
        if menu_id not in self.menus:
            return JSONResponse({"message": "Not found"}, 404)
        if request.method == "GET":
            return JSONResponse({"richMenuId": menu_id, **self.menus[menu_id]})
        del self.menus[menu_id]
        self.images.pop(menu_id, None)
        self.users = {u: m for u, m in self.users.items() if m != menu_id}
        return JSONResponse({})

    async def _content(self, request: Request) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        menu_id = request.path_params["id"]
        kind = request.headers.get("content-type", "")
        body = await request.body()
        if menu_id not in self.menus:
            return JSONResponse({"message": "Not found"}, 404)
        if menu_id in self.images:
            return JSONResponse({"message": "An image has already been uploaded to the "
                                            "richmenu"}, 400)
        if kind not in ("image/png", "image/jpeg") or len(body) > 1024 * 1024:
            return JSONResponse({"message": "invalid image"}, 400)
        self.images[menu_id] = (kind, body)
        return JSONResponse({})

    async def _default(self, request: Request) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        if (menu_id := request.path_params["id"]) not in self.images:
            return JSONResponse({"message": "richmenu not found"}, 404)
        self.default = menu_id
        return JSONResponse({})

    async def _link(self, request: Request) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        menu_id = request.path_params["id"]
        if menu_id not in self.menus:
            return JSONResponse({"message": "richmenu not found"}, 404)
        if menu_id not in self.images:
            return JSONResponse({"message": "must upload richmenu image before applying it "
                                            "to user"}, 400)
        if not re.fullmatch(r"U[0-9a-f]{32}", user := request.path_params["user"]):
            return JSONResponse({"message": "The value for the 'userId' parameter is "
                                            "invalid"}, 400)
        self.users[user] = menu_id
        return JSONResponse({})


class Clients:
    """What the desk's LineApi holds: the SDK's clients of the API and content hosts."""

    def __init__(self, url: str) -> None:
        self.client = AsyncApiClient(Configuration(access_token=TOKEN, host=url))
        self.messaging = AsyncMessagingApi(self.client)
        self.blob = AsyncMessagingApiBlob(self.client)

    async def close(self) -> None:
        await self.client.close()


@pytest.fixture
def line():
    with FakeLine() as fake:
        yield fake


@pytest.fixture
async def api(line):
    clients = Clients(line.url)
    yield clients
    await clients.close()


@pytest.fixture
async def db(tmp_path):
    database = backends.database(tmp_path / "desk.sqlite3")
    await database.open()
    yield database
    await database.close()


def tr(language: str) -> Tr:
    return Tr(language, None)


def command_routes() -> dict:
    """Every command a door answers, with its handler (which names its action)."""
    return {name: handler for door in DOORS for r in door.routes
            for name, handler in r.commands.items()}


# --- what each menu shows ---------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_every_role_has_a_menu_of_commands_it_may_use(language):
    """A resident, a clerk, a technician, a supervisor, every other role, staff who live
    here and a stranger: each tile is a command the desk answers and the role's rule admits,
    one of those Telegram's menu shows them, in Telegram's order (staff who live here: their
    flat's two after their work's), the last one /help."""
    answered = command_routes()
    for role, home in KINDS:
        menu = menus.plan(tr(language), role, home)
        person = None if role is None else Person(7, language, role, "Ann", None, True,
                                                   lives_here=home)
        telegram = [name for name, _ in telegram_menus.commands(tr(language), role, home)]
        shown = [t.command for t in menu.tiles]
        assert 3 <= len(shown) <= menus.MOST and shown[-1] == "help", (role, shown)
        for command in shown:
            handler = answered[command]
            assert access.role_admits(handler.access_action, person), (role, command)
        own = [c for c in shown if not (home and c in menus.OWN_FLAT)]
        assert [c for c in telegram if c in own] == own, (role, shown)  # in the same order
        assert set(shown) <= set(telegram)
        assert len(set(shown)) == len(shown)
    stranger = menus.plan(tr(language), None).tiles
    assert [t.command for t in stranger] == ["start", "language", "help"]
    assert stranger[0].note == tr(language)("Start, or join with the code from the office")
    assert [t.command for t in menus.plan(tr(language), roles.RESIDENT).tiles] == \
        ["repair", "complain", "mytickets", "fees", "activities", "help"]
    # a technician who lives here keeps their flat's two beside their jobs
    assert [t.command for t in menus.plan(tr(language), roles.TECHNICIAN, True).tiles] == \
        ["mytasks", "borrow", "repair", "mytickets", "language", "help"]


def test_a_menu_that_leaves_commands_out_ends_with_more_and_a_short_one_with_help():
    en = tr("en")
    assert menus.plan(en, roles.CLERK).tiles[-1].label == "More…"
    assert menus.plan(en, roles.STOREKEEPER).tiles[-1].label == "Help"
    assert menus.plan(en, roles.CASHIER).tiles[-1].label == "Help"  # all five of its own
    assert menus.plan(tr("zh_Hant"), roles.CLERK).tiles[-1].label == "更多…"


@pytest.mark.parametrize("language", LANGUAGES)
def test_labels_are_in_the_readers_language(language):
    han = re.compile(r"[\u4e00-\u9fff]")
    for role, home in KINDS:
        menu = menus.plan(tr(language), role, home)
        request = menu.request()
        assert menu.key == f"{role or 'stranger'}{'+home' if home else ''}:{language}"
        for tile, area in zip(menu.tiles, request["areas"], strict=True):
            if language == "en":
                assert not han.search(tile.label + tile.note), tile
            else:
                assert han.search(tile.label) and han.search(tile.note), tile
            action = area["action"]
            assert action == {"type": "postback", "label": tile.label[:20],
                              "data": "/" + tile.command, "displayText": tile.label}
    resident = [t.label for t in menus.plan(tr(language), roles.RESIDENT).tiles]
    assert resident[0] == {"zh_Hant": "我要報修", "zh_Hans": "我要报修",
                           "en": "Report a repair"}[language]
    assert menus.plan(tr(language), roles.CLERK).chat_bar == \
        {"zh_Hant": "選單", "zh_Hans": "菜单", "en": "Menu"}[language]


def test_the_tiles_cover_the_picture_without_overlapping():
    for role, home in KINDS:
        menu = menus.plan(tr("en"), role, home)
        assert menu.height == (menus.HALF if len(menu.tiles) <= 3 else menus.FULL)
        area = sum(t.width * t.height for t in menu.tiles)
        assert area == menus.WIDTH * menu.height
        for a, b in itertools.combinations(menu.tiles, 2):
            apart = (a.x + a.width <= b.x or b.x + b.width <= a.x or
                     a.y + a.height <= b.y or b.y + b.height <= a.y)
            assert apart, (role, a.command, b.command)


# --- the pictures -----------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_every_character_of_every_menu_is_in_its_face(language):
    """No tofu: each character a menu shows is in the face it is drawn in."""
    from fontTools.ttLib import TTFont

    from handlers.office import faces
    face = faces.font_files()[faces.of(language)[0]]
    cmap = TTFont(str(face), lazy=True).getBestCmap()
    for role, home in KINDS:
        for tile in menus.plan(tr(language), role, home).tiles:
            missing = {c for c in tile.label + tile.note if not c.isspace() and ord(c) not in cmap}
            assert not missing, (role, tile.command, missing)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pictures_are_lines_size_with_each_tile_written_on(language):
    from PIL import Image
    for role in (None, roles.RESIDENT, roles.CLERK, roles.TECHNICIAN, roles.MANAGER):
        menu = menus.plan(tr(language), role)
        png = menus.image_of(menu)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < menus.PNG_LIMIT
        picture = Image.open(io.BytesIO(png)).convert("L")
        assert picture.size == (2500, menu.height)
        for tile in menu.tiles:  # the label's dark ink on each tile
            inked = picture.crop((tile.x, tile.y, tile.x + tile.width, tile.y + tile.height))
            dark = sum(inked.histogram()[:80])
            assert dark > 3000, (role, tile.command, dark)


# --- at LINE ----------------------------------------------------------------------------

async def test_a_menu_is_made_once_and_shared_by_everyone_of_its_kind(line, api, db):
    """Ann, a resident, is the first: her menu is made at LINE (object, then picture) and
    kept; Ben, another resident reading Chinese, is linked to the same one; Carl reads
    English: his is another."""
    await menus.link(api, db, ANN, tr("zh_Hant"), roles.RESIDENT)
    assert line.made() == 1 and len(line.images) == 1
    menu_id = line.users[ANN]
    kind, picture = line.images[menu_id]
    assert kind == "image/png" and picture[:4] == b"\x89PNG"
    made = line.menus[menu_id]
    assert [a["action"]["data"] for a in made["areas"]][:3] == ["/repair", "/complain",
                                                                 "/mytickets"]
    async with db.reading() as conn:
        kept = await store.get(conn, "resident:zh_Hant")
    assert kept is not None and kept.menu_id == menu_id
    assert kept.digest == menus.plan(tr("zh_Hant"), roles.RESIDENT).digest

    await menus.link(api, db, BEN, tr("zh_Hant"), roles.RESIDENT)
    assert line.made() == 1 and line.users[BEN] == menu_id
    await menus.link(api, db, CARL, tr("en"), roles.RESIDENT)
    assert line.made() == 2 and line.users[CARL] != menu_id
    assert line.menus[line.users[CARL]]["areas"][0]["action"]["displayText"] == \
        "Report a repair"


async def test_a_changed_label_makes_a_new_menu_and_deletes_the_old(line, api, db,
                                                                    monkeypatch):
    await menus.link(api, db, ANN, tr("en"), roles.CLERK)
    old = line.users[ANN]
    monkeypatch.setitem(menus.LABELS, "queue", "Waiting tickets")
    await menus.link(api, db, BEN, tr("en"), roles.CLERK)  # a new Tr: the new words
    new = line.users[BEN]
    assert new != old and old not in line.menus and set(line.menus) == {new}
    assert line.menus[new]["areas"][0]["action"]["displayText"] == "Waiting tickets"
    async with db.reading() as conn:
        assert (await store.get(conn, "clerk:en")).menu_id == new
    await menus.link(api, db, CARL, tr("en"), roles.CLERK)
    assert line.made() == 2 and line.users[CARL] == new


async def test_a_worker_that_read_nothing_keeps_the_menu_another_stored_first(db,
                                                                               monkeypatch):
    """The race's other side, made certain: a second worker read no menu before the first
    committed its own; storing it now keeps the first's, so the second deletes what it made."""
    async with db.transaction() as conn:
        await store.put(conn, "supervisor:en", "richmenu-first", "d1", START)
    real_get = store.get
    reads = []

    async def read_before_the_other_committed(conn, key):
        reads.append(key)  # the first read is from before the first worker's commit
        return None if len(reads) == 1 else await real_get(conn, key)

    monkeypatch.setattr(store, "get", read_before_the_other_committed)
    async with db.transaction() as conn:
        kept, replaced = await store.put(conn, "supervisor:en", "richmenu-second", "d1", START)
    assert (kept, replaced) == ("richmenu-first", None)
    async with db.reading() as conn:
        assert (await real_get(conn, "supervisor:en")).menu_id == "richmenu-first"


async def test_two_workers_making_the_same_menu_keep_one(line, api, db, tmp_path):
    """Two workers of the estate link a supervisor each at the same moment: whichever keeps
    its menu first, the other's is deleted and both people have the one kept."""
    other = backends.database(tmp_path / "desk.sqlite3", getattr(db, "schema", None))
    await other.open()
    try:
        await asyncio.gather(menus.link(api, db, ANN, tr("en"), roles.SUPERVISOR),
                             menus.link(api, other, BEN, tr("en"), roles.SUPERVISOR))
    finally:
        await other.close()
    assert len(line.menus) == 1 and line.users[ANN] == line.users[BEN] in line.menus


async def test_a_menu_deleted_at_line_by_hand_is_made_again(line, api, db):
    await menus.link(api, db, ANN, tr("en"), roles.TECHNICIAN)
    first = line.users[ANN]
    del line.menus[first]  # someone tidied LINE's console
    await menus.link(api, db, BEN, tr("en"), roles.TECHNICIAN)
    assert line.users[BEN] != first and line.users[BEN] in line.menus


async def test_a_menu_line_refuses_is_logged_and_the_action_goes_on(line, api, db, caplog):
    await menus.link(api, db, "not-a-user", tr("en"), roles.RESIDENT)  # 400: logged
    assert line.users == {} and "could not link the LINE menu resident:en" in caplog.text
    broken = Clients(line.url)
    broken.client.configuration.access_token = "wrong"
    try:
        await menus.link(broken, db, CARL, tr("en"), roles.MANAGER)  # 401: logged, not raised
    finally:
        await broken.close()
    assert CARL not in line.users and "could not link the LINE menu manager:en" in caplog.text


async def test_a_stranger_sees_the_default_menu_in_the_estates_language(line, api, db):
    menu_id = await menus.set_default(api, db, tr("zh_Hant"))
    assert line.default == menu_id
    shown = [(a["action"]["data"], a["action"]["displayText"])
             for a in line.menus[menu_id]["areas"]]
    assert shown == [("/start", "開始"), ("/language", "語言"), ("/help", "說明")]
    assert line.menus[menu_id]["size"] == {"width": 2500, "height": 843}


# --- estatedesk line menus --------------------------------------------------------------

def parsed(*words: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="estatedesk")
    group = parser.add_subparsers(dest="command").add_parser("line").add_subparsers(
        dest="action")
    cli_line_menus.add_parsers(group)
    return parser.parse_args(["line", "menus", *words])


async def test_the_office_previews_the_menus_without_line(tmp_path, db, capsys):
    settings = replace(EstateSettings(), languages=("en",))
    folder = tmp_path / "menus"
    assert await cli_line_menus._menus(parsed("--preview", str(folder)), None, settings, db,
                                       None) == 0
    drawn = sorted(p.name for p in folder.iterdir())
    assert len(drawn) == len(KINDS) and "resident-en.png" in drawn
    assert "clerk+home-en.png" in drawn and "stranger-en.png" in drawn
    assert f"{len(KINDS)} pictures in {folder}" in capsys.readouterr().out


async def test_line_menus_makes_every_menu_and_deletes_the_desks_old_ones(
        line, api, db, monkeypatch, capsys):
    stale = line.add("estatedesk resident:en 0123456789abcdef")
    theirs = line.add("the office's own spring menu")
    settings = replace(EstateSettings(), languages=("en",), default_language="en")
    monkeypatch.setattr(cli_line_menus, "open_api", lambda config: Clients(config.api_url))
    env, now = deployment(line.url), START
    assert await cli_line_menus._menus(parsed(), env, settings, db, now) == 0
    out = capsys.readouterr().out
    assert stale not in line.menus and theirs in line.menus
    # each role's and a stranger's; staff who live here: theirs when the first one needs it
    made = len(roles.Role) + 1
    assert len(line.menus) == made + 1 and len(line.images) == made
    assert f"{made} menus, {made} made now" in out
    assert "deleted the old estatedesk resident:en 0123456789abcdef" in out
    assert line.default is not None and \
        line.menus[line.default]["name"].startswith("estatedesk stranger:en ")

    await menus.link(api, db, ANN, tr("en"), roles.CASHIER)  # made already: linked at once
    assert line.made() == made
    assert await cli_line_menus._menus(parsed(), env, settings, db, now) == 0
    assert f"{made} menus, 0 made now, {made} already at LINE; 0 old" in \
        capsys.readouterr().out


async def test_line_menus_makes_the_menu_of_staff_who_live_here(line, db, monkeypatch,
                                                                 capsys):
    """Dana, a clerk who lives in A 12F-3 and reads Simplified Chinese: her menu with her
    flat's two is made too (the other roles' at home wait for their first person)."""
    async with db.transaction() as conn:
        dana = await accounts.enter(conn, Account("line", ANN), "zh_Hans", "Dana", START)
        await people.set_role(conn, dana.user_id, roles.CLERK)
        await people.link_unit(conn, dana.user_id, await roster.unit_id(conn, "A", "12F-3"),
                               START)
    settings = replace(EstateSettings(), languages=("zh_Hans",), default_language="zh_Hans")
    monkeypatch.setattr(cli_line_menus, "open_api", lambda config: Clients(config.api_url))
    assert await cli_line_menus._menus(parsed(), deployment(line.url), settings, db,
                                       START) == 0
    assert "made clerk+home:zh_Hans" in capsys.readouterr().out
    names = sorted(m["name"].split()[1] for m in line.menus.values())
    assert [n for n in names if "+home" in n] == ["clerk+home:zh_Hans"]


async def test_line_menus_without_line_set_says_so(db, capsys):
    settings = replace(EstateSettings(), languages=("en",))
    assert await cli_line_menus._menus(parsed(), deployment(None), settings, db, START) == 2
    assert "LINE is not set" in capsys.readouterr().err


def deployment(url: str | None) -> SimpleNamespace:
    """The deployment's settings as bot/config.py reads them: LINE's, or none."""
    line = None if url is None else SimpleNamespace(secret="s", token=TOKEN, api_url=url,
                                                     data_url=url)
    return SimpleNamespace(line=line)
