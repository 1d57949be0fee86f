"""The breach drill (個人資料保護法 Art. 12, as amended in 2025: notify the people affected and
report; the draft rule asks for 72 hours when 100 or more records are involved).

`open_incident` lists the people the described incident could have exposed, records the
incident and each person, queues the notice for those reachable in a chat and alerts the
managers, all in one transaction; the same command run again finds the incident it opened
and tells nobody twice. The sweep (`sweep`, the privacy door's timer) records when each
chat notice was delivered, and alerts the managers at 48 hours if people are still untold
and at 72 hours if the incident is not closed, each once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import roster
from storage.db import Database
from storage.privacy import access_log, breaches
from storage.privacy.breaches import CHAT, PHONE, Exposed, Incident, Listed
from workflow import told
from workflow.settings import EstateSettings

__all__ = ["CHAT", "PHONE", "Exposed", "Incident", "Listed"]

DEADLINE = timedelta(hours=72)  # the draft rule's, from the drill's command
WARNING = timedelta(hours=48)  # people still untold by then: the managers hear
DRILL = "estatedesk privacy breach"  # why the office opened their data (the access log)
LONGEST = 1000  # characters of what happened: a notice fits a chat message
MANY = 100  # records at or above which the draft rule's 72-hour report applies
KINDS = tuple(breaches.HOLDS)  # names, phones, units, tickets, photos, voice, ...


class Refused(Exception):
    """A drill that cannot be run as asked (an unknown kind or unit): nothing is written."""


@dataclass(frozen=True)
class Selection:
    """How the people are chosen: active at or after `since`, holding one of `kinds` of
    data (none: any), linked to one of `units` (none: any)."""
    since: datetime
    kinds: tuple[str, ...] = ()
    units: tuple[str, ...] = ()  # as 'A 12F-3'

    def described(self, settings: EstateSettings) -> str:
        local = self.since.astimezone(settings.tz)
        return "; ".join([f"active since {local:%Y-%m-%d %H:%M} ({settings.timezone})",
                          "kinds: " + (", ".join(self.kinds) or "all"),
                          "units: " + (", ".join(self.units) or "all")])


@dataclass(frozen=True)
class Opened:
    incident: Incident
    people: list[Exposed]
    again: bool  # the same command had opened it before: nothing new was written
    managers: int  # managers alerted (0: none in the chat to alert)


def unit_of(text: str) -> tuple[str, str]:
    """'A-12F-3' or 'A 12F-3' as (building, unit)."""
    text = text.strip()
    for separator in (" ", "-"):
        if separator in text:
            building, unit = text.split(separator, 1)
            if building.strip() and unit.strip():
                return building.strip(), unit.strip()
    raise Refused(f"{text!r} is not a unit such as A-12F-3")


async def _unit_ids(conn, selection: Selection) -> list[int]:
    found = []
    for label in selection.units:
        building, unit = unit_of(label)
        known = await roster.find_unit(conn, building, unit)
        if known is None:
            raise Refused(f"there is no unit {building} {unit}")
        found.append(known.id)
    return found


def _check(selection: Selection) -> None:
    unknown = [k for k in selection.kinds if k not in KINDS]
    if unknown:
        raise Refused(f"unknown kind {', '.join(unknown)}; choose from {','.join(KINDS)}")


async def exposed(db: Database, selection: Selection) -> list[Exposed]:
    """The people the incident could have exposed (what --dry-run lists)."""
    _check(selection)
    async with db.reading() as conn:
        return await breaches.exposed(conn, selection.since, selection.kinds,
                                      await _unit_ids(conn, selection))


async def open_incident(db: Database, settings: EstateSettings, selection: Selection,
                        what: str, what_in: dict[str, str], now: datetime) -> Opened:
    """Records the incident and its people, queues each reachable person's notice and
    alerts the managers, in one transaction; a rerun of the same command (an open incident
    with the same selection and description) answers that incident and writes nothing."""
    _check(selection)
    kinds, units = ",".join(selection.kinds), ",".join(selection.units)
    async with db.transaction() as conn:
        again = await breaches.open_like(conn, selection.since, what, kinds, units)
        if again is not None:
            incident = await breaches.get(conn, again)
            assert incident is not None
            return Opened(incident, [], True, 0)
        found = await breaches.exposed(conn, selection.since, selection.kinds,
                                       await _unit_ids(conn, selection))
        incident_id = await breaches.insert(
            conn, now=now, described=selection.described(settings), since=selection.since,
            what=what, what_in=what_in, kinds=kinds, units=units, count=len(found),
            due_at=now + DEADLINE, warn_at=now + WARNING)
        payload = {"incident": incident_id}
        sent = await told.tell_estate(conn, settings, "breach_found", now, payload=payload,
                                      affected=[p.person_id for p in found if p.way == CHAT])
        for person in found:
            await breaches.add_person(conn, incident_id, person.person_id, person.way,
                                      sent.get(person.person_id))
        managers = await told.tell_estate(conn, settings, "breach_opened", now,
                                          payload=payload)
        incident = await breaches.get(conn, incident_id)
        assert incident is not None
        # the list to phone is printed with their names and phones: opened, and logged so
        await access_log.record(conn, None, [p.person_id for p in found if p.way == PHONE],
                                access_log.EXPORT, incident.reference, DRILL, now)
        return Opened(incident, found, False, len(managers))


async def incidents(db: Database) -> list[Incident]:
    async with db.reading() as conn:
        return await breaches.every(conn)


async def incident(db: Database, incident_id: int, now: datetime | None = None
                   ) -> tuple[Incident, list[Listed]] | None:
    """The incident and its people; `now`: they are shown to the office (the access log
    says so)."""
    async with db.reading() as conn:
        found = await breaches.get(conn, incident_id)
        if found is None:
            return None
        listed = await breaches.listed(conn, incident_id)
    if now is not None and listed:
        async with db.transaction() as conn:
            await access_log.record(conn, None, [p.person_id for p in listed],
                                    access_log.EXPORT, found.reference, DRILL + " show", now)
    return found, listed


async def mark_told(db: Database, incident_id: int, person_ids: Sequence[int], how: str,
                    now: datetime) -> dict[int, bool | None]:
    """People told another way (a call), each: True marked now, False told already, None
    not on the incident's list."""
    async with db.transaction() as conn:
        return {p: await breaches.mark_told(conn, incident_id, p, how, now)
                for p in dict.fromkeys(person_ids)}


