"""The office's documents as Excel workbooks, in the reader's language: the monthly repair
report (維修月報) with native charts, the repair ledger (維修台帳), streamed row by row so a
year of jobs never sits in memory, and the hot spots (熱點問題). Written with xlsxwriter, which
streams (constant_memory) and draws Excel's own charts."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from handlers import cards, labels
from handlers.i18n import N_, Tr
from handlers.office import charts
from handlers.office.files import owner_only
from storage.db import from_db_time
from workflow.office import catalogue, measurement, reports
from workflow.office.settlement import CHARGED, TAKEN_OVER, Settlement
from workflow.settings import ASAP, EstateSettings

DATETIME = "yyyy-mm-dd hh:mm"


def width(text: str) -> int:
    """Columns wide enough for CJK text, which takes two columns a character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# What Excel refuses in a sheet's name (and control characters, which it cannot show).
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
SHEET_NAME_LENGTH = 31


def sheet_name(title: str, taken: set[str]) -> str:
    """A name Excel accepts for a sheet titled so, in any language: at most 31 characters,
    none of []:*?/\\, not starting or ending with an apostrophe, not Excel's own "History",
    and unique in the workbook (compared as Excel does, ignoring case); `taken` holds the
    names given so far, in lower case, and gets this one."""
    base = " ".join(_NOT_IN_SHEET_NAME.sub(" ", title).split())
    base = _cut(base, SHEET_NAME_LENGTH).strip(" '") or "Sheet"
    name, number = base, 1
    while name.lower() in taken or name.lower() == "history":
        number += 1
        suffix = f" ({number})"
        name = _cut(base, SHEET_NAME_LENGTH - len(suffix)).rstrip(" '") + suffix
    taken.add(name.lower())
    return name


def _cut(text: str, units: int) -> str:
    """At most `units` UTF-16 code units, as Excel counts a name (an emoji is two), never
    half a character."""
    text = text[:units]
    while len(text.encode("utf-16-le")) > 2 * units:
        text = text[:-1]
    return text


class Book:
    """A workbook with the formats every sheet uses. Every cell written from text is a
    string: a name or a description that starts with "=" or looks like a link stays text,
    never a live formula or hyperlink. The file is readable by its owner only (it holds
    names and phones)."""

    def __init__(self, path: Path, streamed: bool = False) -> None:
        import xlsxwriter  # only when a workbook is written
        self.workbook = xlsxwriter.Workbook(str(owner_only(path)), {
            "constant_memory": streamed, "remove_timezone": True,
            "strings_to_formulas": False, "strings_to_urls": False})
        self.names: set[str] = set()
        self.header = self.workbook.add_format({"bold": True, "bg_color": "#DDEBF7",
                                                "border": 1, "text_wrap": True})
        self.moment = self.workbook.add_format({"num_format": DATETIME})
        self.money = self.workbook.add_format({"num_format": "#,##0.00"})
        self.share = self.workbook.add_format({"num_format": "0.0%"})
        self.title = self.workbook.add_format({"bold": True, "font_size": 14})

    def sheet(self, name: str, headers: list[str], widths: list[int]):
        sheet = self.workbook.add_worksheet(sheet_name(name, self.names))
        for column, (head, wide) in enumerate(zip(headers, widths, strict=True)):
            sheet.set_column(column, column, max(wide, width(head) + 2))
            sheet.write(0, column, head, self.header)
        sheet.freeze_panes(1, 0)
        return sheet

    def table(self, name: str, headers: list[str], rows: list[list], widths: list[int]):
        sheet = self.sheet(name, headers, widths)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                sheet.write(r, c, value, self.money if isinstance(value, float | Decimal)
                            else None)
        if rows:
            sheet.autofilter(0, 0, len(rows), len(headers) - 1)
        return sheet

    def column_chart(self, sheet, counts: list, title: str, at: str) -> None:
        """Column B's counts as Excel's own column chart, its axis in whole reports."""
        rows = len(counts)
        if rows == 0:
            return
        chart = self.workbook.add_chart({"type": "column"})
        chart.add_series({"categories": [sheet.name, 1, 0, rows, 0],
                          "values": [sheet.name, 1, 1, rows, 1], "name": title})
        chart.set_title({"name": title})
        chart.set_legend({"none": True})
        chart.set_y_axis(charts.count_axis(counts))
        sheet.insert_chart(at, chart)

    def close(self) -> None:
        self.workbook.close()


