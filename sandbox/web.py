"""The sandbox's page and the few JSON routes behind it: what each persona's phone shows, and
what a person does on it (type, tap, share the contact or a place, send a photo, switch the
language), and the demo clock. A persona is on Telegram or on LINE: the same routes drive
either app's phone."""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

from starlette.datastructures import Headers, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from sandbox.bot_api import BotApiStandIn
from sandbox.chats import as_sent
from sandbox.clock import DemoClock
from sandbox.line_api import LineApiStandIn
from sandbox.line_phones import LinePhone
from sandbox.phones import LANGUAGE_CODES, NoSuchButton, Persona, Phone

STATIC = Path(__file__).parent / "static"
MAX_TEXT = 4096  # what a Telegram client lets one type
MAX_LINE_TEXT = 5000  # what LINE's app lets one type
LINE_LOOK_SECONDS = 0.25
MAX_PHOTO = 10 * 2 ** 20
STATE_WAIT_SECONDS = 20.0
PICTURES = ("image/jpeg", "image/png", "image/webp", "image/gif")
SOUNDS = ("audio/ogg", "audio/mpeg", "audio/mp4", "audio/x-m4a", "audio/wav", "audio/webm",
          "audio/x-wav", "audio/aac")


# What the page's routes refuse, by code: the page says it in the person's language; the
# English is for anyone calling the routes by hand.
REFUSALS = {
    "setting_up": "the demo estate is still being set up",
    "not_json": "send a JSON object",
    "no_persona": "no such persona",
    "empty": "type something first",
    "too_long": f"a message holds at most {MAX_TEXT} characters",
    "no_button": "that button is not on that message (any more)",
    "no_phone": "this persona has no phone number",
    "not_on_line": "only a persona on LINE shares a place this way",
    "not_picture": "choose a picture (JPEG, PNG, WebP or GIF) or a sound file (a voice note)",
    "too_big": "a photo of at most 10 MB",
    "language": "zh_Hant, zh_Hans or en",
    "persona_fields": "a name and a phone number",
    "hours": "1 hour or 24",
    "elsewhere": "the sandbox answers only its own page, at the address it was opened at",
}


class OwnPageOnly:
    """Only the sandbox's own page may use it (ASGI middleware around the whole app). A Host
    that is a domain name is refused: a site that points its name at 127.0.0.1 (DNS
    rebinding) would otherwise read and drive the demo from a visitor's browser; an IP
    address, localhost and the --listen name are what a person types. A request that changes
    something and comes from a page of another origin (its browser says so in Origin) is
    refused too."""

    def __init__(self, app, listen: str) -> None:
        self.app, self.listen = app, listen

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and not self._allowed(Headers(scope=scope), scope["method"]):
            await _refusal("elsewhere", 403)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _allowed(self, headers: Headers, method: str) -> bool:
        host = headers.get("host", "")
        try:
            name = urlsplit(f"//{host}").hostname or ""
        except ValueError:
            return False
        if not _typed_by_a_person(name, self.listen):
            return False
        origin = headers.get("origin")
        return method in ("GET", "HEAD") or origin is None or origin == f"http://{host}"


