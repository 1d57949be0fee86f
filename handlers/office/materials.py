"""The materials of a visit, as the worker records them on site: the trade's usual items
from the storeroom as buttons, any other typed ('elbow 2'), a free item with its price
('sealant 1 x 85'); 'Done' files the completion."""

from __future__ import annotations

from decimal import Decimal

from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    allowed,
    answer,
    callback_args,
    clear_buttons,
    handles,
    int_arg,
    keyboard,
    kick,
    main_menu,
    picker,
    text_answer,
)
from handlers.routes import routes
from storage.exact import product
from storage.records import Draft
from workflow import views
from workflow.office import catalogue, measurement
from workflow.repairs import onsite
from workflow.tickets import Refusal

QUANTITIES = (1, 2, 3, 4, 5, 10)


async def ask(turn: Turn, context: Context, who: Asker, ticket_id: int) -> None:
    tr, d = who.tr, context.desk
    ticket = (await views.tickets_by_id(d.db, [ticket_id]))[0]
    if measurement.units_own(ticket, who.role):  # the unit's own: no storeroom buttons
        await answer(turn, tr("Materials used? This is the responsible unit's job: type each "
                                "of its own materials as 'name quantity' (for example: sealant "
                                "2); they are recorded as the unit's, not taken from the "
                                "estate's storeroom. Tap 'Done' when finished, also if nothing "
                                "was used."),
                     keyboard([[(tr("Done"), "w:mf")]]))
        return
    usual = await measurement.usual_items(d.db, ticket.category)
    buttons = [(f"{m.name} ({m.unit})", f"w:mi:{m.id}") for m in usual]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    await answer(turn, tr("Materials used? Tap an item, or type one as 'name quantity' (for "
                            "example: elbow 2), or an item not in the storeroom with its "
                            "price: 'sealant 1 x 85'. Tap 'Done' when finished, also if "
                            "nothing was used."), keyboard(rows + [[(tr("Done"), "w:mf")]]))


async def _added(turn: Turn, context: Context, who: Asker, item: dict, so_far: Decimal,
                 ticket_id: int) -> None:
    tr = who.tr
    if item.get("own"):
        await answer(turn, tr("Added as the unit's own: {name} × {quantity}.",
                                name=item["name"], quantity=tr.number(item["quantity"])))
        await ask(turn, context, who, ticket_id)
        return
    await answer(turn, tr("Added: {name} × {quantity} {unit} ({amount}). Materials so far: "
                            "{total}.", name=item["name"], quantity=tr.number(item["quantity"]),
                            unit=item["unit"],
                            amount=tr.money(product(measurement.exact(item["quantity"]),
                                                     measurement.exact(item["unit_price"]))),
                            total=tr.money(so_far)))
    await ask(turn, context, who, ticket_id)


async def _at_materials(context: Context, who: Asker) -> Draft:
    """The completion record waiting at its materials step, and the asker's the job: a
    storeroom button is refused otherwise (whatever its verb)."""
    d = context.desk
    draft = await views.draft(d.db, who.user_id, d.now())
    if draft is None or draft.flow != onsite.COMPLETE_FLOW or draft.step != "materials":
        raise Refusal(Refusal.STALE)
    await allowed(context, who, "repairs.work", draft.data["ticket_id"])
    return draft


