"""The work on the repair form (維修單), in the chat and on paper: every visit (when, by whom,
what was done, the hours and the materials) and every reopening with the resident's reason,
in the order they happened: the first visit's note as much as the last."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers import cards
from handlers.i18n import Tr
from storage.records import Person
from storage.repairs.visits import Visit
from workflow.views import TicketFile

REOPENED = "not_fixed"  # the resident's "not fixed": the event that reopens a job


@dataclass(frozen=True)
class Step:
    at: datetime
    who: str
    text: str  # what was done, or why it was reopened
    visit: Visit | None = None  # None: a reopening


def steps(file: TicketFile, tr: Tr, viewer: Person | None = None) -> list[Step]:
    """The visits and the reopenings in turn: only a completed job is reopened, so the
    n-th reopening follows the n-th visit (whatever the clocks say). Who reopened it (a
    resident) is named as `viewer` may read it (need_to_know)."""
    reopenings = [Step(e.at, cards.name_of(tr, file, e.actor_id, viewer), e.note or "")
                  for e in file.events if e.action == REOPENED]
    found = []
    for number, v in enumerate(file.visits):
        found.append(Step(v.completed_at, file.names.get(v.worker_id or 0, ""), v.note, v))
        found += reopenings[number:number + 1]
    return found + reopenings[len(file.visits):]


def corrected(file: TicketFile) -> bool:
    """The desk corrected the figures: the visits' recorded hours and materials no longer
    stand, and the form shows the corrected set alone."""
    return file.figures is not None and file.figures.kind == "corrected"


def materials(tr: Tr, file: TicketFile, visit: Visit) -> str:
    """A visit's items with their amounts, or its materials cost when none was itemised."""
    used = [i for i in file.items if i.round == visit.round]
    if not used:
        return tr.money(visit.materials_cost)
    return tr.join(f"{i.name} × {tr.number(i.quantity)}{' ' + i.unit if i.unit else ''} "
                   f"({tr.money(i.amount)})" for i in used)


def lines(tr: Tr, file: TicketFile, viewer: Person | None = None) -> list[str]:
    """The form's work in the chat: a line per visit and per reopening."""
    found = steps(file, tr, viewer)
    if not found:
        return []
    out = [tr("Work, visit by visit, as recorded:")]
    for step in found:
        v = step.visit
        if v is None:
            out.append("· " + tr("{time} reopened by {name}: {reason}",
                                 time=tr.datetime(step.at), name=step.who, reason=step.text))
        elif corrected(file):
            out.append("· " + tr("Visit {round}, {time}, {name}: {note}", round=v.round,
                                 time=tr.datetime(step.at), name=step.who, note=step.text))
        else:
            out.append("· " + tr("Visit {round}, {time}, {name}: {note} ({hours} h, materials: "
                                 "{materials})", round=v.round, time=tr.datetime(step.at),
                                 name=step.who, note=step.text,
                                 hours=tr.number(v.labour_hours),
                                 materials=materials(tr, file, v)))
    return out


def rows(tr: Tr, file: TicketFile, viewer: Person | None = None) -> list[list[str]]:
    """The form's work on paper: a table's heading and a row per visit and per reopening
    (only the heading when there is none)."""
    figures = not corrected(file)
    out = [[tr("Visit"), tr("Date"), tr("By"), tr("Work done")] +
           ([tr("Labour hours"), tr("Materials")] if figures else [])]
    for step in steps(file, tr, viewer):
        v = step.visit
        out.append([str(v.round) if v else tr("Reopened as not fixed"),
                    tr.datetime(step.at), step.who, step.text] +
                   ([tr.number(v.labour_hours) if v else "",
                     materials(tr, file, v) if v else ""] if figures else []))
    return out
