"""The faces the office's documents and charts are set in, installed by pip: Noto Sans TC
(Traditional Chinese, and English: it covers Latin) and Noto Sans SC (Simplified Chinese),
from Google's Noto CJK, under the SIL Open Font License 1.1, which allows embedding them."""

from __future__ import annotations

from pathlib import Path

# By the reader's language: the reader's face first, then the one that fills in a character it
# lacks (a resident may write in either script).
FACES = {"zh_Hant": ("tc", "sc"), "zh_Hans": ("sc", "tc"), "en": ("tc", "sc")}
FAMILIES = {"tc": "Noto Sans TC", "sc": "Noto Sans SC"}


def font_files() -> dict[str, Path]:
    import pylopdf_fonts_zh_cn  # only when a document or a chart is drawn
    import pylopdf_fonts_zh_tw
    return {"tc": pylopdf_fonts_zh_tw.sans_path(), "sc": pylopdf_fonts_zh_cn.sans_path()}


def of(language: str) -> tuple[str, str]:
    return FACES.get(language, FACES["en"])
