"""What a person did, whatever app they did it in: a turn of the conversation. A channel's
adapter makes one of each update it receives; the area flows read nothing else of it."""

from __future__ import annotations

import abc
import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from handlers.channels.content import Asking, Choices, Limits
from handlers.channels.outcomes import Fault
from storage.records import Account


@dataclass(frozen=True, slots=True)
class Voice:
    """A voice note, an audio file or a round video: as a draft keeps it."""
    kind: str
    ref: str
    seconds: int

    def as_dict(self) -> dict:
        return {"kind": self.kind, "file_id": self.ref, "seconds": self.seconds}


@dataclass(frozen=True, slots=True)
class Contact:
    """A shared contact: a phone number, a name, and whose account it is (None: someone else's
    card, or not said)."""
    phone: str
    first_name: str
    last_name: str | None
    account: str | None


@dataclass(slots=True)
class Turn:
    """One thing a person did. `channel` answers them; `event` is the channel's own id of it
    (replay protection keys on it); `account` is the chat account they wrote from (the
    channel's name and its id of the person) and `address` where replies go; `card` is the
    message whose choice they tapped."""
    channel: Channel
    event: int | str
    account: Account
    address: Any
    private: bool = True
    language: str | None = None
    first_name: str = ""
    last_name: str | None = None
    text: str | None = None
    caption: str | None = None
    command: str | None = None
    args: list[str] = field(default_factory=list)
    token: str | None = None
    card: Any = None
    photos: tuple[str, ...] = ()
    album: str | None = None
    voice: Voice | None = None
    document: str | None = None
    contact: Contact | None = None
    location: tuple[float, float] | None = None
    tap: Any = None  # the adapter's own handle on a tapped choice (its spinner, its toast)

    @property
    def tapped(self) -> bool:
        return self.token is not None


class Channel(abc.ABC):
    """A chat app's adapter, as the flows use it."""

    name: str
    limits: Limits

    @abc.abstractmethod
    async def send(self, address: Any, text: str, choices: Choices | None = None,
                   asking: Asking | None = None) -> Any:
        """A message; its reference (for an edit), or None if the app gives none."""

    @abc.abstractmethod
    async def edit(self, address: Any, ref: Any, text: str, choices: Choices | None) -> bool:
        """A sent message changed; False where it cannot be (the caller sends it anew)."""

    @abc.abstractmethod
    async def set_choices(self, turn: Turn, choices: Choices | None) -> None:
        """The tapped message's choices replaced (None: taken away, so it cannot be tapped
        again); a message already changed so (a double tap) is fine."""

    @abc.abstractmethod
    async def toast(self, turn: Turn, text: str) -> None:
        """A short notice on the tapped choice (an app without them shows a message)."""

    @abc.abstractmethod
    async def done(self, turn: Turn) -> None:
        """The tap answered (the app's spinner stops)."""

    @abc.abstractmethod
    async def send_photos(self, address: Any, photos: list[Any],
                          caption: str | None = None) -> None:
        """Photos: those the app keeps (by its own reference), or bytes the desk made (a
        chart); the caption under the first."""

    @abc.abstractmethod
    async def send_document(self, address: Any, document: Any, filename: str | None = None,
                            caption: str | None = None, choices: Choices | None = None) -> None:
        """A file: bytes or an open file the desk made, or one the app keeps (its
        reference); with choices under it, where the app can."""

    @abc.abstractmethod
    async def send_recording(self, address: Any, recording: Voice,
                             caption: str | None = None) -> None:
        """A voice note, an audio file or a round video the app keeps (its reference), as the
        person sent it; the caption where the app shows one with that kind."""

    async def send_stored(self, address: Any, text: str, markup: dict) -> None:
        """A reply an earlier version stored with this app's own buttons (before replies
        were kept as content). An app added since has none such."""
        raise ValueError(f"no reply was stored in {self.name}'s own form")

    @abc.abstractmethod
    def classify(self, exc: BaseException) -> Fault | None:
        """What a fault of a send means for the outbox; None when it is not the app's (the
        outbox then takes it for a message that cannot be rendered)."""

    @abc.abstractmethod
    async def fetch(self, ref: str) -> bytes:
        """A photo or a file the person sent, as bytes."""

    @abc.abstractmethod
    async def set_menu(self, address: Any, tr: Any, role: str | None,
                       lives_here: bool = False) -> None:
        """The person's menu of commands, by role and language, where the app has one."""

    def sending(self, message_id: int, kind: str) -> contextlib.AbstractContextManager:
        """Around the sends of one outbox message (its id and kind): an app whose sends can
        carry the message's identity (LINE's retry key) or counts them by kind uses it."""
        return contextlib.nullcontext()

    def address_of(self, external_id: str) -> Any:
        """Where to write to an account of this channel (its id, as the channel takes it)."""
        return external_id

    def passing(self, exc: BaseException) -> bool:
        """A fault worth trying again later (the reply then goes through the outbox)."""
        return False

    def wait_for(self, exc: BaseException) -> timedelta | None:
        """How long the app asked to wait before trying again, if it said."""
        return None

    def failing(self, exc: BaseException) -> bool:
        """Any fault talking to the app (the network, the app busy or refusing)."""
        return False
