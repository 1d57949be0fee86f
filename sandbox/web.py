"""The sandbox's page and the few JSON routes behind it: what each persona's phone shows, and
what a person does on it (type, tap, share the contact, send a photo, switch the language),
and the demo clock."""

from __future__ import annotations

import ipaddress
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
from sandbox.phones import LANGUAGE_CODES, NoSuchButton, Persona, Phone

STATIC = Path(__file__).parent / "static"
MAX_TEXT = 4096  # what a Telegram client lets one type
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
                 shown: list[int], advanced: Callable[[], Awaitable[None]]) -> None:
        self.api, self.clock, self.people = api, clock, people
        self.shown = shown  # the phones on the page at first, by user id
        self.advanced = advanced  # the desk looks at the clock again: the sweep runs
        self.ready = False  # the demo estate is seeded

    def routes(self) -> list[BaseRoute]:
        return [Route("/", self._index),
                Route("/api/state", self._state),
                Route("/api/file/{file_id}", self._file),
                Route("/api/say", self._guarded(self._say), methods=["POST"]),
                Route("/api/tap", self._guarded(self._tap), methods=["POST"]),
                Route("/api/contact", self._guarded(self._contact), methods=["POST"]),
                Route("/api/photo", self._guarded(self._photo), methods=["POST"]),
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
        await self.api.until(lambda: self.api.version > since, STATE_WAIT_SECONDS)
        return JSONResponse(self.snapshot())

    def snapshot(self) -> dict:
        with self.api.lock:
            version = self.api.version
            chats = {str(p.user_id): [self._shown(m) for m in self.api.history.get(
                p.user_id, [])] for p in self.people}
            toasts = {str(p.user_id): list(self.api.toasts.get(p.user_id, []))
                      for p in self.people}
            menus = {str(p.user_id): self.api.chats.menu(p.user_id,
                                                         LANGUAGE_CODES[p.language])
                     for p in self.people}
        return {"version": version, "ready": self.ready, "clock": self.clock.as_json(),
                "personas": [p.as_json() for p in self.people], "shown": self.shown,
                "chats": chats, "toasts": toasts, "menus": menus}

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

    def _phone(self, user) -> Phone:
        person = next((p for p in self.people if str(p.user_id) == str(user)), None)
        if person is None:
            raise BadRequest("no_persona")
        return Phone(self.api, person)

    async def _say(self, request: Request) -> None:
        body = await self._body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadRequest("empty")
        if len(text) > MAX_TEXT:
            raise BadRequest("too_long")
        self._phone(body.get("user")).say(text)

    async def _tap(self, request: Request) -> None:
        body = await self._body(request)
        try:
            message_id = int(body["message_id"])
        except (KeyError, TypeError, ValueError):
            raise BadRequest("no_button") from None
        self._phone(body.get("user")).tap(message_id, str(body.get("data")))

    async def _contact(self, request: Request) -> None:
        phone = self._phone((await self._body(request)).get("user"))
        if not phone.persona.phone:
            raise BadRequest("no_phone")
        phone.share_contact()

    async def _photo(self, request: Request) -> None:
        form = await request.form(max_files=1, max_part_size=MAX_PHOTO)
        upload = form.get("photo")
        if not isinstance(upload, UploadFile) or upload.content_type not in PICTURES + SOUNDS:
            raise BadRequest("not_picture")
        data = await upload.read()
        if not data or len(data) > MAX_PHOTO:
            raise BadRequest("too_big")
        phone = self._phone(form.get("user"))
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
        await phone.send("/language")
        await phone.tap_starting(f"o:lang:{language}")

    async def _persona(self, request: Request) -> dict:
        """Another resident, who starts with /start and shares a phone number."""
        body = await self._body(request)
        name = str(body.get("name") or "").strip()[:64]
        phone = str(body.get("phone") or "").strip()[:32]
        if not name or not phone:
            raise BadRequest("persona_fields")
        language = str(body.get("language"))
        if language not in LANGUAGE_CODES:
            language = "zh_Hant"
        person = Persona(max(p.user_id for p in self.people) + 1, name, "resident",
                         language, phone)
        self.people.append(person)
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
