"""The readable half of a person's copy of their data (/mydata): a PDF in their language and
face (handlers/office/pdfs.py), section by section; data.json beside it holds the same in
full for a computer."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from handlers import labels
from handlers.fees.desk import item_label
from handlers.i18n import LANGUAGE_NAMES, N_, Tr
from storage.db import from_db_time
from workflow.privacy.export import Export
from workflow.settings import EstateSettings

if TYPE_CHECKING:
    from handlers.office.pdfs import Document

Row = dict[str, Any]

# What a member of staff opened (storage/privacy/access_log.py's `what`).
OPENED = {
    "record": N_("your record"),
    "ticket": N_("a ticket's details with your contact"),
    "document": N_("a document with your data"),
    "export": N_("an export with your data"),
}
# Why, as the access log keeps it for the office (workflow/privacy/access.py): a notice's
# kind and its job ("task_assigned R-12"), a card ("ticket R-12"), a document or the command
# line's command, all English; the resident reads what it was in their language.
_NOTICE = re.compile(r"[a-z][a-z0-9_]*")
_LEDGER = "/report: repair ledger "
INCLUDED = {
    "yes": N_("in the package"),
    "unavailable": N_("could not be fetched from the chat app"),
    "too_large": N_("too large for one message: ask the office"),
}


def pdf(tr: Tr, settings: EstateSettings, export: Export, files: list[Row]) -> bytes:
    from handlers.office.pdfs import Document  # fpdf2 and the faces: with the first PDF
    d = export.data
    doc = Document(tr, tr("Your data at {estate}", estate=settings.estate_name))
    doc.heading(tr("Your data at {estate}", estate=settings.estate_name))
    doc.text_block(tr("Made {time} for {name}. The Personal Data Protection Act gives you the "
                      "right to see and copy what the desk holds about you (Arts. 3 and 10). "
                      "data.json in the same package holds the same in full.",
                      time=when_text(tr, d["made_at"]), name=export.name), after=6)
    _about(doc, tr, d["person"])
    _table(doc, tr, tr("Your units"), [tr("Unit"), tr("Linked since"), tr("On the roster as")],
           [[f"{u['building']} {u['unit']}", when_text(tr, u["linked_at"]),
             _relation(tr, u)] for u in d["units"]], [50, 60, 60])
    tickets = d["repairs"] + d["complaints"]
    _table(doc, tr, tr("Your repairs and complaints"),
           [tr("Reference"), tr("Unit"), tr("Category"), tr("Status"), tr("Reported at"),
            tr("Yours or followed")],
           [[t["reference"], f"{t['building']} {t['unit']}", _category(tr, settings, t),
             _status(tr, t), when_text(tr, t["reported_at"]),
             tr("reported by you") if t["relation"] == "reported" else tr("followed")]
            for t in tickets], [28, 22, 30, 28, 32, 30])
    _table(doc, tr, tr("What happened, report by report"),
           [tr("Reference"), tr("Date"), tr("What"), tr("Done by")],
           [[t["reference"], when_text(tr, e["at"]), labels.of(tr, labels.ACTIONS, e["action"]),
             _by(tr, e)] for t in tickets for e in t["events"]], [28, 40, 64, 38])
    _table(doc, tr, tr("Your survey answers"),
           [tr("Reference"), tr("Date"), tr("Rating"), tr("Comment")],
           [[s["reference"], when_text(tr, s["answered_at"] or s["sent_at"]),
             str(s["rating"]) if s["rating"] is not None else tr("not answered"),
             s["comment"] or ""] for s in d["surveys"]], [30, 40, 20, 80])
    fees = d["fees"]
    _table(doc, tr, tr("Your units' bills"),
           [tr("Unit"), tr("Item"), tr("Period"), tr("Amount"), tr("Due date")],
           [[f"{b['building']} {b['unit']}", item_label(tr, settings, b["item"]), b["period"],
             tr.money(b["amount"]), b["due_date"]] for b in fees["bills"]], [28, 50, 28, 32, 32])
    _table(doc, tr, tr("Your units' payments"),
           [tr("Date"), tr("Unit"), tr("Amount"), tr("Method"), tr("Receipt")],
           [[when_text(tr, p["at"]), f"{p['building']} {p['unit']}", tr.money(p["amount"]),
             labels.of(tr, labels.PAY_METHODS, p["method"]), p["receipt"]]
            for p in fees["payments"]], [38, 28, 34, 30, 40])
    _table(doc, tr, tr("Your renovation permits"),
           [tr("Reference"), tr("Unit"), tr("Status"), tr("Dates")],
           [[r["reference"], f"{r['building']} {r['unit']}",
             labels.of(tr, labels.RENOVATION_STATES, r["state"]),
             f"{r['start_date']} – {r['end_date']}"] for r in d["renovations"]],
           [30, 30, 50, 60])
    keys = d["keys"]
    _table(doc, tr, tr("Keys you deposited with the office"),
           [tr("Tag"), tr("Kind"), tr("Unit")],
           [[k["tag"], labels.of(tr, labels.KEY_KINDS, k["kind"]),
             f"{k['building']} {k['unit']}"] for k in keys["deposited"]], [40, 80, 50])
    _table(doc, tr, tr("Loans of your keys"),
           [tr("Date"), tr("Borrower"), tr("Reason"), tr("Status")],
           [[when_text(tr, k["requested_at"]),
             person_label(tr, k["borrower_name"], k["borrower_role"]), k["reason"],
             labels.of(tr, labels.LOAN_STATES, k["state"])]
            for k in keys["loans"]], [36, 44, 54, 36])
    if d["contracts"]:
        _table(doc, tr, tr("Your purchase contract"),
               [tr("Contract"), tr("Unit"), tr("Handover due"), tr("Handed over")],
               [[c["contract"], f"{c['building']} {c['unit']}", c["handover_due"],
                 when_text(tr, c["handed_over_at"])] for c in d["contracts"]], [40, 40, 45, 45])
    _table(doc, tr, tr("Who opened your record"),
           [tr("Date"), tr("Who"), tr("What"), tr("Why")],
           [[when_text(tr, v["at"]), person_label(tr, v["viewer"], v["role"]),
             labels.of(tr, OPENED, v["what"]) + (f" {v['reference']}" if v["reference"] else ""),
             why_text(tr, v["why"])] for v in d["viewed_by"]], [40, 44, 50, 36])
    _table(doc, tr, tr("Your photos and voice notes"), [tr("File"), tr("In the package")],
           [[f["name"], labels.of(tr, INCLUDED, "yes" if f["included"] else f["reason"])]
            for f in files], [90, 80])
    return bytes(doc.output())


def _about(doc: Document, tr: Tr, person: Row) -> None:
    doc.text_block(tr("About you"), size=12, leading=18)
    role = labels.of(tr, labels.ROLES, person["role"]) if person["role"] else tr("not yet")
    accounts = tr.join([f"{a['channel']} {a['account']}" for a in person["accounts"]])
    for line in (tr("Name: {name}", name=person["name"] or "-"),
                 tr("Phone: {phone}", phone=person["phone"] or "-"),
                 tr("Language: {language}",
                    language=LANGUAGE_NAMES.get(person["language"], person["language"])),
                 tr("Role: {role}", role=role),
                 tr("With the desk since {time}", time=when_text(tr, person["joined_at"])),
                 tr("Chat accounts: {accounts}", accounts=accounts or "-")):
        doc.text_block(line)
    doc.ln(4)


def _table(doc: Document, tr: Tr, caption: str, head: list[str], rows: list[list[str]],
           widths: list[float]) -> None:
    if rows:
        doc.grid([head, *rows], widths, caption)
    else:  # a table of headings alone reads as a page left unfinished
        doc.text_block(caption)
        doc.text_block(tr("None."), size=9)
    doc.ln(4)


def when_text(tr: Tr, iso: str | None) -> str:
    when = from_db_time(iso)
    return tr.datetime(when) if when is not None else "-"


def _relation(tr: Tr, unit: Row) -> str:
    if not unit["relation"]:
        return "-"
    return tr("owner") if unit["relation"] == "owner" else tr("tenant")


def _category(tr: Tr, settings: EstateSettings, ticket: Row) -> str:
    if ticket["kind"] == "complaint":
        return labels.complaint_category(tr, settings, ticket["category"])
    return labels.category(tr, settings, ticket["category"])


def _status(tr: Tr, ticket: Row) -> str:
    table = labels.COMPLAINT_STATUSES if ticket["kind"] == "complaint" else labels.STATUSES
    return labels.of(tr, table, ticket["status"])


def _by(tr: Tr, event: Row) -> str:
    if event["by"] == "you":
        return tr("you")
    return person_label(tr, event["by"], event["by_role"]) if event["by"] else "-"


def why_text(tr: Tr, why: str) -> str:
    """The access log's why as a resident reads it; a command typed in the chat as it is."""
    if why.startswith(_LEDGER):
        return tr("the repair ledger of {month}", month=why[len(_LEDGER):])
    if why.startswith("estatedesk "):
        return tr("a command at the office")
    first, _, rest = why.partition(" ")
    if first == "ticket" and rest:
        return tr("{ref} opened in the chat", ref=rest)
    if why.startswith("repair form "):
        return tr("the repair form of {ref}", ref=why[len("repair form "):])
    if _NOTICE.fullmatch(first) and rest:
        return tr("a message to staff") if rest.startswith("person ") else \
            tr("a message to staff about {ref}", ref=rest)
    return why


def person_label(tr: Tr, name: str | None, role: str | None) -> str:
    if role == "office":
        return tr("the management office")
    shown = labels.of(tr, labels.ROLES, role) if role else ""
    return tr("{name} ({role})", name=name, role=shown) if name and shown else \
        name or shown or "-"
