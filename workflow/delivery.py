"""The outbox's rules: what is due, and when to try again after a failure."""

from __future__ import annotations

import os
import socket
import sqlite3
import uuid
import weakref
from datetime import datetime, timedelta

from storage import (
    accounts,
    backend,
    locks,
    outbox,
    people,
    resident_calls,
    ticket_files,
    tickets,
)
from storage.db import Database, to_db_time
from storage.records import Account, OutboxMessage
from storage.resident_calls import ResidentCall
from workflow import access, roles, told
from workflow import tickets as machine
from workflow.privacy import access as access_log
from workflow.settings import EstateSettings

# What the desk must hear even when its addressee blocked the bot: it goes to the next
# person of the same role instead.
REROUTED = ("dispatch", "join_request", "sla_warning", "overdue_alert", "digest")
UNREACHABLE = "unreachable"  # the notice that someone could not be reached

REPLY = "reply"  # a direct reply Telegram could not take at once, already written
UNDELIVERABLE = "undeliverable"  # the notice that a message was given up as bad
# what asks the resident a question whose answer the desk records (on the phone: the desk
# asks): whether the repair holds, whether a proposed visit suits them, whether a
# complaint's reply settles it
ASKS_AN_ANSWER = ("signoff_request", "visit_proposed", "complaint_reply")
REFUSALS = 4  # tries a message refused as bad gets (10 s, 20 s, 40 s apart), then given up


def database_down() -> tuple[type[BaseException], ...]:
    """The database itself failing while a message is rendered: not the message's fault, so
    it costs none of its tries (the round stops; the next one tries again)."""
    return (*backend.unreachable(), sqlite3.OperationalError)


BATCH = 50
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s ... at most an hour."""
    return min(timedelta(seconds=10 * 2 ** attempts), MAX_BACKOFF)


# A claim not finished by then is taken over by another worker: with the outbox polled
# every 5 s, a dead worker's messages go out within 30 s. A claim holds at most EACH
# messages of one person (at Telegram's one a second for a chat, well inside the lease).
LEASE = timedelta(seconds=25)
PEOPLE = 10  # recipients a worker takes at once: the others are left to the other workers
EACH = 5
WORKER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def due(db: Database, now: datetime, worker: str = WORKER) -> outbox.Claim:
    """The messages this worker sends now: claimed (several workers may share an outbox),
    a recipient's with one worker at a time, oldest first, each with its recipient."""
    if not db.shared:  # SQLite: one process sends (a lock says so): nothing to claim, a read
        async with db.reading() as conn:
            return await outbox.claim(conn, now, BATCH, PEOPLE, EACH)
    # One round trip, found or not: the lock, the claim and the commit sent together, the
    # messages claimed read once the commit is answered (a round finding nothing updates
    # no row, so its commit writes nothing).
    async with db.transaction(durable=False) as conn:
        await locks.serialise(conn, "outbox claims")
        claiming = await outbox.claim_for(conn, _me(conn, worker), now, now + LEASE, BATCH,
                                          PEOPLE, EACH)
        # the file its notices are rendered from, read with the claim: no wait of its own
        filing = await ticket_files.sent_claimed(conn, _me(conn, worker),
                                                 to_db_time(now + LEASE))
    found = await outbox.claimed(claiming, BATCH)
    rows = await filing()
    if rows is not None:
        found.files = {rows.ticket.id: rows}
    # this round's: the last one's are done
    _LEASES.setdefault(db, {})[worker] = {m.id: now + LEASE for m in found}
    return found


# The leases a worker's last claim took, by worker and message: a lease with more than half
# its time left needs no renewal before its first send (no other worker takes a message
# over before its lease runs out, and a stalled worker is one past half of it)
_LEASES: weakref.WeakKeyDictionary[Database, dict[str, dict[int, datetime]]] = \
    weakref.WeakKeyDictionary()


def _fresh(db: Database, worker: str, message: OutboxMessage, now: datetime) -> bool:
    until = _LEASES.get(db, {}).get(worker, {}).get(message.id)
    return until is not None and now <= until - LEASE / 2


def _settled(db: Database, ids: list[int]) -> None:
    """Messages marked (sent, failed, to be tried again): no longer anyone's to send."""
    for leases in _LEASES.get(db, {}).values():
        for message_id in ids:
            leases.pop(message_id, None)


