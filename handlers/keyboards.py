"""Inline keyboards built once per set of buttons. A card's keyboard is the same for every
recipient who reads it in the same language and for every render of the same state, while
PTB builds a button object per button (about 140 µs for a card's six) and turns the
keyboard into its Bot API form again on every send (about 200 µs): both are done once here
and kept for the next identical keyboard."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

Rows = tuple[tuple[tuple[str, str], ...], ...]


class Keyboard(InlineKeyboardMarkup):
    """An inline keyboard whose Bot API form is computed once (the object is frozen, so it
    cannot change after)."""

    __slots__ = ("_sent_form",)

    def __init__(self, rows: Rows) -> None:
        super().__init__([[InlineKeyboardButton(text, callback_data=data) for text, data in row]
                          for row in rows])
        with self._unfrozen():
            self._sent_form = super().to_dict()

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        if not recursive:
            return super().to_dict(recursive)
        return dict(self._sent_form)  # a fresh outer dict: a caller may add to it


@lru_cache(maxsize=4096)
def built(rows: Rows) -> Keyboard:
    return Keyboard(rows)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return built(tuple(tuple(row) for row in rows))
