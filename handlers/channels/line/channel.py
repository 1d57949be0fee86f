"""Content as LINE shows it, and LINE's way of answering: the replies of a turn go in ONE
reply call with the event's reply token (free, at most five messages, single use, valid
about a minute); what does not fit, or finds the token spent, is pushed. Everything pushed
carries `X-Line-Retry-Key`, made from the outbox message it renders (or the event it
answers), so a push tried again after a timeout is never shown twice: LINE answers 409.
Pushes count against the plan's month; LINE cannot edit a sent message nor send a file."""

from __future__ import annotations

import contextlib
import json
import logging
import mimetypes
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

import aiohttp
from linebot.v3.messaging import (  # type: ignore[import-untyped]
    ApiException,
    Message,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)

from handlers.channels.content import Asking, Choices, Limits, kept
from handlers.channels.line import menus, messages
from handlers.channels.line.api import LineApi
from handlers.channels.line.messages import MESSAGES, TEXT
from handlers.channels.outcomes import Fault, Verdict
from handlers.channels.turns import Channel, Turn, Voice
from handlers.common import Desk
from storage.records import Account
from workflow import delivery

log = logging.getLogger(__name__)
LINE = "line"
# No edits; a caption is a text message of its own under the pictures; no verified phone
# number to share (a resident joins by the unit's code or a clerk's approval).
LIMITS = Limits(choices=messages.QUICK_ITEMS, edits=False, text=TEXT, caption=TEXT,
                free_replies=True, contact=False)
RETRY_KEYS = uuid.uuid5(uuid.NAMESPACE_URL, "https://estatedesk.invalid/line/retry-key")
TICK = "✓ "  # a chosen chip's label begins so (surveys, keys)
REPLY = "reply"  # the budget's kind of a turn's reply that had to be pushed
DIRECT = "direct"  # and of a push neither a reply nor an outbox message
MONTHLY_WAIT = timedelta(hours=1)  # the plan's month used up: try again in an hour
FOLDED_WAIT = timedelta(hours=1)  # a message the budget folds: asked about again then


class Media(Protocol):
    """The desk's media for LINE (handlers/channels/line/media.py): bytes kept under a
    `media:` reference, the signed https address LINE fetches a reference from, and the
    bytes of a reference (one of LINE's, or of another channel's)."""

    async def keep(self, data: bytes, name: str, content_type: str) -> str: ...

    def url(self, ref: str, name: str | None = None) -> str: ...

    async def bytes_of(self, ref: str) -> bytes: ...


class Budget(Protocol):
    """The month's pushes (handlers/channels/line/budget.py): whether a kind is pushed now
    (False: folded, kept in the outbox), and how many pushes went."""

    async def allows(self, kind: str) -> bool: ...

    async def pushed(self, kind: str, count: int) -> None: ...


class Folded(Exception):
    """The budget keeps this outbox message back (near the month's cap): it stays in the
    outbox, asked about again later."""


@dataclass
class _Draft:
    """One send of a turn, kept as content until the turn ends: a text with its choices and
    ask (how they show depends on what follows it), or messages made already (pictures,
    a file's card) with the text the outbox keeps of them if they cannot go now."""
    text: str
    choices: Choices | None = None
    asking: Asking | None = None
    made: list[Message] | None = None
    toast: bool = False  # Telegram's passing note: on LINE a message, unless one repeats it


@dataclass
class ReplySlot:
    """The turn being handled: its reply token, its event (the retry keys of what it pushes)
    and its person, whose replies collect here until the turn ends."""
    token: str | None
    event: str
    user_id: str
    desk: Desk | None = None  # where a reply LINE cannot take now waits (the outbox)
    drafts: list[_Draft] = field(default_factory=list)
    pushes: int = 0
    closed: bool = False


@dataclass
class _Sending:
    """The outbox message being sent, and its pushes so far by the method that made them."""
    message_id: int
    kind: str
    parts: dict[str, int] = field(default_factory=dict)


_slot: ContextVar[ReplySlot | None] = ContextVar("line_reply_slot", default=None)
_sending: ContextVar[_Sending | None] = ContextVar("line_sending", default=None)


