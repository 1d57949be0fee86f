"""The estate's settings: documented defaults, and every wrong value named with its fix."""

from datetime import time, timedelta

import pytest

from bot.config import ConfigError, deployment, parse_settings
from workflow.settings import EstateSettings, Target


def test_defaults():
    settings = parse_settings({})
    assert settings == EstateSettings()
    assert settings.timezone == "Asia/Taipei" and settings.auto_confirm_days == 3
    assert [c.key for c in settings.categories] == [
        "plumbing", "electrical", "doors_windows", "leaks_damp", "walls_ceilings", "fixtures",
        "public_areas", "other"]
    env = deployment({})
    assert (env.token, env.api_url, env.db_path) == (
        None, "https://api.telegram.org", "./estatedesk.sqlite3")
    assert deployment({"TELEGRAM_API_URL": "http://localhost:8081/"}).api_url == \
        "http://localhost:8081"


def test_an_estate_of_its_own():
    settings = parse_settings({
        "estate_name": "翠湖花園", "timezone": "Asia/Hong_Kong", "languages": ["zh_Hant", "en"],
        "auto_confirm_days": 5,
        "categories": [{"key": "plumbing"},
                       {"key": "pests", "labels": {"zh_Hant": "蟲害", "en": "Pests"}}],
        "service_levels": {"default": {"urgent": {"assign": "1h"}},
                           "pests": {"normal": {"resolve": "7d"}}},
        "warn_at": 0.75, "quiet_hours": "22:00-07:30", "digest_time": "09:00",
    })
    assert settings.estate_name == "翠湖花園" and settings.default_language == "zh_Hant"
    assert settings.category("pests").labels["en"] == "Pests"
    assert settings.target("pests", "normal") == Target(timedelta(hours=24), timedelta(days=7))
    assert settings.target("pests", "urgent") == Target(timedelta(hours=1), timedelta(hours=24))
    assert settings.target("plumbing", "emergency") == Target(timedelta(minutes=30),
                                                              timedelta(hours=4))
    assert settings.warn_share == 0.75 and settings.digest_time == time(9)
    assert settings.in_quiet_hours(time(23)) and settings.in_quiet_hours(time(7, 29))
    assert not settings.in_quiet_hours(time(7, 30)) and not settings.in_quiet_hours(time(12))


@pytest.mark.parametrize("raw, named", [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"languages": ["fr"]}, "languages"),
    ({"languages": ["en"], "default_language": "zh_Hant"}, "default_language"),
    ({"auto_confirm_days": 0}, "auto_confirm_days"),
    ({"auto_confirm_days": "3"}, "auto_confirm_days"),
    ({"estate_name": ""}, "estate_name"),
    ({"categories": [{"key": "pests"}]}, "categories[1].labels"),
    ({"categories": [{"key": "plumbing", "deadline_days": 2}]}, "categories[1].deadline_days"),
    ({"service_levels": {"roofing": {}}}, "service_levels.roofing: not a category"),
    ({"service_levels": {"default": {"critical": {}}}}, "service_levels.default: the priorities"),
    ({"service_levels": {"default": {"normal": {"resolve": "3 weeks"}}}},
     "service_levels.default.normal.resolve: '3 weeks' is not a duration"),
    ({"service_levels": {"default": {"normal": {"assign": "5d"}}}},
     "service_levels.default.normal: the time to assign must not exceed"),
    ({"warn_at": 1.5}, "warn_at"),
    ({"quiet_hours": "late"}, "quiet_hours"),
    ({"digest_time": "8.30am"}, "digest_time"),
    ({"sweep_seconds": 0}, "sweep_seconds"),
    ({"categories": [{"key": "a b"}]}, "categories[1].key"),
    ({"auto_confrim_days": 3}, "auto_confrim_days: unknown setting"),
    ({"public_places": [{"key": "lift_c"}]}, "public_places[1].labels"),
    ({"public_places": [{"key": "lobby", "buildings": "A"}]}, "public_places[1].buildings"),
    ({"public_places": [{"key": "lobby"}, {"key": "lobby"}]}, "public_places[2].key"),
    ({"public_places": {"lobby": 1}}, "public_places: must be a list"),
    ({"affected_urgent": -1}, "affected_urgent"),
    ({"warranty": {"roofing": "5y"}}, "warranty.roofing: not a category"),
    ({"warranty": {"leaks_damp": "5 years"}}, "warranty.leaks_damp"),
    ({"handover": {"A": "2025-06-30"}}, "handover.A"),
    ({"signoff": {"in_house": ["owner", "mayor"]}}, "signoff.in_house"),
    ({"signoff": {"roofing": ["owner"]}}, "signoff.roofing"),
    ({"renovation_fee": "2000"}, "renovation_fee"),
    ({"renovation_hours": "all day"}, "renovation_hours"),
])
def test_a_wrong_setting_is_named(raw, named):
    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        parse_settings(raw)


