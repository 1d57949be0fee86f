"""The privacy notice at joining (個人資料保護法 Art. 8): a stranger reads it before anything of
theirs is kept and accepts it with one tap; the version accepted is recorded; a new version
is shown once, after the action that met it; /privacy shows it at any time."""

from __future__ import annotations

import dataclasses

import pytest

from storage.privacy import notices
from tests import backends
from tests.stories import report_leak, resident_of_a12, staff
from workflow import admin, roles

# what a person reads, in each language: the notice's head, its rights line, the phone button
# that accepts it, the new version's head and its button
READS = {
    "en": ("Privacy notice of Lakeside Gardens", "Send /mydata",
           "Accept and share my phone number", "has changed. Please read it", "I have read it"),
    "zh-TW": ("Lakeside Gardens 個人資料告知事項", "請傳送 /mydata", "同意並分享我的電話號碼",
              "個人資料告知事項已更新", "我已閱讀"),
    "zh-CN": ("Lakeside Gardens 个人信息告知书", "请发送 /mydata", "同意并分享我的电话号码",
              "个人信息告知书已更新", "我已阅读"),
}
OFFICE = {"estate_name": "Lakeside Gardens", "office_phone": "02-2345-6789",
          "office_hours": "09:00-18:00"}


async def with_settings(desk, **changed) -> None:
    """The office edits the settings and restarts the bot."""
    desk.settings = dataclasses.replace(desk.settings, **changed)
    await desk.restart()


