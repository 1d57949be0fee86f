"""Documents to print and sign, as PDF: the quarterly settlement per responsible unit and the
repair form (維修單), in the reader's face (faces.py). fpdf2 embeds a subset of the face in
every file, so every viewer (PDFium, poppler, MuPDF, ...) draws the same characters
(ReportLab embeds TrueType outlines only, and these faces are CFF). The text stays Unicode:
it can be searched and copied."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import TTFFont
from PIL import Image, UnidentifiedImageError

from handlers import cards, labels
from handlers.i18n import Tr
from handlers.office import faces, spreadsheets
from handlers.office.files import owner_only
from handlers.repairs import form_work
from storage.records import Person
from workflow import views
from workflow.fees.collection import Income
from workflow.office.settlement import CHARGED, TAKEN_OVER, Settlement
from workflow.settings import EstateSettings
from workflow.tickets import Party
from workflow.views import TicketFile

PT = 25.4 / 72  # millimetres in a point
MARGIN, TOP = 15.0, 25.4  # the sides, and the top and bottom (an inch, as before)
HEAD_FILL = (0xDD, 0xEB, 0xF7)
PHOTO_WIDTH, PHOTO_HEIGHT = 80.0, 60.0
CELL_LINE, CELL_TOP, CELL_SIDE = 11 * PT, 3 * PT, 6 * PT  # a table's line, its padding


class _Document(FPDF):
    """An A4 page with the reader's face: headings, paragraphs, tables and photos."""

    def __init__(self, tr: Tr, title: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.set_margins(MARGIN, TOP, MARGIN)
        self.set_auto_page_break(True, TOP)
        for name, path in faces.font_files().items():
            self.add_font(name, fname=str(path))
        face, fallback = faces.of(tr.language)
        self.set_font(face, size=10)
        self.set_fallback_fonts([fallback])
        self.set_draw_color(128)
        self.set_line_width(0.4 * PT)
        # Chinese breaks between any two characters; English between words
        self.wrap = WrapMode.WORD if tr.language == "en" else WrapMode.CHAR
        self._widths: dict[float, dict[str, float]] = {}
        self.set_title(title)
        self.set_lang(tr.language.replace("_", "-"))
        self.add_page()

    def text_block(self, text: str, size: float = 10, leading: float = 14,
                   after: float = 0) -> None:
        self.set_font_size(size)
        self.multi_cell(0, leading * PT, text, align="L", wrapmode=self.wrap,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font_size(10)
        self.ln(after * PT)

    def heading(self, text: str) -> None:
        self.text_block(text, size=16, leading=22, after=6)

    def grid(self, rows: list[list[str]], widths: Sequence[float], caption: str = "") -> None:
        """A table, centred, under its caption, whose heading row repeats at the top of each
        page it runs onto, and nowhere else; neither caption nor heading ends a page alone,
        and a row longer than a page goes on under the heading overleaf (never past the
        bottom margin). Drawn cell by cell: fpdf2's own tables lay out a cell twice, some ten
        times slower on a settlement of a thousand jobs."""
        above = float(self.multi_cell(  # type: ignore[arg-type]  # a float, as asked
            0, 14 * PT, caption, wrapmode=self.wrap, dry_run=True, output="HEIGHT")) \
            if caption else 0.0
        self.set_font_size(9)
        head, *body = [[self._wrapped(text, width - 2 * CELL_SIDE)
                        for text, width in zip(cells, widths, strict=True)] for cells in rows]
        left = (self.w - sum(widths)) / 2
        if not self._fits(above + _height(head) + (_height(body[0]) if body else 0)):
            self.add_page()
        if caption:
            self.text_block(caption)
            self.set_font_size(9)
        self._row(head, widths, left, fill=True)
        for lines in body:
            turned = False
            while not self._fits(_height(lines)):
                here = int((self.page_break_trigger - self.y - 2 * CELL_TOP) // CELL_LINE)
                whole = self.page_break_trigger - self.t_margin - _height(head)
                if _height(lines) > whole and here >= 1:  # longer than a page: split it
                    self._row([cell[:here] for cell in lines], widths, left, fill=False)
                    lines = [cell[here:] for cell in lines]
                elif turned:  # not one line fits under the heading: draw it as it is
                    break
                self._turn(head, widths, left)
                turned = True
            self._row(lines, widths, left, fill=False)
        self.set_font_size(10)

    def _turn(self, head: list[list[str]], widths: Sequence[float], left: float) -> None:
        """The table goes on overleaf: its heading first, at the top of the page."""
        self.add_page()
        self._row(head, widths, left, fill=True)

    def _fits(self, height: float) -> bool:
        return self.y + height <= self.page_break_trigger

    def _row(self, lines: list[list[str]], widths: Sequence[float], left: float,
             fill: bool) -> None:
        x, top, height = left, self.y, _height(lines)
        self.set_fill_color(*HEAD_FILL)
        for width, found in zip(widths, lines, strict=True):
            self.rect(x, top, width, height, style="DF" if fill else "D")
            for number, line in enumerate(found):
                self._line(x + CELL_SIDE, top + CELL_TOP + number * CELL_LINE,
                           width - 2 * CELL_SIDE, line)
            x += width
        self.set_xy(self.l_margin, top + height)

    def _line(self, x: float, top: float, width: float, line: str) -> None:
        """text() is ten times quicker than cell() but knows no fallback face: a line with a
        character of the other script goes through cell()."""
        font = self.current_font
        cmap = font.cmap if isinstance(font, TTFFont) else {}
        if all(ord(letter) in cmap for letter in line):
            self.text(x, top + 0.5 * CELL_LINE + 0.3 * self.font_size, line)  # cell()'s baseline
        else:
            self.set_xy(x, top)
            self.cell(width, CELL_LINE, line)

    def _width(self, text: str) -> float:
        """fpdf2 measures a string slowly (fallback faces, styles): a table's cells are
        measured by their letters, each measured once."""
        widths = self._widths.setdefault(self.font_size_pt, {})
        total = 0.0
        for letter in text:
            if letter not in widths:
                widths[letter] = self.get_string_width(letter)
            total += widths[letter]
        return total

    def _wrapped(self, text: str, width: float) -> list[str]:
        """The cell's text in lines that fit: Chinese breaks between any two characters,
        English between words (a word too long for the cell, between its letters). In
        Chinese, a run of Latin letters and digits (a time, a reference) stays whole."""
        if self._width(text) <= width:
            return [text]
        pieces = re.findall(r"\S+\s*" if self.wrap == WrapMode.WORD else r"[!-~]+\s*|\S\s*|\s+",
                            text)
        lines, line = [], ""
        for piece in pieces:
            for part in list(piece) if self._width(piece.rstrip()) > width else [piece]:
                if line and self._width(line + part.rstrip()) > width:
                    lines.append(line.rstrip())
                    line = ""
                line += part
        return [*lines, line.rstrip()] if line.strip() else lines

    def photo(self, caption: str, picture: bytes) -> None:
        """A photo under its caption, on one page: a caption never ends a page alone."""
        try:
            with Image.open(io.BytesIO(picture)) as image:
                width, height = image.size
        except (UnidentifiedImageError, OSError):  # not a picture: the form goes without it
            return
        scale = min(PHOTO_WIDTH / width, PHOTO_HEIGHT / height)
        needed = 3 + 14 * PT + height * scale
        if self.will_page_break(needed):
            self.add_page()
        self.ln(3)
        self.text_block(caption)
        self.image(io.BytesIO(picture), x=(self.w - width * scale) / 2, w=width * scale,
                   h=height * scale)

    def save(self, path: Path) -> None:
        self.output(str(owner_only(path)))


Document = _Document  # the page other areas' documents are set on (a person's own data)


def _height(row: list[list[str]]) -> float:
    """A table row's height: its cell of most lines."""
    return max(len(lines) for lines in row) * CELL_LINE + 2 * CELL_TOP


def settlement_pdf(tr: Tr, settings: EstateSettings, data: Settlement, path: Path) -> None:
    """Units, not who lives there: the residents' names and phones, in a table of their
    own, only when the estate's settings let a unit's documents carry them (data.named,
    need_to_know)."""
    pdf = _Document(tr, data.period)
    pdf.heading(tr("Quarterly settlement {period}: {unit}", period=data.period,
                   unit=data.unit.name))
    pdf.text_block(tr("{estate}, repairs completed from {first} to {last}",
                      estate=settings.estate_name, first=tr.date(data.first),
                      last=tr.date(data.last)))
    pdf.ln(4)
    widths = [28, 22, 24, 30, 30, 20, 22]
    charged = [j for j in data.jobs if j.kind == CHARGED]
    pdf.grid([[tr("Reference"), tr("Unit"), tr("Category"), tr("Completed at"), tr("Deadline"),
               tr("Deadline met"), tr("Cost")],
              *[[*_where(tr, settings, j), tr.datetime(j.completed_at),
                 tr.datetime(j.deadline_at), tr("yes") if j.met else tr("no"),
                 tr.number(j.cost)] for j in charged]],
             widths, tr("Jobs the unit was liable for"))
    pdf.ln(4)
    # our own technician's deadline is not the unit's: a charge-back says why it is one
    back = [j for j in data.jobs if j.kind == TAKEN_OVER]
    pdf.grid([[tr("Reference"), tr("Unit"), tr("Category"), tr("Completed at"),
               tr("Taken over at"), tr("Why charged back"), tr("Cost")],
              *[[*_where(tr, settings, j), tr.datetime(j.completed_at),
                 tr.datetime(j.taken_over_at) if j.taken_over_at else "-",
                 tr("The unit missed its deadline"), tr.number(j.cost)] for j in back]],
             widths, tr("Taken over by our own staff after the deadline: charged back"))
    pdf.ln(4)
    pdf.text_block(tr("Jobs: {count}; deadlines met: {met}; missed: {missed}",
                      count=len(data.jobs), met=data.met, missed=data.missed))
    pdf.text_block(tr("Cost of the unit's jobs: {charged}; charged back: {back}",
                      charged=tr.number(data.total(CHARGED)),
                      back=tr.number(data.total(TAKEN_OVER))))
    if data.pending:
        pdf.ln(4)
        pdf.grid([[tr("Reference"), tr("Unit"), tr("Category"), tr("Completed at"),
                   tr("Why not settled"), tr("Cost")],
                  *[[*_where(tr, settings, j), tr.datetime(j.completed_at),
                     labels.of(tr, labels.PENDING, j.pending), tr.number(j.cost)]
                    for j in data.pending]],
                 [28, 22, 24, 30, 50, 22], tr("Pending: not settled this quarter"))
    if data.named:
        pdf.ln(4)
        pdf.grid([[tr("Reference"), tr("Unit"), tr("Resident"), tr("Resident's phone")],
                  *[[j.ref, f"{j.building} {j.unit}", j.resident, cards.phone(j.phone)]
                    for j in data.jobs + data.pending]], [28, 22, 60, 40],
                 tr("Who reported each job (the estate's settings name them)"))
    pdf.ln(12)
    pdf.grid([[tr("For the management office"), tr("For the responsible unit")],
              [tr("Signature and date:"), tr("Signature and date:")]], [85, 85])
    pdf.save(path)


def income_pdf(tr: Tr, settings: EstateSettings, income: Income, repairs: Decimal,
               item_label, path: Path) -> None:
    """The month's income and expenditure statement (收支明細表) to print and sign: every
    payment with its unit and payer, the bills by item, the totals."""
    period = income.period
    pdf = _Document(tr, period)
    pdf.heading(tr("Income and expenditure: {month}",
                   month=tr.month(date.fromisoformat(f"{period}-01"))))
    pdf.text_block(settings.estate_name)
    pdf.ln(4)
    rows = [[tr.datetime(p.at), str(p.id), p.receipt, income.units.get(p.unit_id, ""),
             p.payer, labels.of(tr, labels.PAY_METHODS, p.method), tr.number(p.amount),
             spreadsheets.income_note(tr, settings, p, income.names)]
            for p in income.payments]
    if rows:
        pdf.grid([[tr("Date"), tr("Payment"), tr("Receipt"), tr("Unit"), tr("Payer"),
                   tr("Method"), tr("Amount"), tr("Note")], *rows],
                 [23, 19, 18, 17, 19, 18, 19, 47], tr("Income"))
    else:  # a table of headings alone reads as a page left unfinished
        pdf.text_block(tr("Income"))
        pdf.text_block(tr("No payment was received this month."), size=9)
    pdf.ln(4)
    by_item: dict[str, Decimal] = {}
    for bill in income.bills:
        by_item[bill.item] = by_item.get(bill.item, Decimal(0)) + bill.amount
    if by_item:
        pdf.grid([[tr("Item"), tr("Amount")], *[[item_label(tr, settings, k), tr.number(v)]
                                                for k, v in by_item.items()]],
                 [90, 40], tr("Billed"))
    else:
        pdf.text_block(tr("Billed"))
        pdf.text_block(tr("Nothing was billed for this month."), size=9)
    pdf.ln(4)
    received = sum((p.amount for p in income.payments), Decimal(0))
    pdf.grid([[tr("Figure"), tr("Value")],
              [tr("Received ({month})", month=period), tr.number(received)],
              [tr("Billed ({month})", month=period),
               tr.number(sum((b.amount for b in income.bills), Decimal(0)))],
              [tr("Repairs paid by the estate"), tr.number(repairs)],
              [tr("Received less repairs"), tr.number(received - repairs)]],
             [90, 40], tr("Summary"))
    pdf.ln(12)
    pdf.grid([[tr("Prepared by (cashier)"), tr("Checked by (manager)")],
              [tr("Signature and date:"), tr("Signature and date:")]], [85, 85])
    pdf.save(path)


def _when(tr: Tr, file: TicketFile) -> list[list[str]]:
    """When the job was reported and completed, in the estate's time, and whether it met its
    deadline (by how much it missed it)."""
    t, late = file.ticket, views.lateness(file.ticket)
    met = "-" if late is None else tr("yes") if not late else tr(
        "no, {late} late", late=tr.duration(late))
    return [[tr("Reported at"), tr("Deadline"), tr("Completed at"), tr("Deadline met")],
            [tr.datetime(t.created_at), tr.datetime(t.deadline_at),
             tr.datetime(t.completed_at) if t.completed_at else tr("not completed yet"), met]]


def _where(tr: Tr, settings: EstateSettings, job) -> list[str]:
    return [job.ref, f"{job.building} {job.unit}", labels.category(tr, settings, job.category)]


def form_pdf(tr: Tr, settings: EstateSettings, file: TicketFile, path: Path,
             photos: tuple[tuple[str, bytes], ...] = (), viewer: Person | None = None) -> None:
    """The repair form (維修單): the job as staff see it, its materials and measurement, the
    signatures (who, how, when) with room to sign on paper, and the photos before and
    after (those the bot could fetch)."""
    t = file.ticket
    pdf = _Document(tr, t.ref)
    pdf.heading(tr("Repair form {ref}", ref=t.ref))
    pdf.text_block(settings.estate_name)
    pdf.ln(3)
    signatures = set(cards.signature_lines(tr, file, viewer))  # printed below, as a table
    for line in cards.summary(tr, settings, file, staff=True, work=[],
                              viewer=viewer).split("\n")[1:]:
        if line not in signatures:
            pdf.text_block(line)
    pdf.ln(3)
    pdf.grid(_when(tr, file), [42, 42, 42, 44])
    work = form_work.rows(tr, file, viewer)
    if len(work) > 1:  # every visit's work and every reopening, the first as the last
        pdf.ln(3)
        widths = [20, 38, 24, 46, 18, 24] if len(work[0]) == 6 else [20, 38, 24, 88]
        pdf.grid(work, widths, tr("Work, visit by visit, as recorded:"))
    if file.items:
        rows = [[tr("Item"), tr("Quantity"), tr("Unit price"), tr("Amount")]] + [
            [i.name, f"{tr.number(i.quantity)} {i.unit}".strip(), tr.number(i.unit_price),
             tr.number(i.amount)] for i in file.items]
        pdf.ln(3)
        pdf.grid(rows, [80, 30, 30, 30])
    _signatures(pdf, tr, file, viewer)
    for caption, picture in photos:
        pdf.photo(caption, picture)
    pdf.save(path)


def _signatures(pdf: _Document, tr: Tr, file: TicketFile, viewer: Person | None) -> None:
    """Who confirmed the repair and how (not a signature), then each party's signature: who,
    how and when, or missing, with room to sign on paper."""
    confirmed = cards.confirmation_line(tr, file, viewer)
    if confirmed:
        pdf.ln(4)
        pdf.text_block(confirmed)
    signed = {s.party: s for s in file.signoffs if s.party != Party.RESIDENT}
    parties = list(file.required) or [p for p in labels.PARTIES if p in signed]
    rows = [[tr("Party"), tr("Signed"), tr("Signature and date:")]]
    for party in parties:
        s = signed.get(party)
        how = tr("not signed yet") if s is None else (
            tr("{name}, on paper (recorded by {clerk}) {time}",
               name=cards.paper_signer(tr, file, s, viewer),
               clerk=file.names.get(s.user_id or 0, ""), time=tr.datetime(s.at))
            if s.channel == "paper" else tr("{name} in the chat {time}",
                                            name=cards.name_of(tr, file, s.user_id, viewer)
                                            or tr("the owner"),
                                            time=tr.datetime(s.at)))
        rows.append([labels.of(tr, labels.PARTIES, party), how, ""])
    pdf.ln(4)
    pdf.grid(rows, [45, 70, 55], tr("Signatures:"))
