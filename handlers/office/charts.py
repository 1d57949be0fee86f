"""The month in one picture for the chat: reports by category as a bar chart (PNG). Drawn
with matplotlib's Agg backend (no display) in a worker thread, in the PDFs' faces (Noto Sans
TC for Traditional Chinese and English, SC for Simplified, installed with pip), so no label
becomes boxes and each script keeps its own glyph shapes."""

from __future__ import annotations

import asyncio
import io
from functools import cache

from handlers import labels
from handlers.i18n import Tr
from handlers.office import faces
from workflow.settings import EstateSettings
from workflow.stats import Stats

WIDTH, HEIGHT, DPI = 7.0, 4.0, 120
MOST_TICKS = 8  # an axis of counts marks at most this many steps


def whole_step(top: int) -> int:
    """The step of an axis that counts reports up to `top`: 1, 2, 5, 10, 20, 50… so every
    mark is a whole number of reports (never 0.5) and there are at most MOST_TICKS of them."""
    step = 1
    while top > step * MOST_TICKS:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return step


def count_axis(counts) -> dict:
    """An Excel chart's value axis (xlsxwriter) that counts whole reports, from 0."""
    return {"min": 0, "major_unit": whole_step(max([0, *counts])), "num_format": "0"}


@cache
def _registered() -> None:
    from matplotlib import font_manager
    for path in faces.font_files().values():
        font_manager.fontManager.addfont(str(path))


def font_families(language: str) -> list[str]:
    """The reader's face, then the other script's for a character it lacks."""
    _registered()
    return [faces.FAMILIES[f] for f in faces.of(language)]


def figure_of(language: str, title: str, names: list[str], counts: list[int]):
    from matplotlib.figure import Figure  # heavy: only when drawing
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import MaxNLocator

    font = FontProperties(family=font_families(language))
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    axes = figure.add_subplot()
    bars = axes.bar(range(len(names)), counts, color="#2F6DB5")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no "1.25 repairs"
    axes.set_ylim(0, max([1, *counts]) * 1.05)  # none at all: 0 and 1, not 0.015 steps
    axes.bar_label(bars, fontproperties=font)
    axes.set_xticks(range(len(names)), names, fontproperties=font, rotation=30, ha="right")
    axes.set_title(title, fontproperties=font)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def _draw(language: str, title: str, names: list[str], counts: list[int]) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = figure_of(language, title, names, counts)
    out = io.BytesIO()
    FigureCanvasAgg(figure).print_png(out)
    return out.getvalue()


def chart_labels(tr: Tr, settings: EstateSettings, figures: Stats) -> tuple[str, list[str],
                                                                            list[int]]:
    found = sorted(figures.by_category.items(), key=lambda i: -i[1])[:12]
    names = [labels.category(tr, settings, c) if k == "R" else
             tr("{category} (complaint)", category=labels.complaint_category(tr, settings, c))
             for (k, c), _ in found]
    return tr("Reports by category, {month}", month=tr.month(figures.month)), names, \
        [n for _, n in found]


async def by_category_png(tr: Tr, settings: EstateSettings, figures: Stats) -> bytes:
    return await asyncio.to_thread(_draw, tr.language, *chart_labels(tr, settings, figures))