def _me(conn, worker: str) -> str:
    """On SQLite one process serves the file (a lock says so): a claim left by a process
    that died is its successor's own at once."""
    return worker if conn.dialect == "postgres" else "the estate's process"


async def still_mine(db: Database, message: OutboxMessage, now: datetime,
                     worker: str = WORKER, sent: list[OutboxMessage] | None = None) -> bool:
    """Before each send where several workers share the outbox: the claim is renewed if it is
    still this worker's; if this worker stalled past the lease and another took the message
    over, it is left to that one (sending it too would show it twice, or out of order).
    `sent`: the chat's messages sent and not yet marked: marked first, in the same
    transaction (and the list emptied), so that no mark waits on Telegram's answer to
    another message (a crash meanwhile would send them again)."""
    if not db.shared and not sent:
        return True  # SQLite: one process sends, claims nothing
    if not sent and _fresh(db, worker, message, now):
        return True  # claimed moments ago: still this worker's, no round trip to ask
    renewed = None
    async with db.transaction(durable=False) as conn:
        if sent:
            await outbox.mark_all_sent(conn, [m.id for m in sent], now)
            await access_log.write_delivered(conn, db, [m.id for m in sent])
        if db.shared:
            renewed = await outbox.renew_sent(conn, message.id, worker, now + LEASE)
    mine = await renewed() if renewed is not None else True  # answered with the commit
    if renewed is not None and mine:
        _LEASES.setdefault(db, {}).setdefault(worker, {})[message.id] = now + LEASE
    if sent:
        _forget_parts(db, sent)
        sent.clear()
    return mine


async def release(db: Database, worker: str = WORKER) -> None:
    if not db.shared:
        return  # SQLite: nothing is claimed
    async with db.transaction(durable=False) as conn:
        await outbox.release(conn, _me(conn, worker))


# Marking sent skips the fsync (a power cut may lose the mark: the message is then sent again,
# as after a crash between Telegram's answer and the mark; delivery is at least once).
async def sent(db: Database, message: OutboxMessage, now: datetime) -> None:
    await all_sent(db, [message], now)


async def all_sent(db: Database, messages: list[OutboxMessage], now: datetime) -> None:
    """Marked sent in one statement (the messages of a round's chats done together)."""
    if messages:
        async with db.transaction(durable=False) as conn:
            await outbox.mark_all_sent(conn, [m.id for m in messages], now)
            await access_log.write_delivered(conn, db, [m.id for m in messages])
        _forget_parts(db, messages)


async def retry(db: Database, message: OutboxMessage, now: datetime, error: str,
                after: timedelta | None = None) -> None:
    async with db.transaction() as conn:
        await _write_parts(conn, db, message)
        await outbox.mark_retry(conn, message.id, now + (after or backoff(message.attempts)),
                                error)


async def refused(db: Database, message: OutboxMessage, now: datetime, error: str) -> bool:
    """A try refused as bad: it failed to render, or Telegram called it a bad request. It is
    tried again a few times (a fault may pass), then given up; True when given up."""
    if message.refusals + 1 >= REFUSALS:
        await given_up(db, message, now, error)
        return True
    async with db.transaction() as conn:
        await _write_parts(conn, db, message)
        await outbox.mark_refused(conn, message.id, now + backoff(message.refusals), error)
    return False


async def given_up(db: Database, message: OutboxMessage, now: datetime, error: str) -> None:
    """Marked failed, and the desk told once what it was and for whom, so someone can tell
    that person another way; the person's later messages go on."""
    async with db.transaction() as conn:
        await _write_parts(conn, db, message)
        if not await outbox.mark_failed(conn, message.id, now, error):
            return  # settled already
        if message.kind in (UNDELIVERABLE, UNREACHABLE):
            return  # never a notice about a notice: it could go round and round
        payload = {"person": message.recipient_id, "about": message.kind,
                   "message": message.id}
        for person in await machine.desk(conn):
            if not person.unreachable:
                await outbox.add(conn, person.user_id, UNDELIVERABLE, now, message.ticket_id,
                                 payload)


