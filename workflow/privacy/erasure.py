"""Deleting a person's data (個人資料保護法 Art. 11: on request, or when the purpose ends): what
the estate must keep stays, anonymous (tickets, payments, bills and settlements keep their
unit, category, dates, amounts and reference); everything else of theirs goes. One
transaction per person; erasing someone already erased changes nothing.

The desk keeps no files of a person on disk (photos and voice notes are the channel's file
ids, documents are made when asked and sent): forgetting the ids is forgetting the files
the desk can reach. What LINE people sent is kept in the database (storage/channels/media.py, since
LINE deletes it): those rows go with the person's chat account and with their tickets."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, Database
from storage.privacy import erasure as store
from workflow import phones, roles

# The anonymous number lands somewhere in this many numbers past the highest id, so it
# does not tell whose number was the last one given before it.
ID_GAP = 1_000


@dataclass(frozen=True)
class Erased:
    person_id: int | None  # the anonymous number the records now name (None: nobody)
    deleted: int = 0  # rows deleted
    anonymised: int = 0  # rows kept without the person's names, phones and text
    rekeyed: int = 0  # references moved to the anonymous number
    tickets: int = 0  # the person's tickets kept, anonymous


async def erase_person(db: Database, person_id: int, now: datetime) -> Erased:
    """Forgets the person (a granted request, the office's command, the retention sweep)."""
    async with db.transaction() as conn:
        erased = await erase_in(conn, person_id, now)
    if erased.person_id is not None:
        await db.checkpoint(truncate=True)  # no page of the person left in SQLite's log
    return erased


async def erase_in(conn: Connection, person_id: int, now: datetime) -> Erased:
    """`erase_person` in the caller's transaction. `now` is when: the person's later
    messages find nobody, as a stranger's would."""
    found = await store.find(conn, person_id)
    if found is None:
        return Erased(None)
    key = phones.phone_key(found.phone) if found.phone else None
    key = key or None
    on_roster = await store.roster_of(conn, found.roster_ids, key)
    contracts = await store.contracts_of(conn, person_id, key)
    units = [*await store.units_of(conn, person_id), *(r[1] for r in on_roster),
             *(c[1] for c in contracts)]
    names = [found.name, *(r[2] for r in on_roster), *(c[2] for c in contracts)]
    label = store.FORMER_STAFF if roles.is_staff(found.role) else store.ERASED
    anonymous = await store.new_id(conn, secrets.randbelow(ID_GAP))
    counts = await store.erase(
        conn, person_id, anonymous, label, now, names=[n for n in names if n not in
                                                  (store.ERASED, store.FORMER_STAFF)],
        phone_key=key, units=units, roster_ids=[r[0] for r in on_roster],
        contracts=[c[0] for c in contracts], accounts=found.accounts)
    return Erased(anonymous, counts.deleted, counts.anonymised, counts.rekeyed,
                  len(counts.tickets))
