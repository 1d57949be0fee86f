"""Matching a phone number from Telegram's contact share to the roster.

Telegram gives international digits (886912345678); rosters hold what the office typed
(0912-345-678, +852 9123 4567). Both are reduced to digits without trunk zeros, and match
when the shorter is a suffix of the longer and at least 8 digits long."""

from __future__ import annotations

import re

KEY_DIGITS = 8


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone).lstrip("0")


def phone_key(phone: str) -> str:
    """The indexed part: the last 8 digits."""
    return digits(phone)[-KEY_DIGITS:]


def is_valid(phone: str) -> bool:
    return len(digits(phone)) >= KEY_DIGITS and bool(re.fullmatch(r"[\d\s()+\-.]+", phone.strip()))


def same_number(a: str, b: str) -> bool:
    da, db = digits(a), digits(b)
    short, long_ = sorted((da, db), key=len)
    return len(short) >= KEY_DIGITS and long_.endswith(short)
