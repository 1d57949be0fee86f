"""Every text a person sees exists in every catalog, with the same placeholders."""

import re

import pytest
from babel.messages.pofile import read_po

from handlers.i18n import BABEL_LOCALES, Tr, po_path
from scripts.catalogs import extract
from workflow.settings import LANGUAGES

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.fixture(scope="module")
def source_texts():
    return [m.id for m in extract() if m.id]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated(language, source_texts):
    with po_path(language).open("rb") as f:
        catalog = read_po(f, locale=BABEL_LOCALES[language])
    def translated(text):
        found = catalog.get(text)
        if found is None or found.fuzzy:
            return []
        forms = found.string if isinstance(found.string, tuple) else (found.string,)
        return forms if all(forms) else []

    missing = [t for t in source_texts if not translated(t)]
    assert missing == [], f"{language} lacks: {missing}"
    for text in source_texts:
        wanted = set(PLACEHOLDER.findall(text if isinstance(text, str) else text[1]))
        for form in translated(text):  # every plural form has the same placeholders
            assert set(PLACEHOLDER.findall(form)) == wanted, text


def test_the_extraction_finds_the_texts(source_texts):
    assert len(source_texts) > 150
    assert "Report a repair" in source_texts and "Plumbing" in source_texts
    assert ("{n} day", "{n} days") in source_texts  # plurals through ngettext


def test_plurals_lists_and_short_durations_read_naturally():
    from datetime import timedelta
    en, zh = Tr("en", None), Tr("zh_Hant", None)
    assert en.plural("{n} day", "{n} days", 1) == "1 day"
    assert en.plural("{n} day", "{n} days", 2) == "2 days"
    assert zh.plural("{n} day", "{n} days", 2) == "2 天"
    assert en.join(["Plumbing 3", "Security 1"]) == "Plumbing 3 and Security 1"
    assert en.join(["Plumbing 3", "Security 1", "Other 2"]) == \
        "Plumbing 3, Security 1, and Other 2"
    assert zh.join(["給排水 3", "保全 1", "清潔 2"]) == "給排水 3、保全 1 及清潔 2"
    assert zh.join(["給排水 3", "其他 2"]) == "給排水 3 及其他 2"  # not 「3和其他 2」
    assert zh.join(["陳大文", "李小明", "王美玲"]) == "陳大文、李小明及王美玲"
    assert Tr("zh_Hans", None).join(["给排水 3", "保安 1", "其他 2"]) == "给排水 3、保安 1 及其他 2"
    assert zh.join(["A 3F-1"]) == "A 3F-1" and zh.join([]) == ""
    assert en.duration(timedelta(seconds=45)) == "45 seconds"
    assert zh.duration(timedelta(seconds=45)) == "45 秒"


def test_chinese_catalogs_really_are_chinese():
    assert Tr("zh_Hant", None)("Report a repair") == "我要報修"
    assert Tr("zh_Hans", None)("Report a repair") == "我要报修"
    assert Tr("en", None)("Report a repair") == "Report a repair"


def glossary() -> list[dict[str, str]]:
    """The rows of locales/GLOSSARY.md."""
    text = (po_path("en").parent.parent.parent / "GLOSSARY.md").read_text(encoding="utf-8")
    rows = [line.strip().strip("|").split("|") for line in text.splitlines()
            if line.startswith("|") and not line.startswith("|---")]
    header = [h.strip() for h in rows[0]]
    return [dict(zip(header, (c.strip() for c in row), strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("language", ["zh_Hant", "zh_Hans"])
def test_the_chinese_catalogs_follow_the_glossary(language):
    with po_path(language).open("rb") as f:
        catalog = read_po(f, locale=BABEL_LOCALES[language])
    texts = [form for m in catalog if m.id and m.string
             for form in (m.string if isinstance(m.string, tuple) else (m.string,))]
    for row in glossary():
        avoid = row[f"avoid in {language}"]
        if avoid:
            offending = [t for t in texts if avoid in t]
            assert offending == [], f"{language} uses {avoid} ({row['en']}): {offending[:2]}"
    # no stray spaces around a name in a Chinese sentence
    stray = [t for t in texts if re.search(r"[\u4e00-\u9fff，：] \{name\}|\{name\} [\u4e00-\u9fff]",
                                             t)]
    assert stray == []
    assert Tr(language, None)("Plumbing") in ("給排水", "给排水")
