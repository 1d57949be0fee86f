"""A ticket's file (what its card, a notice and the repair form show) in one statement: the
ticket's row, and each part of it (events, sign-offs, visits, photos, voices, followers,
required signatures, materials, the people it names, the contractors) as a JSON array of
rows in a column of its own, and what its measured cost is weighed from. Thirteen queries
cost thirteen statements in Python and thirteen round trips on PostgreSQL; this costs one of
each."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from storage import tickets
from storage.db import Connection, db_time, from_db_time
from storage.exact import HOURS, MONEY, QUANTITY
from storage.office.measurement import (
    COST_COLUMNS,
    COST_COUNT,
    COST_JOIN,
    Ingredients,
    ingredients,
)
from storage.records import (
    Contractor,
    Person,
    RosterEntry,
    Signoff,
    Ticket,
    TicketEvent,
    Unit,
    Voice,
)
from storage.repairs.contractors import _contractor
from storage.repairs.visits import _SUMS, Item, Sums, Visit


@dataclass(frozen=True)
class FileRows:
    """What the file query read, as records; `people` are those the ticket names (its
    resident, technician, filer, followers, and whoever acted, signed or did a visit)."""
    ticket: Ticket
    events: list[TicketEvent]
    signoffs: list[Signoff]
    visits: list[Visit]
    photos: dict[str, list[str]]  # stage -> file ids in order
    voice: Voice | None
    followers: list[int]
    required: list[str]
    items: list[Item]
    people: dict[int, Person]
    contractors: list[Contractor]  # the active ones and the ticket's own, by name
    sold: bool  # the unit is in the sales register
    handed_over: datetime | None
    kept_ref: str | None
    cost: Ingredients  # what its measured cost is weighed from (workflow/office/costs.py)


_PERSON = ("user_id", "language", "role", "name", "phone", "active",
           "unreachable_at IS NOT NULL", "department",
           "EXISTS (SELECT 1 FROM residencies r WHERE r.user_id = people.user_id)",
           "contractor_id")
_CONTRACTOR = ("id", "name", "phone", "trades", "active", "deadline_seconds", "key",
               "response_seconds")
_FOLLOWERS = (("user_id",), "ticket_followers WHERE ticket_id = t.id", "joined_at, user_id")
# the ids first, then people by its key (an OR of INs is a scan of people on PostgreSQL)
_NAMED = (_PERSON, "(SELECT t.resident_id AS id UNION SELECT t.technician_id UNION "
          "SELECT t.filed_by UNION SELECT actor_id FROM ticket_events WHERE ticket_id = t.id "
          "UNION SELECT user_id FROM signoffs WHERE ticket_id = t.id UNION "
          "SELECT worker_id FROM visits WHERE ticket_id = t.id UNION "
          "SELECT user_id FROM ticket_followers WHERE ticket_id = t.id) AS ids "
          "JOIN people ON people.user_id = ids.id", "user_id")
_PARTS = (  # (columns, FROM and WHERE, ORDER BY): each correlated to the ticket `t`
    (("at", "actor_id", "action", "from_status", "to_status", "note"),
     "ticket_events WHERE ticket_id = t.id", "id"),
    (("party", "user_id", "automatic", "at", "channel", "signer_name"),
     "signoffs WHERE ticket_id = t.id", "at"),
    (("round", "worker_id", "completed_at", "note", "labour_hours", "materials_cost",
      "labour_cost"), "visits WHERE ticket_id = t.id", "round"),
    (("stage", "file_id"), "ticket_photos WHERE ticket_id = t.id", "stage, position"),
    (("kind", "file_id", "seconds"), "ticket_voices WHERE ticket_id = t.id", "kind"),
    _FOLLOWERS,
    (("party",), "required_signoffs WHERE ticket_id = t.id", "party"),
    (("round", "material_id", "name", "unit", "quantity", "unit_price"),
     "visit_materials WHERE ticket_id = t.id", "round, id"),
    _NAMED,
    (_CONTRACTOR, "contractors WHERE active = 1 OR id = t.contractor_id", "name, id"),
)
_SCALARS = ("(SELECT count(*) FROM buyers b WHERE b.unit_id = t.unit_id)",
            "(SELECT min(b.handed_over_at) FROM buyers b WHERE b.unit_id = t.unit_id)",
            "(SELECT k.ref FROM tickets k WHERE k.id = t.duplicate_of)")


def _rows(dialect: str, columns: tuple[str, ...], source: str, order: str) -> str:
    """One part as a JSON array of positional rows ('[]' when there are none)."""
    if dialect == "postgres":
        return (f"coalesce((SELECT json_agg(json_build_array({', '.join(columns)}) "
                f"ORDER BY {order}) FROM {source}), '[]')::text")
    # SQLite (3.40) has no ORDER BY inside an aggregate: the rows come ordered from below
    aliased = ", ".join(f"{c} AS c{i}" for i, c in enumerate(columns))
    names = ", ".join(f"c{i}" for i in range(len(columns)))
    return (f"(SELECT json_group_array(json_array({names})) FROM "
            f"(SELECT {aliased} FROM {source} ORDER BY {order}))")


_QUERIES: dict[str, str] = {}


def _query(dialect: str) -> str:
    if dialect not in _QUERIES:
        head, _, tail = tickets.SELECT.partition(" FROM tickets t ")
        parts = [_rows(dialect, *part) for part in _PARTS]
        _QUERIES[dialect] = (f"{head}, {', '.join(parts)}, {', '.join(_SCALARS)}, "
                             f"{COST_COLUMNS} FROM tickets t {tail} {COST_JOIN} WHERE t.id = ?")
    return _QUERIES[dialect]


def _person(r) -> Person:
    return Person(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), r[7], bool(r[8]), r[9])


async def load(conn: Connection, ticket_id: int) -> FileRows | None:
    return await (await sent(conn, ticket_id))()


async def sent(conn: Connection, ticket_id: int) -> Callable[[], Awaitable[FileRows | None]]:
    """`load` in two halves: the read sent now, answered when called (on PostgreSQL it waits
    with whatever else was sent meanwhile)."""
    cur = await conn.execute(_query(conn.dialect), (ticket_id,))

    async def answer() -> FileRows | None:
        return _file(await cur.fetchone())
    return answer


_FIRST_CLAIMED = ("(SELECT min(ticket_id) FROM outbox WHERE claimed_by = ? AND claimed_until = ? "
                  "AND sent_at IS NULL AND failed_at IS NULL)")


async def sent_claimed(conn: Connection, worker: str,
                       until: str) -> Callable[[], Awaitable[FileRows | None]]:
    """`sent` for the first ticket of the messages `worker` has just claimed until `until`
    (in this transaction, before it): sent with the claim, the file its notices are
    rendered from waits with it (None: no claimed message names a ticket)."""
    query = _query(conn.dialect)
    assert query.endswith("WHERE t.id = ?")
    cur = await conn.execute(query[:-1] + _FIRST_CLAIMED, (worker, until))

    async def answer() -> FileRows | None:
        return _file(await cur.fetchone())
    return answer


def _file(row) -> FileRows | None:
    if row is None:
        return None
    n = tickets.COLUMNS
    (events, signoffs, visits, photos, voices, followers, required, items, people,
     contractors) = (json.loads(text) for text in row[n:n + len(_PARTS)])
    rest = n + len(_PARTS)
    sold, handed_over, kept_ref = row[rest:rest + len(_SCALARS)]
    cost = ingredients(row[rest + len(_SCALARS):rest + len(_SCALARS) + COST_COUNT])
    by_stage: dict[str, list[str]] = {}
    for stage, file_id in photos:
        by_stage.setdefault(stage, []).append(file_id)
    found = {r[0] for r in required}
    return FileRows(
        ticket=tickets.ticket_of(row),
        events=[TicketEvent(db_time(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in events],
        signoffs=[Signoff(r[0], r[1], bool(r[2]), db_time(r[3]), r[4], r[5])
                  for r in signoffs],
        visits=[Visit(r[0], r[1], db_time(r[2]), r[3], HOURS.of(r[4]), MONEY.of(r[5]),
                      MONEY.of(r[6])) for r in visits],
        photos=by_stage,
        voice=Voice(*voices[0]) if voices else None,
        followers=[r[0] for r in followers],
        required=[p for p in tickets.PARTY_ORDER if p in found] +
        sorted(found - set(tickets.PARTY_ORDER)),
        items=[Item(r[0], r[1], r[2], r[3], QUANTITY.of(r[4]), MONEY.of(r[5])) for r in items],
        people={r[0]: _person(r) for r in people},
        contractors=[_contractor(r) for r in contractors],
        sold=bool(sold), handed_over=from_db_time(handed_over), kept_ref=kept_ref,
        cost=cost,
    )


_CHOICES: dict[str, str] = {}


async def with_choices(conn: Connection, ticket_id: int, role: str,
                       ) -> tuple[Ticket, list[Person], list[Contractor]] | None:
    """A ticket with who may be given it: the active people of `role` (by name) and the
    active contractors (by name), in one statement."""
    if conn.dialect not in _CHOICES:
        head, _, tail = tickets.SELECT.partition(" FROM tickets t ")
        staff = _rows(conn.dialect, _PERSON, "people WHERE role = ? AND active = 1",
                      "name, user_id")
        units = _rows(conn.dialect, _CONTRACTOR, "contractors WHERE active = 1", "name")
        _CHOICES[conn.dialect] = f"{head}, {staff}, {units} FROM tickets t {tail} WHERE t.id = ?"
    row = await (await conn.execute(_CHOICES[conn.dialect], (role, ticket_id))).fetchone()
    if row is None:
        return None
    n = tickets.COLUMNS
    return (tickets.ticket_of(row), [_person(r) for r in json.loads(row[n])],
            [_contractor(r) for r in json.loads(row[n + 1])])


def roster_parts(unit: str) -> tuple[tuple[tuple[str, ...], str, str], ...]:
    """A unit's roster entries and its residents on the chat (the unit given as SQL: a
    parameter, or the ticket's column), as parts of a query."""
    return (
        (("u.id", "u.building", "u.unit", "r.name", "r.phone", "r.id", "r.relation"),
         f"roster r JOIN units u ON u.id = r.unit_id WHERE u.id = {unit}", "r.id"),
        (_PERSON, "people WHERE user_id > 0 AND active = 1 AND user_id IN "
         f"(SELECT user_id FROM residencies WHERE unit_id = {unit})", "name, user_id"))


