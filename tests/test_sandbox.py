"""`estatedesk demo`: the real bot and a seeded demo estate behind a page where one person
plays every role. First what the page's routes refuse, then the whole story in a real
headless Chromium: a resident reports a leak with a photo, the clerk dispatches it, the
technician completes it with an after-photo, the resident confirms, the clock is advanced and
the survey answered. Beside it, a resident on a LINE phone reports by tapping LINE's quick
replies and the clerk on Telegram gets the card."""

import re
import socket
import sqlite3
import subprocess
import sys

import httpx
import pytest

from sandbox import seed
from storage import backup as backups
from tests.sandbox_page import ROOT, Demo, Page, PageRoutes, browser, free_port

RESIDENT, CLERK, TECHNICIAN = (seed.RESIDENT.user_id, seed.CLERK.user_id,
                               seed.TECHNICIAN.user_id)
SUPERVISOR = seed.SUPERVISOR.user_id
LINE_RESIDENT = seed.LINE_RESIDENT.user_id
pytestmark = pytest.mark.sqlite_only  # the demo keeps its estate in a SQLite file of its own


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    running = Demo(tmp_path_factory.mktemp("demo"))
    try:
        running.wait_ready()
        yield running
    finally:
        assert running.stop() == 0, running.log.read_text()


def state(demo) -> dict:
    return httpx.get(f"{demo.url}/api/state").json()


def test_the_demo_estate_is_seeded_with_tickets_in_different_states(demo):
    assert "Starting the sandbox at" in demo.log.read_text()
    seen = state(demo)
    assert seen["ready"] is True
    assert [(p["role"], p["channel"]) for p in seen["personas"]] == [
        ("resident", "telegram"), ("resident", "telegram"), ("resident", "line"),
        ("clerk", "telegram"), ("technician", "telegram"), ("technician", "telegram"),
        ("supervisor", "telegram"), ("manager", "telegram"), ("contractor", "telegram")]
    assert seen["shown"] == [p.user_id for p in seed.SHOWN]
    on_line = seen["chats"][str(LINE_RESIDENT)]  # joined with the unit code, on LINE
    assert [m["message"]["text"] for m in on_line if m["outgoing"]][:1] == ["我同意"]
    assert any("B 3F-2" in (m["message"].get("text") or "") for m in on_line
               if not m["outgoing"])
    assert "/repair" in [a["action"]["data"] for a in seen["line_menus"][str(LINE_RESIDENT)][
        "areas"]]
    clerk = "\n".join(m.get("text", "") for m in seen["chats"][str(CLERK)])
    for ref in ("R-2026-00001", "R-2026-00002", "R-2026-00003", "R-2026-00004"):
        assert ref in clerk
    contractor = seen["chats"][str(seed.CONTRACTOR.user_id)][-1]
    assert "R-2026-00003" in contractor["text"] and contractor["reply_markup"]
    completion = [m for m in seen["chats"][str(TECHNICIAN)] if m.get("photo")]
    assert completion and completion[0]["photo_url"].startswith("/api/file/")
    assert httpx.get(demo.url + completion[0]["photo_url"]).headers["content-type"] == \
        "image/png"


def test_the_page_refuses_what_a_telegram_client_could_not_send(demo):
    before = state(demo)["chats"]
    api = demo.url + "/api"
    too_long = httpx.post(f"{api}/say", json={"user": RESIDENT, "text": "x" * 5000})
    assert too_long.status_code == 400 and too_long.json()["code"] == "too_long"
    assert httpx.post(f"{api}/say", json={"user": 99, "text": "hi"}).status_code == 400
    assert httpx.post(f"{api}/say", content=b"not json").status_code == 400
    forged = httpx.post(f"{api}/tap", json={"user": RESIDENT, "message_id": 1,
                                            "data": "d:tech:1:0"})
    assert forged.status_code == 409 and forged.json()["code"] == "no_button"
    not_a_picture = httpx.post(f"{api}/photo", data={"user": str(RESIDENT)},
                               files={"photo": ("a.txt", b"hello", "text/plain")})
    assert not_a_picture.status_code == 400
    assert httpx.post(f"{api}/clock", json={"hours": -24}).status_code == 400
    assert httpx.post(f"{api}/language", json={"user": RESIDENT,
                                               "language": "fr"}).status_code == 400
    after = state(demo)
    assert after["chats"] == before  # nothing reached the bot
    assert after["clock"]["ahead_hours"] == 0


