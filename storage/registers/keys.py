"""The key register (鑰匙管理): keys by kind with their tags, the emergency spare sets, and
loans with the keys each one carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, db_time, from_db_time, to_db_time


@dataclass(frozen=True)
class Key:
    id: int
    tag: str
    kind: str
    label: str
    unit_id: int | None
    spare: bool
    loan_id: int | None  # the loan it is out on
    copies: str | None = None  # a spare: the tag of the key it copies


@dataclass(frozen=True)
class Loan:
    id: int
    borrower_id: int
    reason: str
    ticket_id: int | None
    unit_id: int | None
    state: str
    emergency: bool
    decided_by: int | None
    requested_at: datetime
    out_at: datetime | None
    due_at: datetime | None
    returned_at: datetime | None
    reminded_at: datetime | None
    escalated_at: datetime | None
    handed_out_by: int | None = None
    taken_back_by: int | None = None


_KEY = "SELECT id, tag, kind, label, unit_id, spare, loan_id, copies FROM keys"
_LOAN = ("SELECT id, borrower_id, reason, ticket_id, unit_id, state, emergency, decided_by, "
         "requested_at, out_at, due_at, returned_at, reminded_at, escalated_at, handed_out_by, "
         "taken_back_by FROM key_loans")


def _key(r) -> Key:
    return Key(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7])


def _loan(r) -> Loan:
    return Loan(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], db_time(r[8]),
                from_db_time(r[9]), from_db_time(r[10]), from_db_time(r[11]),
                from_db_time(r[12]), from_db_time(r[13]), r[14], r[15])


async def upsert(conn: Connection, tag: str, kind: str, label: str, unit_id: int | None,
                 spare: bool, copies: str | None = None) -> bool:
    """True when the tag is new."""
    cur = await conn.execute("UPDATE keys SET kind = ?, label = ?, unit_id = ?, spare = ?, "
                             "copies = ? WHERE tag = ?",
                             (kind, label, unit_id, int(spare), copies, tag))
    if cur.rowcount:
        return False
    await conn.send("INSERT INTO keys (tag, kind, label, unit_id, spare, copies) VALUES "
                       "(?, ?, ?, ?, ?, ?)", (tag, kind, label, unit_id, int(spare), copies))
    return True


async def tags(conn: Connection) -> set[str]:
    cur = await conn.execute("SELECT tag FROM keys WHERE spare = 0")
    return {r[0] for r in await cur.fetchall()}


async def by_tag(conn: Connection, tag: str) -> Key | None:
    row = await (await conn.execute(f"{_KEY} WHERE tag = ?", (tag,))).fetchone()
    return _key(row) if row else None


async def of_unit(conn: Connection, unit_id: int) -> list[Key]:
    cur = await conn.execute(f"{_KEY} WHERE unit_id = ? AND spare = 0 ORDER BY kind, tag",
                             (unit_id,))
    return [_key(r) for r in await cur.fetchall()]


async def every(conn: Connection) -> list[Key]:
    cur = await conn.execute(f"{_KEY} ORDER BY kind, tag")
    return [_key(r) for r in await cur.fetchall()]


async def of_loan(conn: Connection, loan_id: int) -> list[Key]:
    cur = await conn.execute(f"{_KEY} WHERE id IN (SELECT key_id FROM key_loan_items WHERE "
                             "loan_id = ?) ORDER BY kind, tag", (loan_id,))
    return [_key(r) for r in await cur.fetchall()]


async def add_loan(conn: Connection, borrower_id: int, reason: str, ticket_id: int | None,
                   unit_id: int | None, state: str, key_ids: list[int], now: datetime,
                   emergency: bool = False, decided_by: int | None = None) -> int:
    cur = await conn.execute(
        "INSERT INTO key_loans (borrower_id, reason, ticket_id, unit_id, state, emergency, "
        "decided_by, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (borrower_id, reason, ticket_id, unit_id, state, int(emergency), decided_by,
         to_db_time(now)))
    loan_id = cur.lastrowid
    await conn.executemany("INSERT INTO key_loan_items (loan_id, key_id) VALUES (?, ?)",
                           [(loan_id, k) for k in key_ids])
    return loan_id


async def loan(conn: Connection, loan_id: int) -> Loan | None:
    row = await (await conn.execute(f"{_LOAN} WHERE id = ?", (loan_id,))).fetchone()
    return _loan(row) if row else None


async def loans_in(conn: Connection, states: tuple[str, ...]) -> list[Loan]:
    marks = ",".join("?" * len(states))
    cur = await conn.execute(f"{_LOAN} WHERE state IN ({marks}) ORDER BY id", states)
    return [_loan(r) for r in await cur.fetchall()]


async def move(conn: Connection, loan_id: int, before: str, after: str,
               **fields: object) -> bool:
    """Compare-and-set on the loan's state: a double tap moves it once."""
    values = {k: (to_db_time(v) if isinstance(v, datetime) else v) for k, v in fields.items()}
    sets = "".join(f", {k} = ?" for k in values)
    cur = await conn.execute(f"UPDATE key_loans SET state = ?{sets} WHERE id = ? AND state = ?",
                             (after, *values.values(), loan_id, before))
    return cur.rowcount == 1


