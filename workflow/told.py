"""Who is told of what: one table of the desk's events and, for each, the audiences that hear
of it and the notice each audience gets. A workflow function that changes a ticket calls
`tell` with its event; nobody needs to read the handlers to know who hears of a
reassignment. `tests/test_who_is_told.py` checks the table row by row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from storage import outbox, people, roster
from storage.db import Connection
from storage.records import Person, RosterEntry, Ticket
from storage.repairs import followers
from workflow import phones, roles
from workflow import tickets as machine
from workflow.settings import PUBLIC_AREAS, EstateSettings

UnitRoster = tuple[list[RosterEntry], list[Person]]  # a unit's roster entries and residents


class To(StrEnum):
    RESIDENT = "resident"  # who reported it (or for whom the desk filed it)
    FOLLOWERS = "followers"  # residents who follow a public-area report
    OWNER = "owner"  # the owners of the unit (on Telegram or not), when a tenant reported it
    HOLDER = "holder"  # the technician who holds the job now
    PREVIOUS_HOLDER = "previous_holder"  # the technician who held it before this event
    HOLDERS = "holders"  # the holder; a routed complaint's department heads; else the desk
    UNIT = "unit"  # every person in the chat of the responsible unit the job is with
    PREVIOUS_UNIT = "previous_unit"  # the responsible unit it was with before this event
    CLERKS = "clerks"  # the desk: its clerks (else supervisors, else managers)
    DEPARTMENT_HEAD = "department_head"  # a routed complaint's department supervisors
    SUPERVISORS = "supervisors"
    MANAGERS = "managers"
    ON_DUTY = "on_duty"  # the member of staff the settings name on duty out of hours
    # the one person asked to phone a resident without Telegram about a step: by
    # settings.phone_calls_by, the holder or the desk (the clerk who acted, else one of it)
    PHONER = "phoner"
    # the desk's one person (the clerk who acted, else one of it), whatever phone_calls_by
    # says: for an answer only the desk records ("is it fixed?")
    DESK_PHONER = "desk_phoner"
    # the people a personal-data incident could have exposed, reachable in a chat (the drill
    # lists them: workflow/privacy/breach.py); the others are phoned by the office
    AFFECTED = "affected"


class When(StrEnum):
    ALWAYS = "always"
    DAY = "day"  # within the office hours
    NIGHT = "night"  # out of the office hours


@dataclass(frozen=True)
class Told:
    to: To
    notice: str  # the outbox kind: what this audience reads
    when: When = When.ALWAYS


A, DAY, NIGHT = When.ALWAYS, When.DAY, When.NIGHT

# event -> who hears of it, and which notice. The first row naming a person wins: nobody
# hears of one event twice, and the person who acted is not told of their own action.
TOLD: dict[str, tuple[Told, ...]] = {
    "reported": (Told(To.CLERKS, "dispatch"),
                 Told(To.OWNER, "owner_informed")),
    "emergency_reported": (Told(To.SUPERVISORS, "emergency_night", NIGHT),
                           Told(To.ON_DUTY, "emergency_night", NIGHT)),
    "assigned": (Told(To.HOLDER, "task_assigned"),
                 Told(To.UNIT, "unit_job"),
                 Told(To.PREVIOUS_HOLDER, "task_withdrawn"),
                 Told(To.PREVIOUS_UNIT, "unit_job_withdrawn"),
                 Told(To.RESIDENT, "resident_assigned"),
                 Told(To.FOLLOWERS, "resident_assigned")),
    "unit_taken": (Told(To.UNIT, "unit_job_taken"),),
    # an emergency declined out of office hours: the desk is not there to decide
    "emergency_declined": (Told(To.SUPERVISORS, "unit_declined", NIGHT),
                           Told(To.ON_DUTY, "unit_declined", NIGHT)),
    "unit_declined": (Told(To.CLERKS, "unit_declined"),
                      Told(To.PREVIOUS_UNIT, "unit_job_declined")),
    "unit_response_soon": (Told(To.UNIT, "unit_job_reminder"),),
    "unit_response_missed": (Told(To.UNIT, "unit_window_passed"),
                             Told(To.CLERKS, "overdue_alert"),
                             Told(To.SUPERVISORS, "overdue_alert")),
    "visit_proposed": (Told(To.RESIDENT, "visit_proposed"),),
    "visit_confirmed": (Told(To.HOLDER, "visit_confirmed"),),
    "visit_chosen": (Told(To.HOLDER, "visit_chosen"),),
    "affected_raised": (Told(To.HOLDERS, "affected_raised"),),
    "en_route": (Told(To.RESIDENT, "resident_en_route"),
                 Told(To.FOLLOWERS, "resident_en_route")),
    "arrived": (Told(To.RESIDENT, "resident_arrived"),
                Told(To.FOLLOWERS, "resident_arrived")),
    "deadline_extended": (Told(To.HOLDER, "deadline_extended"),),
    # a tenant's job: its owner hears it is done, and gets the repair form to sign
    "completed": (Told(To.RESIDENT, "signoff_request"),
                  Told(To.FOLLOWERS, "follower_completed"),
                  Told(To.OWNER, "owner_completed")),
    "form_waiting": (Told(To.OWNER, "owner_signoff_form"),),
    "reopened": (Told(To.HOLDER, "task_reopened"),
                 Told(To.CLERKS, "desk_reopened"),
                 Told(To.SUPERVISORS, "desk_reopened")),
    "confirmed": (Told(To.HOLDER, "task_confirmed"),),
    "auto_confirmed": (Told(To.RESIDENT, "auto_confirmed"),),
    # a low rating or an alerting chip, in the chat or taken by phone with /callback (the
    # payload's "call"): the supervisors, who may open the follow-up complaint
    "low_rating": (Told(To.SUPERVISORS, "low_rating"),),
    # a notice a resident on the roster without Telegram could not get: one person is asked
    # to phone them, never after office hours (held to the next opening: delivery.py)
    "phone_resident": (Told(To.PHONER, "unreachable"),),
    # ... asking whether the repair holds: the desk, who records the answer
    "phone_resident_answer": (Told(To.DESK_PHONER, "unreachable"),),
    # a complaint routed: its department's heads, and the resident (a new date when late)
    "complaint_routed": (Told(To.DEPARTMENT_HEAD, "complaint_routed"),
                         Told(To.RESIDENT, "complaint_with_department")),
}

# The estate's events that are about no ticket: who hears, which notice (`tell_estate`).
ESTATE_TOLD: dict[str, tuple[Told, ...]] = {
    # a personal-data breach drill (個人資料保護法 Art. 12): each person it could have
    # exposed, in their language; the managers, of the incident and its 72-hour clock
    "breach_found": (Told(To.AFFECTED, "breach_notice"),),
    "breach_opened": (Told(To.MANAGERS, "breach_opened"),),
    # 48 hours on, people still not told; 72 hours on, the incident not closed
    "breach_untold": (Told(To.MANAGERS, "breach_untold"),),
    "breach_overdue": (Told(To.MANAGERS, "breach_overdue"),),
    # LINE's month (workflow/line_budget.py): 80% of the plan's messages pushed; then the
    # cap, where the desk starts holding progress notes back; each once a month
    "line_quota_warning": (Told(To.MANAGERS, "line_quota_warning"),),
    "line_quota_cap": (Told(To.MANAGERS, "line_quota_cap"),),
}


# A person's requests about their own data (個人資料保護法 Arts. 3, 11, 13): no ticket; the
# requester (RESIDENT) and the desk's roles hear of them (tell_of_person).
TOLD_OF_PERSON: dict[str, tuple[Told, ...]] = {
    "privacy_filed": (Told(To.CLERKS, "privacy_filed"),),
    "privacy_due_soon": (Told(To.MANAGERS, "privacy_due_soon"),
                         Told(To.SUPERVISORS, "privacy_due_soon")),
    "privacy_overdue": (Told(To.MANAGERS, "privacy_overdue"),
                        Told(To.SUPERVISORS, "privacy_overdue"),
                        Told(To.CLERKS, "privacy_overdue")),
    "privacy_extended": (Told(To.RESIDENT, "privacy_extended"),),
    "privacy_decided": (Told(To.RESIDENT, "privacy_decided"),),
}
PERSON_AUDIENCES = (To.RESIDENT, To.CLERKS, To.SUPERVISORS, To.MANAGERS)


async def audience(conn: Connection, settings: EstateSettings, to: To, ticket: Ticket,
                   before: Ticket | None, *, prefer: int | None = None,
                   now: datetime | None = None, known: Mapping[int, Person] | None = None,
                   following: Sequence[int] | None = None,
                   unit_roster: UnitRoster | None = None) -> list[Person]:
    """The people of one audience of a ticket, reachable ones standing in for staff who
    blocked the bot. `prefer`: for PHONER, who acted (asked first if they may). `known`,
    `following`, `unit_roster`: as tell's."""
    known = known or {}

    async def person(user_id: int) -> Person | None:
        return known[user_id] if user_id in known else await people.get(conn, user_id)

    if to == To.AFFECTED:
        return []  # an incident's people, never a ticket's (tell_estate)
    if to == To.PHONER:
        return await phoner(conn, settings, ticket, prefer)
    if to == To.DESK_PHONER:
        return await phoner(conn, settings, ticket, prefer, by="desk")
    if to == To.RESIDENT:
        found = await person(ticket.resident_id)
        return [found] if found else []
    if to == To.FOLLOWERS:
        users = following if following is not None else [
            user for user, _ in await followers.of_ticket(conn, ticket.id)]
        return [p for user in users if (p := await person(user)) is not None]
    if to == To.OWNER:
        return await owners(conn, settings, ticket, now or ticket.created_at, unit_roster)
    if to in (To.HOLDER, To.PREVIOUS_HOLDER):
        held = ticket if to == To.HOLDER else before
        if held is None or held.technician_id is None or \
                (to == To.PREVIOUS_HOLDER and held.technician_id == ticket.technician_id):
            return []
        found = await person(held.technician_id)
        return [found] if found and found.active else []
    if to in (To.UNIT, To.PREVIOUS_UNIT):
        held = ticket if to == To.UNIT else before
        if held is None or held.contractor_id is None or \
                (to == To.PREVIOUS_UNIT and held.contractor_id == ticket.contractor_id):
            return []
        return await people.of_contractor(conn, held.contractor_id)
    if to == To.HOLDERS:
        return await machine.holders(conn, ticket)
    if to == To.CLERKS:
        return await _standing_in(conn, await machine.desk(conn))
    if to == To.DEPARTMENT_HEAD:
        return await _standing_in(conn, await machine.department_heads(conn, ticket.department))
    if to == To.ON_DUTY:
        return await on_duty(conn, settings)
    role = roles.SUPERVISOR if to == To.SUPERVISORS else roles.MANAGER
    return await _standing_in(conn, await people.with_role(conn, role))


