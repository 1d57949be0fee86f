"""/report: managers and supervisors get the office's documents in the chat, as Excel files
in their own language: the monthly repair report (this month or the last), the ledger of
the month so far, and the hot spots of the last six months."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from handlers import stats as stats_view
from handlers.channels.turns import Channel, Turn
from handlers.common import (
    MAX_CAPTION,
    Asker,
    Context,
    Desk,
    allowed,
    answer,
    button_data,
    callback_args,
    clear_buttons,
    fit,
    handles,
    int_arg,
    keyboard,
    main_menu,
    picker,
    text_answer,
)
from handlers.fees import desk as fee_desk
from handlers.i18n import Tr
from handlers.office import charts, spreadsheets
from handlers.routes import routes
from storage.db import Database
from storage.records import Draft, OutboxMessage, Person
from workflow import access, delivery, roles, views
from workflow.fees import collection
from workflow.office import reports, settlement
from workflow.privacy import access as access_log
from workflow.settings import EstateSettings
from workflow.tickets import Refusal

HOT_SPOT_MONTHS = 6


def _months(context: Context) -> tuple[date, date]:
    local = context.desk.now().astimezone(context.desk.settings.tz).date()
    this = date(local.year, local.month, 1)
    last = date(this.year - (this.month == 1), (this.month - 2) % 12 + 1, 1)
    return this, last


# The construction and supervision teams see the hot spots too, and nothing else here.


@handles("office.documents")
async def menu(turn: Turn, context: Context, who: Asker) -> None:
    tr = who.tr
    this, last = _months(context)
    hot = [(tr("Hot spots: the last {n} months", n=HOT_SPOT_MONTHS), "rp:h")]
    income = [[(tr("Income and expenditure: {month}", month=tr.month(m)), f"rp:i:{m:%Y-%m}")]
              for m in (this, last)]
    if who.role not in access.RULES["office.reports"].roles:  # what to offer, from the table
        if who.role in access.RULES["office.income"].roles:  # the cashier: 4.8.2
            await answer(turn, tr("Which month's income and expenditure statement? It comes "
                                    "as an Excel file and a PDF to print."), picker(tr, income))
            return
        await answer(turn, tr("Which document? Each comes as an Excel file."),
                     picker(tr, [hot]))
        return
    await answer(turn, tr("Which document? The settlements and the income statements come "
                            "as a PDF to print and an Excel file, the others as Excel files."),
                 picker(tr, [
        [(tr("Monthly report: {month}", month=tr.month(this)), f"rp:m:{this:%Y-%m}")],
        [(tr("Monthly report: {month}", month=tr.month(last)), f"rp:m:{last:%Y-%m}")],
        [(tr("Repair ledger: {month} so far", month=tr.month(this)), f"rp:l:{this:%Y-%m}")],
        *_quarter_rows(tr, context),
        [*income[0], *income[1]],  # this month's too: the manager checks what the cashier signs
        hot,
    ]))


QUARTERS_OFFERED = 4  # last quarter and the three before: a unit signs late, or asks again


def _quarters(context: Context) -> list[str]:
    """The quarters whose settlements /report offers, the last one first."""
    found = [settlement.previous_quarter(context.desk.now().astimezone(
        context.desk.settings.tz).date())]
    while len(found) < QUARTERS_OFFERED:
        days = settlement.quarter_days(found[-1])
        assert days is not None
        found.append(settlement.previous_quarter(days[0]))
    return found


def _quarter_rows(tr: Tr, context: Context) -> list[list[tuple[str, str]]]:
    last, *earlier = _quarters(context)
    return [[(tr("Settlements: {quarter}", quarter=last), f"rp:s:{last}")],
            [(quarter, f"rp:s:{quarter}") for quarter in earlier]]


def _offered_month(turn: Turn, context: Context) -> tuple[date, str]:
    """The month a report button names ("2026-11"), one of those offered only."""
    args = callback_args(turn)
    month = spreadsheets.month_of(args[0]) if args else None
    if month is None or month not in _months(context):
        raise Refusal(Refusal.STALE)  # only the months offered
    return month, args[0]


async def _send_file(turn: Turn, context: Context, path: Path, caption: str) -> None:
    with path.open("rb") as document:
        await context.channel.send_document(turn.address, document, filename=path.name,
                                            caption=caption)


@handles("button.per_action")
async def settlements(turn: Turn, context: Context, who: Asker) -> None:
    """The office's heads: a quarter's settlements."""
    await allowed(context, who, "office.reports")
    args = callback_args(turn)
    if not args or args[0] not in _quarters(context):
        raise Refusal(Refusal.STALE)  # only the quarters offered
    await _settlements(turn, context, who, args[0])


@handles("button.per_action")
async def monthly_report(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await allowed(context, who, "office.reports")
    month, named = _offered_month(turn, context)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / spreadsheets.file_name("monthly-report", named)
        data = await reports.monthly(d.db, d.settings, month)
        spreadsheets.monthly_xlsx(tr, d.settings, data, path)
        caption = tr("Monthly repair report, {month}", month=tr.month(month))
        await _figures(context.channel, d, tr, turn.address, data)
        await _send_file(turn, context, path, caption)


@handles("button.per_action")
async def repair_ledger(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await allowed(context, who, "office.reports")
    month, named = _offered_month(turn, context)
    with tempfile.TemporaryDirectory() as folder:
        today = d.now().astimezone(d.settings.tz).date()
        path = Path(folder) / spreadsheets.file_name("repair-ledger", named)
        writer = spreadsheets.LedgerWriter(tr, d.settings, path,
                                           phones=access.may_see_phones(who.role))
        try:
            count = await reports.each_ledger_row(d.db, d.settings, month, today, writer)
        finally:
            writer.close()
        start, end = reports.day_bounds(d.settings, month, today)
        await access_log.ledger_opened(d.db, who.user_id, start, end, path.name,
                                       f"/report: repair ledger {named}", d.now())
        await _send_file(turn, context, path, tr.plural(
            "Repair ledger, {month}: {n} job", "Repair ledger, {month}: {n} jobs", count,
            month=tr.month(month)))


@handles("button.per_action")
async def income_statement(turn: Turn, context: Context, who: Asker) -> None:
    """The income statement: for the cashier too."""
    d, tr = context.desk, who.tr
    await allowed(context, who, "office.income")
    month, named = _offered_month(turn, context)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / spreadsheets.file_name("income-statement", named)
        printed = path.with_suffix(".pdf")
        await write_income(tr, d.settings, d.db, month, path, pdf=printed)
        caption = tr("Income and expenditure: {month}", month=tr.month(month))
        await _send_file(turn, context, printed, caption)
        await _send_file(turn, context, path, caption)


@handles("button.per_action")
async def hot_spots(turn: Turn, context: Context, who: Asker) -> None:
    """Hot spots: for every form reader."""
    d, tr = context.desk, who.tr
    await allowed(context, who, "office.hot_spots")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / spreadsheets.file_name("hot-spots", f"{HOT_SPOT_MONTHS}m")
        spreadsheets.hot_spots_xlsx(tr, d.settings, await reports.hot_spots(
            d.db, d.settings, HOT_SPOT_MONTHS, d.now()), path)
        await _send_file(turn, context, path,
                         tr("Hot spots: the last {n} months", n=HOT_SPOT_MONTHS))


@handles("button.per_action")
async def unknown_report_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another rp: button (forged, or from an old version): refused after the heads' check
    as before."""
    await allowed(context, who, "office.reports")
    raise Refusal(Refusal.INVALID)