async def close(db: Database, incident_id: int, note: str, now: datetime) -> bool:
    async with db.transaction() as conn:
        return await breaches.close(conn, incident_id, now, note)


async def sweep(db: Database, settings: EstateSettings, now: datetime) -> int:
    """The privacy door's timer: one read when no incident is open. Records the chat
    notices delivered; fires each open incident's 48- and 72-hour steps once (a step that
    fell due while the desk was down fires at the first sweep)."""
    async with db.reading() as conn:
        clocks = await breaches.open_clocks(conn)
        if not clocks:
            return 0
        delivered = await breaches.delivered_unrecorded(conn)
    due = [(c.id, "warn") for c in clocks if not c.warned and c.warn_at <= now] + \
        [(c.id, "late") for c in clocks if not c.overdue and c.due_at <= now]
    if not due and not delivered:
        return 0
    fired = 0
    async with db.transaction() as conn:
        await breaches.record_delivered(conn)
        for incident_id, step in due:
            payload = {"incident": incident_id}
            if step == "warn":
                if not await breaches.mark_warned(conn, incident_id, now):
                    continue
                found = await breaches.get(conn, incident_id)
                if found is not None and found.untold:
                    await told.tell_estate(conn, settings, "breach_untold", now,
                                           payload=payload)
            elif await breaches.mark_overdue(conn, incident_id, now):
                await told.tell_estate(conn, settings, "breach_overdue", now, payload=payload)
            else:
                continue
            fired += 1
    return fired
