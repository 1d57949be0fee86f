"""Text as the desk keeps it: without control characters. NUL above all: PostgreSQL refuses
it in text where SQLite stores it, so it is taken out where text comes in (an update, an
imported file) and both databases keep the same."""

from __future__ import annotations

import re

# The bidirectional overrides and isolates too: one in a description would turn the rest of
# a staff card around (a reference, a phone number shown backwards).
BIDI = "\u202a-\u202e\u2066-\u2069"
CONTROL = re.compile(f"[\x00-\x1f\x7f{BIDI}]")
CONTROL_BUT_LINES = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{BIDI}]")  # keeps tab, CR, LF


def clean(text: str, *, lines: bool = True) -> str:
    """The text without control characters; tabs and line breaks kept where `lines`."""
    return (CONTROL_BUT_LINES if lines else CONTROL).sub("", text)


HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def person_name(first: str, last: str | None) -> str:
    """A name from Telegram's first and last name as the person would write it: a Chinese
    name family name first and closed up (陳 and 大文: 陳大文), any other first name first."""
    first, last = (first or "").strip(), (last or "").strip()
    if first and last and (HAN.search(first) or HAN.search(last)):
        return last + first
    return " ".join(part for part in (first, last) if part)