async def tables_holding(desk, *values: str) -> list[str]:
    """The tables of either backend with a row holding any of the values in any column."""
    if backends.POSTGRES:
        tables = [t for (t,) in await desk.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND table_type = 'BASE TABLE'")]
    else:
        tables = [t for (t,) in await desk.query(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
    found = []
    for table in tables:
        rows = await desk.query(f"SELECT * FROM {table}")
        if any(value in str(cell) for row in rows for cell in row for value in values):
            found.append(table)
    return found


@pytest.mark.parametrize("language", list(READS))
async def test_the_notice_comes_first_and_nothing_is_kept_until_the_phone_button_accepts_it(
        desk, language):
    await with_settings(desk, **OFFICE)
    head, rights, button, _, _ = READS[language]
    may = desk.person(6123457, "Mayling", language, last_name="Tsai")
    await may.send("/start")
    shown = may.last_text
    assert head in shown and rights in shown and "02-2345-6789" in shown
    assert shown.count("\n6. ") == 1 and "\n1. " in shown  # the six items of Art. 8
    keyboard = may.calls()[-1].params["reply_markup"]["keyboard"]
    assert keyboard[0][0]["text"] == button and keyboard[0][0]["request_contact"]
    assert await tables_holding(desk, "Mayling", "Tsai", "6123457") == []

    await may.share_contact("+886 912 345 678", owner=6123457)  # the one tap
    async with desk.db.reading() as conn:
        assert await notices.of_person(conn, 6123457) == [notices.Seen(
            6123457, "1", "telegram", "6123457", desk.clock(), desk.clock())]
    assert await desk.query("SELECT user_id FROM residencies") == [(6123457,)]
    assert any("A 12F-3" in t for t in may.texts()[-2:])  # joined as ever: linked


@pytest.mark.parametrize("language", list(READS))
async def test_a_new_version_is_shown_once_after_the_report_it_met(desk, language):
    _, _, _, changed, read = READS[language]
    clerk, _, _ = await staff(desk)
    may = await resident_of_a12(desk, language)
    await with_settings(desk, privacy_notice_version="2026-12-01", **OFFICE)

    await report_leak(may)  # the notice after its first step; the report goes on
    assert await desk.query("SELECT ref, resident_id FROM tickets") == [
        ("R-2026-00001", 5001)]
    notes = [t for t in may.texts() if changed in t]
    assert len(notes) == 1 and "2026-12-01" in notes[0]
    assert any("R-2026-00001" in t for t in clerk.texts())  # the desk has it
    assert await desk.query("SELECT version, accepted_at IS NULL FROM notice_acceptances "
                            "WHERE person_id = 5001 ORDER BY id") == [("1", False),
                                                                      ("2026-12-01", True)]
    await may.send("/mytickets")  # once only
    assert len([t for t in may.texts() if changed in t]) == 1

    for stale in ("pn:read:1", "pn:ok:1", "pn:read:"):  # an older notice's buttons
        await may.tap_data(stale)
        assert read in may.labels() and "2026-12-01" in may.last_text
    assert await desk.query("SELECT count(*) FROM notice_acceptances WHERE person_id = 5001 "
                            "AND accepted_at IS NOT NULL") == [(1,)]  # nothing recorded

    await may.tap(read)
    assert "/privacy" in may.last_text
    assert await desk.query("SELECT version FROM notice_acceptances WHERE person_id = 5001 "
                            "AND accepted_at IS NOT NULL ORDER BY id") == [
        ("1",), ("2026-12-01",)]
    await may.tap_data("pn:read:2026-12-01")  # a second tap records nothing more
    assert await desk.query("SELECT count(*) FROM notice_acceptances") == [(5,)]


async def test_people_of_an_estate_older_than_the_notice_see_it_once(desk):
    clerk, tech, _ = await staff(desk)
    may = await resident_of_a12(desk)
    async with desk.db.transaction() as conn:  # as before the notice existed
        await conn.execute("DELETE FROM notice_acceptances")
    await desk.restart()  # a new process: nothing remembered
    await report_leak(may)
    await clerk.send("/queue")
    await clerk.send("/queue")
    for person in (may, clerk):
        assert len([t for t in person.texts() if "has changed. Please read it" in t]) == 1
    assert not any("has changed" in t for t in tech.texts())  # not written to since
    assert await desk.query("SELECT person_id, version, accepted_at FROM notice_acceptances "
                            "ORDER BY person_id") == [(5001, "1", None), (9001, "1", None)]
    # the cost of knowing: once a process knows, no query
    assert notices.known(desk.db, 9001) == "1"


async def test_staff_accept_with_a_button_and_a_decline_keeps_nothing(desk):
    code = await admin.invite(desk.db, roles.TECHNICIAN, "Lo Sifu", desk.clock())
    lo = desk.person(91007733, "Kwokwing", "en")
    await lo.send(f"/start {code}")
    assert "To join the team, tap 'I accept'" in lo.last_text
    assert lo.labels() == ["I accept", "Decline"]
    await lo.tap("Decline")
    assert lo.last_text == ("You did not accept the notice, so nothing about you was stored. "
                            "Send /start whenever you wish to join.")
    assert await tables_holding(desk, "Kwokwing", "91007733") == []
    assert await desk.query("SELECT count(*) FROM invitations WHERE used_at IS NULL") == [(1,)]

    await lo.send(f"/start {code}")
    await lo.tap("I accept")
    assert "registered as technician" in lo.last_text
    assert await desk.query("SELECT role, name FROM people WHERE user_id = 91007733") == [
        ("technician", "Lo Sifu")]
    assert await desk.query("SELECT version, external_id, accepted_at IS NOT NULL FROM "
                            "notice_acceptances") == [("1", "91007733", True)]
    await lo.tap_data(f"pn:ok:1:{code}")  # an old tap again: the code is used, nothing new
    assert "already been used" in lo.last_text
    assert await desk.query("SELECT count(*) FROM people") == [(1,)]


@pytest.mark.parametrize("language", list(READS))
async def test_a_stale_or_forged_accept_is_refused_and_keeps_nothing(desk, language):
    await with_settings(desk, privacy_notice_version="7", **OFFICE)
    head = READS[language][0]
    stranger = desk.person(62003311, "Stranger", language)
    for forged in ("pn:ok:6", "pn:ok:", "pn:ok:6:@en", "pn:ok:6:Abc_123", "pn:ok:7:no:such",
                   "pn:ok:7:" + "x" * 60, "pn:ok:7:bad/code", "pn:read:7", "pn:no"):
        await stranger.tap_data(forged)
    assert await tables_holding(desk, "Stranger", "62003311") == []
    offered = [t for t in stranger.texts() if head in t]
    assert len(offered) >= 4 and all("7" in t for t in offered)  # the current one instead
    assert any("out of date" in t or "過時" in t or "过时" in t for t in stranger.texts())
    await stranger.tap_data("pn:ok:7:@xx")  # the current version: joined, in the guessed
    assert await desk.query("SELECT user_id, language FROM people") == [  # language
        (62003311, {"en": "en", "zh-TW": "zh_Hant", "zh-CN": "zh_Hans"}[language])]


async def test_bad_input_before_accepting_is_answered_and_keeps_nothing(desk):
    stranger = desk.person(63002299, "Stranger", "en")
    await stranger.send("/start")
    await stranger.send_sticker()
    assert stranger.last_text == "Please send /start to begin."
    await stranger.send("x" * 5000)
    assert stranger.last_text == "Please send /start to begin."
    await stranger.send_photo("leak-1")
    await stranger.share_contact("+886 912 345 678", owner=5999)  # someone else's
    assert "your own phone number" in stranger.last_text
    await stranger.send("/repair")
    await stranger.send("/privacy")
    assert stranger.labels() == ["I accept", "Decline"]
    assert await tables_holding(desk, "Stranger", "63002299") == []


async def test_privacy_shows_the_notice_to_everyone_and_is_on_every_menu(desk):
    clerk, _, _ = await staff(desk)
    may = await resident_of_a12(desk)
    for person in (clerk, may):
        await person.send("/privacy")
        assert person.last_text.startswith("Privacy notice of estatedesk (version 1)")
        assert person.calls()[-1].buttons() == []  # accepted already: nothing to tap
    menus = [c for c in desk.api.calls if c.method == "setMyCommands"]
    assert menus and all("privacy" in [cmd["command"] for cmd in c.params["commands"]]
                         for c in menus)


async def test_an_estates_own_text_replaces_the_built_in_one(desk):
    await with_settings(desk, privacy_notice={"en": "Lakeside's own notice ({version}): call "
                                                    "{office_phone}, {office_hours}."},
                        **OFFICE)
    english, chinese = desk.person(6400, "En", "en"), desk.person(6401, "Zh", "zh-TW")
    await english.send("/start")
    assert "Lakeside's own notice (1): call 02-2345-6789, 09:00-18:00." in english.last_text
    await chinese.send("/start")  # no own text in Chinese: the built-in one
    assert "Lakeside Gardens 個人資料告知事項" in chinese.last_text


def test_the_notices_settings_are_checked_and_named_when_wrong():
    from bot.config import ConfigError, parse_settings
    found = parse_settings({"privacy_notice_version": " 2026-12-01 ",
                            "privacy_notice": {"zh_Hant": " {estate}告知事項 "}})
    assert (found.privacy_notice_version, found.privacy_notice) == (
        "2026-12-01", {"zh_Hant": "{estate}告知事項"})
    assert parse_settings({"privacy_notice_version": 3}).privacy_notice_version == "3"
    assert parse_settings({}).privacy_notice_version == "1"
    for wrong, named in (({"privacy_notice_version": "two words"}, "privacy_notice_version"),
                         ({"privacy_notice_version": "x" * 17}, "privacy_notice_version"),
                         ({"privacy_notice_version": True}, "privacy_notice_version"),
                         ({"privacy_notice": "text"}, "privacy_notice"),
                         ({"privacy_notice": {"fr": "x"}}, "privacy_notice.fr"),
                         ({"privacy_notice": {"en": "Call {name}"}}, "privacy_notice.en"),
                         ({"privacy_notice": {"en": "{estate.x}"}}, "privacy_notice.en"),
                         ({"privacy_notice": {"en": "x" * 3001}}, "privacy_notice.en"),
                         ({"privacy_notice": {"en": "  "}}, "privacy_notice.en")):
        with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
            parse_settings(wrong)
