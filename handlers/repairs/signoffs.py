"""The repair form (簽認維修單) in the chat: each required party signs or queries it; /signoffs
lists the forms waiting; a clerk records a signature made on paper, and answers a signer's
query (/queries lists those still open)."""

from __future__ import annotations

from handlers import cards, labels
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
from handlers.i18n import Tr
from handlers.repairs import form_work
from handlers.routes import routes
from storage.records import Draft, Person
from workflow import views
from workflow.privacy import access as access_log
from workflow.repairs import signoffs as signoff
from workflow.settings import EstateSettings
from workflow.tickets import Party, Refusal
from workflow.views import TicketFile

WAITING = "m:signoffs"


def form_text(tr: Tr, settings: EstateSettings, file: TicketFile, staff: bool = True,
              viewer: Person | None = None) -> str:
    """The form: the ticket as staff see it (with who confirmed the repair and how, who has
    signed, when and how, and who has not yet), and whether its deadline was met. The owner
    reads the resident's card with the figures and the signatures."""
    t = file.ticket
    lines = [tr("Repair form {ref}", ref=t.ref),
             cards.summary(tr, settings, file, staff=staff, work=form_work.lines(tr, file, viewer),
                           viewer=viewer)]
    if not staff:
        if file.figures is not None:
            lines.append(cards.measured_line(tr, file.figures))
        lines += cards.signature_lines(tr, file, viewer)
    if t.completed_at is not None:
        lines.append(tr("Completed {time}, within the deadline.", time=tr.datetime(t.completed_at))
                     if t.completed_at <= t.deadline_at else
                     tr("Completed {time}, {late} after the deadline.",
                        time=tr.datetime(t.completed_at),
                        late=tr.duration(t.completed_at - t.deadline_at)))
    return "\n".join(lines)


def form_buttons(tr: Tr, file: TicketFile, party: str) -> list[list[tuple[str, str]]]:
    t = file.ticket
    if party in {s.party for s in file.signoffs}:
        return []
    return [[(tr("Sign"), f"s:sg:{t.id}:{party}"), (tr("Query"), f"s:qy:{t.id}:{party}")]]


def _party(args: list[str]) -> str:
    party = args[1] if len(args) > 1 else ""
    if party not in signoff.FORM_PARTIES:
        raise Refusal(Refusal.INVALID)
    return party


def _form_args(turn: Turn) -> tuple[int, list[str]]:
    """A form's button's ticket (or query) and its arguments, that id first; a forged id is
    refused before anything is looked up."""
    args = callback_args(turn)
    return int_arg(args, 0), args


@handles("button.per_action")
async def sign(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, args = _form_args(turn)
    await _sign(turn, context, who, ticket_id, _party(args))


@handles("button.per_action")
async def sign_as_supervisor(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, _ = _form_args(turn)
    await _sign(turn, context, who, ticket_id, Party.SUPERVISOR)


async def _sign(turn: Turn, context: Context, who: Asker, ticket_id: int, party: str) -> None:
    d, tr = context.desk, who.tr
    await allowed(context, who, "repairs.sign", (party, ticket_id))
    outcome = await signoff.sign(d.db, ticket_id, party, who.user_id, d.now())
    more = None if party == Party.OWNER else keyboard([[(tr("Waiting for sign-off"),
                                                         WAITING)]])
    await clear_buttons(turn)
    if outcome is None:
        await answer(turn, tr("Already signed off."), more)
        return
    kick(context)
    ticket, complete = outcome
    await answer(turn, tr("Signed off.") + ("\n" + tr("{ref} is now signed off by every "
                                                       "party.", ref=ticket.ref)
                                              if complete else ""), more)


@handles("button.per_action")
async def show_form(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, _ = _form_args(turn)
    d, tr = context.desk, who.tr
    await allowed(context, who, "repairs.signoffs")
    file = await views.ticket_file(d.db, ticket_id, who.user_id)
    mine = [p for p in signoff.parties_of(who.member) if p in file.required]
    rows = [row for p in mine for row in form_buttons(tr, file, p)]
    rows.append([(tr("Repair form (PDF)"), f"fm:{file.ticket.id}")])
    await access_log.ticket_opened(d.db, who.person, file, d.now())
    await answer(turn, form_text(tr, d.settings, file, viewer=who.member), keyboard(rows))


@handles("button.per_action")
async def ask_query(turn: Turn, context: Context, who: Asker) -> None:
    ticket_id, args = _form_args(turn)
    d, tr = context.desk, who.tr
    party = _party(args)
    await allowed(context, who, "repairs.sign", (party, ticket_id))
    ticket = await signoff.start_query(d.db, ticket_id, party, who.user_id, d.now())
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: what is the question? It goes to the desk with the "
                            "form.", ref=ticket.ref), keyboard([[(tr("Cancel"), "r:x")]]))


@handles("button.per_action")
async def paper_whose(turn: Turn, context: Context, who: Asker) -> None:
    """A signature made on paper: whose, of the parties yet to sign."""
    ticket_id, _ = _form_args(turn)
    d, tr = context.desk, who.tr
    await allowed(context, who, "repairs.paper_signature")
    file = await views.ticket_file(d.db, ticket_id, who.user_id)
    signed = {s.party for s in file.signoffs}
    rows = [[(labels.of(tr, labels.PARTIES, p), f"s:pq:{ticket_id}:{p}")]
            for p in file.required if p not in signed and p in signoff.FORM_PARTIES]
    if not rows:
        raise Refusal(Refusal.STALE)
    await answer(turn, tr("{ref}: whose signature on the paper form?",
                            ref=file.ticket.ref), picker(tr, rows))


@handles("button.per_action")
async def paper_party_chosen(turn: Turn, context: Context, who: Asker) -> None:
    """The party of a paper signature: the name as on the form next."""
    ticket_id, args = _form_args(turn)
    d, tr = context.desk, who.tr
    await allowed(context, who, "repairs.paper_signature")
    ticket = await signoff.start_paper(d.db, ticket_id, _party(args), who.user_id, d.now())
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: the name of the person who signed, as on the form?",
                            ref=ticket.ref), keyboard([[(tr("Cancel"), "r:x")]]))


