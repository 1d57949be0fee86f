"""Forgetting a person (個人資料保護法 Art. 11): every table of the schema with what erasure does
to it. A person's id (`people.user_id`) is, for a Telegram person, their chat id: it is
re-keyed to a fresh anonymous number in every column that holds a person's id, so the records
that must stay (tickets, payments, settlements, logs) stay whole and nobody's chat id is left.

TABLES names every table of the schema (tests/test_erasure.py compares it with the live
schema of both backends: a new table fails the test until it has its row here):
  KEEP       nothing personal, or nothing left once the ids are re-keyed;
  ANONYMISE  the row stays (the estate's records: units, dates, amounts, references), its
             names, phones and free text are removed or replaced;
  DELETE     the person's rows go (their `owner` column names them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from storage import sender
from storage.channels.media import PREFIX as MEDIA
from storage.db import Connection, to_db_time

KEEP, ANONYMISE, DELETE = "keep", "anonymise", "delete"
ERASED = "(deleted)"  # what stands where a name or a text was
FORMER_STAFF = "(former staff)"  # an erased staff member's name: what they did stays theirs


@dataclass(frozen=True)
class Table:
    fate: str
    ids: tuple[str, ...] = ()  # columns holding a person's id: re-keyed
    owner: str | None = None  # DELETE: the column naming the person whose rows go


TABLES: dict[str, Table] = {
    # who opened whose record: the security log stays (Art. 27), the ids re-keyed
    "access_log": Table(KEEP, ("viewer_id", "person_id")),
    # an activity's organiser: what staff did stays
    "activities": Table(KEEP, ("created_by",)),
    # a resident's choice about notices: nothing to keep it for
    "activity_optouts": Table(DELETE, owner="user_id"),
    # ratings count in the activity's figures: kept, re-keyed
    "activity_ratings": Table(KEEP, ("user_id",)),
    # sign-ups to activities held count in the figures: kept, re-keyed; those to come go
    "activity_signups": Table(ANONYMISE, ("user_id",)),
    # an announcement's deliveries count in its report: kept, re-keyed; one still to go goes
    "announcement_recipients": Table(ANONYMISE, ("user_id",)),
    # what staff announced to the estate stays; the author re-keyed
    "announcements": Table(KEEP, ("author_id",)),
    "archive_changes": Table(KEEP, ("actor_id",)),  # the archive's audit: staff's acts
    "archive_checks": Table(KEEP, ("actor_id",)),
    "archive_items": Table(KEEP),  # the estate's documents, no person
    "archive_loans": Table(KEEP, ("requester_id", "decided_by")),
    # the fee ledger: unit, period, amount; no person
    "bills": Table(KEEP),
    # a breach drill's incident (no person) and who was told of it: the office's evidence
    "breach_incidents": Table(KEEP),
    "breach_people": Table(KEEP, ("person_id",)),
    # a contract's audit: its details (changed names, phones) go
    "buyer_events": Table(ANONYMISE, ("actor_id",)),
    # a reminder sent about a contract: the buyer's own answer goes
    "buyer_notices": Table(ANONYMISE),
    # the contract stays (number, unit, dates); the buyer's name and phone go
    "buyers": Table(ANONYMISE, ("user_id",)),
    # the person's chat accounts: go (their chat ids)
    "channel_accounts": Table(DELETE, owner="person_id"),
    # responsible units (firms), not people
    "contractors": Table(KEEP),
    # a cashier's day: amounts stay, the cashier re-keyed
    "day_closes": Table(KEEP, ("cashier_id",)),
    # a conversation half-way: goes
    "data_exports": Table(KEEP, ("person_id",)),  # copies given: when and how big (Art. 10)
    "drafts": Table(DELETE, owner="user_id"),
    # wrong staff codes tried: go
    "failed_codes": Table(DELETE, owner="user_id"),
    # what a confirmed draft became: goes
    "filed_drafts": Table(DELETE, owner="user_id"),
    # an invitation used: the name it was made out to goes, the user re-keyed
    "invitations": Table(ANONYMISE, ("used_by",)),
    # a claim of a unit (with the phone given): goes; the staff who decided re-keyed
    "join_requests": Table(DELETE, ("decided_by",), owner="user_id"),
    "key_loan_items": Table(KEEP),
    # the key register's loans: who borrowed and handed out stays, re-keyed
    "key_loans": Table(KEEP, ("borrower_id", "decided_by", "handed_out_by", "taken_back_by")),
    "keys": Table(KEEP),
    "labour_rates": Table(KEEP),
    "line_menus": Table(KEEP),  # the rich menus made at LINE, by role and language: no person
    # LINE's month: pushes counted by kind, the managers' warnings; no person in them
    "line_pushes": Table(KEEP),
    "line_warnings": Table(KEEP),
    # codes linking another account (and the account that used one): go
    "link_codes": Table(DELETE, owner="person_id"),
    # wrong link codes tried from the person's accounts: go
    "link_failures": Table(DELETE),
    "materials": Table(KEEP),
    # files the desk keeps (LINE's photos and voice notes): the person's own go (by their
    # chat account), and those of their tickets (scrub_tickets); the desk's own expire
    "media": Table(DELETE),
    # a job's measured figures (settlements add them up): stay, the clerk re-keyed
    "measurements": Table(KEEP, ("actor_id",)),
    "meta": Table(KEEP),
    # messages to the person: those not yet sent go, the sent ones lose address and text
    # the notice's versions shown (with the chat account they were accepted on): go
    "notice_acceptances": Table(DELETE, owner="person_id"),
    "outbox": Table(ANONYMISE, ("recipient_id", "actor_id")),
    # payments stay (unit, amount, receipt, day); a payer's name goes
    "payments": Table(ANONYMISE, ("cashier_id", "recorded_by")),
    # the person: a row stays under the anonymous number (tickets point to it), nameless
    "people": Table(ANONYMISE, ("user_id",)),
    # a callback's note goes; the rating counts
    # the person's requests: the decisions stay (the Act's clock kept), their words go
    "privacy_requests": Table(ANONYMISE, ("person_id", "extended_by", "decided_by")),
    "phone_callbacks": Table(ANONYMISE, ("staff_id", "resident_id")),
    "renovation_events": Table(ANONYMISE, ("actor_id",)),  # notes on the person's go
    "renovation_photos": Table(DELETE),  # photos inside the home: go (the person's permits)
    # a permit stays (reference, unit, dates, fees); its descriptions go
    "renovations": Table(ANONYMISE, ("resident_id",)),
    "required_signoffs": Table(KEEP),
    # a reservation stays (unit, amount, receipt); the buyer's name goes
    "reservations": Table(ANONYMISE, ("recorded_by", "decided_by")),
    # the person's links to units: go
    "residencies": Table(DELETE, owner="user_id"),
    # a resident phoned about a step: stays (ids only), re-keyed
    "resident_calls": Table(KEEP, ("resident_id", "staff_id")),
    # the office's list of owners and tenants: the person's rows go
    "roster": Table(DELETE),
    "sale_units": Table(KEEP),
    "sales_reports": Table(KEEP),
    "seen_updates": Table(KEEP),  # the channel's event ids, no person
    "sequences": Table(KEEP),
    # a settlement delivered stays; a paper signer's name goes
    "settlement_deliveries": Table(ANONYMISE, ("acknowledged_by", "recorded_by")),
    "shortfall_resolutions": Table(KEEP, ("actor_id",)),
    # a signer's query on the person's form: its words go
    "signoff_queries": Table(ANONYMISE, ("asked_by", "answered_by")),
    # a signature stays (the form was signed); a paper signer's name goes
    "signoffs": Table(ANONYMISE, ("user_id",)),
    "stock_moves": Table(KEEP, ("actor_id",)),
    "stock_shortfalls": Table(KEEP, ("actor_id",)),
    # a survey's rating counts in the month's figures; its comment goes
    "surveys": Table(ANONYMISE, ("resident_id", "recorded_by")),
    # a ticket's history stays; notes on the person's tickets go
    "ticket_events": Table(ANONYMISE, ("actor_id",)),
    # following another's report: on a closed one it counts in the month's figures (kept,
    # re-keyed); on an open one it goes (nobody is left to tell)
    "ticket_followers": Table(ANONYMISE, ("user_id",)),
    "ticket_photos": Table(DELETE),  # photos of the person's tickets: go
    "ticket_places": Table(KEEP),  # a public place, no person
    "ticket_voices": Table(DELETE),  # voice notes of the person's tickets: go
    # the ticket stays (reference, unit, category, dates, amounts); its free text, the
    # caller's name and phone go
    "tickets": Table(ANONYMISE, ("resident_id", "technician_id", "filed_by")),
    "timers": Table(KEEP),
    # who joined by a unit's code, on which account: goes; the codes (hashes, counts) stay
    "unit_code_uses": Table(DELETE, owner="person_id"),
    "unit_codes": Table(KEEP),
    "unit_sales": Table(KEEP),
    "units": Table(KEEP),
    "visit_materials": Table(KEEP),
    # a visit stays (its hours and costs settle); its note on the person's ticket goes
    "visits": Table(ANONYMISE, ("worker_id",)),
}

# A ticket's free text, scrubbed on erasure and when a closed ticket's time has passed:
# (column, what stands instead; None: emptied to NULL).
TICKET_TEXTS = (("description", ERASED), ("location", ERASED), ("work_note", None),
                ("reply", None), ("caller_name", None), ("caller_phone", None),
                ("quote_note", None))


@dataclass
class Counts:
    """How many rows each part touched (the CLI prints them)."""
    deleted: int = 0
    anonymised: int = 0
    rekeyed: int = 0
    tickets: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Found:
    """What erasure needs to know of a person before it starts."""
    name: str
    phone: str | None
    role: str | None
    roster_ids: tuple[int, ...]
    accounts: tuple[tuple[str, str], ...]  # (channel, external id)


async def find(conn: Connection, person_id: int) -> Found | None:
    row = await (await conn.execute(
        "SELECT name, phone, role, roster_id FROM people WHERE user_id = ?",
        (person_id,))).fetchone()
    if row is None:
        return None
    accounts = await (await conn.execute(
        "SELECT channel, external_id FROM channel_accounts WHERE person_id = ?",
        (person_id,))).fetchall()
    return Found(row[0], row[1], row[2], (row[3],) if row[3] is not None else (),
                 tuple((a[0], a[1]) for a in accounts))


async def roster_of(conn: Connection, roster_ids: Sequence[int],
                    phone_key: str | None) -> list[tuple[int, int, str]]:
    """The person's rows of the roster: (id, unit, name), by their link or their phone."""
    found = []
    if roster_ids:
        found += await (await conn.execute(
            f"SELECT id, unit_id, name FROM roster WHERE id IN ({question_marks(roster_ids)})",
            tuple(roster_ids))).fetchall()
    if phone_key:
        found += await (await conn.execute(
            "SELECT id, unit_id, name FROM roster WHERE phone_key = ?", (phone_key,))).fetchall()
    return list({r[0]: (r[0], r[1], r[2]) for r in found}.values())


