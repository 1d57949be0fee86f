"""A resident adds a message, a photo or a voice note to an open ticket of theirs; the holder
is told."""

from __future__ import annotations

from datetime import datetime

from storage import drafts, outbox, tickets
from storage.db import Database
from storage.records import Draft, Ticket
from workflow import access, conversations
from workflow import tickets as machine

FLOW = "addendum"
MAX_TEXT = 1000


async def start(db: Database, ticket_id: int, resident_id: int, now: datetime) -> Ticket:
    async with db.transaction() as conn:
        ticket = await machine.load(conn, ticket_id)
        await access.require(conn, "tickets.add", resident_id, ticket.id)
        if ticket.status not in machine.OPEN:
            raise machine.Refusal(machine.Refusal.STALE)
        await conversations.begin(conn, Draft(resident_id, FLOW, "content",
                                              {"ticket_id": ticket.id}),
                         now)
        return ticket


async def add(db: Database, resident_id: int, now: datetime, text: str = "",
              photo: str | None = None, voice: dict | None = None) -> Ticket | None:
    async with db.transaction() as conn:
        draft = await drafts.get(conn, resident_id)
        if draft is None or draft.flow != FLOW:
            return None
        await drafts.delete(conn, resident_id)
        ticket = await machine.load(conn, draft.data["ticket_id"])
        if ticket.resident_id != resident_id or ticket.status not in machine.OPEN:
            return None
        if photo:
            extra = await tickets.photos(conn, ticket.id, "extra")
            await tickets.add_photos_from(conn, ticket.id, "extra", len(extra), [photo])
        await tickets.add_event(conn, ticket.id, now, resident_id, "resident_added",
                                ticket.status, ticket.status, text)
        for holder in await machine.holders(conn, ticket):
            await outbox.add(conn, holder.user_id, "resident_added", now, ticket.id,
                             {"text": text, "photo": photo, "voice": voice})
        return ticket
