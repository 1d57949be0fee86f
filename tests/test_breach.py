"""The breach drill (個人資料保護法 Art. 12): a clerk's laptop is stolen; the office runs
`estatedesk privacy breach`, the people it could have exposed are told in their language
(in the chat, or phoned), the managers are alerted at once, at 48 hours and at 72 hours,
each once, and a rerun tells nobody twice."""

from datetime import timedelta

import pytest

from bot import cli, cli_privacy
from bot.app import DOORS  # noqa: F401  (the doors register every renderer)
from handlers.renderers import PLAIN
from storage import people
from storage.privacy import breaches
from tests.harness import DeskHarness
from tests.stories import report_leak, resident_of_a12
from workflow import roles, told
from workflow.settings import EstateSettings
from workflow.told import ESTATE_TOLD, To

SETTINGS = EstateSettings(office_phone="02-2345-6789", office_hours="09:00-18:00")
ROSTER = """building,unit,name,phone
A,12F-3,陳美玲,0912-345-678
A,5F-1,林志明,0922 111 222
C,2F-1,王大同,0933 222 333
D,1F-1,張阿姨,0944 555 666
"""
WHAT = "A laptop of the office with the desk's data was stolen."


@pytest.fixture
async def office(tmp_path):
    harness = DeskHarness(tmp_path / "desk.sqlite3", settings=SETTINGS)
    await harness.start()
    await harness.import_roster(ROSTER)
    yield harness
    await harness.stop()


async def drill(desk, capsys, *argv: str) -> tuple[int, str, str]:
    """`estatedesk privacy breach …` as the office types it, at the desk's time."""
    args = cli._parser().parse_args(["privacy", "breach", *argv])
    code = await cli_privacy.COMMANDS[("privacy", "breach")](args, None, desk.settings,
                                                            desk.db, desk.clock())
    printed = capsys.readouterr()
    return code, printed.out, printed.err


async def estate(desk):
    """An older resident who has done nothing lately; ten days on, since the incident: a
    resident in English reports a leak with a photo, one in Simplified Chinese and one in
    Traditional Chinese join, an owner without the chat is put on file, and one of them
    has blocked the bot. A manager keeps the clock."""
    old = desk.person(5009, "Old", "zh-TW")
    await old.send("/start")
    await old.share_contact("0944 555 666")  # D 1F-1
    clerk = desk.person(9001, "Clerk", "en")
    await desk.hire(clerk, roles.CLERK, "Desk clerk")
    manager = desk.person(9005, "Manager", "en")
    await desk.hire(manager, roles.MANAGER, "Manager")
    desk.clock.advance(days=10)
    since = desk.clock().astimezone(SETTINGS.tz) - timedelta(hours=1)
    may = await resident_of_a12(desk)
    await report_leak(may, photos=("leak-photo",))
    lam = desk.person(5002, "Lam", "zh-CN")
    await lam.send("/start")
    await lam.share_contact("0922 111 222")  # A 5F-1
    wong = desk.person(5004, "Wong", "zh-TW")
    await wong.send("/start")
    await wong.share_contact("0933 222 333")  # C 2F-1
    blocked = desk.person(5006, "Blocked", "en")
    await blocked.send("/start")
    await blocked.share_contact("0922 111 222")
    entry = (await desk.query("SELECT id FROM roster WHERE phone = '0933 222 333'"))[0][0]
    async with desk.db.transaction() as conn:
        await people.set_unreachable(conn, 5006, desk.clock())
        await people.ensure_without_telegram(conn, entry + 100, "王太太", "0933 999 888",
                                             "zh_Hant", desk.clock())
    desk.clock.advance(minutes=30)
    return since.strftime("%Y-%m-%d %H:%M"), may, lam, wong, manager