class LineChannel(Channel):
    name = LINE
    limits = LIMITS

    def __init__(self, api: LineApi, media: Media, budget: Budget | None = None, *,
                 estate: str = "", db: Any = None) -> None:
        """`estate`: the estate's key (the retry keys of estates sharing a LINE channel
        never meet); `db`: where the rich menus made at LINE are remembered."""
        self.api, self.media, self.budget, self.estate = api, media, budget, estate
        self.db = db
        self._monthly_logged: float | None = None

    # -- a turn's replies -------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def replying(self, reply_token: str | None, event_id: str, user_id: str,
                       desk: Desk | None = None) -> AsyncIterator[ReplySlot]:
        """Around the handling of one webhook event of `user_id`: what is sent to them
        meanwhile goes, when it ends, in one reply call (the rest pushed). `desk`: where a
        reply LINE cannot take now (busy, failing) waits in the outbox."""
        slot = ReplySlot(reply_token, str(event_id), str(user_id), desk)
        token = _slot.set(slot)
        try:
            yield slot
            await self._add_held(slot)
        finally:
            _slot.reset(token)
            slot.closed = True
            await self._answer(slot)

    async def _add_held(self, slot: ReplySlot) -> None:
        """What the budget held back for the person near the month's cap, folded into this
        reply (free): marked shown as it is added, so it is never shown twice."""
        held_for = getattr(self.budget, "held_for", None)
        if held_for is None:
            return
        try:
            for text in await held_for(Account(LINE, slot.user_id)):
                await self.send(slot.user_id, text)
        except Exception as exc:  # the reply itself still goes; they stay held
            log.warning("LINE: the held messages of %s could not be added: %s", slot.user_id,
                        exc)

    def _slot_for(self, address: Any) -> ReplySlot | None:
        """The turn's slot when this send is a reply in it (not the outbox's, which may run
        in a task started from the turn, nor one to someone else)."""
        slot = _slot.get()
        if slot is None or slot.closed or _sending.get() is not None or \
                str(address) != slot.user_id:
            return None
        return slot

    async def _answer(self, slot: ReplySlot) -> None:
        drafts = _without_repeated_toasts(slot.drafts)
        made = [self._made(draft, last=i == len(drafts) - 1) for i, draft in enumerate(drafts)]
        flat = [message for found in made for message in found]
        if not flat:
            return
        shown = 0
        if slot.token:
            replied = await self._reply(slot, flat[:MESSAGES])
            if replied is None:
                return  # refused as bad: the rest would be too (logged)
            shown = replied
        try:
            for batch in messages.batches(flat[shown:]):
                await self._push(slot.user_id, batch, self._key_of_event(slot), REPLY)
                shown += len(batch)
        except Exception as exc:
            fault = self.classify(exc)
            if fault is None or fault.verdict is not Verdict.RETRY:
                log.error("LINE: the replies to %s could not be pushed: %s", slot.user_id,
                          exc, exc_info=fault is None)
                return
            await self._later(slot, drafts, made, shown, fault)

    def _made(self, draft: _Draft, last: bool) -> list[Message]:
        if draft.made is not None:
            return draft.made
        return messages.text_messages(draft.text, draft.choices, draft.asking, last=last)

    async def _reply(self, slot: ReplySlot, batch: list[Message]) -> int | None:
        """The reply call: how many messages it showed (0: the token spent or expired, or
        LINE failing: they are pushed; None: refused as bad)."""
        try:
            await self.api.messaging.reply_message(
                ReplyMessageRequest(reply_token=slot.token, messages=batch),
                _request_timeout=self.api.timeout)
        except ApiException as exc:
            if exc.status == 400 and "reply token" in _said(exc).lower():
                log.info("LINE: the reply token of %s is spent or expired: pushed", slot.event)
                return 0
            if exc.status == 400:
                log.error("LINE refused the reply to %s: %s", slot.event, _said(exc))
                return None
            log.warning("LINE failed the reply to %s (%s): pushed", slot.event, exc.status)
            return 0
        except TimeoutError:
            # No answer: it may have been shown, and a push could show it twice.
            log.warning("LINE: no answer to the reply to %s; taken as shown", slot.event)
        except aiohttp.ClientConnectorError as exc:  # never reached LINE
            log.warning("LINE out of reach for the reply to %s: %s; pushed", slot.event, exc)
            return 0
        except aiohttp.ClientError as exc:  # cut off mid-way: may have been shown
            log.warning("LINE: the reply to %s was cut off (%s); taken as shown", slot.event,
                        exc)
        return len(batch)

    async def _later(self, slot: ReplySlot, drafts: list[_Draft], made: list[list[Message]],
                     shown: int, fault: Fault) -> None:
        """The replies not shown yet wait in the outbox, as content, from the first not
        wholly shown."""
        if slot.desk is None:
            log.error("LINE: %d replies to %s lost: %s", len(drafts), slot.user_id, fault.error)
            return
        log.warning("LINE busy or failing (%s): the replies to %s go through the outbox",
                    fault.error, slot.user_id)
        d, account = slot.desk, Account(LINE, slot.user_id)
        for draft, found in zip(drafts, made, strict=True):
            if shown >= len(found):
                shown -= len(found)
                continue
            shown = 0
            if draft.made is not None and not draft.text:
                log.warning("LINE: a picture or file for %s not shown (no text to keep)",
                            slot.user_id)
                continue
            await delivery.reply_later(d.db, account, draft.text,
                                       kept(draft.choices, draft.asking), d.now(),
                                       fault.wait)

    # -- pushes -----------------------------------------------------------------------

    @contextlib.contextmanager
    def sending(self, message_id: int, kind: str) -> Iterator[None]:
        token = _sending.set(_Sending(message_id, kind))
        try:
            yield
        finally:
            _sending.reset(token)

    def _key_of_event(self, slot: ReplySlot) -> str:
        slot.pushes += 1
        return str(uuid.uuid5(RETRY_KEYS, f"{self.estate}:event:{slot.event}:{slot.pushes}"))

    async def _deliver(self, address: Any, found: list[Message], part: str) -> None:
        """Messages outside a turn's reply: pushed, each call with its retry key: from the
        outbox message (the same on every try of it), else from the turn's event."""
        sending, slot = _sending.get(), _slot.get()
        if sending is not None:
            if self.budget is not None and not sending.parts and \
                    not await self.budget.allows(sending.kind):  # asked once a message
                fold = getattr(self.budget, "fold", None)  # held, shown on the next reply
                raise fold() if fold is not None else \
                    Folded(f"folded near the month's cap ({sending.kind})")
            n = sending.parts.get(part, 0)
            sending.parts[part] = n + 1
            for i, batch in enumerate(messages.batches(found)):
                retry = uuid.uuid5(RETRY_KEYS, f"{self.estate}:{sending.message_id}:{part}{n}:{i}")
                await self._push(address, batch, str(retry), sending.kind)
            return
        for batch in messages.batches(found):
            key = self._key_of_event(slot) if slot is not None else None
            await self._push(address, batch, key, DIRECT)

    async def _push(self, address: Any, batch: list[Message], key: str | None,
                    kind: str) -> None:
        try:
            await self.api.messaging.push_message(
                PushMessageRequest(to=str(address), messages=batch), x_line_retry_key=key,
                _request_timeout=self.api.timeout)
        except ApiException as exc:
            if exc.status != 409 or key is None:
                raise
            # LINE accepted this retry key before (the answer was lost): shown once
            log.info("LINE had this push already (request %s)",
                     (exc.headers or {}).get("x-line-accepted-request-id"))
        if self.budget is not None:
            await self.budget.pushed(kind, 1)

    # -- the Channel ------------------------------------------------------------------

    async def send(self, address: Any, text: str, choices: Choices | None = None,
                   asking: Asking | None = None) -> Any:
        slot = self._slot_for(address)
        if slot is not None:
            slot.drafts.append(_Draft(text, choices, asking))
            return None
        sending = _sending.get()
        lasting = sending is None or sending.kind != delivery.REPLY
        await self._deliver(address, messages.text_messages(text, choices, asking,
                                                            lasting=lasting), "send")
        return None

    async def edit(self, address: Any, ref: Any, text: str, choices: Choices | None) -> bool:
        return False

    async def set_choices(self, turn: Turn, choices: Choices | None) -> None:
        # The tapped card keeps its buttons (a later tap on one is refused as out of date
        # by the flows); the fresh choices come as a message of their own.
        if choices:  # what is ticked so far (a bare "…" read as a stray message)
            ticked = [shown for row in choices.rows for shown, _ in row
                      if shown.startswith(TICK)]
            await self.send(turn.address, "\n".join(ticked) or "…", choices)

    async def toast(self, turn: Turn, text: str) -> None:
        slot = self._slot_for(turn.address)
        if slot is not None:
            slot.drafts.append(_Draft(text, toast=True))
            return
        await self.send(turn.address, text)

    async def done(self, turn: Turn) -> None:
        return None  # a postback has no spinner to stop

    async def send_photos(self, address: Any, photos: list[Any],
                          caption: str | None = None) -> None:
        urls = [self.media.url(await self._ref(photo, "photo")) for photo in photos]
        found = messages.image_messages(urls)
        if caption:
            found.append(TextMessage(text=messages.text_of(caption)))
        await self._made_now(address, found, caption or "", "photos")

    async def send_document(self, address: Any, document: Any, filename: str | None = None,
                            caption: str | None = None, choices: Choices | None = None) -> None:
        ref = await self._ref(document, filename or "document")
        name = filename or _name_of(document)
        url = self.media.url(ref, name)
        found = messages.link_card(caption or name or "…", url, f"⬇ {name}".strip(), choices)
        await self._made_now(address, found, caption or "", "document")

    async def send_recording(self, address: Any, recording: Voice,
                             caption: str | None = None) -> None:
        url = self.media.url(recording.ref)
        found = messages.link_card(caption or "🎤", url, "▶")
        await self._made_now(address, found, caption or "", "recording")

    async def _made_now(self, address: Any, found: list[Message], text: str,
                        part: str) -> None:
        slot = self._slot_for(address)
        if slot is not None:
            slot.drafts.append(_Draft(text, made=found))
        else:
            await self._deliver(address, found, part)

    async def _ref(self, thing: Any, name: str) -> str:
        """A reference LINE can be shown: one the desk or an app keeps already, or the
        bytes the desk made (a chart, a statement), kept now."""
        if isinstance(thing, str):
            return thing
        data = thing.read() if hasattr(thing, "read") else thing
        data = bytes(data)
        name = _name_of(thing) or name
        kind = mimetypes.guess_type(name)[0] or _sniffed(data)
        return await self.media.keep(data, name, kind)

    def classify(self, exc: BaseException) -> Fault | None:
        if isinstance(exc, Folded):
            return Fault(Verdict.RETRY, str(exc), FOLDED_WAIT)
        if isinstance(exc, ApiException) and exc.status:  # (0: the SDK's own, a bug)
            status, said = exc.status, _said(exc)
            if status == 429:
                if _monthly(said):
                    self._log_monthly(said)
                    return Fault(Verdict.RETRY, f"LINE: {said}", MONTHLY_WAIT)
                return Fault(Verdict.RETRY, f"LINE asks to wait: {said}", _retry_after(exc))
            if status in (403, 404):  # blocked, or no such friend: later messages wait too
                return Fault(Verdict.UNREACHABLE, f"unreachable on LINE: {status} {said}",
                             chat_goes_on=False)
            if status == 401:  # the access token: the desk's setting, not the message
                log.error("LINE refused the channel access token: %s", said)
                return Fault(Verdict.RETRY, f"LINE refused the access token: {said}")
            if 400 <= status < 500:
                return Fault(Verdict.REFUSED, f"refused by LINE: {status} {said}")
            return Fault(Verdict.RETRY, f"LINE failing: {status} {said}")
        if isinstance(exc, TimeoutError):  # the retry key makes trying again safe
            return Fault(Verdict.RETRY, "no answer from LINE in time")
        if isinstance(exc, aiohttp.ClientError):
            return Fault(Verdict.RETRY, f"LINE out of reach: {exc!r}")
        return None

    def _log_monthly(self, said: str) -> None:
        """Once an hour, not at every message kept back."""
        now = time.monotonic()
        if self._monthly_logged is None or now - self._monthly_logged > 3600:
            self._monthly_logged = now
            log.error("LINE: the plan's messages for this month are used up (%s): pushes "
                      "wait; raise the plan or wait for the month", said)

    async def fetch(self, ref: str) -> bytes:
        return await self.media.bytes_of(ref)

    async def set_menu(self, address: Any, tr: Any, role: str | None,
                       lives_here: bool = False) -> None:
        await self._link_menu(str(address), tr, role, lives_here)

    async def _link_menu(self, user_id: str, tr: Any, role: str | None,
                         lives_here: bool) -> None:
        """The person's rich menu, by role and language (made at LINE the first time)."""
        if self.db is None:
            return
        await menus.link(self.api, self.db, user_id, tr, role, lives_here)

    def passing(self, exc: BaseException) -> bool:
        fault = self.classify(exc)
        return fault is not None and fault.verdict is Verdict.RETRY

    def wait_for(self, exc: BaseException) -> timedelta | None:
        fault = self.classify(exc)
        return fault.wait if fault is not None else None

    def failing(self, exc: BaseException) -> bool:
        return isinstance(exc, (ApiException, TimeoutError, aiohttp.ClientError))


def _without_repeated_toasts(drafts: list[_Draft]) -> list[_Draft]:
    """A toast whose words a later message of the turn begins with (an out-of-date card's
    "Already assigned…" above the card as it is now) would show the same line twice."""
    return [d for i, d in enumerate(drafts) if not d.toast or not any(
        later.text.startswith(d.text) for later in drafts[i + 1:] if later.made is None)]


def _said(exc: ApiException) -> str:
    """LINE's own words in an error's body ({"message": ...})."""
    body = exc.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        found = json.loads(body or "{}")
    except ValueError:
        return str(body or exc.reason or "")
    if isinstance(found, dict) and found.get("message"):
        return str(found["message"])
    return str(body)


def _monthly(said: str) -> bool:
    return "monthly limit" in said.lower()


def _retry_after(exc: ApiException) -> timedelta | None:
    value = (exc.headers or {}).get("Retry-After")
    try:
        return timedelta(seconds=max(0, int(value))) if value is not None else None
    except ValueError:
        return None


def _name_of(thing: Any) -> str:
    name = getattr(thing, "name", None)
    return name.rsplit("/", 1)[-1] if isinstance(name, str) else ""


def _sniffed(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"%PDF"):
        return "application/pdf"
    return "application/octet-stream"

