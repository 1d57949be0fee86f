"""Configuration: secrets and deployment from the environment, the estate's policy from an
optional TOML file. A wrong setting is reported by name, with the fix."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflow.settings import LANGUAGES, Category, EstateSettings

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DB = "./estatedesk.sqlite3"
TOKEN_HELP = (
    "TELEGRAM_BOT_TOKEN is not set. Create a bot: in Telegram, talk to @BotFather, send "
    "/newbot and follow its questions; it answers with a token. Then run:\n"
    "  export TELEGRAM_BOT_TOKEN='<the token>'\n"
    "and start the bot again."
)


class ConfigError(Exception):
    """A setting that cannot be used; the message names the setting and the fix."""


@dataclass(frozen=True)
class Deployment:
    token: str | None
    api_url: str
    db_path: str
    config_path: str | None


def deployment(env: dict[str, str] | None = None) -> Deployment:
    env = dict(os.environ if env is None else env)
    api_url = env.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"TELEGRAM_API_URL: '{api_url}' is not a web address; use the Bot API "
                          f"server root, such as {DEFAULT_API_URL} or http://localhost:8081")
    return Deployment(
        token=env.get("TELEGRAM_BOT_TOKEN", "").strip() or None,
        api_url=api_url.rstrip("/"),
        db_path=env.get("ESTATEDESK_DB", "").strip() or DEFAULT_DB,
        config_path=env.get("ESTATEDESK_CONFIG", "").strip() or None,
    )


KNOWN_KEYS = {"estate_name", "timezone", "languages", "default_language", "auto_confirm_days",
              "categories"}


def estate_settings(path: str | None) -> EstateSettings:
    if path is None:
        return EstateSettings()
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"ESTATEDESK_CONFIG: the file {path} does not exist; fix the path or "
                          f"unset ESTATEDESK_CONFIG to use the defaults") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"ESTATEDESK_CONFIG: {path} is not valid TOML ({exc})") from None
    return parse_settings(raw)


def parse_settings(raw: dict) -> EstateSettings:
    unknown = set(raw) - KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{sorted(unknown)[0]}: unknown setting; the settings are "
                          f"{', '.join(sorted(KNOWN_KEYS))}")
    defaults = EstateSettings()
    name = raw.get("estate_name", defaults.estate_name)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError("estate_name: must be a non-empty text, such as \"Lakeside Gardens\"")
    timezone = raw.get("timezone", defaults.timezone)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(f"timezone: '{timezone}' is not a time zone; use a name such as "
                          f"Asia/Taipei, Asia/Hong_Kong or Asia/Shanghai") from None
    languages = raw.get("languages", list(defaults.languages))
    if not isinstance(languages, list) or not languages or any(
            lang not in LANGUAGES for lang in languages):
        raise ConfigError(f"languages: must be a list drawn from {list(LANGUAGES)}")
    default_language = raw.get("default_language", languages[0])
    if default_language not in languages:
        raise ConfigError(f"default_language: '{default_language}' must be one of languages "
                          f"{languages}")
    days = raw.get("auto_confirm_days", defaults.auto_confirm_days)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
        raise ConfigError("auto_confirm_days: must be a whole number of days from 1 to 60")
    categories = defaults.categories
    if "categories" in raw:
        categories = _categories(raw["categories"])
    return EstateSettings(estate_name=name.strip(), timezone=timezone,
                          languages=tuple(languages), default_language=default_language,
                          categories=categories, auto_confirm_days=days)


def _categories(raw) -> tuple[Category, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError("categories: must be a list of [[categories]] tables with a key")
    builtin = {c.key: c for c in EstateSettings().categories}
    found = []
    for n, item in enumerate(raw, start=1):
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or not key.replace("_", "").isalnum() or len(key) > 30:
            raise ConfigError(f"categories[{n}].key: must be a short name of letters, digits "
                              f"and _, such as \"pest_control\"")
        days = item.get("deadline_days", builtin[key].deadline_days if key in builtin else 3)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
            raise ConfigError(f"categories[{n}].deadline_days: must be a whole number of days "
                              f"from 1 to 60")
        labels = item.get("labels", {})
        if not isinstance(labels, dict) or any(k not in LANGUAGES for k in labels):
            raise ConfigError(f"categories[{n}].labels: must be a table such as "
                              f"{{ zh_Hant = \"…\", zh_Hans = \"…\", en = \"…\" }}")
        if key not in builtin and not labels:
            raise ConfigError(f"categories[{n}].labels: the new category '{key}' needs labels, "
                              f"such as {{ zh_Hant = \"…\", zh_Hans = \"…\", en = \"…\" }}")
        if key in (c.key for c in found):
            raise ConfigError(f"categories[{n}].key: '{key}' is listed twice")
        found.append(Category(key, days, dict(labels)))
    return tuple(found)
