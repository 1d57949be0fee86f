"""A person's chat accounts: the channel (Telegram, later LINE) and the channel's own id of
them there. A person has their own id (`people.user_id`) and one or more accounts; every
chat account is turned into a person here, and a person into the account to send to (the
one they chose for the desk's notices). One-time codes link a second account."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from storage import people, sender
from storage.db import Connection, from_db_time, to_db_time
from storage.records import Account, Person

TELEGRAM = "telegram"
CODE_DIGITS = 6


@dataclass(frozen=True)
class Linked:
    """One of a person's accounts: since when, and whether it hears the desk's notices."""
    account: Account
    chosen: bool
    linked_at: datetime


@functools.lru_cache(maxsize=4096)  # twice an update, for the same few thousand people
def telegram(user_id: int | str) -> Account:
    """A Telegram account: its user id, kept as text as every channel's id is."""
    return Account(TELEGRAM, str(user_id))


async def person_id_of(conn: Connection, account: Account) -> int | None:
    """The person the account belongs to (None: a stranger's account)."""
    found = sender.of_account(account)
    if found is not None and found.person_known:
        return found.user_id if found.person is not None else None
    row = await (await conn.execute(
        "SELECT person_id FROM channel_accounts WHERE channel = ? AND external_id = ?",
        (account.channel, account.external_id))).fetchone()
    return row[0] if row else None


async def person_of(conn: Connection, account: Account) -> Person | None:
    """The account's person, from the update's sender when it is theirs (no query)."""
    found = sender.of_account(account)
    if found is not None and found.person_known:
        return found.person
    row = await (await conn.execute(
        f"SELECT {people.COLUMNS} FROM channel_accounts a JOIN people "
        "ON people.user_id = a.person_id WHERE a.channel = ? AND a.external_id = ?",
        (account.channel, account.external_id))).fetchone()
    return people.from_row(row) if row else None


async def new_person_id(conn: Connection, account: Account) -> int:
    """The id a person first met on this account gets: a Telegram account's own number when
    nobody holds it yet (so every estate's people, their logs and exports keep the numbers
    they had), else the next free number (a LINE id is a string; a number may be taken)."""
    if account.channel == TELEGRAM and account.external_id.isdigit():
        wanted = int(account.external_id)
        row = await (await conn.execute("SELECT 1 FROM people WHERE user_id = ?",
                                        (wanted,))).fetchone()
        if row is None:
            return wanted
    row = await (await conn.execute("SELECT max(user_id) FROM people")).fetchone()
    return max(row[0] or 0, 0) + 1


async def enter(conn: Connection, account: Account, language: str, name: str,
                now: datetime) -> Person:
    """The account's person; a stranger's account becomes a new person (their id by
    `new_person_id`) whose account is chosen for notices. The one place a person is made
    from a chat (onboarding, a staff invitation, a claim of a unit)."""
    found = await person_of(conn, account)
    if found is not None:
        return found
    while True:  # another worker may take the same free number at the same moment
        user_id = await new_person_id(conn, account)
        cur = await conn.execute(
            "INSERT INTO people (user_id, language, name, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(user_id) DO NOTHING", (user_id, language, name, to_db_time(now)))
        if cur.rowcount == 1:
            break
    sender.person_changed()
    cur = await conn.execute(
        "INSERT INTO channel_accounts (channel, external_id, person_id, language, linked_at, "
        "chosen) VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING",
        (account.channel, account.external_id, user_id, language, to_db_time(now)))
    if cur.rowcount == 0:  # the same account's other update made its person first
        taken = await person_of(conn, account)
        assert taken is not None
        return taken
    person = await people.get(conn, user_id)
    assert person is not None
    return person


async def accounts_of(conn: Connection, person_id: int) -> list[Linked]:
    """The person's accounts, in the order they were linked."""
    cur = await conn.execute(
        "SELECT channel, external_id, chosen, linked_at FROM channel_accounts "
        "WHERE person_id = ? ORDER BY linked_at, channel, external_id", (person_id,))
    return [Linked(Account(r[0], r[1]), bool(r[2]), cast(datetime, from_db_time(r[3])))
            for r in await cur.fetchall()]


async def chosen(conn: Connection, person_id: int) -> Account | None:
    """Where the person hears the desk's notices (None: on no chat app)."""
    row = await (await conn.execute(
        "SELECT channel, external_id FROM channel_accounts WHERE person_id = ? AND chosen = 1",
        (person_id,))).fetchone()
    return Account(row[0], row[1]) if row else None


