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


class ButtonTable:
    """The buttons' routes in their order, looked up by the token's first part: a tap is
    offered only to the patterns that can match a token beginning so (a pattern can match
    only tokens beginning with its literal start), still the first in order taking it. The
    desk has some 200 patterns; trying each in turn cost ~0.1 ms a tap."""

    _KEPT = 1024  # first parts remembered; a forged token's are tried without being kept

    def __init__(self, buttons: Sequence[tuple[re.Pattern[str] | None, Handler]]) -> None:
        self.buttons = tuple(buttons)
        self._starts = tuple(literal_start(p) for p, _ in self.buttons)
        self._any = next((h for p, h in self.buttons if p is None), None)
        self._by_first: dict[str, tuple[tuple[re.Pattern[str] | None, Handler], ...]] = {}

    def find(self, token: object) -> Handler | None:
        """The handler of the first route taking the token (None: none does); a token that
        is no text (a game's, a forged one) only by a route taking any button."""
        if not isinstance(token, str):
            return self._any
        colon = token.find(":")
        first = token if colon < 0 else token[:colon + 1]
        tried = self._by_first.get(first)
        if tried is None:
            tried = tuple(b for b, start in zip(self.buttons, self._starts, strict=True)
                          if start.startswith(first) or first.startswith(start))
            if len(self._by_first) < self._KEPT:
                self._by_first[first] = tried
        for pattern, handler in tried:
            if pattern is None or pattern.match(token):
                return handler
        return None


_META = frozenset("\\()[]{}.*+?|^$")


def literal_start(pattern: re.Pattern[str] | None) -> str:
    """What every text the pattern matches (at its start) begins with: '^r:c(:|$)' gives
    'r:c'; '' when unsure (no pattern, a flag, an alternation outside a group)."""
    if pattern is None or pattern.flags & re.IGNORECASE or _alternates(pattern.pattern):
        return ""
    text = pattern.pattern.removeprefix("^")
    start: list[str] = []
    for char in text:
        if char in _META:
            if char in "*?{" and start:
                start.pop()  # the character before may be absent
            break
        start.append(char)
    return "".join(start)


def _alternates(text: str) -> bool:
    """Whether the pattern has a '|' outside any group or class."""
    depth, escaped, in_class = 0, False, False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False
