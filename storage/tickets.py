"""Tickets, their photos, audit events and sign-offs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from storage.db import Connection, db_time, from_db_time, to_db_time
from storage.exact import HOURS, MONEY
from storage.records import Signoff, Ticket, TicketEvent, Unit, Voice

_SELECT = (
    "SELECT t.id, t.ref, t.kind, t.resident_id, u.id, u.building, u.unit, t.category, "
    "t.location, t.description, t.visit_date, t.visit_slot, t.status, t.technician_id, "
    "t.contractor_id, t.deadline_at, t.work_note, t.labour_hours, t.materials_cost, "
    "t.created_at, t.completed_at, t.closed_at, t.priority, t.assign_due_at, t.assigned_at, "
    "t.paused_at, t.paused_seconds, t.defaulted_contractor_id, t.department, t.reply, "
    "t.callback_requested, t.linked_ticket_id, t.version, t.target_at, t.channel, "
    "t.caller_name, t.caller_phone, t.filed_by, t.duplicate_of, t.unit_sent_at, "
    "t.accepted_at, t.payer, t.quote_amount, t.quote_note, t.quote_state, "
    "(SELECT p.place FROM ticket_places p WHERE p.ticket_id = t.id) "
    "FROM tickets t JOIN units u ON u.id = t.unit_id"
)
SELECT, COLUMNS = _SELECT, 46  # a ticket's columns, for queries that read more beside it
# Tickets not yet resolved; the same text as the partial index tickets_open, so that
# queries with it read only open work however many tickets are closed.
UNRESOLVED = "t.status IN ('new', 'assigned', 'en_route', 'on_site', 'reopened')"
UNRESOLVED_STATUSES = ("new", "assigned", "en_route", "on_site", "reopened")


def _ticket(r) -> Ticket:
    return Ticket(
        id=r[0], ref=r[1], kind=r[2], resident_id=r[3], unit=Unit(r[4], r[5], r[6]),
        category=r[7], location=r[8], description=r[9], visit_date=r[10], visit_slot=r[11],
        status=r[12], technician_id=r[13], contractor_id=r[14], deadline_at=db_time(r[15]),
        work_note=r[16], labour_hours=HOURS.from_db(r[17]), materials_cost=MONEY.from_db(r[18]),
        created_at=db_time(r[19]), completed_at=from_db_time(r[20]),
        closed_at=from_db_time(r[21]), priority=r[22], assign_due_at=db_time(r[23]),
        assigned_at=from_db_time(r[24]), paused_at=from_db_time(r[25]),
        paused_seconds=r[26], defaulted_contractor_id=r[27], department=r[28], reply=r[29],
        callback_requested=bool(r[30]), linked_ticket_id=r[31], version=r[32],
        target_at=db_time(r[33]), channel=r[34], caller_name=r[35], caller_phone=r[36],
        filed_by=r[37], duplicate_of=r[38], unit_sent_at=from_db_time(r[39]),
        accepted_at=from_db_time(r[40]), payer=r[41], quote_amount=MONEY.from_db(r[42]),
        quote_note=r[43],
        quote_state=r[44], place=r[45],
    )


ticket_of = _ticket  # a row that starts with SELECT's columns, as a Ticket


async def next_sequence(conn: Connection, kind: str, year: int) -> int:
    await conn.send(
        "INSERT INTO sequences (kind, year, last) VALUES (?, ?, 1) "
        "ON CONFLICT(kind, year) DO UPDATE SET last = sequences.last + 1",
        (kind, year),
    )
    row = await (await conn.execute(
        "SELECT last FROM sequences WHERE kind = ? AND year = ?", (kind, year))).fetchone()
    return row[0]


async def insert(conn: Connection, *, ref: str, kind: str, resident_id: int,
                 unit_id: int, category: str, location: str, description: str, visit_date: str,
                 visit_slot: str, status: str, priority: str, assign_due_at: datetime,
                 deadline_at: datetime, now: datetime, callback_requested: bool = False,
                 linked_ticket_id: int | None = None, channel: str = "bot",
                 caller_name: str | None = None, caller_phone: str | None = None,
                 filed_by: int | None = None) -> int:
    cur = await conn.execute(
        "INSERT INTO tickets (ref, kind, resident_id, unit_id, category, location, description, "
        "visit_date, visit_slot, status, priority, assign_due_at, deadline_at, created_at, "
        "updated_at, callback_requested, linked_ticket_id, target_at, channel, caller_name, "
        "caller_phone, filed_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ref, kind, resident_id, unit_id, category, location, description, visit_date,
         visit_slot, status, priority, to_db_time(assign_due_at), to_db_time(deadline_at),
         to_db_time(now), to_db_time(now), int(callback_requested), linked_ticket_id,
         to_db_time(deadline_at), channel, caller_name, caller_phone, filed_by),
    )
    return cur.lastrowid


async def add_photos(conn: Connection, ticket_id: int, stage: str,
                     file_ids: list[str]) -> None:
    await add_photos_from(conn, ticket_id, stage, 0, file_ids)


async def add_photos_from(conn: Connection, ticket_id: int, stage: str, first: int,
                          file_ids: list[str]) -> None:
    await conn.executemany(
        "INSERT INTO ticket_photos (ticket_id, stage, position, file_id) VALUES (?, ?, ?, ?)",
        [(ticket_id, stage, first + i, f) for i, f in enumerate(file_ids)],
    )


async def photos(conn: Connection, ticket_id: int, stage: str) -> list[str]:
    cur = await conn.execute(
        "SELECT file_id FROM ticket_photos WHERE ticket_id = ? AND stage = ? ORDER BY position",
        (ticket_id, stage),
    )
    return [r[0] for r in await cur.fetchall()]


async def add_voice(conn: Connection, ticket_id: int, voice: Voice) -> None:
    await conn.send("INSERT INTO ticket_voices (ticket_id, kind, file_id, seconds) "
                       "VALUES (?, ?, ?, ?)", (ticket_id, voice.kind, voice.file_id, voice.seconds))


async def voice(conn: Connection, ticket_id: int) -> Voice | None:
    row = await (await conn.execute(
        "SELECT kind, file_id, seconds FROM ticket_voices WHERE ticket_id = ?",
        (ticket_id,))).fetchone()
    return Voice(row[0], row[1], row[2]) if row else None


async def get(conn: Connection, ticket_id: int) -> Ticket | None:
    row = await (await conn.execute(f"{_SELECT} WHERE t.id = ?", (ticket_id,))).fetchone()
    return _ticket(row) if row else None


async def by_ref(conn: Connection, ref: str) -> Ticket | None:
    row = await (await conn.execute(f"{_SELECT} WHERE t.ref = ?", (ref,))).fetchone()
    return _ticket(row) if row else None


async def of_resident(conn: Connection, resident_id: int, limit: int) -> list[Ticket]:
    """Their own reports and those they follow as the same problem, the newest first (two
    index reads, not an OR the planner would answer by scanning)."""
    cur = await conn.execute(
        f"SELECT * FROM ({_SELECT} WHERE t.resident_id = ? UNION ALL {_SELECT} WHERE t.id IN "
        f"(SELECT ticket_id FROM ticket_followers WHERE user_id = ?)) AS mine "
        f"ORDER BY 1 DESC LIMIT ?",
        (resident_id, resident_id, limit))
    return [_ticket(r) for r in await cur.fetchall()]


async def unresolved_at_place(conn: Connection, building: str, place: str, kind: str,
                        limit: int) -> list[Ticket]:
    """The reports of that place still being handled, the newest first."""
    cur = await conn.execute(
        f"{_SELECT} JOIN ticket_places p ON p.ticket_id = t.id WHERE p.building = ? AND "
        f"p.place = ? AND t.kind = ? AND {UNRESOLVED} ORDER BY t.id DESC LIMIT ?",
        (building, place, kind, limit))
    return [_ticket(r) for r in await cur.fetchall()]


async def unresolved_of_unit(conn: Connection, unit_id: int, kind: str,
                             limit: int) -> list[Ticket]:
    cur = await conn.execute(
        f"{_SELECT} WHERE t.unit_id = ? AND t.kind = ? AND {UNRESOLVED} ORDER BY t.id DESC "
        f"LIMIT ?", (unit_id, kind, limit))
    return [_ticket(r) for r in await cur.fetchall()]


async def awaiting_unit(conn: Connection, contractor_id: int, limit: int) -> list[Ticket]:
    """A responsible unit's jobs that none of its people has taken yet, the oldest first."""
    cur = await conn.execute(
        f"{_SELECT} WHERE t.contractor_id = ? AND t.technician_id IS NULL AND "
        f"t.status IN ('assigned', 'reopened') AND t.unit_sent_at IS NOT NULL "
        f"ORDER BY t.id LIMIT ?", (contractor_id, limit))
    return [_ticket(r) for r in await cur.fetchall()]


