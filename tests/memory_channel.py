"""A second chat app, in memory: the test that the desk's seam holds. It is as plain as a
chat app gets: it cannot change a message once sent, shows at most 13 choices under one
(LINE's quick replies), counts text as LINE does, and has no alert on a tapped choice. The
desk's flows run on it unchanged (tests/test_second_channel.py)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from handlers.channels.content import Asking, Choices, Limits, pages
from handlers.channels.outcomes import Fault, Verdict
from handlers.channels.turns import Channel, Contact, Turn, Voice
from storage.records import Account

MEMORY = "memory"


@dataclass
class Shown:
    """One message as the person's app shows it."""
    text: str
    choices: Choices | None = None
    asking: Asking | None = None
    photos: tuple[Any, ...] = ()
    document: Any = None


class MemoryChannel(Channel):
    name = MEMORY
    limits = Limits(choices=13, edits=False, text=5000, caption=1000, free_replies=True)

    def __init__(self, contact: bool = True) -> None:
        if not contact:  # an app with no phone share, as LINE: people join by a unit's code
            self.limits = Limits(choices=13, edits=False, text=5000, caption=1000,
                                 free_replies=True, contact=False)
        self.chats: dict[str, list[Shown]] = {}
        self.menus: dict[str, tuple[str | None, bool]] = {}
        self.files: dict[str, bytes] = {}
        self.failing_next: dict[str, Exception] = {}

    def _show(self, address: Any, shown: Shown) -> int:
        fault = self.failing_next.pop(str(address), None)
        if fault is not None:
            raise fault
        chat = self.chats.setdefault(str(address), [])
        chat.append(shown)
        return len(chat)

    async def send(self, address: Any, text: str, choices: Choices | None = None,
                   asking: Asking | None = None) -> Any:
        assert len(text.encode("utf-16-le")) // 2 <= self.limits.text
        groups = pages(choices, self.limits.choices) if choices else [None]
        ref = 0
        for n, group in enumerate(groups):  # more choices than fit: in several messages
            ref = self._show(address, Shown(text if n == 0 else "…", group, asking))
        return ref

    async def edit(self, address: Any, ref: Any, text: str, choices: Choices | None) -> bool:
        return False

    async def set_choices(self, turn: Turn, choices: Choices | None) -> None:
        if choices is not None:  # the fresh state, as a new message: the old one stays
            await self.send(turn.address, "…", choices)

    async def toast(self, turn: Turn, text: str) -> None:
        await self.send(turn.address, text)

    async def done(self, turn: Turn) -> None:
        return None

    async def send_photos(self, address: Any, photos: list[Any],
                          caption: str | None = None) -> None:
        self._show(address, Shown(caption or "", photos=tuple(photos)))

    async def send_document(self, address: Any, document: Any, filename: str | None = None,
                            caption: str | None = None, choices: Choices | None = None) -> None:
        self._show(address, Shown(caption or "", choices, document=filename or document))

    async def fetch(self, ref: str) -> bytes:
        return self.files[ref]

    async def set_menu(self, address: Any, tr: Any, role: str | None,
                       lives_here: bool = False) -> None:
        self.menus[str(address)] = (role, lives_here)

    async def send_recording(self, address: Any, recording: Voice,
                             caption: str | None = None) -> None:
        self._show(address, Shown(caption or "", document=recording.ref))

    def classify(self, exc: BaseException) -> Fault | None:
        if isinstance(exc, ConnectionError):
            return Fault(Verdict.RETRY, f"the app is away: {exc}")
        if isinstance(exc, PermissionError):  # the person left the app
            return Fault(Verdict.UNREACHABLE, f"unreachable: {exc}")
        return None

    def passing(self, exc: BaseException) -> bool:
        return isinstance(exc, ConnectionError)

    def failing(self, exc: BaseException) -> bool:
        return isinstance(exc, ConnectionError)


_events = itertools.count(1)


@dataclass
class MemoryPerson:
    """Someone using the desk from the in-memory app: they type, send photos, share their
    contact, and tap only what their app shows them."""
    channel: MemoryChannel
    handle: Any  # the dispatcher's handle(turn)
    external_id: str
    first_name: str
    language: str = "en"
    seen: int = 0  # messages read so far (new_texts)
    last_turn: Turn | None = field(default=None, repr=False)

    @property
    def account(self) -> Account:
        return Account(MEMORY, self.external_id)

    @property
    def shown(self) -> list[Shown]:
        return self.channel.chats.get(self.external_id, [])

    def texts(self) -> list[str]:
        return [s.text for s in self.shown]

    @property
    def last_text(self) -> str:
        return next((s.text for s in reversed(self.shown) if s.text != "…"), "")

    def new_texts(self) -> list[str]:
        found, self.seen = self.texts()[self.seen:], len(self.shown)
        return found

    def labels(self) -> list[str]:
        """The choices of the last message that has any."""
        for shown in reversed(self.shown):
            if shown.choices:
                return [label for row in shown.choices.rows for label, _ in row]
        return []

    def _turn(self, **what: Any) -> Turn:
        return Turn(self.channel, f"ev-{next(_events)}", self.account, self.external_id,
                    language=self.language, first_name=self.first_name, **what)

    async def _do(self, turn: Turn) -> None:
        self.last_turn = turn
        await self.handle(turn)

    async def send(self, text: str) -> None:
        command, args = None, []
        if text.startswith("/"):
            head, *args = text[1:].split()
            command = head.lower()
        await self._do(self._turn(text=text, command=command, args=args))

    async def send_photo(self, ref: str, caption: str | None = None) -> None:
        await self._do(self._turn(photos=(ref,), caption=caption))

    async def share_contact(self, phone: str) -> None:
        await self._do(self._turn(contact=Contact(phone, self.first_name, None,
                                                  self.external_id)))

    def _token(self, found: Any) -> str:
        for shown in reversed(self.shown):
            for row in shown.choices.rows if shown.choices else ():
                for label, token in row:
                    if found(label, token):
                        return token
        raise AssertionError(f"not shown to {self.first_name}: {self.labels()}")

    async def tap(self, label: str) -> None:
        await self._do(self._turn(token=self._token(lambda lb, _: lb == label)))

    async def tap_starting(self, prefix: str) -> None:
        await self._do(self._turn(token=self._token(lambda _, tk: tk.startswith(prefix))))

    async def again(self) -> None:
        """The app delivers the last event again (a redelivery after a crash)."""
        assert self.last_turn is not None
        await self.handle(self.last_turn)
