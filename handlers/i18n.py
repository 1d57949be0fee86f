"""Translations (gettext catalogs in locales/, compiled in memory) and
locale-aware formatting of dates, times and numbers."""

from __future__ import annotations

import re
from datetime import date as Day  # Tr.date below hides the name in its class
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from functools import cache, lru_cache
from gettext import GNUTranslations
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime, format_timedelta, match_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal

import locales
from handlers.catalog_files import translations
from workflow.settings import DEFAULT_LANGUAGE, LANGUAGES

LOCALES_DIR = Path(locales.__file__).resolve().parent  # shipped in the wheel too
DOMAIN = "estatedesk"
BABEL_LOCALES = {"zh_Hant": "zh_Hant_TW", "zh_Hans": "zh_Hans_CN", "en": "en"}
CHINESE_LISTS = Locale.parse("zh_Hant_HK")  # 「甲、乙及丙」: the same characters in both scripts
LANGUAGE_NAMES = {"zh_Hant": "繁體中文", "zh_Hans": "简体中文", "en": "English"}
# Chinese characters and their full-width punctuation: between two of them Chinese sets no
# space. The catalogs space their placeholders for a Latin name or a figure beside them
# (「歡迎使用 estatedesk 客服中心」); a Chinese one closes up (「歡迎使用翠湖花園客服中心」).
CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff0f\uff1a-\uff1f\uff5b-\uff65"
OPEN, SHUT = "\x01", "\x02"  # a value's edges while it is placed
_PLACED_SPACE = re.compile(f"(?<=[{CJK}])([{OPEN}{SHUT}]*) +([{OPEN}{SHUT}]*)(?=[{CJK}])")


def N_(message: str) -> str:
    """Marks a text for the catalogs where it is defined; it is translated where shown."""
    return message


def po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(language: str) -> GNUTranslations:
    return translations(po_path(language).read_bytes())


