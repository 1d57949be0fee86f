"""Who among the staff opened a person's data, when and why (個人資料保護法, Art. 27 practice):
written as it happens, read by the person (/mydata) and the office (`estatedesk privacy log`);
nothing in the bot edits or deletes a row (the retention sweep alone drops rows past their
time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from storage import people
from storage.db import Connection, db_time, to_db_time
from storage.records import Person

# What was opened (`what`): a person's record, a ticket's details with their contact, a
# document carrying personal data, an export.
RECORD, TICKET, DOCUMENT, EXPORT = "record", "ticket", "document", "export"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # `since` when none is given


@dataclass(frozen=True)
class Access:
    at: datetime
    viewer_id: int | None  # None: the office's command line
    person_id: int
    what: str
    reference: str  # the ticket's number, the document's name
    why: str  # the job or the command that opened it


async def record(conn: Connection, viewer_id: int | None, person_ids: list[int], what: str,
                 reference: str, why: str, now: datetime) -> None:
    """One row per person whose data was opened (a document may carry many)."""
    if not person_ids:
        return
    await conn.executemany(
        "INSERT INTO access_log (at, viewer_id, person_id, what, reference, why) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(to_db_time(now), viewer_id, p, what, reference, why)
         for p in dict.fromkeys(person_ids)])


async def of_person(conn: Connection, person_id: int, limit: int = 200,
                    since: datetime | None = None) -> list[Access]:
    """Newest first; `since`: from that moment on."""
    cur = await conn.execute(
        "SELECT at, viewer_id, person_id, what, reference, why FROM access_log "
        "WHERE person_id = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT ?",
        (person_id, to_db_time(since or EPOCH), limit))
    return [Access(db_time(r[0]), r[1], r[2], r[3], r[4], r[5])
            for r in await cur.fetchall()]


# The oldest rows first, read through the index on `at`: the minute's sweep never walks
# the years of rows it keeps (tests/test_sweep_plan.py).
DROP_QUERY = ("DELETE FROM access_log WHERE id IN (SELECT id FROM access_log WHERE at < ? "
              "ORDER BY at LIMIT ?)")


async def drop_before(conn: Connection, before: datetime, batch: int) -> int:
    """The retention sweep's: rows older than the setting, a batch at a time."""
    cur = await conn.execute(DROP_QUERY, (to_db_time(before), batch))
    return cur.rowcount


async def reporters_between(conn: Connection, start: datetime, end: datetime) -> list[int]:
    """The residents named by the repair ledger of a period (storage/office/ledger.py's rows:
    repairs reported between the two moments)."""
    cur = await conn.execute(
        "SELECT DISTINCT resident_id FROM tickets WHERE kind = 'R' AND created_at >= ? AND "
        "created_at < ? AND resident_id IS NOT NULL", (to_db_time(start), to_db_time(end)))
    return [r[0] for r in await cur.fetchall()]


async def people_named(conn: Connection, user_id: int | None, name: str,
                       phone_tail: str) -> list[Person]:
    """Who `estatedesk privacy log --person` may mean: the id, the name as written (any
    case), or a phone ending in these digits (a few, for a typed number may hold dashes:
    the caller compares the whole number)."""
    by_phone = " OR phone LIKE ?" if phone_tail else ""
    cur = await conn.execute(
        f"SELECT {people.COLUMNS} FROM people WHERE user_id = ? OR lower(name) = lower(?)"
        f"{by_phone} ORDER BY user_id",
        (user_id if user_id is not None else 0, name.strip(),
         *((f"%{phone_tail}",) if phone_tail else ())))
    return [people.from_row(r) for r in await cur.fetchall()]