def roster_of(entries: str, residents: str) -> tuple[list[RosterEntry], list[Person]]:
    return ([RosterEntry(Unit(r[0], r[1], r[2]), r[3], r[4], r[5], r[6])
             for r in json.loads(entries)],
            [_person(r) for r in json.loads(residents)])


@dataclass(frozen=True)
class ForVisit:
    """What recording a visit and telling of it read, in one statement: the ticket, what
    its next visit adds to, the people it names and its followers (who are told), and its
    unit's roster and residents (whether its owners are told)."""
    ticket: Ticket
    sums: Sums
    people: dict[int, Person]
    followers: list[int]
    roster: tuple[list[RosterEntry], list[Person]]


_FOR_VISIT: dict[str, str] = {}


async def for_visit(conn: Connection, ticket_id: int) -> ForVisit | None:
    dialect = conn.dialect
    if dialect not in _FOR_VISIT:
        head, _, tail = tickets.SELECT.partition(" FROM tickets t ")
        sums = ", ".join(f"(SELECT {s} FROM visits v WHERE v.ticket_id = t.id)" for s in _SUMS)
        parts = ", ".join(_rows(dialect, *part)
                          for part in (_NAMED, _FOLLOWERS, *roster_parts("t.unit_id")))
        _FOR_VISIT[dialect] = (
            f"{head}, (SELECT hourly FROM labour_rates WHERE trade = t.category), {sums}, "
            f"{parts} FROM tickets t {tail} WHERE t.id = ?")
    row = await (await conn.execute(_FOR_VISIT[dialect], (ticket_id,))).fetchone()
    if row is None:
        return None
    rate, last, hours, materials, labour, named, following, entries, residents = \
        row[tickets.COLUMNS:]
    return ForVisit(
        ticket=tickets.ticket_of(row),
        sums=Sums(MONEY.of(rate), int(last), int(hours), int(materials), int(labour)),
        people={r[0]: _person(r) for r in json.loads(named)},
        followers=[r[0] for r in json.loads(following)],
        roster=roster_of(entries, residents))