async def person_and_chosen(conn: Connection, person_id: int
                            ) -> tuple[Person | None, Account | None]:
    """A person and the account they chose for notices, in one query."""
    row = await (await conn.execute(
        f"SELECT a.channel, a.external_id, {people.COLUMNS} FROM people LEFT JOIN "
        "channel_accounts a ON a.person_id = people.user_id AND a.chosen = 1 "
        "WHERE people.user_id = ?", (person_id,))).fetchone()
    if row is None:
        return None, None
    return people.from_row(row[2:]), Account(row[0], row[1]) if row[0] is not None else None


async def choose(conn: Connection, person_id: int, account: Account) -> bool | None:
    """The person hears the desk's notices on this account of theirs from now on: True when
    that changed, False when it was already so, None when the account is not theirs."""
    row = await (await conn.execute(
        "SELECT chosen FROM channel_accounts WHERE channel = ? AND external_id = ? AND "
        "person_id = ?", (account.channel, account.external_id, person_id))).fetchone()
    if row is None:
        return None
    if row[0]:
        return False
    # one chosen a person (a unique index): the old choice is cleared first
    await conn.send("UPDATE channel_accounts SET chosen = 0 WHERE person_id = ? AND "
                    "chosen = 1", (person_id,))
    await conn.send("UPDATE channel_accounts SET chosen = 1 WHERE channel = ? AND "
                    "external_id = ?", (account.channel, account.external_id))
    return True


async def has_records(conn: Connection, person_id: int) -> bool:
    """Whether the person is more than a greeting: a role, a phone shared, a unit, a
    ticket (such an account is never taken over by a link code)."""
    row = await (await conn.execute(
        "SELECT role IS NOT NULL OR phone IS NOT NULL OR EXISTS (SELECT 1 FROM residencies r "
        "WHERE r.user_id = people.user_id) OR EXISTS (SELECT 1 FROM tickets t WHERE "
        "t.resident_id = people.user_id) FROM people WHERE user_id = ?",
        (person_id,))).fetchone()
    return bool(row and row[0])


async def link(conn: Connection, account: Account, person_id: int, language: str | None,
               now: datetime) -> None:
    """The account is the person's too (not chosen: the person chooses). An account that
    belonged to a person without records leaves that empty person behind, unreachable."""
    sender.person_changed()
    sender.draft_changed()
    await conn.send(
        "INSERT INTO channel_accounts (channel, external_id, person_id, language, linked_at, "
        "chosen) VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT(channel, external_id) DO UPDATE SET "
        "person_id = excluded.person_id, language = excluded.language, "
        "linked_at = excluded.linked_at, chosen = 0",
        (account.channel, account.external_id, person_id, language, to_db_time(now)))


def code_key(code: str) -> str:
    """How a link code is kept: its SHA-256, never the code (shown once)."""
    return hashlib.sha256(f"link:{code}".encode()).hexdigest()


async def new_code(conn: Connection, person_id: int, now: datetime,
                   expires_at: datetime) -> str:
    """A fresh one-time code for the person (their earlier ones no longer work)."""
    await conn.send("DELETE FROM link_codes WHERE person_id = ? OR expires_at <= ? OR "
                    "used_at IS NOT NULL", (person_id, to_db_time(now)))
    while True:  # another person's live code may be the same six digits
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        cur = await conn.execute(
            "INSERT INTO link_codes (code, person_id, created_at, expires_at) VALUES "
            "(?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (code_key(code), person_id, to_db_time(now), to_db_time(expires_at)))
        if cur.rowcount == 1:
            return code


async def use_code(conn: Connection, code: str, account: Account,
                   now: datetime) -> int | None:
    """The person whose live code it is, the code used up; None when it is unknown, used or
    expired."""
    row = await (await conn.execute(
        "UPDATE link_codes SET used_at = ?, used_by = ? WHERE code = ? AND used_at IS NULL "
        "AND expires_at > ? RETURNING person_id",
        (to_db_time(now), f"{account.channel}:{account.external_id}", code_key(code),
         to_db_time(now)))).fetchone()
    return row[0] if row else None


async def record_wrong_code(conn: Connection, account: Account, now: datetime) -> None:
    await conn.send("INSERT INTO link_failures (channel, external_id, at) VALUES (?, ?, ?)",
                    (account.channel, account.external_id, to_db_time(now)))


async def wrong_codes_since(conn: Connection, account: Account, since: datetime) -> int:
    row = await (await conn.execute(
        "SELECT count(*) FROM link_failures WHERE channel = ? AND external_id = ? AND at >= ?",
        (account.channel, account.external_id, to_db_time(since)))).fetchone()
    return row[0]
