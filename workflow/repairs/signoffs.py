"""The repair form's sign-off (簽認維修單). When a repair closes (its reporter confirmed, or it
was confirmed for them by phone or automatically), the parties the settings name for it get
the form in the chat, each to sign or to query; a day later the missing ones are reminded.
The form is signed off when every required party has signed; a clerk records a signature
made on paper.

The confirmation is not the owner's signature. The owner signs in the chat (the unit's
owners on it, by the roster) or on paper. One exception: an owner who reported the job
themself and confirms it in the chat signs as they confirm (the same person, by their own
act, in the chat); a phone or automatic confirmation never signs for them.

A signer's query goes to the desk and stays open until a clerk answers it; the signer hears
the answer. When the desk corrects the figures of a form already out, every signature on it
(but the worker's) is withdrawn, since it was given on the old figures, and every signer gets
the corrected form to sign again."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import drafts, outbox, people, tickets
from storage.db import Connection, Database
from storage.records import Draft, Person, Ticket
from storage.repairs import signoff_queries
from workflow import access, conversations, roles, told
from workflow import tickets as machine
from workflow.settings import EstateSettings
from workflow.tickets import Kind, Party

QUERY_FLOW = "signoff_query"
PAPER_FLOW = "paper_signature"
ANSWER_FLOW = "query_answer"
OPEN_SHOWN = 30
MAX_REASON = 500
MAX_NAME = 100
REMIND_AFTER = timedelta(days=1)
# Who may sign for a party in the chat.
SIGNED_BY = access.SIGNED_BY
FORM_PARTIES = tuple(SIGNED_BY)
Refusal = machine.Refusal


def parties_of(person: Person) -> tuple[str, ...]:
    """The parties a person signs for; supervisors and managers also see every form waiting."""
    return tuple(p for p, allowed in SIGNED_BY.items() if person.role in allowed)


async def _signers(conn: Connection, party: str) -> list[Person]:
    """Who receives a party's form: its people (for the repair department, its supervisors,
    else the managers)."""
    if party == Party.SUPERVISOR:
        return await people.reachable_with_role(conn, roles.SUPERVISOR) or \
            await people.reachable_with_role(conn, roles.MANAGER)
    return [p for p in await people.with_role(conn, *SIGNED_BY[party]) if not p.unreachable]


async def missing(conn: Connection, ticket_id: int) -> list[str]:
    signed = {s.party for s in await tickets.signoffs(conn, ticket_id)}
    return [p for p in await tickets.required_signoffs(conn, ticket_id) if p not in signed]


async def close_form(conn: Connection, settings: EstateSettings, ticket: Ticket,
                     now: datetime, confirmed_by: int | None = None) -> bool:
    """At the close: the form's parties are fixed (a later change of settings does not move
    them); an owner who reported their own job and confirmed it in the chat (confirmed_by)
    signs as the owner with it; each party still to sign gets the form. Whether the owner
    signed."""
    if ticket.kind != Kind.REPAIR:
        return False
    ticket = await machine.load(conn, ticket.id)  # closed now
    await tickets.require_signoffs(conn, ticket.id, settings.signers(
        ticket.category, by_contractor=ticket.contractor_id is not None))
    signed = confirmed_by is not None and confirmed_by == ticket.resident_id and \
        Party.OWNER in await missing(conn, ticket.id) and \
        any(p.user_id == confirmed_by for p in await told.unit_owners(conn, ticket))
    if signed:
        await tickets.add_signoff(conn, ticket.id, Party.OWNER, confirmed_by, False, now)
        await _signed(conn, ticket, Party.OWNER, confirmed_by, now, f"{Party.OWNER}_signed")
    await send_forms(conn, settings, ticket, now)
    return signed


async def send_forms(conn: Connection, settings: EstateSettings, ticket: Ticket,
                     now: datetime, kind: str = "signoff_form") -> None:
    """Each party still to sign gets the form (kind: signoff_form, signoff_reminder or
    signoff_corrected); the owner's, as the "who is told" table says (a tenant's job), or
    the reporter's own when they are the owner."""
    if ticket.kind != Kind.REPAIR:
        return
    for party in await missing(conn, ticket.id):
        if party == Party.OWNER:
            await _owner_form(conn, settings, ticket, now, kind)
        elif party in SIGNED_BY:
            for person in await _signers(conn, party):
                await outbox.add(conn, person.user_id, kind, now, ticket.id, {"party": party})


