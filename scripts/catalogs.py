"""Maintainer tool: extract every translatable text from the code and merge it into the
three catalogs, keeping existing translations. Run: .venv/bin/python scripts/catalogs.py
Prints the texts that still lack a translation."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handlers.i18n import BABEL_LOCALES, DOMAIN, po_path  # noqa: E402
from workflow.settings import LANGUAGES  # noqa: E402

KEYWORDS = {"tr": None, "N_": None, "plural": (1, 2)}
SOURCES = ("bot", "handlers", "workflow")


def extract() -> Catalog:
    template = Catalog(project="estatedesk", domain=DOMAIN)
    for source in SOURCES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
                ROOT / source, method_map=[("**.py", "python")], keywords=KEYWORDS):
            template.add(message, None, [(f"{source}/{filename}", lineno)])
    return template


def main() -> int:
    template = extract()
    missing = 0
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            with path.open("rb") as f:
                catalog = read_po(f, locale=BABEL_LOCALES[language])
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=BABEL_LOCALES[language], domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        for message in catalog:
            if message.id and not message.string:
                missing += 1
                print(f"{language}: {message.id!r}")
        with path.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False, sort_output=False,
                     ignore_obsolete=True, include_previous=False)
    print(f"{missing} missing translations", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