def test_the_bot_respects_telegrams_rate_limits(tmp_path):
    from telegram.ext import AIORateLimiter

    from bot.app import build_application
    from storage.db import Database
    app = build_application(EstateSettings(), Database(str(tmp_path / "x.sqlite3")),
                            token="1:x", api_url="http://localhost:1")
    assert isinstance(app.bot.rate_limiter, AIORateLimiter)


def test_the_readme_example_is_a_valid_configuration():
    import re
    import tomllib
    from pathlib import Path
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.S).group(1)
    settings = parse_settings(tomllib.loads(example))
    assert settings.estate_name == "翠湖花園"
    assert settings.target("plumbing", "normal").resolve == timedelta(hours=48)
    assert settings.category("pest_control").labels["zh_Hans"] == "虫害"
    assert [p.key for p in settings.places("A")] == ["lobby", "car_park_b1"]
    assert [p.key for p in settings.places("C")] == ["lobby", "lift_c", "car_park_b1"]
    assert settings.affected_urgent == 5
    assert settings.warranty["plumbing"].years == 2
    assert settings.signers("plumbing", by_contractor=True) == (
        "supervisor", "owner", "supervising_engineer", "project_department")
    assert settings.signers("plumbing", by_contractor=False) == ("supervisor", "owner")
    assert str(settings.handover["A"]) == "2025-06-30"


def test_the_office_phone_and_hours_appear_where_people_are_told_to_call(tmp_path):
    from bot.config import estate_settings
    from handlers.common import office
    from handlers.i18n import Tr
    path = tmp_path / "estate.toml"
    path.write_text('office_phone = "02-2345-6789"\noffice_hours = "09:00-18:00"\n',
                    encoding="utf-8")
    settings = estate_settings(str(path))
    assert office(Tr("en", settings.tz), settings) == \
        "the management office (02-2345-6789, open 09:00-18:00)"
    assert office(Tr("zh_Hant", settings.tz), settings) == \
        "管理處（02-2345-6789，服務時間 09:00-18:00）"
    path.write_text("office_phone = 2345\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="office_phone"):
        estate_settings(str(path))


def test_a_category_may_have_its_own_signers():
    settings = parse_settings({"signoff": {"leaks_damp": ["owner", "supervising_engineer"]}})
    assert settings.signers("leaks_damp", by_contractor=False) == ("owner",
                                                                   "supervising_engineer")
    assert settings.signers("plumbing", by_contractor=False) == ("supervisor", "owner")


def test_the_renovation_price_list():
    settings = parse_settings({"renovation_fee": 2000, "renovation_deposit": 10000,
                               "renovation_hours": "09:00-17:30"})
    assert (settings.renovation_fee, settings.renovation_deposit, settings.renovation_hours) \
        == (2000.0, 10000.0, "09:00-17:30")


def test_a_workers_pool_size_is_a_sane_number_of_connections():
    assert deployment({}).pool_size == 20
    assert deployment({"ESTATEDESK_POOL_SIZE": "30"}).pool_size == 30
    for wrong in ("0", "1", "many", "5000"):
        with pytest.raises(ConfigError, match="ESTATEDESK_POOL_SIZE"):
            deployment({"ESTATEDESK_POOL_SIZE": wrong})