def _local(settings: EstateSettings, value: str | None) -> datetime | None:
    moment = from_db_time(value)
    return moment.astimezone(settings.tz).replace(tzinfo=None) if moment else None


def monthly_xlsx(tr: Tr, settings: EstateSettings, data: reports.Monthly, path: Path) -> None:
    f = data.figures
    book = Book(path)
    summary = book.sheet(tr("Summary"), [tr("Figure"), tr("Value")], [46, 18])
    month = tr.month(f.month)
    rows: list[tuple[str, object]] = [
        (tr("Repairs reported"), f.by_kind.get("R", 0)),
        (tr("Complaints received"), f.by_kind.get("C", 0)),
        (tr("Repairs completed"), data.completed),
        (tr("Repairs open at the month's end"), data.open_at_end),
        (tr("Assigned within the target"), data.assigned_in_time / data.assigned
         if data.assigned else None),
        (tr("Resolved within the first service-level target"), f.in_time_share),
        (tr("Median time to assign (hours)"), _hours(f.median_assign)),
        (tr("Median time to resolve (hours)"), _hours(f.median_resolve)),
        (tr("Reopened"), sum(f.reopen_by_ticket.values())),
        (tr("Callback rate"), f.callback_rate),
        (tr("Duplicates merged"), f.merged),
    ]
    summary.write(0, 3, tr("Monthly repair report, {month}", month=month), book.title)
    for r, (label, value) in enumerate(rows, start=1):
        summary.write(r, 0, label)
        is_share = isinstance(value, float) and label in (rows[4][0], rows[5][0], rows[9][0])
        summary.write(r, 1, value if value is not None else "-",
                      book.share if is_share else None)
    categories = [[labels.category(tr, settings, c) if k == "R" else
                   labels.complaint_category(tr, settings, c), n]
                  for (k, c), n in sorted(f.by_category.items(), key=lambda i: -i[1])]
    name = tr("By category")
    sheet = book.table(name, [tr("Category"), tr("Reports")], categories, [24, 10])
    book.column_chart(sheet, [n for _, n in categories], name, "D2")
    buildings = [[b, n] for b, n in sorted(data.by_building.items())]
    name = tr("By building")
    sheet = book.table(name, [tr("Building"), tr("Repairs")], buildings, [16, 10])
    book.column_chart(sheet, [n for _, n in buildings], name, "D2")
    book.table(tr("By channel"), [tr("Channel"), tr("Reports")],
               [[labels.of(tr, labels.CHANNELS, c), n] for c, n in f.by_channel.items()], [20, 10])
    book.table(tr("By responsible unit"), [tr("Responsible unit"), tr("Repairs")],
               [[u or tr("Our own staff"), n] for u, n in sorted(data.by_unit.items())], [28, 10])
    book.table(tr("Ratings"), [tr("Category"), tr("Average rating")],
               [[labels.category(tr, settings, c), round(v, 2)]
                for (k, c), v in f.rating_by_category.items() if k == "R"], [24, 14])
    name = tr("Cost by payer")
    payers = [[labels.of(tr, labels.PAYERS, p), v] for p, v in sorted(data.cost_by_payer.items())]
    sheet = book.table(name, [tr("Paid by"), tr("Cost")], payers, [24, 14])
    if payers:
        chart = book.workbook.add_chart({"type": "pie"})
        chart.add_series({"categories": [sheet.name, 1, 0, len(payers), 0],
                          "values": [sheet.name, 1, 1, len(payers), 1]})
        chart.set_title({"name": name})
        sheet.insert_chart("D2", chart)
    book.table(tr("Stock movements"),
               [tr("Code"), tr("Item"), tr("Date"), tr("Change"), tr("Movement"), tr("Job"),
                tr("Note")],
               [[m.material, m.name, m.at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M"),
                 m.change, labels.of(tr, labels.MOVEMENTS, m.kind), m.ticket_ref or "",
                 _movement_note(tr, m.note)]
                for m in data.movements], [10, 24, 18, 10, 12, 16, 24])
    book.close()


