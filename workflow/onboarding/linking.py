"""A second chat account for the same person: a one-time code made in one account (/link)
and typed in the other (/link 123456). The account typing it must be a stranger's (or a
person's with no records yet: a greeting only); then the person chooses which account hears
the desk's notices, and hears each one once, there. Every account of the person acts as
the person (roles, permission checks, tickets)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import accounts, outbox
from storage.db import Database
from storage.records import Account
from workflow import access

CODE_LIFE = timedelta(minutes=15)
WRONG_TRIES = 5  # wrong codes an account may type within WRONG_WINDOW
WRONG_WINDOW = timedelta(hours=1)
LINKED_NOTICE = "account_linked"  # the person told, where they hear notices, of a new link


class Outcome(enum.Enum):
    LINKED = "linked"
    WRONG = "wrong"  # unknown, expired or used
    THROTTLED = "throttled"
    ALREADY = "already yours"
    TAKEN = "another person's"  # the account has records of its own


@dataclass(frozen=True)
class Linking:
    outcome: Outcome
    person_id: int | None = None  # whose account it is now (LINKED, ALREADY)
    linked: tuple[accounts.Linked, ...] = ()  # the person's accounts


async def new_code(db: Database, person_id: int, now: datetime) -> tuple[str, datetime]:
    """A fresh code for the person and when it expires (their earlier codes stop working)."""
    async with db.transaction() as conn:
        await access.require(conn, "linking.code", person_id)
        until = now + CODE_LIFE
        return await accounts.new_code(conn, person_id, now, until), until


async def use_code(db: Database, account: Account, code: str, now: datetime) -> Linking:
    """The code typed in `account`: the account becomes its maker's too."""
    async with db.transaction() as conn:
        if await accounts.wrong_codes_since(conn, account, now - WRONG_WINDOW) >= WRONG_TRIES:
            return Linking(Outcome.THROTTLED)
        mine = await accounts.person_id_of(conn, account)
        owner = await accounts.use_code(conn, code, account, now) \
            if code.isdigit() and len(code) == accounts.CODE_DIGITS else None
        if owner is None:
            await accounts.record_wrong_code(conn, account, now)
            return Linking(Outcome.WRONG)
        if mine == owner:
            return Linking(Outcome.ALREADY, owner,
                           tuple(await accounts.accounts_of(conn, owner)))
        if mine is not None and await accounts.has_records(conn, mine):
            # refused: the code stays unused, for the account it was meant for
            raise _Refused(Outcome.TAKEN)
        await accounts.link(conn, account, owner, None, now)
        # the person hears of it where they hear notices: a link they did not make shows
        await outbox.add(conn, owner, LINKED_NOTICE, now, payload={"channel": account.channel})
        return Linking(Outcome.LINKED, owner, tuple(await accounts.accounts_of(conn, owner)))


class _Refused(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


async def link(db: Database, account: Account, code: str, now: datetime) -> Linking:
    """`use_code`; a refusal rolls its transaction back (the code stays usable)."""
    try:
        return await use_code(db, account, code, now)
    except _Refused as refused:
        return Linking(refused.outcome)


async def choose(db: Database, person_id: int, account: Account) -> bool:
    """The person hears the desk's notices on this account of theirs from now on; False when
    it already did (a second tap)."""
    async with db.transaction() as conn:
        await access.require(conn, "linking.choose", person_id, account)
        return bool(await accounts.choose(conn, person_id, account))


async def accounts_of(db: Database, person_id: int) -> list[accounts.Linked]:
    async with db.reading() as conn:
        return await accounts.accounts_of(conn, person_id)