@handles("button.per_action")
async def answer_query(turn: Turn, context: Context, who: Asker) -> None:
    """The desk answers a signer's query (the button carries the query's id)."""
    query_id, _ = _form_args(turn)
    d, tr = context.desk, who.tr
    await allowed(context, who, "repairs.answer_query")
    query, ticket = await signoff.start_answer(d.db, query_id, who.user_id, d.now())
    await clear_buttons(turn)
    await answer(turn, tr("{ref}: {party} asked: {question}\nYour answer? It goes back "
                            "to them. To correct the figures, use 'Correct measurement' "
                            "on the card: every signer then gets the corrected form.",
                            ref=ticket.ref, question=query.question,
                            party=labels.of(tr, labels.PARTIES, query.party)),
                 keyboard([[(tr("Cancel"), "r:x")]]))


@handles("repairs.answer_query")
async def open_queries(turn: Turn, context: Context, who: Asker) -> None:
    """/queries: the signers' queries on repair forms still waiting for the desk's answer."""
    tr = who.tr
    found = await signoff.open_queries(context.desk.db, who.user_id)
    if not found:
        await answer(turn, tr("No query on a repair form is waiting for an answer."))
        return
    lines = [tr("Queries on repair forms waiting for an answer, oldest first:")]
    lines += [tr("· {ref} {party} {time}: {question}", ref=t.ref, time=tr.datetime(q.asked_at),
                 party=labels.of(tr, labels.PARTIES, q.party), question=q.question)
              for q, t in found]
    rows = [[(tr("Answer {ref}", ref=t.ref), f"s:qa:{q.id}")] for q, t in found]
    await answer(turn, "\n".join(lines), keyboard(rows))


async def on_query_answer(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The desk's answer to a signer's query (a step of the router)."""
    d = context.desk
    text = await text_answer(turn, who, signoff.MAX_REASON)
    if text is None:
        return
    answered = await signoff.answer(d.db, who.user_id, text, d.now())
    if answered is None:
        raise Refusal(Refusal.STALE)
    kick(context)
    await answer(turn, who.tr("{ref}: your answer went to the one who asked.",
                                ref=answered[0].ref), main_menu(who))


@handles("repairs.signoffs")
async def waiting(turn: Turn, context: Context, who: Asker) -> None:
    """/signoffs: the repair forms waiting for a signature, oldest first."""
    tr = who.tr
    found = await signoff.awaiting(context.desk.db, who.user_id)
    if not found:
        await answer(turn, tr("No repair is waiting for your sign-off."))
        return
    rows = [[(f"{t.ref} · {labels.status(tr, t)} · {t.unit.label}", f"s:f:{t.id}")]
            for t in found]
    await answer(turn, tr("Repair forms waiting for signatures, oldest first:"),
                 keyboard(rows))


async def on_query_reason(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The question on a form (a step of the router)."""
    d = context.desk
    reason = await text_answer(turn, who, signoff.MAX_REASON)
    if reason is None:
        return
    ticket = await signoff.query(d.db, who.user_id, reason, d.now())
    if ticket is None:
        raise Refusal(Refusal.STALE)
    kick(context)
    await answer(turn, who.tr("{ref}: your question went to the desk. The form waits for "
                                "your signature.", ref=ticket.ref), main_menu(who))


async def on_paper_name(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The name on a paper signature (a step of the router)."""
    d = context.desk
    name = await text_answer(turn, who, signoff.MAX_NAME)
    if name is None:
        return
    signed = await signoff.sign_on_paper(d.db, who.user_id, name, d.now())
    if signed is None:
        raise Refusal(Refusal.STALE)
    kick(context)
    ticket, complete = signed
    text = who.tr("{ref}: the paper signature of {name} is recorded.", ref=ticket.ref,
                  name=name)
    if complete:
        text += "\n" + who.tr("{ref} is now signed off by every party.", ref=ticket.ref)
    await answer(turn, text, main_menu(who))



ROUTES = routes(
    commands={"signoffs": waiting, "queries": open_queries},
    buttons=[
        (r"^m:signoffs$", waiting),
        (r"^s:sg:", sign),
        (r"^s:sup:", sign_as_supervisor),
        (r"^s:f:", show_form),
        (r"^s:qy:", ask_query),
        (r"^s:pp:", paper_whose),
        (r"^s:pq:", paper_party_chosen),
        (r"^s:qa:", answer_query),
    ],
)
