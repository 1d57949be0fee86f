"""A button's handler as PTB's CallbackQueryHandler, matched faster. PTB offers every tap to
each of the desk's ~50 button handlers in turn, and each calls `re.match(pattern, data)`,
which looks the compiled pattern up in re's cache (hashing its code) before matching: about
3 µs a handler, 0.1 ms a tap. Here the pattern matches directly, with the same answer."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CallbackQueryHandler


class Buttons(CallbackQueryHandler):
    __slots__ = ()

    def check_update(self, update: object) -> bool | object | None:
        if isinstance(update, Update) and update.callback_query:
            data = update.callback_query.data
            if data and isinstance(data, str) and isinstance(self.pattern, re.Pattern):
                return self.pattern.match(data) or False  # as PTB's own, without re's cache
        return super().check_update(update)
