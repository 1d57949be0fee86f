"""A photo first: a resident who simply sends a photo of the leak, with no conversation open,
is offered to report it. Accepting starts a repair report (or a complaint) with the photo
attached and the caption as the description, so only what is missing is asked."""

from __future__ import annotations

from datetime import datetime

from storage import drafts, people
from storage.db import Database
from storage.records import Draft
from workflow import conversations, limits
from workflow import tickets as machine
from workflow.complaints import complaints
from workflow.repairs import report
from workflow.settings import EstateSettings
from workflow.tickets import Kind

FLOW = "photo_first"
MAX_PHOTOS = min(report.MAX_PHOTOS, complaints.MAX_PHOTOS)
LEFT_OUT = "left_out"  # photos over MAX_PHOTOS: the report begins by saying so


async def offer(db: Database, user_id: int, file_id: str, caption: str | None,
                album: str | None, now: datetime) -> bool:
    """Keeps the photo with an offer to report it. True when the person is to be asked;
    False when the photo joins an offer already made for its album (one question per album).
    Raises conversations.Busy when another conversation is in progress."""
    async with db.transaction() as conn:
        current = await conversations.current(conn, user_id, now)
        if current is not None and current.flow == FLOW:
            data = current.data
            fits = len(data["photos"]) < MAX_PHOTOS
            photos = data["photos"] + ([file_id] if fits else [])
            same_album = album is not None and data.get("album") == album
            await drafts.put(conn, Draft(user_id, FLOW, "offer", {
                **data, "photos": photos, "caption": data.get("caption") or caption,
                "album": album, LEFT_OUT: data.get(LEFT_OUT, 0) + (not fits)}), now)
            return not same_album
        await conversations.begin(conn, Draft(user_id, FLOW, "offer", {
            "photos": [file_id], "caption": caption, "album": album}), now)
        return True


async def accept(db: Database, settings: EstateSettings, user_id: int, kind: str,
                 now: datetime) -> tuple[Draft, int]:
    """The offer taken: a repair report or a complaint begins, the photos attached and the
    caption as the description (when it fits); its first unanswered question is next. With
    how many photos were left out, over the limit."""
    async with db.transaction() as conn:
        offered = await conversations.at_step(conn, user_id, FLOW, "offer", now)
        units = await people.units_of(conn, user_id)
        if not units:
            raise machine.Refusal(machine.Refusal.FORBIDDEN)
        await limits.check_daily(conn, settings, user_id, now, at_submit=True)  # ends the offer
        flow = report if kind == Kind.REPAIR else complaints
        started = flow.start(user_id, [u.id for u in units])
        data = {**started.data, "photos": offered.data["photos"]}
        caption = (offered.data.get("caption") or "").strip()
        field, limit = ("description", report.MAX_DESCRIPTION) if kind == Kind.REPAIR \
            else ("text", complaints.MAX_TEXT)
        if caption and len(caption) <= limit:
            data[field] = caption
        begun = Draft(user_id, started.flow, started.step, data)
        await drafts.put(conn, begun, now)
        return begun, offered.data.get(LEFT_OUT, 0)


async def decline(db: Database, user_id: int, now: datetime) -> None:
    async with db.transaction() as conn:
        await conversations.at_step(conn, user_id, FLOW, "offer", now)
        await drafts.delete(conn, user_id)
