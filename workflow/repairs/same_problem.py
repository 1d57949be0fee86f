"""One fault, many callers. A resident reporting in a public place is first shown the
place's reports still being handled; choosing one makes them its follower (told every
update, asked for their own survey) instead of filing it again. The number affected can
raise the priority; the desk merges a duplicate into the report it repeats."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from storage import drafts, outbox, roster, tickets
from storage.db import Connection, Database
from storage.records import Draft, Ticket
from storage.repairs import followers
from workflow import access, conversations, sla, told
from workflow import tickets as machine
from workflow.repairs import report
from workflow.settings import NORMAL, URGENT, EstateSettings
from workflow.tickets import Kind

MATCHES_SHOWN = 5
ALBUM_LIMIT = 10  # Telegram's album: a kept report shows at most this many photos
Refusal = machine.Refusal


def typed_place(text: str) -> str:
    """A place typed rather than picked, as compared with the next resident's: 'Lift C' and
    ' lift  c' are one place."""
    return "~" + " ".join(unicodedata.normalize("NFKC", text).casefold().split())


async def choose_place(db: Database, user_id: int, place: str, label: str,
                       now: datetime) -> tuple[Draft, list[Ticket]]:
    """The public place of a report (a listed key, or typed_place of the text), and the
    reports of that place in the resident's building still being handled, shown first."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, user_id, report.FLOW, "location", now)
        if not report.public(draft.data):
            raise Refusal(Refusal.STALE)
        unit = await roster.get_unit(conn, draft.data["unit_id"])
        assert unit is not None  # the draft's unit is the resident's own
        found = await tickets.unresolved_at_place(conn, unit.building, place, Kind.REPAIR,
                                                  MATCHES_SHOWN)
        moved = report.advance(draft, location=label, place=place,
                               matches=[t.id for t in found])
        await drafts.put(conn, moved, now)
        return moved, found