async def move_resident(conn: Connection, old_id: int, new_id: int) -> int:
    """Tickets the desk filed for someone without Telegram become theirs once they join."""
    cur = await conn.execute("UPDATE tickets SET resident_id = ?, version = version + 1 "
                             "WHERE resident_id = ?", (new_id, old_id))
    # A row the new id already has stays as it is (OR IGNORE, said the same on both backends).
    await conn.send("UPDATE ticket_followers SET user_id = ? WHERE user_id = ? AND NOT "
                       "EXISTS (SELECT 1 FROM ticket_followers f WHERE f.user_id = ? AND "
                       "f.ticket_id = ticket_followers.ticket_id)", (new_id, old_id, new_id))
    await conn.send("UPDATE surveys SET resident_id = ? WHERE resident_id = ? AND NOT "
                       "EXISTS (SELECT 1 FROM surveys s WHERE s.resident_id = ? AND "
                       "s.ticket_id = surveys.ticket_id)", (new_id, old_id, new_id))
    return cur.rowcount


async def filed_since(conn: Connection, resident_id: int, since: datetime) -> int:
    """How many tickets the resident filed (reported themselves) since then."""
    return await (await filed_since_sent(conn, resident_id, since))()


async def filed_since_sent(conn: Connection, resident_id: int,
                           since: datetime) -> Callable[[], Awaitable[int]]:
    """`filed_since` in two halves: the read sent now, its answer read when called."""
    cur = await conn.execute(
        "SELECT count(*) FROM tickets t WHERE t.resident_id = ? AND t.created_at >= ? AND "
        "t.linked_ticket_id IS NULL", (resident_id, to_db_time(since)))

    async def answer() -> int:
        return (await cur.fetchone())[0]
    return answer


