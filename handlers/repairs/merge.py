"""The desk merges a duplicate report into the one it repeats (same unit, or same public
place): picked from the card, the duplicate's residents and photos move to the kept one."""

from __future__ import annotations

from handlers import cards
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    button_data,
    clear_buttons,
    fit,
    handles,
    int_arg,
    kick,
    picker,
    seen_version,
    stamp,
)
from handlers.routes import routes
from workflow import views
from workflow.repairs import same_problem
from workflow.tickets import Refusal


@handles("repairs.merge")
async def on_button(turn: Turn, context: Context, who: Asker) -> None:
    action, *args = button_data(turn).split(":")[1:]
    args, seen = seen_version(args)
    d, tr = context.desk, who.tr
    duplicate_id = int_arg(args, 0)
    if action == "l":
        file = await views.ticket_file(d.db, duplicate_id, who.user_id)
        found = await same_problem.merge_candidates(d.db, duplicate_id, who.user_id)
        if not found:
            await answer(turn, tr("{ref}: no other open report of the same unit or public "
                                    "place to merge it into.", ref=file.ticket.ref))
            return
        rows = [[(fit(f"{t.ref} · {cards.where(tr, d.settings, t)}", 60),
                  stamp(f"mg:m:{duplicate_id}:{t.id}", seen))] for t in found]
        await answer(turn, tr("Merge {ref} into which report? It closes as a duplicate; its "
                                "residents and photos join the one you pick, and all are told.",
                                ref=file.ticket.ref), picker(tr, rows))
    elif action == "m":
        kept = await same_problem.merge(d.db, d.settings, duplicate_id, int_arg(args, 1),
                                        who.user_id, d.now(), seen)
        await clear_buttons(turn)
        kick(context)
        file = await views.ticket_file(d.db, kept.id, who.user_id)
        await answer(turn, tr("Merged into {ref}. Residents affected: {count}.", ref=kept.ref,
                                count=1 + len(file.followers)))
    else:
        raise Refusal(Refusal.INVALID)



ROUTES = routes(
    buttons=[
        (r"^mg:", on_button),
    ],
)