async def _owner_form(conn: Connection, settings: EstateSettings, ticket: Ticket,
                      now: datetime, kind: str) -> None:
    payload = {"party": Party.OWNER, "as": kind}
    if any(p.user_id == ticket.resident_id for p in await told.unit_owners(conn, ticket)):
        await outbox.add(conn, ticket.resident_id, "owner_signoff_form", now, ticket.id,
                         payload)
    else:
        await told.tell(conn, settings, "form_waiting", ticket, now, payload=payload)


async def remind(conn: Connection, settings: EstateSettings, ticket: Ticket,
                 now: datetime) -> None:
    """A day after the close (called by the sweep): the parties still to sign, once."""
    await send_forms(conn, settings, ticket, now, kind="signoff_reminder")


async def _form(conn: Connection, ticket_id: int, party: str) -> Ticket:
    ticket = await machine.load(conn, ticket_id)
    if party not in await tickets.required_signoffs(conn, ticket_id):
        raise Refusal(Refusal.INVALID)
    return ticket


async def sign(db: Database, ticket_id: int, party: str, actor_id: int,
               now: datetime) -> tuple[Ticket, bool] | None:
    """The party's signature (the first stands: None when it was already given), and
    whether the form is now signed off by all."""
    async with db.transaction() as conn:
        await access.require(conn, "repairs.sign", actor_id, (party, ticket_id))
        ticket = await _form(conn, ticket_id, party)
        if not await tickets.add_signoff(conn, ticket.id, party, actor_id, False, now):
            return None
        return ticket, await _signed(conn, ticket, party, actor_id, now, f"{party}_signed")


async def _signed(conn: Connection, ticket: Ticket, party: str, actor_id: int | None,
                  now: datetime, action: str, note: str = "") -> bool:
    await tickets.add_event(conn, ticket.id, now, actor_id, action, ticket.status,
                            ticket.status, note)
    if await missing(conn, ticket.id):
        return False
    await tickets.add_event(conn, ticket.id, now, None, "signed_off", ticket.status,
                            ticket.status)
    return True


async def start_query(db: Database, ticket_id: int, party: str, actor_id: int,
                      now: datetime) -> Ticket:
    async with db.transaction() as conn:
        await access.require(conn, "repairs.sign", actor_id, (party, ticket_id))
        ticket = await _form(conn, ticket_id, party)
        if party not in await missing(conn, ticket.id):
            raise Refusal(Refusal.STALE)
        await conversations.begin(conn, Draft(actor_id, QUERY_FLOW, "reason",
                                              {"ticket_id": ticket.id, "party": party}), now)
        return ticket


async def query(db: Database, actor_id: int, reason: str, now: datetime) -> Ticket | None:
    """A party's question on the form goes back to the desk with the reason (audited), open
    until a clerk answers it; the form waits for their signature."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, QUERY_FLOW, "reason", now)
        await drafts.delete(conn, actor_id)
        ticket = await machine.load(conn, draft.data["ticket_id"])
        party = draft.data["party"]
        if party not in await missing(conn, ticket.id):
            return None  # signed meanwhile (on paper, or by a colleague)
        await tickets.add_event(conn, ticket.id, now, actor_id, "signoff_queried",
                                ticket.status, ticket.status, reason)
        query_id = await signoff_queries.add(conn, ticket.id, party, actor_id, reason, now)
        for clerk in await machine.desk(conn):
            await outbox.add(conn, clerk.user_id, "signoff_queried", now, ticket.id,
                             {"party": party, "reason": reason, "query": query_id},
                             actor_id=actor_id)
        return ticket


async def open_queries(db: Database, actor_id: int) -> list[tuple[signoff_queries.Query, Ticket]]:
    """/queries: the signers' queries the desk has not answered, the oldest first."""
    async with db.reading() as conn:
        await access.require(conn, "repairs.answer_query", actor_id)
        return [(q, await machine.load(conn, q.ticket_id))
                for q in await signoff_queries.open_ones(conn, OPEN_SHOWN)]


async def start_answer(db: Database, query_id: int, actor_id: int,
                       now: datetime) -> tuple[signoff_queries.Query, Ticket]:
    async with db.transaction() as conn:
        await access.require(conn, "repairs.answer_query", actor_id)
        found = await signoff_queries.get(conn, query_id)
        if found is None:
            raise Refusal(Refusal.NOT_FOUND)
        if found.answered_at is not None:
            raise Refusal(Refusal.STALE)
        await conversations.begin(conn, Draft(actor_id, ANSWER_FLOW, "answer",
                                              {"query": query_id}), now)
        return found, await machine.load(conn, found.ticket_id)


