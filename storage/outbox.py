"""Messages the bot owes someone, written in the same transaction as their cause."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

from storage import people
from storage.db import Connection, Cursor, to_db_time
from storage.records import Account, OutboxMessage, Person


async def add(conn: Connection, recipient_id: int, kind: str, now: datetime,
              ticket_id: int | None = None, payload: dict | None = None,
              actor_id: int | None = None, not_before: datetime | None = None) -> None:
    """`actor_id` is whose action caused the message: they are told if it cannot arrive.
    It goes to the account the recipient chose for notices, as it is when it is sent."""
    await conn.send(
        "INSERT INTO outbox (recipient_id, kind, ticket_id, payload, created_at, next_attempt_at, "
        "actor_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (recipient_id, kind, ticket_id, _json(payload),
         to_db_time(now), to_db_time(not_before or now), actor_id),
    )


async def add_returning_id(conn: Connection, recipient_id: int, kind: str, now: datetime,
                           payload: dict | None = None,
                           not_before: datetime | None = None) -> int:
    """`add`, answering the message's id: for a record that follows its delivery (a breach
    notice: the person is told when it is sent)."""
    row = await (await conn.execute(
        "INSERT INTO outbox (recipient_id, kind, payload, created_at, next_attempt_at) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id",
        (recipient_id, kind, _json(payload), to_db_time(now),
         to_db_time(not_before or now)))).fetchone()
    return row[0]


async def add_to_chat(conn: Connection, account: Account, kind: str, now: datetime,
                      payload: dict | None = None, not_before: datetime | None = None) -> None:
    """A message for the chat of this account, whatever account the person chose (a direct
    reply goes back where it was asked; a stranger has no person). Its recipient is the
    account's person, so that it waits behind what the outbox already holds for them; a
    stranger's stands in line alone."""
    await conn.send(
        "INSERT INTO outbox (recipient_id, kind, payload, created_at, next_attempt_at, "
        "channel, address) VALUES (coalesce((SELECT person_id FROM channel_accounts WHERE "
        "channel = ? AND external_id = ?), 0), ?, ?, ?, ?, ?, ?)",
        (account.channel, account.external_id, kind, _json(payload), to_db_time(now),
         to_db_time(not_before or now), account.channel, account.external_id))


async def add_many(conn: Connection, rows: Sequence[tuple[int, str, datetime, int | None,
                                                      dict | None, int | None,
                                                      datetime | None]]) -> None:
    """Several `add`s (recipient, kind, now, ticket, payload, actor, not_before), in one
    statement, in their order."""
    if len(rows) == 1:
        await add(conn, *rows[0])
    elif rows:
        await conn.executemany(
            "INSERT INTO outbox (recipient_id, kind, ticket_id, payload, created_at, "
            "next_attempt_at, actor_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(recipient_id, kind, ticket_id, _json(payload), to_db_time(now),
              to_db_time(not_before or now), actor_id)
             for recipient_id, kind, now, ticket_id, payload, actor_id, not_before in rows])


async def was_told(conn: Connection, recipient_id: int, ticket_id: int) -> bool:
    """Whether any message about the ticket was ever written for this person."""
    cur = await conn.execute("SELECT 1 FROM outbox WHERE recipient_id = ? AND ticket_id = ? "
                             "LIMIT 1", (recipient_id, ticket_id))
    return await cur.fetchone() is not None


_MESSAGE = ("SELECT id, recipient_id, kind, ticket_id, payload, attempts, actor_id, progress, "
            "refusals FROM outbox ")
PENDING = "sent_at IS NULL AND failed_at IS NULL"
# A message with its recipient, read in the one query that claims it (what the sender renders)
# and where it goes: the chat it was written for, else the account the person chose
_CLAIMED = ("SELECT outbox.id, recipient_id, kind, ticket_id, payload, attempts, actor_id, "
            "progress, refusals, coalesce(outbox.channel, ca.channel), "
            f"coalesce(outbox.address, ca.external_id), {people.COLUMNS} FROM outbox "
            "LEFT JOIN people ON people.user_id = outbox.recipient_id "
            "LEFT JOIN channel_accounts ca ON ca.person_id = outbox.recipient_id "
            "AND ca.chosen = 1 ")


