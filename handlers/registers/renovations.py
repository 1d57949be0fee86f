"""Renovation permits in the chat: the resident's application (/renovate), the engineering
review, the fees recorded by the desk, the permit, and the acceptance inspection."""

from __future__ import annotations

from collections.abc import Sequence

from handlers import labels
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    allowed,
    answer,
    callback_args,
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
    photo_ask,
    text_answer,
)
from handlers.fees.desk import receipt_used
from handlers.i18n import Tr
from handlers.numbers import unreadable
from handlers.routes import routes
from storage.records import Draft
from storage.registers.renovations import Renovation
from workflow import numbers, views
from workflow.fees import collection
from workflow.registers import renovations
from workflow.tickets import Refusal

PAY_FLOW, REVIEW_FLOW = renovations.PAY_FLOW, renovations.REVIEW_FLOW


def card(tr: Tr, found: Renovation, unit: str, hours: str,
         amended: Sequence[str] = ()) -> str:
    lines = [tr("Renovation {ref} · {state}", ref=found.ref,
                state=labels.of(tr, labels.RENOVATION_STATES, found.state)),
             tr("Unit: {unit}", unit=unit),
             tr("Scope: {scopes}", scopes=tr.join(labels.of(tr, labels.SCOPES, s)
                                                  for s in found.scopes)),
             tr("Details: {details}", details=found.details),
             *(tr("Amended: {details}", details=text) for text in amended),
             tr("Touches: {works}", works=tr.join(labels.of(tr, labels.WORKS, w)
                                                  for w in found.works) or tr("none of these")),
             tr("Dates: {start} to {end}, working hours {hours}",
                start=tr.stored_day(found.start_date), end=tr.stored_day(found.end_date),
                hours=hours),
             tr("Contractor: {contractor}", contractor=found.contractor)]
    if found.works:
        lines.append(tr("Engineering review: {review}", review=labels.of(
            tr, labels.REVIEWS, found.review or "pending")))
    lines.append(tr("Fees paid: {fee} + deposit {deposit} (receipt {receipt})",
                    fee=tr.money(found.fee), deposit=tr.money(found.deposit or 0),
                    receipt=found.receipt) if found.fee is not None else tr("Fees: not paid"))
    return "\n".join(lines)


