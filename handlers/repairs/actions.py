"""The buttons a ticket offers, by its status and the viewer's role."""

from __future__ import annotations

from handlers.i18n import Tr
from storage.records import Person
from workflow import roles
from workflow import tickets as machine
from workflow.complaints import complaints
from workflow.repairs import dispatch
from workflow.tickets import Kind, Party
from workflow.views import TicketFile

UNRESOLVED_STATUSES = (machine.NEW, *machine.WORKING)


def _v(data: str, file: TicketFile) -> str:
    """A change's button carries the version of the ticket it is shown for."""
    return f"{data}:v{file.ticket.version}"


def desk_buttons(tr: Tr, file: TicketFile, viewer: Person) -> list[list[tuple[str, str]]]:
    """The actions this ticket offers to the desk, by its status and the viewer's role."""
    t, role = file.ticket, viewer.role
    rows = complaint_buttons(tr, file, viewer) if t.kind == Kind.COMPLAINT else []
    if t.kind == Kind.REPAIR and t.status in dispatch.ASSIGNABLE:
        again = t.technician_id is not None or t.contractor_id is not None
        rows.append([
            (tr("Reassign: technician") if again else tr("Assign technician"),
             _v(f"d:tech:{t.id}", file)),
            (tr("Reassign: contractor") if again else tr("Assign contractor"),
             _v(f"d:con:{t.id}", file)),
        ])
    if t.contractor_id is not None and t.status in machine.WORKING:
        if t.unit_sent_at is None:  # the unit is not in the chat: the desk phones it
            rows.append([(tr("Notified by phone"), _v(f"d:ph:{t.id}", file)),
                         (tr("Record completion"), _v(f"w:done:{t.id}", file))])
        rows.append([(tr("Send our own staff"), _v(f"d:own:{t.id}", file))])
    if t.kind == Kind.REPAIR and t.status in UNRESOLVED_STATUSES:
        rows.append([(tr("Who pays"), _v(f"pa:l:{t.id}", file))])
    if t.status in UNRESOLVED_STATUSES:
        rows.append([
            (tr("Priority"), _v(f"d:pr:{t.id}", file)),
            (tr("Resume clock"), _v(f"d:re:{t.id}", file)) if t.paused_at else
            (tr("Pause clock"), _v(f"d:pa:{t.id}", file)),
            (tr("Extend deadline"), _v(f"d:ex:{t.id}", file)),
        ])
    if t.kind == Kind.REPAIR and t.status in UNRESOLVED_STATUSES:
        rows.append([(tr("Merge as a duplicate"), _v(f"mg:l:{t.id}", file))])
    if t.status == machine.COMPLETED:  # a repair done, or a complaint answered
        rows.append([(tr("Resident confirmed by phone"), _v(f"d:cp:{t.id}", file)),
                     (tr("Resident says not fixed"), _v(f"d:nf:{t.id}", file))])
    if t.kind == Kind.REPAIR and t.status in (machine.COMPLETED, machine.CLOSED):
        rows.append([(tr("Repair form (PDF)"), f"fm:{t.id}")])
        measured = file.figures is not None and file.figures.kind != "recorded"
        rows.append(([] if measured else [(tr("Confirm measurement"), f"me:ok:{t.id}")]) +
                    [(tr("Correct measurement"), f"me:fix:{t.id}")])
    signed = {s.party for s in file.signoffs}
    if roles.can_sign_as_supervisor(role) and Party.SUPERVISOR in file.required and \
            Party.SUPERVISOR not in signed:
        rows.append([(tr("Supervisor sign-off"), f"s:sup:{t.id}")])
    if any(p not in signed for p in file.required):
        rows.append([(tr("Record a paper signature"), f"s:pp:{t.id}")])
    rows.append([(tr("Timeline"), f"t:v:{t.id}")])
    return rows


def worker_buttons(tr: Tr, file: TicketFile, viewer: Person) -> list[list[tuple[str, str]]]:
    """A technician's buttons; a unit's person first takes the job, or declines it."""
    t = file.ticket
    if viewer.role == roles.CONTRACTOR:
        if t.technician_id is None and t.status in (machine.ASSIGNED, machine.REOPENED):
            return [[(tr("Accept"), _v(f"u:ok:{t.id}", file)),
                     (tr("Decline"), _v(f"u:no:{t.id}", file))]]
        if t.technician_id != viewer.user_id:
            return []  # a colleague took it
        if t.status in (machine.ASSIGNED, machine.REOPENED):
            return [[(tr("Propose a visit time"), f"u:pv:{t.id}")], *task_buttons(tr, file)]
    return task_buttons(tr, file)


def task_buttons(tr: Tr, file: TicketFile) -> list[list[tuple[str, str]]]:
    t = file.ticket
    rows = []
    if t.status in (machine.ASSIGNED, machine.REOPENED) and t.kind == Kind.REPAIR:
        rows.append([(tr("Ask for the unit's keys"), f"ky:job:{t.id}")])
    if machine.EN_ROUTE in machine.TRANSITIONS[t.status]:
        rows.append([(tr("On my way"), _v(f"w:go:{t.id}", file))])
    if machine.ON_SITE in machine.TRANSITIONS[t.status]:
        rows.append([(tr("Arrived"), _v(f"w:at:{t.id}", file))])
    if machine.COMPLETED in machine.TRANSITIONS[t.status]:
        rows.append([(tr("Complete"), _v(f"w:done:{t.id}", file))])
    return rows


def complaint_buttons(tr: Tr, file: TicketFile, viewer: Person) -> list[list[tuple[str, str]]]:
    t = file.ticket
    rows = []
    if t.status == machine.NEW and t.assigned_at is None:
        rows.append([(tr("Acknowledge"), _v(f"d:ack:{t.id}", file))])
    if t.status in complaints.ROUTABLE:
        rows.append([(tr("Route to a department") if t.department is None
                      else tr("Route elsewhere"), _v(f"d:rt:{t.id}", file))])
    if t.status in machine.WORKING and t.department and (
            viewer.role == roles.MANAGER or viewer.user_id in file.department_heads):
        rows.append([(tr("Record the reply"), f"k:reply:{t.id}")])
    return rows
