"""The callback survey in the chat (rating, reason chips, a comment), the supervisors'
low-rating alert with its one-tap follow-up, and /callback for staff who phoned."""

from __future__ import annotations

from typing import Any

from handlers import cards, labels
from handlers.channels.turns import Channel, Turn
from handlers.common import (
    Asker,
    Context,
    Desk,
    allowed,
    answer,
    callback_args,
    clear_buttons,
    handles,
    int_arg,
    keyboard,
    kick,
    text_answer,
)
from handlers.i18n import Tr
from handlers.routes import routes
from storage.records import Draft
from workflow import views
from workflow.surveys import surveys
from workflow.tickets import Kind, Refusal
from workflow.views import TicketFile


def _stars(prefix: str) -> list[list[tuple[str, str]]]:
    return [[(f"{n}★", f"{prefix}:{n}") for n in surveys.RATINGS]]


async def send(channel: Channel, d: Desk, tr: Tr, chat: Any, kind: str, file: TicketFile,
               rater: int | None, call: int | None = None) -> None:
    """The survey's notices (called by the outbox sender); a low rating's names whose survey
    it is (alerts written before followers had surveys name nobody: the reporter's)."""
    t = file.ticket
    if kind == "survey":
        await channel.send(chat, tr(
            "{ref} ({category}) is closed. How did we do? Please rate our service from 1 "
            "(poor) to 5 (excellent).", ref=t.ref,
            category=labels.kind_category(tr, d.settings, t)), keyboard(_stars(f"sv:r:{t.id}")))
    elif kind == "survey_reminder":
        await channel.send(chat, tr("A reminder: we would value your rating for {ref}, from "
                                    "1 (poor) to 5 (excellent).", ref=t.ref),
                           keyboard(_stars(f"sv:r:{t.id}")))
    else:
        who = await surveys.rater(d.db, t.id, rater, call)
        assert who is not None  # a low rating is an answer to it
        survey = who.survey
        low = survey.rating is not None and survey.rating <= d.settings.low_rating
        head = tr("Low rating for {ref}: {rating}/5.", ref=t.ref, rating=survey.rating) if low \
            else tr("Needs attention: {ref} was rated {rating}/5, with a reason that alerts.",
                    ref=t.ref, rating=survey.rating)  # a 3★ that says 'not fixed' is not low
        text = head + "\n" + tr("Reasons: {reasons}\nComment: {comment}",
                                reasons=_reasons(tr, d, survey),
                                comment=survey.comment or "-") + "\n" + _rated_by(tr, who,
                                                                                 t.kind)
        if who.by_phone is not None:
            text += "\n" + tr("Taken by phone by {name}.", name=who.by_phone.name)
        follow = f"sv:f:{t.id}:{survey.resident_id}" + (f":{call}" if call else "")
        await channel.send(chat, text, keyboard([
            [(tr("Open a follow-up"), follow)], [(tr("Timeline"), f"t:v:{t.id}")]]))


def _reasons(tr: Tr, d: Desk, survey) -> str:
    return tr.join(labels.chip(tr, d.settings, c) for c in survey.reasons) or "-"


def _rated_by(tr: Tr, who: surveys.Rater, kind: str = Kind.REPAIR) -> str:
    """Whose rating: the reporter (who complained, of a complaint), or a follower of a
    public-area job, with their unit and number (the desk may phone them)."""
    name = who.person.name if who.person else "?"
    phone = cards.phone(who.person.phone) if who.person and who.person.phone else ""
    if who.follower:
        return tr("Rated by {name} of {unit}, who follows this report {phone}", name=name,
                  unit=who.unit.label, phone=phone).strip()
    if kind == Kind.COMPLAINT:
        return tr("Rated by {name} of {unit}, who made the complaint {phone}", name=name,
                  unit=who.unit.label, phone=phone).strip()
    return tr("Rated by {name} of {unit}, who reported it {phone}", name=name,
              unit=who.unit.label, phone=phone).strip()


def _quote(tr: Tr, d: Desk, who: surveys.Rater) -> str:
    """The follow-up complaint's text: the desk's, quoting the resident's own words."""
    survey = who.survey
    text = tr("Follow-up of {ref}, filed by the desk after a rating of {rating}/5 by {name} "
              "of {unit}.\nReasons they chose: {reasons}", ref=who.ticket.ref,
              rating=survey.rating, name=who.person.name if who.person else "?",
              unit=who.unit.label, reasons=_reasons(tr, d, survey))
    if survey.comment:
        text += "\n" + tr("In their words: “{comment}”", comment=survey.comment)
    return text


