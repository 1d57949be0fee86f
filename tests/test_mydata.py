"""A person's own copy of their data (/mydata, 個人資料保護法 Arts. 3 and 10): a resident with
a repair (a photo, a voice note), a survey answer, a complaint and a payment gets, at once, one
ZIP with data.json, a PDF in their language that every viewer draws, and the files they sent;
nobody else's data is in it; the request and its delivery are recorded; a stranger is told
to join first."""

import asyncio
import contextlib
import io
import json
import zipfile
from dataclasses import replace

import pytest

from handlers.i18n import Tr
from storage.privacy import access_log
from tests import printed
from tests.fake_telegram import TelegramError
from tests.stories import assign_to_tech, choose_a_visit, complete, staff
from tests.test_linking import a_code
from workflow import roles
from workflow.fees import collection
from workflow.settings import FeeItem

LANGUAGES = {"en": "en", "zh_Hant": "zh-TW", "zh_Hans": "zh-CN"}
BUTTONS = ("pv:correct", "pv:stop", "pv:delete")


async def a_resident_with_a_history(desk, language):
    """陳美玲 of A 12F-3: a repair told by voice with a photo, repaired and rated 5; a complaint;
    a payment at the cashier's; the clerk opened her record once. 林志明, of two other units,
    reported a leak of his own."""
    clerk, tech, _ = await staff(desk)
    cashier = desk.person(9004, "Cashier", "en")
    await desk.hire(cashier, roles.CASHIER, "Cashier")
    resident = desk.person(5001, "May", LANGUAGES[language])
    await resident.send("/start")
    await resident.share_contact("+886 912 345 678")
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:normal")
    await resident.send("Kitchen sink")
    await resident.send_voice("voice-1", 23, caption="It drips all night")
    await resident.send_photo("leak-1")
    await resident.tap_data("r:pd")
    await choose_a_visit(resident)
    await resident.tap_data("r:ok")
    other = desk.person(5002, "Lin", "en")
    await other.send("/start")
    await other.share_contact("0922 111 222")
    await other.tap_data("o:unit:2")  # A 5F-1
    await other.send("/repair")
    await other.tap_data("r:c:plumbing")
    await other.tap_data("r:g:normal")
    await other.send("Bathroom of 5F-1")
    await other.send("The pump under the bathtub of 5F-1 is noisy.")
    await other.send_photo("other-photo")
    await other.tap_data("r:pd")
    await choose_a_visit(other)
    await other.tap_data("r:ok")
    await assign_to_tech(clerk)
    await complete(tech)
    await resident.tap_starting("s:ok:1")
    await desk.run_until(desk.clock.now.replace(day=desk.clock.now.day + 2))
    await resident.tap_data("sv:r:1:5")
    await resident.tap_data("sv:n:1")
    await resident.send("Quick and tidy.")
    await resident.tap_data("m:complain")
    await resident.tap_data("k:c:security")
    await resident.send("The night guard was asleep at the gate again.")
    await resident.tap_data("k:pd")
    await resident.tap_data("k:cb:0")
    await resident.tap_starting("k:ok")
    billing = replace(desk.settings, fee_items=(FeeItem("management_fee", 3200),))
    assert await collection.bill_month(desk.db, billing, "2026-12") == 3  # every unit's
    await cashier.send("/pay A 12F-3 3200 cash R0042")
    async with desk.db.transaction() as conn:
        await access_log.record(conn, 9001, [5001], access_log.RECORD, "A 12F-3", "/queue",
                                desk.clock.now)
    return resident, other, clerk


