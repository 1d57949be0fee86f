"""A photo sent with no conversation open: the resident is asked whether to report it, once
per album; yes begins the report with the photo and its caption already in."""

from __future__ import annotations

from telegram import Update

from handlers import complaints as complaint_report
from handlers.buttons import Buttons
from handlers.common import (
    Asker,
    Context,
    answer,
    button_data,
    clear_buttons,
    handles,
    keyboard,
    main_menu,
    message_of,
)
from handlers.repairs import repair_report
from storage.records import Draft
from workflow.repairs import photo_first
from workflow.tickets import Kind, Refusal


def _choices(who: Asker):
    tr = who.tr
    return keyboard([[(tr("Report a repair"), "pf:r"), (tr("Make a complaint"), "pf:c")],
                     [(tr("No, thanks"), "pf:x")]])


async def offer(update: Update, context: Context, who: Asker) -> None:
    """A photo, cold or while the offer waits (the router's step for both)."""
    message, d = message_of(update), context.desk
    if not message.photo:
        await answer(update, who.tr("Please choose with the buttons: report a repair with "
                                    "your photo, make a complaint, or neither."), _choices(who))
        return
    ask = await photo_first.offer(d.db, who.user_id, message.photo[-1].file_id,
                                  message.caption, message.media_group_id, d.now())
    if ask:
        await answer(update, who.tr("Report a repair with this photo? Or is it a complaint?"),
                     _choices(who))


async def on_message(update: Update, context: Context, who: Asker, draft: Draft) -> None:
    await offer(update, context, who)


@handles("repairs.photo_first")
async def on_button(update: Update, context: Context, who: Asker) -> None:
    choice = button_data(update).split(":")[1]
    d = context.desk
    if choice == "x":
        await photo_first.decline(d.db, who.user_id, d.now())
        await clear_buttons(update)
        await answer(update, who.tr("All right: nothing was reported."), main_menu(who))
        return
    if choice not in ("r", "c"):
        raise Refusal(Refusal.INVALID)
    kind = Kind.REPAIR if choice == "r" else Kind.COMPLAINT
    draft, left = await photo_first.accept(d.db, d.settings, who.user_id, kind, d.now())
    await clear_buttons(update)
    if left:
        await answer(update, who.tr("{kept} of your photos were kept and {left} left out: a "
                                    "report takes at most {limit}.",
                                    kept=len(draft.data["photos"]), left=left,
                                    limit=photo_first.MAX_PHOTOS))
    flow = repair_report if kind == Kind.REPAIR else complaint_report
    await flow.prompt(update, context, who, draft)


def register(app) -> None:
    app.add_handler(Buttons(on_button, pattern=r"^pf:"))
