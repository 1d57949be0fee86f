"""The estate's settings: documented defaults, and every wrong value named with its fix."""

import pytest

from bot.config import ConfigError, deployment, parse_settings
from workflow.settings import EstateSettings


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
        "categories": [{"key": "plumbing", "deadline_days": 1},
                       {"key": "pests", "labels": {"zh_Hant": "蟲害", "en": "Pests"}}],
    })
    assert settings.estate_name == "翠湖花園" and settings.default_language == "zh_Hant"
    assert settings.category("plumbing").deadline_days == 1
    assert settings.category("pests").labels["en"] == "Pests"


@pytest.mark.parametrize("raw, named", [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"languages": ["fr"]}, "languages"),
    ({"languages": ["en"], "default_language": "zh_Hant"}, "default_language"),
    ({"auto_confirm_days": 0}, "auto_confirm_days"),
    ({"auto_confirm_days": "3"}, "auto_confirm_days"),
    ({"estate_name": ""}, "estate_name"),
    ({"categories": [{"key": "pests"}]}, "categories[1].labels"),
    ({"categories": [{"key": "plumbing", "deadline_days": 0}]}, "categories[1].deadline_days"),
    ({"categories": [{"key": "a b"}]}, "categories[1].key"),
    ({"auto_confrim_days": 3}, "auto_confrim_days: unknown setting"),
])
def test_a_wrong_setting_is_named(raw, named):
    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        parse_settings(raw)
