"""Who is liable for a defect (保修): a category's warranty period (the settings) counted
from the building's handover date (the settings) says whether the responsible unit must
repair it, or the estate (in-house, or paid by the owner)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    """A warranty period in whole years (calendar years, as contracts count them)."""
    years: int


@dataclass(frozen=True)
class Standing:
    within: bool
    until: date  # the warranty's last day, or the day it ended


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def standing(periods: dict[str, Period], handovers: dict[str, date], building: str,
             category: str, today: date) -> Standing | None:
    """None when the estate has not said (no period for the category, or no handover date
    for the building)."""
    period, handed_over = periods.get(category), handovers.get(building)
    if period is None or handed_over is None:
        return None
    until = add_years(handed_over, period.years)
    return Standing(today <= until, until)