def test_a_leak_from_report_to_survey_in_the_browser(demo, tmp_path):
    photo = tmp_path / "leak.png"
    photo.write_bytes(seed.picture("#b5651d", "leak"))
    driver = browser()
    try:
        page = Page(driver, demo.url)
        page.sees(RESIDENT, "A 12F-3")
        page.screenshot("start")

        # The resident reads English, and reports a leak with a photo.
        page.choose("select.lang", "en", RESIDENT)
        page.sees(RESIDENT, "I will speak English with you from now on.")
        page.tap(RESIDENT, "m:repair")
        page.tap(RESIDENT, "r:c:plumbing")
        page.tap(RESIDENT, "r:g:normal")
        page.sees(RESIDENT, "Where in the unit is it?")
        page.type(RESIDENT, "Kitchen sink")
        assert "Please describe the problem" in page.last_message(RESIDENT)
        page.type(RESIDENT, "Water drips from the pipe under the sink.")
        page.upload_photo(RESIDENT, photo)
        page.wait(lambda: page.run(
            f"return document.querySelectorAll(\".phone[data-user='{RESIDENT}'] "
            f".msg.out img\").length"), "the resident's photo in the chat")
        page.tap(RESIDENT, "r:pd")
        page.tap(RESIDENT, "r:d:")
        page.tap(RESIDENT, "r:s:")
        page.sees(RESIDENT, "Photos: 1")
        page.screenshot("report")
        page.tap(RESIDENT, "r:ok")
        page.sees(RESIDENT, "registered as R-2026-00005")

        # The clerk sees the card with the photo and assigns the first technician.
        page.sees(CLERK, "R-2026-00005")
        page.wait(lambda: page.run(
            f"return document.querySelectorAll(\".phone[data-user='{CLERK}'] img\").length"),
            "the report's photo on the clerk's phone")
        page.tap(CLERK, "d:tech:5:")
        page.tap(CLERK, f"d:pt:5:{TECHNICIAN}:")
        page.tap(CLERK, f"d:dl:5:t{TECHNICIAN}:")
        page.sees(CLERK, "R-2026-00005 已派給")
        page.screenshot("dispatch")

        # The technician goes, arrives, and completes it with an after-photo.
        page.sees(TECHNICIAN, "R-2026-00005")
        page.tap(TECHNICIAN, "w:go:5")
        page.sees(RESIDENT, "the technician is on the way")
        page.tap(TECHNICIAN, "w:at:5")
        page.tap(TECHNICIAN, "w:done:5")
        page.upload_photo(TECHNICIAN, photo)
        page.tap(TECHNICIAN, "w:pd")
        page.type(TECHNICIAN, "換了水管接頭的墊圈。")
        page.type(TECHNICIAN, "1")
        assert "材料費" in page.last_message(TECHNICIAN)
        page.type(TECHNICIAN, "0")
        page.sees(TECHNICIAN, "R-2026-00005 已完工")
        page.screenshot("complete")

        # The resident confirms; a day and a few hours later the callback survey comes.
        page.sees(RESIDENT, "Is it fixed?")
        page.tap(RESIDENT, "s:ok:5")
        page.sees(RESIDENT, "R-2026-00005 is closed")
        page.click("#advance-day")
        for _ in range(24):  # the survey waits for the allowed hours (09:00-20:00)
            if page.shows(RESIDENT, "How did we do?", timeout=3):
                break
            page.click("#advance-hour")
        page.sees(RESIDENT, "How did we do?")
        assert "已快轉" in page.run("return document.querySelector('#clock').innerText")
        page.tap(RESIDENT, "sv:r:5:5")
        page.tap(RESIDENT, "sv:n:5")
        page.type(RESIDENT, "Quick and tidy, thank you.")
        page.sees(RESIDENT, "Thank you for your feedback.")
        page.screenshot("survey")
        driver.set_window_size(420, 900)  # on a phone: the phones one under the other
        assert page.run("return document.documentElement.scrollWidth") <= 420
        page.screenshot("on-a-phone")
    finally:
        driver.quit()


