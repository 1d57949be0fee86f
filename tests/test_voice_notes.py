"""Residents who would rather speak: a voice note describes the problem, and whoever takes the
job hears it right after the card."""

from tests.stories import assign_to_tech, choose_a_visit, complete, resident_of_a12, staff


async def report_by_voice(resident, seconds=23, caption=None, kind="voice"):
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:normal")
    await resident.send("Kitchen")
    await resident.send_voice("voice-1", seconds, kind=kind, caption=caption)


async def no_photos_and_a_visit(resident) -> None:
    await resident.tap_data("r:pd")
    await choose_a_visit(resident)


def sent(person, method):
    return [c for c in person.calls() if c.method == method]


async def test_a_voice_note_report_is_heard_by_the_desk_and_the_technician(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_by_voice(resident, caption="It gets worse at night")
    await no_photos_and_a_visit(resident)
    assert "Problem: (voice note, 0:23) It gets worse at night" in resident.last_text
    await resident.tap_data("r:ok")
    assert "registered as R-2026-00001" in resident.last_text
    # the clerk: the card, then the voice note right after it
    card = next(c for c in clerk.calls() if "New repair report" in c.text)
    assert "(voice note, 0:23)" in card.text
    assert [c.params["voice"] for c in sent(clerk, "sendVoice")] == ["voice-1"]
    assert clerk.calls().index(card) < clerk.calls().index(sent(clerk, "sendVoice")[0])
    await assign_to_tech(clerk)
    assert [c.params["voice"] for c in sent(tech, "sendVoice")] == ["voice-1"]
    await complete(tech)
    await resident.tap("Confirm, it is fixed")
    await resident.send("/mytickets")
    await resident.tap_starting("t:v:1")
    assert "(voice note, 0:23) It gets worse at night" in resident.last_text


async def test_a_voice_note_past_the_limit_is_refused_and_changes_nothing(desk):
    resident = await resident_of_a12(desk)
    await report_by_voice(resident, seconds=200)
    assert "That recording is 3:20 long; the limit is 3 minutes" in resident.last_text
    assert await desk.query("SELECT step FROM drafts") == [("description",)]
    await resident.send("Water drips from the pipe.")  # typing it still works
    assert await desk.query("SELECT step FROM drafts") == [("photos",)]


async def test_a_complaint_told_in_a_round_video(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await resident.tap("Make a complaint")
    await resident.tap("Security")
    await resident.send_voice("video-1", 41, kind="video_note")
    await resident.tap("Skip")
    await resident.tap("No, a reply here is fine")
    assert "Complaint: (voice note, 0:41)" in resident.last_text
    await resident.tap("Confirm and send")
    assert [c.params["video_note"] for c in sent(clerk, "sendVideoNote")] == ["video-1"]


async def test_the_voice_note_is_named_in_the_residents_language(desk):
    resident = await resident_of_a12(desk, language="zh-TW")
    await report_by_voice(resident, seconds=65)
    await no_photos_and_a_visit(resident)
    assert "語音留言 1:05" in resident.last_text


async def test_a_voice_note_added_to_an_open_repair_reaches_the_technician(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_by_voice(resident)
    await no_photos_and_a_visit(resident)
    await resident.tap_data("r:ok")
    await assign_to_tech(clerk)
    await resident.tap_data("t:add:1")
    assert "a voice note to add to R-2026-00001" in resident.last_text
    await resident.send_voice("voice-2", 12, caption="The tap downstairs leaks too")
    assert "Added to R-2026-00001" in resident.last_text
    told = [c.text for c in tech.calls() if "the resident added" in c.text]
    assert told == ["R-2026-00001: the resident added: (voice note, 0:12) The tap downstairs "
                    "leaks too"]
    assert [c.params["voice"] for c in sent(tech, "sendVoice")] == ["voice-1", "voice-2"]


async def test_the_voice_note_names_its_job_and_the_ledger_says_it_was_spoken(desk, tmp_path):
    from datetime import date

    from handlers.i18n import Tr
    from handlers.office import spreadsheets
    from tests.test_documents import cells
    from workflow.office import reports

    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_by_voice(resident, seconds=25)  # nothing typed beside it
    await no_photos_and_a_visit(resident)
    await resident.tap_data("r:ok")
    await assign_to_tech(clerk)
    # forwarded or met on its own, the recording still says which job it belongs to
    for person in (clerk, tech):
        voice = sent(person, "sendVoice")[0]
        assert voice.params["caption"] == "R-2026-00001: voice note, 0:25"

    path = tmp_path / "ledger.xlsx"
    for language, told in (("zh_Hant", "語音留言 0:25"), ("zh_Hans", "语音留言 0:25"),
                           ("en", "voice note, 0:25")):
        writer = spreadsheets.LedgerWriter(Tr(language, desk.settings.tz), desk.settings, path)
        await reports.each_ledger_row(desk.db, desk.settings, date(2026, 11, 1),
                                      date(2026, 11, 30), writer)
        writer.close()
        head, row = cells(path)
        assert dict(zip(head, row, strict=True))[head[8]] == told, language