async def test_the_drill_lists_who_was_active_since_narrowed_by_kind_and_unit(office, capsys):
    since, *_ = await estate(office)
    code, out, _ = await drill(office, capsys, "--since", since, "--what", WHAT, "--dry-run")
    assert code == 0 and "nothing recorded, nobody told" in out
    listed = {int(line.split("\t")[0]) for line in out.splitlines()[1:]}
    off_chat = [p for p in listed if p < 0]
    assert len(off_chat) == 1  # the owner put on file: phoned
    assert {5001, 5002, 5004, 5006, 9001} <= listed  # 9001: sent the leak to dispatch
    assert 5009 not in listed  # joined long before, nothing since
    assert await office.query("SELECT count(*) FROM breach_incidents") == [(0,)]
    assert await office.query("SELECT count(*) FROM outbox WHERE kind LIKE 'breach%'") == [(0,)]
    # the office wrote Traditional Chinese too: the dry run says who would read the English
    _, _, err = await drill(office, capsys, "--since", since, "--what", WHAT, "--what-in",
                            "zh_Hant", "管理處一台存有客服資料的筆電遭竊。", "--dry-run")
    assert "goes to the readers of: en (3), zh_Hans (1). To tell any of them" in err, err

    _, out, _ = await drill(office, capsys, "--since", since, "--what", WHAT, "--dry-run",
                            "--kinds", "photos")
    assert [line.split("\t")[0].strip() for line in out.splitlines()[1:]] == ["5001"]
    _, out, _ = await drill(office, capsys, "--since", since, "--what", WHAT, "--dry-run",
                            "--units", "A-5F-1")
    assert {int(line.split("\t")[0]) for line in out.splitlines()[1:]} == {5002, 5006}
    _, out, _ = await drill(office, capsys, "--since", "2026-11-01", "--what", WHAT,
                            "--dry-run", "--kinds", "units")
    assert 5009 in {int(line.split("\t")[0]) for line in out.splitlines()[1:]}  # joined since
    assert "9001" not in out  # staff live in no unit

    for bad, said in ((("--kinds", "passwords"), "unknown kind passwords"),
                      (("--units", "Z-99F-9"), "there is no unit Z 99F-9"),
                      (("--since", "yesterday"), "not a date"),
                      (("--what", "x" * 1001), "at most 1000 characters"),
                      (("--what-in", "fr", "Un portable volé."), "unknown language fr")):
        code, _, err = await drill(office, capsys, "--since", since, "--what", WHAT, *bad)
        assert code == 1 and said in err, err
    code, _, err = await drill(office, capsys, "--since", "2099-01-01", "--what", WHAT)
    assert code == 1 and "in the future" in err
    assert await office.query("SELECT count(*) FROM breach_incidents") == [(0,)]


async def test_each_person_is_told_in_their_language_the_rest_are_listed_to_phone(office,
                                                                                 capsys):
    since, may, lam, wong, manager = await estate(office)
    code, out, _ = await drill(office, capsys, "--since", since, "--what", WHAT, "--kinds",
                               "names,phones,units", "--what-in", "zh_Hant",
                               "管理處一台存有客服資料的筆電遭竊。")
    assert code == 0, out
    assert "Incident PD-2026-001 (number 1) recorded" in out
    assert "2026-12-09 10:30 (Asia/Taipei), 72 hours from now" in out
    phone_list = out[out.index("To phone"):]
    assert "5006\t林志明\tA 5F-1" in phone_list
    assert "王太太" in phone_list and "0933 999 888" in phone_list
    assert "May" not in phone_list
    assert "What to say (zh_Hant):" in phone_list and "管理處一台存有客服資料的筆電遭竊。" in out
    logged = await office.query("SELECT person_id, viewer_id, reference, why FROM access_log "
                                "WHERE reference = 'PD-2026-001'")  # (staff's cards: theirs)
    assert sorted(p for p, *_ in logged) == sorted([5006, *(p for p, *_ in logged if p < 0)])
    assert {(v, r, w) for _, v, r, w in logged} == {
        (None, "PD-2026-001", "estatedesk privacy breach")}  # the list to phone was opened
    await office.deliver()

    assert may.last_text.splitlines() == [
        "Important: about your personal data (PD-2026-001)",
        f"What happened: {WHAT}",
        "Data that may be exposed: your name, your phone number, and your unit",
        "What we are doing: We have acted to stop it, are looking into what happened and are "
        "reporting it as the Personal Data Protection Act requires. We will tell you if we "
        "learn more.",
        "What you can do: Be careful with calls or messages that use your details, and never "
        "give anyone a password or a code.",
        "Questions: please contact the management office (02-2345-6789, open 09:00-18:00)."]
    assert lam.last_text.startswith("重要：关于您的个人信息（PD-2026-001）")
    assert "管理处" in lam.last_text and WHAT in lam.last_text  # no Simplified text given
    assert wong.last_text.startswith("重要：關於您的個人資料（PD-2026-001）")
    assert "管理處一台存有客服資料的筆電遭竊。" in wong.last_text
    assert "02-2345-6789" in wong.last_text
    assert "PD-2026-001" in manager.last_text and "to phone" in manager.last_text

    await office.sweep()  # the deliveries recorded as told
    rows = dict(await office.query("SELECT person_id, told_how FROM breach_people "
                                   "WHERE told_at IS NOT NULL"))
    # the clerk too: sent the leak (active), and the desk holds their name
    assert rows == {5001: "chat", 5002: "chat", 5004: "chat", 9001: "chat"}
    off_chat = (await office.query("SELECT person_id FROM breach_people WHERE person_id < 0"))
    assert len(off_chat) == 1
    _, out, _ = await drill(office, capsys, "show", "1")
    assert "NOT TOLD: phone them" in out and "told 2026-12-06 10:30 (chat)" in out
    shown = await office.query("SELECT count(*) FROM access_log WHERE why = "
                               "'estatedesk privacy breach show'")
    assert shown == await office.query("SELECT count(*) FROM breach_people")
    code, out, _ = await drill(office, capsys, "told", "--incident", "1", "--person",
                               f"5006,{off_chat[0][0]}")
    assert code == 0 and out.count("marked told.") == 2
    code, out, _ = await drill(office, capsys, "told", "--incident", "1", "--person", "5006")
    assert code == 0 and "was told already; kept." in out
    code, _, err = await drill(office, capsys, "told", "--incident", "1", "--person", "5009")
    assert code == 1 and "not on the list" in err
    _, out, _ = await drill(office, capsys, "list")
    assert "PD-2026-001" in out and ", 0 not told" in out


