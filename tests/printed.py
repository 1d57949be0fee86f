"""A PDF as people's viewers show it: each page drawn to a bitmap and its text read back by
PDFium (pypdfium2: Chrome's and many Windows and Android viewers' engine) and by poppler
(pdftoppm and pdftotext: most Linux desktops, many Android viewers). A page a viewer draws
blank has (almost) no pixel that is not paper."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

VIEWERS = ("pdfium", "poppler")
DPI = 50
INK = 160  # a pixel with a channel darker than this is not paper: text, rules, photos


@dataclass(frozen=True)
class Page:
    text: str
    ink: int  # pixels of the drawn page that are not paper


def poppler_or_skip() -> None:
    """CI installs poppler-utils (ESTATEDESK_REQUIRE_POPPLER=1): there, a missing poppler
    fails; on a developer's machine without it, poppler's half of the test is skipped."""
    if shutil.which("pdftoppm") and shutil.which("pdftotext"):
        return
    if os.environ.get("ESTATEDESK_REQUIRE_POPPLER") == "1":
        pytest.fail("poppler-utils (pdftoppm, pdftotext) is required here: apt-get install "
                    "poppler-utils")
    pytest.skip("poppler-utils is not installed (apt-get install poppler-utils): the "
                "documents were checked with PDFium only")


def pages(viewer: str, path: Path) -> list[Page]:
    return _pdfium(path) if viewer == "pdfium" else _poppler(path)


def _ink(pixels) -> int:
    import numpy
    rgb = numpy.asarray(pixels)[..., :3]
    return int((rgb.min(axis=2) < INK).sum())


def _pdfium(path: Path) -> list[Page]:
    import pypdfium2
    document = pypdfium2.PdfDocument(path)
    try:
        found = []
        for page in document:
            text = page.get_textpage().get_text_bounded()
            found.append(Page(text, _ink(page.render(scale=DPI / 72).to_numpy())))
        return found
    finally:
        document.close()


def _poppler(path: Path) -> list[Page]:
    from PIL import Image
    poppler_or_skip()
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, check=True, text=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(path), f"{folder}/page"],
                       capture_output=True, check=True)
        drawn = sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem[5:]))
        inks = []
        for picture in drawn:
            with Image.open(picture) as image:
                inks.append(_ink(image.convert("RGB")))
    texts = text.split("\f")[:len(inks)]  # pdftotext ends each page with a form feed
    return [Page(t, ink) for t, ink in zip(texts, inks, strict=True)]


def unembedded_fonts(path: Path) -> list[str]:
    """The fonts of every page that the file does not carry (a viewer would substitute)."""
    from pypdf import PdfReader
    missing = []
    for page in PdfReader(path).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in (f.get_object() for f in fonts.values()):
            for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                if part.get("/Subtype") == "/Type0":
                    continue  # its descendant carries the program
                descriptor = part.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    missing.append(str(part.get("/BaseFont")))
    return missing


def text(source: Path | bytes) -> str:
    """All pages' text as PDFium reads it."""
    import pypdfium2
    document = pypdfium2.PdfDocument(source)
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()


def images(source: Path | bytes) -> int:
    """The pictures drawn on all pages."""
    import pypdfium2
    document = pypdfium2.PdfDocument(source)
    try:
        return sum(len(list(page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,))))
                   for page in document)
    finally:
        document.close()