async def mark(conn: Connection, loan_id: int, column: str, now: datetime) -> bool:
    assert column in ("reminded_at", "escalated_at")
    cur = await conn.execute(f"UPDATE key_loans SET {column} = ? WHERE id = ? AND {column} IS "
                             "NULL", (to_db_time(now), loan_id))
    return cur.rowcount == 1


async def hand_out(conn: Connection, loan_id: int) -> bool:
    """The loan's keys leave the cabinet: False if any is already out on another loan."""
    cur = await conn.execute("UPDATE keys SET loan_id = ? WHERE id IN (SELECT key_id FROM "
                             "key_loan_items WHERE loan_id = ?) AND loan_id IS NULL",
                             (loan_id, loan_id))
    total = await (await conn.execute("SELECT count(*) FROM key_loan_items WHERE loan_id = ?",
                                      (loan_id,))).fetchone()
    return cur.rowcount == total[0]


async def bring_back(conn: Connection, loan_id: int) -> None:
    await conn.send("UPDATE keys SET loan_id = NULL WHERE loan_id = ?", (loan_id,))


async def history(conn: Connection, key_id: int | None = None,
                  unit_id: int | None = None) -> list[tuple[Loan, list[Key]]]:
    """The loans that went out (of one key, of one unit's keys, or all), newest first, each
    with its keys: who asked, who handed out, when back and to whom."""
    where = "out_at IS NOT NULL"
    args: tuple = ()
    if key_id is not None:
        where += " AND id IN (SELECT loan_id FROM key_loan_items WHERE key_id = ?)"
        args = (key_id,)
    elif unit_id is not None:
        where += (" AND id IN (SELECT i.loan_id FROM key_loan_items i JOIN keys k ON "
                  "k.id = i.key_id WHERE k.unit_id = ?)")
        args = (unit_id,)
    cur = await conn.execute(f"{_LOAN} WHERE {where} ORDER BY out_at DESC, id DESC", args)
    loans = [_loan(r) for r in await cur.fetchall()]
    if not loans:
        return []
    marks = ",".join("?" * len(loans))
    cur = await conn.execute(
        f"SELECT i.loan_id, k.id, k.tag, k.kind, k.label, k.unit_id, k.spare, k.loan_id, "
        f"k.copies FROM key_loan_items i JOIN keys k ON k.id = i.key_id WHERE i.loan_id IN "
        f"({marks}) ORDER BY k.kind, k.tag", tuple(loan.id for loan in loans))
    found: dict[int, list[Key]] = {}
    for r in await cur.fetchall():
        found.setdefault(r[0], []).append(_key(r[1:]))
    return [(loan, found.get(loan.id, [])) for loan in loans]
