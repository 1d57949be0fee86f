"""Service levels: the targets of each ticket, and the timers that make them bite.

A ticket's timers are derived from its state by `arm`, called after every change: it drops
the steps not yet fired and schedules those the state calls for (a completed job's are left
to the sweep, which drops each as it falls due: `waits_for_confirmation`). A step that has
fired stays fired, so each escalation step reaches people once per ticket; a new deadline
(an extension, a new priority) lets the deadline's steps fire again."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from storage import drafts, tickets, timers
from storage.db import Connection, Database
from storage.records import Draft, Survey, Ticket
from storage.repairs import contractors
from storage.surveys import surveys
from workflow import access, conversations, told
from workflow import tickets as machine
from workflow.settings import PRIORITIES, EstateSettings, slot

ASSIGN_WARN, ASSIGN_LATE, ASSIGN_MANAGERS = "assign_warn", "assign_late", "assign_managers"
RESOLVE_WARN, RESOLVE_LATE, RESOLVE_MANAGERS = "resolve_warn", "resolve_late", "resolve_managers"
VISIT_LATE = "visit_late"
SIGNOFF_REMIND = "signoff_remind"  # the repair form's parties still to sign, a day on
SIGNOFF_WAIT = timedelta(days=1)
UNIT_RESPONSE = "unit_response"  # a responsible unit's people did not take the job in time
UNIT_REMIND = "unit_remind"  # the unit's people, before their time to take the job is up
REMIND_TECHNICIAN, REMIND_RESIDENT = "remind_technician", "remind_resident"
AUTO_CONFIRM = "auto_confirm"
DIGEST = "digest"
WEEKLY = "weekly"  # the managers' week in figures, Monday at the digest's time
MONTHLY = "monthly"  # the monthly repair report to the managers, on the 1st
QUARTERLY = "quarterly"  # the settlements to the units, on the first day of a quarter
SURVEY_SEND, SURVEY_REMIND, SURVEY_EXPIRE = "survey_send", "survey_remind", "survey_expire"
SURVEY_LOW = "survey_low"
SURVEY_STEPS = (SURVEY_SEND, SURVEY_REMIND, SURVEY_EXPIRE, SURVEY_LOW)
RESOLVE_STEPS = (RESOLVE_WARN, RESOLVE_LATE, RESOLVE_MANAGERS)
ASSIGN_STEPS = (ASSIGN_WARN, ASSIGN_LATE, ASSIGN_MANAGERS)
PAUSE_FLOW = "pause"
EXTEND_FLOW = "extend"
MAX_REASON = 500
EXTEND_CHOICES = (1, 3, 7)  # days


def due_dates(settings: EstateSettings, category: str, priority: str,
              since: datetime) -> tuple[datetime, datetime]:
    """When the ticket must be assigned, and resolved."""
    target = settings.target(category, priority)
    return since + target.assign, since + target.resolve


def local_moment(settings: EstateSettings, day: date, clock) -> datetime:
    return datetime.combine(day, clock, settings.tz)


def out_of_quiet_hours(settings: EstateSettings, moment: datetime) -> datetime:
    """The same moment, or the end of the quiet hours it falls in."""
    local = moment.astimezone(settings.tz)
    if not settings.in_quiet_hours(local.time().replace(tzinfo=None)):
        return moment
    end = datetime.combine(local.date(), settings.quiet_end, settings.tz)
    return end if end > local else end + timedelta(days=1)


def within_survey_hours(settings: EstateSettings, moment: datetime) -> datetime:
    """The same moment, or the next start of the hours when residents may be called back."""
    local = moment.astimezone(settings.tz)
    start = datetime.combine(local.date(), settings.survey_start, settings.tz)
    end = datetime.combine(local.date(), settings.survey_end, settings.tz)
    if local < start:
        return start
    if local >= end:
        return start + timedelta(days=1)
    return moment


LOW_ALERT_WAIT = timedelta(minutes=30)  # for the comment, before alerting without it


def needs_alert(settings: EstateSettings, survey: Survey) -> bool:
    """A low rating, or a reason such as 'not fixed' whatever the rating."""
    low = survey.rating is not None and survey.rating <= settings.low_rating
    return low or any(r in settings.alert_chips for r in survey.reasons)


async def arm(conn: Connection, settings: EstateSettings, ticket_id: int, now: datetime,
              *, afresh: tuple[str, ...] = (), ticket: Ticket | None = None) -> None:
    """The only writer of a ticket's timers: what is due next, derived again from the ticket
    (and its survey) after every change. A step that fired stays fired, once per ticket,
    except those named `afresh` (a new deadline warns again). `ticket`: as it now stands,
    when the caller has just read it. An open ticket's timers take two statements: one
    DELETE, one batch of INSERTs; a completed one's, the INSERT."""
    if ticket is None:
        ticket = await machine.load(conn, ticket_id)
    due: list[tuple[str, datetime]] = []
    if ticket.status == machine.CLOSED:
        if afresh:
            await timers.forget(conn, ticket.id, afresh)
        pending = await timers.pending(conn, ticket.id)
        await timers.clear_pending(conn, ticket.id)
        await _survey_steps(conn, settings, ticket, pending, now, due)
        await _signoff_steps(conn, ticket, due)
    else:
        if afresh or not waits_for_confirmation(ticket):  # a completed one's are left
            await timers.clear_pending(conn, ticket.id, afresh)
        await _open_steps(conn, settings, ticket, now, due)
    await timers.set_pending_many(conn, ticket.id, due)


