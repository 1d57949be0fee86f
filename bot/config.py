"""Configuration: secrets and deployment from the environment, the estate's policy from an
optional TOML file. A wrong setting is reported by name, with the fix."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.exact import MONEY
from workflow import phones
from workflow.repairs.warranty import Period
from workflow.settings import (
    COMPLAINT,
    CONTRACTOR_JOBS,
    DEFAULT_COMPLAINT_TARGETS,
    DEFAULT_PLACES,
    DEFAULT_SIGNOFF,
    DEFAULT_TARGETS,
    IN_HOUSE,
    LANGUAGES,
    PHONE_CALLERS,
    PRIORITIES,
    Category,
    EstateSettings,
    FeeItem,
    Place,
    Target,
)
from workflow.tickets import Party

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_LINE_API_URL = "https://api.line.me"
DEFAULT_LINE_DATA_URL = "https://api-data.line.me"  # LINE's content host (files people send)
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
    webhook_secret: str | None = None
    db_schema: str = "public"  # on PostgreSQL: the estate's own schema
    pool_size: int = 20  # on PostgreSQL: the most connections one worker opens
    db_given: bool = True  # ESTATEDESK_DB was set (else db_path is the default, here)
    line: LineConfig | None = None  # LINE set (LINE_CHANNEL_SECRET and _ACCESS_TOKEN)


@dataclass(frozen=True)
class LineConfig:
    """A LINE Official Account's Messaging API channel: its secret (the webhook's signature)
    and access token; LINE's API and content hosts (one root for both when LINE_API_URL is
    set: a proxy or the stand-in); the desk's own public https root (webhook, media)."""
    secret: str
    token: str
    api_url: str = DEFAULT_LINE_API_URL
    data_url: str = DEFAULT_LINE_DATA_URL
    public_url: str | None = None

    @property
    def own_hosts(self) -> bool:
        """LINE's own servers (not a proxy or the stand-in)."""
        return self.api_url == DEFAULT_LINE_API_URL


def deployment(env: dict[str, str] | None = None) -> Deployment:
    env = dict(os.environ if env is None else env)
    api_url = env.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"TELEGRAM_API_URL: '{api_url}' is not a web address; use the Bot API "
                          f"server root, such as {DEFAULT_API_URL} or http://localhost:8081")
    secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET: use 1 to 256 letters, digits, '_' or '-' "
                          "(Telegram's rule for a webhook's secret token)")
    db_path = env.get("ESTATEDESK_DB", "").strip()
    if db_path and not db_path.startswith(("postgresql://", "postgres://")):
        folder = os.path.dirname(os.path.abspath(db_path))
        if not os.path.isdir(folder):
            raise ConfigError(f"ESTATEDESK_DB: the folder {folder} does not exist; create it "
                              f"or point ESTATEDESK_DB at a file in an existing folder")
    return Deployment(
        db_given=bool(db_path),
        webhook_secret=secret,
        token=env.get("TELEGRAM_BOT_TOKEN", "").strip() or None,
        api_url=api_url.rstrip("/"),
        db_path=db_path or DEFAULT_DB,
        config_path=env.get("ESTATEDESK_CONFIG", "").strip() or None,
        db_schema=_schema(env.get("ESTATEDESK_SCHEMA", "").strip() or "public"),
        pool_size=_pool_size(env.get("ESTATEDESK_POOL_SIZE", "").strip() or "20"),
        line=line_config(env, "LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN"),
    )


def line_config(env: dict[str, str], secret_env: str, token_env: str) -> LineConfig | None:
    """LINE's settings from the environment (the variables named: the deployment's own or an
    estate's); None when neither the secret nor the token is set (a Telegram-only desk)."""
    secret = env.get(secret_env, "").strip()
    token = env.get(token_env, "").strip()
    if not secret and not token:
        return None
    if not secret or not token:
        given, missing = (secret_env, token_env) if secret else (token_env, secret_env)
        raise ConfigError(f"{given} is set but {missing} is not: LINE needs both, the channel "
                          f"secret and the channel access token (LINE Developers console → "
                          f"your provider → the Messaging API channel: 'Basic settings' and "
                          f"'Messaging API' tabs); set both, or neither for a desk on "
                          f"Telegram only")
    api_url = env.get("LINE_API_URL", "").strip().rstrip("/")
    if api_url and not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"LINE_API_URL: '{api_url}' is not a web address; leave it unset "
                          f"for LINE's own ({DEFAULT_LINE_API_URL}) or give a proxy's root, "
                          f"such as http://localhost:8082")
    public = env.get("LINE_PUBLIC_URL", "").strip().rstrip("/") or None
    if public is not None and not public.startswith(("http://", "https://")):
        raise ConfigError(f"LINE_PUBLIC_URL: '{public}' is not a web address; give the desk's "
                          f"public https root, such as https://desk.example.com (LINE posts "
                          f"to /line there and fetches the photos it shows from it)")
    if public is not None and not api_url and not public.startswith("https://"):
        raise ConfigError(f"LINE_PUBLIC_URL: '{public}': LINE reaches only an https address; "
                          f"put the desk behind your HTTPS proxy, such as "
                          f"https://desk.example.com")
    return LineConfig(secret, token, api_url or DEFAULT_LINE_API_URL,
                      api_url or DEFAULT_LINE_DATA_URL, public)


