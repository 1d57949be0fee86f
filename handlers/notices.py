"""Delivering the outbox: each stored message is rendered in its recipient's language at
the time of sending (handlers/renderers.py, with the renderers each area's door brings),
sent through the adapter of the recipient's channel, then marked sent. What a fault means
is the channel's to say (`Channel.classify`, with the retry and rate rules of its app):
passing faults are retried with back-off for as long as they last; a message that fails to
render or that the app refuses as bad is tried a few times, then given up and the desk
told, and never holds up the person's later messages; a person who blocked the bot is not
retried, and whoever can phone them is told. Recipients are served side by side, so one
slow or failing chat never holds up the others; a message's photos are remembered once
sent, so a retry of its text does not send them twice."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Mapping
from typing import Any, cast

from handlers.channels.outcomes import Held, Verdict
from handlers.channels.turns import Channel
from handlers.common import Desk
from handlers.renderers import Notice, UnknownNotice, render, send_reply
from storage.records import OutboxMessage
from workflow import delivery, views
from workflow.views import TicketFile

log = logging.getLogger(__name__)
MAX_ROUNDS = 5
NO_APP = ""  # the channel of someone on no chat app (a roster line): the desk phones them


def route(message: OutboxMessage) -> tuple[str, Any]:
    """The channel a message goes by and the address on it: the chat it was written for (a
    reply), else the account its recipient chose for notices (read with the claim)."""
    if message.channel is None or message.address is None:
        return NO_APP, message.recipient_id
    return message.channel, message.address


async def deliver_due(application) -> int:
    """The outbox of the application's desk, through its channels (bot/app.py)."""
    data = application.bot_data
    return await deliver(data.desk, data.outbox_lock, data.outboxes)


async def deliver(d: Desk, lock: asyncio.Lock, channels: Mapping[str, Channel]) -> int:
    """Sends what is due, one sender at a time, until nothing more is (a message rerouted
    from someone who blocked the bot goes out in the same round), each message through the
    adapter of its channel (`channels`, by name). Returns how many."""
    count = 0
    async with lock:
        for _ in range(MAX_ROUNDS):
            batch = await delivery.due(d.db, d.now())
            if not batch:
                break
            chats: dict[tuple[str, Any], list[OutboxMessage]] = {}
            for message in batch:
                chats.setdefault(route(message), []).append(message)
            served = {key: messages for key, messages in chats.items()
                      if _served(key[0], channels)}
            waiting = len(batch) - sum(len(messages) for messages in served.values())
            marks, files = _Marks(d), _Files(d, batch.files)
            outcomes = await asyncio.gather(*(
                _deliver_chat(channels.get(name), _address(channels.get(name), address), d,
                              messages, marks, files)
                for (name, address), messages in served.items()), return_exceptions=True)
            await marks.done([])  # any left by a flush that failed
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome  # what every chat sent before it stopped is marked
            done = [o for chat in outcomes for o in cast(list[_Outcome], chat)]
            count += len(done)
            if len(done) < len(batch):  # a chat stopped at a failure: its rest wait, free
                await delivery.release(d.db)
            # Another round at once only if something more may be due: messages left past
            # the claim's limits, or written by this round (a message rerouted, the desk
            # told). A message committed meanwhile kicks a delivery of its own.
            if not batch.more and len(done) + waiting == len(batch) and \
                    all(o is _Outcome.SENT for o in done):
                break
    return count


def _address(channel: Channel | None, external_id: Any) -> Any:
    """Where the channel writes to the account (Telegram: a chat's number)."""
    return channel.address_of(str(external_id)) if channel is not None else external_id


def _served(name: str, channels: Mapping[str, Channel]) -> bool:
    """Whether this process has the channel's adapter: a message for another waits, and
    holds up no one."""
    if name in channels or name == NO_APP:
        return True
    log.error("outbox: no adapter for the channel %r here; its messages wait", name)
    return False


class _Outcome(enum.Enum):
    SENT = "sent"
    SETTLED = "settled otherwise"  # failed, refused, rerouted: the outbox may have grown


class _Marks:
    """A round's sent messages marked so: a chat's last one when the chat is done, together
    with those of the chats done at the same moment, in one statement. (A chat's earlier
    ones are marked before its next send: no mark waits on Telegram's answer to another
    message, for a crash meanwhile would send it again.)"""

    def __init__(self, d: Desk) -> None:
        self._d = d
        self._pending: list[OutboxMessage] = []
        self._flushing = False

    async def done(self, sent: list[OutboxMessage]) -> None:
        self._pending += sent
        if self._flushing or not self._pending:
            return  # the chat marking now takes these too
        self._flushing = True
        try:
            await asyncio.sleep(0)  # the chats whose answers are in are done first
            while self._pending:
                taken, self._pending = self._pending, []
                await delivery.all_sent(self._d.db, taken, self._d.now())
        finally:
            self._flushing = False