def _chips(tr: Tr, d: Desk, survey, chosen) -> list:
    ticket_id = survey.ticket_id
    rows = [[(("✓ " if c in chosen else "") + labels.chip(tr, d.settings, c),
              f"sv:c:{ticket_id}:{c}")]
            for c in surveys.chips(d.settings, survey.rating, survey.kind)]
    return rows + [[(tr("Next"), f"sv:n:{ticket_id}")]]


def _survey_args(turn: Turn) -> tuple[int, list[str]]:
    """A survey button's ticket and its arguments (that id first); a forged id is refused
    before anything is looked up."""
    args = callback_args(turn)
    return int_arg(args, 0), args


async def _answering(turn: Turn, context: Context, who: Asker) -> tuple[int, list[str]]:
    """The ticket of a survey button of the one who rates it."""
    ticket_id, args = _survey_args(turn)
    await allowed(context, who, "surveys.answer", ticket_id)
    return ticket_id, args


@handles("button.per_action")
async def rated(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, args = await _answering(turn, context, who)
    d, tr = context.desk, who.tr
    survey = await surveys.rate(d.db, d.settings, ticket_id, who.user_id, int_arg(args, 1),
                                d.now())
    await clear_buttons(turn)
    if survey is None:
        await answer(turn, tr("You have already rated this one. Thank you!"))
        return
    praise = (survey.rating or 0) >= 4
    ask = tr("Thank you! What did you like? Tap all that apply, then 'Next'.") \
        if praise else tr("Thank you for telling us. What should we improve? "
                          "Tap all that apply, then 'Next'.")
    await answer(turn, ask, keyboard(_chips(tr, d, survey, ())))


@handles("button.per_action")
async def chip_toggled(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, args = await _answering(turn, context, who)
    d, tr = context.desk, who.tr
    survey = await surveys.toggle_chip(d.db, d.settings, ticket_id, who.user_id,
                                       args[1] if len(args) > 1 else "", d.now())
    await context.channel.set_choices(turn, keyboard(_chips(tr, d, survey, survey.reasons)))


@handles("button.per_action")
async def chips_done(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, _ = await _answering(turn, context, who)
    d, tr = context.desk, who.tr
    await surveys.ask_comment(d.db, ticket_id, who.user_id, d.now())
    await clear_buttons(turn)
    await answer(turn, tr("Anything else you would like to tell us? Type it, or tap "
                            "'Skip'."), keyboard([[(tr("Skip"), f"sv:s:{ticket_id}")]]))


@handles("button.per_action")
async def comment_skipped(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, _ = await _answering(turn, context, who)
    await clear_buttons(turn)
    await _finish(turn, context, who, None, ticket_id)


@handles("button.per_action")
async def follow_up(turn: Turn, context: Context, who: Asker) -> None:
    """A low rating's alert: the supervisor follows it up."""
    ticket_id, args = _survey_args(turn)
    await allowed(context, who, "surveys.follow_up", None)
    # an alert sent before followers had surveys of their own names no rater
    await _follow_up(turn, context, who, ticket_id,
                     int_arg(args, 1) if len(args) > 1 else None,
                     int_arg(args, 2) if len(args) > 2 else None)


@handles("button.per_action")
async def unknown_survey_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another sv: button (forged, or from an old version): refused after the same check of
    the ticket as before."""
    await _answering(turn, context, who)
    raise Refusal(Refusal.INVALID)


async def _finish(turn: Turn, context: Context, who: Asker, comment: str | None,
                  ticket_id: int | None = None) -> None:
    d = context.desk
    await surveys.finish(d.db, d.settings, who.user_id, comment, d.now(), ticket_id)
    kick(context)
    await answer(turn, who.tr("Thank you for your feedback."))


async def on_comment(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The survey's comment (a step of the router)."""
    text = await text_answer(turn, who, surveys.MAX_COMMENT)
    if text is not None:
        await _finish(turn, context, who, text)
    elif not turn.channel.limits.edits and draft.data.get("ticket_id"):
        # LINE: 'Skip' went with that answer (a thumbs-up sticker is a common reply there)
        await answer(turn, who.tr("Anything else you would like to tell us? Type it, or tap "
                                  "'Skip'."),
                     keyboard([[(who.tr("Skip"), f"sv:s:{draft.data['ticket_id']}")]]))


async def _follow_up(turn: Turn, context: Context, who: Asker, ticket_id: int,
                     rater: int | None, call: int | None) -> None:
    d = context.desk
    found = await surveys.rater(d.db, ticket_id, rater, call)
    followup = await surveys.open_follow_up(d.db, d.settings, ticket_id, rater, who.user_id,
                                            d.now(), _quote(who.tr, d, found) if found else None,
                                            call)
    await clear_buttons(turn)
    if followup is None:
        await answer(turn, who.tr("A follow-up was already opened for this rating."))
        return
    kick(context)
    await answer(turn, who.tr("Follow-up complaint {ref} opened; the desk has it.",
                                ref=followup.ref))


@handles("surveys.call")
async def callback_command(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    if not context.args:
        await answer(turn, tr("Please give the reference, for example: /callback "
                                "R-2026-00001"))
        return
    ticket, callees = await surveys.start_call(d.db, context.args[0][:20], who.user_id,
                                               d.now())
    if len(callees) == 1:
        await _ask_reached(turn, tr, ticket.ref, ticket.id, callees[0])
        return
    await answer(turn, tr("{ref} has {count} residents to call back (a public-area job). "
                            "Whom did you phone?", ref=ticket.ref, count=len(callees)),
                 keyboard([[(_callee_label(tr, c), f"cb:p:{ticket.id}:{c.user_id}")]
                           for c in callees]))


def _callee_label(tr: Tr, callee: surveys.Callee) -> str:
    person = callee.person
    label = " · ".join(x for x in (person.name if person else "?", callee.unit.label,
                                   cards.phone(person.phone) if person and person.phone
                                   else "") if x)
    if callee.answered_online and callee.survey is not None:
        label += " · " + tr("answered in the chat: {rating}/5", rating=callee.survey.rating)
    return label


async def _ask_reached(turn: Turn, tr: Tr, ref: str, ticket_id: int,
                       callee: surveys.Callee) -> None:
    """Whom the call is for, their number, and whether they already answered online."""
    person = callee.person
    name = person.name if person else "?"
    phone = cards.phone(person.phone) if person and person.phone else tr("no number on file")
    if callee.answered_online and callee.survey is not None:
        online = tr("They already answered in the chat: {rating}/5.",
                    rating=callee.survey.rating)
    else:
        online = tr("They have not answered in the chat.")
    await answer(turn, tr("{ref}: the call to {name} of {unit}, {phone}. {online}\n"
                            "Did you reach them?", ref=ref, name=name, unit=callee.unit.label,
                            phone=phone, online=online),
                 keyboard([[(tr("Reached"), f"cb:y:{ticket_id}"),
                            (tr("Not reached"), f"cb:n:{ticket_id}")]]))


async def _call_draft(context: Context, who: Asker, ticket_id: int) -> Draft:
    draft = await views.draft(context.desk.db, who.user_id, context.desk.now())
    if draft is None or draft.flow != surveys.CALL_FLOW or draft.data["ticket_id"] != ticket_id:
        raise Refusal(Refusal.STALE)
    return draft


def _offered(d: Desk, draft: Draft) -> tuple[str, ...]:
    """The chips for the rating taken (a call begun before calls knew the kind: a repair's)."""
    return surveys.chips(d.settings, draft.data["rating"], draft.data.get("kind", Kind.REPAIR))


def _call_chips(tr: Tr, d: Desk, draft: Draft) -> list:
    ticket_id, chosen = draft.data["ticket_id"], draft.data.get("reasons", [])
    rows = [[(("✓ " if c in chosen else "") + labels.chip(tr, d.settings, c),
              f"cb:c:{ticket_id}:{c}")]
            for c in _offered(d, draft)]
    return rows + [[(tr("Next"), f"cb:x:{ticket_id}")]]


async def _call_args(turn: Turn, context: Context, who: Asker) -> tuple[int, list[str], Draft]:
    """A callback button's ticket, its arguments (that id first) and the desk's call draft
    of that ticket."""
    args = callback_args(turn)
    ticket_id = int_arg(args, 0)
    return ticket_id, args, await _call_draft(context, who, ticket_id)


@handles("surveys.call")
async def call_chip_toggled(turn: Turn, context: Context, who: Asker) -> None:
    """A reason chip, as the resident would tap it in the chat."""
    _, args, draft = await _call_args(turn, context, who)
    d, tr = context.desk, who.tr
    chip = args[1] if len(args) > 1 else ""
    if "rating" not in draft.data or chip not in _offered(d, draft):
        raise Refusal(Refusal.INVALID)
    chosen = [c for c in draft.data.get("reasons", []) if c != chip]
    if chip not in draft.data.get("reasons", []):
        chosen.append(chip)
    draft = Draft(who.user_id, draft.flow, "call", {**draft.data, "reasons": chosen})
    await views.save_draft(d.db, draft, d.now())
    await context.channel.set_choices(turn, keyboard(_call_chips(tr, d, draft)))


@handles("surveys.call")
async def callee_chosen(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, args, _ = await _call_args(turn, context, who)
    d = context.desk
    await clear_buttons(turn)
    ticket, callee = await surveys.pick_callee(d.db, who.user_id, ticket_id, int_arg(args, 1),
                                               d.now())
    await _ask_reached(turn, who.tr, ticket.ref, ticket_id, callee)


@handles("surveys.call")
async def reached(turn: Turn, context: Context, who: Asker) -> None:
    await _reached(turn, context, who, True)


@handles("surveys.call")
async def not_reached(turn: Turn, context: Context, who: Asker) -> None:
    await _reached(turn, context, who, False)


async def _reached(turn: Turn, context: Context, who: Asker, answered: bool) -> None:
    ticket_id, _, draft = await _call_args(turn, context, who)
    d, tr = context.desk, who.tr
    if "reached" in draft.data:  # answered: a late tap undoes nothing
        raise Refusal(Refusal.STALE)
    await clear_buttons(turn)
    if "resident_id" not in draft.data:
        raise Refusal(Refusal.STALE)
    data = {**draft.data, "reached": answered}
    await views.save_draft(d.db, Draft(who.user_id, draft.flow, "call", data), d.now())
    if answered:
        await answer(turn, tr("Their rating, from 1 (poor) to 5 (excellent)?"),
                     keyboard(_stars(f"cb:r:{ticket_id}")))
        return
    await _ask_call_note(turn, who, ticket_id)


@handles("surveys.call")
async def call_rated(turn: Turn, context: Context, who: Asker) -> None:
    _, args, draft = await _call_args(turn, context, who)
    d, tr = context.desk, who.tr
    await clear_buttons(turn)
    rating = int_arg(args, 1)
    if rating not in surveys.RATINGS or "reached" not in draft.data:
        raise Refusal(Refusal.INVALID)
    draft = Draft(who.user_id, draft.flow, "call", {**draft.data, "rating": rating,
                                                     "reasons": []})
    await views.save_draft(d.db, draft, d.now())
    ask = tr("What did they like? Tap all that apply, then 'Next'; or type a note.") \
        if rating >= 4 else tr("What should we improve, by their account? Tap all that "
                               "apply, then 'Next'; or type a note.")
    await answer(turn, ask, keyboard(_call_chips(tr, d, draft)))


@handles("surveys.call")
async def call_chips_done(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, _, _ = await _call_args(turn, context, who)
    await clear_buttons(turn)
    await _ask_call_note(turn, who, ticket_id)


@handles("surveys.call")
async def call_note_skipped(turn: Turn, context: Context, who: Asker) -> None:
    await _call_args(turn, context, who)
    await clear_buttons(turn)
    await _record(turn, context, who, "")


@handles("surveys.call")
async def unknown_call_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another cb: button (forged, or from an old version): refused after the same checks of
    the call as before, its buttons cleared as before."""
    await _call_args(turn, context, who)
    await clear_buttons(turn)
    raise Refusal(Refusal.INVALID)


async def _ask_call_note(turn: Turn, who: Asker, ticket_id: int) -> None:
    tr = who.tr
    await answer(turn, tr("A note about the call? Type it, or tap 'Skip'."),
                 keyboard([[(tr("Skip"), f"cb:s:{ticket_id}")]]))


async def _record(turn: Turn, context: Context, who: Asker, note: str) -> None:
    d = context.desk
    recorded = await surveys.record_call(d.db, d.settings, who.user_id, note, d.now())
    if recorded is None:
        raise Refusal(Refusal.STALE)
    ticket, alerted = recorded
    text = who.tr("{ref}: the callback is recorded.", ref=ticket.ref)
    if alerted:
        kick(context)
        text += " " + who.tr("The supervisors are alerted to the low rating, as if it had "
                             "been given in the chat.")
    await answer(turn, text)


async def on_call_note(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The note of a phone callback (a step of the router)."""
    note = await text_answer(turn, who, surveys.MAX_COMMENT)
    if note is not None:
        await _record(turn, context, who, note)



ROUTES = routes(
    commands={"callback": callback_command},
    buttons=[
        (r"^sv:r(:|$)", rated),
        (r"^sv:c(:|$)", chip_toggled),
        (r"^sv:n(:|$)", chips_done),
        (r"^sv:s(:|$)", comment_skipped),
        (r"^sv:f(:|$)", follow_up),
        (r"^sv:", unknown_survey_button),  # the last of sv:
        (r"^cb:c(:|$)", call_chip_toggled),
        (r"^cb:p(:|$)", callee_chosen),
        (r"^cb:y(:|$)", reached),
        (r"^cb:n(:|$)", not_reached),
        (r"^cb:r(:|$)", call_rated),
        (r"^cb:x(:|$)", call_chips_done),
        (r"^cb:s(:|$)", call_note_skipped),
        (r"^cb:", unknown_call_button),  # the last of cb:
    ],
)
