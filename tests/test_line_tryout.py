"""What an office found trying the desk on LINE as a new user would: each story a defect seen
through the LINE stand-in, in the person's language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.line import attach
from sandbox.line_api import LineApiStandIn
from tests.line_people import quick_actions
from tests.test_line_stories import (
    CLERK,
    MAY,
    SECRET,
    TOKEN,
    LineDesk,
    assign,
    report_a_leak,
    resident_by_code,
    telegram_technician,
    words,
)
from workflow import roles


@pytest.fixture
async def line(desk):
    with LineApiStandIn(secret=SECRET, token=TOKEN) as stand_in:
        at = LineDesk(desk, stand_in)
        yield at
        await at.close()


async def test_a_stranger_who_greets_with_a_sticker_still_has_a_button_to_begin(desk, line):
    """People add an account on LINE and send a sticker first: the notice's quick replies go
    with the desk's answer, so the answer carries its own way in."""
    tr = words(desk, "zh_Hant")
    may = line.person(MAY, "May", "zh_Hant")
    await may.follow()
    await may.send_sticker()
    assert may.last_text == tr("Please send /start to begin.")
    assert may.labels() == [tr("Start")]
    await may.tap(tr("Start"))
    assert may.labels() == [tr("I accept"), tr("Decline")]
    assert await desk.query("SELECT count(*) FROM people") == [(0,)]  # nothing kept yet


def test_line_is_attached_before_the_event_loop_runs_as_estatedesk_run_does(tmp_path):
    """`estatedesk run` builds the Application and attaches LINE outside any event loop; the
    SDK's clients open their session only when first used, inside it."""
    from bot.app import build_application
    from handlers.channels.line.api import LineSettings
    from storage.db import Database
    from workflow.settings import EstateSettings
    app = build_application(EstateSettings(), Database(str(tmp_path / "x.sqlite3")),
                            token="1:x", api_url="http://localhost:1")
    front = attach(app, LineSettings("secret", "token", "http://127.0.0.1:1",
                                     "http://127.0.0.1:1", "https://desk.example.invalid"))
    assert app.bot_data.line is front and app.bot_data.outboxes["line"] is not None


def test_a_staff_invitation_says_how_to_use_it_on_line(monkeypatch, capsys, tmp_path):
    """The office invites a clerk who uses LINE: the t.me link opens Telegram, so the
    invitation also says what to send the desk's LINE account."""
    from bot import cli
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "line-channel-secret")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "line-access-token")
    monkeypatch.setenv("LINE_PUBLIC_URL", "https://desk.example.com")
    monkeypatch.setenv("ESTATEDESK_DB", str(tmp_path / "desk.sqlite3"))
    assert cli.main(["staff", "invite", "--role", "clerk", "--name", "Lin"]) == 0
    said = capsys.readouterr().out
    code = said.split("code: ")[1].split()[0]
    assert f"on LINE: send the desk's LINE account the message /start {code}" in said


@pytest.mark.parametrize("language", ["zh_Hant", "zh_Hans", "en"])
async def test_where_the_desk_asks_for_photos_line_offers_the_camera(desk, line, language):
    """LINE can put the camera and the camera roll under a question: where the report asks for
    photos, and after each photo, they are there beside Done."""
    tr = words(desk, language)
    may = await resident_by_code(desk, line, tr, language)
    await may.tap(tr("Report a repair"))
    await may.tap(tr("Plumbing"))
    await may.tap(tr("No, not an emergency"))
    await may.send("Kitchen sink")
    await may.send("The trap drips.")
    assert [a["type"] for a in quick_actions(may.shown()[-1])][:2] == ["camera", "cameraRoll"]
    assert quick_actions(may.shown()[-1])[0]["label"] == tr("Take a photo")
    await may.send_photo(b"\xff\xd8\xff\xe0leak")
    assert {"camera", "cameraRoll"} <= {a["type"] for a in quick_actions(may.shown()[-1])}
    assert tr("Done") in may.labels()


async def test_a_message_refused_in_a_step_brings_the_steps_choices_back(desk, line):
    """On LINE a question's quick replies go when the next message comes: a sticker or a
    5,000-character text where the room is asked is refused, and the rooms come again."""
    tr = words(desk, "zh_Hant")
    may = await resident_by_code(desk, line, tr, "zh_Hant")
    await may.tap(tr("Report a repair"))
    await may.tap(tr("Plumbing"))
    await may.tap(tr("No, not an emergency"))
    def shown_last() -> list[str]:  # what LINE shows under the chat: the last message's
        return [a["label"] for a in quick_actions(may.shown()[-1])]

    rooms = shown_last()
    assert tr("Kitchen") in rooms
    await may.send("廚" * 5000)
    assert tr("That is {count} characters; the limit is {limit}. Please shorten it and send "
              "it again.", count=5000, limit=200) in may.texts()[-2:]
    assert shown_last() == rooms
    await may.send_sticker()
    assert shown_last() == rooms
    assert await desk.query("SELECT step FROM drafts") == [("location",)]


async def test_the_owner_is_told_of_a_report_made_by_voice_note(desk, line):
    """May told her leak by a voice note alone: the clerk who phones the unit's owner reads
    that there is a voice note, not a sentence that stops at a colon."""
    tr = words(desk, "zh_Hant")
    clerk = line.person(CLERK, "Clerk", "zh_Hant")
    await line.hire(clerk, tr, roles.CLERK, "Desk clerk")
    may = await resident_by_code(desk, line, tr, "zh_Hant")
    await report_a_leak(may, tr)
    told = next(t for t in clerk.texts() if "A 12F-3" in t and "May" in t and "Kitchen" in t
                and tr("New repair report") not in t)
    assert tr("voice note, {length}", length="0:23") in told


