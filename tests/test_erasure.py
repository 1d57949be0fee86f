"""Deleting a person's data (個人資料保護法 Art. 11): May of A 12F-3 has done everything the desk
offers; once she is erased no table or column of the database, nor any file of the desk,
holds her name, phone or chat id, and the month's figures and fees add up as before."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from storage import migrations
from storage.privacy import access_log
from storage.privacy import erasure as store
from tests import backends
from tests.conftest import ROSTER
from tests.harness import DeskHarness
from tests.stories import assign_to_tech, complete, report_leak, resident_of_a12, staff
from tests.test_complaints import complain
from tests.test_fees import join
from tests.test_renovations import apply_for_a_bathroom
from tests.test_same_problem import NEIGHBOURS, begin_public_report, neighbours, report_the_lift
from tests.test_voice_notes import no_photos_and_a_visit, report_by_voice
from workflow import roles
from workflow.fees import collection
from workflow.office import reports
from workflow.privacy.erasure import erase_person
from workflow.sales import buyers
from workflow.settings import EstateSettings, FeeItem

NAME, PHONE, CHAT = "陳美玲", "912345678", 5001  # May's, as the roster and Telegram know her
OTHER_NAMES = ("Resident 5001",)  # her Telegram name, before the roster's replaced it
# She bought a second home off plan; another buyer did too.
CONTRACT = """contract,building,unit,name,phone,first_payment_due,mortgage_at,bank,place,\
loan_documents_due,handover_due
C-001,C,8F-2,陳美玲,0912-345-678,2026-12-01,,,,,2027-01-10
C-002,C,9F-1,Lee Ka Yan,0966 222 333,,,,,,2027-01-10
"""


# PostgreSQL's record of the migrations applied (SQLite's user_version): no one's data
BOOKKEEPING = {"schema_version"}


async def live_columns(desk) -> dict[str, list[str]]:
    """Every table and column of the live schema, as the backend lists them."""
    async with desk.db.reading() as conn:
        if backends.POSTGRES:
            rows = await (await conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
            )).fetchall()
        else:
            rows = []
            for (table,) in await (await conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'")).fetchall():
                rows += [(table, c[1]) for c in await (await conn.execute(
                    f"PRAGMA table_info({table})")).fetchall()]
    found: dict[str, list[str]] = {}
    for table, column in rows:
        if table in BOOKKEEPING:
            continue
        found.setdefault(table, []).append(column)
    return found


def mentions(value, name=NAME, phone=PHONE, chat=CHAT) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return value == chat
    text = value if isinstance(value, str) else str(value)
    return (name in text or any(n in text for n in OTHER_NAMES)
            or phone in re.sub(r"\D", "", text)
            or re.search(rf"(?<![0-9A-Za-z]){chat}(?![0-9A-Za-z])", text) is not None)


async def leaks(desk, **who) -> list[tuple[str, str, object]]:
    """Every (table, column, value) of the database that still names the person."""
    found, schema = [], await live_columns(desk)
    async with desk.db.reading() as conn:
        for table, columns in schema.items():
            for row in await (await conn.execute(
                    f"SELECT {', '.join(columns)} FROM {table}")).fetchall():
                found += [(table, c, v) for c, v in zip(columns, row, strict=True)
                          if mentions(v, **who)]
    return found


async def open_desk(tmp_path) -> DeskHarness:
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(
        fee_items=(FeeItem("management_fee", 3200),), renovation_fee=Decimal(2000),
        renovation_deposit=Decimal(10000)))
    await desk.start()
    await desk.import_roster(ROSTER)
    await desk.import_roster(NEIGHBOURS)
    return desk


async def may_does_everything(desk):
    """May follows her neighbour's report of the lift, reports a leak with a photo and
    another by voice, rates a job with a comment, complains, and pays her fees; a clerk
    opens her record."""
    clerk, tech, boss = await staff(desk)
    cashier = await join(desk, roles.CASHIER, 9040, "Cashier")
    may, two, three, *_ = await neighbours(desk)
    await report_the_lift(three)
    await begin_public_report(may)
    await may.tap("Lift B")
    await may.tap("Same problem: R-2026-00001")
    await assign_to_tech(clerk, 1)
    await complete(tech, 1, note="Reset the lift controller.")
    await three.tap("Confirm, it is fixed")
    await report_leak(may, photos=("photo-of-the-sink",))
    await assign_to_tech(clerk, 2)
    await complete(tech, 2, note=f"Fixed at {NAME}'s, she will call from 0912-345-678.")
    await may.tap("Confirm, it is fixed")
    await desk.run_until(desk.clock.now + timedelta(hours=24))
    await may.tap("2★")
    await may.tap("Next")
    await may.send(f"Slow. {NAME} here, please call 0912 345 678.")
    await report_by_voice(may)
    await no_photos_and_a_visit(may)
    await may.tap_data("r:ok")
    await complain(may, f"The guard shouted at me ({NAME}, A 12F-3).")
    await apply_for_a_bathroom(may)
    await may.tap("Confirm and send")
    assert "registered as RN-2026-00001" in may.last_text
    rows = buyers.parse(CONTRACT.encode(), "register.csv", desk.settings.tz)
    assert await buyers.import_rows(desk.db, rows, desk.clock()) == (2, 0)
    assert await collection.bill_month(desk.db, desk.settings, "2026-11") >= 1
    await cashier.send("/pay A 12F-3 3,200 cash R0042")
    await cashier.send("/pay A 5F-1 3,200 cash R0043")
    async with desk.db.transaction() as conn:
        await access_log.record(conn, clerk.user_id, [CHAT, three.user_id], access_log.RECORD,
                                "A 12F-3", "/find", desk.clock())
    await desk.deliver()
    return clerk, tech, boss, may, three


async def totals(desk):
    """The past months' figures as the office reads them: the monthly report and the fees."""
    monthly = await reports.monthly(desk.db, desk.settings, date(2026, 11, 1))
    income = await collection.income(desk.db, desk.settings, "2026-11")
    return (monthly, sorted((p.unit_id, p.amount, p.receipt) for p in income.payments),
            sum((p.amount for p in income.payments), Decimal(0)),
            sorted((b.unit_id, b.amount) for b in income.bills))


