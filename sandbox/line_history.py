"""What the LINE stand-in keeps of each chat, both ways: the events a person sent and the
messages the bot showed them, with how they came (reply or push); what was pushed to someone
who had blocked the account (not shown); and the content people sent (photos, voice notes)
until LINE deletes it. The tests and the sandbox's LINE phone read the chats from here, under
the stand-in's lock."""

from __future__ import annotations

import copy
import itertools
import time
from dataclasses import dataclass, field


@dataclass
class Entry:
    """One thing in a chat: from the person (an event) or from the bot (a message)."""
    by: str  # "user" or "bot"
    content: dict  # the webhook event, or the message object as the bot sent it
    via: str = ""  # the bot's: "reply" or "push"
    message_id: str = ""  # the bot's message's id, as LINE answered
    at: float = field(default_factory=time.time)


class Chats:
    def __init__(self) -> None:
        self.ids = itertools.count(600_000_000_000_000_001)  # one sequence for both sides
        self.history: dict[str, list[Entry]] = {}
        self.dropped: list[tuple[str, dict]] = []  # (user id, message) not shown: blocked
        self.contents: dict[str, tuple[bytes, str]] = {}  # what users sent, by message id

    def next_id(self) -> str:
        return str(next(self.ids))

    def came(self, user_id: str, event: dict) -> None:
        self.history.setdefault(user_id, []).append(Entry("user", copy.deepcopy(event)))

    def show(self, user_id: str, messages: list[dict], via: str) -> list[dict]:
        """The messages in the user's chat; LINE's `sentMessages` for them."""
        sent = []
        for message in messages:
            entry = Entry("bot", copy.deepcopy(message), via, self.next_id())
            self.history.setdefault(user_id, []).append(entry)
            sent.append({"id": entry.message_id})
        return sent

    def drop(self, user_id: str, messages: list[dict]) -> list[dict]:
        """Accepted for someone who blocked the account: LINE answers 200, shows nothing."""
        self.dropped += [(user_id, copy.deepcopy(m)) for m in messages]
        return [{"id": self.next_id()} for _ in messages]

    def shown(self, user_id: str) -> list[dict]:
        return [copy.deepcopy(e.content) for e in self.history.get(user_id, []) if e.by == "bot"]

    def entries(self, user_id: str) -> list[Entry]:
        return list(self.history.get(user_id, []))

    def keep(self, data: bytes, content_type: str) -> str:
        message_id = self.next_id()
        self.contents[message_id] = (data, content_type)
        return message_id

    def expire(self, message_id: str | None) -> None:
        if message_id is None:
            self.contents.clear()
        else:
            self.contents.pop(message_id, None)
