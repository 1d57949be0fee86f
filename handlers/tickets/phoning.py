"""'I phoned them': the one person asked to phone a resident without Telegram records the
call, so nobody phones them twice about the same step."""

from __future__ import annotations

from handlers.channels.turns import Turn
from handlers.common import Asker, Context, answer, button_data, clear_buttons, handles, int_arg
from handlers.routes import routes
from workflow import delivery


@handles("residents.phoned")
async def on_phoned(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    request_id = int_arg(button_data(turn).split(":")[1:], 0)
    call, recorded = await delivery.phoned(d.db, who.user_id, request_id, d.now())
    await clear_buttons(turn)
    if recorded:
        await answer(turn, tr("Recorded: you phoned them, {time}.", time=tr.datetime(call.at)))
        return
    staff = await delivery.caller(d.db, call.staff_id)
    await answer(turn, tr("Already recorded: {name} phoned them, {time}.", name=staff,
                            time=tr.datetime(call.at)))



ROUTES = routes(
    buttons=[
        (r"^pr:", on_phoned),
    ],
)