async def others(desk, erased: int):
    """What the desk holds of everyone else."""
    return (await desk.query("SELECT user_id, name, phone, role FROM people WHERE user_id <> ? "
                             "AND name NOT IN (?, ?) ORDER BY user_id", erased, store.ERASED,
                             store.FORMER_STAFF),
            await desk.query("SELECT id, resident_id, description, location FROM tickets "
                             "WHERE resident_id <> ? ORDER BY id", erased),
            await desk.query("SELECT ticket_id, resident_id, rating, comment FROM surveys "
                             "WHERE resident_id <> ? ORDER BY ticket_id, resident_id", erased),
            await desk.query("SELECT unit_id, name, phone FROM roster WHERE name <> ? "
                             "ORDER BY id", NAME),
            await desk.query("SELECT id, recipient_id, kind, payload, sent_at FROM outbox "
                             "WHERE recipient_id <> ? AND (ticket_id IS NULL OR ticket_id NOT IN "
                             "(SELECT id FROM tickets WHERE resident_id = ?)) ORDER BY id",
                             erased, erased),
            await desk.query("SELECT contract_no, unit_id, name, phone FROM buyers WHERE "
                             "contract_no <> 'C-001'"),
            await desk.query("SELECT ticket_id, stage, file_id FROM ticket_photos WHERE "
                             "ticket_id NOT IN (SELECT id FROM tickets WHERE resident_id = ?) "
                             "ORDER BY ticket_id, stage, position", erased))


def files_mentioning(folder, *needles: str) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file()
            and any(n.encode() in p.read_bytes() for n in needles)]


async def test_every_table_of_the_schema_says_what_erasure_does_to_it(desk):
    columns = await live_columns(desk)
    assert set(columns) == set(store.TABLES), "a table without its row in TABLES, or gone"
    for table, spec in store.TABLES.items():
        assert set(spec.ids) <= set(columns[table]), table
        assert spec.owner is None or spec.owner in columns[table], table
        assert spec.fate in (store.KEEP, store.ANONYMISE, store.DELETE), table
    assert {"left_at"} <= set(columns["people"]) and {"erased_at"} <= set(columns["tickets"])
    assert len(migrations.MIGRATIONS) >= 39


