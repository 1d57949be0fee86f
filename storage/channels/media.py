"""Files the desk keeps itself (migration 44): what a person sent on a channel whose app
deletes it after a while (LINE), and files the desk made to show by a link (a channel that
cannot send files). A kept file is named by the ref `media:<n>`, which tickets and drafts hold
as they hold a Telegram file id. Erasure deletes a person's own (by their chat account) and
those of their tickets; the retention sweep those of the tickets it forgets
(storage/privacy/erasure.py); the desk's own go when their link expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, to_db_time
from storage.records import Account

PREFIX = "media:"
MAX_BYTES = 20 * 2 ** 20  # LINE's own limit for an image is 10 MB; a video may be more


class TooLarge(ValueError):
    """A file over MAX_BYTES: not kept."""


@dataclass(frozen=True, slots=True)
class Kept:
    data: bytes
    name: str
    content_type: str


def ref_of(media_id: int) -> str:
    return f"{PREFIX}{media_id}"


def id_of(ref: str) -> int | None:
    """The kept file's number, or None for a ref that is not the desk's own."""
    if not isinstance(ref, str) or not ref.startswith(PREFIX):
        return None
    number = ref[len(PREFIX):]
    return int(number) if number.isdigit() and len(number) < 19 else None


async def by_origin(conn: Connection, origin: str) -> int | None:
    """The file kept already from the channel's own message (a webhook delivered again)."""
    row = await (await conn.execute("SELECT id FROM media WHERE origin = ?",
                                    (origin,))).fetchone()
    return row[0] if row else None


async def keep(conn: Connection, data: bytes, name: str, content_type: str, now: datetime, *,
               origin: str | None = None, sender: Account | None = None,
               expires_at: datetime | None = None) -> int:
    """Keeps the bytes; their number. `origin` (the channel's id of the message) keeps a
    message's file once; `sender` is whose it is (None: the desk made it, and it goes at
    `expires_at`)."""
    if len(data) > MAX_BYTES:
        raise TooLarge(f"{len(data)} bytes: more than {MAX_BYTES}")
    if origin is not None:
        found = await by_origin(conn, origin)
        if found is not None:
            return found
    cur = await conn.execute(
        "INSERT INTO media (origin, channel, external_id, name, content_type, size, data, "
        "kept_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (origin, sender.channel if sender else None, sender.external_id if sender else None,
         name[:200], content_type[:100], len(data), data, to_db_time(now),
         to_db_time(expires_at) if expires_at is not None else None))
    return cur.lastrowid


async def get(conn: Connection, media_id: int) -> Kept | None:
    row = await (await conn.execute("SELECT data, name, content_type FROM media WHERE id = ?",
                                    (media_id,))).fetchone()
    return Kept(bytes(row[0]), row[1], row[2]) if row else None


async def forget_expired(conn: Connection, now: datetime) -> int:
    """The desk's own files past their link's time."""
    cur = await conn.execute("DELETE FROM media WHERE expires_at IS NOT NULL AND expires_at < ?",
                             (to_db_time(now),))
    return max(cur.rowcount, 0)
