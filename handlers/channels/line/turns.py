"""A LINE webhook event (as the SDK's WebhookParser gives it) as the flows read it: a turn.
A text is a text (one starting with "/" a command, as on Telegram); a postback's data is the
tapped choice's token, or a command when it starts with "/" (the rich menu's); a date-time
picker's postback brings the picked value as the text; following the account is /start. A
photo, a voice note, a video or a file is fetched from LINE's content host at once and kept
(LineMedia.keep_from_line): the turn carries its ref `media:<n>`."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from linebot.v3.webhooks import (  # type: ignore[import-untyped]
    AudioMessageContent,
    FileMessageContent,
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UserSource,
    VideoMessageContent,
)

from handlers.channels.line.media import LineMedia
from handlers.channels.line.media import Unfetched as NotGiven
from handlers.channels.turns import Channel, Turn, Voice
from storage.records import Account

log = logging.getLogger(__name__)
LINE = "line"
PICKED = ("datetime", "date", "time")  # a date-time picker's params, whichever mode


@dataclass(frozen=True, slots=True)
class Profile:
    """What LINE tells of a person: their display name and app language (BCP 47)."""
    name: str
    language: str | None


class Profiles:
    """People's profiles, asked of LINE once per process (for strangers: the desk keeps its
    people's own name and language)."""

    SIZE = 10_000

    def __init__(self, messaging: Any) -> None:
        self.messaging = messaging  # the SDK's AsyncMessagingApi
        self.seen: OrderedDict[str, Profile] = OrderedDict()

    async def of(self, user_id: str) -> Profile:
        found = self.seen.get(user_id)
        if found is not None:
            return found
        try:
            answer = await self.messaging.get_profile(user_id)
        except Exception as exc:  # no profile: the estate's default language, no name
            log.warning("LINE gave no profile of a person: %s", str(exc)[:200])
            return Profile("", None)
        found = Profile(answer.display_name or "", answer.language)
        self.seen[user_id] = found
        if len(self.seen) > self.SIZE:
            self.seen.popitem(last=False)
        return found


class Unfetched(Exception):
    """A photo, a voice note or a file the person sent could not be had from LINE: they
    are asked to send it again."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def user_of(event: Any) -> str | None:
    """The LINE userId of a 1:1 chat's event; None for a group's or a room's."""
    source = getattr(event, "source", None)
    return source.user_id if isinstance(source, UserSource) else None


async def turn_of(event: Any, channel: Channel, media: LineMedia,
                  profile: Profile | None = None, *, keep: bool = True) -> Turn | None:
    """None for an event that is no turn of a person's (unfollow, a group's, an unsend…).
    `profile`: the stranger's, for their language and first name. Without `keep` a file
    sent is neither fetched nor kept (a stranger's, before they accept the privacy notice):
    the turn has nothing in it, and the flows say what to do first."""
    user_id = user_of(event)
    if user_id is None:
        return None
    account = Account(LINE, user_id)
    turn = Turn(channel, event.webhook_event_id, account, user_id,
                language=profile.language if profile else None,
                first_name=profile.name if profile else "")
    if isinstance(event, FollowEvent):
        turn.text, turn.command = "/start", "start"
        return turn
    if isinstance(event, PostbackEvent):
        _postback(turn, event.postback.data, event.postback.params or {})
        return turn
    if isinstance(event, MessageEvent):
        await _message(turn, event.message, media if keep else None, account)
        return turn
    return None


def _postback(turn: Turn, data: str, params: dict[str, str]) -> None:
    if data.startswith("/"):
        _command(turn, data)
        return
    turn.token = data
    picked = next((params[k] for k in PICKED if params.get(k)), None)
    if picked is not None:
        turn.text = picked


def _command(turn: Turn, text: str) -> None:
    turn.text = text
    head, *args = text[1:].split() or [""]
    turn.command, turn.args = head.lower(), args


async def _message(turn: Turn, message: Any, media: LineMedia | None,
                   account: Account) -> None:
    if isinstance(message, TextMessageContent):
        if message.text.startswith("/"):
            _command(turn, message.text)
        else:
            turn.text = message.text
    elif isinstance(message, LocationMessageContent):
        turn.location = (float(message.latitude), float(message.longitude))
    elif media is None:
        return  # a file not to keep
    elif isinstance(message, ImageMessageContent):
        turn.photos = (await _kept(media, message.id, "image", account),)
    elif isinstance(message, AudioMessageContent):
        ref = await _kept(media, message.id, "audio", account)
        turn.voice = Voice("voice", ref, round((message.duration or 0) / 1000))
    elif isinstance(message, VideoMessageContent):
        turn.document = await _kept(media, message.id, "video", account)
    elif isinstance(message, FileMessageContent):
        turn.document = await _kept(media, message.id, "file", account, message.file_name)
    # a sticker, or what LINE adds later: a turn with nothing typed (the flows ask for text)


async def _kept(media: LineMedia, message_id: str, kind: str, account: Account,
                name: str | None = None) -> str:
    try:
        return await media.keep_from_line(message_id, kind, account, name)
    except NotGiven as exc:
        log.warning("a %s a person sent on LINE could not be kept: %s", kind, exc)
        raise Unfetched(kind) from exc