async def contracts_of(conn: Connection, person_id: int,
                       phone_key: str | None) -> list[tuple[str, int, str]]:
    """The buyer's contracts: (number, unit, name)."""
    rows = await (await conn.execute(
        "SELECT contract_no, unit_id, name FROM buyers WHERE user_id = ? OR (phone_key = ? "
        "AND phone_key <> '')", (person_id, phone_key or ""))).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


async def units_of(conn: Connection, person_id: int) -> list[int]:
    rows = await (await conn.execute(
        "SELECT unit_id FROM residencies WHERE user_id = ? UNION "
        "SELECT unit_id FROM tickets WHERE resident_id = ?",
        (person_id, person_id))).fetchall()
    return [r[0] for r in rows]


async def new_id(conn: Connection, gap: int) -> int:
    """A number no person holds, past every id given so far (as storage/accounts.py makes
    one), `gap` further on so that it does not tell whose number came before it."""
    row = await (await conn.execute("SELECT max(user_id) FROM people")).fetchone()
    return max(row[0] or 0, 0) + 1 + gap


async def erase(conn: Connection, person_id: int, anonymous_id: int, label: str,
                now: datetime, names: Iterable[str], phone_key: str | None, units: Iterable[int],
                roster_ids: Iterable[int], contracts: Iterable[str],
                accounts: Iterable[tuple[str, str]]) -> Counts:
    """Forgets the person in the caller's transaction: their rows deleted, their names,
    phones and free text removed from what stays, their id re-keyed to `anonymous_id`."""
    counts = Counts()
    names, units = [n for n in dict.fromkeys(names) if n.strip()], list(dict.fromkeys(units))
    roster_ids, contracts = list(dict.fromkeys(roster_ids)), list(dict.fromkeys(contracts))
    accounts = list(accounts)
    tickets = [r[0] for r in await (await conn.execute(
        "SELECT id FROM tickets WHERE resident_id = ?", (person_id,))).fetchall()]
    counts.tickets = tickets
    renovations = [r[0] for r in await (await conn.execute(
        "SELECT id FROM renovations WHERE resident_id = ?", (person_id,))).fetchall()]

    async def run(sql: str, args: Sequence = (), anonymised: bool = False) -> None:
        cur = await conn.execute(sql, tuple(args))
        if anonymised:
            counts.anonymised += max(cur.rowcount, 0)
        else:
            counts.deleted += max(cur.rowcount, 0)

    # What goes: the tables whose rows are the person's.
    for table, spec in TABLES.items():
        if spec.fate == DELETE and spec.owner:
            await run(f"DELETE FROM {table} WHERE {spec.owner} = ?", (person_id,))
    for channel, external_id in accounts:
        await run("DELETE FROM link_failures WHERE channel = ? AND external_id = ?",
                  (channel, external_id))
        await run("DELETE FROM link_codes WHERE used_by = ?", (external_id,))
        await run("DELETE FROM media WHERE channel = ? AND external_id = ?",
                  (channel, external_id))
        await run("DELETE FROM outbox WHERE channel = ? AND address = ? AND sent_at IS NULL "
                  "AND failed_at IS NULL", (channel, external_id))
        await run("UPDATE outbox SET address = NULL, payload = '{}' WHERE channel = ? "
                  "AND address = ?", (channel, external_id), True)
    if roster_ids:
        await run(f"DELETE FROM roster WHERE id IN ({question_marks(roster_ids)})", roster_ids)
    await run("DELETE FROM outbox WHERE recipient_id = ? AND sent_at IS NULL "
              "AND failed_at IS NULL", (person_id,))
    await run("DELETE FROM announcement_recipients WHERE user_id = ? AND state = 'pending'",
              (person_id,))
    await run("DELETE FROM ticket_followers WHERE user_id = ? AND ticket_id IN (SELECT id "
              "FROM tickets WHERE status NOT IN ('closed', 'merged'))", (person_id,))
    await run("DELETE FROM activity_signups WHERE user_id = ? AND activity_id IN (SELECT id "
              "FROM activities WHERE starts_at > ?)", (person_id, to_db_time(now)))
    counts.anonymised += await scrub_tickets(conn, tickets)
    if renovations:
        marks = question_marks(renovations)
        await run(f"DELETE FROM renovation_photos WHERE renovation_id IN ({marks})", renovations)
        await run(f"UPDATE renovations SET details = ?, works = ?, review = NULL "
                  f"WHERE id IN ({marks})", (ERASED, ERASED, *renovations), True)
        await run(f"UPDATE renovation_events SET note = '' WHERE renovation_id IN ({marks})",
                  renovations, True)

    # What stays, without the person's words, names and phones.
    await run("UPDATE surveys SET comment = NULL WHERE resident_id = ? AND comment IS NOT NULL",
              (person_id,), True)
    await run("UPDATE phone_callbacks SET note = '' WHERE resident_id = ?", (person_id,), True)
    await run("UPDATE privacy_requests SET details = NULL WHERE person_id = ? AND details IS "
              "NOT NULL", (person_id,), True)
    await run("UPDATE signoffs SET signer_name = NULL WHERE user_id = ?", (person_id,), True)
    await run("UPDATE invitations SET name = NULL WHERE used_by = ?", (person_id,), True)
    await run("UPDATE outbox SET payload = '{}', address = NULL, last_error = NULL, "
              "progress = '' WHERE recipient_id = ?", (person_id,), True)
    if contracts:
        marks = question_marks(contracts)
        await run(f"UPDATE buyers SET name = ?, phone = '', phone_key = '' "
                  f"WHERE contract_no IN ({marks})", (ERASED, *contracts), True)
        await run(f"UPDATE buyer_notices SET answer = NULL WHERE contract_no IN ({marks})",
                  contracts, True)
        await run(f"UPDATE buyer_events SET detail = '' WHERE contract_no IN ({marks})",
                  contracts, True)
    if names:
        await run(f"UPDATE settlement_deliveries SET paper_signer = NULL "
                  f"WHERE paper_signer IN ({question_marks(names)})", names, True)
    if names and units:
        named, unit_marks = question_marks(names), question_marks(units)
        await run(f"UPDATE payments SET payer = ? WHERE unit_id IN ({unit_marks}) "
                  f"AND payer IN ({named})", (ERASED, *units, *names), True)
        await run(f"UPDATE reservations SET buyer = ? WHERE unit_id IN ({unit_marks}) "
                  f"AND buyer IN ({named})", (ERASED, *units, *names), True)

    if label == FORMER_STAFF:  # events that name the staff member (an assignment) keep
        for name in names:       # the event, under the label
            if len(name.strip()) >= 2:
                await run("UPDATE ticket_events SET note = replace(note, ?, ?) "
                          "WHERE replace(note, ?, '') <> note", (name, label, name), True)

    # The person's number: a nameless row under the anonymous one, every id moved to it.
    await conn.execute(
        "INSERT INTO people (user_id, language, role, name, phone, active, created_at, "
        "department, contractor_id) SELECT ?, language, role, ?, NULL, 0, created_at, "
        "department, contractor_id FROM people WHERE user_id = ?",
        (anonymous_id, label, person_id))
    for table, spec in TABLES.items():
        for column in spec.ids:
            if (table, column) == ("people", "user_id"):
                continue
            cur = await conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?",
                                     (anonymous_id, person_id))
            counts.rekeyed += max(cur.rowcount, 0)
    await conn.execute("DELETE FROM people WHERE user_id = ?", (person_id,))
    sender.person_changed(person_id)
    return counts


