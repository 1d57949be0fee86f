"""Messages that are not commands: each belongs to the conversation the sender has in
progress (stored in the database), or gets a pointer to the menu."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from handlers import labels
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
from handlers.onboarding import codes, linking
from handlers.repairs import photo_first
from handlers.routes import ANY, COMMAND, Door, Step, routes, steps_of
from workflow import conversations, roles, views
from workflow.onboarding import unit_codes
from workflow.tickets import Refusal

LINK_CODE = re.compile(r"\d{6}")  # /link's code, typed alone in the account to link


def door(doors: Sequence[Door]) -> Door:
    """The last door: what no other door took. A message goes to the step of the
    conversation the sender has in progress, whichever door's it is."""
    steps = steps_of(doors)

    @handles("router.message")
    async def route(turn: Turn, context: Context, who: Asker) -> None:
        await _route(turn, context, who, steps)

    return Door("router", routes=[routes(
        buttons=[
            (r"^x:close$", close_picker),
            (None, unknown_button),
        ],
        messages=[
            (ANY, route),
            (COMMAND, unknown_command),
        ],
    )])


async def _route(turn: Turn, context: Context, who: Asker, steps: Mapping[str, Step]) -> None:
    d = context.desk
    draft = await views.draft_as_left(d.db, who.user_id)
    if draft is not None and conversations.expired(draft, d.now()):
        await views.drop_draft(d.db, who.user_id)
        if draft.flow == unit_codes.CODE_FLOW:  # the sheet came days later: a code still
            draft = None  # counts (below), anything else is told to /start
    if draft is not None and conversations.expired(draft, d.now()):
        await answer(turn, who.tr(
            "What you started ({what}) has expired: it was left for more than a day. Nothing "
            "was changed; please start again from the menu.",
            what=labels.of(who.tr, labels.CONVERSATIONS, draft.flow)), main_menu(who))
        return
    if draft is not None and conversations.moved_by(draft, turn.event):
        # Delivered again after a crash lost its replay mark: its answer is taken already.
        await answer(turn, who.tr("This was already recorded."))
        return
    if draft is not None and draft.flow in steps:
        await steps[draft.flow](turn, context, who, draft)
        return
    if turn.photos and who.may((roles.RESIDENT,)):  # a photo of the leak, alone
        await photo_first.offer(turn, context, who)
        return
    if who.role is None and unit_codes.normal(turn.text) is not None:
        await codes.typed(turn, context, who, turn.text or "")  # a unit's code, not the phone
        return
    if who.role is None and turn.text and LINK_CODE.fullmatch(turn.text.strip()):
        await linking.use(turn, context, who, turn.text.strip())  # a newcomer's link code
        return
    if who.role is None:  # a button too: on LINE the notice's quick replies went with it
        await answer(turn, who.tr("Please send /start to begin."),
                     keyboard([[(who.tr("Start"), "m:start")]]))
        return
    await answer(turn, who.tr("I did not understand that. Please choose from the menu."),
                 main_menu(who))


@handles("router.unknown_command")
async def unknown_command(turn: Turn, context: Context, who: Asker) -> None:
    await answer(turn, who.tr("I do not know that command. /help shows what you can do."))


@handles("router.close_picker")
async def close_picker(turn: Turn, context: Context, who: Asker) -> None:
    """A picker closed: its buttons go, nothing else changes."""
    await clear_buttons(turn)


@handles("router.unknown_button")
async def unknown_button(turn: Turn, context: Context, who: Asker) -> None:
    """A button no handler knows (from an old version of the bot, or forged): its spinner
    stops with a short message."""
    raise Refusal(Refusal.INVALID)