async def unresolved_of_resident(conn: Connection, resident_id: int,
                                 kind: str) -> list[Ticket]:
    return await (await unresolved_of_resident_sent(conn, resident_id, kind))()


async def unresolved_of_resident_sent(conn: Connection, resident_id: int,
                                      kind: str) -> Callable[[], Awaitable[list[Ticket]]]:
    """`unresolved_of_resident` in two halves: sent now, answered when called."""
    cur = await conn.execute(
        f"{_SELECT} WHERE t.resident_id = ? AND t.kind = ? AND {UNRESOLVED} ORDER BY t.id",
        (resident_id, kind))

    async def answer() -> list[Ticket]:
        return [_ticket(r) for r in await cur.fetchall()]
    return answer


# Lists pick their few ids from an index first, then read those rows whole: a technician
# with thousands of open tasks, or a queue of thousands, costs a sort of ids, not of rows.
def technician_ids_query(statuses: int) -> str:
    return (f"SELECT id FROM tickets WHERE technician_id = ? AND status IN "
            f"({','.join('?' * statuses)}) ORDER BY visit_date, id LIMIT ?")


def status_ids_query(statuses: int) -> str:
    # +id: sorting a few thousand ids found by status beats walking years of closed tickets
    # in id order, which the planner would otherwise choose
    return (f"SELECT id FROM tickets WHERE status IN ({','.join('?' * statuses)}) "
            "ORDER BY +id LIMIT ?")