def _hours(value) -> float | None:
    return round(value.total_seconds() / 3600, 1) if value is not None else None


LEDGER_WIDTHS = [15, 17, 10, 8, 10, 12, 14, 18, 40, 10, 18, 12, 17, 17, 17, 9, 16, 7, 10, 12,
                 12, 12, 14, 28, 8, 12]


def ledger_headers(tr: Tr) -> list[str]:
    return [tr("Reference"), tr("Reported at"), tr("Channel"), tr("Building"), tr("Unit"),
            tr("Resident"), tr("Category"), tr("Place"), tr("Problem"), tr("Priority"),
            tr("Responsible unit"), tr("Technician"), tr("Assign by"), tr("Deadline"),
            tr("Completed at"), tr("Days late"), tr("Status"), tr("Visits"), tr("Labour hours"),
            tr("Labour cost"), tr("Materials cost"), tr("Cost"), tr("Paid by"),
            tr("Signed off by"), tr("Rating"), tr("Measurement")]


# The columns the office files besides the job's figures (seed 4.2: the resident's phone, the
# appointment, what was done, the time it was closed), each after the column it belongs
# beside: (the column above it is after, its heading, its width).
LEDGER_MORE = {"phone": (5, N_("Resident's phone"), 14),
               "appointment": (8, N_("Appointment"), 20),
               "closed": (14, N_("Closed at"), 17),
               "work": (16, N_("Work done"), 30),
               "materials": (20, N_("Materials"), 28)}


def _problem(tr: Tr, text: str, voice_seconds: int | None) -> str:
    """The problem as the resident told it: a report spoken in a voice note says so and how
    long it is (語音留言 0:25), with what they typed beside it."""
    if voice_seconds is None:
        return text
    if text:  # as the card shows it
        return cards.spoken_description(tr, text, {"seconds": voice_seconds})
    return tr("voice note, {length}", length=cards.clock_length(voice_seconds))