def test_a_resident_on_line_reports_a_leak_and_the_clerk_on_telegram_gets_the_card(demo,
                                                                                  tmp_path):
    """The office tries both apps side by side: the resident of B 3F-2, on LINE, opens the
    rich menu, taps quick replies and a card's buttons, sends a photo from the camera roll;
    the clerk, on Telegram, gets the report's card with the photo. The rich menu speaks the
    resident's language, and changes with it."""
    photo = tmp_path / "sink.png"
    photo.write_bytes(seed.picture("#6d597a", "sink"))
    driver = browser()
    try:
        page = Page(driver, demo.url)
        page.sees(LINE_RESIDENT, "B 3F-2")
        phone = f".phone[data-user='{LINE_RESIDENT}']"
        assert page.run(f"return getComputedStyle(document.querySelector(\"{phone} header\"))"
                        ".backgroundColor") == "rgb(6, 199, 85)"  # LINE's green
        assert page.rich_menu(LINE_RESIDENT)[:3] == ["我要報修", "我要投訴", "我的報修與投訴"]
        assert page.run(f"return document.querySelector(\"{phone} .menubar\").innerText"
                        ).startswith("選單")

        # The rich menu's "report a repair", then LINE's quick replies.
        before = page.chat(LINE_RESIDENT)
        page.click(f"{phone} .richmenu .area[data-data='/repair']")
        page.wait(lambda: page.chat(LINE_RESIDENT) != before, "an answer to the menu")
        page.sees(LINE_RESIDENT, "請問是哪一類問題？")
        assert "給排水" in page.chips(LINE_RESIDENT)
        page.tap_line(LINE_RESIDENT, "r:c:plumbing")
        page.tap_line(LINE_RESIDENT, "r:g:normal")
        page.tap_line(LINE_RESIDENT, "r:rm:kitchen")
        page.sees(LINE_RESIDENT, "請描述問題")
        page.type(LINE_RESIDENT, "水槽下的水管一直滴水。")
        page.upload_photo(LINE_RESIDENT, photo)
        page.wait(lambda: page.run(f"return document.querySelectorAll(\"{phone} .msg.out img\")"
                                   ".length"), "the resident's photo in the LINE chat")
        page.sees(LINE_RESIDENT, "已收到第 1 張照片")
        page.tap_line(LINE_RESIDENT, "r:pd")
        # The visit's day is a Flex card with a button a day; the time of day, quick replies.
        page.wait(lambda: page.run(f"return document.querySelectorAll(\"{phone} .msg.card "
                                   ".fbutton[data-data^='r:d:']\").length"), "the days' card")
        page.tap_line(LINE_RESIDENT, "r:d:")
        page.tap_line(LINE_RESIDENT, "r:s:")
        page.sees(LINE_RESIDENT, "照片：1 張")
        page.screenshot("line-report")
        page.tap_line(LINE_RESIDENT, "r:ok")
        page.sees(LINE_RESIDENT, "您的報修已登記")
        [ref] = re.findall(r"單號 (R-\d{4}-\d{5})", page.chat(LINE_RESIDENT))[-1:]

        # The clerk, on Telegram, sees the card of the report made on LINE, with its photo.
        page.sees(CLERK, ref)
        number = int(ref.rsplit("-", 1)[1])
        card = page.wait(lambda: page.run(
            f"return [...document.querySelectorAll(\".phone[data-user='{CLERK}'] .msg\")]"
            f".find(m => m.querySelector(\"button[data-data^='d:tech:{number}:']\"))"
            "?.innerText"), "the report's card on the clerk's phone")
        assert "B 3F-2" in card and "水槽下的水管一直滴水。" in card
        page.wait(lambda: page.run(
            f"return [...document.querySelectorAll(\".phone[data-user='{CLERK}'] img\")]"
            ".some(i => i.complete && i.naturalWidth > 0)"), "the photo on the clerk's phone")
        page.screenshot("line-beside-telegram")

        # In English, the rich menu is English too (the desk links the English one).
        page.choose("select.lang", "en", LINE_RESIDENT)
        page.sees(LINE_RESIDENT, "English")
        page.wait(lambda: page.rich_menu(LINE_RESIDENT)[:1] == ["Report a repair"],
                  "the English rich menu")
        assert page.run(f"return document.querySelector(\"{phone} .menubar\").innerText"
                        ).startswith("Menu")

        # Where the desk asks for a photo or a place, LINE's camera, camera roll and location
        # actions are chips too; the camera's opens the computer's file picker.
        chips = page.run(
            f"const p = document.querySelector(\"{phone}\");"
            "return quickReplies(p, arguments[0], [{id: 'x', outgoing: false, message: {"
            "type: 'text', text: 't', quickReply: {items: ['camera', 'cameraRoll', "
            "'location'].map((type) => ({type: 'action', action: {type, label: type}}))}}}])"
            ".map((b) => b.className);", LINE_RESIDENT)
        assert chips == ["chip camera", "chip cameraRoll", "chip location"]

        # LINE bots send no files: her data comes as a card whose button opens the ZIP at the
        # desk's signed address (served here by the demo's own server).
        page.type(LINE_RESIDENT, "/mydata")
        link = page.wait(lambda: page.run(
            f"const a = document.querySelector(\"{phone} .msg.card a.fbutton.uri\");"
            "return a && [a.innerText, a.getAttribute('href')];"), "the data's link card")
        assert link[0].startswith("⬇ mydata-") and link[1].startswith("/line/media/")
        assert httpx.get(demo.url + link[1]).content[:2] == b"PK"
    finally:
        driver.quit()


