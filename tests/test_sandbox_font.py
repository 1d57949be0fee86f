"""The sandbox page's own faces hold every character its files, the demo's seed and the three
catalogs use: a translator who adds a word with a new character is told to run
scripts/sandbox_font.py, before a visitor without CJK fonts sees a box."""

import re

from scripts import sandbox_font

SHIPPED = list(sandbox_font.FACES.values())


def test_every_character_of_the_catalogs_and_the_page_is_in_the_shipped_faces():
    assert {"客", "服", "時", "間", "報", "修", "时", "间", "报", "·"} <= sandbox_font.characters()
    assert sandbox_font.missing(SHIPPED) == [], "run: .venv/bin/python -m scripts.sandbox_font"


def test_the_days_babel_names_are_in_the_faces():
    """A visit's day on the resident's buttons reads 「12月9日週三」: Babel's names, in no
    catalog. The faces once lacked 三, 四 and 五, and Wednesday to Friday lost their day."""
    assert {"三", "四", "五", "週", "周", "上", "午"} <= sandbox_font.characters()
    assert {"三", "四", "五"}.isdisjoint(sandbox_font.missing(SHIPPED))


def test_a_character_the_faces_lack_is_named():
    tc = [sandbox_font.FACES["tc"]]  # Traditional alone lacks Simplified characters
    assert {"时", "报", "这"} <= set(sandbox_font.missing(tc))


def test_the_page_asks_for_the_shipped_faces_and_they_stay_small():
    css = (sandbox_font.STATIC / "style.css").read_text(encoding="utf-8")
    faces = re.findall(r'@font-face \{ font-family: "([^"]+)"; src: url\("/static/([^"]+)"\)',
                       css)
    assert faces == [("Sandbox TC", "sandbox-tc.woff2"), ("Sandbox SC", "sandbox-sc.woff2")]
    assert re.search(r'body \{[^}]*font: 15px/1.4 "Sandbox TC", "Sandbox SC"', css)
    for path in SHIPPED:
        assert path.stat().st_size < 256 * 1024, path.name
