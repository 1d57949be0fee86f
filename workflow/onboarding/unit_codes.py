"""Joining by a unit's code, for a chat app that gives no verified phone number (LINE), and
on any other as an alternative to the phone: the office prints a sheet with one code a unit
(`estatedesk roster codes`), a resident types it after accepting the privacy notice.

A code is 8 characters from an alphabet without 0, O, 1 and I, shown as two groups
(K7QM-3WXT) and typed with or without the dash, in either case. It admits up to `uses`
people of the unit (a household: 4 by default) until it expires; a new code for a unit
replaces the old one. Only its SHA-256 is kept, so it can be printed only when made. Wrong
codes count against the account with wrong link codes: after 5 in an hour, an hour's wait."""

from __future__ import annotations

import enum
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from storage import accounts, drafts, people, roster
from storage.db import Database
from storage.onboarding import unit_codes as store
from storage.records import Account, Draft, Unit
from workflow import conversations, roles, units
from workflow.onboarding import linking
from workflow.onboarding import onboarding as joining

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32: no 0/O, no 1/I
LENGTH = 8
USES = 4  # people of the unit one code admits (a household)
DAYS = 60
MAX_TYPED = 40  # a longer text is not a code, however it is spaced
CODE_FLOW = "unit_code"  # the step where a person on an app with no phone share types it
_SEPARATORS = str.maketrans("", "", " -_.\u2010\u2011\u2012\u2013\u2014\u30fc")


class Outcome(enum.Enum):
    LINKED = "linked"
    ALREADY = "already linked to that unit"
    NOT_A_CODE = "not shaped like a code"  # no try counted
    UNKNOWN = "unknown"
    REPLACED = "replaced by a newer code"
    EXPIRED = "expired"
    USED_UP = "used by as many people as it admits"
    THROTTLED = "too many wrong codes"


@dataclass(frozen=True)
class Redeemed:
    outcome: Outcome
    unit: Unit | None = None


@dataclass(frozen=True)
class Made:
    unit: Unit
    code: str  # as printed: K7QM-3WXT
    expires_at: datetime


def normal(text: str | None) -> str | None:
    """The code as stored from what was typed (full-width, lower case, dashes and spaces
    allowed); None when it cannot be one."""
    if not text or len(text) > MAX_TYPED:
        return None
    plain = unicodedata.normalize("NFKC", text).upper().translate(_SEPARATORS)
    if len(plain) != LENGTH or any(c not in ALPHABET for c in plain):
        return None
    return plain


def shown(code: str) -> str:
    """K7QM3WXT -> K7QM-3WXT: two groups, easier to read out and type."""
    half = LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def _fresh() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


async def units_named(db: Database, names: list[str], building: str | None
                      ) -> tuple[list[Unit], list[str]]:
    """The units asked for ('A-12F-3', 'A 12F-3', 'A棟12樓之3'), or every unit of a building,
    or every unit; and the names that match no unit (or several)."""
    async with db.reading() as conn:
        every = await roster.all_units(conn)
        if not names:
            wanted = joining.unit_text(building) if building else None
            return [u for u in every if wanted is None or u.building == wanted], []
        found, unknown = [], []
        for name in names:
            exact, _ = await units.find(conn, name)
            if len(exact) == 1:
                if exact[0] not in found:
                    found.append(exact[0])
            else:
                unknown.append(name)
        return found, unknown


def last_moment(now: datetime, days: int, tz: tzinfo) -> datetime:
    """When codes made now for `days` expire: at the end of that day in the estate's time
    (the day printed on the sheet)."""
    day = now.astimezone(tz).date() + timedelta(days=days + 1)
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def last_day(until: datetime, tz: tzinfo) -> date:
    """The day printed on the sheet: the last one the code works."""
    return (until.astimezone(tz) - timedelta(seconds=1)).date()


async def make(db: Database, chosen: list[Unit], uses: int, now: datetime,
               until: datetime) -> list[Made]:
    """A fresh code for each unit, in one transaction: each unit's earlier code stops
    working. The codes are returned once, to print: only their hashes are kept."""
    made = []
    async with db.transaction() as conn:
        for unit in chosen:
            await store.retire(conn, unit.id, now)
            code = _fresh()
            while not await store.replace(conn, unit.id, code, uses, now, until):
                code = _fresh()  # another unit's code hashed the same: draw again
            made.append(Made(unit, shown(code), until))
    return made


async def ask(db: Database, person_id: int, now: datetime) -> bool:
    """The person's next message is a code (the app has no phone to share); False when
    they are in the middle of something else."""
    async with db.transaction() as conn:
        return await conversations.begin_if_free(conn, Draft(person_id, CODE_FLOW, "code", {}),
                                                 now)


async def no_code(db: Database, person_id: int, now: datetime) -> bool:
    """'I have no code': the next message is their building and unit, for a clerk to
    approve (onboarding's claim). False when the person was not asked for a code (or is in
    the middle of something else); a newcomer's tap after the question expired still counts."""
    async with db.transaction() as conn:
        draft = await conversations.current(conn, person_id, now)
        person = await people.get(conn, person_id)
        newcomer = draft is None and person is not None and person.role is None
        if not newcomer and (draft is None or draft.flow != CODE_FLOW):
            return False
        await drafts.put(conn, Draft(person_id, joining.CLAIM_FLOW, "unit", {}), now)
        return True


async def redeem(db: Database, person_id: int, account: Account, typed: str | None,
                 now: datetime) -> Redeemed:
    """The code typed by the person on `account`: they live in its unit from now on (a
    resident, unless they have a role already), the use recorded with the account, and the
    code's conversation over, in one transaction. Refused codes change nothing but the
    account's count of wrong codes."""
    code = normal(typed)
    if code is None:
        return Redeemed(Outcome.NOT_A_CODE)
    async with db.transaction() as conn:
        since = now - linking.WRONG_WINDOW
        if await accounts.wrong_codes_since(conn, account, since) >= linking.WRONG_TRIES:
            return Redeemed(Outcome.THROTTLED)
        found = await store.find(conn, code)
        refused = _refusal(found, now)
        if refused is not None or found is None:
            await accounts.record_wrong_code(conn, account, now)
            return Redeemed(refused or Outcome.UNKNOWN)
        unit = await roster.get_unit(conn, found.unit_id)
        if await store.lives_in(conn, person_id, found.unit_id):
            await drafts.delete(conn, person_id)
            return Redeemed(Outcome.ALREADY, unit)
        person = await people.get(conn, person_id)
        if person is None or not await store.take_use(conn, found.id, now):
            await accounts.record_wrong_code(conn, account, now)
            return Redeemed(Outcome.USED_UP if person else Outcome.UNKNOWN)
        await store.record_use(conn, found.id, person_id, account, now)
        await people.link_unit(conn, person_id, found.unit_id, now)
        if person.role is None:
            await people.set_role(conn, person_id, roles.RESIDENT)
        await drafts.delete(conn, person_id)
        return Redeemed(Outcome.LINKED, unit)


def _refusal(found: store.UnitCode | None, now: datetime) -> Outcome | None:
    if found is None:
        return Outcome.UNKNOWN
    if found.replaced:
        return Outcome.REPLACED
    if found.expires_at <= now:
        return Outcome.EXPIRED
    if found.used >= found.uses:
        return Outcome.USED_UP
    return None