def test_the_line_phone_taps_only_what_line_showed(demo):
    """A postback the person was not shown (a forged menu command, another message's button,
    an old message's quick reply) is refused by the page as LINE's app could not send it;
    nothing reaches the desk."""
    api = demo.url + "/api"
    before = state(demo)["chats"][str(LINE_RESIDENT)]
    forged = httpx.post(f"{api}/tap", json={"user": LINE_RESIDENT, "message_id": None,
                                            "data": "d:tech:1:0"})
    assert forged.status_code == 409 and forged.json()["code"] == "no_button"
    elsewhere = httpx.post(f"{api}/tap", json={"user": LINE_RESIDENT, "message_id": "1",
                                               "data": "r:c:plumbing"})
    assert elsewhere.status_code == 409
    notice = before[0]  # its quick replies went when the next message came, as on LINE
    old = notice["message"]["quickReply"]["items"][0]["action"]["data"]
    assert httpx.post(f"{api}/tap", json={"user": LINE_RESIDENT, "message_id": notice["id"],
                                          "data": old}).status_code == 409
    assert httpx.post(f"{api}/contact", json={"user": LINE_RESIDENT}).json()["code"] == \
        "no_phone"  # LINE has no contact share
    assert httpx.post(f"{api}/location", json={"user": RESIDENT}).json()["code"] == \
        "not_on_line"
    assert state(demo)["chats"][str(LINE_RESIDENT)] == before


