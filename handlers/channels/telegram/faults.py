"""Telegram's faults: which pass (worth trying again), how long it asked to wait, and what
each means for the outbox (`classify`)."""

from __future__ import annotations

import warnings
from datetime import timedelta

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from handlers.channels.outcomes import Fault, Verdict

# Seconds the outbox waits for Telegram's answer to a send (PTB's default is 5): an answer
# that comes late but within this is read, so a late error is retried rather than taken as
# delivered; only no answer at all is "unknown", and counted as delivered.
PATIENCE = 30.0


def passing(exc: BaseException) -> bool:
    """A fault that passes: worth trying again. Not a bad request, and not a read timeout
    (Telegram may have shown it: sending again could show it twice)."""
    if isinstance(exc, RetryAfter):
        return True
    if isinstance(exc, BadRequest):
        return False
    if isinstance(exc, TimedOut) and isinstance(exc.__cause__, httpx.ReadTimeout):
        return False
    return isinstance(exc, NetworkError)


def retry_after(exc: RetryAfter) -> timedelta:
    """Seconds in PTB 22, a timedelta in later versions."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        after = exc.retry_after
    return after if isinstance(after, timedelta) else timedelta(seconds=after)


def unreachable(exc: BadRequest) -> bool:
    """Telegram's answers that mean the person has no chat with the bot any more."""
    text = str(exc).lower()
    return any(s in text for s in ("chat not found", "user is deactivated", "peer_id_invalid",
                                   "bot can't initiate conversation"))


def classify(exc: BaseException, patience: float | None) -> Fault | None:
    """What a send's fault means for the outbox; `patience`: the seconds it waited for an
    answer."""
    if isinstance(exc, Forbidden):  # blocked: the chat's later messages wait a round
        return Fault(Verdict.UNREACHABLE, f"unreachable: {exc}", chat_goes_on=False)
    if isinstance(exc, RetryAfter):  # flood control: a wait, not a fault
        return Fault(Verdict.RETRY, str(exc), retry_after(exc))
    if isinstance(exc, BadRequest):
        if unreachable(exc):  # the chat's later messages are tried, and fail alike
            return Fault(Verdict.UNREACHABLE, f"unreachable: {exc}")
        return Fault(Verdict.REFUSED, f"refused by Telegram: {exc}")
    if isinstance(exc, TimedOut):
        if isinstance(exc.__cause__, httpx.ReadTimeout):
            # No answer even after `patience`: whether it arrived is unknown, and sending it
            # again would show the person the same card twice. (A late answer within it was
            # read: an error in it is retried like any other.)
            return Fault(Verdict.UNKNOWN_IF_DELIVERED,
                         f"no answer from Telegram in {patience or 5:g} s")
        return Fault(Verdict.RETRY, str(exc) or "timed out")
    if isinstance(exc, TelegramError):  # 5xx, a cut connection (NetworkError), a conflict
        return Fault(Verdict.RETRY, str(exc))
    return None
