"""The month in one picture for the chat: reports by category as a bar chart (PNG). Drawn
with matplotlib's Agg backend (no display) in a worker thread; Chinese labels use Noto Sans
CJK, installed with pip (notojp-matplotlib ships the full CJK font), so no label becomes
boxes."""

from __future__ import annotations

import asyncio
import io
from functools import cache
from importlib import resources

from handlers import labels
from handlers.i18n import Tr
from workflow.settings import EstateSettings
from workflow.stats import Stats

WIDTH, HEIGHT, DPI = 7.0, 4.0, 120


@cache
def font_path() -> str:
    return str(resources.files("notojp_matplotlib") / "fonts" / "NotoSansCJKjp-Regular.otf")


def _draw(title: str, names: list[str], counts: list[int]) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # heavy: only when drawing
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=font_path())
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    axes = figure.add_subplot()
    bars = axes.bar(range(len(names)), counts, color="#2F6DB5")
    axes.bar_label(bars, fontproperties=font)
    axes.set_xticks(range(len(names)), names, fontproperties=font, rotation=30, ha="right")
    axes.set_title(title, fontproperties=font)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
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
    return await asyncio.to_thread(_draw, *chart_labels(tr, settings, figures))
