"""How an area says what it answers: its commands, its buttons (by the pattern of their
tokens) and the messages it takes, each with its handler (`common.handles`). A channel's
adapter turns them into its own (handlers/channels/telegram/routes.py)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[[Any, Any], Awaitable[None]]  # (turn, context), as `handles` wraps it

# What a message may carry for a route of `messages` to take it.
CONTACT = "contact"  # a shared contact card
ANY = "any"  # anything not a command, not taken by another route (the conversation's router)
COMMAND = "command"  # a command no route named (the last)


@dataclass(frozen=True)
class Routes:
    commands: Mapping[str, Handler] = field(default_factory=dict)
    buttons: Sequence[tuple[re.Pattern[str] | None, Handler]] = ()
    messages: Sequence[tuple[str, Handler]] = ()


def routes(commands: Mapping[str, Handler] | None = None,
           buttons: Sequence[tuple[str | None, Handler]] = (),
           messages: Sequence[tuple[str, Handler]] = ()) -> Routes:
    """Buttons are tried in their order; a pattern None takes any button (the last)."""
    return Routes(dict(commands or {}),
                  tuple((re.compile(p) if p is not None else None, h) for p, h in buttons),
                  tuple(messages))