async def test_the_same_command_again_tells_nobody_twice(office, capsys):
    since, may, *_ = await estate(office)
    argv = ("--since", since, "--what", WHAT)
    await drill(office, capsys, *argv)
    await office.deliver()
    before = await office.query("SELECT count(*) FROM outbox")
    code, out, _ = await drill(office, capsys, *argv)
    assert code == 0 and "was recorded by this same command" in out
    assert "nobody was told again" in out
    assert await office.query("SELECT count(*) FROM outbox") == before
    assert await office.query("SELECT count(*) FROM breach_incidents") == [(1,)]
    await office.deliver()
    assert sum("Important: about your personal data" in t for t in may.texts()) == 1


async def test_the_managers_hear_at_the_opening_at_48_hours_and_at_72_each_once(office,
                                                                              capsys):
    since, may, lam, wong, manager = await estate(office)
    await drill(office, capsys, "--since", since, "--what", WHAT)
    await office.deliver()
    alerts = [t for t in manager.texts() if "Personal data incident" in t]
    assert len(alerts) == 1 and "Tell them, and report it, by" in alerts[0]

    office.clock.advance(hours=47)
    await office.sweep()
    assert [t for t in manager.texts() if "Personal data incident" in t] == alerts
    office.clock.advance(hours=1)
    await office.sweep()
    await office.restart()  # a restart fires nothing again
    await office.sweep()
    alerts = [t for t in manager.texts() if "Personal data incident" in t]
    assert len(alerts) == 2
    assert "people are still not told, 48 hours on" in alerts[1]

    office.clock.advance(hours=25)  # the desk was down at the 72nd hour
    await office.sweep()
    await office.sweep()
    alerts = [t for t in manager.texts() if "Personal data incident" in t]
    assert len(alerts) == 3 and "past its 72 hours" in alerts[2]
    office.clock.advance(days=3)
    await office.restart()
    await office.sweep()
    assert len([t for t in manager.texts() if "Personal data incident" in t]) == 3

    code, _, err = await drill(office, capsys, "close")  # the number forgotten
    assert code == 1 and "close: give the incident's number" in err
    code, _, err = await drill(office, capsys, "close", "1")
    assert code == 1 and "not told yet" in err
    code, out, _ = await drill(office, capsys, "close", "1", "--anyway", "--note",
                               "reported to the authority")
    assert code == 0 and "closed" in out
    _, out, _ = await drill(office, capsys, "list")
    assert "closed" in out


async def test_an_incident_closed_in_time_or_with_everyone_told_alerts_no_more(office, capsys):
    since, *_ = await estate(office)
    code, out, _ = await drill(office, capsys, "--since", since, "--what", WHAT, "--kinds",
                               "photos")  # May alone, in the chat
    assert code == 0 and "To phone" not in out
    await office.deliver()
    manager = [p for p in (office.person(9005, "Manager", "en"),)][0]
    office.clock.advance(hours=49)
    await office.sweep()
    assert sum("Personal data incident" in t for t in manager.texts()) == 1  # all told
    code, _, _ = await drill(office, capsys, "close", "1")
    assert code == 0
    office.clock.advance(hours=30)
    await office.sweep()
    assert sum("Personal data incident" in t for t in manager.texts()) == 1
    assert await office.query("SELECT overdue_at FROM breach_incidents") == [(None,)]


def test_every_estate_notice_has_a_plain_renderer_and_a_teller():
    kinds = {row.notice for rows in ESTATE_TOLD.values() for row in rows}
    assert sorted(k for k in kinds if k not in PLAIN) == []
    assert set(breaches.KINDS) == {k for k in kinds if k.startswith("breach_")}
    assert {row.to for rows in ESTATE_TOLD.values() for row in rows} <= {
        To.AFFECTED, To.MANAGERS, To.SUPERVISORS, To.CLERKS}
    assert told.audiences("breach_opened") == [("managers", "breach_opened", "always")]


async def test_a_drill_at_night_alerts_the_managers_at_once_and_tells_residents_at_eight(
        office, capsys):
    since, may, lam, wong, manager = await estate(office)
    office.clock.advance(hours=12, minutes=30)  # 23:00 in Taipei
    code, _, _ = await drill(office, capsys, "--since", since, "--what", WHAT)
    assert code == 0
    await office.deliver()
    assert "Personal data incident PD-2026-001" in manager.last_text
    assert not any("about your personal data" in t for t in may.texts())
    office.clock.advance(hours=9)  # 08:00: the quiet hours are over
    await office.deliver()
    assert may.last_text.startswith("Important: about your personal data (PD-2026-001)")