async def of_technician(conn: Connection, technician_id: int, statuses: tuple[str, ...],
                        limit: int) -> tuple[list[Ticket], int]:
    """The first `limit` by visit date, and how many there are in all."""
    cur = await conn.execute(
        f"{_SELECT} WHERE t.id IN ({technician_ids_query(len(statuses))}) "
        "ORDER BY t.visit_date, t.id", (technician_id, *statuses, limit))
    found = [_ticket(r) for r in await cur.fetchall()]
    if len(found) < limit:
        return found, len(found)
    marks = ",".join("?" * len(statuses))
    row = await (await conn.execute(
        f"SELECT count(*) FROM tickets WHERE technician_id = ? AND status IN ({marks})",
        (technician_id, *statuses))).fetchone()
    return found, row[0]


async def with_status(conn: Connection, statuses: tuple[str, ...],
                      limit: int) -> list[Ticket]:
    cur = await conn.execute(
        f"{_SELECT} WHERE t.id IN ({status_ids_query(len(statuses))}) ORDER BY t.id",
        (*statuses, limit))
    return [_ticket(r) for r in await cur.fetchall()]


_EXACT = {"labour_hours": HOURS, "materials_cost": MONEY, "quote_amount": MONEY}


def _columns(fields: dict) -> dict:
    return {k: (to_db_time(v) if isinstance(v, datetime) else
                _EXACT[k].to_db(v) if k in _EXACT else v) for k, v in fields.items()}


async def update_fields(conn: Connection, ticket_id: int, now: datetime,
                        **fields) -> None:
    """Sets plain columns; the status column changes only through set_status. Every change
    moves the ticket's version, which the buttons shown for it carry."""
    assert "status" not in fields and "version" not in fields
    values = _columns(fields)
    sets = ", ".join(f"{k} = ?" for k in values)
    await conn.send(
        f"UPDATE tickets SET {sets}, updated_at = ?, version = version + 1 WHERE id = ?",
        (*values.values(), to_db_time(now), ticket_id),
    )


async def set_status(conn: Connection, ticket_id: int, expected: str, new: str,
                     now: datetime, **fields) -> bool:
    """Compare-and-set: False when the ticket is no longer in the expected status. `fields`:
    plain columns set in the same statement (as update_fields sets them)."""
    took = await set_status_sent(conn, ticket_id, expected, new, now, **fields)
    return await took() is not None


async def set_status_sent(conn: Connection, ticket_id: int, expected: str, new: str,
                          now: datetime, **fields) -> Callable[[], Awaitable[int | None]]:
    """`set_status` in two halves: the compare-and-set sent now, answered when called (on
    PostgreSQL, with the caller's next read: one wait for both): the ticket's new version,
    None when it did not take."""
    assert "status" not in fields and "version" not in fields
    values = _columns(fields)
    sets = "".join(f"{k} = ?, " for k in values)
    cur = await conn.execute(
        f"UPDATE tickets SET status = ?, {sets}updated_at = ?, version = version + 1 "
        "WHERE id = ? AND status = ? RETURNING version",
        (new, *values.values(), to_db_time(now), ticket_id, expected),
    )

    async def took() -> int | None:
        rows = await cur.fetchall()
        return rows[0][0] if len(rows) == 1 else None
    return took


async def add_event(conn: Connection, ticket_id: int, now: datetime,
                    actor_id: int | None, action: str, from_status: str | None,
                    to_status: str | None, note: str = "") -> None:
    await conn.send(
        "INSERT INTO ticket_events (ticket_id, at, actor_id, action, from_status, to_status, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, to_db_time(now), actor_id, action, from_status, to_status, note),
    )


