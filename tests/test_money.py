"""Money and numbers exact: what people type is read in their language (NT$, 元, 塊, full-width
digits, thousands separators) and what cannot be read for sure is asked again, naming the
number; amounts are kept as integer cents, so a day of a thousand odd payments adds up to the
cent and the cashier's close balances exactly."""

from decimal import Decimal

import pytest

from storage.fees import ledger
from storage.office import storeroom
from tests import backends
from tests.harness import DeskHarness
from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff
from workflow import admin, numbers, roles
from workflow.fees import collection
from workflow.settings import EstateSettings, FeeItem

ROSTER = "building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n"
LANGUAGES = ("en", "zh-TW", "zh-CN")
# What each language says when a number is refused, and when the hours are taken.
SAYS = {
    "en": {"ambiguous": "Is “1,5” 15 or 1.5? Here a comma separates thousands.",
           "nan": "“nan” is not a number.", "inf": "“inf” is not a number.",
           "-5": "“-5” is below zero.", "1e308": "“1e308” is more than 10,000,000",
           "materials": "Materials cost?"},
    "zh-TW": {"ambiguous": "「1,5」是 15 還是 1.5？這裡逗號是千分位符號。",
              "nan": "「nan」不是數字。", "inf": "「inf」不是數字。", "-5": "「-5」小於 0。",
              "1e308": "「1e308」超過 10,000,000", "materials": "材料費"},
    "zh-CN": {"ambiguous": "「1,5」是 15 还是 1.5？这里逗号是千位分隔符。",
              "nan": "「nan」不是数字。", "inf": "「inf」不是数字。", "-5": "「-5」小于 0。",
              "1e308": "「1e308」超过 10,000,000", "materials": "材料费"},
}


async def join(desk, role, user_id, name, language):
    person = desk.person(user_id, name, language)
    await person.join(await admin.invite(desk.db, role, name, desk.clock()))
    return person


def test_amounts_are_read_as_people_type_them_in_each_language():
    for locale in ("zh_Hant_TW", "zh_Hans_CN", "en"):
        for typed in ("NT$350", "350元", "＄350", "350", " 350 塊", "NT$ 350.0", "３５０",
                      "TWD 350", "350块"):
            assert numbers.amount(typed, locale) == Decimal(350), (typed, locale)
        assert numbers.amount("1,200.5", locale) == Decimal("1200.5")
        assert numbers.amount("１，２００．５", locale) == Decimal("1200.5")  # full width
        assert numbers.hours("1.5 小時", locale) == numbers.hours("1.5h", locale) == \
            Decimal("1.5")
        assert numbers.leading_amount("NT$850 更換插座", locale) == (Decimal(850), "更換插座")
        assert numbers.leading_amount("850元 更換插座", locale) == (Decimal(850), "更換插座")
        assert numbers.leading_amount("850元更換插座", locale) == (Decimal(850), "更換插座")
        assert numbers.leading_amount("$1,200 replace socket", locale) == (
            Decimal(1200), "replace socket")
        for glued in ("1e9 new socket", "850x2 sockets", "12OO replace"):  # not 1, 850, 12
            with pytest.raises(numbers.Unreadable) as refused:
                numbers.leading_amount(glued, locale)
            assert refused.value.reason == numbers.Unreadable.NOT_A_NUMBER, glued
        for typed, reason in (("three hundred", numbers.Unreadable.NOT_A_NUMBER),
                              ("-5", numbers.Unreadable.NEGATIVE),
                              ("nan", numbers.Unreadable.NOT_FINITE),
                              ("inf", numbers.Unreadable.NOT_FINITE),
                              ("1e308", numbers.Unreadable.TOO_BIG),
                              ("1,5", numbers.Unreadable.AMBIGUOUS),
                              ("1,50", numbers.Unreadable.AMBIGUOUS),
                              ("0.001", numbers.Unreadable.TOO_PRECISE),
                              ("0", numbers.Unreadable.ZERO)):
            with pytest.raises(numbers.Unreadable) as refused:
                numbers.amount(typed, locale)
            assert refused.value.reason == reason and refused.value.text == typed


