"""Exact numbers as the database keeps them: each kind is an INTEGER of a fixed fraction, and
Decimal outside storage (never float, whose 0.1 + 0.2 is not 0.3).

- money: the currency's minor unit, as many decimals as Babel (CLDR) gives the currency:
  TWD has 2, so NT$850 is 85000. Written here, not looked up at start-up: every stored amount
  is read by this scale (a lookup loaded Babel's global data, 2.6 MiB, into an idle desk),
  and tests/test_money.py holds it equal to CLDR's. Minor rather than whole units because a
  unit price (a screw at NT$0.5) and an hour's labour at a rate need cents; a whole-dollar
  amount costs nothing extra.
- hours: hundredths of an hour (1.5 h is 150): every hour figure typed with two decimals is
  exact, and hours are typed and shown as decimals, not minutes.
- quantities of material: thousandths (2.5 m of pipe is 2500).

The one rounding rule: a product (hours x hourly rate, quantity x unit price) is computed
exactly and rounded once, half up, to the minor unit (`MONEY.round`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CURRENCY = "TWD"


@dataclass(frozen=True)
class Scale:
    places: int

    @property
    def unit(self) -> Decimal:
        return Decimal(1).scaleb(-self.places)

    def holds(self, value: Decimal) -> bool:
        """True when `value` has no more decimals than the scale keeps."""
        return value == value.quantize(self.unit)

    def exact(self, value: Decimal | int) -> Decimal:
        """`value` at this scale; ValueError if that would lose a digit."""
        value = _decimal(value)
        if not self.holds(value):
            raise ValueError(f"{value} has more than {self.places} decimals")
        return value.quantize(self.unit)

    def round(self, value: Decimal | int) -> Decimal:
        """Rounded half up to this scale: the one rounding rule."""
        return _decimal(value).quantize(self.unit, rounding=ROUND_HALF_UP)

    def to_db(self, value: Decimal | int | None) -> int | None:
        if value is None:
            return None
        return int(self.exact(value).scaleb(self.places))

    def from_db(self, stored: int | None) -> Decimal | None:
        if stored is None:
            return None
        return Decimal(int(stored)).scaleb(-self.places)

    def of(self, stored: int | None) -> Decimal:
        """A stored value or a SUM that may be NULL, as a Decimal (NULL is 0)."""
        return Decimal(int(stored or 0)).scaleb(-self.places)


def _decimal(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"an exact number is needed, not {type(value).__name__}: {value!r}")
    return Decimal(value)


MONEY = Scale(2)  # TWD's minor unit (CLDR)
HOURS = Scale(2)
QUANTITY = Scale(3)


def product(quantity: Decimal, price: Decimal) -> Decimal:
    """quantity x price, exact, rounded once to the minor unit (the one rule)."""
    return MONEY.round(_decimal(quantity) * _decimal(price))


def plain(value: Decimal) -> str:
    """An exact number as plain digits for an audit note: 850, 12.5 (no exponent)."""
    return f"{value.normalize():f}"