async def events(conn: Connection, ticket_id: int) -> list[TicketEvent]:
    cur = await conn.execute(
        "SELECT at, actor_id, action, from_status, to_status, note FROM ticket_events "
        "WHERE ticket_id = ? ORDER BY id", (ticket_id,))
    return [TicketEvent(db_time(r[0]), r[1], r[2], r[3], r[4], r[5])
            for r in await cur.fetchall()]


_SIGN = ("INSERT INTO signoffs (ticket_id, party, user_id, automatic, at, channel, signer_name) "
         "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")


async def add_signoff(conn: Connection, ticket_id: int, party: str,
                      user_id: int | None, automatic: bool, now: datetime,
                      channel: str = "bot", signer_name: str | None = None) -> bool:
    """False when that party has signed already: the first signature stands."""
    cur = await conn.execute(
        _SIGN,
        (ticket_id, party, user_id, int(automatic), to_db_time(now), channel, signer_name),
    )
    return cur.rowcount == 1


async def sign(conn: Connection, ticket_id: int, party: str, user_id: int | None,
               automatic: bool, now: datetime, channel: str = "bot") -> None:
    """`add_signoff` for a caller that does not ask whether it was the first: sent without
    waiting (PostgreSQL's pipeline)."""
    await conn.send(
        _SIGN,
        (ticket_id, party, user_id, int(automatic), to_db_time(now), channel, None),
    )


