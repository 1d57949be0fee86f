"""Renovation permits in the chat: the resident's application (/renovate), the engineering
review, the fees recorded by the desk, the permit, and the acceptance inspection."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers import labels
from handlers.common import (
    PRIVATE,
    Asker,
    Context,
    allowed,
    answer,
    button_data,
    clear_buttons,
    collect_photo,
    confirm_button,
    confirmed_draft,
    draft_at,
    handles,
    int_arg,
    keyboard,
    kick,
    main_menu,
    own_unit,
    text_answer,
)
from handlers.i18n import Tr
from storage.records import Draft
from storage.registers.renovations import Renovation
from workflow import views
from workflow.registers import renovations
from workflow.tickets import Refusal

PAY_FLOW, REVIEW_FLOW = renovations.PAY_FLOW, renovations.REVIEW_FLOW


def card(tr: Tr, found: Renovation, unit: str, hours: str) -> str:
    lines = [tr("Renovation {ref} · {state}", ref=found.ref,
                state=labels.of(tr, labels.RENOVATION_STATES, found.state)),
             tr("Unit: {unit}", unit=unit),
             tr("Scope: {scopes}", scopes=tr.join(labels.of(tr, labels.SCOPES, s)
                                                  for s in found.scopes)),
             tr("Details: {details}", details=found.details),
             tr("Touches: {works}", works=tr.join(labels.of(tr, labels.WORKS, w)
                                                  for w in found.works) or tr("none of these")),
             tr("Dates: {start} to {end}, working hours {hours}", start=found.start_date,
                end=found.end_date, hours=hours),
             tr("Contractor: {contractor}", contractor=found.contractor)]
    if found.works:
        lines.append(tr("Engineering review: {review}", review=labels.of(
            tr, labels.REVIEWS, found.review or "pending")))
    lines.append(tr("Fees paid: {fee} + deposit {deposit} (receipt {receipt})",
                    fee=tr.number(found.fee), deposit=tr.number(found.deposit or 0),
                    receipt=found.receipt) if found.fee is not None else tr("Fees: not paid"))
    return "\n".join(lines)


async def prompt(update: Update, context: Context, who: Asker, draft: Draft) -> None:
    tr, d, data = who.tr, context.desk, draft.data
    cancel = [(tr("Cancel"), "r:x")]
    if draft.step == "unit":
        units = await views.units(d.db, who.user_id)
        await answer(update, tr("Which unit is the renovation in?"),
                     keyboard([[(u.label, f"rv:u:{u.id}")] for u in units] + [cancel]))
    elif draft.step in ("scopes", "works"):
        chosen, options, prefix = (data["scopes"], renovations.SCOPES, "s") \
            if draft.step == "scopes" else (data["works"], renovations.WORKS, "w")
        table = labels.SCOPES if draft.step == "scopes" else labels.WORKS
        buttons = [(("✓ " if k in chosen else "") + labels.of(tr, table, k), f"rv:{prefix}:{k}")
                   for k in options]
        ask = tr("What will be done? Tap all that apply, then 'Done'.") \
            if draft.step == "scopes" else \
            tr("Does the work touch any of these? They need the repair department's review. "
               "Tap all that apply, then 'Done' (also if none).")
        await answer(update, ask, keyboard([buttons[i:i + 2] for i in range(0, len(buttons), 2)]
                                           + [[(tr("Done"), f"rv:{prefix}d")], cancel]))
    elif draft.step == "details":
        await answer(update, tr("Describe the work, and anything not in the list."),
                     keyboard([cancel]))
    elif draft.step == "dates":
        await answer(update, tr("From which day to which day? For example: 2026-12-01 "
                                "2026-12-20"), keyboard([cancel]))
    elif draft.step == "contractor":
        await answer(update, tr("Who does the work? The contractor's name and phone."),
                     keyboard([cancel]))
    elif draft.step == "photos":
        await answer(update, tr("You may send drawings or photos (up to {n}). Tap 'Done' when "
                                "finished.", n=renovations.MAX_PHOTOS),
                     keyboard([[(tr("Done"), "rv:pd")], cancel]))
    else:
        await answer(update, tr("Please check your application:") + "\n" + "\n".join([
            tr("Scope: {scopes}", scopes=tr.join(labels.of(tr, labels.SCOPES, s)
                                                 for s in data["scopes"])),
            tr("Details: {details}", details=data["details"]),
            tr("Touches: {works}", works=tr.join(labels.of(tr, labels.WORKS, w)
                                                 for w in data["works"]) or tr("none of these")),
            tr("Dates: {start} to {end}, working hours {hours}", start=data["start"],
               end=data["end"], hours=d.settings.renovation_hours),
            tr("Contractor: {contractor}", contractor=data["contractor"])]),
            keyboard([[(tr("Confirm and send"), confirm_button("rv:ok", draft.data))], cancel]))


async def _next(update: Update, context: Context, who: Asker, draft: Draft, step: str,
                **answers) -> None:
    d = context.desk
    moved = await views.advance_draft(d.db, who.user_id, renovations.FLOW, draft.step, step,
                                      d.now(), **answers)
    await prompt(update, context, who, moved)


@handles("renovations.apply")
async def begin(update: Update, context: Context, who: Asker) -> None:
    d = context.desk
    units = await views.units(d.db, who.user_id)
    if not units:
        raise Refusal(Refusal.FORBIDDEN)
    new = renovations.start(who.user_id, [u.id for u in units])
    await views.start_draft(d.db, new, d.now())
    await prompt(update, context, who, new)


@handles("renovations.apply")
async def on_resident_button(update: Update, context: Context, who: Asker) -> None:
    action, *args = button_data(update).split(":")[1:]
    d, tr = context.desk, who.tr
    if action == "in":
        found = await renovations.request_inspection(d.db, int_arg(args, 0), who.user_id,
                                                     d.now())
        await clear_buttons(update)
        kick(context)
        await answer(update, tr("{ref}: the acceptance inspection is asked for; a technician "
                                "will come.", ref=found.ref))
        return
    if action == "ok":
        filed = await renovations.submit(d.db, who.user_id, d.now(), d.settings.tz,
                                         confirmed_draft(update))
        await clear_buttons(update)
        if filed is None:
            await answer(update, tr("This application was already sent or cancelled."))
            return
        kick(context)
        await answer(update, tr("Thank you. Your application is registered as {ref}. The desk "
                                "tells you what is still needed.", ref=filed.ref),
                     main_menu(who))
        return
    step = {"u": "unit", "s": "scopes", "sd": "scopes", "w": "works", "wd": "works",
            "pd": "photos"}.get(action)
    if step is None:
        raise Refusal(Refusal.INVALID)
    draft = await draft_at(context, who, renovations.FLOW, step)
    await clear_buttons(update)
    if action == "u":
        await _next(update, context, who, draft, "scopes",
                    unit_id=await own_unit(context, who, args))
    elif action in ("s", "w"):
        field, options = ("scopes", renovations.SCOPES) if action == "s" else \
            ("works", renovations.WORKS)
        chosen = renovations.toggle(draft.data[field], args[0] if args else "", options)
        await _next(update, context, who, draft, step, **{field: chosen})
    elif action == "sd":
        if not draft.data["scopes"]:
            await answer(update, tr("Please choose at least one."))
            await prompt(update, context, who, draft)
            return
        await _next(update, context, who, draft, "details")
    elif action == "wd":
        await _next(update, context, who, draft, "dates")
    else:
        await _next(update, context, who, draft, "summary")


async def on_message(update: Update, context: Context, who: Asker, draft: Draft) -> None:
    """A message while an application is in progress (a step of the router)."""
    d, tr = context.desk, who.tr
    if draft.step == "photos":
        await collect_photo(update, context, who, draft, renovations.MAX_PHOTOS, "rv:pd")
        return
    if draft.step not in ("details", "dates", "contractor"):
        await answer(update, tr("Please use the buttons above, or /cancel to stop."))
        await prompt(update, context, who, draft)
        return
    text = await text_answer(update, who, renovations.MAX_TEXT)
    if text is None:
        return
    if draft.step == "details":
        await _next(update, context, who, draft, "works", details=text)
    elif draft.step == "dates":
        found = renovations.parse_dates(text, d.now().astimezone(d.settings.tz).date())
        if found is None:
            await answer(update, tr("Please give two days from today on, the first not after "
                                    "the second, at most half a year apart, for example: "
                                    "2026-12-01 2026-12-20"))
            return
        await _next(update, context, who, draft, "contractor", start=found[0], end=found[1])
    else:
        await _next(update, context, who, draft, "photos", contractor=text)


@handles("button.per_action")
async def on_staff_button(update: Update, context: Context, who: Asker) -> None:
    action, *args = button_data(update).split(":")[1:]
    d, tr = context.desk, who.tr
    await allowed(context, who, "renovations.inspect" if action in ("ipd", "ip", "in") else
                  "renovations.review" if action in ("ra", "rr", "rc") else "renovations.desk")
    if action == "ipd":
        draft = await draft_at(context, who, renovations.INSPECT_FLOW, "photos")
        if not draft.data["photos"]:
            await answer(update, tr("At least one photo of the finished work is needed."))
            return
        await views.advance_draft(d.db, who.user_id, renovations.INSPECT_FLOW, "photos",
                                  "verdict", d.now())
        await clear_buttons(update)
        await answer(update, tr("Does the work pass?"), keyboard(
            [[(tr("Pass"), "rn:ip:pass"), (tr("Fail"), "rn:ip:fail")]]))
        return
    if action == "ip":
        await draft_at(context, who, renovations.INSPECT_FLOW, "verdict")
        await views.advance_draft(d.db, who.user_id, renovations.INSPECT_FLOW, "verdict",
                                  "note", d.now(), passed=bool(args) and args[0] == "pass")
        await clear_buttons(update)
        await answer(update, tr("A note for the record (what must still be fixed, if it "
                                "fails)."))
        return
    renovation_id = int_arg(args, 0)
    if action == "in":
        found = await renovations.start_inspection(d.db, renovation_id, who.user_id, d.now())
        await answer(update, tr("{ref}: send photos of the finished work, then tap 'Done'.",
                                ref=found.ref), keyboard([[(tr("Done"), "rn:ipd")]]))
        return
    if action == "ok":
        found = await renovations.approve(d.db, renovation_id, who.user_id, d.now(),
                                          int_arg(args, 1) if len(args) > 1 else None)
        await clear_buttons(update)
        kick(context)
        await answer(update, tr("{ref}: the permit went to the resident.", ref=found.ref))
    elif action == "pay":
        await views.start_draft(d.db, Draft(who.user_id, PAY_FLOW, "amounts",
                                            {"renovation_id": renovation_id}), d.now())
        await answer(update, tr("The fee, the deposit and the receipt's number, for example: "
                                "2000 10000 R0042"), keyboard([[(tr("Cancel"), "r:x")]]))
    elif action in ("ra", "rr", "rc"):
        verdict = {"ra": "approved", "rr": "refused", "rc": "changes"}[action]
        await views.start_draft(d.db, Draft(who.user_id, REVIEW_FLOW, "note", {
            "renovation_id": renovation_id, "verdict": verdict}), d.now())
        await answer(update, tr("Your reason or conditions, for the record."),
                     keyboard([[(tr("Cancel"), "r:x")]]))
    else:
        raise Refusal(Refusal.INVALID)


async def on_staff_text(update: Update, context: Context, who: Asker, draft: Draft) -> None:
    """The fees, a review's reason, or an inspection's note (steps of the router)."""
    d, tr = context.desk, who.tr
    if draft.flow == renovations.INSPECT_FLOW and draft.step == "photos":
        await collect_photo(update, context, who, draft, renovations.MAX_PHOTOS, "rn:ipd")
        return
    text = await text_answer(update, who, renovations.MAX_TEXT)
    if text is None:
        return
    if draft.flow == PAY_FLOW:
        paid = renovations.parse_payment(text, tr.locale)
        if paid is None:
            await answer(update, tr("Please send the fee, the deposit and the receipt's number, "
                                    "for example: 2000 10000 R0042"))
            return
        if paid[0] < d.settings.renovation_fee or paid[1] < d.settings.renovation_deposit:
            await answer(update, tr("The price list asks for a fee of {fee} and a deposit of "
                                    "{deposit}; please send the amounts paid.",
                                    fee=tr.number(d.settings.renovation_fee),
                                    deposit=tr.number(d.settings.renovation_deposit)))
            return
        found = await renovations.pay(d.db, d.settings, who.user_id, *paid, d.now())
        await answer(update, tr("{ref}: the fees are recorded.", ref=found.ref),
                     keyboard([[(tr("Approve the permit"), f"rn:ok:{found.id}:{found.version}")]]))
    elif draft.flow == REVIEW_FLOW:
        found = await renovations.review(d.db, who.user_id, text, d.now())
        await answer(update, tr("{ref}: your review is recorded.", ref=found.ref))
    else:
        done = await renovations.inspected(d.db, who.user_id, text, d.now())
        if done is None:
            raise Refusal(Refusal.STALE)
        kick(context)
        await answer(update, tr("{ref}: the inspection is recorded.", ref=done.ref),
                     main_menu(who))
    kick(context)


def register(app) -> None:
    app.add_handler(CommandHandler("renovate", begin, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(on_resident_button, pattern=r"^rv:"))
    app.add_handler(CallbackQueryHandler(on_staff_button, pattern=r"^rn:"))
