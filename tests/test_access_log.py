"""The access log (個人資料保護法 Art. 27): who among the staff opened whose contact data,
when and why; the office reads it with `estatedesk privacy log`; only the retention sweep
ever deletes from it."""

import re
from argparse import Namespace
from datetime import timedelta
from pathlib import Path

import pytest

from bot import cli_privacy, cli_reports
from bot.config import ConfigError, parse_settings
from storage.privacy import access_log as store
from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff
from tests.test_buyers import load_register, open_desk
from tests.test_fees import join
from workflow import roles
from workflow.privacy import access

ROOT = Path(__file__).resolve().parent.parent
REF = "R-2026-00001"
PHONE = "+886 912 345 678"  # as May shared it


async def rows(desk, person_id=None):
    """(viewer, person, what, reference, why) in the order written."""
    found = await desk.query("SELECT viewer_id, person_id, what, reference, why FROM "
                             "access_log ORDER BY id")
    return [r for r in found if person_id is None or r[1] == person_id]


async def test_a_clerk_opening_a_residents_ticket_card_is_logged_with_why(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    # the new report's card reached the desk with May's phone: each reader is logged
    assert PHONE in clerk.texts()[-1]
    assert await rows(desk) == [(9001, 5001, "ticket", REF, f"dispatch {REF}")]
    await clerk.tap_data("d:v:1")  # the desk's card, opened from the queue
    assert PHONE in clerk.last_text
    assert (await rows(desk))[-1] == (9001, 5001, "ticket", REF, f"ticket {REF}")
    await clerk.tap_data("t:v:1")  # the ticket with its timeline
    assert (await rows(desk))[-1] == (9001, 5001, "ticket", REF, f"ticket {REF}")
    assert len(await rows(desk)) == 3


async def test_a_technician_getting_the_jobs_notice_with_the_phone_is_logged(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    assert PHONE in tech.texts()[-1]  # the task's card names the resident
    assert (9002, 5001, "ticket", REF, f"task_assigned {REF}") in await rows(desk)
    before = len(await rows(desk))
    await tech.send("/mytasks")
    await tech.tap_data("w:v:1")  # the task opened from the technician's list
    assert PHONE in tech.last_text
    assert len(await rows(desk)) == before + 1
    assert (await rows(desk))[-1] == (9002, 5001, "ticket", REF, f"ticket {REF}")


async def test_a_residents_own_view_is_not_logged(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    before = await rows(desk)
    await resident.send("/mytickets")
    await resident.tap_data("t:v:1")
    assert REF in resident.last_text
    assert await rows(desk) == before  # nothing for the resident's own look
    assert all(viewer != 5001 for viewer, *_ in before)  # nor for their own notices


async def test_a_document_with_names_logs_one_row_per_person(desk):
    clerk, tech, boss = await staff(desk)
    may = await resident_of_a12(desk)
    neighbour = desk.person(5002, "Chih-ming", "en")
    await neighbour.send("/start")
    await neighbour.share_contact("+886 922 111 222")
    await neighbour.tap("A 5F-1")
    await report_leak(may)
    await report_leak(may, "The bathroom ceiling drips.")
    await report_leak(neighbour, "The balcony drain is blocked.")
    before = len(await rows(desk))
    await boss.tap_data("rp:l:2026-11")
    sent = [c for c in boss.calls() if c.method == "sendDocument"][-1]
    name = sent.files["document"][0]
    documents = (await rows(desk))[before:]
    assert sorted(documents) == [(9003, 5001, "document", name, "/report: repair ledger 2026-11"),
                                 (9003, 5002, "document", name, "/report: repair ledger 2026-11")]


async def test_a_unit_s_people_shown_to_a_clerk_taking_a_call_are_logged(desk):
    clerk, tech, boss = await staff(desk)
    await resident_of_a12(desk)
    await clerk.send("/intake")
    await clerk.send("A 12F-3")
    assert "陳美玲 0912-345-678" in clerk.labels()  # May, by the roster's name and phone
    assert await rows(desk) == [(9001, 5001, "record", "A 12F-3", "/intake")]


async def log(desk, capsys, person, since=None):
    code = await cli_privacy.COMMANDS[("privacy", "log")](
        Namespace(person=person, since=since), None, desk.settings, desk.db, desk.clock())
    out = capsys.readouterr()
    return code, out.out, out.err


async def test_the_office_reads_a_persons_log_newest_first(desk, capsys):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    desk.clock.advance(days=3)
    await assign_to_tech(clerk)
    desk.clock.advance(hours=1)
    await clerk.tap_data("d:v:1")
    code, out, _ = await log(desk, capsys, "0912 345 678")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Who opened the data of 陳美玲 (id 5001): 3, newest first"
    assert lines[2] == f"2026-11-29 11:00\tDesk clerk (clerk, id 9001)\tticket\t{REF}\t" \
                       f"ticket {REF}"
    assert lines[3].endswith(f"Ah Wai (technician, id 9002)\tticket\t{REF}\t"
                             f"task_assigned {REF}")
    assert lines[-1].startswith("2026-11-26 10:")  # the first, the dispatch's card, last
    _, by_id, _ = await log(desk, capsys, "5001")
    _, by_name, _ = await log(desk, capsys, " 陳美玲 ")
    assert by_id == by_name == out
    code, since, _ = await log(desk, capsys, "5001", "2026-11-29")
    assert code == 0 and since.splitlines()[0] == \
        "Who opened the data of 陳美玲 (id 5001) since 2026-11-29: 2, newest first"
    code, _, err = await log(desk, capsys, "0955 000 111")
    assert code == 1 and "nobody the desk knows is '0955 000 111'" in err
    code, _, err = await log(desk, capsys, "5001", "yesterday")
    assert code == 1 and "--since yesterday: write a day like 2026-11-01" in err


async def test_a_person_nobody_looked_at_is_told_so(desk, capsys):
    await resident_of_a12(desk)
    code, out, _ = await log(desk, capsys, "陳美玲")
    assert code == 0 and out == "Nobody on the staff has opened the data of 陳美玲 (id 5001).\n"


async def test_the_sweep_drops_only_rows_past_the_retention(desk, monkeypatch):
    await resident_of_a12(desk)
    now = desk.clock()
    days = desk.settings.access_log_days
    assert days == 5 * 365 + 1  # the Act's longest claim (Art. 30): README says why
    async with desk.db.transaction() as conn:
        for age in (days + 400, days + 1, days + 1, days + 1, days + 1, days - 1, 10):
            await store.record(conn, 9001, [5001], access.TICKET, f"age {age}",
                               "ticket", now - timedelta(days=age))
    monkeypatch.setattr(access, "SWEEP_BATCH", 2)  # small batches, several in one sweep
    await desk.sweep()  # the privacy door's timer, as the minute's sweep runs it
    assert [r[3] for r in await rows(desk)] == [f"age {days - 1}", "age 10"]
    assert await access.sweep(desk.db, desk.settings, now) == 0


def test_nothing_but_the_sweep_deletes_or_edits_the_log():
    """No action of the bot updates or deletes a row: the one DELETE is the store's
    drop_before, and only the retention sweep calls it."""
    writers, callers = [], []
    for path in ROOT.glob("[bhsw]*/**/*.py"):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT).as_posix()
        if re.search(r"(UPDATE|DELETE FROM)\s+access_log", text):
            writers.append(where)
        if "drop_before(" in text and not where.startswith("storage/"):
            callers.append(where)
    assert writers == ["storage/privacy/access_log.py"]
    assert callers == ["workflow/privacy/access.py"]
    sql = (ROOT / "storage/privacy/access_log.py").read_text(encoding="utf-8")
    assert "UPDATE access_log" not in sql and sql.count("DELETE FROM access_log") == 1


async def test_a_buyers_contract_read_by_the_sales_service_is_logged(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        sales = await join(desk, roles.SALES_SERVICE, 9050, "Sales")
        await load_register(desk)
        buyer = desk.person(5200, "Siu Ming", "en")
        await buyer.send("/start")
        await buyer.share_contact("+886 955 123 456")
        assert await rows(desk) == []  # the buyer's own contract, shown to them
        await sales.send("/buyer C-001")
        assert sales.last_text.startswith("Contract C-001: C 8F-2, Wong Siu Ming")
        await sales.send("/buyers")
        assert "Wong Siu Ming" in sales.last_text
        assert await rows(desk) == [(9050, 5200, "record", "C-001", "/buyer C-001"),
                                    (9050, 5200, "record", "buyers", "/buyers")]
    finally:
        await desk.stop()


def test_the_retention_is_a_setting_with_a_floor():
    assert parse_settings({"access_log_days": 1095}).access_log_days == 1095
    for bad in (30, "3y", True, 5000):
        with pytest.raises(ConfigError, match="access_log_days: must be a whole number of "
                                              "days from 365 to 3660"):
            parse_settings({"access_log_days": bad})


async def test_a_repair_form_and_the_command_lines_exports_are_logged(desk, tmp_path):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await clerk.tap_data("fm:1")  # the repair form's PDF, from the desk's card
    name = [c for c in clerk.calls() if c.method == "sendDocument"][-1].files["document"][0]
    assert (await rows(desk))[-1] == (9001, 5001, "document", name, f"repair form {REF}")
    settings, now = desk.settings, desk.clock()
    ledger = Namespace(first="2026-11-01", last="2026-11-30", language=None,
                       out=tmp_path / "ledger.xlsx")
    assert await cli_reports.COMMANDS[("report", "ledger")](
        ledger, None, settings, desk.db, now) == 0
    form = Namespace(reference=REF, language=None, out=tmp_path / "form.pdf")
    assert await cli_reports.COMMANDS[("report", "form")](form, None, settings, desk.db,
                                                          now) == 0
    assert (await rows(desk))[-2:] == [
        (None, 5001, "export", "ledger.xlsx",
         "estatedesk report ledger 2026-11-01 2026-11-30"),
        (None, 5001, "export", "form.pdf", f"estatedesk report form {REF}")]


async def test_a_join_request_with_the_newcomers_phone_is_logged_as_their_record(desk):
    clerk, _, boss = await staff(desk)
    newcomer = desk.person(5003, "Newcomer", "en")
    await newcomer.send("/start")
    await newcomer.share_contact("+886 955 000 111")
    await newcomer.send("C 7F-1")
    assert "Newcomer, phone +886 955 000 111, says they live in C 7F-1" in clerk.last_text
    assert await rows(desk) == [(9001, 5003, "record", "#1", "join_request #1")]


def test_an_office_manager_finds_the_privacy_commands_among_the_admin_commands():
    """The README's table of admin commands is where an office looks for what it may run:
    each `estatedesk privacy` command, and the encrypted backup, is in it."""
    import argparse

    from bot import cli
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Admin commands")
    table = readme[start:readme.index("\n## ", start)]

    def commands(parser) -> dict:
        return next(a for a in parser._actions
                    if isinstance(a, argparse._SubParsersAction)).choices

    privacy = commands(commands(cli._parser())["privacy"])
    assert set(privacy) == {"log", "erase", "breach"}
    for command in [f"privacy {name}" for name in privacy] + ["backup --encrypt"]:
        assert f"| `estatedesk {command} " in table, command
