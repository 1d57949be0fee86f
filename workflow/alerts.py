"""The sweep: what has fallen due is fired, each timer once, in the same transaction as the
messages it causes. Who hears of what: warnings go to the holder of the ticket, a missed
target to the holder and every supervisor, a further half of the target later to every
manager. A step that fell due while the bot was down is sent on the first sweep, marked late."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from storage import locks, outbox, people, tickets, timers
from storage.db import Connection, Database, to_db_time
from storage.records import Person, Ticket
from workflow import roles, sla, told
from workflow import tickets as machine
from workflow.office import settlement
from workflow.registers import archives
from workflow.repairs import onsite
from workflow.repairs import signoffs as signoff
from workflow.settings import EMERGENCY, EstateSettings
from workflow.surveys import surveys

BATCH = 200
LATE_SENT = timedelta(minutes=5)  # fired later than this after its time: the bot was down
DIGEST_LIST = 5


async def sweep(db: Database, settings: EstateSettings, now: datetime) -> int:
    """Fires what is due; returns how many timers fired."""
    async with db.reading() as conn:
        due = await timers.due(conn, now, BATCH)
    fired = 0
    for timer in due:
        async with db.transaction() as conn:
            if timer.ticket_id != timers.ESTATE and not await locks.ticket(conn, timer.ticket_id):
                continue  # someone is acting on it: the next sweep comes back to it
            if not await timers.fire(conn, timer, now):
                continue
            late = now - timer.due_at > max(timedelta(seconds=2 * settings.sweep_seconds),
                                            LATE_SENT)
            if timer.ticket_id == timers.ESTATE and timer.kind == sla.WEEKLY:
                await _weekly(conn, settings, now, late)
            elif timer.ticket_id == timers.ESTATE and timer.kind in (sla.MONTHLY,
                                                                     sla.QUARTERLY):
                await _paperwork(conn, settings, timer.kind, now)
            elif timer.ticket_id == timers.ESTATE:
                await _digest(conn, settings, now, late)
            else:
                ticket = await tickets.get(conn, timer.ticket_id)
                if ticket is not None and sla.stale(ticket, timer.kind):
                    await timers.drop(conn, timer)  # left by the completion: never fired
                    continue
                if ticket is not None:
                    await _fire(conn, settings, ticket, timer.kind, timer.due_at, now, late)
            fired += 1
    return fired


async def schedule_digest(db: Database, settings: EstateSettings, now: datetime) -> None:
    """At start-up: the next digest, unless one is already due (it was missed while down)."""
    async with db.transaction() as conn:
        pending = await timers.pending(conn, timers.ESTATE)
        if sla.WEEKLY not in pending:
            await timers.reschedule(conn, timers.ESTATE, sla.WEEKLY, _next_week(settings, now))
        for kind in (sla.MONTHLY, sla.QUARTERLY):
            if kind not in pending:
                await timers.reschedule(conn, timers.ESTATE, kind,
                                        _next_first(settings, now, kind))
        if sla.DIGEST in pending and pending[sla.DIGEST] <= now:
            return
        await timers.reschedule(conn, timers.ESTATE, sla.DIGEST, _next_digest(settings, now))


def _next_digest(settings: EstateSettings, now: datetime) -> datetime:
    local = now.astimezone(settings.tz)
    moment = datetime.combine(local.date(), settings.digest_time, settings.tz)
    return moment if moment > local else moment + timedelta(days=1)


def _next_week(settings: EstateSettings, now: datetime) -> datetime:
    """The next Monday at the digest's time."""
    moment = _next_digest(settings, now)
    return moment + timedelta(days=(7 - moment.astimezone(settings.tz).weekday()) % 7)


def _next_first(settings: EstateSettings, now: datetime, kind: str) -> datetime:
    """The next first day of a month (or of a quarter), at the digest's time."""
    local = now.astimezone(settings.tz)
    day = date(local.year, local.month, 1)
    while True:
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        if kind == sla.MONTHLY or day.month in (1, 4, 7, 10):
            return datetime.combine(day, settings.digest_time, settings.tz)


async def _paperwork(conn, settings: EstateSettings, kind: str, now: datetime) -> None:
    """The 1st: last month's report to the managers; a quarter's first day: last quarter's
    settlements to the units and the managers."""
    await timers.reschedule(conn, timers.ESTATE, kind, _next_first(settings, now, kind))
    local = now.astimezone(settings.tz).date()
    if kind == sla.QUARTERLY:
        await settlement.deliver(conn, settlement.previous_quarter(local), now)
        return
    last = date.fromordinal(date(local.year, local.month, 1).toordinal() - 1)
    for person in await people.reachable_with_role(conn, roles.MANAGER):
        await outbox.add(conn, person.user_id, "monthly_report", now,
                         payload={"month": f"{last.year:04d}-{last.month:02d}"})


async def _weekly(conn, settings: EstateSettings, now: datetime, late: bool) -> None:
    await timers.reschedule(conn, timers.ESTATE, sla.WEEKLY,
                            _next_week(settings, now + timedelta(days=1)))
    end = now
    start = end - timedelta(days=7)
    reported, resolved, in_time = await tickets.figures_between(conn, start, end)
    late_now = await tickets.overdue(conn, now, DIGEST_LIST * 2)
    _, overdue, _ = await tickets.unresolved_counts(conn, now)
    missed_check = await archives.overdue_check(conn, now)
    payload = {"start": to_db_time(start), "end": to_db_time(end), "reported": reported,
               "resolved": resolved, "in_time": in_time, "overdue": overdue,
               "late": [t.id for t in late_now], "late_sent": late,
               "archive_check": to_db_time(missed_check) if missed_check else None}
    recipients = await people.reachable_with_role(conn, roles.MANAGER) or \
        await people.reachable_with_role(conn, roles.SUPERVISOR)
    for person in recipients:
        await outbox.add(conn, person.user_id, "weekly", now, payload=payload)


