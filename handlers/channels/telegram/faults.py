"""Telegram's faults: which pass (worth trying again) and how long it asked to wait."""

from __future__ import annotations

import warnings
from datetime import timedelta

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning


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
