"""A resident's requests about their personal data in the chat (個人資料保護法 Arts. 3, 11,
13): the /mydata reply's buttons "correct" (the text asked for), "stop" and "delete" (each
explained, then confirmed); /requests shows the desk what waits, with days left, to grant,
refuse with a reason, extend once with a reason, or note what a correction changed. The
notices: the desk told of a new request, managers and supervisors of one near or past its
due date, the resident of an extension and of the decision."""

from __future__ import annotations

from datetime import datetime

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
from handlers.i18n import N_, Tr
from handlers.renderers import Notice, renders
from handlers.routes import routes
from storage.privacy.requests import CORRECT, DELETE, GRANTED, OPEN, STOP, Request
from storage.records import Draft
from workflow import roles
from workflow.privacy import requests as flow

WHAT = {CORRECT: N_("correcting personal data"),
        STOP: N_("stopping the use of personal data"),
        DELETE: N_("deleting personal data")}
ASKS = {"r": flow.REFUSE_FLOW, "x": flow.EXTEND_FLOW, "n": flow.NOTE_FLOW}


def what(tr: Tr, found: Request) -> str:
    return tr(WHAT[found.kind])


def days_left(tr: Tr, found: Request, now: datetime) -> str:
    left = flow.days_left(found, now)
    if left < 0:
        return tr("overdue by {days}", days=tr.plural("{n} day", "{n} days", -left))
    return tr("{days} left", days=tr.plural("{n} day", "{n} days", left))


def request_line(tr: Tr, found: Request, name: str, now: datetime) -> str:
    line = tr("{reference}, {what}, asked by {name} on {filed}: due {due} ({left}).",
              reference=found.reference, what=what(tr, found), name=name or "—",
              filed=tr.datetime(found.filed_at), due=tr.datetime(found.due_at),
              left=days_left(tr, found, now))
    if found.details:
        line += "\n" + tr("What they wrote: {text}", text=found.details)
    if found.extension_reason:
        line += "\n" + tr("Extended once: {reason}", reason=found.extension_reason)
    return line


def request_buttons(tr: Tr, found: Request) -> list[list[tuple[str, str]]]:
    first = [(tr("Corrected: note what changed"), f"pv:n:{found.id}")] \
        if found.kind == CORRECT else [(tr("Grant"), f"pv:g:{found.id}")]
    rows = [first + [(tr("Refuse"), f"pv:r:{found.id}")]]
    if found.extended_at is None:
        rows.append([(tr("Extend by 30 days"), f"pv:x:{found.id}")])
    return rows


def _filed(tr: Tr, found: Request, new: bool) -> str:
    if new:
        return tr("Filed as {reference} ({what}). The desk decides by {due} and tells you "
                  "here.", reference=found.reference, what=what(tr, found),
                  due=tr.datetime(found.due_at))
    return tr("You asked for this already: {reference} ({what}) waits for the desk's "
              "decision, due by {due}.", reference=found.reference, what=what(tr, found),
              due=tr.datetime(found.due_at))