async def send_settlement(channel: Channel, d: Desk, tr: Tr, chat: Any,
                          message: OutboxMessage,
                          recipient: Person) -> None:
    """A unit's quarterly settlement (called by the outbox sender): the PDF to sign, with a
    button to acknowledge receipt for the unit's people, then the workbook; each once. A
    unit with nobody in the chat gets it on paper: the copies say so, and a clerk's (or a
    manager's) copy has a button to record the paper receipt."""
    delivery_id = message.payload["delivery"]
    data, acknowledged = await settlement.of_delivery(d.db, d.settings, delivery_id)
    caption = tr("Quarterly settlement {period}: {unit}", period=data.period,
                 unit=data.unit.name)
    button = None
    if recipient.role == roles.CONTRACTOR and acknowledged is None:
        button = (tr("Acknowledge receipt"), f"st:ack:{delivery_id}")
    elif message.payload.get("paper"):
        caption += "\n" + tr("Nobody of {unit} is in the chat: print this settlement, deliver "
                             "it on paper and record the receipt once it is signed.",
                             unit=data.unit.name)
        if acknowledged is None and recipient.role in access.RULES[
                "office.paper_receipt"].roles:
            button = (tr("Record the paper receipt"), f"st:paper:{delivery_id}")
    await _send_settlement(channel, d, tr, chat, data, caption, button,
                           done=message.progress,
                           progressed=lambda step: delivery.progressed(d.db, message, step))


