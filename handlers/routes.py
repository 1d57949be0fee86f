"""How an area says what it answers: its commands, its buttons (by the pattern of their
tokens) and the messages it takes, each with its handler (`common.handles`). A channel's
adapter turns them into its own (handlers/channels/telegram/routes.py). An area gathers its
modules' routes, its conversation steps and its timers in its front door (`Door`)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
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


Step = Callable[[Any, Any, Any, Any], Awaitable[None]]  # (turn, context, asker, draft)
Timer = Callable[[Any, Any, datetime], Awaitable[int]]  # (db, settings, now): how many fired


@dataclass(frozen=True)
class Door:
    """An area's front door: the one place it says what it registers. Its routes (in the
    order they are tried), the steps of its conversations (a draft's flow -> the handler of
    the next message), the timers the sweep runs for it, and the modules of its notices
    (their `@renders` register as the door is imported). bot/app.py installs the doors in a
    list, the router last; no two doors may take the same button, command or flow, and each
    outbox kind has one renderer, of one door (tests/test_doors.py), so their order does not
    change what happens."""
    name: str
    routes: Sequence[Routes] = ()
    steps: Mapping[str, Step] = field(default_factory=dict)
    timers: Sequence[Timer] = ()
    notices: Sequence[ModuleType] = ()


def steps_of(doors: Sequence[Door]) -> dict[str, Step]:
    """Every door's conversation steps in one table; a flow is one door's."""
    table: dict[str, Step] = {}
    for door in doors:
        for flow, step in door.steps.items():
            if flow in table:
                raise ValueError(f"the flow {flow!r} of {door.name} is another door's too")
            table[flow] = step
    return table