def guess_language(language_code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Telegram's language_code: zh-TW/zh-HK -> zh_Hant, zh-CN/zh-SG -> zh_Hans, en -> en."""
    code = (language_code or "").lower().replace("_", "-")
    if code in ("zh-cn", "zh-sg", "zh-hans") or code.startswith("zh-hans"):
        return "zh_Hans"
    if code == "en" or code.startswith("en-"):
        return "en"
    if code.startswith("zh"):
        return "zh_Hant"
    return default


class Tr:
    """One reader's language: `tr("Hello {name}", name=...)` translates, then formats."""

    def __init__(self, language: str, tz: tzinfo) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self.locale = Locale.parse(BABEL_LOCALES[self.language])
        self.tz = tz
        self._gettext = _translations(self.language).gettext
        self._ngettext = _translations(self.language).ngettext
        self._made: dict = {}  # one desk keeps one Tr per language, so this lives long
        self._patterns: dict = {}  # a date skeleton's pattern in this language
        self._said: dict[str, str] = {}  # each text's translation, looked up once

    def made(self, key, make):
        """What `make()` returns for this language, made once: a day's label, a menu."""
        if key not in self._made:
            if len(self._made) > 512:  # days go by: drop the old ones now and then
                self._made.clear()
            self._made[key] = make()
        return self._made[key]

    def __call__(self, message: str, **values) -> str:
        text = self._said.get(message)
        if text is None:  # gettext misses twice for an English text (its catalog is empty)
            if len(self._said) > 4096:  # the desk's texts are fewer; a caller's own may not be
                self._said.clear()
            text = self._said[message] = self._gettext(message)
        return self._place(text, values) if values else text

    def plural(self, singular: str, plural: str, n: int, **values) -> str:
        """'1 day' or '2 days', by the reader's language's own plural rules."""
        return self._place(self._ngettext(singular, plural, n), {"n": n, **values})

    def _place(self, text: str, values: dict) -> str:
        """The values in their places; in Chinese, a space the catalog set beside a
        placeholder goes where Chinese meets Chinese across it."""
        if self.language == "en":
            return text.format(**values)
        placed = text.format(**{k: f"{OPEN}{v}{SHUT}" for k, v in values.items()})
        return self.close_up(placed, marked=True)

    @staticmethod
    def close_up(text: str, marked: bool = False) -> str:
        """No space between Chinese and Chinese where parts were joined (at the marks of
        placed values, or everywhere in a text the desk put together from its own parts)."""
        def joined(match: re.Match) -> str:
            if marked and not (match.group(1) or match.group(2)):
                return match.group(0)  # a space inside a value or the catalog's own text
            return match.group(1) + match.group(2)
        return _PLACED_SPACE.sub(joined, text).replace(OPEN, "").replace(SHUT, "")

    def beside(self, *parts: str) -> str:
        """Parts of a line side by side: spaced in English, and in Chinese only where a
        Latin letter or a figure meets them (「11月27日週五上午（9-12 時）」)."""
        if self.language == "en":
            return " ".join(p for p in parts if p)
        return self.close_up(OPEN + f"{SHUT} {OPEN}".join(p for p in parts if p) + SHUT,
                             marked=True)

    def join(self, items) -> str:
        """A list as the reader's language writes one: 'a, b, and c', 「甲、乙及丙」. Chinese
        lists take 及 (CLDR's zh_Hant_HK pattern; zh_Hant_TW's and zh_Hans' 和 reads as a
        sum after a figure: 「給排水 3和其他 2」), and 及 is spaced from a Latin letter or a
        digit beside it, as the catalogs space their placeholders."""
        items = [str(i) for i in items]
        if not items:
            return ""
        if self.language == "en":
            return format_list(items, style="standard", locale=self.locale)
        marked = format_list([f"\x01{i}\x02" for i in items], style="standard",
                             locale=CHINESE_LISTS)
        marked = re.sub(r"([!-~])\x02及", "\\1\x02 及", marked)
        marked = re.sub(r"及\x01([!-~])", "及 \x01\\1", marked)
        return marked.replace("\x01", "").replace("\x02", "")

    def after(self, line: str, aside: str) -> str:
        """A bracketed aside after a line: spaced in English, set close in Chinese (whose
        full-width brackets carry their own space)."""
        return f"{line} {aside}" if self.language == "en" else f"{line}{aside}"

    def headed(self, head: str, line: str) -> str:
        """「head：line」 in Chinese, 'head: line' in English."""
        return f"{head}: {line}" if self.language == "en" else f"{head}：{line}"

    def _skeleton(self, skeleton: str, value, tz: tzinfo | None = None) -> str:
        """Babel's format_skeleton (fuzzy) with the skeleton's pattern looked up once: the
        lookup (match_skeleton) is most of its 25 µs."""
        pattern = self._patterns.get(skeleton)
        if pattern is None:
            skeletons = self.locale.datetime_skeletons
            found = skeleton if skeleton in skeletons else \
                match_skeleton(skeleton, skeletons) or skeleton
            pattern = self._patterns[skeleton] = skeletons[found]
        return format_datetime(value, pattern, tz, self.locale)

    def datetime(self, value: datetime) -> str:
        return f"{self._skeleton('yMMMd', value, self.tz)} {self._skeleton('Hm', value, self.tz)}"

    def day(self, value: Day) -> str:
        """A day without its weekday: 'Dec 10, 2026', 「2026年12月10日」."""
        return self._skeleton("yMMMd", value)

    def stored_day(self, value: str | Day) -> str:
        """A day as stored ('2026-12-01') in the reader's words; anything else as it is."""
        try:
            return self.day(value if isinstance(value, Day) else Day.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)

    def date(self, value: Day) -> str:
        return self._skeleton("yMMMEd", value)

    def month(self, value: Day) -> str:
        """'November 2026', '2026年11月'."""
        return self._skeleton("yMMMM", value)

    def short_date(self, value: Day) -> str:
        return self.made(("MMMEd", value), lambda: self._skeleton("MMMEd", value))

    def number(self, value: Decimal | int | float | str) -> str:
        """A number; an amount, hours or a quantity exact (Decimal, or its text from a
        payload, which stays exact as Decimal)."""
        return format_decimal(Decimal(value) if isinstance(value, str) else value,
                              format="#,##0.##", locale=self.locale)

    def money(self, value: Decimal | int | str) -> str:
        """An amount with its currency, New Taiwan dollars: 'NT$1,200', 「1,200 元」."""
        figure = self.number(value)
        return f"NT${figure}" if self.language == "en" else f"{figure} 元"

    def duration(self, value: timedelta) -> str:
        """'1 day, 12 hours' or '2 hours, 5 minutes': the two largest units; under a minute,
        the seconds."""
        if timedelta(0) <= value < timedelta(minutes=1):
            return format_timedelta(timedelta(seconds=int(value.total_seconds())), threshold=1,
                                    granularity="second", locale=self.locale)
        minutes = max(int(value.total_seconds() // 60), 0)
        days, rest = divmod(minutes, 24 * 60)
        hours, minutes = divmod(rest, 60)
        units = [timedelta(days=days), timedelta(hours=hours), timedelta(minutes=minutes)]
        first = next((i for i, u in enumerate(units) if u), 2)
        parts = [_unit(u, self.locale) for u in units[first:first + 2] if u or first == 2]
        return format_list(parts, style="unit", locale=self.locale)


@lru_cache(maxsize=1024)
def _unit(value: timedelta, locale: Locale) -> str:
    """'3 hours': a list's durations repeat their days, hours and minutes (Babel's rules cost
    tens of microseconds each)."""
    return format_timedelta(value, threshold=1, locale=locale)


def clause(words: str) -> str:
    """Someone's words quoted where the text goes on with its own full stop: without theirs
    (「…水管。。」, "…last year.." otherwise)."""
    return words.rstrip().rstrip("。.．").rstrip()