@pytest.mark.parametrize("language", LANGUAGES)
async def test_hours_typed_with_a_comma_are_asked_again_never_read_as_fifteen(desk, language):
    clerk, tech, _ = await staff(desk, language)
    await report_leak(await resident_of_a12(desk, language))
    await assign_to_tech(clerk)
    await tech.tap_starting("w:done:1:")
    await tech.send_photo("after")
    await tech.tap_data("w:pd")
    await tech.send("Fixed")
    await tech.send("1,5")
    assert tech.last_text.startswith(SAYS[language]["ambiguous"])
    assert await desk.query("SELECT step FROM drafts") == [("hours",)]  # nothing taken
    await tech.send("１.５ 小時")  # full-width digits and the unit are fine
    assert SAYS[language]["materials"] in tech.last_text
    await tech.send("NT$1,200")
    # 1.5 hours as hundredths of an hour, NT$1,200 as cents
    assert await desk.query("SELECT labour_hours, materials_cost FROM tickets") == [(150, 120000)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("typed", ["NT$850 更換插座", "850元 更換插座", "NT850 更換插座",
                                   "新台幣850元整 更換插座", "850 元更換插座"])
async def test_a_quotation_typed_with_its_currency_is_read_whole(desk, language, typed):
    clerk, tech, _ = await staff(desk, language)
    await report_leak(await resident_of_a12(desk, language))
    await assign_to_tech(clerk)
    await clerk.tap_data("d:v:1")
    await clerk.tap_starting("pa:l:1")
    await clerk.tap_starting("pa:q:1")
    await clerk.send(typed)
    assert ("NT$850" if language == "en" else "850 元") in clerk.last_text  # with its currency
    assert await desk.query("SELECT quote_amount, quote_note, quote_state FROM tickets") == [
        (85000, "更換插座", "pending")]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_quotation_of_one_comma_five_is_asked_again(desk, language):
    clerk, tech, _ = await staff(desk, language)
    await report_leak(await resident_of_a12(desk, language))
    await assign_to_tech(clerk)
    await clerk.tap_data("d:v:1")
    await clerk.tap_starting("pa:l:1")
    await clerk.tap_starting("pa:q:1")
    await clerk.send("1,5 更換插座")
    assert clerk.last_text.startswith(SAYS[language]["ambiguous"])
    assert await desk.query("SELECT quote_amount, quote_state FROM tickets") == [(None, None)]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_cashier_is_told_which_number_cannot_be_taken_and_nothing_is_stored(
        tmp_path, language):
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(
        fee_items=(FeeItem("management_fee", 3200),)))
    await desk.start()
    try:
        await desk.import_roster(ROSTER)
        cashier = await join(desk, roles.CASHIER, 9040, "Cashier", language)
        for bad in ("nan", "inf", "-5", "1e308", "1,5"):
            await cashier.send(f"/pay A 12F-3 {bad} cash R1")
            said = SAYS[language]["ambiguous" if bad == "1,5" else bad]
            assert cashier.last_text.startswith(said), bad
            assert "/pay" in cashier.last_text  # and how to write it
        await cashier.send("/closeday nan inf")
        assert cashier.last_text.startswith(SAYS[language]["nan"])
        await cashier.send("/closeday 0 inf")
        assert cashier.last_text.startswith(SAYS[language]["inf"])
        assert await desk.query("SELECT count(*) FROM payments") == [(0,)]
        assert await desk.query("SELECT count(*) FROM day_closes") == [(0,)]
        await collection.bill_month(desk.db, desk.settings, "2026-12")  # a bill behind it
        await cashier.send("/pay A 12F-3 NT$3,200.50 cash R1")
        assert await desk.query("SELECT amount FROM payments") == [(320050,)]
    finally:
        await desk.stop()


def odd_amounts(count: int) -> list[Decimal]:
    """A day's payments as people pay them: cents everywhere, 0.1 and 0.2 among them."""
    return [Decimal("0.1"), Decimal("0.2"), Decimal("1234.5")] + [
        Decimal(f"{(i * 7919) % 40_000}.{(i * 37) % 100:02d}") + Decimal("0.01")
        for i in range(count - 3)]