def the_package(person):
    sent = [c for c in person.calls() if c.method == "sendDocument"]
    assert len(sent) == 1, [c.method for c in person.calls()[-3:]]
    name, content = next(iter(sent[0].files.values()))
    assert name.startswith("mydata-") and name.endswith(".zip")
    return zipfile.ZipFile(io.BytesIO(content)), content


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_resident_gets_all_their_data_and_nobody_elses(desk, tmp_path, language):
    resident, other, clerk = await a_resident_with_a_history(desk, language)
    tr = Tr(language, desk.settings.tz)
    await resident.send("/mydata")
    package, content = the_package(resident)
    names = package.namelist()
    assert names[:2] == ["data.json", "mydata.pdf"]
    data = json.loads(package.read("data.json"))
    assert data["format"] == "estatedesk-mydata/1"
    assert data["person"]["name"] == "陳美玲" and data["person"]["phone"] == "+886 912 345 678"
    assert data["person"]["language"] == language
    assert [(u["building"], u["unit"], u["roster_name"], u["relation"]) for u in data["units"]
            ] == [("A", "12F-3", "陳美玲", "owner")]
    repair, = data["repairs"]
    assert repair["reference"] == "R-2026-00001" and repair["relation"] == "reported"
    assert repair["reported_at"].endswith("+00:00")  # ISO 8601, UTC
    assert [e["action"] for e in repair["events"]][0] == "reported"
    assert repair["voice"]["seconds"] == 23 and repair["voice"]["file"] + ".png" in names
    report_photo = next(p for p in repair["photos"] if p["file"].startswith(
        "media/R-2026-00001/report"))
    assert report_photo["file"] + ".png" in names  # the stand-in serves every file as a PNG
    assert all(f["included"] for f in data["files"]) and len(data["files"]) == 3
    complaint, = data["complaints"]
    assert complaint["reference"] == "C-2026-00001" and complaint["category"] == "security"
    survey, = data["surveys"]
    assert survey["reference"] == "R-2026-00001" and survey["rating"] == 5
    payment, = data["fees"]["payments"]
    assert (payment["amount"], payment["receipt"], payment["method"]) == ("3200.00", "R0042",
                                                                           "cash")
    viewed = {(v["viewer"], v["role"], v["what"], v["why"]) for v in data["viewed_by"]}
    assert ("Desk clerk", "clerk", "record", "/queue") in viewed  # (and the staff's cards)
    assert {role for _, role, _, _ in viewed} <= {"clerk", "technician", "supervisor"}
    # nobody else's data: not the other resident's name, phone, unit, report or photo
    pdf = package.read("mydata.pdf")
    (tmp_path / "mydata.pdf").write_bytes(pdf)
    text = json.dumps(data, ensure_ascii=False) + printed.text(pdf)
    for theirs in ("林志明", "0922", "5F-1", "R-2026-00002", "other-photo", "pump"):
        assert theirs not in text
    # the PDF: every page drawn, in the reader's face, with her name and its heading
    assert printed.unembedded_fonts(tmp_path / "mydata.pdf") == []
    heading = tr("Your data at {estate}", estate=desk.settings.estate_name)
    for viewer in printed.VIEWERS:
        pages = printed.pages(viewer, tmp_path / "mydata.pdf")
        assert pages and all(p.ink > 500 for p in pages)
        drawn = "".join(p.text for p in pages).replace(" ", "").replace("\n", "")
        assert "陳美玲" in drawn and heading.replace(" ", "") in drawn
        assert "Desk clerk" .replace(" ", "") in drawn and "R0042" in drawn
    # the summary, who opened her record, and the three requests she may make
    summary = resident.last_text
    assert "Desk clerk" in summary and "/queue" in summary
    # why, in her words: the task sent to the technician, not the outbox's "task_assigned"
    told = tr("a message to staff about {ref}", ref="R-2026-00001")
    assert told in summary
    for code in ("task_assigned", "signoff_", "dispatch"):  # nor in the PDF's table
        assert code not in summary and code not in drawn and code not in printed.text(pdf)
    call = resident.calls()[-1]
    assert [(b["text"], b["callback_data"]) for b in call.buttons()] == [
        (tr("Correct my data"), "pv:correct"), (tr("Stop using my data"), "pv:stop"),
        (tr("Delete my data"), "pv:delete")]
    # the request and its delivery, on record
    row, = await desk.query("SELECT person_id, requested_at, delivered_at, failed_at, size, "
                            "contents FROM data_exports")
    assert row[0] == 5001 and row[2] is not None and row[3] is None
    assert row[4] == len(content) and json.loads(row[5])["repairs"] == 1
    assert str(row[1])[:16] == str(row[2])[:16]  # answered at once, well within 15 days


