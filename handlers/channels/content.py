"""What a person is shown, whatever app they read it in: a text, its choices, and what the
desk asks them to send. A channel's adapter turns it into that app's messages and buttons."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache

Rows = tuple[tuple[tuple[str, str], ...], ...]
MAX_TOKEN = 64  # bytes: a choice's token is opaque, and no longer (Telegram's callback data)


@dataclass(frozen=True, slots=True)
class Choices:
    """Buttons under a text, in rows: (label, token). The token comes back when tapped."""
    rows: Rows

    def __len__(self) -> int:
        return sum(len(row) for row in self.rows)

    def __bool__(self) -> bool:  # as len() > 0, without counting (asked at every send)
        return any(self.rows)

    def tokens(self) -> list[str]:
        return [token for row in self.rows for _, token in row]

    def as_lists(self) -> list[list[list[str]]]:
        """As stored (the outbox keeps a reply's choices as JSON)."""
        return [[[label, token] for label, token in row] for row in self.rows]


# A menu or a step's buttons come back again and again; a ticket's own (its number in the
# tokens) seldom: 512 keep the first, and a long day of the second stays ~2 MiB, not ~16.
KEPT = 512


@lru_cache(maxsize=KEPT)
def _built(rows: Rows) -> Choices:
    return Choices(rows)


def choices(rows: list[list[tuple[str, str]]] | list[list[list[str]]]) -> Choices:
    """The same rows give the same object: an adapter keeps its own form of it once."""
    return _built(tuple(tuple((label, token) for label, token in row) for row in rows))


class Ask(enum.Enum):
    """What the desk asks a person to send with a button of their app, where it has one."""
    PHOTO = "photo"
    LOCATION = "location"
    DATETIME = "datetime"
    CONTACT = "contact"


@dataclass(frozen=True, slots=True)
class Asking:
    """An ask shown with a text: the button's label (None: the ask is over, its button goes)."""
    what: Ask | None
    label: str = ""
    also: str = ""  # a second button's label, where the app has two (LINE: the camera roll)


ASKED = Asking(None)  # the person answered: the app's ask button is taken away


def kept(found: Choices | None, asking: Asking | None) -> dict | None:
    """A reply's choices and ask as the outbox keeps them, for one that goes later."""
    stored: dict = {"choices": found.as_lists()} if found else {}
    if asking is not None:
        stored |= {"ask": asking.what.value if asking.what else None, "label": asking.label,
                   "also": asking.also}
    return stored or None


def restored(payload: dict) -> tuple[Choices | None, Asking | None]:
    """What `kept` stored, back as the choices and the ask."""
    found, asking = payload.get("choices"), None
    if payload.get("ask", "") != "":
        what = payload["ask"]
        asking = Asking(Ask(what) if what else None, payload.get("label", ""),
                        payload.get("also", ""))
    return (choices(found) if found else None), asking


@dataclass(frozen=True, slots=True)
class Limits:
    """What a channel can show: how many choices fit under one message, whether a sent
    message can be changed, how long a text or a caption may be (in UTF-16 units, as both
    Telegram and LINE count), whether answering a person costs nothing, and whether a
    person can share their own verified phone number (LINE cannot: they join by a unit's
    code or a clerk's approval)."""
    choices: int
    edits: bool
    text: int
    caption: int
    free_replies: bool
    contact: bool = True


def pages(found: Choices, limit: int) -> list[Choices]:
    """The choices in groups of at most `limit`, for a channel that shows no more under one
    message (LINE's quick replies: 13): rows are kept whole where they fit, and a row longer
    than a group is split."""
    groups: list[list[tuple[tuple[str, str], ...]]] = [[]]
    size = 0
    for row in found.rows:
        for start in range(0, len(row), limit):
            part = row[start:start + limit]
            if size + len(part) > limit and groups[-1]:
                groups.append([])
                size = 0
            groups[-1].append(part)
            size += len(part)
    return [Choices(tuple(group)) for group in groups if group]