def test_a_new_resident_shares_the_contact_and_the_manager_downloads_a_report(demo):
    driver = browser()
    try:
        page = Page(driver, demo.url)
        page.sees(CLERK, "R-2026-00004")

        # Formatting (entities, counted in UTF-16 units) drawn as a phone draws it.
        assert page.run("return formatted('Hi 😀 bold', [{type: 'bold', offset: 6, length: 4}],"
                        " 0, 10).map(n => n.outerHTML || n).join('')") == \
            'Hi 😀 <b class="e-bold">bold</b>'

        # A refusal is said in the page's language.
        page.run(f"post('/api/say', {{user: {RESIDENT}, text: '   '}})")
        page.wait(lambda: page.run("return document.querySelector('#status').innerText") ==
                  "請先輸入內容。", "the refusal in Chinese")
        page.run("showStatus('')")

        # Another flat's owner joins: /start, then the contact button under the chat.
        page.choose("#page-language", "en")
        page.click("#add-persona")
        form = driver.find_element("css selector", "#new-persona")
        form.find_element("name", "name").send_keys("B 3F-2 owner")
        form.find_element("css selector", "button").click()
        newcomer = page.wait(lambda: page.run(
            "const s = document.querySelectorAll('.phone');"
            "return s.length === 7 && Number(s[6].dataset.user);"), "a seventh phone")
        page.sees(newcomer, "share your phone number")
        page.wait(lambda: page.run(
            f"const b = document.querySelector(\".phone[data-user='{newcomer}'] "
            f".keyboard button.contact\"); if (b) b.click(); return !!b;"),
            "the contact button")
        page.sees(newcomer, "B 3F-2")
        page.run("document.querySelector('#phones').scrollLeft = 1e6")
        page.screenshot("new-resident")

        # The supervisor's phone switched to the manager, who asks for the month's report.
        manager = seed.MANAGER.user_id
        page.choose("select.persona", str(manager), seed.SUPERVISOR.user_id)
        page.wait(lambda: page.run(  # the manager's own command menu, as the desk set it
            f"return [...document.querySelectorAll(\".phone[data-user='{manager}'] "
            ".commands button\")].map(b => b.dataset.command)").count("report"),
            "/report in the manager's menu")
        page.click(f".phone[data-user='{manager}'] button.menu")
        page.click(f".phone[data-user='{manager}'] .commands button[data-command='report']")
        page.tap(manager, "rp:m:")
        link = page.wait(lambda: page.run(
            f"const a = document.querySelector(\".phone[data-user='{manager}'] a.doc\");"
            "return a && [a.innerText, a.getAttribute('href')];"), "the report to download")
        assert link[0].endswith(".xlsx")
        workbook = httpx.get(demo.url + link[1])
        assert workbook.content[:2] == b"PK"  # a zip: the XLSX itself
        assert "attachment" in workbook.headers["content-disposition"]
        page.screenshot("report-download")
    finally:
        driver.quit()


def test_a_neighbour_describes_a_leak_with_a_voice_note_and_the_clerk_hears_it(demo):
    """A sound file from the computer goes as a voice note, as a phone records one."""
    sound = b"OggS" + bytes(range(256)) * 40
    neighbour = PageRoutes(demo.url, seed.NEIGHBOUR.user_id)
    neighbour.say("/repair")
    neighbour.tap("r:c:plumbing")
    neighbour.tap("r:g:normal")
    neighbour.say("Utility room")
    neighbour.send_file("note.ogg", sound, "audio/ogg")
    if neighbour.has("r:sm:"):  # the desk asks whether it is a problem reported before
        neighbour.tap("r:sm:0")
    for step in ("r:pd", "r:d:", "r:s:", "r:ok"):
        neighbour.tap(step)
    heard = neighbour.until(lambda: neighbour.newest(lambda m: m.get("voice"),
                                                     seed.CLERK.user_id),
                            "the voice note on the clerk's phone")
    assert not heard["outgoing"]
    assert httpx.get(demo.url + heard["voice_url"]).content == sound