async def _send_settlement(channel: Channel, d: Desk, tr: Tr, chat: Any,
                           data: settlement.Settlement,
                           caption: str, button: tuple[str, str] | None, done=(),
                           progressed=None) -> None:
    """The PDF to sign (with the caption and the button), then the workbook."""
    stem = f"settlement-{data.period}-{data.unit.key}"
    with tempfile.TemporaryDirectory() as folder:
        if "pdf" not in done:
            path = Path(folder) / f"{stem}.pdf"
            from handlers.office import pdfs  # fpdf2, fontTools, Pillow: loaded with the first PDF
            pdfs.settlement_pdf(tr, d.settings, data, path)
            with path.open("rb") as document:
                await channel.send_document(chat, document, filename=path.name,
                                            caption=fit(caption, MAX_CAPTION),
                                            choices=keyboard([[button]]) if button else None)
            if progressed is not None:
                await progressed("pdf")
        path = Path(folder) / f"{stem}.xlsx"
        spreadsheets.settlement_xlsx(tr, d.settings, data, path)
        with path.open("rb") as document:
            await channel.send_document(chat, document, filename=path.name)


async def write_income(tr: Tr, settings: EstateSettings, db: Database, month: date,
                       out: Path, *, pdf: Path | None = None) -> None:
    """The month's income and expenditure statement (收支明細表), as XLSX (and, to print and
    sign, as PDF to `pdf`): each payment with its unit and payer."""
    period = f"{month:%Y-%m}"
    income = await collection.income(db, settings, period)
    data = await reports.monthly(db, settings, month)
    repairs = data.cost_by_payer.get("estate", Decimal(0))
    spreadsheets.income_xlsx(tr, settings, period, income.payments, income.bills, repairs,
                             fee_desk.item_label, out, units=income.units, names=income.names)
    if pdf is not None:
        from handlers.office import pdfs  # fpdf2, fontTools, Pillow: loaded with the first PDF
        pdfs.income_pdf(tr, settings, income, repairs, fee_desk.item_label, pdf)


async def _settlements(turn: Turn, context: Context, who: Asker, period: str) -> None:
    """The quarter's settlement of every responsible unit, as PDF and workbook, to the one
    who asked, each captioned with how its delivery stands; then who received it and when,
    with a button to record a receipt made on paper."""
    d, tr = context.desk, who.tr
    found = await settlement.all_units(d.db, d.settings, period)
    if not found:
        await answer(turn, tr("No responsible unit yet."))
        return
    standing = await settlement.receipts(d.db, period)
    lines, buttons = [tr("Settlements {period}: receipts", period=period)], []
    for data in found:
        receipt = standing.get(data.unit.id, settlement.Receipt())
        line = receipt_line(tr, data.unit.name, receipt)
        lines.append("· " + line)
        await _send_settlement(context.channel, d, tr, turn.address, data,
                               tr("Quarterly settlement {period}: {unit}", period=period,
                                  unit=data.unit.name) + "\n" + line, None)
        if receipt.sent_at is not None and receipt.received_at is None and \
                not receipt.in_chat and who.role in access.RULES["office.paper_receipt"].roles:
            buttons.append([(tr("Record the paper receipt: {unit}", unit=data.unit.name),
                             f"st:paper:{receipt.delivery_id}")])
    await answer(turn, fit("\n".join(lines)), keyboard(buttons) if buttons else None)


def receipt_line(tr: Tr, unit: str, receipt: settlement.Receipt) -> str:
    """Where a unit's settlement stands: not delivered, waiting, received (by whom, when),
    or to be delivered on paper."""
    if receipt.sent_at is None:
        return tr("{unit}: not delivered yet", unit=unit)
    if receipt.received_at is not None and receipt.signer:
        return tr("{unit}: received on paper, signed by {signer}, recorded by {clerk} {time}",
                  unit=unit, signer=receipt.signer, clerk=receipt.recorded_by or "-",
                  time=tr.datetime(receipt.received_at))
    if receipt.received_at is not None:
        return tr("{unit}: received by {name} {time}", unit=unit, name=receipt.by or "-",
                  time=tr.datetime(receipt.received_at))
    if not receipt.in_chat:
        return tr("{unit}: sent {time}; nobody of the unit is in the chat: to be delivered "
                  "on paper, receipt not yet recorded", unit=unit,
                  time=tr.datetime(receipt.sent_at))
    return tr("{unit}: sent {time}; receipt not yet acknowledged", unit=unit,
              time=tr.datetime(receipt.sent_at))


async def _figures(channel: Channel, d: Desk, tr: Tr, chat: Any,
                   data: reports.Monthly) -> None:
    """The month as the chat shows it: the figures as text, then the chart."""
    await channel.send(chat, fit(stats_view.render(tr, d.settings, data.figures)))
    if data.figures.by_category:
        await channel.send_photos(chat, [await charts.by_category_png(tr, d.settings,
                                                                      data.figures)])


