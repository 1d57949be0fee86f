"""What the office does from the command line: the roster, staff invitations, contractors."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import people, roster
from storage.db import Database
from storage.records import Contractor, Person
from storage.repairs import contractors
from workflow import phones, roles, tables
from workflow.onboarding.onboarding import unit_text

ROSTER_COLUMNS = ("building", "unit", "name", "phone")
RELATION = "relation"  # an optional fifth column: owner (the default) or tenant
RELATIONS = {"owner": "owner", "業主": "owner", "业主": "owner", "屋主": "owner",
             "tenant": "tenant", "租客": "tenant", "租戶": "tenant", "租户": "tenant",
             "": "owner"}


@dataclass(frozen=True)
class RosterRow:
    line: int
    building: str
    unit: str
    name: str
    phone: str
    relation: str = "owner"


MAX_CELL = 100


class RosterError(tables.TableError):
    """Every problem of a roster file, each with its line; nothing of the file is used."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(problems)
        self.line, self.problem = self.problems[0]


def parse_roster(raw: bytes) -> list[RosterRow]:
    """UTF-8 with or without BOM, as Excel writes it; every row checked before any is used,
    and every bad one reported. Cells are kept as text: one starting with '=' stays text."""
    table = tables.read(raw, "roster.csv", RosterError)
    columns = table.header
    if columns not in (ROSTER_COLUMNS, (*ROSTER_COLUMNS, RELATION)):
        raise RosterError([(1, "the first line must be the columns: " +
                            ",".join(ROSTER_COLUMNS) + f"[,{RELATION}]")])
    width = len(columns)
    rows, problems, seen = [], list(table.problems), {}
    for line, cells in table.rows:
        problem = _row_problem(cells, width)
        if problem:
            problems.append((line, problem))
            continue
        building, unit, name, phone = (c.strip() for c in cells[:4])
        relation = RELATIONS[cells[4].strip().lower()] if width == 5 else "owner"
        building, unit = unit_text(building), unit_text(unit)
        key = (building, unit, phones.digits(phone))
        if key in seen:
            continue  # the same owner of the same unit, written another way
        seen[key] = line
        rows.append(RosterRow(line, building, unit, name, phone, relation))
    if problems:
        raise RosterError(problems)
    return rows


def _row_problem(cells: list[str], width: int = 4) -> str | None:
    if len(cells) != width:
        return f"expected {width} values, found {len(cells)}"
    if width == 5 and cells[4].strip().lower() not in RELATIONS:
        return f"'{cells[4].strip()}' is not owner or tenant"
    values = [c.strip() for c in cells[:4]]
    for column, value in zip(ROSTER_COLUMNS, values, strict=True):
        if not value:
            return f"'{column}' is empty"
        if len(value) > MAX_CELL:
            return f"'{column}' is longer than {MAX_CELL} characters"
    if not phones.is_valid(values[3]):
        return f"'{values[3]}' is not a phone number"
    return None


async def import_roster(db: Database, rows: list[RosterRow]) -> int:
    """All rows in one transaction; returns how many entries were new."""
    added = 0
    async with db.transaction() as conn:
        for row in rows:
            unit_id = await roster.unit_id(conn, row.building, row.unit)
            added += await roster.add_entry(conn, unit_id, row.name, row.phone,
                                            phones.phone_key(row.phone), row.relation)
    return added


async def roster_remove(db: Database, building: str, unit: str, phone: str,
                        now: datetime) -> tuple[int, int] | None:
    """A resident moved out: the unit's roster line with that phone goes, and the people of
    that phone lose the unit; one left with no unit has left the estate (the day is kept:
    settings' keep_people_left_days). None: no such unit; else (lines removed, people who
    left the estate)."""
    key = phones.phone_key(phone)
    async with db.transaction() as conn:
        found = await roster.find_unit(conn, unit_text(building), unit_text(unit))
        if found is None:
            return None
        removed = await roster.remove_entries(conn, found.id, key)
        entries, residents = await roster.with_residents(conn, found.id)
        left = 0
        for person in residents:
            if person.phone and phones.phone_key(person.phone) == key:
                left += await roster.leave_unit(conn, person.user_id, found.id, now)
        for roster_id in removed:  # one on the roster only (no chat): left with the line
            left += await roster.leave_unit(conn, -roster_id, found.id, now)
        return len(removed), left


INVITATION_LIFE = timedelta(days=7)
# An invitation is for someone joining now; a code valid for years is a key left under the mat
INVITATION_LONGEST = timedelta(days=90)


class NoSuchUnit(ValueError):
    """A contractor's person is invited for a responsible unit the desk does not know."""


async def invite(db: Database, role: str, name: str | None, now: datetime,
                 department: str | None = None,
                 expires_in: timedelta = INVITATION_LIFE, contractor: str | None = None) -> str:
    """A one-time code that expires; a supervisor may head a department (complaints are
    routed to it); a contractor's person works for the unit with that key."""
    if role not in roles.STAFF_ROLES or (role == roles.CONTRACTOR) != (contractor is not None):
        raise ValueError(role)
    if department is not None and role != roles.SUPERVISOR:  # only a supervisor heads one
        raise ValueError(department)
    if not timedelta(0) < expires_in <= INVITATION_LONGEST:
        raise ValueError(expires_in)
    code = secrets.token_urlsafe(12).replace("-", "_")  # never read as a command-line option
    async with db.transaction() as conn:
        unit = await contractors.by_key(conn, contractor) if contractor is not None else None
        if contractor is not None and (unit is None or not unit.active):
            raise NoSuchUnit(contractor)
        await people.add_invitation(conn, code, role, name, now, department, now + expires_in,
                                    unit.id if unit else None)
    return code


async def revoke(db: Database, code: str, now: datetime) -> bool:
    async with db.transaction() as conn:
        return await people.revoke_invitation(conn, code.strip(), now)


async def staff_list(db: Database) -> list[Person]:
    async with db.reading() as conn:
        return await people.staff(conn, roles.STAFF_ROLES)


async def staff_remove(db: Database, user_id: int,
                       now: datetime | None = None) -> Person | None:
    """With `now`, when they left (kept for the retention sweep)."""
    async with db.transaction() as conn:
        person = await people.get(conn, user_id)
        if person is None or not roles.is_staff(person.role):
            return None
        await people.deactivate(conn, user_id, now)
        return person


class KeyTaken(ValueError):
    """Another responsible unit already has that key."""


async def add_contractor(db: Database, name: str, phone: str, trades: list[str],
                         deadline: timedelta | None = None, key: str | None = None,
                         response: timedelta | None = None) -> int:
    async with db.transaction() as conn:
        other = await contractors.by_key(conn, key) if key else None
        if other is not None and other.name != name:
            raise KeyTaken(key)
        return await contractors.add(conn, name, phone, trades, deadline, key, response)


async def contractor_list(db: Database) -> list[Contractor]:
    async with db.reading() as conn:
        return await contractors.active(conn)


async def bot_username(db: Database) -> str | None:
    async with db.reading() as conn:
        return await people.get_meta(conn, "bot_username")


async def webhook_secret(db: Database) -> str | None:
    """The secret Telegram sends with each update to the webhook (`webhook set`)."""
    async with db.reading() as conn:
        return await people.get_meta(conn, "webhook_secret") or None


async def set_webhook_secret(db: Database, secret: str | None) -> None:
    async with db.transaction() as conn:
        await people.set_meta(conn, "webhook_secret", secret or "")


async def remember_bot_username(db: Database, username: str) -> None:
    async with db.transaction() as conn:
        await people.set_meta(conn, "bot_username", username)
