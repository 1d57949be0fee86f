"""Personal-data breaches (個人資料保護法 Art. 12): the incident with its 72-hour clock, and
each person it could have exposed with how and when they were told. A chat notice's person
is told when the outbox delivers it (its row's sent_at, copied here by the sweep); a phoned
person when the office marks it. Nothing is stored twice: names and phones stay in `people`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, db_time, from_db_time, to_db_time
from storage.tickets import next_sequence

CHAT, PHONE = "chat", "phone"  # how a person is to be told
# The outbox kinds of the drill (the activity that picks people leaves them out, so the
# drill's own messages make nobody "active").
KINDS = ("breach_notice", "breach_opened", "breach_untold", "breach_overdue")

# Who did something with the desk at or after a moment (every parameter is that moment):
# joined; reported, followed or worked on a ticket that changed; acted on a ticket; was
# written a message; had their record opened by staff.
_ACTIVE = f"""
    SELECT user_id FROM people WHERE created_at >= ?
    UNION SELECT t.resident_id FROM tickets t
        WHERE t.id IN (SELECT ticket_id FROM ticket_events WHERE at >= ?)
    UNION SELECT t.technician_id FROM tickets t
        WHERE t.technician_id IS NOT NULL
        AND t.id IN (SELECT ticket_id FROM ticket_events WHERE at >= ?)
    UNION SELECT f.user_id FROM ticket_followers f
        WHERE f.ticket_id IN (SELECT ticket_id FROM ticket_events WHERE at >= ?)
    UNION SELECT actor_id FROM ticket_events WHERE at >= ? AND actor_id IS NOT NULL
    UNION SELECT recipient_id FROM outbox WHERE created_at >= ?
        AND kind NOT IN ({",".join(f"'{k}'" for k in KINDS)})
    UNION SELECT person_id FROM access_log WHERE at >= ?"""
ACTIVE_MOMENTS = _ACTIVE.count("?")

# What a kind of data means for a person: the desk holds some of it about them.
HOLDS: dict[str, str] = {
    "names": "p.name != ''",
    "phones": "coalesce(p.phone, '') != ''",
    "units": "EXISTS (SELECT 1 FROM residencies r WHERE r.user_id = p.user_id)",
    "tickets": "(EXISTS (SELECT 1 FROM tickets t WHERE t.resident_id = p.user_id) OR EXISTS "
               "(SELECT 1 FROM ticket_followers f WHERE f.user_id = p.user_id))",
    "photos": "(EXISTS (SELECT 1 FROM tickets t JOIN ticket_photos ph ON ph.ticket_id = t.id "
              "WHERE t.resident_id = p.user_id) OR EXISTS (SELECT 1 FROM renovations v JOIN "
              "renovation_photos vp ON vp.renovation_id = v.id WHERE v.resident_id = "
              "p.user_id))",
    "voice": "EXISTS (SELECT 1 FROM tickets t JOIN ticket_voices tv ON tv.ticket_id = t.id "
             "WHERE t.resident_id = p.user_id)",
    "payments": "EXISTS (SELECT 1 FROM residencies r JOIN payments pay ON pay.unit_id = "
                "r.unit_id WHERE r.user_id = p.user_id)",
    "contracts": "EXISTS (SELECT 1 FROM buyers b WHERE b.user_id = p.user_id)",
}


@dataclass(frozen=True)
class Exposed:
    """A person the incident could have exposed, as the drill finds them."""
    person_id: int
    name: str
    phone: str
    language: str
    units: tuple[str, ...]
    way: str  # CHAT (their chosen account, not blocked) or PHONE


@dataclass(frozen=True)
class Incident:
    id: int
    reference: str
    opened_at: datetime
    described: str
    since: datetime
    what: str
    what_in: dict[str, str]  # the description in other languages, by language
    kinds: tuple[str, ...]  # empty: every kind of data
    units: tuple[str, ...]  # empty: every unit
    count: int
    due_at: datetime
    warn_at: datetime
    warned_at: datetime | None
    overdue_at: datetime | None
    closed_at: datetime | None
    closed_note: str
    untold: int = 0  # people not told yet (as of the read)

    def described_in(self, language: str) -> str:
        return self.what_in.get(language) or self.what


@dataclass(frozen=True)
class Listed:
    """A person on an incident's list, with how they are to be told and whether they were."""
    person_id: int
    name: str
    phone: str
    language: str
    units: tuple[str, ...]
    way: str
    told_at: datetime | None
    told_how: str  # "chat", or the office's note of the call
    failed: bool  # their chat notice could not be delivered: to phone


