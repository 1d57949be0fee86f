"""Measurement (維修計量): the storeroom's catalogue, a technician's materials on site, stock
issued and the storekeeper told, and the desk confirming or correcting a job's figures."""

from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from handlers.i18n import Tr
from handlers.office import pdfs, spreadsheets
from tests import printed
from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff
from tests.test_roster_cli import cli as roster_cli
from tests.test_units_in_chat import aqua_works, send_to_aqua
from workflow import admin, roles, views
from workflow.office import catalogue, measurement, reports
from workflow.tickets import Refusal

CATALOGUE = """code,name,unit,unit_price,minimum,stock
E12,PVC elbow 1/2",pc,30,5,6
T01,Teflon tape,roll,15,2,10
S05,Sink trap,pc,220,1,3
"""


async def storeroom(desk):
    await catalogue.load(desk.db, catalogue.parse(CATALOGUE.encode(), "catalogue.csv"),
                         desk.clock())
    await catalogue.set_rate(desk.db, "plumbing", 450)
    keeper = desk.person(9010, "Keeper", "en")
    code = await admin.invite(desk.db, roles.STOREKEEPER, "Storeroom", desk.clock())
    await keeper.join(code)
    return keeper


async def finish_with_materials(tech, ticket_id=1):
    await tech.tap_starting(f"w:done:{ticket_id}:")
    await tech.send_photo("after-1")
    await tech.tap_data("w:pd")
    await tech.send("Replaced the trap and two elbows.")
    await tech.send("1.5")


