"""The resident's repair report: one step at a time, stored after every answer, so a
report in progress survives a restart; filed only on the resident's confirmation."""

from __future__ import annotations

from datetime import date

from handlers import labels
from handlers.cards import phone, spoken_description, visit
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    behalf_lines,
    callback_args,
    clear_buttons,
    collect_photo,
    confirm_button,
    confirmed_draft,
    draft_at,
    filed_for,
    fit,
    handles,
    int_arg,
    keyboard,
    kick,
    main_menu,
    office,
    own_unit,
    photo_ask,
    spoken_answer,
    text_answer,
)
from handlers.i18n import Tr
from handlers.routes import routes
from storage.records import Draft
from workflow import limits, views
from workflow.repairs import report, same_problem
from workflow.settings import ASAP, EMERGENCY, NORMAL, EstateSettings
from workflow.tickets import Refusal

CANCEL = "r:x"


def _cancel_row(who: Asker) -> list[tuple[str, str]]:
    return [(who.tr("Cancel"), CANCEL)]


async def prompt(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """Asks for what the draft's step needs."""
    tr, d = who.tr, context.desk
    step = draft.step
    if step == "unit":
        units = await views.units(d.db, who.user_id)
        rows = [[(u.label, f"r:u:{u.id}")] for u in units]
        await answer(turn, tr("Which unit is the repair for?"),
                     keyboard(rows + [_cancel_row(who)]))
    elif step == "category":
        buttons = [(labels.category(tr, d.settings, c.key), f"r:c:{c.key}")
                   for c in d.settings.categories]
        rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
        await answer(turn, tr("What kind of problem is it?"), keyboard(rows + [_cancel_row(who)]))
    elif step == "urgency":
        text = tr("Is it an emergency? Emergencies are flooding, no power, no water, a smell of "
                  "gas, or someone trapped. If anyone is in danger, call the emergency services "
                  "first.")
        if d.settings.office_phone:
            text += "\n" + tr("In an emergency you can also call {office}.",
                               office=office(tr, d.settings))
        await answer(turn, text,
                     keyboard([[(tr("Yes, an emergency"), "r:g:emergency")],
                               [(tr("No, not an emergency"), "r:g:normal")], _cancel_row(who)]))
    elif step == "location" and report.public(draft.data):
        unit = await views.unit(d.db, draft.data["unit_id"])
        places = d.settings.places(unit.building if unit else "")
        buttons = [(labels.place(tr, d.settings, p.key), f"r:p:{n}")
                   for n, p in enumerate(places)]
        rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
        await answer(turn, tr("Where is it? Pick the place, or type it if it is not listed."),
                     keyboard(rows + [_cancel_row(who)]))
    elif step == "location":
        buttons = [(labels.of(tr, labels.ROOMS, r), f"r:rm:{r}") for r in report.ROOMS]
        buttons.append((tr("Other"), "r:rm:other"))
        rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
        await answer(turn, tr("Where in the unit is it? Pick the room, or type where it is, "
                                "for example: kitchen sink."), keyboard(rows + [_cancel_row(who)]))
    elif step == "same":
        await _offer_same(turn, context, who, draft)
    elif step == "description":
        await answer(turn, tr("Please describe the problem (up to {limit} characters), or "
                                "send a voice note.", limit=report.MAX_DESCRIPTION),
                     keyboard([_cancel_row(who)]))
    elif step == "photos":
        await answer(turn, tr("You may send up to {limit} photos of the problem. Tap 'Done' "
                                "when finished, or 'Skip' to go on without photos.",
                                limit=report.MAX_PHOTOS),
                     keyboard([[(tr("Done"), "r:pd"), (tr("Skip"), "r:pd")], _cancel_row(who)]),
                     photo_ask(tr))
    elif step == "visit_day":
        buttons = [(tr.short_date(day), f"r:d:{day.isoformat()}")
                   for day in report.visit_days(_now_local(context))]
        rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
        await answer(turn, tr("Which day suits you for a visit?"),
                     keyboard(rows + [_cancel_row(who)]))
    elif step == "visit_slot":
        day = date.fromisoformat(draft.data["visit_day"])
        rows = [[(labels.of(tr, labels.SLOTS, s.key), f"r:s:{s.key}")]
                for s in report.open_slots(day, _now_local(context))]
        await answer(turn, tr("Which time of day?"), keyboard(rows + [_cancel_row(who)]))
    else:
        label = draft.data.get(report.UNIT_LABEL)
        if label is None:
            unit = await views.unit(d.db, draft.data["unit_id"])
            label = unit.label if unit else ""
        await answer(turn, _summary(who, context, draft.data, label),
                     keyboard([
            [(tr("Confirm and send"), confirm_button("r:ok", draft.data))],
            [(tr("Edit"), "r:edit"), (tr("Cancel"), CANCEL)],
        ]))


async def _offer_same(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The place's reports still being handled, before a new one is written."""
    tr, d = who.tr, context.desk
    shown = await views.tickets_by_id(d.db, draft.data["matches"])
    lines = [tr("Already reported at {place}:", place=draft.data["location"])]
    rows = []
    for t in shown:
        lines.append(tr("• {ref}: {description}, reported {when}, {status}", ref=t.ref,
                        description=fit(labels.erased(tr, t.description), 80
                                        ).rstrip(".。!！ "),  # ", reported"
                        when=tr.datetime(t.created_at),
                        status=labels.status(tr, t)))
        rows.append([(tr("Same problem: {ref}", ref=t.ref), f"r:sm:{t.id}")])
    lines.append(tr("Is yours the same problem? Then we add you to that report, and you hear "
                    "everything about it, without reporting it again."))
    rows.append([(tr("No, a different problem"), "r:sm:0")])
    await answer(turn, "\n".join(lines), keyboard(rows + [_cancel_row(who)]))


def _now_local(context: Context):
    d = context.desk
    return d.now().astimezone(d.settings.tz)


def _summary(who: Asker, context: Context, data: dict, unit: str) -> str:
    tr, settings = who.tr, context.desk.settings
    emergency = report.no_visit(data)  # attended as soon as possible
    return "\n".join([
        tr("Please check the report with the resident:") if data.get("on_behalf") else
        tr("Please check your report:"), *behalf_lines(tr, data), tr("Unit: {unit}", unit=unit),
        tr("Category: {category}", category=labels.category(tr, settings, data["category"])),
        tr("Priority: {priority}", priority=labels.of(tr, labels.PRIORITIES,
                                                      data.get("priority", NORMAL))),
        tr("Where: {location}", location=labels.location(tr, data["location"])),
        tr("Problem: {description}", description=spoken_description(
            tr, data["description"], data.get("voice"))),
        tr("Photos: {count}", count=len(data.get("photos", []))),
        tr("Preferred visit: {visit}", visit=labels.of(tr, labels.SLOTS, ASAP) if emergency
           else visit(tr, data["visit_day"], data["visit_slot"])),
    ])


async def _save_and_prompt(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    d = context.desk
    await views.save_draft(d.db, draft, d.now())
    await prompt(turn, context, who, draft)


@handles("repairs.report")
async def begin(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    units = await views.units(d.db, who.user_id)
    if not units:
        raise Refusal(Refusal.FORBIDDEN)
    await limits.may_start(d.db, d.settings, who.user_id, d.now())
    new = report.start(who.user_id, [u.id for u in units], units[0].label)
    await views.start_draft(d.db, new, d.now())
    await prompt(turn, context, who, new)


@handles("repairs.report_step")
async def unit_chosen(turn: Turn, context: Context, who: Asker) -> None:
    draft = await draft_at(context, who, report.FLOW, "unit")
    unit_id = await own_unit(context, who, callback_args(turn))
    await _next(turn, context, who, report.advance(draft, unit_id=unit_id))


@handles("repairs.report_step")
async def category_chosen(turn: Turn, context: Context, who: Asker) -> None:
    draft = await draft_at(context, who, report.FLOW, "category")
    args = callback_args(turn)
    if not args or context.desk.settings.category(args[0]) is None:
        raise Refusal(Refusal.INVALID)
    await _next(turn, context, who, report.advance(draft, category=args[0]))


@handles("repairs.report_step")
async def urgency_chosen(turn: Turn, context: Context, who: Asker) -> None:
    draft = await draft_at(context, who, report.FLOW, "urgency")
    args = callback_args(turn)
    if not args or args[0] not in (EMERGENCY, NORMAL):
        raise Refusal(Refusal.INVALID)
    await _next(turn, context, who, report.advance(draft, priority=args[0]))


@handles("repairs.report_step")
async def photos_done(turn: Turn, context: Context, who: Asker) -> None:
    new = report.advance(await draft_at(context, who, report.FLOW, "photos"))
    await _next(turn, context, who, new)


@handles("repairs.report_step")
async def visit_day_chosen(turn: Turn, context: Context, who: Asker) -> None:
    draft = await draft_at(context, who, report.FLOW, "visit_day")
    try:
        day = date.fromisoformat(callback_args(turn)[0])
    except (IndexError, ValueError):
        raise Refusal(Refusal.INVALID) from None
    if day not in report.visit_days(_now_local(context)):
        raise Refusal(Refusal.STALE)
    await _next(turn, context, who, report.advance(draft, visit_day=day.isoformat()))


@handles("repairs.report_step")
async def visit_slot_chosen(turn: Turn, context: Context, who: Asker) -> None:
    draft = await draft_at(context, who, report.FLOW, "visit_slot")
    args = callback_args(turn)
    day = date.fromisoformat(draft.data["visit_day"])
    if not args or args[0] not in {s.key for s in report.open_slots(day, _now_local(context))}:
        raise Refusal(Refusal.STALE)
    await _next(turn, context, who, report.advance(draft, visit_slot=args[0]))


@handles("repairs.report_step")
async def place_chosen(turn: Turn, context: Context, who: Asker) -> None:
    """A public place of the unit's building, by its number in the settings' list."""
    d = context.desk
    draft = await draft_at(context, who, report.FLOW, "location")
    unit = await views.unit(d.db, draft.data["unit_id"])
    places = d.settings.places(unit.building if unit else "")
    n = int_arg(callback_args(turn), 0)
    if not 0 <= n < len(places) or not report.public(draft.data):
        raise Refusal(Refusal.INVALID)
    await clear_buttons(turn)
    await _place_chosen(turn, context, who, places[n].key,
                        labels.place(who.tr, d.settings, places[n].key))


@handles("repairs.report_step")
async def room_chosen(turn: Turn, context: Context, who: Asker) -> None:
    draft = await draft_at(context, who, report.FLOW, "location")
    if report.public(draft.data):
        raise Refusal(Refusal.INVALID)
    args = callback_args(turn)
    await clear_buttons(turn)
    if args[:1] == ["other"]:  # typed, as before the chips
        await answer(turn, who.tr("Where in the unit is it? For example: kitchen sink, "
                                    "master bedroom ceiling."), keyboard([_cancel_row(who)]))
        return
    new = report.advance(draft, location=report.room_location(args[0] if args else ""))
    await _next(turn, context, who, new)


@handles("repairs.report_step")
async def same_problem_chosen(turn: Turn, context: Context, who: Asker) -> None:
    """Another report of the same problem to follow (its id), or 0: a report of one's own."""
    chosen = int_arg(callback_args(turn), 0)
    if chosen:
        await _follow(turn, context, who, chosen)
        return
    await _next(turn, context, who, report.advance(await draft_at(context, who, report.FLOW,
                                                                    "same")))


@handles("repairs.report_step")
async def what_to_change(turn: Turn, context: Context, who: Asker) -> None:
    draft = await draft_at(context, who, report.FLOW, "summary")
    rows = [[(who.tr("Category"), "r:e:category"), (who.tr("Emergency?"), "r:e:urgency")],
            [(who.tr("Place"), "r:e:location"), (who.tr("Description"), "r:e:description")],
            [(who.tr("Photos"), "r:e:photos")]]
    if not report.no_visit(draft.data):
        rows[-1].append((who.tr("Visit time"), "r:e:visit_day"))
    rows.append([(who.tr("Back"), "r:back")])
    await answer(turn, who.tr("What would you like to change?"), keyboard(rows))


@handles("repairs.report_step")
async def back_to_summary(turn: Turn, context: Context, who: Asker) -> None:
    """Nothing to change after all: the summary again."""
    await _next(turn, context, who, await draft_at(context, who, report.FLOW, "summary"))


@handles("repairs.report_step")
async def change(turn: Turn, context: Context, who: Asker) -> None:
    draft = await draft_at(context, who, report.FLOW, "summary")
    args = callback_args(turn)
    await _next(turn, context, who, report.edit(draft, args[0] if args else ""))


@handles("repairs.report_step")
async def unknown_step(turn: Turn, context: Context, who: Asker) -> None:
    """Another r: button (forged, or from an old version)."""
    raise Refusal(Refusal.INVALID)


async def _next(turn: Turn, context: Context, who: Asker, new: Draft) -> None:
    await clear_buttons(turn)
    await _save_and_prompt(turn, context, who, new)


async def _place_chosen(turn: Turn, context: Context, who: Asker, place: str,
                        label: str) -> None:
    d = context.desk
    new, _ = await same_problem.choose_place(d.db, who.user_id, place, label, d.now())
    await prompt(turn, context, who, new)


async def _follow(turn: Turn, context: Context, who: Asker, ticket_id: int) -> None:
    d = context.desk
    ticket, follower = await same_problem.follow(d.db, d.settings, who.user_id, ticket_id,
                                                 d.now())
    await clear_buttons(turn)
    kick(context)
    if follower != who.user_id:  # the desk, taking a call
        await answer(turn, who.tr("The caller's problem is already reported as {ref}: the "
                                    "resident now follows it and hears each step. Please give "
                                    "the caller this reference.", ref=ticket.ref),
                     main_menu(who))
        return
    if ticket.resident_id == who.user_id:
        await answer(turn, who.tr("You reported this yourself as {ref}; we will tell you "
                                    "each step. See /mytickets.", ref=ticket.ref), main_menu(who))
        return
    await answer(turn, who.tr("Thank you. This problem is already reported as {ref}, and "
                                "you now follow it: we will tell you each step, and ask you "
                                "afterwards how we did.", ref=ticket.ref), main_menu(who))


@handles("repairs.report_step")
async def confirm(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    ticket = await report.submit(d.db, d.settings, who.user_id, d.now(),
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
    text = who.tr("Thank you. Your repair is registered as {ref}. We will tell you who will "
                  "come and when.", ref=ticket.ref)
    if ticket.priority == EMERGENCY and not d.settings.in_office_hours(d.now()):
        text += "\n\n" + night_emergency(who.tr, d.settings)
    await answer(turn, text, main_menu(who))


def night_emergency(tr: Tr, settings: EstateSettings) -> str:
    """What happens to an emergency out of office hours, and whom to call meanwhile."""
    number = settings.on_duty or settings.office_phone
    text = tr("The office is closed now, so your emergency went at once to the supervisors "
              "on duty, who arrange for someone to come tonight.")
    if number:
        text += " " + tr("If it gets worse, or you have not heard from us within the hour, "
                         "call {phone}.", phone=phone(number))
    return text


async def on_message(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """A message while a report is in progress (a step of the router)."""
    tr = who.tr
    if draft.step == "description" and turn.voice is not None:
        spoken = await spoken_answer(turn, who, context.desk.settings.voice_note_limit)
        if spoken is not None:
            voice, caption = spoken
            await _save_and_prompt(turn, context, who,
                                   report.advance(draft, description=caption, voice=voice))
        return
    if draft.step == "location" and report.public(draft.data):
        typed = await text_answer(turn, who, report.MAX_LOCATION)
        if typed is not None:
            await _place_chosen(turn, context, who, same_problem.typed_place(typed), typed)
        return
    if draft.step in ("location", "description"):
        limit = report.MAX_LOCATION if draft.step == "location" else report.MAX_DESCRIPTION
        text = await text_answer(turn, who, limit)
        if text is not None:
            await _save_and_prompt(turn, context, who,
                                   report.advance(draft, **{draft.step: text}))
        elif not turn.channel.limits.edits:  # LINE: the step's quick replies went with it
            await prompt(turn, context, who, draft)
        return
    if draft.step == "photos":
        await collect_photo(turn, context, who, draft, report.MAX_PHOTOS, "r:pd")
        return
    await answer(turn, tr("Please use the buttons above, or /cancel to stop."))
    await prompt(turn, context, who, draft)


@handles("conversation.cancel")
async def cancel(turn: Turn, context: Context, who: Asker) -> None:
    dropped = await views.drop_draft(context.desk.db, who.user_id)
    if turn.tapped:
        await clear_buttons(turn)
    text = who.tr("Cancelled. Nothing was sent.") if dropped else who.tr(
        "There is nothing to cancel.")
    await answer(turn, text, main_menu(who))



ROUTES = routes(
    commands={"repair": begin, "cancel": cancel},
    buttons=[
        (r"^m:repair$", begin),
        (r"^r:x$", cancel),
        (r"^r:ok(:|$)", confirm),
        (r"^r:u(:|$)", unit_chosen),
        (r"^r:c(:|$)", category_chosen),
        (r"^r:g(:|$)", urgency_chosen),
        (r"^r:pd(:|$)", photos_done),
        (r"^r:d(:|$)", visit_day_chosen),
        (r"^r:s(:|$)", visit_slot_chosen),
        (r"^r:p(:|$)", place_chosen),
        (r"^r:rm(:|$)", room_chosen),
        (r"^r:sm(:|$)", same_problem_chosen),
        (r"^r:edit(:|$)", what_to_change),
        (r"^r:back(:|$)", back_to_summary),
        (r"^r:e(:|$)", change),
        (r"^r:", unknown_step),  # r:x:… and any other r: (r:x and r:ok are above)
    ],
)
