"""A gettext catalog (.po) read straight into the standard library's translations, as
Babel's read_po and write_mo would compile it (fuzzy and untranslated entries left out, a
plural's missing form its English one), without Babel's Catalog: its Message objects and
babel.messages cost an idle desk memory it does not keep using (issue 27). A text translated
as itself is left out too (gettext gives it back unchanged), which halves English's catalog."""

from __future__ import annotations

import gettext
import io
import re
import struct
from array import array

_ESCAPE = re.compile(r'\\([\\abfnrtv"])')
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")


def _unquoted(text: str) -> str:
    body = text.strip()[1:-1]
    if "\\" not in body:
        return body
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def _entries(lines):
    """Each entry's fields ({"msgid": ..., "msgstr[0]": ...}) and whether it is fuzzy;
    obsolete (#~) entries and comments are skipped."""
    fields: dict[str, str] = {}
    fuzzy = False
    last = ""
    for line in lines:
        line = line.strip()
        if line.startswith("#"):
            if fields and "msgid" in fields and any(k.startswith("msgstr") for k in fields):
                yield fields, fuzzy
                fields, fuzzy, last = {}, False, ""
            if line.startswith("#,") and "fuzzy" in (f.strip() for f in line[2:].split(",")):
                fuzzy = True
            continue
        if not line:
            continue
        if line.startswith('"'):
            fields[last] += _unquoted(line)
            continue
        found = _KEYWORD.match(line)
        if found is None:
            raise ValueError(f"not a catalog line: {line[:60]!r}")
        keyword = found.group(1)
        if keyword in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in fields):
            yield fields, fuzzy
            fields, fuzzy = {}, False
        last = keyword
        fields[keyword] = _unquoted(found.group(2))
    if "msgid" in fields:
        yield fields, fuzzy


def _pairs(po: bytes) -> list[tuple[bytes, bytes]]:
    """The catalog's (id, translation) pairs as a .mo file holds them."""
    pairs = []
    for fields, fuzzy in _entries(po.decode("utf-8").splitlines()):
        msgid = fields["msgid"]
        if "msgid_plural" in fields:
            ids = (msgid, fields["msgid_plural"])
            forms = sorted((int(k[7:-1]), v) for k, v in fields.items()
                           if k.startswith("msgstr["))
            if fuzzy:
                continue
            key = "\x00".join(ids)
            value = "\x00".join(v or ids[min(i, 1)] for i, v in forms)
        else:
            key, value = msgid, fields.get("msgstr", "")
            # the header (msgid "") is always kept; a text translated as itself (most of
            # English's) is left out: gettext answers a missing one with the text itself
            if msgid and (fuzzy or not value or value == msgid):
                continue
        if "msgctxt" in fields:
            key = fields["msgctxt"] + "\x04" + key
        pairs.append((key.encode("utf-8"), value.encode("utf-8")))
    return sorted(pairs)


def _mo(pairs: list[tuple[bytes, bytes]]) -> bytes:
    ids = b"".join(k + b"\x00" for k, _ in pairs)
    strs = b"".join(v + b"\x00" for _, v in pairs)
    keystart = 7 * 4 + 16 * len(pairs)
    valuestart = keystart + len(ids)
    keys: list[int] = []
    values: list[int] = []
    at_id = at_str = 0
    for k, v in pairs:
        keys += [len(k), keystart + at_id]
        values += [len(v), valuestart + at_str]
        at_id += len(k) + 1
        at_str += len(v) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(pairs), 7 * 4,
                         7 * 4 + len(pairs) * 8, 0, 0)
    return header + array("i", keys + values).tobytes() + ids + strs


def translations(po: bytes) -> gettext.GNUTranslations:
    """The catalog's translations, its plural rule from its own header."""
    return gettext.GNUTranslations(io.BytesIO(_mo(_pairs(po))))