async def prompt(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    tr, d, data = who.tr, context.desk, draft.data
    cancel = [(tr("Cancel"), "r:x")]
    if draft.step == "unit":
        units = await views.units(d.db, who.user_id)
        await answer(turn, tr("Which unit is the renovation in?"),
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
        await answer(turn, ask, keyboard([buttons[i:i + 2] for i in range(0, len(buttons), 2)]
                                           + [[(tr("Done"), f"rv:{prefix}d")], cancel]))
    elif draft.step == "details":
        await answer(turn, tr("Describe the work, and anything not in the list."),
                     keyboard([cancel]))
    elif draft.step == "dates":
        await answer(turn, tr("From which day to which day? For example: 2026-12-01 "
                                "2026-12-20"), keyboard([cancel]))
    elif draft.step == "contractor":
        await answer(turn, tr("Who does the work? The contractor's name and phone."),
                     keyboard([cancel]))
    elif draft.step == "photos":
        await answer(turn, tr("You may send drawings or photos (up to {n}). Tap 'Done' when "
                                "finished.", n=renovations.MAX_PHOTOS),
                     keyboard([[(tr("Done"), "rv:pd")], cancel]), photo_ask(tr))
    else:
        await answer(turn, tr("Please check your application:") + "\n" + "\n".join([
            tr("Scope: {scopes}", scopes=tr.join(labels.of(tr, labels.SCOPES, s)
                                                 for s in data["scopes"])),
            tr("Details: {details}", details=data["details"]),
            tr("Touches: {works}", works=tr.join(labels.of(tr, labels.WORKS, w)
                                                 for w in data["works"]) or tr("none of these")),
            tr("Dates: {start} to {end}, working hours {hours}",
               start=tr.stored_day(data["start"]), end=tr.stored_day(data["end"]),
               hours=d.settings.renovation_hours),
            tr("Contractor: {contractor}", contractor=data["contractor"])]),
            keyboard([[(tr("Confirm and send"), confirm_button("rv:ok", draft.data))], cancel]))


async def _next(turn: Turn, context: Context, who: Asker, draft: Draft, step: str,
                **answers) -> None:
    d = context.desk
    moved = await views.advance_draft(d.db, who.user_id, renovations.FLOW, draft.step, step,
                                      d.now(), **answers)
    await prompt(turn, context, who, moved)


@handles("renovations.apply")
async def begin(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    units = await views.units(d.db, who.user_id)
    if not units:
        raise Refusal(Refusal.FORBIDDEN)
    new = renovations.start(who.user_id, [u.id for u in units])
    await views.start_draft(d.db, new, d.now())
    await prompt(turn, context, who, new)


@handles("renovations.apply")
async def ask_inspection(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    try:
        found = await renovations.request_inspection(d.db, int_arg(callback_args(turn), 0),
                                                     who.user_id, d.now(), d.settings.tz)
    except renovations.TooEarly as early:
        await answer(turn, tr("The permit's works start on {date}: the acceptance "
                                "inspection can be asked for from that day on, when the "
                                "work is done.", date=tr.stored_day(early.start)))
        return
    await clear_buttons(turn)
    kick(context)
    await answer(turn, tr("{ref}: the acceptance inspection is asked for; a technician "
                            "will come.", ref=found.ref))


@handles("renovations.apply")
async def amend(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    found = await renovations.may_amend(d.db, int_arg(callback_args(turn), 0), who.user_id)
    await views.start_draft(d.db, renovations.start_amendment(found.id, who.user_id),
                            d.now())
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: write what changes in your application (for example "
                            "the new pipe route), as the review asked.", ref=found.ref),
                 keyboard([[(tr("Cancel"), "r:x")]]))


@handles("renovations.apply")
async def amendment_done(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await draft_at(context, who, renovations.AMEND_FLOW, "photos")
    found = await renovations.amend(d.db, who.user_id, d.now())
    await clear_buttons(turn)
    kick(context)
    await answer(turn, tr("{ref}: your amended application is sent to the repair "
                            "department for review.", ref=found.ref), main_menu(who))


@handles("renovations.apply")
async def confirmed(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    filed = await renovations.submit(d.db, who.user_id, d.now(), d.settings.tz,
                                     confirmed_draft(turn))
    await clear_buttons(turn)
    if filed is None:
        await answer(turn, tr("This application was already sent or cancelled."))
        return
    kick(context)
    await answer(turn, tr("Thank you. Your application is registered as {ref}. The desk "
                            "tells you what is still needed.", ref=filed.ref),
                 main_menu(who))


async def _at(context: Context, who: Asker, turn: Turn, step: str) -> Draft:
    """The application's draft at this step, the buttons of the tapped message gone."""
    draft = await draft_at(context, who, renovations.FLOW, step)
    await clear_buttons(turn)
    return draft


@handles("renovations.apply")
async def unit_chosen(turn: Turn, context: Context, who: Asker) -> None:
    draft = await _at(context, who, turn, "unit")
    await _next(turn, context, who, draft, "scopes",
                unit_id=await own_unit(context, who, callback_args(turn)))


@handles("renovations.apply")
async def scope_toggled(turn: Turn, context: Context, who: Asker) -> None:
    draft = await _at(context, who, turn, "scopes")
    args = callback_args(turn)
    chosen = renovations.toggle(draft.data["scopes"], args[0] if args else "",
                                renovations.SCOPES)
    await _next(turn, context, who, draft, "scopes", scopes=chosen)


@handles("renovations.apply")
async def scopes_done(turn: Turn, context: Context, who: Asker) -> None:
    draft = await _at(context, who, turn, "scopes")
    if not draft.data["scopes"]:
        await answer(turn, who.tr("Please choose at least one."))
        await prompt(turn, context, who, draft)
        return
    await _next(turn, context, who, draft, "details")


@handles("renovations.apply")
async def work_toggled(turn: Turn, context: Context, who: Asker) -> None:
    draft = await _at(context, who, turn, "works")
    args = callback_args(turn)
    chosen = renovations.toggle(draft.data["works"], args[0] if args else "",
                                renovations.WORKS)
    await _next(turn, context, who, draft, "works", works=chosen)


@handles("renovations.apply")
async def works_done(turn: Turn, context: Context, who: Asker) -> None:
    draft = await _at(context, who, turn, "works")
    await _next(turn, context, who, draft, "dates")


@handles("renovations.apply")
async def photos_done(turn: Turn, context: Context, who: Asker) -> None:
    draft = await _at(context, who, turn, "photos")
    await _next(turn, context, who, draft, "summary")


@handles("renovations.apply")
async def unknown_application_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another rv: button (forged, or from an old version)."""
    raise Refusal(Refusal.INVALID)


async def on_message(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """A message while an application is in progress (a step of the router)."""
    d, tr = context.desk, who.tr
    if draft.step == "photos":
        await collect_photo(turn, context, who, draft, renovations.MAX_PHOTOS, "rv:pd")
        return
    if draft.step not in ("details", "dates", "contractor"):
        await answer(turn, tr("Please use the buttons above, or /cancel to stop."))
        await prompt(turn, context, who, draft)
        return
    text = await text_answer(turn, who, renovations.MAX_TEXT)
    if text is None:
        return
    if draft.step == "details":
        await _next(turn, context, who, draft, "works", details=text)
    elif draft.step == "dates":
        found = renovations.parse_dates(text, d.now().astimezone(d.settings.tz).date())
        if found is None:
            await answer(turn, tr("Please give two days from today on, the first not after "
                                    "the second, at most half a year apart, for example: "
                                    "2026-12-01 2026-12-20"))
            return
        await _next(turn, context, who, draft, "contractor", start=found[0], end=found[1])
    else:
        await _next(turn, context, who, draft, "photos", contractor=text)


async def on_amendment(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The amendment's words, then its drawings: photos or files (a PDF plan), up to
    MAX_PHOTOS in all (steps of the router)."""
    d, tr = context.desk, who.tr
    done = keyboard([[(tr("Done"), "rv:ad")], [(tr("Cancel"), "r:x")]])
    if draft.step == "details":
        text = await text_answer(turn, who, renovations.MAX_TEXT)
        if text is None:
            return
        await views.save_draft(d.db, Draft(who.user_id, renovations.AMEND_FLOW, "photos",
                                           {**draft.data, "details": text}), d.now())
        await answer(turn, tr("Now send the drawings: photos, or files such as a PDF plan "
                                "(up to {n}). Tap 'Done' when finished.",
                                n=renovations.MAX_PHOTOS), done)
        return
    photos, documents = list(draft.data["photos"]), list(draft.data["documents"])
    if turn.photos:
        photos.append(turn.photos[0])
    elif turn.document:
        documents.append(turn.document)
    else:
        await answer(turn, tr("Please send a photo or a file of the drawing, or tap 'Done'."),
                     done)
        return
    if len(photos) + len(documents) > renovations.MAX_PHOTOS:
        await answer(turn, tr("That is the most drawings an amendment can take ({limit}). "
                                "Tap 'Done' to send it.", limit=renovations.MAX_PHOTOS), done)
        return
    await views.save_draft(d.db, Draft(who.user_id, renovations.AMEND_FLOW, "photos",
                                       {**draft.data, "photos": photos,
                                        "documents": documents}), d.now())
    await answer(turn, tr("Drawing {count} of {limit} received. Send another, or tap "
                            "'Done'.", count=len(photos) + len(documents),
                            limit=renovations.MAX_PHOTOS), done)


@handles("button.per_action")
async def inspection_photos_done(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await allowed(context, who, "renovations.inspect")
    draft = await draft_at(context, who, renovations.INSPECT_FLOW, "photos")
    if not draft.data["photos"]:
        await answer(turn, tr("At least one photo of the finished work is needed."))
        return
    await views.advance_draft(d.db, who.user_id, renovations.INSPECT_FLOW, "photos",
                              "verdict", d.now())
    await clear_buttons(turn)
    await answer(turn, tr("Does the work pass?"), keyboard(
        [[(tr("Pass"), "rn:ip:pass"), (tr("Fail"), "rn:ip:fail")]]))


@handles("button.per_action")
async def inspection_verdict(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await allowed(context, who, "renovations.inspect")
    await draft_at(context, who, renovations.INSPECT_FLOW, "verdict")
    args = callback_args(turn)
    await views.advance_draft(d.db, who.user_id, renovations.INSPECT_FLOW, "verdict",
                              "note", d.now(), passed=bool(args) and args[0] == "pass")
    await clear_buttons(turn)
    await answer(turn, tr("A note for the record (what must still be fixed, if it "
                            "fails)."))


@handles("button.per_action")
async def start_inspection(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await allowed(context, who, "renovations.inspect")
    found = await renovations.start_inspection(d.db, int_arg(callback_args(turn), 0),
                                               who.user_id, d.now())
    await answer(turn, tr("{ref}: send photos of the finished work, then tap 'Done'.",
                            ref=found.ref), keyboard([[(tr("Done"), "rn:ipd")]]),
                 photo_ask(tr))


@handles("button.per_action")
async def issue_permit(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await allowed(context, who, "renovations.desk")
    args = callback_args(turn)
    found = await renovations.approve(d.db, int_arg(args, 0), who.user_id, d.now(),
                                      int_arg(args, 1) if len(args) > 1 else None)
    await clear_buttons(turn)
    kick(context)
    await answer(turn, tr("{ref}: the permit went to the resident.", ref=found.ref))


@handles("button.per_action")
async def take_payment(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await allowed(context, who, "renovations.cashier")
    await renovations.start_at_cashier(d.db, int_arg(callback_args(turn), 0), who.user_id,
                                       PAY_FLOW, d.now())
    await answer(turn, tr("The fee, the deposit, the receipt's number and, if not paid "
                            "in cash, transfer or card; for example: 2000 10000 R0042, or "
                            "2000 10000 T-88 transfer"), keyboard([[(tr("Cancel"), "r:x")]]))


@handles("button.per_action")
async def refund(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await allowed(context, who, "renovations.cashier")
    await renovations.start_at_cashier(d.db, int_arg(callback_args(turn), 0), who.user_id,
                                       renovations.REFUND_FLOW, d.now())
    await answer(turn, tr("Anything deducted from the deposit? Send 0, or the amount and "
                            "why, for example: 1500 lift lobby tile cracked"),
                 keyboard([[(tr("Cancel"), "r:x")]]))


@handles("button.per_action")
async def review_approved(turn: Turn, context: Context, who: Asker) -> None:
    await _review(turn, context, who, "approved")


@handles("button.per_action")
async def review_refused(turn: Turn, context: Context, who: Asker) -> None:
    await _review(turn, context, who, "refused")


@handles("button.per_action")
async def review_changes(turn: Turn, context: Context, who: Asker) -> None:
    await _review(turn, context, who, "changes")


async def _review(turn: Turn, context: Context, who: Asker, verdict: str) -> None:
    """The repair department's review: its reason or conditions next."""
    d, tr = context.desk, who.tr
    await allowed(context, who, "renovations.review")
    renovation_id = int_arg(callback_args(turn), 0)
    await views.start_draft(d.db, Draft(who.user_id, REVIEW_FLOW, "note", {
        "renovation_id": renovation_id, "verdict": verdict}), d.now())
    await answer(turn, tr("Your reason or conditions, for the record."),
                 keyboard([[(tr("Cancel"), "r:x")]]))


@handles("button.per_action")
async def unknown_renovation_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another rn: button (forged, or from an old version): refused after the desk's check
    and its id as before."""
    await allowed(context, who, "renovations.desk")
    int_arg(callback_args(turn), 0)
    raise Refusal(Refusal.INVALID)


async def on_staff_text(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The fees, a review's reason, or an inspection's note (steps of the router)."""
    d, tr = context.desk, who.tr
    if draft.flow == renovations.INSPECT_FLOW and draft.step == "photos":
        await collect_photo(turn, context, who, draft, renovations.MAX_PHOTOS, "rn:ipd")
        return
    text = await text_answer(turn, who, renovations.MAX_TEXT)
    if text is None:
        return
    if draft.flow == PAY_FLOW:
        paid = renovations.parse_payment(text, tr.locale)
        if paid is None:
            await answer(turn, tr("Please send the fee, the deposit and the receipt's number, "
                                    "for example: 2000 10000 R0042"))
            return
        if paid[0] < d.settings.renovation_fee or paid[1] < d.settings.renovation_deposit:
            await answer(turn, tr("The price list asks for a fee of {fee} and a deposit of "
                                    "{deposit}; please send the amounts paid.",
                                    fee=tr.money(d.settings.renovation_fee),
                                    deposit=tr.money(d.settings.renovation_deposit)))
            return
        fee, deposit, receipt = paid
        number, _, last = receipt.rpartition(" ")
        method = collection.method_of(last) if number.strip() else None
        try:
            found = await renovations.pay(d.db, d.settings, who.user_id, fee, deposit,
                                          number.strip() if method else receipt, d.now(),
                                          method or renovations.METHOD)
        except collection.ReceiptUsed as used:
            await answer(turn, receipt_used(tr, used))
            return
        await answer(turn, tr("{ref}: the fees are recorded in the fee ledger ({total} "
                                "received); the desk can grant the permit.", ref=found.ref,
                                total=tr.money(paid[0] + paid[1])))
    elif draft.flow == renovations.REFUND_FLOW:
        usage = tr("Please send 0, or the amount deducted and why, for example: 1500 lift "
                   "lobby tile cracked")
        try:
            taken = renovations.parse_deduction(text, tr.locale)
        except numbers.Unreadable as refused:
            await answer(turn, unreadable(tr, refused) + "\n" + usage)
            return
        if taken is None:
            await answer(turn, usage)
            return
        try:
            found = await renovations.refund(d.db, d.settings, who.user_id, *taken, d.now())
        except renovations.TooMuch:
            await answer(turn, tr("The deduction cannot be more than the deposit held. "
                                    "Please send it again."))
            return
        await answer(turn, tr("{ref}: the deposit's refund of {amount} is recorded in the fee "
                                "ledger; the resident is told.", ref=found.ref,
                                amount=tr.money((found.deposit or 0) - taken[0])))
    elif draft.flow == REVIEW_FLOW:
        found = await renovations.review(d.db, who.user_id, text, d.now())
        await answer(turn, tr("{ref}: your review is recorded.", ref=found.ref))
    else:
        done = await renovations.inspected(d.db, who.user_id, text, d.now())
        if done is None:
            raise Refusal(Refusal.STALE)
        kick(context)
        await answer(turn, tr("{ref}: the inspection is recorded.", ref=done.ref),
                     main_menu(who))
    kick(context)



ROUTES = routes(
    commands={"renovate": begin},
    buttons=[
        (r"^rv:in(:|$)", ask_inspection),
        (r"^rv:am(:|$)", amend),
        (r"^rv:ad(:|$)", amendment_done),
        (r"^rv:ok(:|$)", confirmed),
        (r"^rv:u(:|$)", unit_chosen),
        (r"^rv:s(:|$)", scope_toggled),
        (r"^rv:sd(:|$)", scopes_done),
        (r"^rv:w(:|$)", work_toggled),
        (r"^rv:wd(:|$)", works_done),
        (r"^rv:pd(:|$)", photos_done),
        (r"^rv:", unknown_application_button),  # the last of rv:
        (r"^rn:ipd(:|$)", inspection_photos_done),
        (r"^rn:ip(:|$)", inspection_verdict),
        (r"^rn:in(:|$)", start_inspection),
        (r"^rn:ok(:|$)", issue_permit),
        (r"^rn:pay(:|$)", take_payment),
        (r"^rn:rf(:|$)", refund),
        (r"^rn:ra(:|$)", review_approved),
        (r"^rn:rr(:|$)", review_refused),
        (r"^rn:rc(:|$)", review_changes),
        (r"^rn:", unknown_renovation_button),  # the last of rn:
    ],
)
