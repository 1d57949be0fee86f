"""Inline keyboards built once per set of buttons. A card's keyboard is the same for every
recipient who reads it in the same language and for every render of the same state, while
PTB builds a button object per button (about 140 µs for a card's six) and turns the
keyboard into its Bot API form again on every send (about 200 µs): here the Bot API form is
written straight from the rows, the button objects only built if something reads them, and
both kept for the next identical keyboard (most keyboards name a ticket, so most are new)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, TelegramObject

from handlers.channels.content import KEPT

Rows = tuple[tuple[tuple[str, str], ...], ...]


class Keyboard(InlineKeyboardMarkup):
    """An inline keyboard of callback buttons whose Bot API form is written once; its
    `inline_keyboard` (PTB's button objects) is built on first reading. Frozen like PTB's."""

    __slots__ = ("_rows", "_sent_form", "_buttons")

    def __init__(self, rows: Rows) -> None:
        TelegramObject.__init__(self)  # PTB's own __init__ would build every button now
        self._rows = rows
        self._buttons: tuple[tuple[InlineKeyboardButton, ...], ...] | None = None
        self._sent_form = {"inline_keyboard": [[{"callback_data": data, "text": text}
                                                for text, data in row] for row in rows]}
        self._freeze()

    @property
    def inline_keyboard(self) -> tuple[tuple[InlineKeyboardButton, ...], ...]:
        if self._buttons is None:
            self._buttons = tuple(tuple(InlineKeyboardButton(text, callback_data=data)
                                        for text, data in row) for row in self._rows)
        return self._buttons

    @inline_keyboard.setter
    def inline_keyboard(self, value: tuple[tuple[InlineKeyboardButton, ...], ...]) -> None:
        """Only while unfrozen, as PTB's (its __setattr__ refuses a frozen object first)."""
        self._buttons = value

    @property
    def _id_attrs(self) -> tuple[object, ...]:
        return (self.inline_keyboard,)

    @_id_attrs.setter
    def _id_attrs(self, value: tuple[object, ...]) -> None:
        """TelegramObject's __init__ sets it; here it always follows the buttons."""

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        if not recursive:
            return super().to_dict(recursive)
        # a fresh outer dict (a caller may add to it); the buttons' keys in PTB's order
        return {"inline_keyboard": self._sent_form["inline_keyboard"]}


@lru_cache(maxsize=KEPT)  # as the seam's own choices, and for the same reason
def built(rows: Rows) -> Keyboard:
    return Keyboard(rows)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return built(tuple(tuple(row) for row in rows))
