"""Announcements in the chat: /announce writes one (text, or a photo or a document with its
caption), picks who receives it, shows it as it will arrive, and sends it now, at a time,
or every year; the channel's pump (handlers/channels/telegram/broadcast.py) sends it at the
app's pace, after alerts and answers, with a progress line to the author and a report at the
end."""

from __future__ import annotations

import logging

from handlers.channels.turns import Channel, Turn
from handlers.common import (
    MAX_CAPTION,
    MAX_MESSAGE,
    Asker,
    Context,
    answer,
    callback_args,
    clear_buttons,
    confirm_button,
    confirmed_draft,
    fit,
    handles,
    keyboard,
    kick,
    main_menu,
    utf16_len,
)
from handlers.i18n import Tr
from handlers.routes import routes
from storage.records import Draft
from workflow import dates, views
from workflow.community import announcements
from workflow.tickets import Refusal

log = logging.getLogger(__name__)
AUDIENCES = ("all", "owners")


def header(tr: Tr, estate: str) -> str:
    return tr("Announcement from {estate}", estate=estate)


async def show(channel: Channel, address: object, tr: Tr, estate: str, text: str,
               photo: str | None, document: str | None) -> None:
    """As it arrives: cut as the apps count (UTF-16 code units: an emoji is two), never
    inside an emoji."""
    body = f"{header(tr, estate)}\n\n{text}"
    if photo:
        await channel.send_photos(address, [photo], fit(body, MAX_CAPTION))
    elif document:
        await channel.send_document(address, document, caption=fit(body, MAX_CAPTION))
    else:
        await channel.send(address, fit(body, MAX_MESSAGE))