@handles("privacy.request")
async def ask_correction(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    waiting = await flow.begin_correction(d.db, who.user_id, d.now())
    if waiting is not None:
        await answer(turn, _filed(tr, waiting, False))
        return
    await answer(turn, tr("What is wrong in the data the desk holds about you, and what should "
                          "it be? Write it in one message (up to {limit} characters).",
                          limit=flow.MAX_TEXT))


async def on_correction(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The correction's text (a step of the router)."""
    d = context.desk
    text = await text_answer(turn, who, flow.MAX_TEXT)
    if text is None:
        return
    found, new = await flow.file_correction(d.db, who.user_id, text, d.now())
    kick(context)
    await answer(turn, _filed(who.tr, found, new), main_menu(who))


@handles("privacy.request")
async def explain(turn: Turn, context: Context, who: Asker) -> None:
    """Stop or delete: what it means, then a confirmation."""
    tr = who.tr
    kind = (turn.token or "").split(":")[1]
    if kind == STOP:
        text = tr("If the desk stops using your data, you get no more surveys, announcements "
                  "or news of activities. Your repairs, complaints, fees and this request "
                  "still reach you. The desk decides within 30 days. Ask for it?")
    else:
        text = tr("If the desk deletes your data, it removes your name, phone number, chat "
                  "account, photos, voice notes and what you wrote. Tickets, payments and "
                  "settlement rows are kept without you: only their unit, category, dates, "
                  "amounts and reference stay, as the books and warranties need. You can "
                  "no longer use the desk in the chat until you join again. The desk decides "
                  "within 30 days. Ask for it?")
    await answer(turn, text, picker(tr, [[(tr("Yes, ask the desk"), f"pv:{kind}:yes")]]))


@handles("privacy.request")
async def confirm(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    kind = (turn.token or "").split(":")[1]
    found, new = await flow.file(d.db, who.user_id, kind, d.now())
    await clear_buttons(turn)
    kick(context)
    await answer(turn, _filed(who.tr, found, new))


@handles("privacy.requests")
async def waiting(turn: Turn, context: Context, who: Asker) -> None:
    """/requests: what waits for the desk's decision, the nearest due first."""
    d, tr = context.desk, who.tr
    found = await flow.waiting(d.db, who.user_id)
    if not found:
        await answer(turn, tr("No request about personal data waits for a decision."))
        return
    now = d.now()
    for request, name in found:
        await answer(turn, request_line(tr, request, name, now),
                     keyboard(request_buttons(tr, request)))


def _request(turn: Turn) -> int:
    """The request a button names; a forged id is refused before anything is looked up."""
    return int_arg(callback_args(turn), 0)


@handles("button.per_action")
async def grant(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    request_id = _request(turn)
    await allowed(context, who, "privacy.decide", request_id)
    done = await flow.grant(d.db, request_id, who.user_id, d.now())
    await clear_buttons(turn)
    kick(context)
    if done is None:
        await answer(turn, tr("This request was already decided."))
    elif done.kind == DELETE:
        await answer(turn, tr("Granted; the resident is told, then their data is erased."))
    else:
        await answer(turn, tr("Granted; the resident is told."))


@handles("button.per_action")
async def ask_text(turn: Turn, context: Context, who: Asker) -> None:
    """Refuse, extend, or note a correction: the text is asked for first."""
    d, tr = context.desk, who.tr
    request_id = _request(turn)
    await allowed(context, who, "privacy.decide", request_id)
    asked = ASKS[(turn.token or "").split(":")[1]]
    await clear_buttons(turn)
    found = await flow.ask_reason(d.db, asked, request_id, who.user_id, d.now())
    if found is None:
        await answer(turn, tr("This request was already decided.") if asked != flow.EXTEND_FLOW
                     else tr("This request was already decided or extended once."))
        return
    await answer(turn, {
        flow.REFUSE_FLOW: tr("Why is it refused? Write the reason: the resident is told it."),
        flow.EXTEND_FLOW: tr("Why does the desk need 30 more days? Write the reason: the "
                             "resident is told it."),
        flow.NOTE_FLOW: tr("What was changed? Write it: the resident is told it."),
    }[asked])


async def on_staff_text(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The reason of a refusal or an extension, the note of a correction (a step)."""
    d, tr = context.desk, who.tr
    text = await text_answer(turn, who, flow.MAX_REASON)
    if text is None:
        return
    done = await flow.with_reason(d.db, who.user_id, draft.flow, text, d.now())
    kick(context)
    if done is None:
        reply = tr("This request was already decided.") if draft.flow != flow.EXTEND_FLOW \
            else tr("This request was already decided or extended once.")
    elif draft.flow == flow.EXTEND_FLOW:
        reply = tr("Extended to {due}; the resident is told why.",
                   due=tr.datetime(done.due_at))
    elif draft.flow == flow.REFUSE_FLOW:
        reply = tr("Refused; the resident is told why.")
    else:
        reply = tr("Granted; the resident is told what was changed.")
    await answer(turn, reply, main_menu(who))


@renders("privacy_filed", "privacy_due_soon", "privacy_overdue", plain=True)
async def _to_the_desk(n: Notice) -> None:
    tr, kind = n.tr, n.message.kind
    found, name = await flow.request_file(n.d.db, n.payload["request"])
    head = {"privacy_filed": tr("A request about personal data"),
            "privacy_due_soon": tr("A request about personal data is due soon"),
            "privacy_overdue": tr("A request about personal data is overdue")}[kind]
    line = request_line(tr, found, name, n.d.now())
    if found.state != OPEN:  # decided since it was written
        await n.send(tr.headed(head, line))
        return
    await n.send(tr.headed(head, line), keyboard(request_buttons(tr, found))
                 if roles.can_dispatch(n.recipient.role) else None)


@renders("privacy_extended", "privacy_decided", plain=True)
async def _to_the_resident(n: Notice) -> None:
    tr, kind = n.tr, n.message.kind
    found, _ = await flow.request_file(n.d.db, n.payload["request"])
    ref, about = found.reference, what(tr, found)
    if kind == "privacy_extended":
        await n.send(tr("Your request {reference} ({what}): the desk needs more time and "
                        "decides by {due}. The reason: {reason}", reference=ref, what=about,
                        due=tr.datetime(found.due_at), reason=found.extension_reason or ""))
    elif found.state != GRANTED:
        await n.send(tr("Your request {reference} ({what}) is refused. The desk's reason: "
                        "{reason}", reference=ref, what=about, reason=found.decision_note or ""))
    elif found.kind == CORRECT:
        await n.send(tr("Your request {reference} ({what}) is granted. What was changed: "
                        "{note}", reference=ref, what=about, note=found.decision_note or ""))
    elif found.kind == STOP:
        await n.send(tr("Your request {reference} ({what}) is granted: you get no more "
                        "surveys, announcements or news of activities.", reference=ref,
                        what=about))
    else:
        await n.send(tr("Your request {reference} ({what}) is granted: the desk now erases "
                        "your name, phone number, chat account, photos, voice notes and what "
                        "you wrote; tickets, payments and settlement rows keep only their "
                        "unit, category, dates, amounts and reference. This is the desk's "
                        "last message to you.", reference=ref, what=about))


ROUTES = routes(
    commands={"requests": waiting},
    buttons=[
        (r"^pv:correct$", ask_correction),
        (r"^pv:stop$", explain),
        (r"^pv:delete$", explain),
        (r"^pv:stop:yes$", confirm),
        (r"^pv:delete:yes$", confirm),
        (r"^pv:g(:|$)", grant),
        (r"^pv:[rxn](:|$)", ask_text),
    ],
)