async def exposed(conn: Connection, since: datetime, kinds: Sequence[str],
                  unit_ids: Sequence[int]) -> list[Exposed]:
    """Everyone active at or after `since` (_ACTIVE), kept when the desk holds one of `kinds`
    of data about them (none given: everyone), and when linked to one of `unit_ids` (living
    there, or a ticket of theirs for it; none given: every unit)."""
    where = ["p.user_id != 0", f"p.user_id IN ({_ACTIVE})"]
    args: list = [to_db_time(since)] * ACTIVE_MOMENTS
    if kinds:
        where.append("(" + " OR ".join(HOLDS[k] for k in kinds) + ")")
    if unit_ids:
        marks = ",".join("?" * len(unit_ids))
        where.append(f"(EXISTS (SELECT 1 FROM residencies r WHERE r.user_id = p.user_id AND "
                     f"r.unit_id IN ({marks})) OR EXISTS (SELECT 1 FROM tickets t WHERE "
                     f"t.resident_id = p.user_id AND t.unit_id IN ({marks})))")
        args += [*unit_ids, *unit_ids]
    cur = await conn.execute(
        "SELECT p.user_id, p.name, coalesce(p.phone, ''), p.language, "
        "p.unreachable_at IS NULL AND EXISTS (SELECT 1 FROM channel_accounts a WHERE "
        "a.person_id = p.user_id AND a.chosen = 1) FROM people p WHERE "
        + " AND ".join(where) + " ORDER BY p.user_id", args)
    rows = await cur.fetchall()
    units = await _units(conn, [r[0] for r in rows])
    return [Exposed(r[0], r[1], r[2], r[3], units.get(r[0], ()), CHAT if r[4] else PHONE)
            for r in rows]


async def _units(conn: Connection, person_ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start:start + 500]
        cur = await conn.execute(
            "SELECT r.user_id, u.building, u.unit FROM residencies r JOIN units u ON "
            f"u.id = r.unit_id WHERE r.user_id IN ({','.join('?' * len(chunk))}) "
            "ORDER BY r.user_id, u.building, u.unit", chunk)
        for user_id, building, unit in await cur.fetchall():
            found.setdefault(user_id, []).append(f"{building} {unit}")
    return {k: tuple(v) for k, v in found.items()}


async def open_like(conn: Connection, since: datetime, what: str, kinds: str,
                    units: str) -> int | None:
    """An open incident recorded by the same command (a rerun)."""
    row = await (await conn.execute(
        "SELECT id FROM breach_incidents WHERE closed_at IS NULL AND since = ? AND what = ? "
        "AND kinds = ? AND units = ? ORDER BY id LIMIT 1",
        (to_db_time(since), what, kinds, units))).fetchone()
    return row[0] if row else None


async def insert(conn: Connection, *, now: datetime, described: str, since: datetime,
                 what: str, what_in: dict[str, str], kinds: str, units: str, count: int,
                 due_at: datetime, warn_at: datetime) -> int:
    number = await next_sequence(conn, "breach", now.year)
    row = await (await conn.execute(
        "INSERT INTO breach_incidents (reference, opened_at, described, since, what, what_in, "
        "kinds, units, count, due_at, warn_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id",
        (f"PD-{now.year}-{number:03d}", to_db_time(now), described, to_db_time(since), what,
         json.dumps(what_in, ensure_ascii=False, sort_keys=True), kinds, units, count,
         to_db_time(due_at), to_db_time(warn_at)))).fetchone()
    return row[0]


async def add_person(conn: Connection, incident_id: int, person_id: int, way: str,
                     outbox_id: int | None) -> None:
    await conn.send(
        "INSERT INTO breach_people (incident_id, person_id, way, outbox_id) VALUES "
        "(?, ?, ?, ?) ON CONFLICT DO NOTHING", (incident_id, person_id, way, outbox_id))


# not told: neither marked, nor their chat notice delivered
_UNTOLD = ("bp.told_at IS NULL AND NOT EXISTS (SELECT 1 FROM outbox o WHERE "
           "o.id = bp.outbox_id AND o.sent_at IS NOT NULL)")
_INCIDENT = ("SELECT i.id, i.reference, i.opened_at, i.described, i.since, i.what, i.what_in, "
             "i.kinds, i.units, i.count, i.due_at, i.warn_at, i.warned_at, i.overdue_at, "
             "i.closed_at, i.closed_note, (SELECT count(*) FROM breach_people bp WHERE "
             f"bp.incident_id = i.id AND {_UNTOLD}) FROM breach_incidents i ")


def _incident(r) -> Incident:
    return Incident(r[0], r[1], db_time(r[2]), r[3], db_time(r[4]), r[5], json.loads(r[6]),
                    tuple(k for k in r[7].split(",") if k),
                    tuple(u for u in r[8].split(",") if u), r[9], db_time(r[10]),
                    db_time(r[11]), from_db_time(r[12]), from_db_time(r[13]),
                    from_db_time(r[14]), r[15], r[16])


async def get(conn: Connection, incident_id: int) -> Incident | None:
    row = await (await conn.execute(_INCIDENT + "WHERE i.id = ?", (incident_id,))).fetchone()
    return _incident(row) if row else None