class LedgerWriter:
    """Writes the ledger a row at a time (called from the worker thread that reads it).
    `phones`: whether the reader may see residents' phones (access.may_see_phones); without
    it the ledger has no phone column at all."""

    def __init__(self, tr: Tr, settings: EstateSettings, path: Path, *,
                 phones: bool = False) -> None:
        self.tr, self.settings = tr, settings
        self.book = Book(path, streamed=True)
        self.more = [k for k in LEDGER_MORE if phones or k != "phone"]
        self.headers = self._spliced(ledger_headers(tr), {k: tr(LEDGER_MORE[k][1])
                                                          for k in self.more})
        self.sheet = self.book.sheet(tr("Repair ledger"), self.headers, self._spliced(
            LEDGER_WIDTHS, {k: LEDGER_MORE[k][2] for k in self.more}))
        self.money_columns = {self._where(i) for i in (19, 20, 21)}  # labour, materials, cost
        self.row = 0

    def _where(self, column: int) -> int:
        """Where a column of ledger_headers() lands once the added ones are in."""
        return column + sum(LEDGER_MORE[k][0] < column for k in self.more)

    def _spliced(self, base: list, more: dict) -> list:
        out = list(base)
        for key in reversed(self.more):  # from the right, so each position still holds
            out.insert(LEDGER_MORE[key][0] + 1, more[key])
        return out

    def _more(self, r: tuple) -> dict:
        """The added columns' values: r[25:] is phone, visit day, slot, work note, closed at,
        materials ((name, unit, quantity), ...) (then the voice note's seconds)."""
        tr, s = self.tr, self.settings
        phone, day, slot, work, closed, items = r[25:31]
        return {"phone": cards.phone(phone), "work": work or "",
                "appointment": labels.of(tr, labels.SLOTS, slot) if slot == ASAP else
                f"{day} {labels.of(tr, labels.SLOTS, slot)}",
                "closed": _local(s, closed),
                "materials": tr.join(f"{name} × {tr.number(quantity)}{' ' + unit if unit else ''}"
                                     for name, unit, quantity in items)}

    def __call__(self, r: tuple) -> None:
        tr, s = self.tr, self.settings
        reported, assign_by, deadline, completed = (_local(s, r[1]), _local(s, r[12]),
                                                    _local(s, r[13]), _local(s, r[14]))
        late = (completed - deadline).total_seconds() / 86400 if completed and deadline else 0
        parties = [labels.of(tr, labels.PARTIES, p) for p in (r[21] or "").split(",") if p]
        cost = r[24]  # costs.of's: what the payer is charged (an accepted quotation)
        values = [r[0], reported, labels.of(tr, labels.CHANNELS, r[2]), r[3], r[4], r[5] or "",
                  labels.category(tr, s, r[6]), labels.location(tr, r[7]),
                  _problem(tr, r[8], r[31]),
                  labels.of(tr, labels.PRIORITIES, r[9]), r[10] or "", r[11] or "", assign_by,
                  deadline, completed, round(max(late, 0), 1) if completed else None,
                  labels.of(tr, labels.STATUSES, r[15]), r[16], r[17], _labour(tr, r[17], r[18]),
                  r[19], cost,
                  labels.of(tr, labels.PAYERS, r[20]), tr.join(parties), r[22],
                  labels.of(tr, labels.MEASURED, r[23] or "recorded")]
        values = self._spliced(values, self._more(r))
        self.row += 1
        for column, value in enumerate(values):
            if isinstance(value, datetime):
                self.sheet.write_datetime(self.row, column, value, self.book.moment)
            elif value is None:
                self.sheet.write_blank(self.row, column, None)
            elif isinstance(value, Decimal) and column in self.money_columns:
                self.sheet.write_number(self.row, column, value, self.book.money)
            else:
                self.sheet.write(self.row, column, value)

    def close(self) -> None:
        self.sheet.autofilter(0, 0, max(self.row, 1), len(self.headers) - 1)
        self.book.close()


def _labour(tr: Tr, hours: Decimal, cost: Decimal) -> Decimal | str:
    """Hours priced at nothing: the trade has no hourly rate, which 0 would hide."""
    return tr("no rate") if hours > 0 and cost == 0 else cost


def hot_spots_xlsx(tr: Tr, settings: EstateSettings, data: reports.HotSpots,
                   path: Path) -> None:
    book = Book(path)
    book.table(tr("Places"), [tr("Building"), tr("Floor"), tr("Category"), tr("Repairs")],
               [[b, f, labels.category(tr, settings, c), n] for b, f, c, n in data.places],
               [10, 8, 20, 10])
    book.table(tr("Repeat repairs"), [tr("Building"), tr("Unit"), tr("Category"),
                                      tr("Reports within 90 days")],
               [[b, u, labels.category(tr, settings, c), n] for b, u, c, n in data.repeats],
               [10, 10, 20, 22])
    book.table(tr("By responsible unit"), [tr("Responsible unit"), tr("Category"),
                                           tr("Repairs")],
               [[u, labels.category(tr, settings, c), n] for u, c, n in data.units],
               [24, 20, 10])
    name = tr("Trend")
    categories = list(data.trend)[:8]
    sheet = book.table(name, [tr("Month"), *[labels.category(tr, settings, c)
                                             for c in categories]],
                       [[m, *[data.trend[c].get(m, 0) for c in categories]]
                        for m in data.months], [10, *[14] * len(categories)])
    if categories:
        chart = book.workbook.add_chart({"type": "line"})
        for i, _ in enumerate(categories, start=1):
            chart.add_series({"name": [sheet.name, 0, i],
                              "categories": [sheet.name, 1, 0, len(data.months), 0],
                              "values": [sheet.name, 1, i, len(data.months), i]})
        chart.set_title({"name": name})
        chart.set_y_axis(charts.count_axis(n for c in categories
                                           for n in data.trend[c].values()))
        sheet.insert_chart(1, len(categories) + 2, chart)
    book.close()