async def on_duty(conn: Connection, settings: EstateSettings) -> list[Person]:
    """The member of staff the settings name on duty, by name or by phone (nobody when it is
    a number none of the staff has: the resident is told to call it)."""
    named = settings.on_duty.strip()
    if not named:
        return []
    key = phones.phone_key(named)
    return [p for p in await people.staff(conn, roles.STAFF_ROLES)
            if p.name == named or (key and p.phone and phones.phone_key(p.phone) == key)]


async def owners(conn: Connection, settings: EstateSettings, ticket: Ticket,
                 now: datetime, unit_roster: UnitRoster | None = None) -> list[Person]:
    """The owners of the unit (by the roster's owners' numbers), when the one who reported
    the job is not one of them: a tenant's job (a public place's is nobody's). An owner on
    the roster without Telegram is one too: the desk is asked to phone them. `unit_roster`:
    the unit's roster and residents, when the caller has read them."""
    if ticket.category == PUBLIC_AREAS:
        return []
    listed, residents = unit_roster if unit_roster is not None else \
        await roster.with_residents(conn, ticket.unit.id)
    found = await unit_owners(conn, ticket, listed, residents)
    entries = [e for e in listed if e.relation == "owner" and e.phone]
    if any(p.user_id == ticket.resident_id for p in found) or \
            ticket.resident_id in {-e.id for e in entries}:
        return []
    on_chat = {phones.phone_key(p.phone) for p in found if p.phone}
    for entry in entries:
        if phones.phone_key(entry.phone) in on_chat:
            continue
        user_id = await people.ensure_without_telegram(conn, entry.id, entry.name, entry.phone,
                                                       settings.default_language, now)
        await people.link_unit(conn, user_id, ticket.unit.id, now)
        off_chat = await people.get(conn, user_id)
        if off_chat is not None and off_chat.active:
            found.append(off_chat)
    return found