async def test_a_day_of_a_thousand_odd_payments_adds_up_to_the_cent(tmp_path):
    desk = DeskHarness(tmp_path / "desk.sqlite3", settings=EstateSettings(
        fee_items=(FeeItem("management_fee", 3200),)))
    await desk.start()
    try:
        await desk.import_roster(ROSTER)
        cashier = await join(desk, roles.CASHIER, 9040, "Cashier", "en")
        await collection.bill_month(desk.db, desk.settings, "2026-12")  # a bill behind them
        amounts = odd_amounts(1000)
        floats = 0.0
        for n, amount in enumerate(amounts):
            await collection.record_payment(desk.db, desk.settings, 9040, "A 12F-3", amount,
                                            "cash" if n % 2 else "transfer", f"R{n}",
                                            desk.clock())
            floats += float(amount)
        exact = sum(amounts, Decimal(0))
        assert floats != float(exact)  # what REAL columns would have added up to
        assert await desk.query("SELECT sum(amount) FROM payments") == [(int(exact * 100),)]
        cash = sum(amounts[1::2], Decimal(0))
        transfer = sum(amounts[0::2], Decimal(0))
        await cashier.send(f"/closeday {cash:,} {transfer:,}")  # "6,473,321.05 …"
        assert cashier.last_text == (f"The day is closed: cash {cash:,}, transfers "
                                     f"{transfer:,} recorded. The manager has the summary.")
        assert await desk.query("SELECT cash_counted, transfer_counted, cash_recorded, "
                                "transfer_recorded, explanation FROM day_closes") == [
            (int(cash * 100), int(transfer * 100), int(cash * 100), int(transfer * 100), "")]
    finally:
        await desk.stop()


T0 = "2026-11-01T02:00:00.000000Z"
POINT_THREE = 0.1 + 0.2  # 0.30000000000000004, as a REAL column held it
OLD_ROWS = [  # an estate's figures as REAL, written by the desk before migration 24
    "INSERT INTO people (user_id, language, role, name, created_at) VALUES "
    f"(5001, 'en', 'resident', 'May', '{T0}'), (9040, 'en', 'cashier', 'Cashier', '{T0}')",
    "INSERT INTO units (id, building, unit) VALUES (1, 'A', '12F-3')",
    ("INSERT INTO tickets (id, ref, kind, resident_id, unit_id, category, location, "
     "description, visit_date, visit_slot, status, labour_hours, materials_cost, quote_amount, "
     "created_at, updated_at) VALUES (1, 'R-2026-00001', 'R', 5001, 1, 'plumbing', 'Kitchen', "
     f"'Leak', '2026-11-02', 'any', 'closed', ?, 1234.5, NULL, '{T0}', '{T0}')", POINT_THREE),
    ("INSERT INTO visits (ticket_id, round, completed_at, labour_hours, materials_cost, "
     f"labour_cost) VALUES (1, 1, '{T0}', ?, 1234.5, 99.99)", POINT_THREE),
    ("INSERT INTO materials (id, code, name, unit, unit_price, stock, minimum) VALUES "
     "(1, 'T01', 'Tape', 'roll', ?, 2.675, 0.5)", POINT_THREE),
    ("INSERT INTO payments (unit_id, amount, method, receipt, cashier_id, at, recorded_by) "
     f"VALUES (1, ?, 'cash', 'R1', 9040, '{T0}', 9040), "
     f"(1, 1234.5, 'cash', 'R2', 9040, '{T0}', 9040), "
     f"(1, -1234.5, 'cash', 'R2', 9040, '{T0}', 9040)", POINT_THREE),
    ("INSERT INTO day_closes (day, cashier_id, cash_counted, transfer_counted, cash_recorded, "
     f"transfer_recorded, at) VALUES ('2026-11-01', 9040, ?, 0, ?, 0, '{T0}')",
     POINT_THREE, POINT_THREE),
    ("INSERT INTO renovations (ref, resident_id, unit_id, scopes, details, works, start_date, "
     "end_date, contractor, state, fee, deposit, created_at) VALUES ('N-1', 5001, 1, '[]', '', "
     f"'[]', '2026-11-02', '2026-11-03', 'Lee', 'paid', NULL, 1234.5, '{T0}')"),
]


