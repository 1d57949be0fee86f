"""Units typed as people write them: "B棟9樓之2", "B 9F-2", "b-9-2" and "Ｂ９Ｆ－２" are one unit,
and a unit not found shows the closest ones on the roster."""

from __future__ import annotations

import re
import unicodedata

from storage import roster
from storage.db import Connection
from storage.records import Unit

MAX_CLOSE = 5
_BUILDING = re.compile(r"^\s*([A-Z]+|\d+(?=\s*[棟栋座幢]))\s*[棟栋座幢]?")


def key(text: str) -> tuple[str, ...] | None:
    """The building and the numbers of a unit, however it is written; None for text with no
    number in it."""
    plain = unicodedata.normalize("NFKC", text).upper()
    building = ""
    found = _BUILDING.match(plain)
    if found:
        building = found.group(1)
        plain = plain[found.end():]
    numbers = tuple(str(int(n)) for n in re.findall(r"\d+", plain))
    if not numbers:
        return None
    return (building, *numbers)


def key_of(unit: Unit) -> tuple[str, ...] | None:
    return key(f"{unit.building} {unit.unit}")


async def find(conn: Connection, text: str) -> tuple[list[Unit], list[Unit]]:
    """The units the text names, and when there are none, the closest on the roster."""
    wanted = key(text)
    every = await roster.all_units(conn)
    exact = [u for u in every if wanted is not None and key_of(u) == wanted]
    if exact:
        return exact, []
    import difflib  # only for a unit not found (a typo): kept off an idle desk's memory

    labels = {u.label: u for u in every}
    typed = " ".join(unicodedata.normalize("NFKC", text).upper().split())
    close = difflib.get_close_matches(typed, list(labels), n=MAX_CLOSE, cutoff=0.5)
    return [], [labels[c] for c in close]
