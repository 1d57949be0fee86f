"""Messages a channel held back to save its pushes (LINE near its month's cap: workflow/
line_budget.py): each rendered as its notice would be, as text, then shown another way and
marked sent: folded into one "While you were away" message in the person's next reply on
LINE (free), or listed in /mytickets. Whichever comes first shows them; none is shown
twice, none dropped."""

from __future__ import annotations

import logging
import weakref
from typing import Any

from handlers.channels.content import Asking, Choices, Limits
from handlers.channels.outcomes import Fault
from handlers.channels.turns import Channel, Turn, Voice
from handlers.common import Desk, fit, utf16_len
from handlers.i18n import Tr
from handlers.renderers import Notice, render
from storage.db import Database
from storage.records import OutboxMessage
from workflow import delivery, views

log = logging.getLogger(__name__)
TEXT = 5000  # LINE's longest text: a fold longer than this goes in several messages


class _Capture(Channel):
    """A channel that only listens: what a notice says, as text (its buttons are for the
    card the person can open; a photo or a file is said to be there)."""
    name = "held"
    limits = Limits(choices=13, edits=False, text=TEXT, caption=1000, free_replies=True)

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.media = False

    async def send(self, address: Any, text: str, choices: Choices | None = None,
                   asking: Asking | None = None) -> Any:
        self.texts.append(text)
        return len(self.texts)

    async def edit(self, address: Any, ref: Any, text: str, choices: Choices | None) -> bool:
        return False

    async def set_choices(self, turn: Turn, choices: Choices | None) -> None:
        return None

    async def toast(self, turn: Turn, text: str) -> None:
        self.texts.append(text)

    async def done(self, turn: Turn) -> None:
        return None

    async def send_photos(self, address: Any, photos: list[Any],
                          caption: str | None = None) -> None:
        self.media = True

    async def send_document(self, address: Any, document: Any, filename: str | None = None,
                            caption: str | None = None, choices: Choices | None = None) -> None:
        self.media = True
        if caption:
            self.texts.append(caption)

    async def send_recording(self, address: Any, recording: Voice,
                             caption: str | None = None) -> None:
        self.media = True

    def classify(self, exc: BaseException) -> Fault | None:
        return None

    async def fetch(self, ref: str) -> bytes:
        raise LookupError("a held message is only read")

    async def set_menu(self, address: Any, tr: Any, role: str | None,
                       lives_here: bool = False) -> None:
        return None


async def _text_of(d: Desk, message: OutboxMessage) -> str | None:
    """The message as text in its recipient's language; None when it cannot be rendered
    (it stays held, and goes out as a push at the month's turn)."""
    assert message.recipient is not None
    tr = d.tr(message.recipient.language)
    capture = _Capture()
    try:
        file = await views.ticket_file(d.db, message.ticket_id, None) \
            if message.ticket_id is not None else None
        await render(Notice(capture, message.address, d, tr, message, message.recipient,
                            file))
    except Exception:
        log.exception("held message %s (%s) could not be rendered", message.id, message.kind)
        return None
    text = "\n".join(t for t in capture.texts if t.strip())
    if capture.media:
        text += "\n" + tr("(With photos or a file: open the ticket in /mytickets.)")
    return text


# The estates (their databases) with a channel that may hold messages back: LINE's budget
# says so of its own. Elsewhere nothing is ever held, and /mytickets reads nothing more.
_HOLDING: weakref.WeakSet[Database] = weakref.WeakSet()


def may_hold(db: Database) -> None:
    _HOLDING.add(db)


async def take(d: Desk, person_id: int) -> list[str]:
    """The person's held messages as texts, oldest first, marked sent: the caller shows
    them now (a reply, /mytickets)."""
    if d.db not in _HOLDING:
        return []
    held = [m for m in await delivery.held_of(d.db, person_id) if m.recipient is not None]
    if not held:
        return []
    texts = {m.id: text for m in held if (text := await _text_of(d, m)) is not None}
    shown = await delivery.held_shown(d.db, [m for m in held if m.id in texts], d.now())
    return [texts[i] for i in shown]


def folded(tr: Tr, texts: list[str], limit: int = TEXT, head: str | None = None) -> list[str]:
    """Held texts in one message headed "While you were away" (or `head`), or in as few as
    fit."""
    if not texts:
        return []
    head = head or tr("While you were away:")
    found: list[str] = []
    current = head
    for text in texts:
        piece = "\n\n" + text
        if current != head and utf16_len(current) + utf16_len(piece) > limit:
            found.append(current)
            current = head
        current += piece
    found.append(current)
    return [fit(text, limit) for text in found]

