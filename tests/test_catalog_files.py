"""The desk reads its catalogs without Babel's Catalog (issue 27: an idle desk's memory); a
reader in each language still sees exactly what Babel's compiled catalog gives."""

from __future__ import annotations

import io

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from handlers.catalog_files import translations
from handlers.i18n import BABEL_LOCALES, DOMAIN, po_path


def babels(po: bytes, locale: str) -> tuple[Translations, list]:
    catalog = read_po(io.BytesIO(po), locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN), [m.id for m in catalog if m.id]


def test_every_text_of_the_desks_catalogs_reads_as_babel_compiles_it():
    for language, locale in BABEL_LOCALES.items():
        po = po_path(language).read_bytes()
        expected, ids = babels(po, locale)
        ours = translations(po)
        singles = [i for i in ids if isinstance(i, str)]
        plurals = [i for i in ids if isinstance(i, tuple)]
        assert len(singles) > 1000 and plurals
        assert [ours.gettext(i) for i in singles] == [expected.gettext(i) for i in singles]
        assert [ours.ngettext(s, p, n) for s, p in plurals for n in range(5)] == \
            [expected.ngettext(s, p, n) for s, p in plurals for n in range(5)]
        assert ours.gettext("A text no catalog has") == "A text no catalog has"


def test_a_catalog_with_every_kind_of_entry():
    """Fuzzy and untranslated entries give back the text; escapes, continued lines, a
    context, a plural with a form missing and an obsolete entry read as Babel reads them."""
    po = '''# a translator's comment
msgid ""
msgstr ""
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

#: handlers/x.py:1
msgid "Say \\"hi\\"\\n"
msgstr "說「嗨」\\n"

#, fuzzy
msgid "Unsure"
msgstr "不確定"

msgid "Untranslated"
msgstr ""

msgid ""
"A long "
"line"
msgstr ""
"一行"
"長字"

msgctxt "menu"
msgid "Open"
msgstr "開啟"

msgid "{n} day"
msgid_plural "{n} days"
msgstr[0] "{n} 天"
msgstr[1] ""

#~ msgid "Gone"
#~ msgstr "已刪"
'''.encode()
    expected, _ = babels(po, "zh_Hant_TW")
    ours = translations(po)
    for text in ('Say "hi"\n', "Unsure", "Untranslated", "A long line", "Gone"):
        assert ours.gettext(text) == expected.gettext(text)
    assert ours.gettext('Say "hi"\n') == "說「嗨」\n"
    assert ours.gettext("A long line") == "一行長字"
    assert ours.gettext("Unsure") == "Unsure" and ours.gettext("Gone") == "Gone"
    assert ours.pgettext("menu", "Open") == expected.pgettext("menu", "Open") == "開啟"
    assert [ours.ngettext("{n} day", "{n} days", n) for n in (1, 2)] == \
        [expected.ngettext("{n} day", "{n} days", n) for n in (1, 2)] == ["{n} 天", "{n} days"]
