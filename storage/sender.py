"""The sender of the update being handled, read once: their person and their conversation
(draft) come with the replay guard's look at the update, in one statement
(`updates.arrival`), and are kept for the rest of the update. `people.get` and `drafts.get`
answer the sender from here, so the role check, the language, the relation checks inside
the action's transaction and the conversation's step read nothing again.

The copy is never stale within the update: every write to the sender's person (people,
residencies) or draft forgets it, and the reads after go to the database. A read inside a
transaction never fills it (a rollback would leave a copy of what was never committed).
Another process's change landing during the update (the CLI deactivating staff) is seen by
the next update, as it would be had it landed a moment later. A task started during the
update (the outbox sender) finds it closed."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from storage.records import Account, Person

UNKNOWN: Any = object()  # not known here: read the database


@dataclass
class Sender:
    update_id: Any  # the channel's own event id (Telegram's update_id)
    user_id: int  # their person's id (0: a stranger's account, no person yet)
    person: Person | None
    draft: Sequence[Any] | None  # the drafts row as read: parsed afresh at every ask
    account: Account | None = None  # the chat account the update came from
    person_known: bool = True
    draft_known: bool = True
    open: bool = True


_sender: ContextVar[Sender | None] = ContextVar("sender", default=None)


def arrived(sender: Sender) -> None:
    """The update's sender, as read at its arrival (before any handler: the channel's replay
    guard, handlers/channels/telegram/replays.py)."""
    _sender.set(sender)


def done() -> None:
    """The update is handled: nothing keeps its copy any longer."""
    found = _sender.get()
    if found is not None:
        found.open = False
        _sender.set(None)


def _current(user_id: int) -> Sender | None:
    found = _sender.get()
    return found if found is not None and found.open and found.user_id == user_id else None


def of_account(account: Account) -> Sender | None:
    """The update's sender when it came from this account (None: another's, or none)."""
    found = _sender.get()
    return found if found is not None and found.open and found.account == account else None


def update_of(user_id: int) -> int | None:
    """The id of the update being handled, if it is this person's (None: another's, or none)."""
    found = _current(user_id)
    return found.update_id if found is not None else None


def person(user_id: int) -> Any:
    """The sender's person (None: nobody), or UNKNOWN for anyone else or after a change."""
    found = _current(user_id)
    return found.person if found is not None and found.person_known else UNKNOWN


def draft_row(user_id: int) -> Any:
    """The sender's drafts row (None: no conversation), or UNKNOWN."""
    found = _current(user_id)
    return found.draft if found is not None and found.draft_known else UNKNOWN


def person_changed(user_id: int | None = None) -> None:
    """A write to people or residencies (None: to anyone's): read the person again."""
    found = _sender.get()
    if found is not None and (user_id is None or found.user_id == user_id):
        found.person_known = False


def draft_changed(user_id: int | None = None) -> None:
    """A write to drafts (None: to anyone's): read the conversation again."""
    found = _sender.get()
    if found is not None and (user_id is None or found.user_id == user_id):
        found.draft_known = False
