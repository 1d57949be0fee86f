"""What comes in is cleaned before any handler reads it: control characters (NUL above all,
which PostgreSQL refuses in text and SQLite stores) are taken out of every text, caption,
button's data and name of an update, so both databases keep the same and nothing fails
half-way. A text or a caption keeps its tabs and line breaks, and its entities (a command,
a link) still point at the same characters."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.channels.telegram.context import TelegramContext
from workflow.text import CONTROL_BUT_LINES, clean

_WITH_ENTITIES = {"text": "entities", "caption": "caption_entities"}


def _cleaned(value):
    if isinstance(value, str):
        return clean(value, lines=False)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if not isinstance(value, dict):
        return value
    found = {key: _cleaned(v) for key, v in value.items() if key not in _WITH_ENTITIES}
    for key, entities in _WITH_ENTITIES.items():
        if isinstance(value.get(key), str):
            found[key] = clean(value[key])
            if entities in value:
                found[entities] = _shifted(value[key], found[entities])
    return found


def _shifted(text: str, entities: list[dict]) -> list[dict]:
    """The entities of `text` moved to where their characters are once the control
    characters are gone (offsets count UTF-16 units, as Telegram's do; each control
    character is one)."""
    gone, unit = [], 0
    for char in text:
        if CONTROL_BUT_LINES.match(char):
            gone.append(unit)
        unit += 2 if ord(char) > 0xFFFF else 1
    kept = []
    for entity in entities:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        before = sum(1 for g in gone if g < start)
        inside = sum(1 for g in gone if start <= g < end)
        if entity["length"] - inside > 0:
            kept.append({**entity, "offset": start - before, "length": entity["length"] - inside})
    return kept


def _read_by_the_desk(update: Update) -> list[str | None]:
    """What the handlers read of an update (looked at first: turning every update into a
    dictionary to look for control characters would cost more than handling most)."""
    found: list[str | None] = []
    message, user = update.effective_message, update.effective_user
    if message is not None:
        found += [message.text, message.caption, message.media_group_id]
        if message.contact is not None:
            found += [message.contact.phone_number, message.contact.first_name,
                      message.contact.last_name]
    if update.callback_query is not None:
        found.append(update.callback_query.data)
    if user is not None:
        found += [user.first_name, user.last_name, user.username]
    return found


async def handle_as_clean(update: Update, context: TelegramContext) -> None:
    """An update with control characters is handled as its clean copy, in its place."""
    if not any(CONTROL_BUT_LINES.search(s) for s in _read_by_the_desk(update) if s):
        return
    raw = update.to_dict()
    cleaned = _cleaned(raw)
    if cleaned == raw:
        return
    await context.application.process_update(Update.de_json(cleaned, context.bot))
    raise ApplicationHandlerStop


def register(app) -> None:
    app.add_handler(TypeHandler(Update, handle_as_clean), group=-2)  # before the replay guard