async def get(conn: Connection, message_id: int) -> OutboxMessage | None:
    row = await (await conn.execute(_MESSAGE + "WHERE id = ?", (message_id,))).fetchone()
    return _message(row) if row else None


def _message(r, recipient: Person | None = None, channel: str | None = None,
             address: str | None = None) -> OutboxMessage:
    return OutboxMessage(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6],
                         tuple(p for p in r[7].split(",") if p), r[8], recipient, channel,
                         address)


def _with_recipient(r) -> OutboxMessage:
    """A row of _CLAIMED: the message, its recipient when the desk knows them, and the
    chat it goes to."""
    return _message(r, people.from_row(r[11:]) if r[11] is not None else None, r[9], r[10])


async def due(conn: Connection, now: datetime, limit: int) -> list[OutboxMessage]:
    cur = await conn.execute(
        f"{_MESSAGE} WHERE {PENDING} AND next_attempt_at <= ? ORDER BY next_attempt_at, id "
        "LIMIT ?", (to_db_time(now), limit))
    return [_message(r) for r in await cur.fetchall()]


class Claim(list[OutboxMessage]):
    """The messages claimed; `more`: others were due and left (past the limits), so another
    round is worth it at once; `files`: ticket files read with the claim, by ticket
    (storage/ticket_files.py `FileRows`)."""
    more = False
    files: Mapping[int, Any] = MappingProxyType({})


async def claim(conn: Connection, now: datetime, limit: int, recipients: int,
                each: int) -> Claim:
    """The due messages (at most `each` of a person, and none behind an older one of theirs
    waiting to be tried again) of up to `recipients` people, each with its recipient: what
    one process sends (SQLite), read without claiming (there is no one to claim from)."""
    moment = to_db_time(now)
    cur = await conn.execute(
        f"{_CLAIMED} WHERE {PENDING} AND next_attempt_at <= ? AND {_NOT_HELD_BACK} "
        # a person's in the order made; "+" keeps the planner on the index of what is
        # pending (ordered by id it would scan the whole outbox, sent messages and all)
        "ORDER BY +outbox.id LIMIT ?", (moment, moment, limit))
    found = Claim()
    chosen: dict[object, int] = {}  # person (a stranger: their chat) -> messages taken
    rows = await cur.fetchall()
    found.more = len(rows) == limit
    for message in map(_with_recipient, rows):
        line = line_of(message)
        taken = chosen.get(line, 0)
        if taken == each or (not taken and len(chosen) == recipients):
            found.more = True
            continue
        chosen[line] = taken + 1
        found.append(message)
    return found


# An older message of theirs waiting to be tried again holds the later ones back, unless it
# was refused as bad (it may never go, and must not jam the chat), nor does one held by
# choice to a later hour (a request to phone, at night), never yet tried.
_NOT_HELD_BACK = (
    "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.recipient_id = outbox.recipient_id "
    # strangers (no person: recipient 0) each stand in a line of their own chat
    "AND (outbox.recipient_id != 0 OR o.address = outbox.address) "
    "AND o.id < outbox.id AND o.sent_at IS NULL AND o.failed_at IS NULL "
    "AND o.refusals = 0 AND o.next_attempt_at > ? AND (o.attempts > 0 OR o.kind = 'reply'))")
# The same choice as `claim`'s, made in SQL and claimed in the same statement: the first
# `recipients` people (by their oldest message) no other worker holds a live claim on, at
# most `each` messages of each; `found`: how many were due within the limit.
_CLAIM_FOR = f"""
WITH due AS (
    SELECT outbox.id, outbox.recipient_id, outbox.address FROM outbox
    WHERE {PENDING} AND next_attempt_at <= ? AND NOT EXISTS (
        SELECT 1 FROM outbox c WHERE c.recipient_id = outbox.recipient_id
        AND (outbox.recipient_id != 0 OR c.address = outbox.address)
        AND c.sent_at IS NULL AND c.failed_at IS NULL AND c.claimed_by != ?
        AND c.claimed_until > ?)
    AND {_NOT_HELD_BACK} ORDER BY +outbox.id LIMIT ?),
lines AS (
    SELECT id, recipient_id, CASE WHEN recipient_id = 0 THEN address END AS chat FROM due),
ranked AS (
    SELECT id, recipient_id,
           row_number() OVER (PARTITION BY recipient_id, chat ORDER BY id) AS nth,
           min(id) OVER (PARTITION BY recipient_id, chat) AS oldest, count(*) OVER () AS found
    FROM lines),
chosen AS (
    SELECT id, recipient_id, nth, found, dense_rank() OVER (ORDER BY oldest) AS person
    FROM ranked)
UPDATE outbox SET claimed_by = ?, claimed_until = ?
FROM chosen LEFT JOIN people ON people.user_id = chosen.recipient_id
LEFT JOIN channel_accounts ca ON ca.person_id = chosen.recipient_id AND ca.chosen = 1
WHERE outbox.id = chosen.id AND chosen.nth <= ? AND chosen.person <= ?
RETURNING outbox.id, outbox.recipient_id, outbox.kind, outbox.ticket_id, outbox.payload,
    outbox.attempts, outbox.actor_id, outbox.progress, outbox.refusals,
    coalesce(outbox.channel, ca.channel), coalesce(outbox.address, ca.external_id),
    {people.COLUMNS}, chosen.found"""


