"""What LINE's servers refuse, checked by the LINE stand-in where it is cheap: the limits of
message objects, quick replies, actions, templates, Flex messages and rich menus, answered with
LINE's error JSON (400 and a detail per fault), so that an adapter cannot pass what LINE would
refuse."""

from __future__ import annotations

import json
from collections.abc import Callable

MAX_MESSAGES = 5
MAX_QUICK_REPLIES = 13
URI_SCHEMES = ("http://", "https://", "line://", "tel:")
QUICK_REPLY_ONLY = {"camera", "cameraRoll", "location"}
ACTION_TYPES = {"postback", "message", "uri", "datetimepicker", "clipboard",
                "richmenuswitch"} | QUICK_REPLY_ONLY


class LineError(Exception):
    """An answer other than 200, in LINE's error JSON."""

    def __init__(self, status: int, message: str, details: list[dict] | None = None,
                 headers: dict | None = None, body: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.details = status, message, details or []
        self.headers = headers or {}
        self.body = body  # the whole answer, when given as it is (a fault asked for)

    def as_json(self) -> dict:
        if self.body is not None:
            return self.body
        body: dict = {"message": self.message}
        if self.details:
            body["details"] = self.details
        return body


def utf16_len(text: str) -> int:
    """LINE counts a text's length in UTF-16 units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


class Checker:
    """Collects LINE's details ({"message", "property"}) about one request body."""

    def __init__(self) -> None:
        self.details: list[dict] = []

    def fail(self, where: str, message: str) -> None:
        self.details.append({"message": message, "property": where})

    def text(self, value, where: str, most: int, least: int = 1, units=utf16_len) -> None:
        if not isinstance(value, str):
            self.fail(where, "must be specified")
        elif not least <= units(value) <= most:
            self.fail(where, f"Length must be between {least} and {most}")

    def https(self, value, where: str, most: int = 2000) -> None:
        if not isinstance(value, str) or not value.startswith("https://"):
            self.fail(where, "must be an https URL")
        elif len(value) > most:
            self.fail(where, f"Length must be between 0 and {most}")

    def raise_if_any(self) -> None:
        if self.details:
            raise LineError(400, f"The request body has {len(self.details)} error(s)",
                            self.details)

    # --- messages ------------------------------------------------------------------------

    def messages(self, messages) -> None:
        if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
            self.fail("messages", f"Size must be between 1 and {MAX_MESSAGES}")
            return
        for n, message in enumerate(messages):
            self.message(message, f"messages[{n}]")

    def message(self, message, at: str) -> None:
        if not isinstance(message, dict):
            self.fail(at, "must be an object")
            return
        kind = message.get("type")
        if kind == "text":
            self.text(message.get("text"), f"{at}.text", 5000)
        elif kind == "image":
            self.https(message.get("originalContentUrl"), f"{at}.originalContentUrl")
            self.https(message.get("previewImageUrl"), f"{at}.previewImageUrl")
        elif kind == "video":
            self.https(message.get("originalContentUrl"), f"{at}.originalContentUrl")
            self.https(message.get("previewImageUrl"), f"{at}.previewImageUrl")
        elif kind == "audio":
            self.https(message.get("originalContentUrl"), f"{at}.originalContentUrl")
            if not isinstance(message.get("duration"), int):
                self.fail(f"{at}.duration", "must be specified")
        elif kind == "location":
            self.text(message.get("title"), f"{at}.title", 100)
            self.text(message.get("address"), f"{at}.address", 100)
            for axis in ("latitude", "longitude"):
                if not isinstance(message.get(axis), int | float):
                    self.fail(f"{at}.{axis}", "must be specified")
        elif kind == "sticker":
            for key in ("packageId", "stickerId"):
                self.text(message.get(key), f"{at}.{key}", 100)
        elif kind == "flex":
            self.text(message.get("altText"), f"{at}.altText", 1500)
            self.flex(message.get("contents"), f"{at}.contents")
        elif kind == "template":
            self.text(message.get("altText"), f"{at}.altText", 400)
            self.template(message.get("template"), f"{at}.template")
        else:
            self.fail(f"{at}.type", "Invalid message type")
        if "quickReply" in message:
            self.quick_reply(message["quickReply"], f"{at}.quickReply")

    def quick_reply(self, quick, at: str) -> None:
        items = quick.get("items") if isinstance(quick, dict) else None
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_QUICK_REPLIES:
            self.fail(f"{at}.items", f"Size must be between 1 and {MAX_QUICK_REPLIES}")
            return
        for n, item in enumerate(items):
            where = f"{at}.items[{n}]"
            if "imageUrl" in item:
                self.https(item["imageUrl"], f"{where}.imageUrl")
            self.action(item.get("action"), f"{where}.action", label=20, quick=True)

    def action(self, action, at: str, label: int | None, quick: bool = False) -> None:
        """`label`: its most characters, required; None: optional with at most 40 (Flex)."""
        if not isinstance(action, dict) or action.get("type") not in ACTION_TYPES:
            self.fail(f"{at}.type", "Invalid action type")
            return
        kind = action["type"]
        if kind in QUICK_REPLY_ONLY and not quick:
            self.fail(f"{at}.type", "This action is only for quick reply buttons")
        if label is not None:
            self.text(action.get("label"), f"{at}.label", label, units=len)
        elif "label" in action:
            self.text(action["label"], f"{at}.label", 40, units=len)
        if kind in ("postback", "datetimepicker"):
            self.text(action.get("data"), f"{at}.data", 300)
        if kind == "postback" and "displayText" in action:
            self.text(action["displayText"], f"{at}.displayText", 300)
        if kind == "message":
            self.text(action.get("text"), f"{at}.text", 300)
        if kind == "uri":
            uri = action.get("uri")
            if not isinstance(uri, str) or not uri.startswith(URI_SCHEMES):
                self.fail(f"{at}.uri", "must be an http, https, line or tel URI")
            elif len(uri) > 1000:
                self.fail(f"{at}.uri", "Length must be between 0 and 1000")
        if kind == "datetimepicker" and action.get("mode") not in ("date", "time", "datetime"):
            self.fail(f"{at}.mode", "must be one of date, time, datetime")

    def template(self, template, at: str) -> None:
        kind = template.get("type") if isinstance(template, dict) else None
        if kind == "buttons":
            short = "thumbnailImageUrl" in template or "title" in template
            self.text(template.get("text"), f"{at}.text", 60 if short else 160)
            if "title" in template:
                self.text(template["title"], f"{at}.title", 40)
            self.actions(template.get("actions"), f"{at}.actions", 1, 4)
        elif kind == "confirm":
            self.text(template.get("text"), f"{at}.text", 240)
            self.actions(template.get("actions"), f"{at}.actions", 2, 2)
        elif kind == "carousel":
            columns = template.get("columns")
            if not isinstance(columns, list) or not 1 <= len(columns) <= 10:
                self.fail(f"{at}.columns", "Size must be between 1 and 10")
                return
            for n, column in enumerate(columns):
                short = "thumbnailImageUrl" in column or "title" in column
                self.text(column.get("text"), f"{at}.columns[{n}].text", 60 if short else 120)
                self.actions(column.get("actions"), f"{at}.columns[{n}].actions", 1, 3)
        else:
            self.fail(f"{at}.type", "Invalid template type")

    def actions(self, actions, at: str, least: int, most: int) -> None:
        if not isinstance(actions, list) or not least <= len(actions) <= most:
            self.fail(at, f"Size must be between {least} and {most}")
            return
        for n, action in enumerate(actions):
            self.action(action, f"{at}[{n}]", label=20)

    def flex(self, container, at: str) -> None:
        kind = container.get("type") if isinstance(container, dict) else None
        if kind == "carousel":
            bubbles = container.get("contents")
            if not isinstance(bubbles, list) or not 1 <= len(bubbles) <= 12:
                self.fail(f"{at}.contents", "Size must be between 1 and 12")
                return
            for n, bubble in enumerate(bubbles):
                self.flex(bubble, f"{at}.contents[{n}]")
        elif kind == "bubble":
            for part in ("header", "hero", "body", "footer"):
                if part in container:
                    self.component(container[part], f"{at}.{part}")
        else:
            self.fail(f"{at}.type", "Invalid container type")

    def component(self, component, at: str) -> None:
        if not isinstance(component, dict):
            self.fail(at, "must be an object")
            return
        if component.get("type") == "text" and "contents" not in component:
            self.text(component.get("text"), f"{at}.text", 2000)
        if component.get("type") == "button" and "action" not in component:
            self.fail(f"{at}.action", "must be specified")
        if "action" in component:
            self.action(component["action"], f"{at}.action", label=None)
        for n, child in enumerate(component.get("contents") or []):
            if component.get("type") == "box":
                self.component(child, f"{at}.contents[{n}]")

    def webhook_url(self, endpoint) -> None:
        """LINE takes only https; the stand-in also lets a test's own machine listen on http."""
        local = isinstance(endpoint, str) and endpoint.startswith(
            ("http://127.0.0.1", "http://localhost"))
        if not local:
            self.https(endpoint, "endpoint", 500)

    # --- rich menus ----------------------------------------------------------------------

    def rich_menu(self, menu) -> None:
        if not isinstance(menu, dict):
            self.fail("", "must be an object")
            return
        size = menu.get("size") or {}
        width, height = size.get("width"), size.get("height")
        if not (isinstance(width, int) and isinstance(height, int)
                and 800 <= width <= 2500 and height >= 250 and width / height >= 1.45):
            self.fail("size", "invalid size")
        self.text(menu.get("name"), "name", 300)
        self.text(menu.get("chatBarText"), "chatBarText", 14)
        if not isinstance(menu.get("selected"), bool):
            self.fail("selected", "must be specified")
        areas = menu.get("areas")
        if not isinstance(areas, list) or len(areas) > 20:
            self.fail("areas", "Size must be between 0 and 20")
            return
        for n, area in enumerate(areas):
            if not isinstance(area.get("bounds"), dict):
                self.fail(f"areas[{n}].bounds", "must be specified")
            self.action(area.get("action"), f"areas[{n}].action", label=None)


def png_size(data: bytes) -> tuple[int, int] | None:
    """A PNG's width and height, from its header (None for another format)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def checked(what: Callable[[Checker], None]) -> None:
    """Runs one check; LINE's 400 if it found anything."""
    checker = Checker()
    what(checker)
    checker.raise_if_any()


def parse_body(body: bytes) -> dict:
    try:
        found = json.loads(body or b"{}")
    except ValueError:
        raise LineError(400, "The request body could not be parsed as JSON") from None
    if not isinstance(found, dict):
        raise LineError(400, "The request body must be a JSON object")
    return found