async def require_signoffs(conn: Connection, ticket_id: int, parties: tuple[str, ...]) -> None:
    await conn.executemany(
        "INSERT INTO required_signoffs (ticket_id, party) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(ticket_id, p) for p in parties])


# The parties in the form's order (the same as workflow.tickets.Party's).
PARTY_ORDER = ("technician", "supervisor", "owner", "resident", "supervising_engineer",
               "project_department")


async def required_signoffs(conn: Connection, ticket_id: int) -> list[str]:
    cur = await conn.execute("SELECT party FROM required_signoffs WHERE ticket_id = ?",
                             (ticket_id,))
    found = {r[0] for r in await cur.fetchall()}
    return [p for p in PARTY_ORDER if p in found] + sorted(found - set(PARTY_ORDER))


async def awaiting_party(conn: Connection, parties: tuple[str, ...],
                         limit: int) -> list[Ticket]:
    """Repair forms that still need one of these parties' signature, the oldest first."""
    marks = ",".join("?" * len(parties))
    cur = await conn.execute(
        f"{_SELECT} WHERE t.id IN (SELECT r.ticket_id FROM required_signoffs r WHERE "
        f"r.party IN ({marks}) AND NOT EXISTS (SELECT 1 FROM signoffs s WHERE "
        f"s.ticket_id = r.ticket_id AND s.party = r.party)) ORDER BY t.closed_at, t.id LIMIT ?",
        (*parties, limit))
    return [_ticket(r) for r in await cur.fetchall()]


async def remove_signoff(conn: Connection, ticket_id: int, party: str) -> None:
    await conn.send("DELETE FROM signoffs WHERE ticket_id = ? AND party = ?", (ticket_id, party))


async def signoffs(conn: Connection, ticket_id: int) -> list[Signoff]:
    cur = await conn.execute(
        "SELECT party, user_id, automatic, at, channel, signer_name FROM signoffs "
        "WHERE ticket_id = ? ORDER BY at", (ticket_id,))
    return [Signoff(r[0], r[1], bool(r[2]), db_time(r[3]), r[4], r[5])
            for r in await cur.fetchall()]


async def awaiting_signoff(conn: Connection, party: str,
                           limit: int) -> list[Ticket]:
    """Completed or closed repairs that this party has not signed yet, the oldest first."""
    cur = await conn.execute(
        f"{_SELECT} WHERE t.kind = 'R' AND t.status IN ('completed', 'closed') AND NOT EXISTS "
        "(SELECT 1 FROM signoffs s WHERE s.ticket_id = t.id AND s.party = ?) "
        "ORDER BY t.completed_at, t.id LIMIT ?", (party, limit))
    return [_ticket(r) for r in await cur.fetchall()]


# Past a target: its deadline (the range of tickets_open: only the late are read, not every
# open ticket) or, still new, its time to be assigned (the few new ones, by status).
OVERDUE_QUERY = (f"{_SELECT} WHERE t.id IN (SELECT t.id FROM tickets t WHERE {UNRESOLVED} "
                 "AND t.deadline_at < ? UNION SELECT t.id FROM tickets t WHERE "
                 f"t.status = 'new' AND t.assign_due_at < ?) AND {UNRESOLVED} AND "
                 "t.paused_at IS NULL "
                 "ORDER BY CASE WHEN t.status = 'new' AND t.assign_due_at < t.deadline_at "
                 "THEN t.assign_due_at ELSE t.deadline_at END, t.id LIMIT ?")


async def overdue(conn: Connection, now: datetime, limit: int) -> list[Ticket]:
    """Unresolved tickets past a target, the most late first."""
    moment = to_db_time(now)
    cur = await conn.execute(OVERDUE_QUERY, (moment, moment, limit))
    return [_ticket(r) for r in await cur.fetchall()]


async def holder_names(conn: Connection,
                       found: list[Ticket]) -> dict[int, tuple[str | None, str | None]]:
    """For each ticket, its technician's and its contractor's names, in one query."""
    if not found:
        return {}
    marks = ",".join("?" * len(found))
    cur = await conn.execute(
        "SELECT t.id, p.name, c.name FROM tickets t "
        "LEFT JOIN people p ON p.user_id = t.technician_id "
        f"LEFT JOIN contractors c ON c.id = t.contractor_id WHERE t.id IN ({marks})",
        [t.id for t in found])
    return {r[0]: (r[1], r[2]) for r in await cur.fetchall()}


DIGEST_COUNTS_QUERY = (
    "SELECT count(*), count(*) FILTER (WHERE t.paused_at IS NULL AND (t.deadline_at < ? OR "
    "(t.status = 'new' AND t.assign_due_at < ?))), count(*) FILTER (WHERE t.paused_at IS NOT "
    f"NULL) FROM tickets t WHERE {UNRESOLVED}")


async def figures_between(conn: Connection, start: datetime,
                          end: datetime) -> tuple[int, int, int]:
    """Reported, resolved, and resolved within the first target, in the period."""
    s, e = to_db_time(start), to_db_time(end)
    reported = (await (await conn.execute(
        "SELECT count(*) FROM tickets WHERE created_at >= ? AND created_at < ?",
        (s, e))).fetchone())[0]
    row = await (await conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE completed_at <= coalesce(target_at, "
        "deadline_at)) "
        "FROM tickets WHERE completed_at >= ? AND completed_at < ?", (s, e))).fetchone()
    return reported, row[0], row[1]


async def unresolved_counts(conn: Connection, now: datetime) -> tuple[int, int, int]:
    """Open, overdue and paused tickets."""
    moment = to_db_time(now)
    row = await (await conn.execute(DIGEST_COUNTS_QUERY, (moment, moment))).fetchone()
    return row[0], row[1] or 0, row[2] or 0


VISITS_QUERY = (f"{_SELECT} WHERE {UNRESOLVED} AND t.visit_date = ? "
                "ORDER BY t.visit_slot, t.id LIMIT ?")
OLDEST_QUERY = f"{_SELECT} WHERE {UNRESOLVED} ORDER BY t.created_at, t.id LIMIT ?"


async def visits_on(conn: Connection, day: str, limit: int) -> list[Ticket]:
    cur = await conn.execute(VISITS_QUERY, (day, limit))
    return [_ticket(r) for r in await cur.fetchall()]


async def oldest_unresolved(conn: Connection, limit: int) -> list[Ticket]:
    cur = await conn.execute(OLDEST_QUERY, (limit,))
    return [_ticket(r) for r in await cur.fetchall()]
