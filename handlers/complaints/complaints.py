"""Complaints: the resident's /complain, the desk's acknowledge and route, the department
head's reply, and a resident's addition to any open ticket."""

from __future__ import annotations

from handlers import labels
from handlers.cards import spoken_description
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    allowed,
    answer,
    behalf_lines,
    callback_args,
    clear_buttons,
    collect_photo,
    confirm_button,
    confirmed_draft,
    draft_at,
    filed_for,
    handles,
    int_arg,
    keyboard,
    kick,
    main_menu,
    own_unit,
    photo_ask,
    picker,
    spoken_answer,
    stamp,
    text_answer,
)
from handlers.routes import routes
from storage.records import Draft
from workflow import limits, views
from workflow.complaints import complaints
from workflow.repairs import addenda
from workflow.tickets import Refusal


def _cancel(who: Asker) -> list[tuple[str, str]]:
    return [(who.tr("Cancel"), "r:x")]


async def prompt(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    tr, d = who.tr, context.desk
    step = draft.step
    if step == "unit":
        rows = [[(u.label, f"k:u:{u.id}")] for u in await views.units(d.db, who.user_id)]
        await answer(turn, tr("Which unit is the complaint about?"),
                     keyboard(rows + [_cancel(who)]))
    elif step == "category":
        buttons = [(labels.complaint_category(tr, d.settings, c.key), f"k:c:{c.key}")
                   for c in d.settings.complaint_categories]
        rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
        await answer(turn, tr("What is the complaint about?"), keyboard(rows + [_cancel(who)]))
    elif step == "text":
        await answer(turn, tr("Please tell us what happened (up to {limit} characters), or "
                                "send a voice note.", limit=complaints.MAX_TEXT),
                     keyboard([_cancel(who)]))
    elif step == "photos":
        await answer(turn, tr("You may send up to {limit} photos. Tap 'Done' when finished, "
                                "or 'Skip' to go on without photos.",
                                limit=complaints.MAX_PHOTOS),
                     keyboard([[(tr("Done"), "k:pd"), (tr("Skip"), "k:pd")], _cancel(who)]),
                     photo_ask(tr))
    elif step == "callback" and draft.data.get("on_behalf"):  # the desk asks for them
        await answer(turn, tr("Does the resident want a phone call back?"), keyboard([
            [(tr("Yes, call them back"), "k:cb:1")],
            [(tr("No call back needed"), "k:cb:0")], _cancel(who)]))
    elif step == "callback":
        await answer(turn, tr("Would you like us to phone you back?"), keyboard([
            [(tr("Yes, please call me"), "k:cb:1")],
            [(tr("No, a reply here is fine"), "k:cb:0")], _cancel(who)]))
    else:
        data = draft.data
        unit = await views.unit(d.db, data["unit_id"])
        head = tr("Please check the complaint with the resident:") if data.get("on_behalf") \
            else tr("Please check your complaint:")
        lines = [head, *behalf_lines(tr, data),
                 tr("Unit: {unit}", unit=unit.label if unit else ""),
                 tr("Category: {category}", category=labels.complaint_category(
                     tr, d.settings, data["category"])),
                 tr("Complaint: {text}", text=spoken_description(tr, data["text"],
                                                                 data.get("voice"))),
                 tr("Photos: {count}", count=len(data.get("photos", [])))]
        if data.get("callback"):
            lines.append(tr("Wants a phone call back."))
        await answer(turn, "\n".join(lines), keyboard([
            [(tr("Confirm and send"), confirm_button("k:ok", draft.data))],
            [(tr("Edit"), "k:edit"), *_cancel(who)]]))


async def _save_and_prompt(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    d = context.desk
    await views.save_draft(d.db, draft, d.now())
    await prompt(turn, context, who, draft)


@handles("complaints.file")
async def begin(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    units = await views.units(d.db, who.user_id)
    if not units:
        raise Refusal(Refusal.FORBIDDEN)
    await limits.may_start(d.db, d.settings, who.user_id, d.now())
    new = complaints.start(who.user_id, [u.id for u in units])
    await views.start_draft(d.db, new, d.now())
    await prompt(turn, context, who, new)


@handles("complaints.step")
async def unit_chosen(turn: Turn, context: Context, who: Asker) -> None:
    draft = await draft_at(context, who, complaints.FLOW, "unit")
    unit_id = await own_unit(context, who, callback_args(turn))
    await _next(turn, context, who, complaints.advance(draft, unit_id=unit_id))


@handles("complaints.step")
async def category_chosen(turn: Turn, context: Context, who: Asker) -> None:
    draft = await draft_at(context, who, complaints.FLOW, "category")
    args = callback_args(turn)
    if not args or context.desk.settings.complaint_category(args[0]) is None:
        raise Refusal(Refusal.INVALID)
    await _next(turn, context, who, complaints.advance(draft, category=args[0]))


@handles("complaints.step")
async def photos_done(turn: Turn, context: Context, who: Asker) -> None:
    new = complaints.advance(await draft_at(context, who, complaints.FLOW, "photos"))
    await _next(turn, context, who, new)


@handles("complaints.step")
async def callback_chosen(turn: Turn, context: Context, who: Asker) -> None:
    new = complaints.advance(await draft_at(context, who, complaints.FLOW, "callback"),
                             callback=callback_args(turn)[:1] == ["1"])
    await _next(turn, context, who, new)


@handles("complaints.step")
async def confirmed(turn: Turn, context: Context, who: Asker) -> None:
    await _submit(turn, context, who)


@handles("complaints.step")
async def what_to_change(turn: Turn, context: Context, who: Asker) -> None:
    await draft_at(context, who, complaints.FLOW, "summary")
    tr = who.tr
    await answer(turn, tr("What would you like to change?"), keyboard([
        [(tr("Category"), "k:e:category"), (tr("Complaint"), "k:e:text")],
        [(tr("Photos"), "k:e:photos"), (tr("Phone call back"), "k:e:callback")],
        [(tr("Back"), "k:back")]]))


@handles("complaints.step")
async def back_to_summary(turn: Turn, context: Context, who: Asker) -> None:
    await _next(turn, context, who, await draft_at(context, who, complaints.FLOW, "summary"))


@handles("complaints.step")
async def change(turn: Turn, context: Context, who: Asker) -> None:
    draft = await draft_at(context, who, complaints.FLOW, "summary")
    args = callback_args(turn)
    await _next(turn, context, who, complaints.edit(draft, args[0] if args else ""))


@handles("complaints.step")
async def unknown_step(turn: Turn, context: Context, who: Asker) -> None:
    """Another k: button (forged, or from an old version)."""
    raise Refusal(Refusal.INVALID)


async def _next(turn: Turn, context: Context, who: Asker, new: Draft) -> None:
    await clear_buttons(turn)
    await _save_and_prompt(turn, context, who, new)


async def _submit(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    ticket = await complaints.submit(d.db, d.settings, who.user_id, d.now(),
                                     confirmed_draft(turn))
    await clear_buttons(turn)
    if ticket is None:
        await answer(turn, who.tr("This report has already been sent or was cancelled. "
                                    "See /mytickets."))
        return
    kick(context)
    if ticket.filed_by == who.user_id:
        await answer(turn, filed_for(who, ticket), main_menu(who))
        return
    await answer(turn, who.tr("Thank you. Your complaint is registered as {ref}. The desk "
                                "will look into it and keep you informed here.", ref=ticket.ref),
                 main_menu(who))


async def on_message(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """A message while a complaint is being written (a step of the router)."""
    if draft.step == "text" and turn.voice is not None:
        spoken = await spoken_answer(turn, who, context.desk.settings.voice_note_limit)
        if spoken is not None:
            voice, caption = spoken
            await _save_and_prompt(turn, context, who,
                                   complaints.advance(draft, text=caption, voice=voice))
    elif draft.step == "text":
        text = await text_answer(turn, who, complaints.MAX_TEXT)
        if text is not None:
            await _save_and_prompt(turn, context, who, complaints.advance(draft, text=text))
        elif not turn.channel.limits.edits:  # LINE: the step's quick replies went with it
            await prompt(turn, context, who, draft)
    elif draft.step == "photos":
        await collect_photo(turn, context, who, draft, complaints.MAX_PHOTOS, "k:pd")
    else:
        await answer(turn, who.tr("Please use the buttons above, or /cancel to stop."))
        await prompt(turn, context, who, draft)


async def on_desk_button(turn: Turn, context: Context, who: Asker, action: str,
                         ticket_id: int, args: list[str], seen: int | None) -> bool:
    """Acknowledge and route (routed here by handlers.repairs.dispatch); False if not ours."""
    d, tr = context.desk, who.tr
    if action == "ack":
        ticket = await complaints.acknowledge(d.db, d.settings, ticket_id, who.user_id, d.now(),
                                              seen)
        await clear_buttons(turn)
        await answer(turn, tr("{ref}: acknowledged. Please route it to a department.",
                                ref=ticket.ref), keyboard([[(tr("Route to a department"),
                                                             stamp(f"d:rt:{ticket.id}",
                                                                   ticket.version))]]))
    elif action == "rt":
        rows = [[(labels.department(tr, d.settings, dep.key),
                  stamp(f"d:dp:{ticket_id}:{dep.key}", seen))]
                for dep in d.settings.departments]
        await answer(turn, tr("Which department should handle it?"), picker(tr, rows))
    elif action == "dp":
        ticket = await complaints.route(d.db, d.settings, ticket_id, who.user_id,
                                        args[1] if len(args) > 1 else "", d.now(), seen)
        kick(context)
        await clear_buttons(turn)
        department = labels.department(tr, d.settings, ticket.department or "")
        await answer(turn, tr("{ref} passed to {department}.", ref=ticket.ref,
                                department=department))
    else:
        return False
    return True


@handles("complaints.reply")
async def on_reply_button(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    ticket_id = int_arg(callback_args(turn), 0)
    await allowed(context, who, "complaints.reply", ticket_id)
    ticket = await complaints.start_reply(d.db, ticket_id, who.user_id, d.now())
    await answer(turn, who.tr("{ref}: what was done about it? (for the record, up to {limit} "
                                "characters)", ref=ticket.ref, limit=complaints.MAX_REPLY),
                 keyboard([_cancel(who)]))


async def on_reply_message(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The department head's record and reply (a step of the router)."""
    d, tr = context.desk, who.tr
    text = await text_answer(turn, who, complaints.MAX_REPLY)
    if text is None:
        return
    if draft.step == "action":
        await views.advance_draft(d.db, who.user_id, complaints.REPLY_FLOW, "action", "reply",
                                  d.now(), action=text)
        await answer(turn, tr("And your reply to the resident? They will see it as you write "
                                "it."), keyboard([_cancel(who)]))
        return
    ticket = await complaints.reply(d.db, d.settings, who.user_id, text, d.now())
    if ticket is None:
        raise Refusal(Refusal.STALE)
    kick(context)
    await answer(turn, tr("{ref}: your reply was sent to the resident.", ref=ticket.ref))


@handles("tickets.add")
async def on_add_button(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    ticket_id = int_arg(callback_args(turn), 0)
    await allowed(context, who, "tickets.add", ticket_id)
    ticket = await addenda.start(d.db, ticket_id, who.user_id, d.now())
    await answer(turn, who.tr("Send a message, a photo or a voice note to add to {ref}.",
                                ref=ticket.ref), keyboard([_cancel(who)]))


async def on_addendum(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """What the resident adds to an open ticket (a step of the router)."""
    d = context.desk
    if turn.photos:
        ticket = await addenda.add(d.db, who.user_id, d.now(), text=turn.caption or "",
                                   photo=turn.photos[0])
    elif turn.voice is not None:
        spoken = await spoken_answer(turn, who, d.settings.voice_note_limit)
        if spoken is None:
            return
        voice, caption = spoken
        ticket = await addenda.add(d.db, who.user_id, d.now(), text=caption, voice=voice)
    else:
        text = await text_answer(turn, who, addenda.MAX_TEXT)
        if text is None:
            return
        ticket = await addenda.add(d.db, who.user_id, d.now(), text=text)
    if ticket is None:
        raise Refusal(Refusal.STALE)
    kick(context)
    await answer(turn, who.tr("Added to {ref}; we have passed it on.", ref=ticket.ref),
                 main_menu(who))



ROUTES = routes(
    commands={"complain": begin},
    buttons=[
        (r"^m:complain$", begin),
        (r"^k:reply:", on_reply_button),
        (r"^t:add:", on_add_button),
        (r"^k:u(:|$)", unit_chosen),
        (r"^k:c(:|$)", category_chosen),
        (r"^k:pd(:|$)", photos_done),
        (r"^k:cb(:|$)", callback_chosen),
        (r"^k:ok(:|$)", confirmed),
        (r"^k:edit(:|$)", what_to_change),
        (r"^k:back(:|$)", back_to_summary),
        (r"^k:e(:|$)", change),
        (r"^k:", unknown_step),  # the last of k:
    ],
)