async def follow(db: Database, settings: EstateSettings, user_id: int, ticket_id: int,
                 now: datetime) -> tuple[Ticket, int]:
    """'Same problem': the resident follows that report instead of filing a new one (their
    own report, picked again, stays theirs). Only a report they were shown: of their
    building's same public place, still being handled. The desk taking a call does this
    for the caller's resident. Returns the ticket and who follows it."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, user_id, report.FLOW, "same", now)
        behalf = draft.data.get("on_behalf")
        if behalf is not None:
            await access.require(conn, "repairs.merge", user_id)
        follower = behalf["resident_id"] if behalf is not None else user_id
        if ticket_id not in draft.data.get("matches", []):
            raise Refusal(Refusal.FORBIDDEN)  # a forged or foreign reference
        ticket = await machine.load(conn, ticket_id)
        unit = await roster.get_unit(conn, draft.data["unit_id"])
        assert unit is not None
        if await followers.place_of(conn, ticket.id) != (unit.building, draft.data["place"]):
            raise Refusal(Refusal.FORBIDDEN)
        if ticket.status not in tickets.UNRESOLVED_STATUSES:
            raise Refusal(Refusal.STALE)  # fixed meanwhile: they may still report anew
        if await join(conn, settings, ticket, follower, unit.id, followers.SAME_PROBLEM,
                      user_id, now):
            await raise_for_affected(conn, settings, ticket.id, now)
        await drafts.delete(conn, user_id)
        return await machine.load(conn, ticket.id), follower


async def join(conn: Connection, settings: EstateSettings, ticket: Ticket, user_id: int,
               unit_id: int, via: str, actor_id: int, now: datetime) -> bool:
    """A resident follows the ticket (audited); False if it is already theirs to follow."""
    if user_id == ticket.resident_id or \
            not await followers.add(conn, ticket.id, user_id, unit_id, via, now):
        return False
    if via == followers.SAME_PROBLEM:
        unit = await roster.get_unit(conn, unit_id)
        await tickets.add_event(conn, ticket.id, now, actor_id, "follower_added",
                                ticket.status, ticket.status, unit.label if unit else "")
    return True


async def affected(conn: Connection, ticket_id: int) -> int:
    """The residents a fault affects: its reporter and its followers."""
    return 1 + await followers.count(conn, ticket_id)


async def raise_for_affected(conn: Connection, settings: EstateSettings, ticket_id: int,
                             now: datetime) -> bool:
    """A normal fault that enough residents report becomes urgent (the setting
    affected_urgent; 0 never), audited with the count; its holders are told."""
    ticket = await machine.load(conn, ticket_id)
    count = await affected(conn, ticket_id)
    if not settings.affected_urgent or count < settings.affected_urgent or \
            ticket.priority != NORMAL or ticket.status not in tickets.UNRESOLVED_STATUSES:
        return False
    await sla.set_priority(conn, settings, ticket, URGENT, None, now, "priority_raised",
                           f"{NORMAL} → {URGENT} ({count})")
    await told.tell(conn, settings, "affected_raised", ticket, now, payload={"count": count})
    return True


async def mergeable(conn: Connection, duplicate: Ticket, kept: Ticket) -> bool:
    """Two different repair reports of one problem, both still being handled: of the same
    unit, or of the same public place. (A complaint is a person's own: never merged.)"""
    if duplicate.id == kept.id or duplicate.kind != Kind.REPAIR or kept.kind != Kind.REPAIR or \
            duplicate.status not in tickets.UNRESOLVED_STATUSES or \
            kept.status not in tickets.UNRESOLVED_STATUSES:
        return False
    if duplicate.unit.id == kept.unit.id:
        return True
    place = await followers.place_of(conn, duplicate.id)
    return place is not None and place == await followers.place_of(conn, kept.id)


async def merge_candidates(db: Database, ticket_id: int, actor_id: int) -> list[Ticket]:
    """The reports a ticket may be merged into, the newest first."""
    async with db.reading() as conn:
        await access.require(conn, "repairs.merge", actor_id)
        ticket = await machine.load(conn, ticket_id)
        found = await tickets.unresolved_of_unit(conn, ticket.unit.id, ticket.kind,
                                                 MATCHES_SHOWN + 1)
        place = await followers.place_of(conn, ticket.id)
        if place is not None:
            found += await tickets.unresolved_at_place(conn, *place, ticket.kind,
                                                       MATCHES_SHOWN + 1)
        unique = {t.id: t for t in found if t.id != ticket.id}
        return sorted(unique.values(), key=lambda t: -t.id)[:MATCHES_SHOWN]


async def merge(db: Database, settings: EstateSettings, duplicate_id: int, kept_id: int,
                actor_id: int, now: datetime, seen: int | None = None) -> Ticket:
    """The duplicate closes as such, linked to the kept report; its reporter, its followers
    and its photos go to the kept one; everyone concerned is told."""
    async with db.transaction() as conn:
        await access.require(conn, "repairs.merge", actor_id)
        duplicate = machine.as_seen(await machine.load(conn, duplicate_id), seen)
        kept = await machine.load(conn, kept_id)
        if not await mergeable(conn, duplicate, kept):
            raise Refusal(Refusal.INVALID)
        await machine.transition(conn, duplicate, machine.MERGED, actor_id, now, "merged",
                                 kept.ref)
        await tickets.update_fields(conn, duplicate.id, now, duplicate_of=kept.id)
        await tickets.add_event(conn, kept.id, now, actor_id, "merged_in", kept.status,
                                kept.status, duplicate.ref)
        moving = [(duplicate.resident_id, duplicate.unit.id),
                  *await followers.of_ticket(conn, duplicate.id)]
        for user_id, unit_id in moving:
            await join(conn, settings, kept, user_id, unit_id, followers.MERGED, actor_id, now)
        await _move_description(conn, duplicate.id, kept.id)
        await sla.arm(conn, settings, duplicate.id, now)  # no more timers of its own
        if not await raise_for_affected(conn, settings, kept.id, now):
            await sla.arm(conn, settings, kept.id, now)
        for user_id, _ in moving:
            await outbox.add(conn, user_id, "merged_away", now, duplicate.id,
                             {"kept": kept.ref}, actor_id=actor_id)
        await outbox.add(conn, kept.resident_id, "merged_in", now, kept.id,
                         {"duplicate": duplicate.ref}, actor_id=actor_id)
        if duplicate.technician_id is not None and duplicate.technician_id != kept.technician_id:
            await outbox.add(conn, duplicate.technician_id, "task_merged", now, duplicate.id,
                             {"kept": kept.ref}, actor_id=actor_id)
        return await machine.load(conn, kept.id)


async def _move_description(conn: Connection, duplicate_id: int, kept_id: int) -> None:
    """The duplicate's photos (as many as an album holds) and voice note join the kept's."""
    kept_photos = await tickets.photos(conn, kept_id, "report")
    more = (await tickets.photos(conn, duplicate_id, "report"))[:ALBUM_LIMIT - len(kept_photos)]
    if more:
        await tickets.add_photos_from(conn, kept_id, "report", len(kept_photos), more)
    voice = await tickets.voice(conn, duplicate_id)
    if voice is not None and await tickets.voice(conn, kept_id) is None:
        await tickets.add_voice(conn, kept_id, voice)