async def answer(db: Database, actor_id: int, text: str,
                 now: datetime) -> tuple[Ticket, bool] | None:
    """The desk's answer to a query goes to the one who asked it, saying whether the figures
    were corrected since (then the corrected form has reached them already). None when
    another clerk answered it meanwhile. Returns the ticket and whether it was corrected."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, ANSWER_FLOW, "answer", now)
        await drafts.delete(conn, actor_id)
        await access.require(conn, "repairs.answer_query", actor_id)
        found = await signoff_queries.get(conn, draft.data["query"])
        if found is None or not await signoff_queries.answer(conn, found.id, actor_id, text,
                                                             now):
            return None
        ticket = await machine.load(conn, found.ticket_id)
        corrected = any(e.action == "measurement_corrected" and e.at >= found.asked_at
                        for e in await tickets.events(conn, ticket.id))
        await tickets.add_event(conn, ticket.id, now, actor_id, "signoff_query_answered",
                                ticket.status, ticket.status, text)
        await outbox.add(conn, found.asked_by, "signoff_answered", now, ticket.id,
                         {"party": found.party, "question": found.question, "answer": text,
                          "corrected": corrected}, actor_id=actor_id)
        return ticket, corrected


async def figures_corrected(conn: Connection, settings: EstateSettings, ticket: Ticket,
                            actor_id: int, now: datetime) -> None:
    """The desk corrected the figures of a form already out: a signature given on the old
    figures no longer holds (withdrawn, and the timeline says whose), and every party signs
    the corrected form again. The worker's own record and the confirmation stay."""
    required = await tickets.required_signoffs(conn, ticket.id)
    if not required:
        return  # not closed yet: the form goes out with the new figures
    signed = {s.party: s for s in await tickets.signoffs(conn, ticket.id)}
    gone = [signed[p] for p in required if p in signed]  # in the form's order
    names = await people.names(conn, {s.user_id for s in gone if s.user_id is not None})
    for s in gone:
        await tickets.remove_signoff(conn, ticket.id, s.party)
        await tickets.add_event(conn, ticket.id, now, actor_id, "signature_withdrawn",
                                ticket.status, ticket.status,
                                s.signer_name or names.get(s.user_id or 0, ""))
    await send_forms(conn, settings, ticket, now, kind="signoff_corrected")


async def start_paper(db: Database, ticket_id: int, party: str, actor_id: int,
                      now: datetime) -> Ticket:
    async with db.transaction() as conn:
        await access.require(conn, "repairs.paper_signature", actor_id)
        ticket = await _form(conn, ticket_id, party)
        if party not in await missing(conn, ticket.id):
            raise Refusal(Refusal.STALE)
        await conversations.begin(conn, Draft(actor_id, PAPER_FLOW, "name",
                                              {"ticket_id": ticket.id, "party": party}), now)
        return ticket


async def sign_on_paper(db: Database, actor_id: int, signer: str,
                        now: datetime) -> tuple[Ticket, bool] | None:
    """A clerk records a signature made on the paper form: who signed, for which party;
    the clerk is recorded as the one who entered it. None when the party signed meanwhile."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, PAPER_FLOW, "name", now)
        await drafts.delete(conn, actor_id)
        await access.require(conn, "repairs.paper_signature", actor_id)
        ticket = await machine.load(conn, draft.data["ticket_id"])
        party = draft.data["party"]
        if not await tickets.add_signoff(conn, ticket.id, party, actor_id, False, now,
                                         channel="paper", signer_name=signer):
            return None
        return ticket, await _signed(conn, ticket, party, actor_id, now, "signed_on_paper",
                                     f"{party}: {signer}")


async def awaiting(db: Database, actor_id: int, limit: int = 30) -> list[Ticket]:
    """/signoffs: the forms waiting for the person's signature; supervisors and managers see
    every form still waiting, whoever must sign it."""
    async with db.reading() as conn:
        person = await access.require(conn, "repairs.signoffs", actor_id)
        parties = FORM_PARTIES if roles.can_sign_as_supervisor(person.role) \
            else parties_of(person)
        return await tickets.awaiting_party(conn, parties, limit)
