"""The desk's measurement of a finished job (計量確認): confirm the figures as recorded, or
correct them with a reason; each is kept beside the others."""

from __future__ import annotations

from handlers import cards, labels
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    callback_args,
    clear_buttons,
    handles,
    int_arg,
    keyboard,
    kick,
    main_menu,
)
from handlers.routes import routes
from storage.records import Draft
from workflow import views
from workflow.office import measurement
from workflow.tickets import Refusal


def _ticket(turn: Turn) -> int:
    return int_arg(callback_args(turn), 0)


@handles("office.measurement")
async def confirm(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    ticket_id = _ticket(turn)
    confirmed = await measurement.confirm(d.db, ticket_id, who.user_id, d.now())
    await clear_buttons(turn)
    kick(context)
    await answer(turn, await _measured(context, who, ticket_id, confirmed) if confirmed
                 else tr("The measurement was already confirmed or corrected."))


@handles("office.measurement")
async def correct(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    ticket = await measurement.start_correction(d.db, _ticket(turn), who.user_id, d.now())
    await answer(turn, tr("{ref}: send the labour hours, the materials cost and the reason, "
                            "for example: 2 350 two elbows were not used", ref=ticket.ref),
                 keyboard([[(tr("Cancel"), "r:x")]]))


@handles("office.measurement")
async def unknown_measurement_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another me: button (forged, or from an old version): its id is read first, as before."""
    _ticket(turn)
    raise Refusal(Refusal.INVALID)


async def on_correction(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The corrected figures and the reason (a step of the router)."""
    d, tr = context.desk, who.tr
    text = turn.text or ""
    corrected = await measurement.correct(d.db, who.user_id, text[:600], d.now(), tr.locale,
                                         d.settings)
    if corrected is None:
        await answer(turn, tr("Please send the labour hours, the materials cost and the "
                                "reason, for example: 2 350 two elbows were not used"))
        return
    kick(context)
    await answer(turn, await _measured(context, who, draft.data["ticket_id"], corrected),
                 main_menu(who))


async def _measured(context: Context, who: Asker, ticket_id: int,
                    found: measurement.Figures) -> str:
    """The figures as they now stand; hours its trade has no hourly rate for are priced at
    nothing, which the clerk is told rather than left to find in the books."""
    text = cards.measured_line(who.tr, found)
    if not found.unpriced:
        return text
    file = await views.ticket_file(context.desk.db, ticket_id, who.user_id)
    category = file.ticket.category
    return text + "\n" + who.tr(
        "No hourly rate is set for {trade}: its labour is not priced. Set one with "
        "'estatedesk materials rate {key} <hourly rate>', then correct the measurement.",
        trade=labels.category(who.tr, context.desk.settings, category), key=category)



ROUTES = routes(
    buttons=[
        (r"^me:ok(:|$)", confirm),
        (r"^me:fix(:|$)", correct),
        (r"^me:", unknown_measurement_button),  # the last of me:
    ],
)
