"""Amounts, hours and quantities as people type them, read in their locale with Babel into
Decimal (never through float): "NT$1,200", "850元", "１２００塊", "1.5 小時". What cannot be
read for sure is refused with the reason (`Unreadable`), never guessed: "1,5" where the comma
groups thousands (zh_Hant, zh_Hans, en) is 15 or 1.5, so it is asked again, not taken as 15.

Each kind keeps a fixed number of decimals, which is also how it is stored (storage/exact.py):
money to the currency's minor unit, hours to the hundredth, quantities to the thousandth."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal

from storage.exact import HOURS, MONEY, QUANTITY, Scale

MAX_AMOUNT = Decimal(100_000_000)
MAX_HOURS = Decimal(200)
MAX_QUANTITY = Decimal(10_000)
# Currency marks around an amount: "NT$850", "NT850", "850元", "850元整", "850 塊", "TWD 850",
# 「新台幣850元」, "＄850" (NFKC: $)
BEFORE = r"(?:NTD|NT\$?|TWD|新[台臺]幣|新台币|US\$|HK\$|RMB|\$|¥)"
AFTER = r"(?:(?:元|圓|塊|块)整?|NTD|TWD)"
MONEY_MARKS = re.compile(rf"^{BEFORE}\s*|\s*{AFTER}$", re.I)
HOUR_MARKS = re.compile(r"\s*(?:小時|小时|鐘頭|钟头|hours?|hrs?|h)$", re.I)
# A number at the head of a text, with its marks: "NT$850 更換插座", "850元 更換插座"; a
# Latin letter or digit right after it is no note's start ("1e9 x" is not 1 and "e9 x")
HEAD = re.compile(rf"^(?P<number>{BEFORE}?\s*[-+]?[\d.,]*\d(?:\s*{AFTER})?)(?![A-Za-z0-9])"
                  r"\s*(?P<rest>.*)$", re.I | re.S)
NOT_FINITE = frozenset({"nan", "snan", "inf", "infinity", "-inf", "+inf", "-infinity",
                        "+infinity", "-nan", "+nan"})


class Unreadable(ValueError):
    """What was typed is not a number to take: `reason` says why, `text` is what was typed,
    `limit` the most there may be (for TOO_BIG) or the decimals allowed (TOO_PRECISE)."""

    NOT_A_NUMBER = "not_a_number"
    AMBIGUOUS = "ambiguous"  # "1,5": the comma groups thousands here, so 15 or 1.5?
    NOT_FINITE = "not_finite"  # nan, inf
    NEGATIVE = "negative"
    ZERO = "zero"
    TOO_BIG = "too_big"
    TOO_PRECISE = "too_precise"

    def __init__(self, reason: str, text: str, limit: Decimal | int | None = None,
                 readings: tuple[str, ...] = ()) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason, self.text, self.limit, self.readings = reason, text, limit, readings


def normal(text: str) -> str:
    """Full-width digits and signs as plain ones, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _read(text: str | None, locale, scale: Scale, maximum: Decimal, *, zero: bool,
          marks: re.Pattern | None) -> Decimal:
    typed = normal(text or "")
    cleaned = typed
    if marks is not None:
        cleaned = marks.sub("", marks.sub("", cleaned)).strip()
    if cleaned.lower() in NOT_FINITE:
        raise Unreadable(Unreadable.NOT_FINITE, typed)
    if not cleaned or not any(c.isdigit() for c in cleaned) or " " in cleaned:
        raise Unreadable(Unreadable.NOT_A_NUMBER, typed)
    try:
        value = parse_decimal(cleaned, locale=locale, strict=True)
    except NumberFormatError as exc:
        if exc.suggestions:  # Babel sees two readings ("1,5": 15 or 1.5): ask, never guess
            raise Unreadable(Unreadable.AMBIGUOUS, typed,
                             readings=tuple(exc.suggestions)) from None
        raise Unreadable(Unreadable.NOT_A_NUMBER, typed) from None
    if not value.is_finite():
        raise Unreadable(Unreadable.NOT_FINITE, typed)
    if value < 0:
        raise Unreadable(Unreadable.NEGATIVE, typed)
    if value > maximum:
        raise Unreadable(Unreadable.TOO_BIG, typed, maximum)
    if value == 0 and not zero:
        raise Unreadable(Unreadable.ZERO, typed)
    if not scale.holds(value):
        raise Unreadable(Unreadable.TOO_PRECISE, typed, scale.places)
    return scale.exact(value)


def amount(text: str | None, locale, *, maximum: Decimal = MAX_AMOUNT,
           zero: bool = False) -> Decimal:
    """An amount of money: "NT$1,200", "1200元", "1,200.50"."""
    return _read(text, locale, MONEY, maximum, zero=zero, marks=MONEY_MARKS)


def hours(text: str | None, locale, *, maximum: Decimal = MAX_HOURS) -> Decimal:
    """Labour hours: "1.5", "1.5 小時", "2h"; to the hundredth of an hour."""
    return _read(text, locale, HOURS, maximum, zero=True, marks=HOUR_MARKS)


def quantity(text: str | None, locale, *, maximum: Decimal = MAX_QUANTITY,
             zero: bool = False) -> Decimal:
    """A quantity of material: "2", "1.5"; to the thousandth."""
    return _read(text, locale, QUANTITY, maximum, zero=zero, marks=None)


def leading_amount(text: str | None, locale, *,
                   maximum: Decimal = MAX_AMOUNT) -> tuple[Decimal, str]:
    """An amount at the head of a text and the rest: "NT$850 更換插座" and 「850元 更換插座」
    are both 850 and 「更換插座」."""
    typed = normal(text or "")
    match = HEAD.match(typed)
    if match is None:
        head = typed.split(" ", 1)[0]
        raise Unreadable(Unreadable.NOT_FINITE if head.lower() in NOT_FINITE
                         else Unreadable.NOT_A_NUMBER, head)
    return amount(match.group("number"), locale, maximum=maximum), match.group("rest").strip()