async def phoner(conn: Connection, settings: EstateSettings, ticket: Ticket,
                 prefer: int | None, by: str | None = None) -> list[Person]:
    """One person: the holder (technician; else whoever holds the job, the desk for a
    contractor's), or the desk's clerk who acted, else its first reachable one; `by`:
    "desk" or "holder" instead of settings.phone_calls_by."""
    staff = await machine.holders(conn, ticket) if (by or settings.phone_calls_by) == \
        "holder" else await machine.desk(conn)
    found = await _standing_in(conn, staff)
    return ([p for p in found if p.user_id == prefer] or found)[:1]


async def unit_owners(conn: Connection, ticket: Ticket,
                      entries: list[RosterEntry] | None = None,
                      residents: list[Person] | None = None) -> list[Person]:
    """Every owner of the ticket's unit on the chat, by the roster's owners' numbers (the
    reporter too, when they are one): who may sign the repair form as its owner. `entries`:
    the unit's roster, and `residents` its people, when the caller has read them."""
    if entries is None:
        entries = await roster.entries_of_unit(conn, ticket.unit.id)
    keys = {e.phone and phones.phone_key(e.phone) for e in entries if e.relation == "owner"}
    if residents is None:
        residents = await people.residents_of_unit(conn, ticket.unit.id)
    return [p for p in residents
            if p.phone and phones.phone_key(p.phone) in keys]