async def hold(db: Database, message: OutboxMessage, until: datetime) -> None:
    """The channel chose not to send it now (LINE near its month's cap): it stays in the
    outbox, shown on the person's next reply or in /mytickets (`held_of`, `held_shown`), else
    sent at `until`. Never dropped."""
    async with db.transaction(durable=False) as conn:
        await _write_parts(conn, db, message)
        await outbox.mark_held(conn, message.id, until)


async def held_of(db: Database, person_id: int) -> list[OutboxMessage]:
    """What was held for the person, oldest first."""
    async with db.reading() as conn:
        return await outbox.held_of(conn, person_id)


async def any_held(db: Database) -> bool:
    """Whether a channel holds anything back for anyone now."""
    async with db.reading() as conn:
        return await outbox.any_held(conn)


async def held_shown(db: Database, messages: list[OutboxMessage], now: datetime) -> list[int]:
    """Held messages shown in a reply or in /mytickets: marked sent, as the sender marks
    what it sent (whose data they showed goes to the access log). The ids still held until
    now: only those are for the caller to show (another turn may have shown the rest)."""
    async with db.transaction(durable=False) as conn:
        shown = await outbox.mark_held_shown(conn, [m.id for m in messages], now)
        await access_log.write_delivered(conn, db, shown)
    for message in messages:
        if message.id not in shown:  # shown elsewhere: what its rendering logged is moot
            access_log.forget(db, message.id)
    _forget_parts(db, messages)
    return shown


async def reply_later(db: Database, account: Account, text: str, content: dict | None,
                      now: datetime, after: timedelta | None = None) -> None:
    """A reply goes through the outbox to the chat it answers, after what that chat already
    waits for; `content`: its choices or ask, as the channel's adapter reads them back;
    `after`: the channel asked to wait that long."""
    async with db.transaction() as conn:
        await outbox.add_to_chat(conn, account, REPLY, now,
                                 payload={"text": text, **(content or {})},
                                 not_before=now + after if after else None)


async def progressed(db: Database, message: OutboxMessage, part: str) -> None:
    """A part of a message delivered (its photos, its card): so that a retry does not send it
    again. It waits in memory for the message's next write rather than costing a
    transaction of its own: marked sent, it is no longer needed; tried again, refused or
    given up, it is written with that. A crash before then sends the part again, as one
    between a message's sending and its sent mark sends the message again."""
    _PARTS.setdefault(db, {}).setdefault(message.id, []).append(part)


# Parts of messages delivered and not yet written: database -> message id -> parts
_PARTS: weakref.WeakKeyDictionary[Database, dict[int, list[str]]] = \
    weakref.WeakKeyDictionary()


async def _write_parts(conn, db: Database, message: OutboxMessage) -> None:
    """The parts of `message` delivered so far, written in the caller's transaction. Whose
    data its rendering showed is logged with them if its card went (a retry does not send
    it again), else when a later try sends it."""
    _settled(db, [message.id])
    parts = _PARTS.get(db, {}).pop(message.id, ())
    if "card" in parts:
        await access_log.write_delivered(conn, db, [message.id])
    access_log.forget(db, message.id)
    for part in parts:
        await outbox.mark_progress(conn, message.id, part)


def _forget_parts(db: Database, messages: list[OutboxMessage]) -> None:
    """Sent whole: what parts went no longer matters."""
    _settled(db, [m.id for m in messages])
    waiting = _PARTS.get(db)
    if waiting:
        for message in messages:
            waiting.pop(message.id, None)