async def scrub_tickets(conn: Connection, ticket_ids: Sequence[int],
                        now: datetime | None = None) -> int:
    """The tickets' photos, voice notes and free text gone; what the reports and
    settlements count (unit, category, dates, amounts, reference) stays. With `now`, the
    tickets are marked as scrubbed then (the retention sweep's)."""
    if not ticket_ids:
        return 0
    ids, marks = tuple(ticket_ids), question_marks(ticket_ids)
    touched = 0
    for sql, args in (
        *((f"DELETE FROM media WHERE id IN (SELECT CAST(substr(file_id, {len(MEDIA) + 1}) "
           f"AS INTEGER) FROM {table} WHERE ticket_id IN ({marks}) AND file_id LIKE ?)",
           (*ids, f"{MEDIA}%")) for table in ("ticket_photos", "ticket_voices")),
        (f"DELETE FROM ticket_photos WHERE ticket_id IN ({marks})", ids),
        (f"DELETE FROM ticket_voices WHERE ticket_id IN ({marks})", ids),
        ("UPDATE tickets SET " + ", ".join(
            f"{c} = CASE WHEN {c} IS NULL THEN NULL ELSE ? END" if v is not None
            else f"{c} = NULL" for c, v in TICKET_TEXTS)
         + (", erased_at = ?" if now is not None else "") + f" WHERE id IN ({marks})",
         (*(v for _, v in TICKET_TEXTS if v is not None),
          *((to_db_time(now),) if now is not None else ()), *ids)),
        (f"UPDATE ticket_events SET note = '' WHERE ticket_id IN ({marks}) AND note <> ''", ids),
        (f"UPDATE visits SET note = '' WHERE ticket_id IN ({marks}) AND note <> ''", ids),
        (f"UPDATE phone_callbacks SET note = '' WHERE ticket_id IN ({marks}) AND note <> ''",
         ids),
        (f"UPDATE surveys SET comment = NULL WHERE ticket_id IN ({marks}) "
         "AND comment IS NOT NULL", ids),
        (f"UPDATE signoffs SET signer_name = NULL WHERE ticket_id IN ({marks}) "
         "AND signer_name IS NOT NULL", ids),
        (f"UPDATE signoff_queries SET question = ?, answer = CASE WHEN answer IS NULL "
         f"THEN NULL ELSE ? END WHERE ticket_id IN ({marks})", (ERASED, ERASED, *ids)),
        (f"UPDATE outbox SET payload = '{{}}' WHERE ticket_id IN ({marks}) "
         "AND (sent_at IS NOT NULL OR failed_at IS NOT NULL) AND payload <> '{}'", ids),
    ):
        touched += max((await conn.execute(sql, args)).rowcount, 0)
    return touched


def question_marks(values: Sequence) -> str:
    return ",".join("?" * len(values))


async def matching(conn: Connection, number: int | None, phone_key: str | None
                   ) -> list[tuple[int, str, str | None, str | None]]:
    """The people the office may mean by a number: that id, or that phone (its last
    digits, however written): (id, name, phone, role). For the command line: a scan."""
    digits = "replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '+', ''), " \
        "'(', ''), ')', '')"
    rows = await (await conn.execute(
        "SELECT user_id, name, phone, role FROM people WHERE user_id = ? "
        + (f"OR (phone IS NOT NULL AND {digits} LIKE ?) " if phone_key else "")
        + "ORDER BY user_id",
        (number if number is not None else 0, *((f"%{phone_key}",) if phone_key else ()))
    )).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]
