"""Telegram's HTML parse mode as its servers apply it: the message keeps the plain text and a
list of entities (offsets and lengths in UTF-16 code units), which the page then draws."""

from __future__ import annotations

from html.parser import HTMLParser

TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
        "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
        "del": "strikethrough", "code": "code", "pre": "pre", "a": "text_link",
        "tg-spoiler": "spoiler", "blockquote": "blockquote"}


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[dict] = []
        self._open: list[tuple[str, int, dict]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "span" and ("class", "tg-spoiler") in attrs:
            tag = "tg-spoiler"
        if tag in TAGS:
            extra = {"url": dict(attrs).get("href") or ""} if tag == "a" else {}
            self._open.append((tag, _units(self.text), extra))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag or (tag == "span" and self._open[i][0] == "tg-spoiler"):
                name, start, extra = self._open.pop(i)
                length = _units(self.text) - start
                if length:
                    self.entities.append({"type": TAGS[name], "offset": start,
                                          "length": length, **extra})
                return

    def handle_data(self, data: str) -> None:
        self.text += data


def from_html(text: str) -> tuple[str, list[dict]]:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    return parser.text, sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
