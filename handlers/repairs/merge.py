"""The desk merges a duplicate report into the one it repeats (same unit, or same public
place): picked from the card, the duplicate's residents and photos move to the kept one."""

from __future__ import annotations

from handlers import cards
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    callback_args,
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


def _merge_args(turn: Turn) -> tuple[int, list[str], int | None]:
    """The duplicate's id, the button's arguments (that id first) and the card's version
    mark; a forged id is refused before anything is looked up."""
    args, seen = seen_version(callback_args(turn))
    return int_arg(args, 0), args, seen


@handles("repairs.merge")
async def pick_kept(turn: Turn, context: Context, who: Asker) -> None:
    """Which open report of the same place the duplicate merges into."""
    duplicate_id, _, seen = _merge_args(turn)
    d, tr = context.desk, who.tr
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


@handles("repairs.merge")
async def merge(turn: Turn, context: Context, who: Asker) -> None:
    duplicate_id, args, seen = _merge_args(turn)
    d, tr = context.desk, who.tr
    kept = await same_problem.merge(d.db, d.settings, duplicate_id, int_arg(args, 1),
                                    who.user_id, d.now(), seen)
    await clear_buttons(turn)
    kick(context)
    file = await views.ticket_file(d.db, kept.id, who.user_id)
    await answer(turn, tr("Merged into {ref}. Residents affected: {count}.", ref=kept.ref,
                            count=1 + len(file.followers)))


@handles("repairs.merge")
async def unknown_merge_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another mg: button (forged, or from an old version): its id is read first, as before."""
    _merge_args(turn)
    raise Refusal(Refusal.INVALID)


ROUTES = routes(
    buttons=[
        (r"^mg:l(:|$)", pick_kept),
        (r"^mg:m(:|$)", merge),
        (r"^mg:", unknown_merge_button),  # the last of mg:
    ],
)