async def _standing_in(conn: Connection, staff: list[Person]) -> list[Person]:
    """A member of staff who blocked the bot is replaced by a reachable one of their role."""
    found = []
    for person in staff:
        if not person.unreachable:
            found.append(person)
        elif person.role is not None:
            found.extend((await people.reachable_with_role(conn, person.role))[:1])
    return found


def applies(row: Told, settings: EstateSettings, now: datetime) -> bool:
    if row.when == When.ALWAYS:
        return True
    return settings.in_office_hours(now) == (row.when == When.DAY)


async def tell(conn: Connection, settings: EstateSettings, event: str, ticket: Ticket,
               now: datetime, *, actor_id: int | None = None, payload: dict | None = None,
               before: Ticket | None = None, prefer: int | None = None,
               not_before: datetime | None = None, known: Mapping[int, Person] | None = None,
               following: Sequence[int] | None = None,
               unit_roster: UnitRoster | None = None) -> dict[int, str]:
    """Writes the event's notices to the outbox (in the caller's transaction): who got which.
    `not_before`: held until then (a request to phone, at night). `known` and `following`:
    the ticket's people and followers as the caller has just read them (its file), so they
    are not read again; `unit_roster`, its unit's roster and residents likewise."""
    told: dict[int, str] = {}
    notices = []  # written in one statement once everyone is known
    for row in TOLD[event]:
        if not applies(row, settings, now):
            continue
        held = not_before
        if row.to == To.OWNER:  # told of a tenant's job, not woken by it: after the quiet hours
            held = max(held or now, after_quiet_hours(settings, now))
        for person in await audience(conn, settings, row.to, ticket, before, prefer=prefer,
                                     now=now, known=known, following=following,
                                     unit_roster=unit_roster):
            if person.user_id in told or person.user_id == actor_id:
                continue
            told[person.user_id] = row.notice
            notices.append((person.user_id, row.notice, now, ticket.id, payload, actor_id,
                            None if held == now else held))
    await outbox.add_many(conn, notices)
    return told