async def claim_for(conn: Connection, worker: str, now: datetime, until: datetime, limit: int,
                    recipients: int, each: int) -> Cursor:
    """Where several workers share the outbox (PostgreSQL): `claim`'s messages, of people no
    other worker holds a live claim on, claimed for `worker` until `until`, in one statement
    (the caller serialises claims: one transaction at a time). A recipient's messages stay
    with one worker, so they go out in order. Its answer is read with `claimed` after the
    transaction ends: the commit's wait brings it, so a claim is one round trip."""
    moment = to_db_time(now)
    return await conn.execute(_CLAIM_FOR, (moment, worker, moment, moment, limit, worker,
                                           to_db_time(until), each, recipients))


async def claimed(cur: Cursor, limit: int) -> Claim:
    """What `claim_for` claimed, oldest first."""
    rows = sorted(await cur.fetchall(), key=lambda r: r[0])
    found = Claim(_with_recipient(r[:-1]) for r in rows)
    found.more = bool(rows) and (rows[0][-1] == limit or rows[0][-1] > len(rows))
    return found


def line_of(message: OutboxMessage) -> object:
    """Whose line a message waits in, in order: its person's; a stranger's (no person) their
    chat's."""
    return message.recipient_id or (message.channel, message.address)


async def renew(conn: Connection, message_id: int, worker: str, until: datetime) -> bool:
    """The message is still unsent and claimed by `worker`: its claim lasts until `until`."""
    return await (await renew_sent(conn, message_id, worker, until))()


async def renew_sent(conn: Connection, message_id: int, worker: str,
                     until: datetime) -> Callable[[], Awaitable[bool]]:
    """`renew` in two halves: sent now, answered when called, which may be after the
    transaction's commit (its wait brings the answer: a renewal in one round trip)."""
    cur = await conn.execute(f"UPDATE outbox SET claimed_until = ? WHERE id = ? AND "
                             f"claimed_by = ? AND {PENDING} RETURNING id",
                             (to_db_time(until), message_id, worker))

    async def renewed() -> bool:
        return len(await cur.fetchall()) == 1
    return renewed


async def release(conn: Connection, worker: str) -> None:
    """The worker's claims on what it did not send (after a failure, the rest of a chat)."""
    await conn.send("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL "
                       f"WHERE claimed_by = ? AND {PENDING}", (worker,))


async def mark_progress(conn: Connection, message_id: int, part: str) -> None:
    """A part of a message already delivered (its photos): a retry does not send it again."""
    await conn.send(
        "UPDATE outbox SET progress = CASE WHEN progress = '' THEN ? ELSE progress || ',' || ? "
        "END WHERE id = ?", (part, part, message_id))


async def mark_sent(conn: Connection, message_id: int, now: datetime) -> None:
    """The first time it was sent stays (a stalled worker's late mark changes nothing)."""
    await mark_all_sent(conn, [message_id], now)


async def mark_all_sent(conn: Connection, message_ids: list[int], now: datetime) -> None:
    """A round's sent messages, in one statement (the first time each was sent stays)."""
    if message_ids:
        marks = ",".join("?" * len(message_ids))
        await conn.send(f"UPDATE outbox SET sent_at = ? WHERE id IN ({marks}) AND "
                           "sent_at IS NULL", (to_db_time(now), *message_ids))