def _typed_by_a_person(name: str, listen: str) -> bool:
    if name in ("localhost", listen.lower()):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class BadRequest(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(REFUSALS[code])
        self.code = code


def _refusal(code: str, status: int) -> JSONResponse:
    return JSONResponse({"error": REFUSALS[code], "code": code}, status_code=status)


class Sandbox:
    def __init__(self, api: BotApiStandIn, clock: DemoClock, people: list[Persona],
                 shown: list[int], advanced: Callable[[], Awaitable[None]],
                 line: LineApiStandIn | None = None, line_public_url: str = "") -> None:
        self.api, self.clock, self.people, self.line = api, clock, people, line
        self.line_public_url = line_public_url  # the desk's, in what it sends LINE
        self.shown = shown  # the phones on the page at first, by user id
        self.advanced = advanced  # the desk looks at the clock again: the sweep runs
        self.ready = False  # the demo estate is seeded

    def routes(self) -> list[BaseRoute]:
        return [Route("/", self._index),
                Route("/api/state", self._state),
                Route("/api/file/{file_id}", self._file),
                Route("/api/line/content/{message_id}", self._line_content),
                Route("/api/say", self._guarded(self._say), methods=["POST"]),
                Route("/api/tap", self._guarded(self._tap), methods=["POST"]),
                Route("/api/contact", self._guarded(self._contact), methods=["POST"]),
                Route("/api/photo", self._guarded(self._photo), methods=["POST"]),
                Route("/api/location", self._guarded(self._location), methods=["POST"]),
                Route("/api/language", self._guarded(self._language), methods=["POST"]),
                Route("/api/persona", self._guarded(self._persona), methods=["POST"]),
                Route("/api/clock", self._guarded(self._clock), methods=["POST"]),
                Mount("/static", StaticFiles(directory=STATIC), name="static")]

    async def _index(self, request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    async def _state(self, request: Request) -> Response:
        try:
            since = int(request.query_params.get("since", "-1"))
        except ValueError:
            since = -1
        # The Bot API stand-in wakes the wait; the LINE one is looked at every quarter second.
        deadline = time.monotonic() + STATE_WAIT_SECONDS
        while self.version() <= since and time.monotonic() < deadline:
            await self.api.until(lambda: self.version() > since, LINE_LOOK_SECONDS)
        return JSONResponse(self.snapshot())

    def version(self) -> int:
        """Rises with every change to either app's chats (both stand-ins' counts rise)."""
        return self.api.version + (self.line.version if self.line else 0)

    def snapshot(self) -> dict:
        telegram = [p for p in self.people if p.channel != "line"]
        with self.api.lock:
            version = self.version()
            chats = {str(p.user_id): [self._shown(m) for m in self.api.history.get(
                p.user_id, [])] for p in telegram}
            toasts = {str(p.user_id): list(self.api.toasts.get(p.user_id, []))
                      for p in telegram}
            menus = {str(p.user_id): self.api.chats.menu(p.user_id,
                                                         LANGUAGE_CODES[p.language])
                     for p in telegram}
        line_menus = {}
        if self.line is not None:
            for person in (p for p in self.people if p.channel == "line"):
                phone = LinePhone(self.line, person)
                chats[str(person.user_id)] = self._from_line(phone.chat())
                line_menus[str(person.user_id)] = phone.menu()
        return {"version": version, "ready": self.ready, "clock": self.clock.as_json(),
                "personas": [p.as_json() for p in self.people], "shown": self.shown,
                "chats": chats, "toasts": toasts, "menus": menus, "line_menus": line_menus}

    def _from_line(self, chat: list[dict]) -> list[dict]:
        """The desk's addresses of its pictures and files (LINE's app shows LINE's copies)
        as the page's own: the desk's media are served by this same server."""
        if not self.line_public_url:
            return chat
        return json.loads(json.dumps(chat, ensure_ascii=False).replace(
            json.dumps(self.line_public_url)[1:-1] + "/", "/"))

    def _shown(self, message: dict) -> dict:
        """A message as the page draws it: the files as addresses of the page's own."""
        shown = as_sent(message)
        if "_keyboard" in message:
            shown["keyboard"] = message["_keyboard"]
        shown["outgoing"] = not message["from"].get("is_bot")
        for kind in ("photo", "document", "voice"):
            if kind in message:
                item = message[kind][-1] if kind == "photo" else message[kind]
                shown[f"{kind}_url"] = (f"/api/file/{item['file_id']}"
                                        if item["file_id"] in self.api.files else None)
        return shown

    async def _file(self, request: Request) -> Response:
        stored = self.api.files.get(request.path_params["file_id"])
        if stored is None:
            return JSONResponse({"error": "no such file"}, status_code=404)
        disposition = "inline" if stored.mime.startswith("image/") else "attachment"
        return Response(stored.data, media_type=stored.mime, headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.name)}"})

    async def _line_content(self, request: Request) -> Response:
        """What a person on LINE sent (a photo, a voice note), as their own phone shows it."""
        found = None
        if self.line is not None:
            with self.line.lock:
                found = self.line.chats.contents.get(request.path_params["message_id"])
        if found is None:
            return JSONResponse({"error": "no such file"}, status_code=404)
        return Response(found[0], media_type=found[1])

    def _guarded(self, action):
        async def endpoint(request: Request) -> Response:
            if not self.ready:
                return _refusal("setting_up", 503)
            try:
                return JSONResponse(await action(request) or {"ok": True})
            except BadRequest as exc:
                return _refusal(exc.code, 400)
            except NoSuchButton:
                return _refusal("no_button", 409)
        return endpoint

    async def _body(self, request: Request) -> dict:
        try:
            body = await request.json()
        except ValueError:
            raise BadRequest("not_json") from None
        if not isinstance(body, dict):
            raise BadRequest("not_json")
        return body

    def _phone(self, user) -> Phone | LinePhone:
        person = next((p for p in self.people if str(p.user_id) == str(user)), None)
        if person is None:
            raise BadRequest("no_persona")
        if person.channel == "line":
            if self.line is None:
                raise BadRequest("no_persona")
            return LinePhone(self.line, person)
        return Phone(self.api, person)

    async def _say(self, request: Request) -> None:
        body = await self._body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadRequest("empty")
        phone = self._phone(body.get("user"))
        if len(text) > (MAX_LINE_TEXT if isinstance(phone, LinePhone) else MAX_TEXT):
            raise BadRequest("too_long")
        if isinstance(phone, LinePhone):
            await phone.say(text)
        else:
            phone.say(text)

    async def _tap(self, request: Request) -> None:
        body = await self._body(request)
        phone = self._phone(body.get("user"))
        if isinstance(phone, LinePhone):  # a postback: a chip, a card's button, a menu area
            message_id, params = body.get("message_id"), body.get("params")
            if not isinstance(params, dict | None) or not isinstance(body.get("data"), str):
                raise BadRequest("no_button")
            await phone.tap(None if message_id is None else str(message_id), body["data"],
                            params)
            return
        try:
            message_id = int(body["message_id"])
        except (KeyError, TypeError, ValueError):
            raise BadRequest("no_button") from None
        phone.tap(message_id, str(body.get("data")))

    async def _contact(self, request: Request) -> None:
        phone = self._phone((await self._body(request)).get("user"))
        if isinstance(phone, LinePhone) or not phone.persona.phone:
            raise BadRequest("no_phone")  # LINE has no contact share
        phone.share_contact()

    async def _location(self, request: Request) -> None:
        phone = self._phone((await self._body(request)).get("user"))
        if not isinstance(phone, LinePhone):
            raise BadRequest("not_on_line")
        await phone.share_location()

    async def _photo(self, request: Request) -> None:
        form = await request.form(max_files=1, max_part_size=MAX_PHOTO)
        upload = form.get("photo")
        if not isinstance(upload, UploadFile) or upload.content_type not in PICTURES + SOUNDS:
            raise BadRequest("not_picture")
        data = await upload.read()
        if not data or len(data) > MAX_PHOTO:
            raise BadRequest("too_big")
        phone = self._phone(form.get("user"))
        if isinstance(phone, LinePhone):
            if upload.content_type in SOUNDS:
                await phone.send_voice(data, upload.content_type,
                                       seconds=max(1, len(data) // 4000))
            else:
                await phone.send_photo(data, upload.content_type)
            return
        if upload.content_type in SOUNDS:  # as a voice note: its length is a guess
            phone.send_voice(data, upload.content_type or "audio/ogg",
                             seconds=max(1, len(data) // 4000))
            return
        caption = form.get("caption")
        phone.send_photo(
            data, upload.content_type or "image/jpeg",
            caption[:1024] if isinstance(caption, str) else "")

    async def _language(self, request: Request) -> None:
        """As a person does it: /language, then the language's button."""
        body = await self._body(request)
        phone = self._phone(body.get("user"))
        language = body.get("language")
        if language not in LANGUAGE_CODES:
            raise BadRequest("language")
        phone.persona.language = language
        if isinstance(phone, LinePhone):  # the command as the rich menu sends it
            await phone.command("/language")
        else:
            await phone.send("/language")
        await phone.tap_starting(f"o:lang:{language}")

    async def _persona(self, request: Request) -> dict:
        """Another resident: on Telegram, one who starts with /start and shares a phone
        number; on LINE, one who adds the desk as a friend (and joins by a unit's code or
        name and unit, as LINE shares no phone number)."""
        body = await self._body(request)
        name = str(body.get("name") or "").strip()[:64]
        phone = str(body.get("phone") or "").strip()[:32]
        on_line = body.get("channel") == "line" and self.line is not None
        if not name or not (phone or on_line):
            raise BadRequest("persona_fields")
        language = str(body.get("language"))
        if language not in LANGUAGE_CODES:
            language = "zh_Hant"
        person = Persona(max(p.user_id for p in self.people) + 1, name, "resident",
                         language, "" if on_line else phone, "line" if on_line else "telegram")
        self.people.append(person)
        if self.line is not None and on_line:
            await LinePhone(self.line, person).follow()
        else:
            Phone(self.api, person).say("/start")
        return person.as_json()

    async def _clock(self, request: Request) -> dict:
        hours = (await self._body(request)).get("hours")
        if hours not in (1, 24):
            raise BadRequest("hours")
        self.clock.advance(hours)
        await self.advanced()
        self.api.touch()
        return self.clock.as_json()
