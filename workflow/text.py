"""Text as the desk keeps it: without control characters. NUL above all: PostgreSQL refuses
it in text where SQLite stores it, so it is taken out where text comes in (an update, an
imported file) and both databases keep the same."""

from __future__ import annotations

import re

CONTROL = re.compile("[\x00-\x1f\x7f]")
CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps tab, CR, LF


def clean(text: str, *, lines: bool = True) -> str:
    """The text without control characters; tabs and line breaks kept where `lines`."""
    return (CONTROL_BUT_LINES if lines else CONTROL).sub("", text)