def test_a_resident_added_on_line_asks_to_join_by_name_and_unit(demo):
    """"Add a resident" on LINE: LINE gives no phone number, so after the notice the desk asks
    for the unit's code, or, for one who has none, the name and unit a clerk checks."""
    api = demo.url + "/api"
    added = httpx.post(f"{api}/persona", json={"name": "B 3F-2 房客", "channel": "line",
                                               "language": "en"})
    assert added.is_success and added.json()["channel"] == "line"
    newcomer = added.json()["user_id"]

    def chat() -> list[dict]:
        return state(demo)["chats"][str(newcomer)]

    def shown(text: str) -> dict:
        return PageRoutes(demo.url, newcomer).until(
            lambda: next((m for m in reversed(chat()) if text in (
                m["message"].get("text") or "")), None), text)

    notice = shown("personal data")
    agree = notice["message"]["quickReply"]["items"][0]["action"]
    assert httpx.post(f"{api}/tap", json={"user": newcomer, "message_id": notice["id"],
                                          "data": agree["data"]}).is_success
    asked = shown("type the code for your unit")
    [none] = [i["action"] for i in asked["message"]["quickReply"]["items"]]
    assert httpx.post(f"{api}/tap", json={"user": newcomer, "message_id": asked["id"],
                                          "data": none["data"]}).is_success
    shown("building and unit")
    assert [m["message"]["text"] for m in chat() if m["outgoing"]] == [agree["label"],
                                                                      none["label"]]


def test_a_resident_on_line_shares_a_place(demo):
    """LINE's location action sends where the phone is: the chat shows the place sent, and
    the desk answers it."""
    before = len(state(demo)["chats"][str(LINE_RESIDENT)])
    assert httpx.post(f"{demo.url}/api/location", json={"user": LINE_RESIDENT}).is_success
    chat = state(demo)["chats"][str(LINE_RESIDENT)][before:]
    assert chat[0]["outgoing"] and chat[0]["message"]["type"] == "location"
    assert chat[0]["message"]["title"] == "示範花園"
    assert len(chat) > 1 and not chat[-1]["outgoing"]  # the desk's answer


@pytest.fixture
def fresh_demo(tmp_path):
    """A demo of its own: what earlier stories typed is no text of the page's."""
    running = Demo(tmp_path)
    try:
        running.wait_ready()
        yield running
    finally:
        assert running.stop() == 0, running.log.read_text()


def test_every_text_of_the_page_is_drawn_in_the_faces_it_ships(fresh_demo):
    """On a computer without CJK fonts, 「客服中心時間」 and 「我要報修」 were boxes. The page
    now brings its own faces: every text of the page, its buttons and the chats is drawn in
    them, in each page language and on a Simplified Chinese phone; a character they lack
    would fall to another font, or to a box."""
    driver = browser()
    try:
        page = Page(driver, fresh_demo.url)
        page.sees(SUPERVISOR, "R-2026-")
        page.wait(lambda: "我要報修" in page.run("return document.body.innerText"), "我要報修")
        page.choose("select.lang", "zh_Hans", SUPERVISOR)
        page.sees(SUPERVISOR, "简体中文")
        for language, clock in (("zh_Hant", "客服中心時間"), ("zh_Hans", "客服中心时间"),
                                ("en", "Desk time")):
            page.choose("#page-language", language)
            page.wait(lambda: clock in page.run(  # noqa: B023 (used at once)
                "return document.querySelector('#clock').innerText"), clock)
            drawn = page.fonts_drawing()
            assert any(clock in text for text in drawn) and any(
                "我要報修" in text for text in drawn), language
            elsewhere = {text: fonts for text, fonts in drawn.items()
                         if fonts - {"Noto Sans TC", "Noto Sans SC"}}
            assert elsewhere == {}, language
    finally:
        driver.quit()