async def _rated(desk, line, tr):
    """A leak reported on LINE, fixed by a technician on Telegram, confirmed; the next day's
    survey rated 5★: May, with the chips to tap."""
    language = tr.language
    clerk = line.person(CLERK, "Clerk", language)
    await line.hire(clerk, tr, roles.CLERK, "Desk clerk")
    tech = await telegram_technician(desk, language)
    may = await resident_by_code(desk, line, tr, language)
    await report_a_leak(may, tr)
    await assign(clerk, tr)
    await tech.send("/mytasks")
    await tech.tap(tech.labels()[0])
    for step in ("On my way", "Arrived", "Complete"):
        await tech.tap(tr(step))
    await tech.send_photo("fixed-1")
    await tech.tap(tr("Done"))
    for said in ("Replaced the trap seal.", "1.5", "120"):
        await tech.send(said)
    await may.tap(tr("Confirm, it is fixed"))
    await desk.run_until(desk.clock.now + timedelta(days=1))  # the survey
    await may.tap("5★")
    return may


async def test_a_survey_chip_tapped_on_line_comes_back_with_what_is_ticked(desk, line):
    """LINE cannot tick a chip on the sent message: the chips come again under a message
    that says what is ticked, not under a bare '…'."""
    tr = words(desk, "zh_Hant")
    may = await _rated(desk, line, tr)
    await may.tap(tr("Quick"))
    assert may.last_text == "✓ " + tr("Quick")
    await may.tap(tr("Tidy"))
    assert may.last_text == "✓ " + tr("Quick") + "\n✓ " + tr("Tidy")


def test_line_info_says_in_words_why_the_webhook_did_not_answer(monkeypatch, capsys, tmp_path):
    """The office runs `line info` before starting the desk: LINE's test post reached
    nothing, and the printout says what to check rather than only LINE's '0 ERROR'."""
    from bot import cli
    with LineApiStandIn(secret="s", token="t") as stand_in:
        monkeypatch.setenv("LINE_CHANNEL_SECRET", "s")
        monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "t")
        monkeypatch.setenv("LINE_API_URL", stand_in.url)
        monkeypatch.setenv("LINE_PUBLIC_URL", "http://127.0.0.1:9")  # nothing listens there
        monkeypatch.setenv("ESTATEDESK_DB", str(tmp_path / "desk.sqlite3"))
        assert cli.main(["line", "set-webhook"]) == 0
        said = capsys.readouterr().out
    assert "LINE could not reach that address: is the desk running" in said


async def test_a_sticker_for_the_surveys_comment_leaves_skip_in_reach(desk, line):
    """After the stars, a resident on LINE answers the comment question with a sticker: told
    to type, and 'Skip' is under the chat again so the survey can end."""
    tr = words(desk, "en")
    may = await _rated(desk, line, tr)
    await may.tap(tr("Next"))
    await may.send_sticker()
    assert tr("Please answer in text.") in may.texts()[-2:]
    assert [a["label"] for a in quick_actions(may.shown()[-1])] == [tr("Skip")]
    await may.tap(tr("Skip"))
    assert may.last_text == tr("Thank you for your feedback.")


@pytest.mark.parametrize("language", ["zh_Hant", "zh_Hans"])
def test_no_line_of_the_code_sheet_begins_with_a_full_stop(tmp_path, language):
    """The office prints the slips (`roster codes`) and looks at them: in Chinese the
    validity sentence wrapped its closing '。' onto a line of its own."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from handlers.i18n import Tr
    from handlers.onboarding import sheet
    from storage.records import Unit
    from tests import printed
    from workflow.onboarding.unit_codes import Made
    tr = Tr(language, ZoneInfo("Asia/Taipei"))
    path = tmp_path / "codes.pdf"
    sheet.write(tr, "海景社區", [Made(Unit(1, "A", "12F-3"), "K7QM-3WXT",
                                   datetime(2027, 2, 5, 15, 59, tzinfo=UTC))], 4, path)
    lines = [line.strip() for line in printed.pages("pdfium", path)[0].text.splitlines()]
    assert any("4" in line for line in lines)
    assert not [line for line in lines if line.startswith(("。", "，", "、"))], lines


async def test_an_old_cards_tap_says_what_happened_once(desk, line):
    """A second clerk taps 'Assign technician' on a card another clerk has dealt with: LINE
    has no passing note, so what happened comes once, above the card as it is now."""
    tr = words(desk, "zh_Hant")
    clerk = line.person(CLERK, "Clerk", "zh_Hant")
    second = line.person("U" + "2" * 32, "Second", "zh_Hant")
    await line.hire(clerk, tr, roles.CLERK, "Desk clerk")
    await line.hire(second, tr, roles.CLERK, "Second clerk")
    await telegram_technician(desk, "zh_Hant")
    may = await resident_by_code(desk, line, tr, "zh_Hant")
    await report_a_leak(may, tr)
    await assign(clerk, tr)
    second.new_texts()
    await second.tap(tr("Assign technician"))
    fresh = second.new_texts()
    assert len(fresh) == 1 and "Ah Wai" in fresh[0] and "R-2026-00001" in fresh[0], fresh
    assert tr("Reassign: technician") in second.labels()


@pytest.mark.parametrize("language, term", [("zh_Hant", "開通碼"), ("zh_Hans", "开通码")])
def test_the_strangers_menu_names_the_code_as_the_sheet_does(language, term):
    """The slip says 開通碼 and so does the question after 'I accept': the stranger's
    rich menu tile said 代碼, a word the office's sheet never uses."""
    from zoneinfo import ZoneInfo

    from handlers.i18n import Tr
    tr = Tr(language, ZoneInfo("Asia/Taipei"))
    assert term in tr("Your code")
    assert term in tr("Start, or join with the code from the office")
