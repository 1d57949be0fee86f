"""Announcements to the estate. Managers and clerks write one (text, with a photo or a
document), choose who receives it (everyone, a building, a floor, owners only), see it as it
will arrive, and send it now, at a set time, or every year on that day (seasonal advice).
The recipients are fixed when sending starts; each one's delivery is recorded, marked before
the message goes, so a restart resumes without sending anything twice (a message cut off
by a crash is reported as not known to have arrived, never sent again)."""

from __future__ import annotations

from datetime import datetime

from storage import outbox
from storage.community import announcements
from storage.community.announcements import Announcement
from storage.db import Connection, Database
from storage.privacy import requests as privacy_requests
from storage.records import Draft
from workflow import access, conversations, phones, roles
from workflow import tickets as machine
from workflow.privacy import need_to_know

AUTHORS = roles.DISPATCHERS
FLOW = "announce"
MAX_TEXT = 3000
PENDING, SENDING, SENT, BLOCKED, FAILED = "pending", "sending", "sent", "blocked", "failed"
Refusal = machine.Refusal


def audience_ok(audience: str) -> bool:
    kind, _, rest = audience.partition(":")
    return (kind in ("all", "owners") and not rest) or (kind == "building" and bool(rest)) or \
        (kind == "floor" and rest.count(":") == 1 and all(rest.split(":")))


def floor_of(unit: str) -> str:
    """A unit's floor as the roster writes it: 12F of 12F-3."""
    return unit.split("-", 1)[0]


def _chosen(audience: str, building: str, unit: str, phone: str | None,
            owners: list[str]) -> bool:
    kind, _, rest = audience.partition(":")
    if kind == "building":
        return building == rest
    if kind == "floor":
        wanted_building, floor = rest.split(":")
        return building == wanted_building and floor_of(unit) == floor
    if kind == "owners":
        return phone is not None and phones.phone_key(phone) in owners
    return True


async def household_named(db: Database, text: str) -> str | None:
    """What in an announcement's text names a household (a unit, a resident), or None: an
    announcement never does (個人資料保護法; an arrears list posted to the estate is the
    case the Act names)."""
    async with db.reading() as conn:
        return await need_to_know.household_named(conn, text)


def start(author_id: int) -> Draft:
    return Draft(author_id, FLOW, "content", {conversations.DRAFT_ID: conversations.new_id()})


async def create(db: Database, author_id: int, send_at: datetime, yearly: bool,
                 now: datetime, draft_id: str | None = None) -> Announcement:
    """The previewed announcement (the author's conversation holds it) is scheduled, and the
    conversation ends, in one transaction. The draft `draft_id` (the button's) created
    already: that announcement."""
    async with db.transaction() as conn:
        await access.require(conn, "announcements.write", author_id)
        made = await conversations.became(conn, author_id, draft_id, FLOW)
        if made is not None:
            earlier = await announcements.get(conn, made)
            assert earlier is not None
            return earlier
        draft = await conversations.at_step(conn, author_id, FLOW, "preview", now)
        data = draft.data
        if not audience_ok(data.get("audience", "")) or not data.get("text", "").strip():
            raise Refusal(Refusal.INVALID)
        found = await announcements.get(conn, await announcements.add(
            conn, author_id, data["text"], data.get("photo"), data.get("document"),
            data["audience"], max(send_at, now), yearly, now))
        assert found is not None
        await conversations.finish(conn, draft, FLOW, found.id, now)
        return found


async def _start(conn: Connection, found: Announcement) -> None:
    """Sending begins: the recipients are fixed now (one message a person, even with two
    units), and a yearly one is planned again for next year."""
    chosen: dict[int, str] = {}
    stopped = await privacy_requests.stopped(conn)  # asked us to stop using their data
    for user, building, unit, phone, owners in await announcements.audience(conn):
        if user not in chosen and user not in stopped and \
                _chosen(found.audience, building, unit, phone, owners):
            chosen[user] = f"{building} {unit}"
    await announcements.add_recipients(conn, found.id, sorted(chosen.items()))
    await announcements.set_state(conn, found.id, "scheduled", SENDING)
    if found.yearly:
        await announcements.add(conn, found.author_id, found.text, found.photo, found.document,
                                found.audience, found.send_at.replace(
                                    year=found.send_at.year + 1), True, found.send_at)


async def next_batch(db: Database, now: datetime,
                     size: int) -> tuple[Announcement, list[tuple[int, str]]] | None:
    """The next recipients to send to, already marked as being sent (durably: a crash after
    this never sends them again). None when nothing is to be sent, or when the outbox has
    messages waiting: a broadcast never holds up an alert or an answer."""
    async with db.reading() as conn:
        if await outbox.due(conn, now, 1):
            return None
        found = await announcements.next_to_send(conn, now)
    if found is None:
        return None
    async with db.transaction() as conn:
        if found.state == "scheduled":
            await _start(conn, found)
        batch = await announcements.pending(conn, found.id, size)
        for user_id, _ in batch:
            await announcements.mark(conn, found.id, user_id, PENDING, SENDING)
        return found, batch


async def delivered(db: Database, announcement_id: int, results: dict[int, str]) -> None:
    """How each send went (sent, blocked, failed; pending again when Telegram asked to slow
    down before it went), in one transaction, without a sync: a power cut loses only these
    marks, never a resend."""
    async with db.transaction(durable=False) as conn:
        for user_id, state in results.items():
            await announcements.mark(conn, announcement_id, user_id, SENDING, state)


async def finish(db: Database, found: Announcement) -> tuple[dict[str, int], list[str]] | None:
    """When every recipient has been tried: done, with the report (counts by outcome, and the
    units that must be told another way). None while some are still pending."""
    async with db.transaction() as conn:
        if await announcements.pending(conn, found.id, 1):
            return None
        if not await announcements.set_state(conn, found.id, SENDING, "done"):
            return None
        return (await announcements.counts(conn, found.id),
                await announcements.not_reached(conn, found.id))


async def progress(db: Database, announcement_id: int) -> dict[str, int]:
    async with db.reading() as conn:
        return await announcements.counts(conn, announcement_id)


async def remember_progress_message(db: Database, announcement_id: int,
                                    message_id: int) -> None:
    async with db.transaction(durable=False) as conn:
        await announcements.set_progress_message(conn, announcement_id, message_id)
