"""Who was shown which version of the estate's privacy notice (個人資料保護法, Art. 8) and who
accepted it: one row a person and version, on the chat account it was shown on. A stranger
has no row (nor any other record) until they accept; a person shown a new version has a row
with no `accepted_at` until they tap that they have read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from storage.db import Connection, db_time, from_db_time, to_db_time
from storage.records import Account


@dataclass(frozen=True)
class Seen:
    person_id: int
    version: str
    channel: str
    external_id: str
    shown_at: datetime
    accepted_at: datetime | None


# person -> the version known to be shown to them, per database (a process's own memory:
# every update of a person who saw the current version would otherwise cost a query).
# Only what a committed row says is kept, so another worker's copy is never wrong, only
# missing; the rows are never changed back.
_known: WeakKeyDictionary[object, dict[int, str]] = WeakKeyDictionary()
_MOST = 100_000


def known(db: object, person_id: int) -> str | None:
    return _known.get(db, {}).get(person_id)


def remember(db: object, person_id: int, version: str) -> None:
    found = _known.setdefault(db, {})
    if len(found) >= _MOST:
        found.clear()
    found[person_id] = version


async def shown(conn: Connection, person_id: int, version: str, account: Account,
                now: datetime, accepted: bool) -> bool:
    """The version shown to the person (and accepted, when `accepted`); False when it had
    been shown already (a row stays as first written, save its acceptance)."""
    cur = await conn.execute(
        "INSERT INTO notice_acceptances (person_id, version, channel, external_id, shown_at, "
        "accepted_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (person_id, version) DO NOTHING",
        (person_id, version, account.channel, account.external_id, to_db_time(now),
         to_db_time(now) if accepted else None))
    return cur.rowcount == 1


async def accept(conn: Connection, person_id: int, version: str, account: Account,
                 now: datetime) -> bool:
    """The person tapped that they read the version shown to them; False when they had
    already (the first acceptance stays)."""
    if await shown(conn, person_id, version, account, now, accepted=True):
        return True
    cur = await conn.execute(
        "UPDATE notice_acceptances SET accepted_at = ?, channel = ?, external_id = ? "
        "WHERE person_id = ? AND version = ? AND accepted_at IS NULL",
        (to_db_time(now), account.channel, account.external_id, person_id, version))
    return cur.rowcount == 1


async def get(conn: Connection, person_id: int, version: str) -> Seen | None:
    row = await (await conn.execute(
        "SELECT person_id, version, channel, external_id, shown_at, accepted_at "
        "FROM notice_acceptances WHERE person_id = ? AND version = ?",
        (person_id, version))).fetchone()
    return _seen(row) if row else None


async def of_person(conn: Connection, person_id: int) -> list[Seen]:
    """Every version shown to the person, oldest first (for /mydata and the office)."""
    cur = await conn.execute(
        "SELECT person_id, version, channel, external_id, shown_at, accepted_at "
        "FROM notice_acceptances WHERE person_id = ? ORDER BY shown_at, id", (person_id,))
    return [_seen(r) for r in await cur.fetchall()]


def _seen(row) -> Seen:
    return Seen(row[0], row[1], row[2], row[3], db_time(row[4]), from_db_time(row[5]))