async def unreachable(db: Database, message: OutboxMessage, now: datetime, error: str,
                      settings: EstateSettings | None = None) -> None:
    """The recipient blocked the bot or has no chat with it: marked so. What the desk needs
    goes to another of the same role; anything else is reported at once to whoever caused it
    and to the desk, who can phone the person; a resident without Telegram is phoned by one
    person, in office hours (settings.phone_calls_by)."""
    async with db.transaction() as conn:
        await _write_parts(conn, db, message)
        await outbox.mark_failed(conn, message.id, now, error)
        await people.set_unreachable(conn, message.recipient_id, now)
        person = await people.get(conn, message.recipient_id)
        if person is None or message.kind == UNREACHABLE:
            return
        if not person.active and not roles.is_staff(person.role):
            return  # an erased resident (workflow/privacy/erasure.py): nobody to phone
        ticket = await tickets.get(conn, message.ticket_id) \
            if message.ticket_id is not None else None
        if person.user_id < 0 and ticket is not None:  # on the roster, not on Telegram
            settings = settings or EstateSettings()
            # "is it fixed?", "does the visit suit you?": only the desk records the answer
            event = "phone_resident_answer" if message.kind in ASKS_AN_ANSWER \
                else "phone_resident"
            asked = {k: message.payload[k] for k in ("day", "slot") if k in message.payload}
            await told.tell(conn, settings, event, ticket, now,
                            payload={"person": person.user_id, "about": message.kind,
                                     "request": message.id, **asked},
                            prefer=message.actor_id, not_before=settings.next_opening(now))
            return
        if message.kind not in REROUTED or person.role is None:
            await _tell_who_can_phone(conn, message, now)
            return
        original = {k: v for k, v in message.payload.items() if k != "tried"}
        tried = set(message.payload.get("tried", [])) | {person.user_id}
        tried |= await outbox.recipients_of(conn, message.kind, message.ticket_id, original)
        for other in await people.reachable_with_role(conn, person.role):
            if other.user_id not in tried:
                payload = {**original, "tried": sorted(tried)}
                await outbox.add(conn, other.user_id, message.kind, now, message.ticket_id,
                                 payload)
                return


async def _tell_who_can_phone(conn, message: OutboxMessage, now: datetime) -> None:
    told = {message.recipient_id}
    actor = await people.get(conn, message.actor_id) if message.actor_id else None
    staff = [actor] if actor is not None and roles.is_staff(actor.role) and actor.active else []
    for person in staff + await machine.desk(conn):
        if person.user_id not in told and not person.unreachable:
            told.add(person.user_id)
            await outbox.add(conn, person.user_id, UNREACHABLE, now, message.ticket_id,
                             {"person": message.recipient_id, "about": message.kind})


async def left(db: Database, account: Account, now: datetime) -> bool:
    """The person left the chat app's account of the desk (LINE's unfollow, told at once):
    marked unreachable, as a refused send marks them, when it is the account their notices
    go to (another they chose still reaches them). True if it changed."""
    async with db.transaction() as conn:
        person = await accounts.person_of(conn, account)
        if person is None:
            return False
        _, chosen = await accounts.person_and_chosen(conn, person.user_id)
        if chosen is not None and chosen != account:
            return False
        return await people.set_unreachable(conn, person.user_id, now)


async def reachable_again(db: Database, user_id: int) -> None:
    async with db.transaction() as conn:
        await people.set_unreachable(conn, user_id, None)


async def phoned(db: Database, actor_id: int, request_id: int, now: datetime
                 ) -> tuple[ResidentCall, bool]:
    """'I phoned them' on a request to phone a resident without Telegram: recorded once per
    step; the call, and False when someone had already recorded it."""
    async with db.transaction() as conn:
        request = await outbox.get(conn, request_id)
        if request is None or request.ticket_id is None or request.recipient_id >= 0:
            raise machine.Refusal(machine.Refusal.NOT_FOUND)
        await access.require(conn, "residents.phoned", actor_id, request.ticket_id)
        recorded = await resident_calls.record(conn, request.id, request.ticket_id,
                                               request.recipient_id, actor_id, now)
        call = await resident_calls.get(conn, request.id)
        assert call is not None
        if recorded:
            ticket = await machine.load(conn, request.ticket_id)
            resident = await people.get(conn, request.recipient_id)
            await tickets.add_event(conn, ticket.id, now, actor_id, "phoned_resident",
                                    ticket.status, ticket.status,
                                    resident.name if resident else "")
        return call, recorded


async def calls_to(db: Database, ticket_id: int, resident_id: int) -> list[ResidentCall]:
    """Who already phoned this resident about this ticket, and when."""
    async with db.reading() as conn:
        return await resident_calls.of_resident(conn, ticket_id, resident_id)


async def caller(db: Database, staff_id: int) -> str:
    async with db.reading() as conn:
        found = await people.get(conn, staff_id)
        return found.name if found else "?"