@handles("button.per_action")
async def item_chosen(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    draft = await _at_materials(context, who)
    if measurement.units_own((await views.tickets_by_id(d.db, [draft.data["ticket_id"]]))[0],
                             who.role):  # the unit's own materials are typed
        raise Refusal(Refusal.INVALID)
    material_id = int_arg(callback_args(turn), 0)
    await answer(turn, tr("How many?"), picker(tr, [[
        (str(n), f"w:mq:{material_id}:{n}") for n in QUANTITIES]]))


@handles("button.per_action")
async def quantity_chosen(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    draft = await _at_materials(context, who)
    args = callback_args(turn)
    quantity = int_arg(args, 1)
    if quantity not in QUANTITIES:
        raise Refusal(Refusal.INVALID)
    await clear_buttons(turn)
    item, so_far = await onsite.add_material(d.db, who.user_id, d.now(),
                                             material_id=int_arg(args, 0),
                                             quantity=Decimal(quantity))
    await _added(turn, context, who, item, so_far, draft.data["ticket_id"])


@handles("button.per_action")
async def materials_done(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await _at_materials(context, who)
    await clear_buttons(turn)
    ticket = await onsite.complete(d.db, d.settings, who.user_id, d.now())
    if ticket is None:
        raise Refusal(Refusal.STALE)
    kick(context)
    await answer(turn, tr("{ref} is complete. The resident has been asked to confirm.",
                            ref=ticket.ref), main_menu(who))


@handles("button.per_action")
async def unknown_storeroom_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another w:m… button (forged, or from an old version): refused as before, after the
    same checks of the record."""
    await _at_materials(context, who)
    raise Refusal(Refusal.INVALID)


async def on_message(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """A typed item at the materials step (called by the completion's own step handler)."""
    d, tr = context.desk, who.tr
    text = turn.text
    typed = measurement.parse_item(text, tr.locale) if text else None
    if typed is None:
        await answer(turn, tr("Please type an item as 'name quantity', for example: elbow 2; "
                                "or with its price: sealant 1 x 85."))
        return
    try:
        item, so_far = await onsite.add_material(d.db, who.user_id, d.now(), typed=typed)
    except Refusal as refused:
        if refused.reason != Refusal.NOT_FOUND:
            raise
        await answer(turn, tr("'{name}' is not in the storeroom. Type its code, or add its "
                                "price: '{name} {quantity} x 85'.", name=typed.name,
                                quantity=tr.number(typed.quantity)))
        return
    await _added(turn, context, who, item, so_far, draft.data["ticket_id"])


@handles("office.stock")
async def stock(turn: Turn, context: Context, who: Asker) -> None:
    """/stock: the storeroom's items under their minimum, and the shortfalls to resolve."""
    tr = who.tr
    items, _ = await catalogue.listing(context.desk.db)
    low = [m for m in items if m.low]
    short = await measurement.shortfalls(context.desk.db)
    if not items:
        await answer(turn, tr("The storeroom has no catalogue yet."))
        return
    parts = [tr("Under their minimum:") + "\n" + "\n".join(
        "· " + tr.headed(f"{m.code} {m.name}",
                         f"{tr.number(m.stock)} / {tr.number(m.minimum)} {m.unit}")
        for m in low) if low else
        tr("Every item of the storeroom is at or above its minimum.")]
    if short:
        parts.append(tr("Used beyond the stock held, to resolve (estatedesk materials resolve "
                        "NUMBER stock, once the missing delivery is entered; or NUMBER outside "
                        "--note WHY, if it was not the estate's stock):") + "\n" + "\n".join(
            "· " + tr.headed(f"#{s.id} {s.material.code} {s.material.name}", (
                ", " if tr.language == "en" else "，").join((
                    f"{tr.number(s.quantity)} {s.material.unit}", s.ticket_ref or "-",
                    tr.datetime(s.at)))) for s in short))
    # once the missing delivery is entered, the stock covers it: a tap takes it from there
    buttons = [[(tr("#{number}: take from stock", number=s.id), f"sf:ok:{s.id}")]
               for s in short if s.material.stock >= s.quantity]
    buttons += [[(tr("#{number}: not the estate's stock", number=s.id), f"sf:out:{s.id}")]
                for s in short]
    await answer(turn, "\n\n".join(parts), keyboard(buttons) if buttons else None)


async def _resolved_already(turn: Turn, context: Context, who: Asker, number: int) -> None:
    """Resolved by someone else, or by an earlier tap: by whom and when."""
    tr = who.tr
    done = await measurement.resolution(context.desk.db, number)
    if done is None:
        await answer(turn, tr("Shortfall #{number} is resolved already.", number=number))
        return
    how, at, actor_id = done
    person = await views.person(context.desk.db, actor_id) if actor_id else None
    await answer(turn, tr("Shortfall #{number} was resolved already, at {when} by {name}: "
                            "{how}.", number=number, when=tr.datetime(at),
                            name=person.name if person else tr("the office"),
                            how=tr("taken from stock") if how == measurement.FROM_STOCK else
                            tr("not the estate's stock")))


@handles("office.stock")
async def shortfall_outside(turn: Turn, context: Context, who: Asker) -> None:
    """A shortfall not the estate's stock, by the storekeeper's tap: its reason next (the
    workflow checks who)."""
    tr, d = who.tr, context.desk
    number = int_arg(callback_args(turn), 0)
    try:
        found = await measurement.start_outside(d.db, number, who.user_id, d.now())
    except Refusal as refused:
        if refused.reason != Refusal.NOT_FOUND:
            raise
        await _resolved_already(turn, context, who, number)
        return
    await answer(turn, tr("Shortfall #{number}: {quantity} {unit} of {name} for {ref}. "
                            "Why was it not the estate's stock? For example: the "
                            "technician's own spare.", number=found.id,
                            quantity=tr.number(found.quantity), unit=found.material.unit,
                            name=found.material.name, ref=found.ticket_ref or "-"),
                 keyboard([[(tr("Cancel"), "r:x")]]))


@handles("office.stock")
async def shortfall_from_stock(turn: Turn, context: Context, who: Asker) -> None:
    """A shortfall taken from stock, by the storekeeper's tap (the workflow checks who)."""
    tr, d = who.tr, context.desk
    number = int_arg(callback_args(turn), 0)
    try:
        found = await measurement.resolve(d.db, number, measurement.FROM_STOCK, "", d.now(),
                                          who.user_id)
    except Refusal as refused:
        if refused.reason == Refusal.NOT_FOUND:
            await _resolved_already(turn, context, who, number)
        elif refused.reason == Refusal.INVALID:
            await answer(turn, tr("The stock holds less than shortfall #{number}: enter the "
                                    "delivery first ('estatedesk materials receive').",
                                    number=number))
        else:
            raise
        return
    await answer(turn, tr("Shortfall #{number} is taken from stock: {quantity} {unit} of "
                            "{name} for {ref}.", number=found.id,
                            quantity=tr.number(found.quantity), unit=found.material.unit,
                            name=found.material.name, ref=found.ticket_ref or "-"))


async def on_outside_reason(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """Why a shortfall was not the estate's stock (a step of the router)."""
    tr, d = who.tr, context.desk
    reason = await text_answer(turn, who, measurement.MAX_NOTE)
    if reason is None:
        return
    number, found = await measurement.resolve_outside(d.db, who.user_id, reason, d.now())
    if found is None:
        await _resolved_already(turn, context, who, number)
        return
    await answer(turn, tr("Shortfall #{number} is recorded as not the estate's stock: "
                            "{quantity} {unit} of {name} for {ref}. Why: {reason}",
                            number=found.id, quantity=tr.number(found.quantity),
                            unit=found.material.unit, name=found.material.name,
                            ref=found.ticket_ref or "-", reason=reason), main_menu(who))



ROUTES = routes(
    commands={"stock": stock},
    buttons=[
        (r"^w:mi(:|$)", item_chosen),
        (r"^w:mq(:|$)", quantity_chosen),
        (r"^w:mf(:|$)", materials_done),
        (r"^w:m[iqf]", unknown_storeroom_button),  # w:mix… and the like, as before
        (r"^sf:ok:", shortfall_from_stock),
        (r"^sf:out:", shortfall_outside),
    ],
)
