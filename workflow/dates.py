"""The one reader of a date (and a date with a time) as the office types or a sheet writes
it: 2027-02-01, 2027/02/01, 2027-2-1, 2027.2.1, 2027年2月1日, full-width digits too."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

DAY = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_DAY = re.compile(rf"^{DAY}$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_FOUND = re.compile(rf"(?<!\d){DAY}(?!\d)")
# a time after the date: '10:00', '10:00:00' (as a sheet writes it), 'T10:00', '10時'
_MOMENT = re.compile(rf"^{DAY}(?:\s*[T\s]\s*(\d{{1,2}})\s*[:：時时點点]\s*(\d{{2}})?\s*(?:分)?"
                     r"(?::\d{2}(?:\.\d+)?)?)?$")


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _day(year: str, month: str, day_: str) -> date:
    return date(int(year), int(month), int(day_))  # ValueError: no such day


def day(text: str) -> date:
    """The date in `text` (a time after it, as a sheet writes a date cell, is left aside);
    ValueError when it is not one."""
    match = _DAY.match(_plain(text)) or _MOMENT.match(_plain(text))
    if match is None:
        raise ValueError(f"not a date: {text!r}")
    return _day(*match.group(1, 2, 3))


def month(text: str) -> date:
    """A month ('2027-02', '2027/2', '2027年2月') as its first day; ValueError if not one."""
    match = _MONTH.match(_plain(text))
    if match is None:
        raise ValueError(f"not a month: {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def moment(text: str, tz) -> datetime:
    """A date with a time of day ('2027/02/01 10:00') in `tz`; ValueError when not one."""
    match = _MOMENT.match(_plain(text))
    if match is None or match.group(4) is None:
        raise ValueError(f"not a date and time: {text!r}")
    return datetime.combine(_day(*match.group(1, 2, 3)),
                            time(int(match.group(4)), int(match.group(5) or 0)), tz)


def day_text(text: str) -> str:
    """A typed day as 2026-11-01 when it is one, else as typed (for its reader to refuse in
    words): a command line's argument, fit for a file name."""
    try:
        return day(text).isoformat()
    except ValueError:
        return text


def month_text(text: str) -> str:
    """A typed month as 2026-11 when it is one, else as typed."""
    try:
        return month(text).isoformat()[:7]
    except ValueError:
        return text


def days_in(text: str) -> list[date]:
    """Every date written in a sentence ('2027/2/1 到 2027/2/20'); ValueError for one that
    has no day in the calendar (2027-02-30)."""
    return [_day(*m.group(1, 2, 3)) for m in _FOUND.finditer(_plain(text))]