async def test_the_technician_records_materials_and_the_cost_follows_the_catalogue(desk):
    clerk, tech, boss = await staff(desk)
    keeper = await storeroom(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await finish_with_materials(tech)
    assert tech.last_text.startswith("Materials used? Tap an item")
    assert {'PVC elbow 1/2" (pc)', "Teflon tape (roll)", "Sink trap (pc)", "Done"} == set(
        tech.labels())
    await tech.tap("Sink trap (pc)")
    await tech.tap("1")
    assert "Added: Sink trap × 1 pc (NT$220). Materials so far: NT$220." in tech.texts()[-2]
    await tech.send("pvc elbow 2")  # by name, as typed
    assert "Materials so far: NT$280." in tech.texts()[-2]
    await tech.send("Sealant 1 x 85")  # not in the storeroom: with its price
    assert "Materials so far: NT$365." in tech.texts()[-2]
    await tech.send("Gold tap 1")  # unknown, no price: nothing added
    assert "'Gold tap' is not in the storeroom" in tech.last_text
    await tech.send("🙂")
    assert "Please type an item as 'name quantity'" in tech.last_text
    await tech.tap("Done")
    assert "R-2026-00001 is complete" in tech.last_text

    # stored exact: hundredths of an hour, cents, thousandths of a quantity
    assert await desk.query("SELECT labour_hours, materials_cost, labour_cost FROM visits") == [
        (150, 36500, 67500)]
    assert await desk.query("SELECT name, quantity, unit_price FROM visit_materials ORDER BY "
                            "id") == [("Sink trap", 1000, 22000), ('PVC elbow 1/2"', 2000, 3000),
                                      ("Sealant", 1000, 8500)]
    assert await desk.query("SELECT code, stock FROM materials ORDER BY code") == [
        ("E12", 4000), ("S05", 2000), ("T01", 10000)]
    assert keeper.last_text == ('Storeroom: PVC elbow 1/2" (E12) is down to 4 pc, under its '
                                "minimum of 5. Please reorder.")
    assert sum("Storeroom:" in t for t in keeper.texts()) == 1
    await keeper.send("/stock")
    assert keeper.last_text == 'Under their minimum:\n· E12 PVC elbow 1/2": 4 / 5 pc'
    await tech.send("/stock")
    assert "not allowed" in tech.last_text

    await clerk.tap_data("d:v:1")
    card = clerk.last_text
    assert "Materials used: Sink trap × 1 pc (NT$220)" in card and "Sealant × 1 (NT$85)" in card
    assert "Cost NT$1,040 (labour NT$675, materials NT$365): measurement not yet confirmed." in card
    await clerk.tap("Confirm measurement")
    assert clerk.last_text == ("Cost NT$1,040 (labour NT$675, materials NT$365): measurement "
                               "confirmed.")
    await clerk.tap_data("me:ok:1")  # a second tap confirms nothing more
    assert "already confirmed" in clerk.last_text

    await clerk.tap_data("d:v:1")
    await clerk.tap("Correct measurement")
    await clerk.send("one and a half hours")
    assert "Please send the labour hours, the materials cost and the reason" in clerk.last_text
    await clerk.send("1 305 the sealant was the resident's own")
    assert "corrected by the desk: the sealant was the resident's own" in clerk.last_text
    rows = await desk.query("SELECT kind, labour_hours, labour_cost, materials_cost, reason "
                            "FROM measurements ORDER BY id")
    assert rows == [("confirmed", 150, 67500, 36500, ""),
                    ("corrected", 100, 45000, 30500, "the sealant was the resident's own")]
    actions = [a for (a,) in await desk.query("SELECT action FROM ticket_events WHERE action "
                                              "LIKE 'measurement%' ORDER BY id")]
    assert actions == ["measurement_confirmed", "measurement_corrected"]


async def test_without_a_catalogue_the_technician_types_the_materials_cost(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await finish_with_materials(tech)
    assert tech.last_text == "Materials cost? Send 0 if none."
    await tech.send("120")
    assert await desk.query("SELECT materials_cost, labour_cost FROM visits") == [(12000, 0)]


async def test_a_stranger_cannot_measure_and_a_resident_cannot_add_materials(desk):
    clerk, tech, boss = await staff(desk)
    await storeroom(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    for data in ("me:ok:1", "me:fix:1", "w:mi:1", "w:mq:1:2", "w:mf"):
        await resident.tap_data(data)
        answer = desk.api.calls[-1]
        assert answer.method == "answerCallbackQuery" and answer.params["show_alert"], data
    await clerk.tap_data("me:ok:1")  # not finished yet: nothing to measure
    assert await desk.query("SELECT count(*) FROM measurements") == [(0,)]


def test_the_catalogue_is_imported_from_csv_or_xlsx_and_a_bad_file_changes_nothing(tmp_path):
    from openpyxl import Workbook

    def cli(*args):
        return roster_cli(tmp_path, *args)

    book = Workbook()
    sheet = book.active
    for row in (("code", "name", "unit", "unit_price", "minimum", "stock"),
                ("E12", "PVC 彎頭", "個", 30, 5, 20), ("T01", "止洩帶", "卷", 15, 2, None)):
        sheet.append(row)
    book.save(tmp_path / "catalogue.xlsx")
    loaded = cli("materials", "import", str(tmp_path / "catalogue.xlsx"))
    assert "2 items read, 2 new" in loaded.stdout, loaded.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,unit,unit_price,minimum\nE12,PVC,pc,cheap,5\nE12,x,pc,1,1\n")
    refused = cli("materials", "import", str(bad))
    assert refused.returncode == 1 and "line 2: unit_price, minimum and stock must be " \
        "numbers" in refused.stderr and "Nothing was imported" in refused.stderr
    assert cli("materials", "receive", "t01", "12", "--note", "DN-0042").stdout.startswith(
        "T01 止洩帶: 12 卷 received; stock 12.")  # the code as typed: k10 is K10
    assert cli("materials", "receive", "Ｅ１２", "1").stdout.startswith("E12 PVC 彎頭: 1 個")
    assert cli("materials", "receive", "ZZZ", "1").returncode == 1
    refused = cli("materials", "resolve", "9", "outside", "--note", "not ours")
    assert refused.returncode == 1 and "no open shortfall #9" in refused.stderr
    assert cli("materials", "rate", "plumbing", "450").returncode == 0
    listing = cli("materials", "list").stdout
    assert "E12\tPVC 彎頭\t個\t30\tstock 21\tminimum 5" in listing
    assert "rate\tplumbing\t450/h" in listing


async def test_the_desk_choosing_who_pays_leaves_the_technicians_card_working(desk):
    """Who pays and the priority are the desk's business: the technician's card, shown
    before, still works; only a change of the job itself (taken off them) voids it."""
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await clerk.tap_data("d:v:1")
    await clerk.tap("Who pays")
    await clerk.tap("The estate")
    await tech.tap("On my way")  # the task card from before
    assert await desk.query("SELECT status, payer FROM tickets") == [("en_route", "estate")]
    await tech.tap("On my way")  # a second tap on the same card: already done
    assert await desk.query("SELECT count(*) FROM ticket_events WHERE action = 'en_route'") == [
        (1,)]


async def test_owner_paid_work_waits_for_the_owner_to_accept_the_quotation(desk):
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident, "The mixer tap is worn out; I want a new one.")
    await assign_to_tech(clerk)
    await clerk.tap_data("d:v:1")
    assert "Paid by: the estate" in clerk.last_text
    await clerk.tap("Who pays")
    assert clerk.labels() == ["The responsible unit", "The estate",
                              "The owner (with a quotation)", "Close"]
    await clerk.tap("The owner (with a quotation)")
    await clerk.send("new mixer tap")
    assert "Please send the amount first" in clerk.last_text
    await clerk.send("1,200 supply and fit a new mixer tap")
    assert "the quotation of NT$1,200 went to the owner" in clerk.last_text
    assert resident.last_text == ("R-2026-00001: this repair is at your cost. The quotation: "
                                  "NT$1,200 (supply and fit a new mixer tap). Do you accept it? "
                                  "The work starts once you do.")

    await tech.tap_starting("w:go:1:")  # the card from before the quotation
    answer = desk.api.calls[-1]
    assert answer.method == "answerCallbackQuery" and "has not accepted the quotation" in \
        answer.params["text"]
    assert await desk.query("SELECT status FROM tickets") == [("assigned",)]

    await resident.tap("Accept the quotation")
    assert "the work can start" in resident.last_text
    assert "the owner accepted the quotation of NT$1,200" in tech.last_text
    await resident.tap_data("pa:y:1")  # a second tap
    assert "already answered" in resident.last_text
    await tech.tap_starting("w:go:1:")
    assert await desk.query("SELECT status, payer, quote_state FROM tickets") == [
        ("en_route", "owner", "accepted")]
    await clerk.tap_data("d:v:1")
    assert "Quotation: NT$1,200 (supply and fit a new mixer tap), accepted by the owner" in \
        clerk.last_text
    await tech.tap_data("pa:n:1")  # only the owner answers a quotation
    assert desk.api.calls[-1].params.get("show_alert")
    assert await desk.query("SELECT quote_state FROM tickets") == [("accepted",)]


async def test_an_owner_answers_a_quotation_not_takes_a_job_in_chinese(desk):
    """The owner's buttons name the quotation: 接單 is what a unit does with a job."""
    clerk, tech, boss = await staff(desk, "zh_Hant")
    resident = await resident_of_a12(desk, "zh_Hant")
    await report_leak(resident, "插座燒焦")
    await clerk.tap_starting("pa:l:1:")
    await clerk.tap_starting("pa:q:1:")
    await clerk.send("850元 更換插座")
    assert "報價：850 元（更換插座）" in resident.last_text
    assert resident.labels() == ["接受報價", "不接受報價"]
    await resident.tap("接受報價")
    assert await desk.query("SELECT quote_amount, quote_note, quote_state FROM tickets") == [
        (85000, "更換插座", "accepted")]  # in cents


async def job_using(desk, clerk, tech, resident, ticket_id, *typed):
    """Another leak at the resident's, done by the technician with these items typed."""
    await report_leak(resident, f"Leak number {ticket_id} under the sink.")
    await assign_to_tech(clerk, ticket_id)
    await finish_with_materials(tech, ticket_id)
    for item in typed:
        await tech.send(item)
    await tech.tap("Done")
    assert f"R-2026-{ticket_id:05d} is complete" in tech.last_text, tech.texts()[-4:]


async def test_stock_never_goes_negative_the_storekeeper_resolves_a_shortfall(desk):
    """A technician used more elbows than the stock held: recorded as it was, the stock at 0,
    and the rest a shortfall the storekeeper is told of, sees in /stock and resolves; the
    LOW alert comes again after a receipt brought the item back up; codes as typed."""
    clerk, tech, boss = await staff(desk)
    keeper = await storeroom(desk)
    await catalogue.load(desk.db, catalogue.parse(
        b"code,name,unit,unit_price,minimum,stock\nK10,Ball valve,pc,120,4,2\n",
        "more.csv"), desk.clock())  # imported under its minimum
    resident = await resident_of_a12(desk)

    await job_using(desk, clerk, tech, resident, 1, "E12 8", "ｋ１０ 1")  # k10, full-width
    assert await desk.query("SELECT code, stock FROM materials ORDER BY code") == [
        ("E12", 0), ("K10", 1000), ("S05", 3000), ("T01", 10000)]
    assert await desk.query("SELECT material_id, ticket_id, quantity FROM stock_shortfalls") \
        == [(1, 1, 2000)]
    told = [t for t in keeper.texts() if t.startswith("Storeroom:")]
    assert 'Storeroom: R-2026-00001 used 2 pc of PVC elbow 1/2" (E12) more than the stock ' \
           "held, which is now 0. Please check the shelf and resolve shortfall #1" in told[0]
    assert sum("Ball valve (K10) is down to 1 pc" in t for t in told) == 1
    assert sum('PVC elbow 1/2" (E12) is down to 0 pc' in t for t in told) == 1
    await keeper.send("/stock")
    assert "· E12 PVC elbow 1/2\": 0 / 5 pc" in keeper.last_text
    assert "Used beyond the stock held, to resolve" in keeper.last_text
    assert "· #1 E12 PVC elbow 1/2\": 2 pc, R-2026-00001, " in keeper.last_text

    assert keeper.labels() == ["#1: not the estate's stock"]  # nothing on the shelf yet
    await keeper.tap_data("sf:ok:1")
    assert keeper.last_text.startswith("The stock holds less than shortfall #1")
    await measurement.receive(desk.db, "e12", Decimal(12), "DN-0042", desk.clock())
    await keeper.send("/stock")
    await tech.tap_data("sf:ok:1")  # not the technician's to resolve
    assert desk.api.calls[-1].params.get("show_alert")
    await keeper.tap("#1: take from stock")
    assert keeper.last_text == ('Shortfall #1 is taken from stock: 2 pc of PVC elbow 1/2" for '
                                "R-2026-00001.")
    await keeper.tap_data("sf:ok:1")  # a second tap takes nothing more
    assert keeper.last_text.startswith("Shortfall #1 was resolved already, at ")
    assert keeper.last_text.endswith(" by Storeroom: taken from stock.")
    with pytest.raises(Refusal):  # once, whichever way
        await measurement.resolve(desk.db, 1, measurement.OUTSIDE, "again", desk.clock())
    assert await desk.query("SELECT change, kind, ticket_id FROM stock_moves WHERE "
                            "material_id = 1 ORDER BY id") == [
        (6000, "receipt", None), (-6000, "issue", 1), (12000, "receipt", None),
        (-2000, "issue", 1)]
    await keeper.send("/stock")
    assert "Used beyond" not in keeper.last_text

    await job_using(desk, clerk, tech, resident, 2, "e12 6", "K10 1", "s05 5")
    told = [t for t in keeper.texts() if t.startswith("Storeroom:")]
    assert sum('PVC elbow 1/2" (E12) is down to 4 pc' in t for t in told) == 1  # again
    assert not any("(K10) is down to 0" in t for t in told)  # still low: told once
    assert any(t.startswith("Storeroom: R-2026-00002 used 2 pc of Sink trap (S05) more than "
                            "the stock held, which is now 0.") for t in told)
    with pytest.raises(Refusal):  # why it was not the estate's, please
        await measurement.resolve(desk.db, 2, measurement.OUTSIDE, " ", desk.clock())
    await measurement.resolve(desk.db, 2, measurement.OUTSIDE, "the technician's own spare",
                              desk.clock())
    assert await desk.query("SELECT shortfall_id, how, note, actor_id FROM "
                            "shortfall_resolutions ORDER BY shortfall_id") == [
        (1, "stock", "", 9010), (2, "outside", "the technician's own spare", None)]
    assert await desk.query("SELECT min(stock) FROM materials") == [(0,)]


async def test_a_units_person_records_the_units_own_materials_not_the_estates(desk):
    clerk, tech, boss = await staff(desk)
    await storeroom(desk)
    lee, wong = await aqua_works(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await send_to_aqua(clerk)
    await lee.tap("Accept")
    await finish_with_materials(lee)
    assert lee.last_text.startswith("Materials used? This is the responsible unit's job")
    assert lee.labels() == ["Done"]  # no storeroom item to tap
    for forged in ("w:mi:1", "w:mq:1:2"):  # the estate's elbows, by a button not shown
        await lee.tap_data(forged)
        assert desk.api.calls[-1].params.get("show_alert"), forged
    await lee.send("Sealant 2")
    assert "Added as the unit's own: Sealant × 2." in lee.texts()[-2]
    await lee.send("E12 1")  # the unit's own elbow, even with the estate's code
    await lee.tap("Done")
    assert "R-2026-00001 is complete" in lee.last_text
    assert await desk.query("SELECT material_id, name, quantity FROM visit_materials "
                            "ORDER BY id") == [(None, "Sealant", 2000), (None, "E12", 1000)]
    assert await desk.query("SELECT code, stock FROM materials ORDER BY code") == [
        ("E12", 6000), ("S05", 3000), ("T01", 10000)]
    assert await desk.query("SELECT count(*) FROM stock_moves WHERE kind = 'issue'") == [(0,)]


async def test_the_desk_records_a_unit_not_in_the_chat_with_the_units_own_materials(desk):
    clerk, tech, boss = await staff(desk)
    await storeroom(desk)
    await desk.add_contractor("Aqua Works", ["plumbing"], "02-2345-6789")
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await clerk.tap("Assign contractor")
    await clerk.tap("Aqua Works")
    await clerk.tap("5 days")
    await clerk.tap("Notified by phone")
    await clerk.tap_data("d:v:1")
    await clerk.tap("Record completion")
    await clerk.send_photo("contractor-after")
    await clerk.tap("Done")
    await clerk.send("Aqua Works replaced the trap.")
    await clerk.send("2")
    assert clerk.last_text.startswith("Materials used? This is the responsible unit's job")
    await clerk.send("S05 1")
    await clerk.tap("Done")
    assert "R-2026-00001 is complete" in clerk.last_text
    assert await desk.query("SELECT material_id, name FROM visit_materials") == [(None, "S05")]
    assert await desk.query("SELECT stock FROM materials WHERE code = 'S05'") == [(3000,)]


async def test_a_chinese_storekeeper_reads_both_ways_to_resolve_a_shortfall_in_full(desk,
                                                                                      tmp_path):
    """Each way is a whole command to type, not a fragment of the one before."""
    clerk, tech, boss = await staff(desk)
    keeper = await storeroom(desk)
    await keeper.send("/language")
    await keeper.tap("繁體中文")
    resident = await resident_of_a12(desk)
    await job_using(desk, clerk, tech, resident, 1, "E12 8")
    await keeper.send("/stock")
    assert ("用 estatedesk materials resolve 編號 stock 從庫存扣除；若並非管理處庫存，用 "
            "estatedesk materials resolve 編號 outside --note 原因）：") in keeper.last_text
    assert '· E12 PVC elbow 1/2"：0 / 5 pc' in keeper.last_text  # full-width marks
    assert '· #1 E12 PVC elbow 1/2"：2 pc，R-2026-00001，2026年11月26日' in keeper.last_text
    await measurement.receive(desk.db, "E12", Decimal(12), "DN-0042", desk.clock())
    await keeper.send("/stock")
    await keeper.tap("#1：從庫存扣除")
    # the month's stock movements, as the manager reads them: no English of the desk's own
    data = await reports.monthly(desk.db, desk.settings, date(2026, 11, 1))
    path = tmp_path / "monthly.xlsx"
    spreadsheets.monthly_xlsx(Tr("zh_Hant", desk.settings.tz), desk.settings, data, path)
    notes = [row[6] for row in load_workbook(path)["庫存異動"].iter_rows(values_only=True)
             if row[0] == "E12"]
    assert notes == ["期初庫存", None, "DN-0042", "短缺 #1"]


async def test_the_storekeeper_resolves_a_shortfall_as_not_the_estates_stock_in_the_chat(desk):
    """A job used elbows the stock did not hold; they were the technician's own. A Chinese
    storekeeper says so from /stock with the reason; bad answers change nothing, and the
    other storekeeper, on the same card, hears it is resolved already and by whom."""
    clerk, tech, boss = await staff(desk)
    keeper = await storeroom(desk)
    chan = desk.person(9011, "Chan", "zh-TW")
    code = await admin.invite(desk.db, roles.STOREKEEPER, "陳志明", desk.clock())
    await chan.join(code)
    await chan.send("/help")
    assert "工作領用超出庫存（短缺）" in chan.last_text  # shortfalls, not only the minimum
    await keeper.send("/help")
    assert "when a job uses more than the stock held (a shortfall)" in keeper.last_text
    resident = await resident_of_a12(desk)
    await job_using(desk, clerk, tech, resident, 1, "E12 8")

    await keeper.send("/stock")  # the card the other storekeeper keeps open
    assert keeper.labels() == ["#1: not the estate's stock"]  # nothing on the shelf
    await keeper.tap("#1: not the estate's stock")
    assert keeper.last_text.startswith("Shortfall #1: 2 pc of PVC elbow 1/2\" for "
                                       "R-2026-00001. Why was it not the estate's stock?")
    await chan.send("/stock")
    await chan.tap("#1：並非管理處庫存")
    assert chan.last_text.startswith("短缺 #1：R-2026-00001 的PVC elbow 1/2\" 2 pc。為什麼")
    await chan.send_sticker()
    assert chan.last_text == "請用文字回覆。"
    await chan.send("   ")
    assert chan.last_text == "請用文字回覆。"
    await chan.send("備" * 5000)
    assert "5000" in chan.last_text and "500" in chan.last_text
    assert await desk.query("SELECT count(*) FROM shortfall_resolutions") == [(0,)]
    await tech.tap_data("sf:out:1")  # not the technician's to resolve
    assert desk.api.calls[-1].params.get("show_alert")

    await chan.send("維修人員自備的備品")
    assert chan.last_text == ("短缺 #1 已記錄為並非管理處庫存：R-2026-00001 的PVC elbow 1/2\" "
                              "2 pc。原因：維修人員自備的備品")
    await keeper.send("They were the technician's own")  # the same card, answered later
    assert keeper.last_text.startswith("Shortfall #1 was resolved already, at ")
    assert keeper.last_text.endswith(" by 陳志明: not the estate's stock.")
    await chan.tap_data("sf:out:1")  # a second tap
    assert chan.last_text.startswith("短缺 #1 已經處理過了：")
    assert "由陳志明處理，並非管理處庫存。" in chan.last_text
    await keeper.tap_data("sf:ok:1")
    assert keeper.last_text.startswith("Shortfall #1 was resolved already, at ")
    assert await desk.query("SELECT shortfall_id, how, note, actor_id FROM "
                            "shortfall_resolutions") == [(1, "outside", "維修人員自備的備品", 9011)]
    assert await desk.query("SELECT stock FROM materials WHERE code = 'E12'") == [(0,)]
    await chan.send("/stock")
    assert "領用超出庫存" not in chan.last_text  # nothing left to resolve


async def test_labour_of_a_trade_without_a_rate_is_no_rate_not_zero(desk, tmp_path):
    """No hourly rate for plumbing: the clerk who measures is told, and the card, the form
    and the ledger say "no rate" where 0 would read as free labour."""
    clerk, tech, boss = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await finish_with_materials(tech)  # 1.5 h
    await tech.send("120")
    await clerk.tap_data("d:v:1")
    assert "Cost NT$120 (labour no rate, materials NT$120): measurement not yet confirmed." in \
        clerk.last_text
    await clerk.tap("Confirm measurement")
    warning = ("No hourly rate is set for Plumbing: its labour is not priced. Set one with "
               "'estatedesk materials rate plumbing <hourly rate>', then correct the "
               "measurement.")
    assert clerk.last_text == "Cost NT$120 (labour no rate, materials NT$120): measurement " \
                              "confirmed.\n" + warning
    await clerk.tap_data("me:fix:1")
    await clerk.send("2 100 one elbow was not used")
    assert clerk.last_text.endswith(warning)

    tr = Tr("zh_Hant", desk.settings.tz)
    file = await views.ticket_by_ref(desk.db, "R-2026-00001")
    form = tmp_path / "form.pdf"
    pdfs.form_pdf(tr, desk.settings, file, form)
    assert "費用100元（人工無費率，材料100元）" in "".join(printed.text(form).split())
    path = tmp_path / "ledger.xlsx"
    writer = spreadsheets.LedgerWriter(tr, desk.settings, path)
    await reports.each_ledger_row(desk.db, desk.settings, date(2026, 11, 1),
                                  date(2026, 11, 30), writer)
    writer.close()
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["人工時數"], row["人工費"], row["材料費"], row["費用"]) == (2, "無費率", 100, 100)

    await catalogue.set_rate(desk.db, "plumbing", 450)  # set: the correction prices it
    await clerk.tap_data("me:fix:1")
    await clerk.send("2 100 priced at the new rate")
    assert clerk.last_text.startswith("Cost NT$1,000 (labour NT$900, materials NT$100): corrected")
    assert "No hourly rate" not in clerk.last_text
