"""The areas' routes as one PTB handler: it finds the route that takes an update (a command
by its name in a table, a tap by its token's first part, then the messages' routes in
order) and hands the area's handler a turn: PTB offers an update to its handlers in turn,
and with one handler a route (~240) a command waited for dozens of checks, a tap for up to
200."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from telegram import Chat, Message, MessageEntity, Update
from telegram.ext import Application, BaseHandler, filters

from handlers.channels.telegram.context import TelegramContext
from handlers.channels.telegram.turns import turn_of
from handlers.common import Context
from handlers.routes import ANY, COMMAND, CONTACT, ButtonTable, Handler, Routes


def _is_command(message: Message) -> bool:
    """As filters.COMMAND: a command's entity at the start."""
    entities = message.entities
    return bool(entities) and entities[0].type == MessageEntity.BOT_COMMAND and \
        entities[0].offset == 0


def _anything(update: Update, message: Message) -> bool:
    """As ~filters.COMMAND & ~filters.StatusUpdate.ALL. Telegram never sends a text or a
    photo with a service message's field, so those skip PTB's ~40 status filters (15 µs a
    typed answer)."""
    if _is_command(message):
        return False
    if message.text is not None or message.photo:
        return True
    return not _STATUS.check_update(update)


_STATUS = filters.StatusUpdate.ALL
Taken = Callable[[Update, Message], bool]
_MESSAGES: dict[str, Taken] = {
    CONTACT: lambda update, message: message.contact is not None,
    ANY: _anything,
    COMMAND: lambda update, message: _is_command(message),
}

Found = tuple[Handler, list[str]]  # the area's handler and the command's arguments


class Routed(BaseHandler[Update, TelegramContext, None]):
    """Every area's route, in their order: the first that takes an update handles it.
    Commands and messages in private chats only, and new messages only (as PRIVATE); a tap
    wherever its message is (the area's handler answers a group's tap with nothing)."""

    __slots__ = ("buttons", "commands", "messages")

    def __init__(self, all_routes: Iterable[Routes]) -> None:
        super().__init__(self._unused)
        self.commands: dict[str, Handler] = {}
        buttons: list = []
        self.messages: list[tuple[Taken, Handler]] = []
        for r in all_routes:
            for name, handler in r.commands.items():
                self.commands.setdefault(name.lower(), handler)  # the first of a name takes it
            buttons.extend(r.buttons)
            self.messages.extend((_MESSAGES[kind], handler) for kind, handler in r.messages)
        self.buttons = ButtonTable(buttons)

    def check_update(self, update: object) -> Found | None:
        if not isinstance(update, Update):
            return None
        query = update.callback_query
        if query is not None:
            handler = self.buttons.find(query.data)
            return None if handler is None else (handler, [])
        message = update.message  # new messages only: an edit must not count as a new one
        if message is None or message.chat.type != Chat.PRIVATE:
            return None
        command = self._command(message)
        if command is not None:
            return command
        for taken, handler in self.messages:
            if taken(update, message):
                return handler, []
        return None

    def _command(self, message: Any) -> Found | None:
        """A named command's handler and arguments, read as PTB's CommandHandler reads them
        (the entity at the start; '/name@bot' only for this bot)."""
        text = message.text
        if not (text and _is_command(message)):
            return None
        name, *bot = text[1:message.entities[0].length].split("@")
        handler = self.commands.get(name.lower())
        if handler is None or (bot and bot[0].lower() != message.get_bot().username.lower()):
            return None
        return handler, text.split()[1:]

    async def handle_update(self, update: Update, application: Any, check_result: object,
                            context: TelegramContext) -> None:
        handler, args = cast(Found, check_result)
        data = context.bot_data
        turn = turn_of(update, data.channel, args)
        if turn is not None:
            await handler(turn, Context(data.desk, data.channel, turn.args, data.kick))

    @staticmethod
    async def _unused(update: Update, context: TelegramContext) -> None:
        raise AssertionError("Routed hands updates to the areas' handlers itself")

    def handlers(self) -> list[Handler]:
        """Every area's handler (the tests ask each for its action)."""
        return [*self.commands.values(), *(h for _, h in self.buttons.buttons),
                *(h for _, h in self.messages)]


def install(app: Application, all_routes: Iterable[Routes]) -> None:
    app.add_handler(Routed(all_routes))


def routed(app: Application) -> Routed:
    """The one handler of the areas' routes."""
    return next(h for h in app.handlers[0] if isinstance(h, Routed))
