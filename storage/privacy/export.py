"""What the desk holds about one person, read for their own copy (/mydata), and the record of
each request and its delivery (個人資料保護法 Arts. 3, 10). Every read is keyed on the person:
their own rows, their units' rows, the tickets they reported or follow."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.db import Connection, to_db_time

Row = dict[str, Any]

# The person's units, and the tickets they reported or follow (a follower's unit is their own,
# not the reporter's).
_UNITS = "SELECT unit_id FROM residencies WHERE user_id = ?"
_TICKETS = ("SELECT id FROM tickets WHERE resident_id = ? "
            "UNION SELECT ticket_id FROM ticket_followers WHERE user_id = ?")

P = ("person",)
# section: (columns, SQL, its parameters in order: the person's id, their phone's key)
_READS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "person": (
        ("id", "name", "phone", "language", "role", "department", "active", "joined_at",
         "unreachable_at"),
        "SELECT user_id, name, phone, language, role, department, active, created_at, "
        "unreachable_at FROM people WHERE user_id = ?", P),
    "accounts": (
        ("channel", "account", "language", "linked_at", "chosen"),
        "SELECT channel, external_id, language, linked_at, chosen FROM channel_accounts "
        "WHERE person_id = ? ORDER BY linked_at, channel", P),
    "units": (
        ("unit_id", "building", "unit", "linked_at", "roster_name", "roster_phone",
         "relation"),
        "SELECT u.id, u.building, u.unit, r.linked_at, ro.name, ro.phone, ro.relation "
        "FROM residencies r JOIN units u ON u.id = r.unit_id "
        "LEFT JOIN people p ON p.user_id = r.user_id "
        "LEFT JOIN roster ro ON ro.id = (SELECT min(id) FROM roster WHERE unit_id = u.id "
        "AND (id = p.roster_id OR phone_key = ?)) "
        "WHERE r.user_id = ? ORDER BY u.building, u.unit", ("phone_key", "person")),
    "privacy_notices": (
        ("version", "shown_at", "accepted_at"),
        "SELECT version, shown_at, accepted_at FROM notice_acceptances WHERE person_id = ? "
        "ORDER BY id", P),
    "join_requests": (
        ("phone", "claimed_unit", "status", "requested_at", "decided_at"),
        "SELECT phone, claimed_unit, status, created_at, decided_at FROM join_requests "
        "WHERE user_id = ? ORDER BY id", P),
    "tickets": (
        ("id", "reference", "kind", "reported", "building", "unit", "category", "location",
         "description", "status", "priority", "reported_at", "deadline_at", "completed_at",
         "closed_at", "reply", "work_note", "came_by", "caller_name", "caller_phone",
         "following_since", "following_via"),
        "SELECT t.id, t.ref, t.kind, CASE WHEN t.resident_id = ? THEN 1 ELSE 0 END, "
        "u.building, u.unit, t.category, t.location, t.description, t.status, t.priority, "
        "t.created_at, t.deadline_at, t.completed_at, t.closed_at, t.reply, t.work_note, "
        "t.channel, t.caller_name, t.caller_phone, f.joined_at, f.via FROM tickets t "
        "LEFT JOIN ticket_followers f ON f.ticket_id = t.id AND f.user_id = ? "
        "JOIN units u ON u.id = coalesce(f.unit_id, t.unit_id) "
        f"WHERE t.id IN ({_TICKETS}) ORDER BY t.id", P * 4),
    "events": (
        ("ticket_id", "at", "action", "from_status", "to_status", "note", "actor_id",
         "actor_name", "actor_role"),
        "SELECT e.ticket_id, e.at, e.action, e.from_status, e.to_status, e.note, e.actor_id, "
        "p.name, p.role FROM ticket_events e LEFT JOIN people p ON p.user_id = e.actor_id "
        f"WHERE e.ticket_id IN ({_TICKETS}) ORDER BY e.ticket_id, e.id", P * 2),
    # photos and voice notes of the reports they made (a report they follow is another's)
    "photos": (
        ("ticket_id", "stage", "position", "file_id"),
        "SELECT p.ticket_id, p.stage, p.position, p.file_id FROM ticket_photos p "
        "JOIN tickets t ON t.id = p.ticket_id WHERE t.resident_id = ? "
        "ORDER BY p.ticket_id, p.stage, p.position", P),
    "voices": (
        ("ticket_id", "kind", "file_id", "seconds"),
        "SELECT v.ticket_id, v.kind, v.file_id, v.seconds FROM ticket_voices v "
        "JOIN tickets t ON t.id = v.ticket_id WHERE t.resident_id = ? ORDER BY v.ticket_id", P),
    "surveys": (
        ("reference", "sent_at", "channel", "reached", "rating", "reasons", "comment",
         "answered_at", "expired_at"),
        "SELECT t.ref, s.sent_at, s.channel, s.reached, s.rating, s.reasons, s.comment, "
        "s.answered_at, s.expired_at FROM surveys s JOIN tickets t ON t.id = s.ticket_id "
        "WHERE s.resident_id = ? ORDER BY s.sent_at", P),
    "callbacks": (
        ("reference", "at", "reached", "rating", "note"),
        "SELECT t.ref, c.at, c.reached, c.rating, c.note FROM phone_callbacks c "
        "JOIN tickets t ON t.id = c.ticket_id WHERE c.resident_id = ? "
        "OR (c.resident_id IS NULL AND t.resident_id = ?) ORDER BY c.at", P * 2),
    "bills": (
        ("building", "unit", "period", "item", "amount", "due_date", "reference"),
        "SELECT u.building, u.unit, b.period, b.item, b.amount, b.due_date, b.reference "
        f"FROM bills b JOIN units u ON u.id = b.unit_id WHERE b.unit_id IN ({_UNITS}) "
        "ORDER BY b.period, u.building, u.unit, b.item", P),
    "payments": (
        ("number", "building", "unit", "amount", "method", "receipt", "at", "reverses",
         "reason", "payer"),
        "SELECT p.id, u.building, u.unit, p.amount, p.method, p.receipt, p.at, p.reverses, "
        "p.reason, p.payer FROM payments p JOIN units u ON u.id = p.unit_id "
        f"WHERE p.unit_id IN ({_UNITS}) ORDER BY p.at, p.id", P),
    "renovations": (
        ("id", "reference", "building", "unit", "scopes", "details", "works", "start_date",
         "end_date", "contractor", "state", "review", "receipt", "fee", "deposit",
         "applied_at"),
        "SELECT r.id, r.ref, u.building, u.unit, r.scopes, r.details, r.works, r.start_date, "
        "r.end_date, r.contractor, r.state, r.review, r.receipt, r.fee, r.deposit, "
        "r.created_at FROM renovations r JOIN units u ON u.id = r.unit_id "
        "WHERE r.resident_id = ? ORDER BY r.id", P),
    "renovation_events": (
        ("renovation_id", "at", "action", "note", "actor_id", "actor_name", "actor_role"),
        "SELECT e.renovation_id, e.at, e.action, e.note, e.actor_id, p.name, p.role "
        "FROM renovation_events e JOIN renovations r ON r.id = e.renovation_id "
        "LEFT JOIN people p ON p.user_id = e.actor_id WHERE r.resident_id = ? "
        "ORDER BY e.renovation_id, e.id", P),
    "renovation_photos": (
        ("renovation_id", "stage", "position", "file_id"),
        "SELECT p.renovation_id, p.stage, p.position, p.file_id FROM renovation_photos p "
        "JOIN renovations r ON r.id = p.renovation_id WHERE r.resident_id = ? "
        "ORDER BY p.renovation_id, p.stage, p.position", P),
    # the keys of their units they left with the office, and every loan of them
    "keys": (
        ("tag", "kind", "label", "building", "unit"),
        "SELECT k.tag, k.kind, k.label, u.building, u.unit FROM keys k "
        f"JOIN units u ON u.id = k.unit_id WHERE k.unit_id IN ({_UNITS}) AND k.spare = 0 "
        "ORDER BY u.building, u.unit, k.kind, k.tag", P),
    "key_loans": (
        ("id", "building", "unit", "reason", "ticket", "state", "emergency", "requested_at",
         "out_at", "returned_at", "borrower_name", "borrower_role"),
        "SELECT l.id, u.building, u.unit, l.reason, t.ref, l.state, l.emergency, "
        "l.requested_at, l.out_at, l.returned_at, p.name, p.role FROM key_loans l "
        "JOIN units u ON u.id = l.unit_id LEFT JOIN tickets t ON t.id = l.ticket_id "
        "LEFT JOIN people p ON p.user_id = l.borrower_id "
        f"WHERE l.unit_id IN ({_UNITS}) ORDER BY l.requested_at, l.id", P),
    "contracts": (
        ("contract", "building", "unit", "name", "phone", "first_payment_due",
         "first_paid_at", "mortgage_at", "mortgage_bank", "mortgage_place",
         "loan_documents_due", "loan_documents_in_at", "handover_due", "handover_slot",
         "handed_over_at", "days_late", "recorded_at"),
        "SELECT b.contract_no, u.building, u.unit, b.name, b.phone, b.first_payment_due, "
        "b.first_paid_at, b.mortgage_at, b.mortgage_bank, b.mortgage_place, "
        "b.loan_documents_due, b.loan_documents_in_at, b.handover_due, b.handover_slot, "
        "b.handed_over_at, b.days_late, b.created_at FROM buyers b "
        "JOIN units u ON u.id = b.unit_id WHERE b.user_id = ? ORDER BY b.contract_no", P),
    "contract_events": (
        ("contract", "at", "action", "detail"),
        "SELECT e.contract_no, e.at, e.action, e.detail FROM buyer_events e "
        "JOIN buyers b ON b.contract_no = e.contract_no WHERE b.user_id = ? "
        "ORDER BY e.contract_no, e.id", P),
    "contract_notices": (
        ("contract", "kind", "about", "sent_at", "answer"),
        "SELECT n.contract_no, n.kind, n.about, n.sent_at, n.answer FROM buyer_notices n "
        "JOIN buyers b ON b.contract_no = n.contract_no WHERE b.user_id = ? "
        "ORDER BY n.contract_no, n.sent_at", P),
    "activities": (
        ("activity", "at", "building", "unit", "people", "state"),
        "SELECT a.title, s.at, u.building, u.unit, s.people, s.state FROM activity_signups s "
        "JOIN activities a ON a.id = s.activity_id JOIN units u ON u.id = s.unit_id "
        "WHERE s.user_id = ? ORDER BY s.at, s.id", P),
    "exports": (
        ("requested_at", "delivered_at", "failed_at", "size"),
        "SELECT requested_at, delivered_at, failed_at, size FROM data_exports "
        "WHERE person_id = ? ORDER BY requested_at, id", P),
}
SECTIONS = tuple(_READS)


async def of_person(conn: Connection, person_id: int, phone_key: str
                    ) -> dict[str, list[Row]]:
    """Every section's rows, as dicts by column (times as stored: UTC ISO text); the roster's
    rows of their units are found by their phone's key (workflow/phones.py)."""
    found = {}
    values = {"person": person_id, "phone_key": phone_key}
    for section, (columns, sql, uses) in _READS.items():
        cur = await conn.execute(sql, [values[name] for name in uses])
        found[section] = [dict(zip(columns, row, strict=True))
                          for row in await cur.fetchall()]
    return found