def waits_for_confirmation(ticket: Ticket) -> bool:
    """Completed (and not paused): the resident's confirmation is all that is due, so the
    completion (one statement less on the technician's last step) leaves the steps not
    yet fired where they are. They are stale: `stale` tells the sweep, which drops each as it
    falls due, as if it had been dropped then; any later change of the ticket (closed,
    reopened, paused) drops them all as before. Dropped, not fired: a reopened ticket's
    steps are scheduled again."""
    return ticket.status == machine.COMPLETED and ticket.paused_at is None


def stale(ticket: Ticket, kind: str) -> bool:
    """A step left by the completion (`waits_for_confirmation`)."""
    return waits_for_confirmation(ticket) and kind != AUTO_CONFIRM


async def _open_steps(conn: Connection, settings: EstateSettings, ticket: Ticket,
                      now: datetime, due: list[tuple[str, datetime]]) -> None:
    if ticket.status == machine.MERGED:  # its residents follow the kept report's timers
        return
    if ticket.paused_at is not None:
        return
    if ticket.status == machine.COMPLETED:
        if ticket.completed_at is not None:  # always, once completed
            due.append((AUTO_CONFIRM, ticket.completed_at +
                        timedelta(days=settings.auto_confirm_days)))
        return
    start = ticket.created_at + timedelta(seconds=ticket.paused_seconds)
    if ticket.status == machine.NEW and ticket.assigned_at is None:
        _steps(settings, ticket, ASSIGN_STEPS, start, ticket.assign_due_at, now, due)
    _steps(settings, ticket, RESOLVE_STEPS, start, ticket.deadline_at, now, due)
    if ticket.status in (machine.ASSIGNED, machine.REOPENED):
        _visit(settings, ticket, now, due)
        await _unit_response(conn, settings, ticket, due)


async def _survey_steps(conn: Connection, settings: EstateSettings, ticket: Ticket,
                        pending: dict[str, datetime], now: datetime,
                        due: list[tuple[str, datetime]]) -> None:
    """The callback surveys, once per resident of the ticket: sent after the close; once
    sent, a reminder and then 'no response' while any is unanswered; a low answer alerts the
    supervisors if its comment does not come."""
    closed_at = ticket.closed_at
    assert closed_at is not None  # a closed ticket's
    due.append((SURVEY_SEND, within_survey_hours(settings, closed_at + settings.survey_delay)))
    sent = await surveys.of_ticket(conn, ticket.id)
    waiting = [s for s in sent if s.answered_at is None and s.expired_at is None]
    if waiting:  # all sent together: one reminder, one 'no response', for each still silent
        remind = within_survey_hours(settings, waiting[0].sent_at + settings.survey_reminder)
        due += [(SURVEY_REMIND, remind), (SURVEY_EXPIRE, remind + settings.survey_expiry)]
    if any(needs_alert(settings, s) and not s.low_alerted and s.comment is None for s in sent):
        # due again after firing: a follower's low answer may come after the reporter's
        await timers.reschedule(conn, ticket.id, SURVEY_LOW,
                                pending.get(SURVEY_LOW, now + LOW_ALERT_WAIT))


def _steps(settings: EstateSettings, ticket: Ticket, kinds: tuple[str, str, str],
           start: datetime, target: datetime, now: datetime,
           due: list[tuple[str, datetime]]) -> None:
    warn, late, managers = kinds
    span = max(target - start, timedelta(0))
    if target > now:  # a warning is pointless once the target is missed
        due.append((warn, start + span * settings.warn_share))
    due.append((late, target))
    due.append((managers, target + span * settings.manager_share))


