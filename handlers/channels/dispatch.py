"""The desk for a channel whose library brings no dispatcher of its own (PTB is Telegram's,
handlers/channels/telegram/routes.py): each turn is cleaned, taken once (the replay guard
keys on the channel's own event id), handed to the first route that takes it, in the same
order as on Telegram, and marked handled once it changed something; a failure is
apologised for in the person's language, saying whether what they did was saved."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace

from handlers.channels.turns import Channel, Contact, Turn
from handlers.common import Context, Desk, asker
from handlers.routes import ANY, COMMAND, CONTACT, ButtonTable, Handler, Routes
from storage.db import commits_so_far
from workflow import replays
from workflow.text import clean

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, desk: Desk, channel: Channel, all_routes: Iterable[Routes],
                 deliver_soon: Callable[[], None]) -> None:
        self.desk, self.channel, self.deliver_soon = desk, channel, deliver_soon
        self.commands: dict[str, Handler] = {}
        buttons: list = []
        self.messages: dict[str, Handler] = {}
        for found in all_routes:
            for name, handler in found.commands.items():
                self.commands.setdefault(name, handler)  # the first route of a name takes it
            buttons.extend(found.buttons)
            for kind, handler in found.messages:
                self.messages.setdefault(kind, handler)
        self.buttons = ButtonTable(buttons)

    def route(self, turn: Turn) -> Handler | None:
        """The handler that takes the turn: a tap by its token's pattern, a command by its
        name, a shared contact, then anything else (the conversation's router)."""
        if turn.token is not None:
            return self.buttons.find(turn.token)
        if turn.command is not None:
            return self.commands.get(turn.command) or self.messages.get(COMMAND)
        if turn.contact is not None and CONTACT in self.messages:
            return self.messages[CONTACT]
        return self.messages.get(ANY)

    async def handle(self, turn: Turn) -> None:
        turn = cleaned(turn)
        d = self.desk
        if await replays.arrive(d.db, turn.account.channel, turn.event, turn.account):
            return  # delivered again: handled already
        before = commits_so_far()
        try:
            handler = self.route(turn)
            if handler is not None:
                await handler(turn, Context(d, self.channel, turn.args, self.deliver_soon))
        except Exception as exc:
            log.error("while handling a %s turn", self.channel.name, exc_info=exc)
            await self._apologise(turn, exc)
            return  # not marked: a redelivery is handled again
        finally:
            replays.done()
        if commits_so_far() != before:
            await replays.handled(d.db, turn.account.channel, turn.event, d.now())

    async def _apologise(self, turn: Turn, error: Exception) -> None:
        try:
            who = await asker(turn, self.desk)
            if getattr(error, "saved", False):
                text = who.tr("Sorry, I could not show you the answer, but what you did was "
                              "saved. The ticket's card (or /mytickets) shows where it stands.")
            else:
                text = who.tr("Sorry, something went wrong on our side. Nothing was changed; "
                              "please try again.")
            await self.channel.send(turn.address, text)
        except Exception as exc:  # the apology itself is best effort
            log.warning("could not tell the person about the error: %s", exc)


def cleaned(turn: Turn) -> Turn:
    """Control characters out of everything a person typed (NUL above all, which PostgreSQL
    refuses in text): both databases keep the same and nothing fails half-way."""
    contact = turn.contact
    if contact is not None:
        contact = Contact(clean(contact.phone, lines=False), clean(contact.first_name, lines=False),
                          clean(contact.last_name, lines=False) if contact.last_name else None,
                          contact.account)
    return replace(turn, text=clean(turn.text) if turn.text else turn.text,
                   caption=clean(turn.caption) if turn.caption else turn.caption,
                   token=clean(turn.token, lines=False) if turn.token else turn.token,
                   first_name=clean(turn.first_name, lines=False),
                   last_name=clean(turn.last_name, lines=False) if turn.last_name else None,
                   args=[clean(a, lines=False) for a in turn.args], contact=contact)