async def mark_retry(conn: Connection, message_id: int, next_attempt: datetime,
                     error: str) -> None:
    await conn.send(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, "
        "claimed_by = NULL, claimed_until = NULL WHERE id = ?",
        (to_db_time(next_attempt), error[:500], message_id),
    )


async def mark_refused(conn: Connection, message_id: int, next_attempt: datetime,
                       error: str) -> None:
    """Refused as bad (not a passing fault): counted apart, so that an outage's many tries
    do not use up the few a bad message gets."""
    await conn.send(
        "UPDATE outbox SET attempts = attempts + 1, refusals = refusals + 1, "
        "next_attempt_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL "
        "WHERE id = ?", (to_db_time(next_attempt), error[:500], message_id))


async def mark_failed(conn: Connection, message_id: int, now: datetime,
                      error: str) -> bool:
    """False when it was settled already (sent, or failed before)."""
    cur = await conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, failed_at = ?, last_error = ? "
        f"WHERE id = ? AND {PENDING}", (to_db_time(now), error[:500], message_id))
    return cur.rowcount == 1


def _json(payload: dict | None) -> str:
    return json.dumps(payload or {}, ensure_ascii=False, sort_keys=True)


async def recipients_of(conn: Connection, kind: str, ticket_id: int | None,
                        payload: dict) -> set[int]:
    """Who was sent this very message (a rerouted copy adds only 'tried' to it)."""
    cur = await conn.execute(
        "SELECT recipient_id, payload FROM outbox WHERE kind = ? AND ticket_id IS NOT DISTINCT "
        "FROM ?",
        (kind, ticket_id))
    found = set()
    for recipient, text in await cur.fetchall():
        other = json.loads(text)
        other.pop("tried", None)
        if other == payload:
            found.add(recipient)
    return found


async def was_sent(conn: Connection, recipient_id: int, ticket_id: int,
                   kinds: tuple[str, ...]) -> bool:
    """Whether the person was ever sent one of these notices about the ticket."""
    marks = ",".join("?" * len(kinds))
    cur = await conn.execute(
        f"SELECT 1 FROM outbox WHERE recipient_id = ? AND ticket_id = ? AND kind IN ({marks}) "
        "LIMIT 1", (recipient_id, ticket_id, *kinds))
    return await cur.fetchone() is not None


# A message a channel chose not to send yet (LINE near its month's cap): pending, due again
# at `until`, its reason in last_error. Its tries are cleared: it waits by choice, not for a
# fault, so it holds back none of the person's later messages (_NOT_HELD_BACK).
HELD = "held: not pushed, to save the month's LINE messages"


async def mark_held(conn: Connection, message_id: int, until: datetime) -> None:
    await conn.send(
        "UPDATE outbox SET attempts = 0, next_attempt_at = ?, last_error = ?, "
        f"claimed_by = NULL, claimed_until = NULL WHERE id = ? AND {PENDING}",
        (to_db_time(until), HELD, message_id))


async def held_of(conn: Connection, recipient_id: int) -> list[OutboxMessage]:
    """The person's held messages, oldest first, each with its recipient."""
    cur = await conn.execute(
        f"{_CLAIMED} WHERE outbox.recipient_id = ? AND {PENDING} AND last_error = ? "
        "ORDER BY outbox.id", (recipient_id, HELD))
    return [_with_recipient(r) for r in await cur.fetchall()]


async def any_held(conn: Connection) -> bool:
    """Whether anyone has a held message (the pending ones only are read: their index)."""
    cur = await conn.execute(f"SELECT 1 FROM outbox WHERE {PENDING} AND last_error = ? "
                             "LIMIT 1", (HELD,))
    return await cur.fetchone() is not None


async def mark_held_shown(conn: Connection, message_ids: list[int],
                          now: datetime) -> list[int]:
    """Held messages shown another way (in a reply, in /mytickets): sent now. The ids of
    those still held until now (one shown already, or pushed meanwhile, is left out)."""
    if not message_ids:
        return []
    marks = ",".join("?" * len(message_ids))
    cur = await conn.execute(
        f"UPDATE outbox SET sent_at = ? WHERE id IN ({marks}) AND {PENDING} "
        "AND last_error = ? RETURNING id", (to_db_time(now), *message_ids, HELD))
    return sorted(r[0] for r in await cur.fetchall())