async def _signoff_steps(conn, ticket: Ticket, due: list[tuple[str, datetime]]) -> None:
    """The repair form's parties still to sign are reminded once, a day after the close."""
    signed = {s.party for s in await tickets.signoffs(conn, ticket.id)}
    waiting = [p for p in await tickets.required_signoffs(conn, ticket.id) if p not in signed]
    if waiting and ticket.closed_at is not None:
        due.append((SIGNOFF_REMIND, ticket.closed_at + SIGNOFF_WAIT))


async def _unit_response(conn, settings: EstateSettings, ticket: Ticket,
                         due: list[tuple[str, datetime]]) -> None:
    """A job sent to a unit's people must be taken within the unit's contractual time; they
    are reminded when most of it has gone."""
    if ticket.contractor_id is None or ticket.technician_id is not None or \
            ticket.unit_sent_at is None:
        return
    unit = await contractors.get(conn, ticket.contractor_id)
    if unit is not None and unit.response:
        due += [(UNIT_REMIND, ticket.unit_sent_at + unit.response * settings.warn_share),
                (UNIT_RESPONSE, ticket.unit_sent_at + unit.response)]


def _visit(settings: EstateSettings, ticket: Ticket, now: datetime,
           due: list[tuple[str, datetime]]) -> None:
    """The resident's chosen slot is a promise: late if not started by its end."""
    chosen = slot(ticket.visit_slot)
    if chosen is None:  # as soon as possible: the resolve target covers it
        return
    day = date.fromisoformat(ticket.visit_date)
    starts = local_moment(settings, day, chosen.start)
    due.append((VISIT_LATE, local_moment(settings, day, chosen.end)))
    if ticket.technician_id is not None and starts - settings.technician_reminder > now:
        due.append((REMIND_TECHNICIAN, starts - settings.technician_reminder))
    evening = local_moment(settings, day - timedelta(days=1), settings.resident_reminder_time)
    if evening > ticket.created_at:  # a next-day visit, booked before that evening
        remind = max(evening, now)
        if ticket.priority != "emergency":
            remind = out_of_quiet_hours(settings, remind)
        if remind < starts:
            due.append((REMIND_RESIDENT, remind))


async def pause(db: Database, settings: EstateSettings, actor_id: int, reason: str,
                now: datetime) -> Ticket | None:
    """Files the pause the clerk started (the reason is the draft's last answer)."""
    async with db.transaction() as conn:
        draft = await drafts.get(conn, actor_id)
        if draft is None or draft.flow != PAUSE_FLOW:
            return None
        await drafts.delete(conn, actor_id)
        await access.require(conn, "repairs.dispatch", actor_id)
        ticket = await machine.load(conn, draft.data["ticket_id"])
        if ticket.version != draft.data.get("seen") or ticket.paused_at is not None or \
                ticket.status not in tickets.UNRESOLVED_STATUSES:
            return None  # someone changed it while the reason was typed
        await tickets.update_fields(conn, ticket.id, now, paused_at=now)
        await tickets.add_event(conn, ticket.id, now, actor_id, "paused", ticket.status,
                                ticket.status, reason)
        await arm(conn, settings, ticket.id, now)
        return await machine.load(conn, ticket.id)


async def resume(db: Database, settings: EstateSettings, ticket_id: int, actor_id: int,
                 now: datetime, seen: int | None = None) -> Ticket:
    """The clock runs again; every deadline moves by the time it stood still."""
    async with db.transaction() as conn:
        await access.require(conn, "repairs.dispatch", actor_id)
        ticket = machine.as_seen(await machine.load(conn, ticket_id), seen)
        if ticket.paused_at is None:
            raise machine.Refusal(machine.Refusal.STALE)
        stood = now - ticket.paused_at
        await tickets.update_fields(
            conn, ticket.id, now, paused_at=None,
            paused_seconds=ticket.paused_seconds + int(stood.total_seconds()),
            assign_due_at=ticket.assign_due_at + stood, deadline_at=ticket.deadline_at + stood,
            target_at=ticket.target_at + stood if ticket.target_at else None)
        await tickets.add_event(conn, ticket.id, now, actor_id, "resumed", ticket.status,
                                ticket.status)
        await arm(conn, settings, ticket.id, now)
        return await machine.load(conn, ticket.id)