def old_estate(path, schema) -> None:
    """The schema as migration 23 left it, on the suite's backend, with REAL figures."""
    statements = [(s, ()) if isinstance(s, str) else (s[0], s[1:]) for s in OLD_ROWS]
    if backends.POSTGRES:
        import psycopg
        from psycopg import sql

        from storage.pg_migrations import STEPS
        from storage.postgres import BASELINE_SQL
        with psycopg.connect(backends.PG_URL) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {0}; SET search_path TO {0}").format(
                sql.Identifier(schema)))
            conn.execute(BASELINE_SQL.read_text(encoding="utf-8"))
            conn.execute(STEPS[23])
            conn.execute("CREATE TABLE schema_version (version bigint NOT NULL); "
                         "INSERT INTO schema_version VALUES (23)")
            for text, args in statements:
                conn.execute(text.replace("?", "%s"), args)
        return
    import sqlite3

    from storage.migrations import MIGRATIONS
    conn = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:23], start=1):
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version={number}")
    for text, args in statements:
        conn.execute(text, args)
    conn.commit()
    conn.close()


async def test_an_estate_with_real_amounts_upgrades_to_exact_integers(tmp_path):
    path, schema = tmp_path / "old.sqlite3", backends.fresh_schema()
    old_estate(path, schema)
    db = backends.database(path, schema)
    await db.open()
    try:
        async with db.reading() as conn:
            async def rows(query):
                return [tuple(r) for r in await (await conn.execute(query)).fetchall()]
            # 0.1 + 0.2 is 30 cents (or hundredths of an hour), 1234.5 is 123450 cents
            assert await rows("SELECT labour_hours, materials_cost, quote_amount FROM "
                              "tickets") == [(30, 123450, None)]
            assert await rows("SELECT labour_hours, materials_cost, labour_cost FROM "
                              "visits") == [(30, 123450, 9999)]
            assert await rows("SELECT unit_price, stock, minimum FROM materials") == [
                (30, 2675, 500)]  # quantities in thousandths
            assert await rows("SELECT amount FROM payments ORDER BY id") == [
                (30,), (123450,), (-123450,)]
            assert await rows("SELECT cash_counted, transfer_counted, cash_recorded, "
                              "transfer_recorded FROM day_closes") == [(30, 0, 30, 0)]
            assert await rows("SELECT fee, deposit FROM renovations") == [(None, 123450)]
            assert await ledger.paid_by(conn, 1) == Decimal("0.30")
            assert (await storeroom.by_code(conn, "T01")).stock == Decimal("2.675")
    finally:
        await db.close()


async def test_no_amount_hour_or_quantity_is_a_float_on_either_backend(tmp_path):
    db = backends.database(tmp_path / "new.sqlite3")
    await db.open()
    try:
        async with db.reading() as conn:
            if backends.POSTGRES:
                found = await (await conn.execute(
                    "SELECT table_name, column_name FROM information_schema.columns WHERE "
                    "table_schema = current_schema() AND data_type IN ('real', "
                    "'double precision', 'numeric')")).fetchall()
            else:
                tables = [r[0] for r in await (await conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")).fetchall()]
                found = [(t, r[1]) for t in tables for r in await (await conn.execute(
                    f"PRAGMA table_info({t})")).fetchall()
                    if r[2].upper() in ("REAL", "FLOAT", "DOUBLE", "NUMERIC")]
        assert list(found) == []
    finally:
        await db.close()


def test_money_is_kept_in_the_minor_unit_cldr_gives_the_currency():
    # the scale every stored amount is read by, written down; were CLDR to change it, the
    # stored integers would need a migration, not a silent new reading
    from babel.numbers import get_currency_precision

    from storage.exact import CURRENCY, MONEY
    assert MONEY.places == get_currency_precision(CURRENCY) == 2


def test_labour_is_hours_times_the_rate_rounded_once_half_up_to_the_cent():
    from storage.exact import product
    assert product(Decimal("1.33"), Decimal("450.50")) == Decimal("599.17")  # 599.165
    assert product(Decimal("0.25"), Decimal("0.50")) == Decimal("0.13")  # 0.125: half up
    assert product(Decimal("2.675"), Decimal("30")) == Decimal("80.25")  # a quantity x price


def test_a_completion_begun_before_the_upgrade_keeps_its_typed_figures():
    """A draft written before amounts were exact holds JSON floats (0.1, not "0.1")."""
    from workflow.office import measurement
    item = {"material_id": None, "name": "Tape", "unit": "roll", "quantity": 0.1,
            "unit_price": 0.2}
    assert [i.amount for i in measurement.items_of({"items": [item]})] == [Decimal("0.02")]
    assert measurement.exact(0.1) == Decimal("0.1")
