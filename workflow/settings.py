"""The estate's own settings (loaded by bot/config.py from TOML, with these defaults)."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

LANGUAGES = ("zh_Hant", "zh_Hans", "en")
DEFAULT_LANGUAGE = "zh_Hant"


@dataclass(frozen=True)
class Category:
    key: str
    deadline_days: int
    # Labels per language for categories the estate adds itself; built-in keys have
    # translated labels in the catalogs, which a label here overrides.
    labels: dict[str, str] = field(default_factory=dict)


DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category("plumbing", 2),
    Category("electrical", 1),
    Category("doors_windows", 3),
    Category("leaks_damp", 3),
    Category("walls_ceilings", 5),
    Category("fixtures", 3),
    Category("public_areas", 3),
    Category("other", 3),
)


@dataclass(frozen=True)
class EstateSettings:
    estate_name: str = "estatedesk"
    timezone: str = "Asia/Taipei"
    languages: tuple[str, ...] = LANGUAGES
    default_language: str = DEFAULT_LANGUAGE
    categories: tuple[Category, ...] = DEFAULT_CATEGORIES
    auto_confirm_days: int = 3

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)
