"""The archive (檔案管理): its items, each change to one, readings and loans, and checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, db_time, from_db_time, to_db_time


@dataclass(frozen=True)
class Item:
    id: int
    code: str
    title: str
    kind: str
    location: str
    confidentiality: str
    loan_id: int | None


@dataclass(frozen=True)
class Loan:
    id: int
    item_id: int
    requester_id: int
    reason: str
    inspection: bool
    state: str
    decided_by: int | None
    requested_at: datetime
    out_at: datetime | None
    due_at: datetime | None
    returned_at: datetime | None
    reminded_at: datetime | None
    on_site: bool = False  # read in the archive room: it does not leave, has no due time
    refusal: str | None = None  # why a manager refused it


@dataclass(frozen=True)
class Change:
    at: datetime
    actor_id: int | None
    source: str | None  # who, when no person of the chat made it: an import
    what: str


_ITEM = "SELECT id, code, title, kind, location, confidentiality, loan_id FROM archive_items"
_LOAN = ("SELECT id, item_id, requester_id, reason, inspection, state, decided_by, "
         "requested_at, out_at, due_at, returned_at, reminded_at, on_site, refusal FROM "
         "archive_loans")


def _loan(r) -> Loan:
    return Loan(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], db_time(r[7]),
                from_db_time(r[8]), from_db_time(r[9]), from_db_time(r[10]),
                from_db_time(r[11]), bool(r[12]), r[13])


async def item_by_code(conn: Connection, code: str) -> Item | None:
    row = await (await conn.execute(f"{_ITEM} WHERE code = ?", (code,))).fetchone()
    return Item(*row) if row else None


async def item(conn: Connection, item_id: int) -> Item | None:
    row = await (await conn.execute(f"{_ITEM} WHERE id = ?", (item_id,))).fetchone()
    return Item(*row) if row else None


async def save_item(conn: Connection, code: str, title: str, kind: str, location: str,
                    confidentiality: str, actor_id: int | None, now: datetime,
                    source: str | None = None) -> bool:
    """Adds or updates an item; what changed is recorded (what, who, when). True if new."""
    known = await item_by_code(conn, code)
    if known is None:
        cur = await conn.execute(
            "INSERT INTO archive_items (code, title, kind, location, confidentiality) VALUES "
            "(?, ?, ?, ?, ?)", (code, title, kind, location, confidentiality))
        await change(conn, cur.lastrowid, actor_id, now, "added", source)
        return True
    before = {"title": known.title, "kind": known.kind, "location": known.location,
              "confidentiality": known.confidentiality}
    after = {"title": title, "kind": kind, "location": location,
             "confidentiality": confidentiality}
    moved = [f"{k}: {before[k]} → {after[k]}" for k in before if before[k] != after[k]]
    if moved:
        await conn.send("UPDATE archive_items SET title = ?, kind = ?, location = ?, "
                           "confidentiality = ? WHERE id = ?",
                           (title, kind, location, confidentiality, known.id))
        await change(conn, known.id, actor_id, now, "; ".join(moved), source)
    return False


async def change(conn: Connection, item_id: int, actor_id: int | None, now: datetime,
                 what: str, source: str | None = None) -> None:
    await conn.send("INSERT INTO archive_changes (item_id, at, actor_id, what, source) "
                       "VALUES (?, ?, ?, ?, ?)",
                       (item_id, to_db_time(now), actor_id, what, source))


async def changes(conn: Connection, item_id: int) -> list[Change]:
    cur = await conn.execute("SELECT at, actor_id, source, what FROM archive_changes WHERE "
                             "item_id = ? ORDER BY id", (item_id,))
    return [Change(db_time(r[0]), r[1], r[2], r[3]) for r in await cur.fetchall()]


async def add_loan(conn: Connection, item_id: int, requester_id: int, reason: str,
                   inspection: bool, state: str, now: datetime,
                   decided_by: int | None = None, on_site: bool = False) -> int:
    cur = await conn.execute(
        "INSERT INTO archive_loans (item_id, requester_id, reason, inspection, state, "
        "decided_by, requested_at, on_site) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (item_id, requester_id, reason, int(inspection), state, decided_by, to_db_time(now),
         int(on_site)))
    return cur.lastrowid


async def loan(conn: Connection, loan_id: int) -> Loan | None:
    row = await (await conn.execute(f"{_LOAN} WHERE id = ?", (loan_id,))).fetchone()
    return _loan(row) if row else None


async def loans_in(conn: Connection, states: tuple[str, ...]) -> list[Loan]:
    marks = ",".join("?" * len(states))
    cur = await conn.execute(f"{_LOAN} WHERE state IN ({marks}) ORDER BY id", states)
    return [_loan(r) for r in await cur.fetchall()]


async def move(conn: Connection, loan_id: int, before: str, after: str,
               **fields: object) -> bool:
    """Compare-and-set on the loan's state."""
    values = {k: (to_db_time(v) if isinstance(v, datetime) else v) for k, v in fields.items()}
    sets = "".join(f", {k} = ?" for k in values)
    cur = await conn.execute(
        f"UPDATE archive_loans SET state = ?{sets} WHERE id = ? AND state = ?",
        (after, *values.values(), loan_id, before))
    return cur.rowcount == 1


async def set_out(conn: Connection, item_id: int, loan_id: int | None) -> bool:
    """The item leaves the archive (False if it is already out), or comes back (None)."""
    if loan_id is None:
        await conn.send("UPDATE archive_items SET loan_id = NULL WHERE id = ?", (item_id,))
        return True
    cur = await conn.execute("UPDATE archive_items SET loan_id = ? WHERE id = ? AND loan_id IS "
                             "NULL", (loan_id, item_id))
    return cur.rowcount == 1


async def mark_reminded(conn: Connection, loan_id: int, now: datetime) -> bool:
    cur = await conn.execute("UPDATE archive_loans SET reminded_at = ? WHERE id = ? AND "
                             "reminded_at IS NULL", (to_db_time(now), loan_id))
    return cur.rowcount == 1


async def add_check(conn: Connection, actor_id: int, result: str, in_order: bool,
                    now: datetime) -> None:
    await conn.send("INSERT INTO archive_checks (at, actor_id, result, in_order) VALUES "
                       "(?, ?, ?, ?)", (to_db_time(now), actor_id, result, int(in_order)))


async def last_check(conn: Connection) -> datetime | None:
    row = await (await conn.execute("SELECT max(at) FROM archive_checks")).fetchone()
    return from_db_time(row[0])


async def first_item_at(conn: Connection) -> datetime | None:
    """When the archive began (its first item): the first check is due from then."""
    row = await (await conn.execute("SELECT min(at) FROM archive_changes")).fetchone()
    return from_db_time(row[0])
