"""Documents to print and sign, as PDF: the quarterly settlement per responsible unit and the
repair form (維修單). ReportLab's own CJK fonts (Adobe's CID fonts: Ming for Traditional,
Song for Simplified Chinese) need no font file, so a pip install alone renders Chinese; the
text stays Unicode, so it can be searched and copied."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from handlers import cards, labels
from handlers.i18n import Tr
from handlers.office.files import owner_only
from workflow.office.settlement import CHARGED, TAKEN_OVER, Settlement
from workflow.settings import EstateSettings
from workflow.views import TicketFile

PAGE_ROWS = 40
FONTS = {"zh_Hans": "STSong-Light", "zh_Hant": "MSung-Light", "en": "MSung-Light"}
for _font in set(FONTS.values()):
    pdfmetrics.registerFont(UnicodeCIDFont(_font))


def _styles(tr: Tr) -> tuple[ParagraphStyle, ParagraphStyle, str]:
    font = FONTS.get(tr.language, "MSung-Light")
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22, spaceAfter=6)
    return title, body, font


def _table(rows: list[list[str]], font: str, widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def settlement_pdf(tr: Tr, settings: EstateSettings, data: Settlement, path: Path) -> None:
    title, body, font = _styles(tr)
    story = [
        Paragraph(_escape(tr("Quarterly settlement {period}: {unit}", period=data.period,
                             unit=data.unit.name)), title),
        Paragraph(_escape(tr("{estate}, repairs completed from {first} to {last}",
                             estate=settings.estate_name, first=tr.date(data.first),
                             last=tr.date(data.last))), body),
        Spacer(1, 4 * mm),
    ]
    head = [tr("Reference"), tr("Unit"), tr("Category"), tr("Completed at"), tr("Deadline"),
            tr("Deadline met"), tr("Cost")]
    for kind, caption in ((CHARGED, tr("Jobs the unit was liable for")),
                          (TAKEN_OVER, tr("Taken over by our own staff after the deadline: "
                                          "charged back"))):
        jobs = [j for j in data.jobs if j.kind == kind]
        story.append(Paragraph(caption, body))
        rows = [[j.ref, f"{j.building} {j.unit}", labels.category(tr, settings, j.category),
                 tr.datetime(j.completed_at), tr.datetime(j.deadline_at),
                 tr("yes") if j.met else tr("no"), tr.number(j.cost)] for j in jobs]
        # a table a page long at most: ReportLab splits one long table slowly
        for start in range(0, max(len(rows), 1), PAGE_ROWS):
            story.append(_table([head, *rows[start:start + PAGE_ROWS]], font,
                                [28 * mm, 22 * mm, 24 * mm, 30 * mm, 30 * mm, 16 * mm, 22 * mm]))
        story.append(Spacer(1, 4 * mm))
    story += [
        Paragraph(tr("Jobs: {count}; deadlines met: {met}; missed: {missed}",
                     count=len(data.jobs), met=data.met, missed=data.missed), body),
        Paragraph(tr("Cost of the unit's jobs: {charged}; charged back: {back}",
                     charged=tr.number(data.total(CHARGED)),
                     back=tr.number(data.total(TAKEN_OVER))), body),
        Spacer(1, 12 * mm),
        _table([[tr("For the management office"), tr("For the responsible unit")],
                [tr("Signature and date:"), tr("Signature and date:")]],
               font, [85 * mm, 85 * mm]),
    ]
    SimpleDocTemplate(str(owner_only(path)), pagesize=A4, title=data.period, leftMargin=15 * mm,
                      rightMargin=15 * mm).build(story)


def form_pdf(tr: Tr, settings: EstateSettings, file: TicketFile, path: Path,
             photos: tuple[tuple[str, bytes], ...] = ()) -> None:
    """The repair form (維修單): the job as staff see it, its materials and measurement, the
    signatures (who, how, when) with room to sign on paper, and the photos before and
    after (those the bot could fetch)."""
    title, body, font = _styles(tr)
    t = file.ticket
    story: list = [Paragraph(tr("Repair form {ref}", ref=t.ref), title),
                   Paragraph(_escape(settings.estate_name), body), Spacer(1, 3 * mm)]
    for line in cards.summary(tr, settings, file, staff=True).split("\n")[1:]:
        story.append(Paragraph(_escape(line), body))
    if file.items:
        rows = [[tr("Item"), tr("Quantity"), tr("Unit price"), tr("Amount")]] + [
            [i.name, f"{tr.number(i.quantity)} {i.unit}".strip(), tr.number(i.unit_price),
             tr.number(i.amount)] for i in file.items]
        story += [Spacer(1, 3 * mm), _table(rows, font, [80 * mm, 30 * mm, 30 * mm, 30 * mm])]
    signed = {s.party: s for s in file.signoffs}
    parties = list(file.required) or [p for p in labels.PARTIES if p in signed]
    rows = [[tr("Party"), tr("Signed"), tr("Signature and date:")]]
    for party in parties:
        s = signed.get(party)
        how = "" if s is None else (tr("{name}, on paper", name=s.signer_name or "")
                                    if s.channel == "paper" else
                                    f"{file.names.get(s.user_id or 0, tr('automatic'))} "
                                    f"{tr.datetime(s.at)}")
        rows.append([labels.of(tr, labels.PARTIES, party), how, ""])
    story += [Spacer(1, 4 * mm), _table(rows, font, [45 * mm, 70 * mm, 55 * mm])]
    for caption, picture in photos:
        story += [Spacer(1, 3 * mm), Paragraph(caption, body),
                  Image(io.BytesIO(picture), width=80 * mm, height=60 * mm, kind="proportional")]
    SimpleDocTemplate(str(owner_only(path)), pagesize=A4, title=t.ref, leftMargin=15 * mm,
                      rightMargin=15 * mm).build(story)


def _escape(text: str) -> str:
    """Paragraph reads a little markup: a resident's '<' stays a '<'."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