def file_name(kind: str, *parts: object) -> str:
    return "-".join([kind, *[str(p) for p in parts]]) + ".xlsx"


def month_of(value: str) -> date | None:
    try:
        year, month = (int(p) for p in value.split("-"))
        return date(year, month, 1)
    except (ValueError, OverflowError):  # not a month; a year no calendar has
        return None


def settlement_xlsx(tr: Tr, settings: EstateSettings, data: Settlement, path: Path) -> None:
    """The settled jobs, then those pending (not settled this quarter) on a sheet of their
    own; a charge-back says why it is one, not our technician's deadline. Units, not who
    lives there, unless the estate's settings name the residents (data.named)."""
    book = Book(path)

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(settings.tz).replace(tzinfo=None) if moment else None

    def where(j) -> list:
        return [j.ref, f"{j.building} {j.unit}", labels.category(tr, settings, j.category),
                local(j.completed_at)]

    def who(j) -> list:
        return [j.resident, cards.phone(j.phone)] if data.named else []

    named = [tr("Resident"), tr("Resident's phone")] if data.named else []
    named_widths = [14, 16] if data.named else []
    rows = [[*where(j), local(j.deadline_at) if j.kind == CHARGED else None,
             (tr("yes") if j.met else tr("no")) if j.kind == CHARGED
             else tr("The unit missed its deadline"),
             labels.of(tr, labels.SETTLED, j.kind), j.cost, local(j.taken_over_at), *who(j)]
            for j in data.jobs]
    sheet = book.sheet(tr("Quarterly settlement {period}: {unit}", period=data.period,
                          unit=data.unit.name),
                       [tr("Reference"), tr("Unit"), tr("Category"), tr("Completed at"),
                        tr("Deadline"), tr("Deadline met"), tr("Charged as"), tr("Cost"),
                        tr("Taken over at"), *named],
                       [15, 12, 16, 17, 17, 10, 24, 12, 17, *named_widths])
    _write_rows(book, sheet, rows)
    end = len(rows) + 2
    sheet.write(end, 6, tr("Cost of the unit's jobs"))
    sheet.write_number(end, 7, data.total(CHARGED), book.money)
    sheet.write(end + 1, 6, tr("Charged back"))
    sheet.write_number(end + 1, 7, data.total(TAKEN_OVER), book.money)
    pending = book.sheet(tr("Not settled"),
                         [tr("Reference"), tr("Unit"), tr("Category"), tr("Completed at"),
                          tr("Why not settled"), tr("Cost"), *named],
                         [15, 12, 16, 17, 30, 12, *named_widths])
    pending.write(0, 7 + len(named), tr("Pending: not settled this quarter"), book.title)
    _write_rows(book, pending, [[*where(j), labels.of(tr, labels.PENDING, j.pending), j.cost,
                                 *who(j)] for j in data.pending])
    book.close()


def _write_rows(book: Book, sheet, rows: list[list]) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, book.moment)
            elif isinstance(value, Decimal):
                sheet.write_number(r, c, value, book.money)
            elif value is None:
                sheet.write_blank(r, c, None)
            else:
                sheet.write(r, c, value)


def _movement_note(tr: Tr, note: str | None) -> str | None:
    """A stock move's note in the reader's words: the opening stock, the shortfall settled
    (their stored notes are the desk's own), or as the office typed it (a delivery note)."""
    if note == catalogue.OPENING_NOTE:
        return tr("Opening stock")
    number = (note or "").removeprefix(measurement.SHORTFALL_NOTE)
    if note and note.startswith(measurement.SHORTFALL_NOTE) and number.isdigit():
        return tr("Shortfall #{number}", number=number)
    return note