def _pool_size(value: str) -> int:
    if not value.isdigit() or not 2 <= int(value) <= 1000:
        raise ConfigError(f"ESTATEDESK_POOL_SIZE: '{value}' must be a whole number of "
                          f"connections from 2 to 1000 (each worker opens at most this many)")
    return int(value)


def _schema(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ConfigError(f"ESTATEDESK_SCHEMA: '{name}' must be lower-case letters, digits and "
                          f"'_', starting with a letter (a PostgreSQL schema's name)")
    return name


KNOWN_KEYS = {"estate_name", "timezone", "languages", "default_language", "auto_confirm_days",
              "office_phone", "office_hours", "on_duty",
              "daily_report_limit",
              "categories", "service_levels", "warn_at", "managers_after", "quiet_hours",
              "digest_time", "resident_reminder_time", "technician_reminder", "sweep_seconds",
              "complaint_categories", "departments", "survey_delay", "survey_hours",
              "survey_reminder", "survey_expiry", "praise_chips", "fault_chips",
              "complaint_praise_chips", "complaint_fault_chips", "alert_chips", "low_rating",
              "voice_note_limit", "public_places", "affected_urgent", "warranty",
              "handover", "signoff", "renovation_fee", "renovation_deposit",
              "renovation_hours", "fee_items", "fee_due_day", "fee_reminder_days",
              "large_payment", "buyer_reminder_time", "first_payment_days", "mortgage_days",
              "mortgage_documents", "loan_documents_staff_days", "handover_bring",
              "handover_fees", "handover_slots", "handover_slot_capacity", "handover_days",
              "sales_report_time", "phone_calls_by", "access_log_days",
              "privacy", "privacy_notice_version", "privacy_notice",
              "keep_closed_tickets_days", "keep_people_left_days"}
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def estate_settings(path: str | None) -> EstateSettings:
    if path is None:
        return EstateSettings()
    try:
        with open(path, "rb") as f:
            # utf-8-sig: Windows editors (Notepad) start a UTF-8 file with a BOM, which TOML
            # does not allow; it is only a marker, so it is read past.
            raw = tomllib.loads(f.read().decode("utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"ESTATEDESK_CONFIG: the file {path} does not exist; fix the path or "
                          f"unset ESTATEDESK_CONFIG to use the defaults") from None
    except UnicodeDecodeError:
        raise ConfigError(f"ESTATEDESK_CONFIG: {path} is not UTF-8 text; save it as UTF-8 "
                          f"(the editor's \"Save as\" offers it)") from None
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
    if not isinstance(default_language, str) or default_language not in languages:
        raise ConfigError(f"default_language: '{default_language}' must be one of languages "
                          f"{languages}")
    days = raw.get("auto_confirm_days", defaults.auto_confirm_days)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
        raise ConfigError("auto_confirm_days: must be a whole number of days from 1 to 60")
    office = {}
    for key, example in (("office_phone", "02-2345-6789"), ("office_hours", "09:00-18:00")):
        value = raw.get(key, "")
        if not isinstance(value, str) or len(value) > 40:
            raise ConfigError(f"{key}: must be a short text, such as \"{example}\"")
        office[key] = value.strip()
    on_duty = raw.get("on_duty", "")
    if not isinstance(on_duty, str) or (on_duty.strip() and not phones.is_valid(on_duty)):
        raise ConfigError("on_duty: must be the phone number on duty out of office hours, "
                          "such as \"0912-345-678\"")
    office["on_duty"] = on_duty.strip()
    daily = raw.get("daily_report_limit", defaults.daily_report_limit)
    if not isinstance(daily, int) or isinstance(daily, bool) or not 1 <= daily <= 1000:
        raise ConfigError("daily_report_limit: must be a whole number of reports from 1 to "
                          "1000")
    categories = defaults.categories
    if "categories" in raw:
        categories = _categories(raw["categories"])
    complaint_categories = defaults.complaint_categories
    if "complaint_categories" in raw:
        complaint_categories = _categories(raw["complaint_categories"], "complaint_categories",
                                           defaults.complaint_categories)
    departments = defaults.departments
    if "departments" in raw:
        departments = _categories(raw["departments"], "departments", defaults.departments)
    chips = {}
    every_chip = defaults.praise_chips + defaults.fault_chips + \
        defaults.complaint_praise_chips + defaults.complaint_fault_chips
    for setting in ("praise_chips", "fault_chips", "complaint_praise_chips",
                    "complaint_fault_chips"):
        if setting in raw:
            chips[setting] = _categories(raw[setting], setting, every_chip)
    alert_chips = raw.get("alert_chips", list(defaults.alert_chips))
    if not isinstance(alert_chips, list) or not all(isinstance(c, str) for c in alert_chips):
        raise ConfigError("alert_chips: must be a list of chip keys, such as "
                          "[\"not_fixed\", \"rude\"]")
    low_rating = raw.get("low_rating", defaults.low_rating)
    if not isinstance(low_rating, int) or isinstance(low_rating, bool) or \
            not 0 <= low_rating <= 4:
        raise ConfigError("low_rating: must be a whole number from 0 to 4 (ratings at or "
                          "below it alert the supervisors; 0 turns the alert off)")
    affected = raw.get("affected_urgent", defaults.affected_urgent)
    if not isinstance(affected, int) or isinstance(affected, bool) or not 0 <= affected <= 1000:
        raise ConfigError("affected_urgent: must be a whole number of residents from 0 to 1000 "
                          "(a fault reported by that many becomes urgent; 0 turns this off)")
    phone_calls_by = raw.get("phone_calls_by", defaults.phone_calls_by)
    if phone_calls_by not in PHONE_CALLERS:
        raise ConfigError(f"phone_calls_by: '{phone_calls_by}' must be \"desk\" (one of the "
                          "desk phones a resident without Telegram) or \"holder\" (the "
                          "technician who holds the job)")
    log_days = raw.get("access_log_days", defaults.access_log_days)
    if not isinstance(log_days, int) or isinstance(log_days, bool) or \
            not 365 <= log_days <= 3660:
        raise ConfigError("access_log_days: must be a whole number of days from 365 to 3660 "
                          "(how long the access log keeps who looked at whose data)")
    survey_hours = _range("survey_hours", raw.get("survey_hours", "09:00-20:00"))
    quiet = raw.get("quiet_hours", "21:00-08:00")
    parts = quiet.split("-") if isinstance(quiet, str) else []
    if len(parts) != 2:
        raise ConfigError(f"quiet_hours: '{quiet}' must be a range such as \"21:00-08:00\"")
    return EstateSettings(
        estate_name=name.strip(), timezone=timezone, languages=tuple(languages),
        default_language=default_language, categories=categories, auto_confirm_days=days,
        daily_report_limit=daily, access_log_days=log_days,
        **_any({**office, **_buyers(raw), **_privacy_notice(raw)}),
        service_levels=_service_levels(raw.get("service_levels", {}), categories),
        warn_share=_share(raw, "warn_at", defaults.warn_share),
        manager_share=_share(raw, "managers_after", defaults.manager_share),
        quiet_start=_clock("quiet_hours", parts[0]), quiet_end=_clock("quiet_hours", parts[1]),
        digest_time=_clock("digest_time", raw.get("digest_time", "08:30")),
        resident_reminder_time=_clock("resident_reminder_time",
                                      raw.get("resident_reminder_time", "19:00")),
        technician_reminder=duration("technician_reminder",
                                     raw.get("technician_reminder", "1h")),
        sweep_seconds=_sweep_seconds(raw.get("sweep_seconds", defaults.sweep_seconds)),
        complaint_categories=complaint_categories, departments=departments,
        survey_delay=duration("survey_delay", raw.get("survey_delay", "24h")),
        voice_note_limit=duration("voice_note_limit", raw.get("voice_note_limit", "3m")),
        survey_start=survey_hours[0], survey_end=survey_hours[1],
        survey_reminder=duration("survey_reminder", raw.get("survey_reminder", "24h")),
        survey_expiry=duration("survey_expiry", raw.get("survey_expiry", "48h")),
        praise_chips=chips.get("praise_chips", defaults.praise_chips),
        fault_chips=chips.get("fault_chips", defaults.fault_chips),
        complaint_praise_chips=chips.get("complaint_praise_chips",
                                         defaults.complaint_praise_chips),
        complaint_fault_chips=chips.get("complaint_fault_chips", defaults.complaint_fault_chips),
        alert_chips=tuple(alert_chips), low_rating=low_rating,
        public_places=_places(raw["public_places"]) if "public_places" in raw
        else defaults.public_places,
        affected_urgent=affected,
        phone_calls_by=phone_calls_by,
        warranty=_warranty(raw.get("warranty", {}), categories),
        handover=_handover(raw.get("handover", {})),
        signoff=_signoff(raw.get("signoff", {}), categories),
        renovation_fee=_amount(raw, "renovation_fee"),
        renovation_deposit=_amount(raw, "renovation_deposit"),
        renovation_hours=_hours(raw.get("renovation_hours", "08:30-18:00")),
        fee_items=_fee_items(raw.get("fee_items", [])),
        fee_due_day=_whole(raw, "fee_due_day", 10, 1, 28),
        fee_reminder_days=_whole(raw, "fee_reminder_days", 3, 0, 28),
        large_payment=_amount(raw, "large_payment", 50_000.0),
        **_privacy(raw.get("privacy", {})),
        keep_closed_tickets_days=_whole(raw, "keep_closed_tickets_days",
                                        defaults.keep_closed_tickets_days, 30, 3650 * 3),
        keep_people_left_days=_whole(raw, "keep_people_left_days",
                                     defaults.keep_people_left_days, 1, 3650 * 3),
    )


PRIVACY_KEYS = {"names_on_contractor_documents"}


def _privacy(raw) -> dict[str, Any]:
    """The [privacy] table: who sees residents' personal data beyond the office."""
    if not isinstance(raw, dict):
        raise ConfigError("privacy: must be a table, such as [privacy]")
    unknown = set(raw) - PRIVACY_KEYS
    if unknown:
        raise ConfigError(f"privacy.{sorted(unknown)[0]}: unknown setting; the settings are "
                          f"{', '.join(sorted(PRIVACY_KEYS))}")
    found: dict[str, Any] = {}
    if "names_on_contractor_documents" in raw:
        value = raw["names_on_contractor_documents"]
        if not isinstance(value, bool):
            raise ConfigError("privacy.names_on_contractor_documents: must be true or false")
        found["names_on_contractor_documents"] = value
    return found


def _range(setting: str, value) -> tuple[time, time]:
    parts = value.split("-") if isinstance(value, str) else []
    if len(parts) != 2:
        raise ConfigError(f"{setting}: '{value}' must be a range such as \"09:00-20:00\"")
    start, end = _clock(setting, parts[0]), _clock(setting, parts[1])
    if start >= end:
        raise ConfigError(f"{setting}: the range must start before it ends, within one day")
    return start, end


def duration(setting: str, value) -> timedelta:
    """'30m', '4h', '3d' (or '45s')."""
    match = DURATION.match(value) if isinstance(value, str) else None
    if match is None or float(match.group(1)) <= 0:
        raise ConfigError(f"{setting}: '{value}' is not a duration; write a number and a unit, "
                          f"such as \"30m\", \"4h\" or \"3d\"")
    try:
        return timedelta(**{UNITS[match.group(2)]: float(match.group(1))})
    except OverflowError:
        raise ConfigError(f"{setting}: '{value}' is longer than a calendar can hold") from None


def _clock(setting: str, value) -> time:
    try:
        return time.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        raise ConfigError(f"{setting}: '{value}' is not a time of day; write it as \"08:30\"")\
            from None


def _share(raw: dict, setting: str, default: float) -> float:
    value = raw.get(setting, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ConfigError(f"{setting}: must be a share between 0 and 1, such as 0.8")
    return float(value)


def _sweep_seconds(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3600:
        raise ConfigError("sweep_seconds: must be a whole number of seconds from 1 to 3600")
    return value


def _service_levels(raw, categories: tuple[Category, ...]) -> dict[str, dict[str, Target]]:
    """[service_levels.default] and [service_levels.<category>], each priority a table
    { assign = "30m", resolve = "4h" }; what is left out comes from the default."""
    if not isinstance(raw, dict):
        raise ConfigError("service_levels: must be tables such as [service_levels.default]")
    keys = {"default", COMPLAINT} | {c.key for c in categories}
    levels: dict[str, dict[str, Target]] = {"default": dict(DEFAULT_TARGETS),
                                            COMPLAINT: dict(DEFAULT_COMPLAINT_TARGETS)}
    for scope in ["default", *sorted(set(raw) - {"default"})]:
        if scope not in keys:
            raise ConfigError(f"service_levels.{scope}: not a category; use default or one of "
                              f"{', '.join(sorted(keys - {'default'}))}")
        table = raw.get(scope, {})
        if not isinstance(table, dict) or set(table) - set(PRIORITIES):
            raise ConfigError(f"service_levels.{scope}: the priorities are "
                              f"{', '.join(PRIORITIES)}")
        for priority, target in table.items():
            name = f"service_levels.{scope}.{priority}"
            if not isinstance(target, dict) or set(target) - {"assign", "resolve"}:
                raise ConfigError(f"{name}: must be {{ assign = \"30m\", resolve = \"4h\" }}")
            base = levels[COMPLAINT if scope == COMPLAINT else "default"][priority]
            found = Target(
                duration(f"{name}.assign", target["assign"]) if "assign" in target
                else base.assign,
                duration(f"{name}.resolve", target["resolve"]) if "resolve" in target
                else base.resolve)
            if found.assign > found.resolve:
                raise ConfigError(f"{name}: the time to assign must not exceed the time to "
                                  f"resolve")
            levels.setdefault(scope, {})[priority] = found
    return levels


def _warranty(raw, categories: tuple[Category, ...]) -> dict[str, Period]:
    """[warranty]: a category's warranty period in whole years, such as leaks_damp = "5y"."""
    if not isinstance(raw, dict):
        raise ConfigError("warranty: must be a table such as [warranty] with leaks_damp = \"5y\"")
    keys = {c.key for c in categories}
    periods = {}
    for category, value in raw.items():
        if category not in keys:
            raise ConfigError(f"warranty.{category}: not a category; use one of "
                              f"{', '.join(sorted(keys))}")
        match = re.match(r"^\s*(\d+)\s*y\s*$", value) if isinstance(value, str) else None
        if match is None or not 0 < int(match.group(1)) <= 50:
            raise ConfigError(f"warranty.{category}: '{value}' must be whole years, such as "
                              f"\"2y\" or \"5y\"")
        periods[category] = Period(int(match.group(1)))
    return periods


SIGNING_PARTIES = {"repair_department": Party.SUPERVISOR, "owner": Party.OWNER,
                   "supervising_engineer": Party.SUPERVISING_ENGINEER,
                   "project_department": Party.PROJECT_DEPARTMENT}


def _signoff(raw, categories: tuple[Category, ...]) -> dict[str, tuple[str, ...]]:
    """[signoff]: who signs the repair form, for in_house jobs, contractor jobs, or a
    category's, as lists of repair_department, owner, supervising_engineer,
    project_department."""
    if not isinstance(raw, dict):
        raise ConfigError("signoff: must be a table such as [signoff] with "
                          "in_house = [\"repair_department\", \"owner\"]")
    scopes = {IN_HOUSE, CONTRACTOR_JOBS} | {c.key for c in categories}
    found = dict(DEFAULT_SIGNOFF)
    for scope, parties in raw.items():
        if scope not in scopes:
            raise ConfigError(f"signoff.{scope}: use in_house, contractor or a category")
        if not isinstance(parties, list) or not parties or \
                any(p not in SIGNING_PARTIES for p in parties) or len(set(parties)) != len(parties):
            raise ConfigError(f"signoff.{scope}: must list, once each, some of "
                              f"{', '.join(SIGNING_PARTIES)}")
        found[scope] = tuple(SIGNING_PARTIES[p] for p in parties)
    return found


def _money(value: int | float) -> Decimal:
    """An amount from the TOML file, exact: TOML reads 3200.5 as a float, whose shortest
    repr is the digits written; more decimals than the currency has are refused."""
    found = Decimal(str(value))
    if not MONEY.holds(found):
        raise ValueError(f"{value} has more than {MONEY.places} decimals")
    return MONEY.exact(found)


def _amount(raw: dict, setting: str, default: float = 0.0) -> Decimal:
    value = raw.get(setting, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10**8:
        raise ConfigError(f"{setting}: must be an amount of money, such as 2000")
    try:
        return _money(value)
    except ValueError as exc:
        raise ConfigError(f"{setting}: {exc}") from None


def _whole(raw: dict, setting: str, default: int, low: int, high: int) -> int:
    value = raw.get(setting, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{setting}: must be a whole number from {low} to {high}")
    return value


NOTICE_VERSION = re.compile(r"^[A-Za-z0-9._-]{1,16}$")
# What the estate's own privacy notice may name: filled in as it is shown.
NOTICE_FIELDS = ("estate", "office", "office_phone", "office_hours", "version")
NOTICE_LONGEST = 3000  # characters: the notice and its question fit one message


def _privacy_notice(raw: dict) -> dict:
    """privacy_notice_version = "2026-12-01" and [privacy_notice] with the estate's own text
    per language (zh_Hant = \"\"\"...\"\"\"), which may name {estate}, {office},
    {office_phone}, {office_hours} and {version}."""
    found: dict = {}
    if "privacy_notice_version" in raw:
        version = raw["privacy_notice_version"]
        if isinstance(version, int) and not isinstance(version, bool):
            version = str(version)
        if not isinstance(version, str) or not NOTICE_VERSION.match(version.strip()):
            raise ConfigError("privacy_notice_version: must be a short text of letters, digits, "
                              "dots or dashes (at most 16), such as \"2026-12-01\"; change it "
                              "whenever the notice's text changes")
        found["privacy_notice_version"] = version.strip()
    texts = raw.get("privacy_notice", {})
    if not isinstance(texts, dict):
        raise ConfigError("privacy_notice: must be a table such as [privacy_notice] with "
                          "zh_Hant = \"...\"")
    sample = {name: "x" for name in NOTICE_FIELDS}
    for language, text in texts.items():
        setting = f"privacy_notice.{language}"
        if language not in LANGUAGES:
            raise ConfigError(f"{setting}: not a language; use one of {', '.join(LANGUAGES)}")
        if not isinstance(text, str) or not text.strip() or len(text) > NOTICE_LONGEST:
            raise ConfigError(f"{setting}: must be the notice's text, at most "
                              f"{NOTICE_LONGEST} characters")
        try:
            text.format(**sample)
        except (KeyError, IndexError, ValueError, AttributeError):
            raise ConfigError(f"{setting}: may name only "
                              f"{', '.join('{' + n + '}' for n in NOTICE_FIELDS)}; write a "
                              f"brace itself as {{{{ or }}}}") from None
    if texts:
        found["privacy_notice"] = {k: v.strip() for k, v in texts.items()}
    return found


def _any(values: dict) -> dict[str, Any]:
    return values


def _buyers(raw: dict) -> dict:
    """The buyers' reminders, the move-in notice and the handover slots."""
    found: dict = {}
    for setting in ("buyer_reminder_time", "sales_report_time"):
        if setting in raw:
            found[setting] = _clock(setting, raw[setting])
    for setting, low, high in (("first_payment_days", 0, 60), ("loan_documents_staff_days", 1, 60),
                               ("handover_slot_capacity", 1, 100), ("handover_days", 1, 30)):
        if setting in raw:
            found[setting] = _whole(raw, setting, 0, low, high)
    days = raw.get("mortgage_days", [3, 1])
    if not isinstance(days, list) or not days or not all(
            isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 60 for d in days):
        raise ConfigError("mortgage_days: must be a list of days before the appointment, such "
                          "as [3, 1]")
    found["mortgage_days"] = tuple(sorted(set(days), reverse=True))
    for setting in ("mortgage_documents", "handover_bring"):
        if setting in raw:
            value = raw[setting]
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                      for v in value):
                raise ConfigError(f"{setting}: must be a list of words, such as "
                                  f"[\"id_card\", \"戶口名簿\"]")
            found[setting] = tuple(v.strip() for v in value)
    if "handover_fees" in raw:
        found["handover_fees"] = _fee_items(raw["handover_fees"], "handover_fees")
    if "handover_slots" in raw:
        slots = raw["handover_slots"]
        if not isinstance(slots, list) or not slots:
            raise ConfigError("handover_slots: must be a list of times, such as "
                              "[\"09:30\", \"14:00\"]")
        found["handover_slots"] = tuple(sorted({_clock("handover_slots", v) for v in slots}))
    return found


def _fee_items(raw, setting: str = "fee_items") -> tuple[FeeItem, ...]:
    """[[fee_items]]: the price list, each a key, its monthly amount per unit and, for one of
    the estate's own, labels. [[handover_fees]] the same, paid once at handover."""
    if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
        raise ConfigError(f"{setting}: must be a list of [[{setting}]] tables")
    found = []
    for n, item in enumerate(raw, start=1):
        key, amount, labels = item.get("key"), item.get("amount"), item.get("labels", {})
        if not isinstance(key, str) or not key.replace("_", "").isalnum() or \
                isinstance(amount, bool) or not isinstance(amount, int | float) or \
                not 0 < amount <= 10**7 or not isinstance(labels, dict) or \
                any(k not in LANGUAGES for k in labels):
            raise ConfigError(f"{setting}[{n}]: needs a key such as management_fee, an amount "
                              f"such as 3200, and labels such as {{ zh_Hant = \"…\" }}")
        try:
            found.append(FeeItem(key, _money(amount), dict(labels)))
        except ValueError as exc:
            raise ConfigError(f"{setting}[{n}]: {exc}") from None
    return tuple(found)


def _hours(value) -> str:
    start, end = _range("renovation_hours", value)
    return f"{start:%H:%M}-{end:%H:%M}"


def _handover(raw) -> dict[str, date]:
    """[handover]: each building's handover date, from which warranties run."""
    if not isinstance(raw, dict):
        raise ConfigError("handover: must be a table such as [handover] with A = 2025-06-30")
    for building, value in raw.items():
        if not isinstance(value, date) or isinstance(value, datetime):
            raise ConfigError(f"handover.{building}: '{value}' must be a date, written without "
                              f"quotes, such as 2025-06-30")
    return {str(b).strip(): v for b, v in raw.items()}


def _places(raw) -> tuple[Place, ...]:
    """[[public_places]] entries: a key and labels as categories have, and the buildings
    where the place is (every building when not given)."""
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ConfigError("public_places: must be a list of [[public_places]] tables with a key")
    where = []
    for n, item in enumerate(raw, start=1):
        buildings = item.get("buildings", [])
        if not isinstance(buildings, list) or not all(isinstance(b, str) and b.strip()
                                                      for b in buildings):
            raise ConfigError(f"public_places[{n}].buildings: must be a list of buildings as "
                              f"the roster names them, such as [\"Block A\"]")
        where.append(tuple(b.strip() for b in buildings))
    entries = _categories([{k: v for k, v in item.items() if k != "buildings"} for item in raw],
                          "public_places", tuple(Category(p.key) for p in DEFAULT_PLACES))
    return tuple(Place(e.key, e.labels, b) for e, b in zip(entries, where, strict=True))


def _categories(raw, setting: str = "categories",
                builtins: tuple[Category, ...] = EstateSettings().categories
                ) -> tuple[Category, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{setting}: must be a list of [[{setting}]] tables with a key")
    builtin = {c.key: c for c in builtins}
    found: list[Category] = []
    for n, item in enumerate(raw, start=1):
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or not key.replace("_", "").isalnum() or len(key) > 30:
            raise ConfigError(f"{setting}[{n}].key: must be a short name of letters, digits "
                              f"and _, such as \"pest_control\"")
        extra = set(item) - {"key", "labels"}
        if extra:
            raise ConfigError(f"{setting}[{n}].{sorted(extra)[0]}: unknown; an entry has a key "
                              f"and labels (deadlines are set in [service_levels])")
        labels = item.get("labels", {})
        if not isinstance(labels, dict) or any(k not in LANGUAGES for k in labels):
            raise ConfigError(f"{setting}[{n}].labels: must be a table such as "
                              f"{{ zh_Hant = \"…\", zh_Hans = \"…\", en = \"…\" }}")
        if key not in builtin and not labels:
            raise ConfigError(f"{setting}[{n}].labels: the new entry '{key}' needs labels, "
                              f"such as {{ zh_Hant = \"…\", zh_Hans = \"…\", en = \"…\" }}")
        if key in (c.key for c in found):
            raise ConfigError(f"{setting}[{n}].key: '{key}' is listed twice")
        found.append(Category(key, dict(labels)))
    return tuple(found)
