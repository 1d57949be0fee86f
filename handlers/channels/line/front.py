"""LINE's webhook: the signature (HMAC-SHA256 of the raw body with the channel secret) is
checked before anything of the body is read (401, nothing stored); then each event in the
order LINE sent them, one event of a person at a time across every worker (the desk's lock
per chat, keyed by a number made from the userId), through the Dispatcher (which takes each
event once, by its webhookEventId), inside the channel's reply slot (the event's replies go in
one reply call). The answer comes once every event is handled; while the database cannot be
reached it is 503, so LINE delivers the events again (those handled already are dropped)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from typing import Any

from linebot.v3.exceptions import InvalidSignatureError  # type: ignore[import-untyped]
from linebot.v3.webhook import WebhookParser  # type: ignore[import-untyped]
from linebot.v3.webhooks import (  # type: ignore[import-untyped]
    FollowEvent,
    GroupSource,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    UnfollowEvent,
)

from handlers.channels.dispatch import Dispatcher
from handlers.channels.line.media import LineMedia
from handlers.channels.line.turns import LINE, Profile, Profiles, Unfetched, turn_of, user_of
from handlers.channels.turns import Turn
from handlers.common import Desk, asker
from storage.backend import unreachable
from storage.records import Account
from workflow import delivery, views

log = logging.getLogger(__name__)
OK, BAD_BODY, UNSIGNED, DOWN = 200, 400, 401, 503
ANSWERED = ("message", "postback", "join", "follow")  # a group's events that get the line
# A person's events the desk acts on; the rest (an unsend, a video watched, an event LINE
# adds later) are answered 200 and change nothing.
TAKEN = (MessageEvent, PostbackEvent, FollowEvent, UnfollowEvent)


def down() -> tuple[type[BaseException], ...]:
    """The database cannot be reached, or is not open (RuntimeError), as bot/serve.py."""
    return (*unreachable(), RuntimeError)


def lock_key(user_id: str) -> int:
    """The person's chat lock: a stable 63-bit number (the desk's locks take an integer; a
    Telegram chat id is far below where these collide in practice)."""
    digest = hashlib.sha256(f"{LINE}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def signed(secret: str, body: bytes, signature: str) -> bool:
    """LINE's signature of the raw body (compared before the body is decoded at all)."""
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return bool(signature) and hmac.compare_digest(signature.encode(), expected)


class _Dispatcher(Dispatcher):
    """The Dispatcher, except that the database lost is not apologised for: the event is
    delivered again by LINE (the webhook answers 503)."""

    async def _apologise(self, turn: Turn, error: Exception) -> None:
        if isinstance(error, down()):
            raise error
        await super()._apologise(turn, error)


class LineFront:
    def __init__(self, desk: Desk, channel: Any, media: LineMedia, secret: str,
                 routes: Any, deliver_soon: Any, profiles: Profiles,
                 estate_key: str = "") -> None:
        """`channel`: the LineChannel (its `replying(reply_token, event_id, user_id, desk)`
        holds a turn's replies); `routes`: every door's routes, as Telegram's."""
        self.desk, self.channel, self.media = desk, channel, media
        self.secret, self.profiles, self.estate_key = secret, profiles, estate_key
        self.parser = WebhookParser(secret)
        self.dispatcher = _Dispatcher(desk, channel, routes, deliver_soon)
        self.known: set[str] = set()  # userIds of people (no profile needed): per process

    async def handle(self, body: bytes, signature: str) -> int:
        """The HTTP status to answer LINE with."""
        if not signed(self.secret, body, signature or ""):
            log.warning("a LINE webhook request without a valid signature was refused (401)")
            return UNSIGNED
        try:
            events = self.parser.parse(body.decode("utf-8"), signature)
        except InvalidSignatureError:
            return UNSIGNED
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("a signed LINE webhook body that is not events (400): %s",
                        str(exc)[:200])
            return BAD_BODY
        for event in events:
            try:
                await self.one(event)
            except down() as exc:
                log.warning("LINE event %s: the database cannot be reached (%s): 503",
                            getattr(event, "webhook_event_id", "?"), exc)
                return DOWN
        return OK

    async def one(self, event: Any) -> None:
        mode = getattr(event, "mode", None)
        if str(getattr(mode, "value", mode)) == "standby":
            return  # another channel (a chat module) holds the conversation
        if isinstance(getattr(event, "source", None), (GroupSource, RoomSource)):
            await self._not_here(event)
            return
        user_id = user_of(event)
        if user_id is None or not isinstance(event, TAKEN):
            return
        account = Account(LINE, user_id)
        async with self.desk.db.update_lock(lock_key(user_id)):
            if isinstance(event, UnfollowEvent):
                await delivery.left(self.desk.db, account, self.desk.now())
                return
            profile = await self._profile(account)
            token = getattr(event, "reply_token", None)
            async with self.channel.replying(token, event.webhook_event_id, user_id, self.desk):
                try:  # a stranger's files are not kept: nothing of theirs before the notice
                    turn = await turn_of(event, self.channel, self.media, profile,
                                         keep=profile is None)
                except Unfetched as missing:
                    await self._send_again(event, account, profile, missing.kind)
                    return
                if turn is not None:
                    await self.dispatcher.handle(turn)

    async def _profile(self, account: Account) -> Profile | None:
        """A stranger's LINE profile (their language, their name for a join); None for a
        person of the desk (their own are the desk's)."""
        if account.external_id in self.known:
            return None
        if await views.person_of_account(self.desk.db, account) is not None:
            self.known.add(account.external_id)
            return None
        return await self.profiles.of(account.external_id)

    async def _send_again(self, event: Any, account: Account, profile: Profile | None,
                          kind: str) -> None:
        """What they sent could not be had from LINE: nothing is recorded; they are asked
        to send it again (the event is not marked: a redelivery tries again)."""
        bare = Turn(self.channel, event.webhook_event_id, account, account.external_id,
                    language=profile.language if profile else None)
        who = await asker(bare, self.desk)
        text = who.tr("Sorry, the photo could not be received. Please send it again.") \
            if kind == "image" else \
            who.tr("Sorry, what you sent could not be received. Please send it again.")
        await self.channel.send(account.external_id, text)

    async def _not_here(self, event: Any) -> None:
        """A group or a room: one polite line (in the estate's language), nothing stored."""
        token = getattr(event, "reply_token", None)
        if token is None or event.type not in ANSWERED:
            return
        source = event.source
        where = source.group_id if isinstance(source, GroupSource) else source.room_id
        tr = self.desk.tr(self.desk.settings.default_language)
        async with self.channel.replying(token, event.webhook_event_id, where, self.desk):
            await self.channel.send(where, tr(
                "The desk works in a one-to-one chat: please write to this account "
                "directly, not in a group."))