@handles("announcements.write")
async def begin(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    await views.start_draft(d.db, announcements.start(who.user_id), d.now())
    await answer(turn, who.tr("Send the announcement: a text, or a photo or a document with "
                                "its text as the caption."),
                 keyboard([[(who.tr("Cancel"), "r:x")]]))


async def _ask_audience(turn: Turn, who: Asker) -> None:
    tr = who.tr
    await answer(turn, tr("Who receives it?"), keyboard([
        [(tr("Everyone"), "an:a:all"), (tr("Owners only"), "an:a:owners")],
        [(tr("A building"), "an:b"), (tr("A floor"), "an:f")], [(tr("Cancel"), "r:x")]]))


async def _preview(turn: Turn, context: Context, who: Asker, data: dict) -> None:
    tr, d = who.tr, context.desk
    await answer(turn, tr("This is how residents will see it:"))
    await show(context.channel, turn.address, tr, d.settings.estate_name, data["text"],
               data.get("photo"), data.get("document"))
    await answer(turn, tr("Send it?"), keyboard([
        [(tr("Send now"), confirm_button("an:go", data))], [(tr("At a set time"), "an:at")],
        [(tr("Every year, from a date"), "an:yr")], [(tr("Cancel"), "r:x")]]))


async def on_message(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The announcement's content, a floor, or a time (steps of the router)."""
    d, tr = context.desk, who.tr
    if draft.step == "content":
        photo = turn.photos[0] if turn.photos else None
        document = turn.document if turn.document else None
        text = (turn.text or turn.caption or "").strip()
        if not text or utf16_len(text) > announcements.MAX_TEXT:
            await answer(turn, tr("Please send the announcement's text (with a photo or a "
                                    "document if you like), up to {n} characters.",
                                    n=announcements.MAX_TEXT))
            return
        named = await announcements.household_named(d.db, text)
        if named is not None:  # the draft waits for a text that names nobody
            await answer(turn, tr("An announcement to the estate never names a household: "
                                    "please send the text again without “{named}”.",
                                    named=named))
            return
        await views.advance_draft(d.db, who.user_id, announcements.FLOW, "content", "audience",
                                  d.now(), text=text, photo=photo, document=document)
        await _ask_audience(turn, who)
    elif draft.step == "floor":
        parts = (turn.text or "").upper().split()
        if len(parts) != 2:
            await answer(turn, tr("Please write the building and the floor, for example: "
                                    "A 12F"))
            return
        moved = await views.advance_draft(d.db, who.user_id, announcements.FLOW, "floor",
                                          "preview", d.now(),
                                          audience=f"floor:{parts[0]}:{parts[1]}")
        await _preview(turn, context, who, moved.data)
    elif draft.step == "time":
        try:
            when = dates.moment(turn.text or "", d.settings.tz)
        except ValueError:
            await answer(turn, tr("Please write the day and time, for example: "
                                    "2026-12-01 09:00"))
            return
        await views.advance_draft(d.db, who.user_id, announcements.FLOW, "time", "preview",
                                  d.now())
        found = await announcements.create(d.db, who.user_id, when, draft.data.get("yearly",
                                                                                  False),
                                           d.now())
        kick(context)
        await answer(turn, tr("Scheduled for {time}.", time=tr.datetime(found.send_at)),
                     main_menu(who))
    else:
        await answer(turn, tr("Please use the buttons above, or /cancel to stop."))


@handles("announcements.write")
async def send_now(turn: Turn, context: Context, who: Asker) -> None:
    """Before the draft: a second tap finds what it became."""
    await clear_buttons(turn)
    await _send_now(turn, context, who)


async def _writing(turn: Turn, context: Context, who: Asker, step: str | None) -> dict:
    """The announcement's draft at this step (its buttons gone); a tap at another step, or
    after it, is out of date."""
    d = context.desk
    draft = await views.draft(d.db, who.user_id, d.now())
    if draft is None or draft.flow != announcements.FLOW:
        raise Refusal(Refusal.STALE)
    await clear_buttons(turn)
    if draft.step != step:
        raise Refusal(Refusal.STALE)
    return draft.data


@handles("announcements.write")
async def audience_chosen(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    await _writing(turn, context, who, "audience")
    audience = ":".join(callback_args(turn))
    if not announcements.audience_ok(audience):
        raise Refusal(Refusal.INVALID)
    moved = await views.advance_draft(d.db, who.user_id, announcements.FLOW, "audience",
                                      "preview", d.now(), audience=audience)
    await _preview(turn, context, who, moved.data)


@handles("announcements.write")
async def pick_building(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await _writing(turn, context, who, "audience")
    buildings = sorted({u.building for u in await views.all_units(d.db)})
    await answer(turn, tr("Which building?"), keyboard(
        [[(b, f"an:a:building:{b}")] for b in buildings] + [[(tr("Cancel"), "r:x")]]))


@handles("announcements.write")
async def ask_floor(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await _writing(turn, context, who, "audience")
    await views.advance_draft(d.db, who.user_id, announcements.FLOW, "audience", "floor",
                              d.now())
    await answer(turn, tr("Which floor? Write the building and the floor, for "
                            "example: A 12F"))


@handles("announcements.write")
async def send_at(turn: Turn, context: Context, who: Asker) -> None:
    await _ask_time(turn, context, who, yearly=False)


@handles("announcements.write")
async def send_yearly(turn: Turn, context: Context, who: Asker) -> None:
    await _ask_time(turn, context, who, yearly=True)


async def _ask_time(turn: Turn, context: Context, who: Asker, yearly: bool) -> None:
    d, tr = context.desk, who.tr
    await _writing(turn, context, who, "preview")
    await views.advance_draft(d.db, who.user_id, announcements.FLOW, "preview", "time",
                              d.now(), yearly=yearly)
    await answer(turn, tr("When? Write the day and time, for example: "
                            "2026-12-01 09:00"))


@handles("announcements.write")
async def unknown_announcement_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another an: button (forged, or from an old version): out of date, as before (its
    buttons gone, like any tap with the draft at hand)."""
    await _writing(turn, context, who, None)  # no step is None: always refused


async def _send_now(turn: Turn, context: Context, who: Asker) -> None:
    """The previewed announcement goes now; the same tap again (a double tap, a redelivery
    after a crash) is told the same announcement's number."""
    d = context.desk
    found = await announcements.create(d.db, who.user_id, d.now(), False, d.now(),
                                       confirmed_draft(turn))
    kick(context)
    sent = await context.channel.send(turn.address, who.tr(
        "Sending announcement {id}: starting.", id=found.id))
    if sent is not None:
        await announcements.remember_progress_message(d.db, found.id, sent)


ROUTES = routes(
    commands={"announce": begin},
    buttons=[
        (r"^an:go(:|$)", send_now),
        (r"^an:a(:|$)", audience_chosen),
        (r"^an:b(:|$)", pick_building),
        (r"^an:f(:|$)", ask_floor),
        (r"^an:at(:|$)", send_at),
        (r"^an:yr(:|$)", send_yearly),
        (r"^an:", unknown_announcement_button),  # the last of an:
    ],
)
