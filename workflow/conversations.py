"""One conversation at a time per person, never silently replaced: starting another while
one is in progress is refused (the person is asked to finish or drop it), and a conversation
left alone for a day expires."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from storage import drafts
from storage.db import Connection
from storage.records import Draft, Voice
from workflow import tickets as machine

DRAFT_LIFE = timedelta(hours=24)
DRAFT_KEEP = timedelta(days=7)  # an expired one is kept this long, to say it expired


class Busy(Exception):
    """Another conversation is in progress; `draft` is it."""

    def __init__(self, draft: Draft) -> None:
        super().__init__(draft.flow)
        self.draft = draft


def expired(draft: Draft, now: datetime) -> bool:
    return draft.updated_at is not None and draft.updated_at + DRAFT_LIFE <= now


def _same(old: Draft, new: Draft) -> bool:
    """Starting the very same thing again (a second tap on 'Complete' for the same job)."""
    ticket = new.data.get("ticket_id")
    return old.flow == new.flow and ticket is not None and old.data.get("ticket_id") == ticket


def reopen_step(draft: Draft, field: str, editable: tuple[str, ...]) -> Draft:
    """A report's summary sends the person back to change one answer (photos start over);
    the next answer returns to the summary."""
    if field not in editable:
        raise machine.Refusal(machine.Refusal.INVALID)
    data = {**draft.data, "editing": True}
    if field == "photos":
        data["photos"] = []
    return Draft(draft.user_id, draft.flow, field, data)


def voice_of(data: dict) -> Voice | None:
    """The voice note a report's draft holds, if the resident sent one."""
    found = data.get("voice")
    return Voice(found["kind"], found["file_id"], found["seconds"]) if found else None


def told(text: str, data: dict) -> str:
    """What a report says, for telling it apart from another: a voice note is its own."""
    found = data.get("voice")
    return f"{text} {found['file_id']}" if found else text


def moved_by(draft: Draft, update_id: int | str) -> bool:
    """Whether this update of the person's already moved their conversation: delivered again
    after a crash lost its replay mark, it is not the next step's answer."""
    return update_id in draft.data.get(drafts.MOVED_BY, ())


async def current(conn: Connection, user_id: int, now: datetime) -> Draft | None:
    draft = await drafts.get(conn, user_id)
    return None if draft is None or expired(draft, now) else draft


async def at_step(conn: Connection, user_id: int, flow: str, step: str,
                  now: datetime) -> Draft:
    """The person's conversation, which must be waiting for this answer: a second delivery
    of an answer already taken, or an old button, is refused and changes nothing."""
    draft = await current(conn, user_id, now)
    if draft is None or draft.flow != flow or draft.step != step:
        raise machine.Refusal(machine.Refusal.STALE)
    return draft


async def advance(conn: Connection, user_id: int, flow: str, step: str, to: str,
                  now: datetime, **answers) -> Draft:
    """One answer of a conversation, kept, and the next question: in the answer's own
    transaction, from the step it answers."""
    return await move_on(conn, await at_step(conn, user_id, flow, step, now), to, now,
                         **answers)


async def move_on(conn: Connection, draft: Draft, to: str, now: datetime,
                  **answers) -> Draft:
    """advance, from the draft at_step has just read in this transaction (not read again)."""
    moved = Draft(draft.user_id, draft.flow, to, {**draft.data, **answers})
    await drafts.put(conn, moved, now)
    return moved


async def begin(conn: Connection, new: Draft, now: datetime) -> None:
    """Starts a conversation; raises Busy when another one is in progress."""
    old = await current(conn, new.user_id, now)
    if old is not None and not _same(old, new):
        raise Busy(old)
    await drafts.put(conn, new, now)


async def begin_if_free(conn: Connection, new: Draft, now: datetime) -> bool:
    """Starts a conversation only if none is in progress (an optional follow-up question)."""
    old = await current(conn, new.user_id, now)
    if old is not None and not _same(old, new):
        return False
    await drafts.put(conn, new, now)
    return True


async def forget_expired(conn: Connection, now: datetime) -> None:
    await drafts.delete_before(conn, now - DRAFT_KEEP)
    await drafts.forget_filed_before(conn, now - DRAFT_KEEP)


# A draft that files a record carries an id of its own, and its "Confirm" button carries it
# too: a second tap, or the same tap delivered again after a crash between the filing's
# commit and its answer, finds what the draft became and answers with its reference.
DRAFT_ID = "draft"


def new_id() -> str:
    return secrets.token_hex(4)


async def finish(conn: Connection, draft: Draft, kind: str, record_id: int,
                 now: datetime) -> None:
    """The draft filed as a record: it ends, and what it became is remembered (a week)."""
    await drafts.delete(conn, draft.user_id)
    if draft.data.get(DRAFT_ID):
        await drafts.filed(conn, draft.user_id, draft.data[DRAFT_ID], kind, record_id, now)


async def became(conn: Connection, user_id: int, draft_id: str | None,
                 kind: str) -> int | None:
    """The record the person's draft `draft_id` was filed as, if it was."""
    return await drafts.became(conn, user_id, draft_id, kind) if draft_id else None