async def send_monthly(channel: Channel, d: Desk, tr: Tr, chat: Any,
                       message: OutboxMessage) -> None:
    """Last month's report to a manager on the 1st (called by the outbox sender)."""
    name = message.payload["month"]
    month = spreadsheets.month_of(name)
    assert month is not None  # written by the sweep
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / spreadsheets.file_name("monthly-report", name)
        data = await reports.monthly(d.db, d.settings, month)
        spreadsheets.monthly_xlsx(tr, d.settings, data, path)
        if "figures" not in message.progress:
            await _figures(channel, d, tr, chat, data)
            await delivery.progressed(d.db, message, "figures")
        with path.open("rb") as document:
            await channel.send_document(chat, document, filename=path.name, caption=tr(
                "Monthly repair report, {month}", month=tr.month(month)))


FORM_PHOTOS = 6  # before and after: enough to see the job, small enough to send quickly


@handles("office.repair_form")
async def repair_form(turn: Turn, context: Context, who: Asker) -> None:
    """The repair form of one job as a PDF, with its photos (those the app still gives)."""
    d, tr = context.desk, who.tr
    file = await views.ticket_file(d.db, int_arg(button_data(turn).split(":")[1:], 0),
                                   who.user_id)
    photos = []
    for label, found in ((tr("Before"), file.report_photos), (tr("After"), file.after_photos)):
        for file_id in found[:FORM_PHOTOS // 2]:
            try:
                picture = await context.channel.fetch(file_id)
            except Exception as exc:
                if not context.channel.failing(exc):
                    raise
                continue  # gone from the app: the form goes without it
            photos.append((label, picture))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"repair-form-{file.ticket.ref}.pdf"
        from handlers.office import pdfs  # fpdf2, fontTools, Pillow: loaded with the first PDF
        pdfs.form_pdf(tr, d.settings, file, path, tuple(photos), viewer=who.member)
        # the form is the staff card on paper: its resident, once, as a document
        await access_log.opened(d.db, who.user_id, access_log.on_card(who.person, file),
                                access_log.DOCUMENT, path.name,
                                f"repair form {file.ticket.ref}", d.now())
        with path.open("rb") as document:
            await context.channel.send_document(turn.address, document, filename=path.name,
                                            caption=tr("Repair form {ref}", ref=file.ticket.ref))


@handles("office.acknowledge")
async def acknowledge(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    delivery_id = int_arg(callback_args(turn), 0)
    await allowed(context, who, "office.acknowledge", delivery_id)
    first = await settlement.acknowledge(d.db, delivery_id, who.user_id, d.now())
    await clear_buttons(turn)
    await answer(turn, who.tr("Receipt recorded. Thank you.") if first else
                 who.tr("Receipt was already recorded."))


@handles("office.paper_receipt")
async def paper_receipt(turn: Turn, context: Context, who: Asker) -> None:
    """A clerk records the receipt a unit signed on paper: first, who signed."""
    d = context.desk
    unit = await settlement.start_paper_receipt(d.db, int_arg(callback_args(turn), 0),
                                                who.user_id, d.now())
    await answer(turn, who.tr("{unit}: the name of the person who signed the receipt, as on "
                                "the paper?", unit=unit.name),
                 keyboard([[(who.tr("Cancel"), "r:x")]]))


async def on_paper_signer(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The name on a paper receipt (a step of the router)."""
    d = context.desk
    name = await text_answer(turn, who, settlement.MAX_NAME)
    if name is None:
        return
    recorded = await settlement.paper_receipt(d.db, who.user_id, name, d.now())
    if recorded is None:
        raise Refusal(Refusal.STALE)
    unit, period = recorded
    await answer(turn, who.tr("{unit}: the receipt of the settlement {period}, signed on paper "
                                "by {name}, is recorded.", unit=unit.name, period=period,
                                name=name), main_menu(who))



ROUTES = routes(
    commands={"report": menu},
    buttons=[
        (r"^st:ack:", acknowledge),
        (r"^st:paper:", paper_receipt),
        (r"^fm:", repair_form),
        (r"^rp:s(:|$)", settlements),
        (r"^rp:m(:|$)", monthly_report),
        (r"^rp:l(:|$)", repair_ledger),
        (r"^rp:i(:|$)", income_statement),
        (r"^rp:h(:|$)", hot_spots),
        (r"^rp:", unknown_report_button),  # the last of rp:
    ],
)