async def start_with_reason(db: Database, flow: str, ticket_id: int, actor_id: int,
                            now: datetime, seen: int | None = None, **data) -> Ticket:
    """A pause or an extension asks for a reason first; the request waits in a draft, with
    the version of the ticket it was asked for."""
    async with db.transaction() as conn:
        await access.require(conn, "repairs.dispatch", actor_id)
        ticket = machine.as_seen(await machine.load(conn, ticket_id), seen)
        if ticket.status not in tickets.UNRESOLVED_STATUSES:
            raise machine.Refusal(machine.Refusal.STALE)
        if flow == PAUSE_FLOW and ticket.paused_at is not None:
            raise machine.Refusal(machine.Refusal.STALE)
        await conversations.begin(conn, Draft(actor_id, flow, "reason", {
            "ticket_id": ticket.id, "seen": ticket.version, **data}), now)
        return ticket


def extended_deadline(settings: EstateSettings, ticket: Ticket, days: int,
                      now: datetime) -> datetime:
    base = max(ticket.deadline_at, now).astimezone(settings.tz)
    return datetime.combine(base.date() + timedelta(days=days), base.timetz())


async def extend(db: Database, settings: EstateSettings, actor_id: int, reason: str,
                 now: datetime) -> Ticket | None:
    async with db.transaction() as conn:
        draft = await drafts.get(conn, actor_id)
        if draft is None or draft.flow != EXTEND_FLOW:
            return None
        await drafts.delete(conn, actor_id)
        await access.require(conn, "repairs.dispatch", actor_id)
        ticket = await machine.load(conn, draft.data["ticket_id"])
        if ticket.version != draft.data.get("seen") or \
                ticket.status not in tickets.UNRESOLVED_STATUSES:
            return None  # someone changed it while the reason was typed
        new = extended_deadline(settings, ticket, draft.data["days"], now)
        await tickets.update_fields(conn, ticket.id, now, deadline_at=new)
        await tickets.add_event(conn, ticket.id, now, actor_id, "deadline_extended",
                                ticket.status, ticket.status, reason)
        await arm(conn, settings, ticket.id, now, afresh=RESOLVE_STEPS)
        await told.tell(conn, settings, "deadline_extended", ticket, now, actor_id=actor_id,
                        payload={"reason": reason})
        return await machine.load(conn, ticket.id)


async def change_priority(db: Database, settings: EstateSettings, ticket_id: int,
                          actor_id: int, priority: str, now: datetime,
                          seen: int | None = None) -> Ticket:
    """New targets from the time of the report; the clock's pauses still count."""
    if priority not in PRIORITIES:
        raise machine.Refusal(machine.Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "repairs.dispatch", actor_id)
        ticket = machine.as_seen(await machine.load(conn, ticket_id), seen)
        if ticket.status not in tickets.UNRESOLVED_STATUSES or ticket.priority == priority:
            raise machine.Refusal(machine.Refusal.STALE)
        await set_priority(conn, settings, ticket, priority, actor_id, now, "priority_changed")
        return await machine.load(conn, ticket.id)


async def set_priority(conn: Connection, settings: EstateSettings, ticket: Ticket,
                       priority: str, actor_id: int | None, now: datetime, action: str,
                       note: str = "") -> None:
    """The new priority's targets, counted from the report; audited as `action`."""
    since = ticket.created_at + timedelta(seconds=ticket.paused_seconds)
    if ticket.paused_at is not None:
        since += now - ticket.paused_at
    assign_due, deadline = due_dates(settings, ticket.category, priority, since)
    await tickets.update_fields(conn, ticket.id, now, priority=priority,
                                assign_due_at=assign_due, deadline_at=deadline,
                                target_at=deadline)
    await tickets.add_event(conn, ticket.id, now, actor_id, action, ticket.status,
                            ticket.status, note or f"{ticket.priority} → {priority}")
    await arm(conn, settings, ticket.id, now, afresh=ASSIGN_STEPS + RESOLVE_STEPS)


async def overdue(db: Database, actor_id: int, now: datetime, limit: int = 30
                  ) -> tuple[list[Ticket], dict[int, tuple[str | None, str | None]]]:
    """The late tickets, the most late first, with their technicians' and contractors' names
    (two queries, whatever the number of late tickets)."""
    async with db.reading() as conn:
        await access.require(conn, "escalation.overdue", actor_id)
        late = await tickets.overdue(conn, now, limit)
        return late, await tickets.holder_names(conn, late)


def lateness(ticket: Ticket, now: datetime) -> timedelta:
    """How far past its first missed target an unresolved ticket is."""
    due = ticket.deadline_at
    if ticket.status == machine.NEW and ticket.assign_due_at < due:
        due = ticket.assign_due_at
    return now - due


