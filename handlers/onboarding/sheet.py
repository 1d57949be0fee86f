"""The office's sheet of joining codes (`estatedesk roster codes`): one slip a unit, to cut
out and hand over or put in the letterbox: the estate, the unit, its code, until when, and
what to do, in the estate's language and face (handlers/office/pdfs.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from handlers.i18n import Tr
from workflow.onboarding import unit_codes
from workflow.onboarding.unit_codes import Made

SLIPS = 4  # on an A4 page
SLIP_HEIGHT = 66.0  # millimetres
SIDE, TOP, PADDING = 15.0, 16.0, 6.0


def until_text(tr: Tr, expires_at: datetime) -> str:
    """The last day a code works, in the estate's time (it expires at that day's end)."""
    return tr.day(unit_codes.last_day(expires_at, tr.tz))


def write(tr: Tr, estate: str, made: list[Made], uses: int, path: Path) -> None:
    from handlers.office.pdfs import Document  # fpdf2 and the faces: only when printing
    pdf = Document(tr, tr("Joining codes of {estate}", estate=estate))
    pdf.set_auto_page_break(False)
    width = pdf.w - 2 * SIDE
    for number, slip in enumerate(made):
        if number and number % SLIPS == 0:
            pdf.add_page()
        top = TOP + (number % SLIPS) * SLIP_HEIGHT
        pdf.set_dash_pattern(dash=1.5, gap=1.5)  # where to cut
        pdf.rect(SIDE, top, width, SLIP_HEIGHT - 4)
        pdf.set_dash_pattern()
        _slip(pdf, tr, estate, slip, uses, SIDE + PADDING, top + PADDING,
              width - 2 * PADDING)
    pdf.save(path)


def _slip(pdf, tr: Tr, estate: str, slip: Made, uses: int, left: float, top: float,
          width: float) -> None:
    half = width * 0.42
    pdf.set_xy(left, top)
    pdf.set_font_size(13)
    pdf.cell(half, 7, estate)
    pdf.set_xy(left, top + 9)
    pdf.set_font_size(11)
    pdf.cell(half, 6, tr("Unit {unit}", unit=slip.unit.label))
    pdf.set_xy(left, top + 18)
    pdf.set_font_size(9)
    pdf.cell(half, 5, tr("Your code"))
    pdf.set_xy(left, top + 24)
    pdf.set_font_size(24)
    pdf.cell(half, 11, slip.code)
    pdf.set_xy(left, top + 38)
    pdf.set_font_size(9)
    pdf.multi_cell(half, 4.5, "\n".join((  # a line each: a full stop never wraps alone
        tr("Valid until {date}.", date=until_text(tr, slip.expires_at)),
        tr.plural("It admits {n} person of the unit.", "It admits up to {n} people of the unit.",
                  uses))), align="L", wrapmode=pdf.wrap)
    steps = "\n".join((
        tr("How to join the service desk:"),
        tr("1. Add the desk on LINE (or Telegram)."),
        tr("2. Read the privacy notice and tap 'I accept'."),
        tr("3. Type this code (with or without the dash)."),
        "",
        tr("Keep the code to your household: whoever types it joins as a resident of the "
           "unit. Lost it? The office makes a new one.")))
    pdf.set_xy(left + half + 4, top)
    pdf.set_font_size(10)
    pdf.multi_cell(width - half - 4, 5.2, steps, align="L", wrapmode=pdf.wrap)
    pdf.set_font_size(10)