async def every(conn: Connection) -> list[Incident]:
    """Newest first."""
    cur = await conn.execute(_INCIDENT + "ORDER BY i.id DESC")
    return [_incident(r) for r in await cur.fetchall()]


async def listed(conn: Connection, incident_id: int) -> list[Listed]:
    """The incident's people, the chat's first, each with whether they were told."""
    cur = await conn.execute(
        "SELECT bp.person_id, coalesce(p.name, ''), coalesce(p.phone, ''), "
        "coalesce(p.language, ''), bp.way, coalesce(bp.told_at, o.sent_at), "
        "CASE WHEN bp.told_at IS NOT NULL THEN bp.told_how WHEN o.sent_at IS NOT NULL "
        "THEN 'chat' ELSE '' END, o.failed_at IS NOT NULL FROM breach_people bp "
        "LEFT JOIN people p ON p.user_id = bp.person_id "
        "LEFT JOIN outbox o ON o.id = bp.outbox_id "
        "WHERE bp.incident_id = ? ORDER BY bp.way, bp.person_id", (incident_id,))
    rows = await cur.fetchall()
    units = await _units(conn, [r[0] for r in rows])
    return [Listed(r[0], r[1], r[2], r[3], units.get(r[0], ()), r[4], from_db_time(r[5]),
                   r[6], bool(r[7])) for r in rows]


async def mark_told(conn: Connection, incident_id: int, person_id: int, how: str,
                    now: datetime) -> bool | None:
    """The person was told another way (a call): None when they are not on its list,
    False when they were told already."""
    row = await (await conn.execute(
        f"SELECT {_UNTOLD} FROM breach_people bp WHERE bp.incident_id = ? AND "
        "bp.person_id = ?", (incident_id, person_id))).fetchone()
    if row is None:
        return None
    if not row[0]:
        return False
    cur = await conn.execute(
        "UPDATE breach_people SET told_at = ?, told_how = ? WHERE incident_id = ? AND "
        "person_id = ? AND told_at IS NULL", (to_db_time(now), how, incident_id, person_id))
    return cur.rowcount == 1


async def close(conn: Connection, incident_id: int, now: datetime, note: str) -> bool:
    """False when it was closed already."""
    cur = await conn.execute(
        "UPDATE breach_incidents SET closed_at = ?, closed_note = ? WHERE id = ? AND "
        "closed_at IS NULL", (to_db_time(now), note, incident_id))
    return cur.rowcount == 1


# The sweep's one read when nothing is due: the open incidents (a partial index; none, mostly)
OPEN_QUERY = ("SELECT id, warn_at, warned_at, due_at, overdue_at FROM breach_incidents "
              "WHERE closed_at IS NULL ORDER BY due_at")


@dataclass(frozen=True)
class Clock:
    id: int
    warn_at: datetime
    warned: bool
    due_at: datetime
    overdue: bool


async def open_clocks(conn: Connection) -> list[Clock]:
    cur = await conn.execute(OPEN_QUERY)
    return [Clock(r[0], db_time(r[1]), r[2] is not None, db_time(r[3]), r[4] is not None)
            for r in await cur.fetchall()]


async def delivered_unrecorded(conn: Connection) -> bool:
    """Whether a chat notice was delivered and its person not yet marked told."""
    row = await (await conn.execute(
        "SELECT 1 FROM breach_people bp JOIN outbox o ON o.id = bp.outbox_id WHERE "
        "bp.told_at IS NULL AND o.sent_at IS NOT NULL LIMIT 1")).fetchone()
    return row is not None


async def record_delivered(conn: Connection) -> None:
    """Each delivered chat notice's time, as its person's time told."""
    await conn.send(
        "UPDATE breach_people SET told_how = 'chat', told_at = (SELECT o.sent_at FROM outbox o "
        "WHERE o.id = breach_people.outbox_id) WHERE told_at IS NULL AND EXISTS (SELECT 1 "
        "FROM outbox o WHERE o.id = breach_people.outbox_id AND o.sent_at IS NOT NULL)")


async def mark_warned(conn: Connection, incident_id: int, now: datetime) -> bool:
    """The 48-hour step, once (False: fired already, or closed)."""
    cur = await conn.execute(
        "UPDATE breach_incidents SET warned_at = ? WHERE id = ? AND warned_at IS NULL AND "
        "closed_at IS NULL", (to_db_time(now), incident_id))
    return cur.rowcount == 1


async def mark_overdue(conn: Connection, incident_id: int, now: datetime) -> bool:
    """The 72-hour step, once (False: fired already, or closed)."""
    cur = await conn.execute(
        "UPDATE breach_incidents SET overdue_at = ? WHERE id = ? AND overdue_at IS NULL AND "
        "closed_at IS NULL", (to_db_time(now), incident_id))
    return cur.rowcount == 1