async def phone_of(conn: Connection, person_id: int) -> str | None:
    row = await (await conn.execute("SELECT phone FROM people WHERE user_id = ?",
                                    (person_id,))).fetchone()
    return row[0] if row else None


async def names_of(conn: Connection, user_ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """The name and role of each person (the staff who viewed a record)."""
    if not user_ids:
        return {}
    marks = ", ".join("?" * len(user_ids))
    cur = await conn.execute(f"SELECT user_id, name, role FROM people WHERE user_id IN ({marks})",
                             list(user_ids))
    return {r[0]: (r[1], r[2]) for r in await cur.fetchall()}


# -- the record of requests and deliveries

async def begin(conn: Connection, person_id: int, channel: str, now: datetime,
                stale: datetime) -> int | None:
    """A new request, pending; None while another of theirs is pending (a double tap, a
    second account). A pending one older than `stale` (the process stopped while making it)
    is closed as failed first."""
    await conn.send("UPDATE data_exports SET failed_at = ? WHERE person_id = ? AND "
                    "delivered_at IS NULL AND failed_at IS NULL AND requested_at < ?",
                    (to_db_time(now), person_id, to_db_time(stale)))
    cur = await conn.execute(
        "INSERT INTO data_exports (person_id, channel, requested_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING RETURNING id", (person_id, channel, to_db_time(now)))
    row = await cur.fetchone()
    return row[0] if row else None


async def last_delivered(conn: Connection, person_id: int) -> str | None:
    row = await (await conn.execute(
        "SELECT max(delivered_at) FROM data_exports WHERE person_id = ?",
        (person_id,))).fetchone()
    return row[0] if row else None


async def delivered(conn: Connection, request_id: int, size: int, contents: str,
                    now: datetime) -> None:
    await conn.send("UPDATE data_exports SET delivered_at = ?, size = ?, contents = ? "
                    "WHERE id = ?", (to_db_time(now), size, contents, request_id))


async def failed(conn: Connection, request_id: int, now: datetime) -> None:
    await conn.send("UPDATE data_exports SET failed_at = ? WHERE id = ? AND delivered_at IS NULL",
                    (to_db_time(now), request_id))
