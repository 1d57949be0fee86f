"""What a failed send means for the outbox, whatever app it went to. Each channel's adapter
reads its app's faults (`Channel.classify`); the outbox (handlers/notices.py) acts on the
verdict alone: marks the person unreachable, tries again later, gives up after a few tries,
or counts the message as delivered."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


class Verdict(enum.Enum):
    UNREACHABLE = "unreachable"  # the person has no chat with the app any more: not retried
    RETRY = "retry"  # a fault that passes (the network, the app busy or asking to wait)
    REFUSED = "refused"  # the app refused this message as bad: a few tries, then given up
    UNKNOWN_IF_DELIVERED = "unknown"  # no answer at all: it may have been shown


@dataclass(frozen=True, slots=True)
class Fault:
    """A send's fault as its channel reads it. `error` is what the outbox records; `wait`
    how long the app asked to wait before the next try (None: the outbox's back-off);
    `chat_goes_on` whether the person's later messages are tried in the same round (False:
    they wait for the next one)."""
    verdict: Verdict
    error: str
    wait: timedelta | None = None
    chat_goes_on: bool = True


class Held(Exception):
    """Raised by a channel instead of sending an outbox message it chose to keep back (LINE
    near its month's cap, workflow/line_budget.py): the message stays in the outbox, shown
    on the person's next reply or in /mytickets, else sent at `until`."""

    def __init__(self, until: datetime, why: str = "") -> None:
        super().__init__(why or f"held until {until.isoformat()}")
        self.until = until