def income_note(tr: Tr, settings: EstateSettings, p, names: dict[int, str]) -> str:
    """A payment line's note: a reversal with who made it and why; a payment that counts in
    a later day than it was made (the day was closed)."""
    notes = []
    if p.reverses:
        notes.append(tr("Reverses payment {id}, by {name}: {reason}", id=p.reverses,
                        name=names.get(p.recorded_by or 0, ""), reason=p.reason))
    if p.day and p.day != p.at.astimezone(settings.tz).date().isoformat():
        notes.append(tr("Counts in {day} (the day was closed)", day=p.day))
    return (". " if tr.language == "en" else "；").join(notes)  # each note a sentence


def income_xlsx(tr: Tr, settings: EstateSettings, period: str, payments: list, bills: list,
                repairs: Decimal, item_label, path: Path, *, units: dict | None = None,
                names: dict | None = None) -> None:
    """The month's income and expenditure statement (收支明細表): every payment received
    (reversals included, as negative lines) with its unit and payer, the bills issued by
    item, and what the estate paid for repairs."""
    book = Book(path)
    units, names = units or {}, names or {}
    rows = [[p.at.astimezone(settings.tz).replace(tzinfo=None), p.id, p.receipt,
             units.get(p.unit_id, ""), p.payer,
             labels.of(tr, labels.PAY_METHODS, p.method), p.amount,
             income_note(tr, settings, p, names)] for p in payments]
    sheet = book.sheet(tr("Income"), [tr("Date"), tr("Payment"), tr("Receipt"), tr("Unit"),
                                      tr("Payer"), tr("Method"), tr("Amount"), tr("Note")],
                       [17, 9, 12, 12, 14, 10, 12, 36])
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, book.moment)
            elif isinstance(value, Decimal):
                sheet.write_number(r, c, value, book.money)
            else:
                sheet.write(r, c, value)
    by_item: dict[str, Decimal] = {}
    for bill in bills:
        by_item[bill.item] = by_item.get(bill.item, Decimal(0)) + bill.amount
    book.table(tr("Billed"), [tr("Item"), tr("Amount")],
               [[item_label(tr, settings, k), v] for k, v in by_item.items()],
               [28, 14])
    received = sum((p.amount for p in payments), Decimal(0))
    book.table(tr("Summary"), [tr("Figure"), tr("Value")], [
        [tr("Received ({month})", month=period), received],
        [tr("Billed ({month})", month=period), sum((b.amount for b in bills), Decimal(0))],
        [tr("Repairs paid by the estate"), repairs],
        [tr("Received less repairs"), received - repairs]], [32, 14])
    book.close()


def key_loans_xlsx(tr: Tr, settings: EstateSettings, loans: list, names: dict[int, str],
                   path: Path) -> None:
    """The key register's loan history (鑰匙借用登記): every loan that went out, newest
    first, a line a key: who asked, why, who handed it out and when, when back and to whom."""
    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(settings.tz).replace(tzinfo=None) if moment else None
    book = Book(path)
    sheet = book.sheet(tr("Key loans"), [
        tr("Tag"), tr("Key"), tr("Kind"), tr("Borrower"), tr("Reason"), tr("Handed out by"),
        tr("Handed out at"), tr("Due back"), tr("Taken back by"), tr("Back at"),
        tr("Emergency")], [10, 28, 18, 16, 30, 16, 17, 17, 16, 17, 10])
    row = 0
    for loan, found in loans:
        for key in found:
            row += 1
            values = [key.tag, key.label, labels.of(tr, labels.KEY_KINDS, key.kind),
                      names.get(loan.borrower_id, ""), loan.reason,
                      names.get(loan.handed_out_by or 0, ""), local(loan.out_at),
                      local(loan.due_at), names.get(loan.taken_back_by or 0, ""),
                      local(loan.returned_at), tr("yes") if loan.emergency else ""]
            for column, value in enumerate(values):
                if isinstance(value, datetime):
                    sheet.write_datetime(row, column, value, book.moment)
                else:
                    sheet.write(row, column, value if value is not None else "")
    if row:
        sheet.autofilter(0, 0, row, 10)
    book.close()
