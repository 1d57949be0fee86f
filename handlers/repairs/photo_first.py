"""A photo sent with no conversation open: the resident is asked whether to report it, once
per album; yes begins the report with the photo and its caption already in."""

from __future__ import annotations

from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    clear_buttons,
    handles,
    keyboard,
    main_menu,
)
from handlers.complaints import complaints as complaint_report
from handlers.repairs import report as repair_report
from handlers.routes import routes
from storage.records import Draft
from workflow.repairs import photo_first
from workflow.tickets import Kind, Refusal


def _choices(who: Asker):
    tr = who.tr
    return keyboard([[(tr("Report a repair"), "pf:r"), (tr("Make a complaint"), "pf:c")],
                     [(tr("No, thanks"), "pf:x")]])


async def offer(turn: Turn, context: Context, who: Asker) -> None:
    """A photo, cold or while the offer waits (the router's step for both)."""
    d = context.desk
    if not turn.photos:
        await answer(turn, who.tr("Please choose with the buttons: report a repair with "
                                    "your photo, make a complaint, or neither."), _choices(who))
        return
    ask = await photo_first.offer(d.db, who.user_id, turn.photos[0],
                                  turn.caption, turn.album, d.now())
    if ask:
        await answer(turn, who.tr("Report a repair with this photo? Or is it a complaint?"),
                     _choices(who))


async def on_message(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    await offer(turn, context, who)


@handles("repairs.photo_first")
async def declined(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    await photo_first.decline(d.db, who.user_id, d.now())
    await clear_buttons(turn)
    await answer(turn, who.tr("All right: nothing was reported."), main_menu(who))


@handles("repairs.photo_first")
async def as_repair(turn: Turn, context: Context, who: Asker) -> None:
    await _accept(turn, context, who, Kind.REPAIR)


@handles("repairs.photo_first")
async def as_complaint(turn: Turn, context: Context, who: Asker) -> None:
    await _accept(turn, context, who, Kind.COMPLAINT)


async def _accept(turn: Turn, context: Context, who: Asker, kind: str) -> None:
    d = context.desk
    draft, left = await photo_first.accept(d.db, d.settings, who.user_id, kind, d.now())
    await clear_buttons(turn)
    if left:
        await answer(turn, who.tr("{kept} of your photos were kept and {left} left out: a "
                                    "report takes at most {limit}.",
                                    kept=len(draft.data["photos"]), left=left,
                                    limit=photo_first.MAX_PHOTOS))
    flow = repair_report if kind == Kind.REPAIR else complaint_report
    await flow.prompt(turn, context, who, draft)


@handles("repairs.photo_first")
async def unknown_choice(turn: Turn, context: Context, who: Asker) -> None:
    """Another pf: button (forged, or from an old version)."""
    raise Refusal(Refusal.INVALID)


ROUTES = routes(
    buttons=[
        (r"^pf:x(:|$)", declined),
        (r"^pf:r(:|$)", as_repair),
        (r"^pf:c(:|$)", as_complaint),
        (r"^pf:", unknown_choice),  # the last of pf:
    ],
)