class _Files:
    """A round's ticket files, each read once for all the round's messages naming it (the
    resident, the technician, followers, the clerk); the next round reads them afresh.
    `claimed`: the rows of files read with the round's claim (workflow/delivery.py `due`)."""

    def __init__(self, d: Desk, claimed: Mapping[int, Any]) -> None:
        self._d, self._claimed = d, dict(claimed)
        self._read: dict[int, TicketFile] = {}
        self._reading: dict[int, asyncio.Lock] = {}  # chats asking at once read it once

    async def of(self, ticket_id: int) -> TicketFile:
        async with self._reading.setdefault(ticket_id, asyncio.Lock()):
            if ticket_id not in self._read:  # a failed read is not kept: the next one tries
                rows = self._claimed.pop(ticket_id, None)
                self._read[ticket_id] = await views.file_of(self._d.db, ticket_id, rows) \
                    if rows is not None else \
                    await views.ticket_file(self._d.db, ticket_id, None)
            return self._read[ticket_id]


async def _deliver_chat(channel: Channel | None, address: Any, d: Desk,
                        messages: list[OutboxMessage], marks: _Marks,
                        files: _Files) -> list[_Outcome]:
    """One recipient's messages in order; after a failure the rest wait for the next round."""
    done: list[_Outcome] = []
    sent: list[OutboxMessage] = []
    try:
        for message in messages:
            outcome = await _deliver_one(channel, address, d, message, sent, files)
            if outcome is None:
                break
            done.append(outcome)
    finally:
        await marks.done(sent)
    return done


async def _deliver_one(channel: Channel | None, address: Any, d: Desk, message: OutboxMessage,
                       sent: list[OutboxMessage], files: _Files) -> _Outcome | None:
    """Sends one message and records the outcome (sent: added to `sent`, the chat's
    messages sent and not yet marked); None when the rest of its chat waits (a passing
    fault: the network, the app busy or asking to wait)."""
    if not await delivery.still_mine(d.db, message, d.now(), sent=sent):
        return None  # another worker took it over while this one stalled
    try:
        await _send(channel, address, d, message, files)
    except WithoutChannel:  # the desk phones them instead
        await delivery.unreachable(d.db, message, d.now(), "does not use Telegram",
                                   d.settings)
        return _Outcome.SETTLED
    except Held as held:  # kept back by the channel: shown on their next reply, or later
        await delivery.hold(d.db, message, held.until)
        return _Outcome.SETTLED
    except UnknownNotice as exc:  # no try can render it
        log.error("outbox %s (%s) cannot be rendered: %s", message.id, message.kind, exc)
        await delivery.given_up(d.db, message, d.now(), f"cannot be rendered: {exc}")
        return _Outcome.SETTLED
    except delivery.database_down():
        raise  # not the message's fault: the next round tries it again
    except Exception as exc:
        fault = channel.classify(exc) if channel is not None else None
        if fault is None:  # it fails to render (a bug, damaged data): never jams the chat
            await _refused(d, message, f"cannot be rendered: {exc!r}", exc)
            return _Outcome.SETTLED
        if fault.verdict is Verdict.UNREACHABLE:
            await delivery.unreachable(d.db, message, d.now(), fault.error)
            return _Outcome.SETTLED if fault.chat_goes_on else None
        if fault.verdict is Verdict.REFUSED:
            await _refused(d, message, fault.error)
            return _Outcome.SETTLED
        if fault.verdict is Verdict.UNKNOWN_IF_DELIVERED:
            # sending it again could show the person the same card twice
            log.warning("outbox %s (%s): %s; taken as delivered", message.id, message.kind,
                        fault.error)
            sent.append(message)
            return _Outcome.SENT
        if fault.wait is not None:
            log.warning("outbox %s (%s): %s asks to wait %s s", message.id, message.kind,
                        message.channel, fault.wait.total_seconds())
        else:
            log.warning("outbox %s (%s): %s; tried again later", message.id, message.kind,
                        fault.error)
        await delivery.retry(d.db, message, d.now(), fault.error, fault.wait)
    else:
        sent.append(message)
        return _Outcome.SENT
    return None


async def _refused(d: Desk, message: OutboxMessage, error: str,
                   exc: BaseException | None = None) -> None:
    """A bad message: tried again a few times, then given up and the desk told. Its
    traceback is logged once, on the first try, not on every try."""
    tries = message.refusals + 1
    if tries == 1:
        log.error("outbox %s (%s) for %s: %s", message.id, message.kind, message.recipient_id,
                  error, exc_info=exc)
    if await delivery.refused(d.db, message, d.now(), error):
        log.error("outbox %s (%s) for %s given up after %d tries; the desk is told",
                  message.id, message.kind, message.recipient_id, tries)
    elif tries > 1:
        log.warning("outbox %s (%s) failed again (try %d of %d): %s", message.id,
                    message.kind, tries, delivery.REFUSALS, error)


class WithoutChannel(Exception):
    """The recipient is a resident on the roster who uses none of the desk's apps."""


async def _send(channel: Channel | None, address: Any, d: Desk, message: OutboxMessage,
                files: _Files) -> None:
    if message.kind == delivery.REPLY and channel is not None:
        with channel.sending(message.id, message.kind):
            await send_reply(channel, address, message)
        return
    recipient = message.recipient  # read with the claim
    if recipient is None:
        raise UnknownNotice(f"recipient {message.recipient_id} unknown")
    if channel is None:  # on no chat app (a roster line): the desk phones them
        raise WithoutChannel()
    file = None
    if message.ticket_id is not None:
        file = await files.of(message.ticket_id)
    with channel.sending(message.id, message.kind):
        await render(Notice(channel, address, d, d.tr(recipient.language), message, recipient,
                            file))
