"""What a person sees on LINE of the desk's content: choices as quick replies where they fit
under the last message, a Flex card with buttons where they must stay tappable or do not
fit, the app's own camera, location and time pickers for what the desk asks, and every part
within LINE's limits (as LINE counts)."""

from __future__ import annotations

import json

from handlers.channels.content import ASKED, Ask, Asking, choices
from handlers.channels.line import messages
from handlers.channels.line.messages import (
    ALT_TEXT,
    BUTTON_LABEL,
    PICKED,
    QUICK_LABEL,
    TEXT,
    text_messages,
)
from handlers.common import utf16_len


def shown(found) -> list[dict]:
    """The messages as the SDK sends them (LINE's JSON)."""
    return [message.to_dict() for message in found]


def quick_labels(message: dict) -> list[str]:
    return [item["action"]["label"] for item in message.get("quickReply", {}).get("items", [])]


def buttons(message: dict) -> list[dict]:
    """The actions of a Flex card's buttons, side by side or one under another."""
    found: list[dict] = []

    def walk(component: dict) -> None:
        if component.get("type") == "button":
            found.append(component["action"])
        for inner in component.get("contents", []):
            walk(inner)
    walk(message["contents"].get("footer") or {})
    return found


REPAIR_MENU = choices([[("Report a repair", "m:rep")], [("My tickets", "m:tix")],
                       [("Complaint", "m:cmp")]])


def test_a_resident_answering_gets_the_menu_as_quick_replies_under_the_text():
    [message] = shown(text_messages("What would you like to do?", REPAIR_MENU))
    assert message["type"] == "text" and message["text"] == "What would you like to do?"
    assert quick_labels(message) == ["Report a repair", "My tickets", "Complaint"]
    tapped = message["quickReply"]["items"][0]["action"]
    assert tapped == {"type": "postback", "label": "Report a repair", "data": "m:rep",
                      "displayText": "Report a repair"}


def test_a_clerks_card_read_later_keeps_its_buttons_as_a_flex_card():
    """A notice is read after other messages came: quick replies would be gone by then."""
    card = choices([[("Assign technician", "t:as:12:3")], [("Close", "t:cl:12:3")]])
    [message] = shown(text_messages("New repair report R-2026-00001\nKitchen sink", card,
                                    lasting=True))
    assert message["type"] == "flex"
    assert message["altText"].startswith("New repair report R-2026-00001")
    body = message["contents"]["body"]["contents"][0]
    assert body == {"type": "text", "text": "New repair report R-2026-00001\nKitchen sink",
                    "wrap": True}
    assert [(b["label"], b["data"]) for b in buttons(message)] == [
        ("Assign technician", "t:as:12:3"), ("Close", "t:cl:12:3")]


def test_a_label_longer_than_a_quick_reply_takes_makes_a_card_and_is_cut_on_its_button():
    name = "陳美玲（A棟12樓之3，本大樓管理委員會主任委員兼財務委員，亦為修繕小組召集人與聯絡窗口）"
    assert len(name) > BUTTON_LABEL
    long = choices([[("A very long technician name and company", "as:1")], [(name, "as:2")]])
    [message] = shown(text_messages("Who takes it?", long))
    assert message["type"] == "flex"
    first, second = buttons(message)
    assert first["label"] == "A very long technician name and company"  # 39: fits a button
    assert len(second["label"]) == BUTTON_LABEL and second["label"].endswith("…")
    assert second["displayText"] == name  # what the chat shows they tapped: all of it
    assert not quick_labels(message)
    cut = messages.label("😀" * 30 + "👨‍👩‍👧" * 20, QUICK_LABEL)
    assert len(messages.graphemes(cut)) == QUICK_LABEL and cut.endswith("…")
    assert "\u200d…" not in cut  # never half a joined emoji


def test_fourteen_technicians_come_as_two_cards_of_at_most_thirteen():
    many = choices([[(f"Tech {n}", f"as:{n}")] for n in range(1, 15)])
    found = shown(text_messages("Which technician?", many))
    assert [m["type"] for m in found] == ["flex", "flex"]
    assert [len(buttons(m)) for m in found] == [13, 1]
    assert found[0]["contents"]["body"]["contents"][0]["text"] == "Which technician?"
    assert "body" not in found[1]["contents"]  # the second card only carries buttons
    assert [b["data"] for m in found for b in buttons(m)] == [f"as:{n}" for n in range(1, 15)]


def test_thirteen_choices_fit_as_quick_replies_but_not_beside_an_ask():
    thirteen = choices([[(f"Slot {n}", f"sl:{n}")] for n in range(13)])
    [message] = shown(text_messages("Pick a slot", thirteen))
    assert message["type"] == "text" and len(quick_labels(message)) == 13
    asked = shown(text_messages("Pick a slot, or send a photo", thirteen,
                                Asking(Ask.PHOTO, "Take a photo")))
    assert asked[0]["type"] == "flex"  # 13 + camera + camera roll do not fit
    assert quick_labels(asked[-1]) == ["Take a photo", messages.CAMERA_ROLL]


