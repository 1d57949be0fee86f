"""What a person is told when a number they typed cannot be taken (workflow/numbers.py says
why): the number itself, why, and how to write it, in their language."""

from __future__ import annotations

from handlers.i18n import Tr
from workflow.numbers import Unreadable


def unreadable(tr: Tr, refused: Unreadable) -> str:
    text = refused.text
    if refused.reason == Unreadable.AMBIGUOUS and len(refused.readings) >= 2:
        return tr("Is “{text}” {one} or {other}? Here a comma separates thousands. Please "
                  "send it again with a point for decimals, for example 1.5.", text=text,
                  one=refused.readings[0], other=refused.readings[1])
    if refused.reason == Unreadable.AMBIGUOUS:
        return tr("“{text}” can be read two ways. Here a comma separates thousands. Please "
                  "send it again with a point for decimals, for example 1.5.", text=text)
    if refused.reason == Unreadable.NEGATIVE:
        return tr("“{text}” is below zero. Please send a number of 0 or more.", text=text)
    if refused.reason == Unreadable.ZERO:
        return tr("“{text}”: it must be more than 0.", text=text)
    if refused.reason == Unreadable.TOO_BIG:
        return tr("“{text}” is more than {limit}, the most that can be recorded here.",
                  text=text, limit=tr.number(refused.limit or 0))
    if refused.reason == Unreadable.TOO_PRECISE:
        return tr("“{text}” has too many decimal places: up to {places} are kept here.",
                  text=text, places=refused.limit)
    if refused.reason == Unreadable.NOT_FINITE:
        return tr("“{text}” is not a number. Please send it in digits, for example 1200.",
                  text=text)
    return tr("“{text}” is not a number I can read. Please send it in digits, for example "
              "1200 or 1.5.", text=text)