async def test_a_stranger_is_told_to_join_first_and_nothing_is_made(desk):
    stranger = desk.person(7001, "Stranger", "en")
    await stranger.send("/mydata")
    assert stranger.last_text == ("Please send /start and share your phone number first, "
                                  "so we know which unit is yours.")
    assert not [c for c in stranger.calls() if c.method == "sendDocument"]
    assert await desk.query("SELECT count(*) FROM data_exports") == [(0,)]


async def test_staff_get_their_own_data_and_a_second_tap_makes_no_second_copy(desk):
    clerk, _, _ = await staff(desk)
    await clerk.send("/mydata")
    package, _ = the_package(clerk)
    data = json.loads(package.read("data.json"))
    assert (data["person"]["name"], data["person"]["role"]) == ("Desk clerk", "clerk")
    assert data["repairs"] == [] and data["units"] == []
    caption = next(c for c in clerk.calls() if c.method == "sendDocument").params["caption"]
    assert caption == "Your data at estatedesk: data.json for a computer and a PDF to read."
    await clerk.send("/mydata")  # the double tap
    assert clerk.last_text.startswith("Your data was sent ")
    the_package(clerk)  # still one
    assert await desk.query("SELECT count(*) FROM data_exports") == [(1,)]
    desk.clock.advance(minutes=5)
    await clerk.send("/mydata")
    assert len([c for c in clerk.calls() if c.method == "sendDocument"]) == 2


async def test_a_failed_send_stays_on_record_undelivered_and_the_person_asks_again(desk):
    clerk, _, _ = await staff(desk)
    desk.api.fail_next(9001, TelegramError(400, "Bad Request: file is too big"))
    await clerk.send("/mydata")
    assert clerk.last_text == ("Your data could not be sent just now. Please send /mydata "
                               "again in a few minutes.")
    row, = await desk.query("SELECT delivered_at, failed_at FROM data_exports")
    assert row[0] is None and row[1] is not None
    await clerk.send("/mydata")
    the_package(clerk)
    assert [r[0] is not None for r in await desk.query(
        "SELECT delivered_at FROM data_exports ORDER BY id")] == [False, True]


async def test_a_file_the_app_no_longer_serves_is_listed_not_left_out(desk):
    _, _, _ = await staff(desk)
    resident = desk.person(5001, "May", "en")
    await resident.send("/start")
    await resident.share_contact("+886 912 345 678")
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:normal")
    await resident.send("Kitchen sink")
    await resident.send("Water drips from the pipe under the sink.")
    await resident.send_photo("kept-1")
    await resident.send_photo("gone-1")
    await resident.tap_data("r:pd")
    await choose_a_visit(resident)
    await resident.tap_data("r:ok")
    desk.api.gone.add("gone-1")
    await resident.send("/mydata")
    package, _ = the_package(resident)
    data = json.loads(package.read("data.json"))
    files = {f["name"]: (f["included"], f["reason"]) for f in data["files"]}
    assert files == {"media/R-2026-00001/report-1.png": (True, None),
                     "media/R-2026-00001/report-2": (False, "unavailable")}
    assert "media/R-2026-00001/report-1.png" in package.namelist()
    assert "1 file could not be put in the package; the file lists it." in resident.last_text
    assert "could not be fetched" in printed.text(package.read("mydata.pdf"))



async def test_a_report_she_follows_shows_its_progress_not_the_reporters_data(desk):
    """林志明 of A 5F-1 reports Lift B with a photo; 陳美玲 reports the same and follows it:
    her copy has the job and her own unit, not his words, photo, name, phone or unit."""
    clerk, tech, _ = await staff(desk)
    lin = desk.person(5002, "Lin", "en")
    await lin.send("/start")
    await lin.share_contact("0922 111 222")
    await lin.tap_data("o:unit:2")  # A 5F-1
    await lin.send("/repair")
    await lin.tap_data("r:c:public_areas")
    await lin.tap_data("r:g:normal")
    await lin.tap("Lift B")
    await lin.send("Lift B stopped; I am on 5F-1, call me on 0922 111 222.")
    await lin.send_photo("lin-lift")
    await lin.tap_data("r:pd")
    await lin.tap_data("r:ok")
    may = desk.person(5001, "May", "en")
    await may.send("/start")
    await may.share_contact("+886 912 345 678")
    await may.send("/repair")
    await may.tap_data("r:c:public_areas")
    await may.tap_data("r:g:normal")
    await may.tap("Lift B")
    await may.tap("Same problem: R-2026-00001")
    await assign_to_tech(clerk)
    await may.send("/mydata")
    package, _ = the_package(may)
    data = json.loads(package.read("data.json"))
    followed, = data["repairs"]
    assert (followed["reference"], followed["relation"], followed["unit"]) == (
        "R-2026-00001", "following", "12F-3")
    assert "description" not in followed and followed["photos"] == [] and data["files"] == []
    assert "assigned" in [e["action"] for e in followed["events"]]
    text = json.dumps(data, ensure_ascii=False) + printed.text(package.read("mydata.pdf"))
    for his in ("林志明", "0922", "5F-1", "lin-lift", "I am on"):
        assert his not in text
    assert len([n for n in package.namelist() if n.startswith("media/")]) == 0