async def tell_of_person(conn: Connection, event: str, person_id: int, now: datetime, *,
                         actor_id: int | None = None, payload: dict | None = None
                         ) -> dict[int, str]:
    """tell, for an event about a person rather than a ticket (TOLD_OF_PERSON)."""
    told: dict[int, str] = {}
    notices = []
    for row in TOLD_OF_PERSON[event]:
        if row.to == To.RESIDENT:
            found = await people.get(conn, person_id)
            audience = [found] if found is not None else []
        elif row.to == To.CLERKS:
            audience = await _standing_in(conn, await machine.desk(conn))
        else:
            audience = await _standing_in(conn, await people.with_role(
                conn, roles.SUPERVISOR if row.to == To.SUPERVISORS else roles.MANAGER))
        for person in audience:
            if person.user_id in told or person.user_id == actor_id:
                continue
            told[person.user_id] = row.notice
            notices.append((person.user_id, row.notice, now, None, payload, actor_id, None))
    await outbox.add_many(conn, notices)
    return told


def after_quiet_hours(settings: EstateSettings, moment: datetime) -> datetime:
    """The same moment, or the end of the quiet hours it falls in."""
    local = moment.astimezone(settings.tz)
    if not settings.in_quiet_hours(local.time().replace(tzinfo=None)):
        return moment
    end = datetime.combine(local.date(), settings.quiet_end, settings.tz)
    return end if end > local else end + timedelta(days=1)


async def tell_estate(conn: Connection, settings: EstateSettings, event: str, now: datetime,
                      *, payload: dict | None = None, affected: Sequence[int] = ()
                      ) -> dict[int, int]:
    """An estate event's notices (ESTATE_TOLD), each to the outbox in the caller's
    transaction: who got one, with its message's id (the first row naming a person wins).
    `affected`: the people of To.AFFECTED, whose notices wait for the quiet hours' end."""
    told: dict[int, int] = {}
    for row in ESTATE_TOLD[event]:
        if not applies(row, settings, now):
            continue
        held = None
        if row.to == To.AFFECTED:  # residents, told of it, not woken by it
            found = list(affected)
            held = after_quiet_hours(settings, now)
        elif row.to in (To.MANAGERS, To.SUPERVISORS, To.CLERKS):
            staff = await machine.desk(conn) if row.to == To.CLERKS else \
                await people.with_role(conn, roles.MANAGER if row.to == To.MANAGERS
                                       else roles.SUPERVISOR)
            found = [p.user_id for p in await _standing_in(conn, staff)]
        else:
            raise ValueError(f"{row.to} is an audience of a ticket, not of the estate")
        for user_id in found:
            if user_id not in told:
                told[user_id] = await outbox.add_returning_id(
                    conn, user_id, row.notice, now, payload,
                    None if held is None or held == now else held)
    return told


def audiences(event: str) -> list[tuple[str, str, str]]:
    """The table as text, for the README and the tests: (audience, notice, when)."""
    rows = TOLD.get(event) or TOLD_OF_PERSON.get(event) or ESTATE_TOLD[event]
    return [(row.to.value, row.notice, row.when.value) for row in rows]
