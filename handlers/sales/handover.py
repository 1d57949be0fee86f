"""The handover inspection in the chat (/handover C-001): for each defect, where it is, its
category, what is wrong and photos; each is filed as a repair at once. 'Finish handover'
hands the unit over."""

from __future__ import annotations

from handlers import labels
from handlers.channels.content import Choices
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    callback_args,
    clear_buttons,
    collect_photo,
    draft_at,
    handles,
    keyboard,
    kick,
    main_menu,
    text_answer,
)
from handlers.routes import routes
from storage.records import Draft
from workflow import views
from workflow.sales import handover
from workflow.tickets import Refusal

MAX_PLACE = 100
MAX_PHOTOS = 10


def _walk_buttons(who: Asker) -> Choices:
    return keyboard([[(who.tr("Finish handover"), "ho:f")], [(who.tr("Cancel"), "r:x")]])


@handles("sales.handover")
async def begin(turn: Turn, context: Context, who: Asker) -> None:
    d, tr, args = context.desk, who.tr, context.args or []
    if len(args) != 1:
        await answer(turn, tr("Please write: /handover CONTRACT, for example /handover C-001"))
        return
    found = await handover.start(d.db, who.user_id, args[0], d.now())
    await answer(turn, tr("Handover of {unit} to {name} (contract {contract}). For each "
                            "defect you find, write where it is (for example: master bedroom "
                            "window); tap 'Finish handover' when the walk is done.",
                            unit=found.unit.label, name=found.name,
                            contract=found.contract_no), _walk_buttons(who))


async def on_message(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    d, tr = context.desk, who.tr
    if draft.step == "place":
        place = await text_answer(turn, who, MAX_PLACE)
        if place is None:
            return
        await views.save_draft(d.db, Draft(who.user_id, handover.FLOW, "category",
                                           {**draft.data, "place": place}), d.now())
        rows = [[(labels.category(tr, d.settings, c.key), f"ho:c:{c.key}")]
                for c in d.settings.categories]
        await answer(turn, tr("Which kind of defect?"), keyboard(rows))
    elif draft.step == "description":
        text = (turn.caption or "") if turn.photos else (turn.text or "")
        if not text.strip() or len(text) > handover.MAX_TEXT:
            await answer(turn, tr("Please describe the defect in words (a photo may carry "
                                    "them as its caption), up to {n} characters.",
                                    n=handover.MAX_TEXT))
            return
        photos = [turn.photos[0]] if turn.photos else []
        await views.save_draft(d.db, Draft(who.user_id, handover.FLOW, "photos",
                                           {**draft.data, "description": text.strip(),
                                            "photos": photos}), d.now())
        await answer(turn, tr("Send photos of the defect, or tap 'Done'."),
                     keyboard([[(tr("Done"), "ho:d")]]))
    elif draft.step == "photos":
        await collect_photo(turn, context, who, draft, MAX_PHOTOS, "ho:d")
    else:
        await answer(turn, tr("Please use the buttons above, or /cancel to stop."))


@handles("sales.handover")
async def category_chosen(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    draft = await draft_at(context, who, handover.FLOW, "category")
    args = callback_args(turn)
    if not args or d.settings.category(args[0]) is None:
        raise Refusal(Refusal.INVALID)
    await clear_buttons(turn)
    await views.save_draft(d.db, Draft(who.user_id, handover.FLOW, "description",
                                       {**draft.data, "category": args[0]}), d.now())
    await answer(turn, tr("What is wrong? Describe it (or send a photo with the words "
                            "as its caption)."))


@handles("sales.handover")
async def defect_done(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    draft = await draft_at(context, who, handover.FLOW, "photos")
    data = draft.data
    ticket = await handover.file_defect(d.db, d.settings, who.user_id, data["place"],
                                        data["category"], data["description"],
                                        list(data.get("photos", [])), d.now())
    kick(context)
    await clear_buttons(turn)
    await answer(turn, tr("Defect recorded as {ref}: {place}, {category}. Write where the "
                            "next defect is, or tap 'Finish handover'.", ref=ticket.ref,
                            place=ticket.location,
                            category=labels.category(tr, d.settings, ticket.category)),
                 _walk_buttons(who))


@handles("sales.handover")
async def finish(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    found, filed = await handover.finish(d.db, d.settings, who.user_id, d.now())
    kick(context)
    await clear_buttons(turn)
    text = tr("Handed over: {unit} to {name}, {count} defects filed as repairs.",
              unit=found.unit.label, name=found.name, count=len(filed))
    if found.days_late:
        text += "\n" + tr("{days} days after the contract's date (recorded for the "
                          "compensation the contract provides).", days=found.days_late)
    if found.user_id is None:
        text += "\n" + tr("The buyer is not in the chat yet: they see all this when they "
                          "join with their phone number.")
    await answer(turn, text, main_menu(who))


@handles("sales.handover")
async def unknown_handover_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another ho: button (forged, or from an old version)."""
    raise Refusal(Refusal.INVALID)



ROUTES = routes(
    commands={"handover": begin},
    buttons=[
        (r"^ho:c(:|$)", category_chosen),
        (r"^ho:d(:|$)", defect_done),
        (r"^ho:f(:|$)", finish),
        (r"^ho:", unknown_handover_button),  # the last of ho:
    ],
)