async def test_an_erased_resident_leaves_no_trace_and_the_months_add_up(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        clerk, tech, boss, may, three = await may_does_everything(desk)
        assert len(await leaks(desk)) > 10  # she is everywhere
        assert ("photo-of-the-sink",) in await desk.query(
            "SELECT file_id FROM ticket_photos t JOIN tickets k ON k.id = t.ticket_id "
            "WHERE k.resident_id = ?", CHAT)
        assert await desk.query("SELECT count(*) FROM ticket_voices") == [(1,)]
        before, kept = await totals(desk), await others(desk, CHAT)
        # SQLite's files hold her (PostgreSQL's are the server's, not the desk's folder)
        assert bool(files_mentioning(tmp_path, NAME, "0912-345-678")) != backends.POSTGRES

        erased = await erase_person(desk.db, CHAT, desk.clock())
        assert erased.person_id is not None and erased.person_id != CHAT
        assert files_mentioning(tmp_path, NAME, "0912-345-678", "0912 345 678") == []
        assert erased.tickets == 3 and erased.deleted > 0 and erased.rekeyed > 0
        assert await leaks(desk) == []
        assert await totals(desk) == before
        assert await others(desk, erased.person_id) == kept
        # her tickets stay, anonymous: unit, category, dates and reference kept
        rows = await desk.query("SELECT ref, category, description, caller_name FROM tickets "
                                "WHERE resident_id = ? ORDER BY id", erased.person_id)
        assert [r[0] for r in rows] == ["R-2026-00002", "R-2026-00003", "C-2026-00001"] or \
            len(rows) == 3
        assert {r[2] for r in rows} == {store.ERASED} and {r[3] for r in rows} == {None}
        assert await desk.query("SELECT count(*) FROM ticket_voices") == [(0,)]
        assert await desk.query("SELECT ref, details, resident_id FROM renovations") == [
            ("RN-2026-00001", store.ERASED, erased.person_id)]
        assert await desk.query("SELECT count(*) FROM renovation_photos") == [(0,)]
        assert await desk.query("SELECT contract_no, name, phone, handover_due IS NOT NULL "
                                "FROM buyers WHERE contract_no = 'C-001'") in (
            [("C-001", store.ERASED, "", 1)], [("C-001", store.ERASED, "", True)])
        assert await desk.query("SELECT count(*) FROM channel_accounts WHERE person_id = ?",
                                erased.person_id) == [(0,)]
        # the lift she followed, closed, still counts her; three's own photo stays
        assert await desk.query("SELECT count(*) FROM ticket_followers WHERE ticket_id = 1"
                                ) == [(1,)]

        again = await erase_person(desk.db, CHAT, desk.clock())
        assert again.person_id is None  # nobody has that number any more
        twice = await erase_person(desk.db, erased.person_id, desk.clock())
        assert twice.person_id != erased.person_id
        assert await leaks(desk) == [] and await totals(desk) == before

        # her open report goes on without her: nobody is asked to phone an erased person
        await assign_to_tech(clerk, 3)
        assert await desk.query("SELECT count(*) FROM outbox WHERE kind = 'unreachable'") == [
            (0,)]
        await may.send("/mytickets")  # she writes again: a stranger to the desk
        assert await leaks(desk, name="\x00", phone="\x00") == []
        await desk.query("SELECT 1")
    finally:
        await desk.stop()
    assert files_mentioning(tmp_path, NAME, "0912-345-678", "0912 345 678") == []


async def test_an_erased_technician_stays_the_hand_of_the_work_as_former_staff(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        clerk, tech, boss, may, three = await may_does_everything(desk)
        before = await totals(desk)
        visits = await desk.query("SELECT ticket_id, round, labour_hours FROM visits "
                                  "WHERE worker_id = ? ORDER BY ticket_id", tech.user_id)
        assert len(visits) == 2
        erased = await erase_person(desk.db, tech.user_id, desk.clock())
        assert await leaks(desk, name="Ah Wai", phone="\x00", chat=tech.user_id) == []
        assert await desk.query("SELECT name, active FROM people WHERE user_id = ?",
                                erased.person_id) == [(store.FORMER_STAFF, 0)]
        assert await desk.query("SELECT ticket_id, round, labour_hours FROM visits "
                                "WHERE worker_id = ? ORDER BY ticket_id",
                                erased.person_id) == visits
        assert await desk.query("SELECT count(*) FROM tickets WHERE technician_id = ?",
                                erased.person_id) == [(2,)]
        after = await totals(desk)
        assert after[1:] == before[1:]
        figures, was = after[0].figures, before[0].figures
        assert list(figures.rating_by_technician.values()) == \
            list(was.rating_by_technician.values())
        assert set(figures.rating_by_technician) <= {store.FORMER_STAFF}
        # what May left is hers still
        assert await desk.query("SELECT name FROM people WHERE user_id = ?", CHAT) == [(NAME,)]
    finally:
        await desk.stop()


async def test_the_office_erases_by_phone_after_confirming(tmp_path, monkeypatch, capsys):
    """`estatedesk privacy erase --person …` (a court order, a request on paper)."""
    import argparse

    from bot import cli_privacy
    desk = await open_desk(tmp_path)
    try:
        clerk, tech, boss = await staff(desk)
        may, two, *_ = await neighbours(desk)
        erase = cli_privacy.COMMANDS[("privacy", "erase")]

        async def run(person: str, yes: bool = False, answer: str = "") -> int:
            monkeypatch.setattr("builtins.input", lambda prompt: answer)
            return await erase(argparse.Namespace(person=person, yes=yes), None,
                               desk.settings, desk.db, desk.clock())

        assert await run("0999 999 999") == 1
        assert "nobody has the id or phone" in capsys.readouterr().err
        assert await run("0912 345 678", answer="no") == 1
        assert "nothing was erased" in capsys.readouterr().out
        assert await desk.query("SELECT name FROM people WHERE user_id = ?", CHAT) == [(NAME,)]
        assert await run("+886-912-345-678", answer="yes") == 0
        out = capsys.readouterr().out
        assert f"{CHAT}\t{NAME}" in out and "Erased:" in out
        assert await leaks(desk) == []
        await report_leak(two)
        assert await run(str(two.user_id), yes=True) == 0  # by id, without asking
        assert "(1 ticket kept)" in capsys.readouterr().out  # one, in plain English
        assert await desk.query("SELECT count(*) FROM people WHERE user_id = ?",
                                two.user_id) == [(0,)]
        assert await run(str(CHAT), yes=True) == 1  # gone already: nothing to do
    finally:
        await desk.stop()


async def test_a_quarters_settlement_adds_up_the_same_after_the_reporter_is_erased(desk):
    """Aqua Works's quarter: one job it did, one taken over and charged back; erasing the
    resident who reported both changes no line of it."""
    from tests.test_settlement import a_quarter_with_aqua
    from workflow.office import settlement
    await a_quarter_with_aqua(desk)
    quarter = settlement.quarter_of(desk.clock().date())
    before = await settlement.all_units(desk.db, desk.settings, quarter)
    assert [len(s.jobs) for s in before] == [2]
    monthly = await reports.monthly(desk.db, desk.settings, date(2026, 11, 1))
    erased = await erase_person(desk.db, 5001, desk.clock())
    assert erased.tickets == 2
    assert await settlement.all_units(desk.db, desk.settings, quarter) == before
    assert await reports.monthly(desk.db, desk.settings, date(2026, 11, 1)) == monthly
    assert await leaks(desk, name="陳美玲", phone=PHONE, chat=5001) == []


async def test_the_desk_reads_an_erased_residents_ticket_in_its_own_language(desk):
    """A clerk in Traditional Chinese opens the ticket of a resident who was erased: what
    was removed is said in Chinese, not as the store's mark."""
    clerk, _, _ = await staff(desk, "zh-TW")
    may = await resident_of_a12(desk)
    await report_leak(may)
    await erase_person(desk.db, may.user_id, desk.clock())
    await clerk.tap_data("t:v:1")
    card = clerk.last_text
    assert card.startswith("R-2026-00001") and "住戶：（已刪除）" in card
    assert "問題：（已刪除）" in card and "(deleted)" not in card


async def test_a_neighbour_offered_an_erased_residents_public_report_reads_chinese(desk):
    """The lobby's light, reported by a resident since erased: a neighbour about to report
    it again in Simplified Chinese is offered it, its words said removed in her script."""
    from tests.test_need_to_know import NEIGHBOURS, report_a_public_fault
    await desk.import_roster(NEIGHBOURS)
    may = await resident_of_a12(desk)
    await report_a_public_fault(may, follow=False)
    await erase_person(desk.db, may.user_id, desk.clock())
    two = desk.person(5002, "Two", "zh-CN")
    await two.send("/start")
    await two.share_contact("0933 000 002")
    await report_a_public_fault(two, follow=True)
    offered = next(t for t in two.texts() if "R-2026-00001：" in t)
    assert "R-2026-00001：（已删除），报修于" in offered and "(deleted)" not in offered
