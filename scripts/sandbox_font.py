"""Make the sandbox page's own faces: subsets of Noto Sans TC and SC (the documents' faces,
SIL Open Font License 1.1) holding every character the page's static files, the demo's seed
and the three catalogs use, as WOFF2 under sandbox/static/. A browser without CJK fonts
then shows no box. Run it after a catalog gains a character (tests/test_sandbox_font.py says
which):

    .venv/bin/python -m scripts.sandbox_font [FILE ...]

FILEs (another branch's catalogs, say) add their characters to the faces.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "sandbox" / "static"
LANGUAGES = ("zh_Hant", "zh_Hans", "en")
# The page's own files (the faces themselves aside), and the demo's residents and reports.
SOURCES = (STATIC / "index.html", STATIC / "style.css", STATIC / "app.js", STATIC / "line.js",
           ROOT / "sandbox" / "seed.py", ROOT / "sandbox" / "line_phones.py")
SYMBOLS = "⬇▶"  # the LINE adapter's cards of a file and of a voice note, in no catalog
FACES = {"tc": STATIC / "sandbox-tc.woff2", "sc": STATIC / "sandbox-sc.woff2"}
ASCII = {chr(c) for c in range(0x20, 0x7F)}


def catalog_texts(language: str) -> list[str]:
    from babel.messages.pofile import read_po
    with (ROOT / "locales" / language / "LC_MESSAGES" / "estatedesk.po").open("rb") as po:
        catalog = read_po(po)
    texts = []
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            texts += [s for s in strings if s]
    return texts


def date_texts(language: str) -> list[str]:
    """The names Babel writes dates with in this language (a visit's day "12月9日週三"):
    they are in no catalog."""
    from babel import Locale
    from babel.dates import get_day_names, get_month_names, get_period_names

    locale = Locale.parse(language)
    texts = [str(locale.date_formats[f].pattern) for f in ("short", "medium", "long", "full")]
    for width in ("wide", "abbreviated", "short", "narrow"):
        for context in ("format", "stand-alone"):
            texts += get_day_names(width, context, locale).values()
            if width != "short":  # (months and periods have no short names)
                texts += get_month_names(width, context, locale).values()
                texts += get_period_names(width, context, locale).values()
    return texts


def characters() -> set[str]:
    """Every character the page may show from its own files, the catalogs and the dates."""
    found = set(ASCII) | set(SYMBOLS)
    for language in LANGUAGES:
        for text in catalog_texts(language) + date_texts(language):
            found |= set(text)
    for source in SOURCES:
        found |= set(source.read_text(encoding="utf-8"))
    return {c for c in found if c.isprintable() or c == "\u00a0"}


def make(extra: frozenset[str] | set[str] = frozenset()) -> dict[str, int]:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from handlers.office import faces
    wanted = characters() | extra
    sizes = {}
    for face, out in FACES.items():
        font = TTFont(faces.font_files()[face])
        held = set(font.getBestCmap())
        options = subset.Options()
        options.flavor = "woff2"
        options.desubroutinize = True  # compresses better
        options.name_IDs = ["*"]  # keeps the copyright and the licence (OFL 1.1) inside
        options.name_languages = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(ord(c) for c in wanted if ord(c) in held))
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.flavor = "woff2"
        font.save(buffer)
        out.write_bytes(buffer.getvalue())
        sizes[out.name] = len(buffer.getvalue())
    return sizes


def missing(font_files: list[Path]) -> list[str]:
    """The characters of the page and the catalogs that none of these faces holds."""
    from fontTools.ttLib import TTFont
    held: set[int] = set()
    for path in font_files:
        held |= set(TTFont(path).getBestCmap())
    return sorted(c for c in characters() if ord(c) not in held and not c.isspace())


if __name__ == "__main__":
    also = {c for name in sys.argv[1:] for c in Path(name).read_text(encoding="utf-8")
            if c.isprintable()}
    for name, size in make(also).items():
        print(f"{name}: {size // 1024} KiB")
    sys.exit(0)