async def stand_in(conn: Connection, person: Person) -> Person | None:
    """The person, or, when they blocked the bot, the next reachable one of their role."""
    if not person.unreachable:
        return person
    if person.role is None:
        return None
    others = await people.reachable_with_role(conn, person.role)
    return others[0] if others else None


async def _send(conn, recipients: list[Person], kind: str, ticket: Ticket, now: datetime,
                payload: dict) -> None:
    seen = set()
    for person in recipients:
        found = await stand_in(conn, person)
        if found is None or found.user_id in seen:
            continue
        seen.add(found.user_id)
        await outbox.add(conn, found.user_id, kind, now, ticket.id, payload)


async def _fire(conn, settings: EstateSettings, ticket: Ticket, kind: str, due: datetime,
                now: datetime, late: bool) -> None:
    payload = {"step": kind, "due": to_db_time(due), "late_sent": late}
    unresolved = ticket.status in tickets.UNRESOLVED_STATUSES and ticket.paused_at is None
    supervisors = await people.with_role(conn, roles.SUPERVISOR)
    managers = await people.with_role(conn, roles.MANAGER)
    if kind == sla.AUTO_CONFIRM:
        if ticket.status == machine.COMPLETED:
            await onsite.close_automatically(conn, settings, ticket, now)
    elif kind in (sla.ASSIGN_WARN, sla.RESOLVE_WARN):
        target = ticket.assign_due_at if kind == sla.ASSIGN_WARN else ticket.deadline_at
        # after downtime the target may be missed already: then the alert says it all
        if unresolved and target > now and (kind == sla.RESOLVE_WARN
                                            or ticket.status == machine.NEW):
            # an emergency out of office hours: the supervisors who had it, not the desk alone
            night = ticket.priority == EMERGENCY and not settings.in_office_hours(now)
            await _send(conn, await machine.holders(conn, ticket) +
                        (supervisors if night else []), "sla_warning", ticket, now, payload)
    elif kind in (sla.ASSIGN_LATE, sla.RESOLVE_LATE, sla.VISIT_LATE):
        still = {sla.ASSIGN_LATE: ticket.status == machine.NEW,
                 sla.VISIT_LATE: ticket.status in (machine.ASSIGNED, machine.REOPENED)}
        if unresolved and still.get(kind, True):
            await _send(conn, await machine.holders(conn, ticket) + supervisors, "overdue_alert",
                        ticket, now, payload)
            # the note keeps the very deadline that was missed, whatever moves it later
            await tickets.add_event(conn, ticket.id, now, None, "overdue_" + kind,
                                    ticket.status, ticket.status, to_db_time(due))
    elif kind == sla.SIGNOFF_REMIND:
        await signoff.remind(conn, settings, ticket, now)
    elif kind in (sla.UNIT_REMIND, sla.UNIT_RESPONSE):
        if unresolved and ticket.contractor_id is not None and ticket.technician_id is None \
                and ticket.unit_sent_at is not None \
                and ticket.status in (machine.ASSIGNED, machine.REOPENED):
            missed = kind == sla.UNIT_RESPONSE
            await told.tell(conn, settings, "unit_response_missed" if missed
                            else "unit_response_soon", ticket, now, payload=payload)
            if missed:
                await tickets.add_event(conn, ticket.id, now, None, "overdue_" + kind,
                                        ticket.status, ticket.status, to_db_time(due))
    elif kind in (sla.ASSIGN_MANAGERS, sla.RESOLVE_MANAGERS):
        if unresolved and (kind == sla.RESOLVE_MANAGERS or ticket.status == machine.NEW):
            await _send(conn, managers, "overdue_alert", ticket, now, payload)
            await tickets.add_event(conn, ticket.id, now, None, "escalated_" + kind,
                                    ticket.status, ticket.status)
    elif kind == sla.REMIND_TECHNICIAN:
        if ticket.status in (machine.ASSIGNED, machine.REOPENED) and ticket.technician_id:
            technician = await people.get(conn, ticket.technician_id)
            if technician is not None:
                await _send(conn, [technician], "visit_reminder", ticket, now, payload)
    elif kind in sla.SURVEY_STEPS:
        await surveys.fire(conn, settings, ticket, kind, now)
    elif kind == sla.REMIND_RESIDENT:
        if ticket.status in (machine.ASSIGNED, machine.REOPENED):
            await outbox.add(conn, ticket.resident_id, "resident_visit_reminder", now,
                             ticket.id, payload)


async def _digest(conn, settings: EstateSettings, now: datetime, late: bool) -> None:
    await timers.reschedule(conn, timers.ESTATE, sla.DIGEST, _next_digest(settings, now))
    total, overdue, paused = await tickets.unresolved_counts(conn, now)
    today = now.astimezone(settings.tz).date().isoformat()
    payload = {
        "open": total, "overdue": overdue, "paused": paused, "late_sent": late,
        "visits": [t.id for t in await tickets.visits_on(conn, today, 20)],
        "oldest": [t.id for t in await tickets.oldest_unresolved(conn, DIGEST_LIST)],
        "unreachable": [p.user_id for p in await people.unreachable(conn)],
    }
    recipients = await people.reachable_with_role(conn, roles.SUPERVISOR) or \
        await people.reachable_with_role(conn, roles.MANAGER)
    for person in recipients:
        await outbox.add(conn, person.user_id, "digest", now, payload=payload)