def test_a_photo_asked_for_opens_the_camera_or_the_camera_roll_beside_done():
    done = choices([[("Done", "ph:done")]])
    [message] = shown(text_messages("Send photos of the leak", done,
                                    Asking(Ask.PHOTO, "Take a photo")))
    items = message["quickReply"]["items"]
    assert [item["action"]["type"] for item in items] == ["camera", "cameraRoll", "postback"]
    assert quick_labels(message) == ["Take a photo", messages.CAMERA_ROLL, "Done"]


def test_a_place_and_a_visit_time_asked_for_use_lines_pickers():
    [place] = shown(text_messages("Where is it?", asking=Asking(Ask.LOCATION, "Send my location")))
    assert place["quickReply"]["items"] == [
        {"type": "action", "action": {"type": "location", "label": "Send my location"}}]
    [visit] = shown(text_messages("When may we come?", asking=Asking(Ask.DATETIME, "Pick a time")))
    action = visit["quickReply"]["items"][0]["action"]
    assert action == {"type": "datetimepicker", "label": "Pick a time", "data": PICKED,
                      "mode": "datetime"}


def test_a_phone_number_asked_for_has_no_button_on_line_and_an_ask_answered_shows_nothing():
    [contact] = shown(text_messages("Please type the code on the office's sheet",
                                    asking=Asking(Ask.CONTACT, "Share my phone number")))
    assert contact == {"type": "text", "text": "Please type the code on the office's sheet"}
    [answered] = shown(text_messages("Linked to unit A 12F-3", asking=ASKED))
    assert answered == {"type": "text", "text": "Linked to unit A 12F-3"}


def test_choices_under_a_message_that_others_follow_become_a_card():
    """Only the last message of a batch shows quick replies."""
    [message] = shown(text_messages("Rate the repair", choices([[("5★", "sv:5")]]), last=False,
                                    asking=Asking(Ask.PHOTO, "Take a photo")))
    assert message["type"] == "flex" and "quickReply" not in message
    assert [b["label"] for b in buttons(message)] == ["5★"]


def test_a_long_timeline_is_cut_as_line_counts_and_an_empty_text_is_never_sent():
    long = "水管漏水 🚰 " * 1000
    [message] = shown(text_messages(long))
    assert utf16_len(message["text"]) <= TEXT and message["text"].endswith("…")
    assert shown(text_messages("  ")) == [{"type": "text", "text": "…"}]


def test_a_long_card_goes_as_a_text_with_its_buttons_after_it_each_within_limits():
    card = "R-2026-00001 時間軸\n" + "技術人員到場，更換存水彎。\n" * 300
    found = shown(text_messages(card, choices([[("Close", "t:cl")]]), lasting=True))
    assert [m["type"] for m in found] == ["text", "flex"]
    assert utf16_len(card) <= TEXT and found[0]["text"] == card
    assert len(found[1]["altText"]) <= ALT_TEXT
    assert "body" not in found[1]["contents"]
    # a bubble takes 30 KB of JSON, as the SDK writes it (non-ASCII escaped)
    short = shown(text_messages("技" * messages.FLEX_TEXT, choices(
        [[(f"選項{n}" * 5, f"c:{n}")] for n in range(13)]), lasting=True))
    assert [m["type"] for m in short] == ["flex"]
    assert len(json.dumps(short[0]["contents"])) < 30_000


def test_pictures_and_files_a_person_opens():
    [image] = shown(messages.image_messages(["https://desk.example/line/media/abc"]))
    assert image == {"type": "image", "originalContentUrl": "https://desk.example/line/media/abc",
                     "previewImageUrl": "https://desk.example/line/media/abc"}
    [card] = shown(messages.link_card("Statement 2026-11", "https://desk.example/f/1",
                                      "⬇ statement.pdf"))
    assert buttons(card) == [{"type": "uri", "label": "⬇ statement.pdf",
                              "uri": "https://desk.example/f/1"}]
    with_choices = shown(messages.link_card("Quotation", "https://desk.example/f/2", "⬇",
                                            choices([[("Accept", "q:ok"), ("Decline", "q:no")]])))
    assert [b["label"] for b in buttons(with_choices[0])] == ["⬇", "Accept", "Decline"]


def test_at_most_five_messages_a_call():
    found = messages.image_messages([f"https://desk.example/p/{n}" for n in range(12)])
    assert [len(batch) for batch in messages.batches(found)] == [5, 5, 2]