async def test_a_copy_asked_from_a_second_account_while_one_is_made_is_not_made_twice(desk):
    clerk, _, _ = await staff(desk)
    phone = desk.person(6001, "Clerk's phone", "en")
    await phone.send(f"/link {await a_code(clerk)}")
    desk.api.held[9001] = asyncio.Event()  # the file is on its way, slowly
    asking = asyncio.create_task(clerk.send("/mydata"))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if await desk.query("SELECT count(*) FROM data_exports") == [(1,)]:
            break
    await phone.send("/mydata")
    assert phone.last_text == "Your data is being gathered: the file comes in a moment."
    desk.api.held[9001].set()
    await asking
    the_package(clerk)
    assert not [c for c in phone.calls() if c.method == "sendDocument"]
    assert await desk.query("SELECT count(*) FROM data_exports WHERE delivered_at IS NOT NULL"
                            ) == [(1,)]


async def test_a_copy_cut_off_by_a_crash_is_closed_as_failed_and_asked_again(desk):
    clerk, _, _ = await staff(desk)
    desk.api.held[9001] = asyncio.Event()  # the file hangs on its way; the process dies
    asking = asyncio.create_task(clerk.send("/mydata"))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if await desk.query("SELECT count(*) FROM data_exports") == [(1,)]:
            break
    asking.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asking
    await desk.restart()
    await clerk.send("/mydata")  # at once: it may still be on its way
    assert clerk.last_text == "Your data is being gathered: the file comes in a moment."
    desk.clock.advance(minutes=11)
    await clerk.send("/mydata")
    the_package(clerk)
    rows = await desk.query("SELECT delivered_at IS NULL, failed_at IS NULL FROM data_exports "
                            "ORDER BY id")
    assert [tuple(bool(v) for v in r) for r in rows] == [(True, False), (False, True)]


async def test_each_why_of_the_access_log_reads_in_her_language(desk):
    """The office's log keeps why in its own words (a card, a document, a command typed at
    the office); the resident reads each in Traditional Chinese."""
    resident = desk.person(5001, "May", "zh-TW")
    await resident.send("/start")
    await resident.share_contact("+886 912 345 678")
    clerk, _, _ = await staff(desk)
    views = [(access_log.TICKET, "R-2026-00001", "ticket R-2026-00001"),
             (access_log.DOCUMENT, "R-2026-00001", "repair form R-2026-00001"),
             (access_log.DOCUMENT, "2026-11", "/report: repair ledger 2026-11"),
             (access_log.EXPORT, "R-2026-00001", "estatedesk report form R-2026-00001"),
             (access_log.RECORD, "A 12F-3", "/intake")]
    async with desk.db.transaction() as conn:
        for what, reference, why in views:
            await access_log.record(conn, 9001 if what != access_log.EXPORT else None, [5001],
                                    what, reference, why, desk.clock.now)
    await resident.send("/mydata")
    summary = resident.last_text
    for read in ("在對話中開啟 R-2026-00001", "R-2026-00001 的維修單", "2026-11 的維修台帳",
                 "管理處電腦上的指令", "（/intake）"):
        assert read in summary, summary
    for code in ("ticket R", "repair form", "repair ledger", "estatedesk report"):
        assert code not in summary
