"""Content as LINE messages (the SDK's models; no I/O here), each within LINE's limits.

Choices are quick replies where they fit (at most 13, labels of at most 20 characters) on
the last message of a batch, the only one LINE shows them under; they vanish once the
person taps or another message comes. Choices that must stay tappable (a notice's card,
read later, after other messages) or that do not fit are a Flex bubble with one button
each, 13 to a bubble. A photo, a place or a time asked for is a quick-reply action."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from linebot.v3.messaging import (  # type: ignore[import-untyped]
    CameraAction,
    CameraRollAction,
    DatetimePickerAction,
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexComponent,
    FlexMessage,
    FlexText,
    ImageMessage,
    LocationAction,
    Message,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
    URIAction,
)

from handlers.channels.content import Ask, Asking, Choices, pages
from handlers.common import fit

MESSAGES = 5  # messages in one reply or push call
QUICK_ITEMS = 13  # quick-reply buttons under a message
QUICK_LABEL = 20  # characters of a quick reply's label (LINE counts them as people see them)
BUTTON_LABEL = 40  # characters of a Flex button's label
BUTTONS = 13  # buttons in one bubble (LINE allows more; a taller card reads badly)
TEXT = 5000  # UTF-16 units of a text message
ALT_TEXT = 400  # what notifications and the chat list show of a Flex message
DATA = 300  # characters of a postback's data
# UTF-16 units of a bubble's text: a bubble takes 30 KB of JSON, and the SDK writes each
# non-ASCII character as a six-byte escape. A longer card goes as a text, its buttons after.
FLEX_TEXT = 2000
ROW_LABEL = 10  # a row's buttons side by side only when each label is this short
PICKED = "dt:picked"  # the postback data of a date-time picker (the picked value comes too)
CAMERA_ROLL = "🖼️"  # the camera roll's label beside the camera's (the ask's own label)

_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}


def graphemes(text: str) -> list[str]:
    """The text as the characters a person sees (LINE counts labels so): a letter with its
    combining marks, an emoji with its modifiers and joined parts. Close enough to Unicode's
    clusters to never count fewer than LINE does."""
    found: list[str] = []
    joined = False
    for char in text:
        attached = found and (joined or char in _JOINERS or 0x1F3FB <= ord(char) <= 0x1F3FF
                              or unicodedata.category(char) in ("Mn", "Me", "Mc"))
        if attached:
            found[-1] += char
        else:
            found.append(char)
        joined = char == "\u200d"
    return found


def label(text: str, limit: int) -> str:
    """A label cut to `limit` characters with '…' (never inside an emoji); never empty."""
    chars = graphemes(text.strip()) or ["…"]
    if len(chars) <= limit:
        return "".join(chars)
    return "".join(chars[:limit - 1]) + "…"


def text_of(text: str, limit: int = TEXT) -> str:
    """The text cut as LINE counts (UTF-16 units); LINE refuses an empty one."""
    return fit(text, limit) if text.strip() else "…"


def _postback(shown: str, token: str, limit: int) -> PostbackAction:
    if len(token) > DATA:  # tokens are at most 64 bytes (content.MAX_TOKEN)
        raise ValueError(f"a choice's token is longer than LINE takes: {token[:40]!r}…")
    # what the person's tap shows in the chat: the whole label, where the button cuts it
    return PostbackAction(label=label(shown, limit), data=token,
                          display_text=label(shown, DATA))


def ask_items(asking: Asking | None) -> list[QuickReplyItem]:
    """The quick-reply actions of what the desk asks for: the camera and the camera roll for
    a photo, the location picker, the date-time picker. LINE has no share of a phone number
    (the flows ask for a code instead), and an ask answered shows nothing: LINE takes quick
    replies away by itself."""
    if asking is None or asking.what is None:
        return []
    shown = label(asking.label or "…", QUICK_LABEL)
    if asking.what is Ask.PHOTO:
        return [QuickReplyItem(action=CameraAction(label=shown)),
                QuickReplyItem(action=CameraRollAction(
                    label=label(asking.also or CAMERA_ROLL, QUICK_LABEL)))]
    if asking.what is Ask.LOCATION:
        return [QuickReplyItem(action=LocationAction(label=shown))]
    if asking.what is Ask.DATETIME:
        return [QuickReplyItem(action=DatetimePickerAction(label=shown, data=PICKED,
                                                           mode="datetime"))]
    return []


def quick_fits(choices: Choices | None, asks: int = 0) -> bool:
    """Whether the choices (beside `asks` actions) fit as quick replies."""
    if not choices:
        return asks <= QUICK_ITEMS
    return len(choices) + asks <= QUICK_ITEMS and all(
        len(graphemes(shown)) <= QUICK_LABEL for row in choices.rows for shown, _ in row)


def text_messages(text: str, choices: Choices | None = None, asking: Asking | None = None,
                  *, last: bool = True, lasting: bool = False) -> list[Message]:
    """A text with its choices and ask. `last`: nothing follows it in the batch (quick
    replies show only there); `lasting`: its choices must stay tappable after other messages
    come (a notice's card), so they are buttons of a Flex bubble."""
    text = text_of(text)
    asks = ask_items(asking) if last else []  # the text asks anyway
    quick = QuickReply(items=asks) if asks else None
    if not choices:
        return [TextMessage(text=text, quick_reply=quick)]
    if last and not lasting and quick_fits(choices, len(asks)):
        items = asks + [QuickReplyItem(action=_postback(shown, token, QUICK_LABEL))
                        for row in choices.rows for shown, token in row]
        return [TextMessage(text=text, quick_reply=QuickReply(items=items))]
    found: list[Message] = []
    alt = fit(text, ALT_TEXT)
    body: str | None = text
    if len(text.encode("utf-16-le")) // 2 > FLEX_TEXT:
        found.append(TextMessage(text=text))
        body = None
    for group in pages(choices, BUTTONS):
        found.append(FlexMessage(alt_text=alt, contents=_bubble(body, _buttons(group))))
        body = None
    if quick is not None:
        found[-1].quick_reply = quick
    return found


def _buttons(choices: Choices) -> list[FlexComponent]:
    """The choices as buttons, a row side by side where its labels are short."""
    rows: list[FlexComponent] = []
    for row in choices.rows:
        buttons = [FlexButton(action=_postback(shown, token, BUTTON_LABEL), style="secondary",
                              height="sm") for shown, token in row]
        if len(row) > 1 and all(len(graphemes(shown)) <= ROW_LABEL for shown, _ in row):
            for button in buttons:
                button.flex = 1  # side by side, alike
            rows.append(FlexBox(layout="horizontal", spacing="sm", contents=buttons))
        else:
            rows.extend(buttons)
    return rows


def _bubble(text: str | None, buttons: list[FlexComponent]) -> FlexBubble:
    """A card: its text (None: buttons only, under a card sent before) and its buttons."""
    footer = FlexBox(layout="vertical", spacing="sm", contents=buttons)
    if text is None:
        return FlexBubble(footer=footer)
    return FlexBubble(body=FlexBox(layout="vertical", contents=[FlexText(text=text, wrap=True)]),
                      footer=footer)


def link_card(text: str, url: str, shown: str,
              choices: Choices | None = None) -> list[Message]:
    """A card that opens an address (a file the desk made: LINE bots cannot send files),
    with the choices under it (in a message of their own when they do not fit)."""
    text = text_of(text, FLEX_TEXT)
    buttons: list[FlexComponent] = [
        FlexButton(action=URIAction(label=label(shown, BUTTON_LABEL), uri=url),
                   style="primary", height="sm")]
    rest: list[Message] = []
    if choices and len(choices) < BUTTONS:
        buttons += _buttons(choices)
    elif choices:
        rest = text_messages(text, choices, last=False)
    return [FlexMessage(alt_text=fit(text, ALT_TEXT), contents=_bubble(text, buttons)), *rest]


def image_messages(urls: Sequence[str]) -> list[Message]:
    """Pictures at https addresses LINE fetches: the original and the preview alike."""
    return [ImageMessage(original_content_url=url, preview_image_url=url) for url in urls]


def batches(messages: Sequence[Message], size: int = MESSAGES) -> list[list[Message]]:
    """The messages in calls of at most five, in order."""
    return [list(messages[i:i + size]) for i in range(0, len(messages), size)]