def test_a_port_already_taken_is_said_plainly(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "bot", "demo", "--port", str(port)],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr


def test_only_the_sandboxs_own_page_and_bot_may_use_it(demo):
    """A page of another site cannot drive the demo on someone's laptop, neither by posting to
    it nor by pointing its own name at 127.0.0.1; the stand-in answers only the demo's bot."""
    before = state(demo)["chats"]
    api = demo.url + "/api"
    said = {"user": RESIDENT, "text": "from another site"}
    posted = httpx.post(f"{api}/say", json=said, headers={"Origin": "https://evil.example"})
    assert posted.status_code == 403 and posted.json()["code"] == "elsewhere"
    rebound = httpx.get(f"{api}/state", headers={"Host": f"evil.example:{demo.port}"})
    assert rebound.status_code == 403
    assert httpx.get(f"{demo.url}/bot123456:GUESSED/getUpdates").status_code == 401
    assert httpx.get(f"{demo.url}/bot100000001:SANDBOX/getMe").status_code == 401
    # LINE's side: the stand-in wants the demo's own access token, the desk's webhook LINE's
    # signature with the demo's own secret (both new at each start).
    assert httpx.get(f"{demo.url}/v2/bot/info",
                     headers={"Authorization": "Bearer guessed"}).status_code == 401
    event = {"destination": "U" + "0" * 32, "events": [{
        "type": "message", "mode": "active", "timestamp": 0, "webhookEventId": "01FORGED",
        "deliveryContext": {"isRedelivery": False}, "replyToken": "x",
        "source": {"type": "user", "userId": f"U{LINE_RESIDENT:032x}"},
        "message": {"type": "text", "id": "1", "text": "forged"}}]}
    assert httpx.post(f"{demo.url}/line", json=event,
                      headers={"X-Line-Signature": "Zm9yZ2Vk"}).status_code == 401
    assert state(demo)["chats"] == before  # nothing reached the bot
    own = httpx.get(f"{api}/state", headers={"Host": f"localhost:{demo.port}"})
    assert own.status_code == 200  # the page as a person opens it
    assert httpx.post(f"{api}/clock", json={"hours": 0},
                      headers={"Origin": demo.url}).status_code == 400  # its own: answered


def test_the_demo_replaces_only_a_demo_estate_it_made(tmp_path):
    """`demo --db` on the estate's real database (a slip of the keyboard) leaves it alone."""
    estate = tmp_path / "estatedesk.sqlite3"
    with sqlite3.connect(estate) as conn:
        conn.execute("CREATE TABLE tickets (id INTEGER)")
        conn.execute("INSERT INTO tickets VALUES (1)")
    refused = subprocess.run([sys.executable, "-m", "bot", "demo", "--db", str(estate),
                              "--port", str(free_port())], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    assert refused.returncode == 2 and "the demo did not make" in refused.stderr
    with sqlite3.connect(estate) as conn:
        assert conn.execute("SELECT id FROM tickets").fetchall() == [(1,)]
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    refused = subprocess.run([sys.executable, "-m", "bot", "demo", "--db", str(notes),
                              "--port", str(free_port())], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    assert refused.returncode == 2 and notes.read_text() == "not a database"


def test_the_demo_never_touches_a_database_a_running_desk_holds(tmp_path):
    estate = tmp_path / "estatedesk.sqlite3"
    held = backups.hold_running_lock(estate)  # as `estatedesk run` holds it
    try:
        refused = subprocess.run([sys.executable, "-m", "bot", "demo", "--db", str(estate),
                                  "--port", str(free_port())], cwd=ROOT, capture_output=True,
                                 text=True, timeout=60)
    finally:
        held.close()
    assert refused.returncode == 2 and "another estatedesk is using it" in refused.stderr
    assert not estate.exists() or estate.stat().st_size == 0
