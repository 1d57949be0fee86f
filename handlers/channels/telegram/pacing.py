"""Telegram's limits, shared between a broadcast and everything else. PTB's AIORateLimiter
keeps the estate under 30 sends a second; this adds what a broadcast needs on top: it knows
which private chats were sent to in the last second (Telegram answers "too many requests" to
a second message within a second), and how much of the second the desk's own answers and
alerts have used, so that the announcement pump takes only what they leave."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from contextvars import ContextVar
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

PER_CHAT = 1.05  # seconds between two sends to one chat when one is a broadcast (+ margin)
# A broadcast pauses when this many messages went in the last second, or it sent this many
# itself: of Telegram's 30, the rest is kept for answers and alerts.
OVERALL = 25
BROADCAST_MAX = 20
POLL = 0.02  # seconds between looks at the room left in the second

broadcasting: ContextVar[bool] = ContextVar("broadcasting", default=False)


class _WaitIsNoFault(logging.Filter):
    """PTB's limiter logs each "too many requests" it passes on as an ERROR with a traceback.
    The desk handles it (the outbox waits and tries again; a reply goes through the outbox):
    a one-line warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, RetryAfter):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = "Telegram asked to wait: %s", (error,)
            record.exc_info, record.exc_text = None, None
        return True


_LIMITER_LOG = logging.getLogger("telegram.ext.AIORateLimiter")
if not any(isinstance(f, _WaitIsNoFault) for f in _LIMITER_LOG.filters):
    _LIMITER_LOG.addFilter(_WaitIsNoFault())


class DeskRateLimiter(AIORateLimiter):
    def __init__(self) -> None:
        super().__init__(max_retries=0)
        self.clock = time.monotonic
        self._last: dict[int, tuple[float, bool]] = {}  # chat -> (when, was a broadcast)
        self._sends: deque[tuple[float, bool]] = deque()  # the last second's sends

    def recently_sent(self, chat: int) -> bool:
        last = self._last.get(chat)
        return last is not None and self.clock() - last[0] < PER_CHAT

    def broadcast_room(self) -> int:
        """How many broadcast messages may go now, within the sliding second."""
        now = self.clock()
        while self._sends and now - self._sends[0][0] > 1:
            self._sends.popleft()
        broadcasts = sum(1 for _, broadcast in self._sends if broadcast)
        return max(0, min(BROADCAST_MAX - broadcasts, OVERALL - len(self._sends)))

    async def room_until(self, deadline: float) -> bool:
        """Waits (up to `deadline` on the limiter's clock) until a broadcast message may go."""
        for _ in range(max(0, int((deadline - self.clock()) / POLL))):
            if self.broadcast_room():
                return True
            await asyncio.sleep(POLL)
        return self.broadcast_room() > 0

    async def process_request(self, callback, args, kwargs, endpoint, data: dict[str, Any],
                              rate_limit_args):
        chat = data.get("chat_id")
        if isinstance(chat, int) and chat > 0 and endpoint.startswith("send"):
            await self._pace(chat, broadcasting.get())
        return await super().process_request(callback, args, kwargs, endpoint, data,
                                             rate_limit_args)

    async def _pace(self, chat: int, broadcast: bool) -> None:
        """A person's answer right after a broadcast to them waits out the second (rare: the
        pump skips chats just written to); answers among themselves are never held."""
        now = self.clock()
        last = self._last.get(chat)
        if last is not None and (broadcast or last[1]) and now - last[0] < PER_CHAT:
            await asyncio.sleep(PER_CHAT - (now - last[0]))
            now = self.clock()
        self._last[chat] = (now, broadcast)
        self._sends.append((now, broadcast))
        if len(self._last) > 4096:  # forget chats not written to within the second
            self._last = {c: v for c, v in self._last.items() if now - v[0] < PER_CHAT}
