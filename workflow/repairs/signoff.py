"""The repair form's sign-off (簽認維修單). When a repair closes (the owner confirmed, or it was
confirmed for them), the parties the settings name for it get the form in the chat, each to
sign or to query; a day later the missing ones are reminded. The form is signed off when
every required party has signed; a clerk records a signature made on paper."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import drafts, outbox, people, tickets
from storage.db import Connection, Database
from storage.records import Draft, Person, Ticket
from workflow import access, conversations, roles
from workflow import tickets as machine
from workflow.settings import EstateSettings
from workflow.tickets import Kind, Party

QUERY_FLOW = "signoff_query"
PAPER_FLOW = "paper_signature"
MAX_REASON = 500
MAX_NAME = 100
REMIND_AFTER = timedelta(days=1)
# Who may sign for a party in the chat (the owner signs by confirming the repair).
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


async def send_forms(conn: Connection, settings: EstateSettings, ticket: Ticket,
                     now: datetime, kind: str = "signoff_form") -> None:
    """At the close: the form's parties are fixed (a later change of settings does not move
    them), and each party still to sign gets the form."""
    if ticket.kind != Kind.REPAIR:
        return
    if kind == "signoff_form":
        await tickets.require_signoffs(conn, ticket.id, settings.signers(
            ticket.category, by_contractor=ticket.contractor_id is not None))
    for party in await missing(conn, ticket.id):
        if party in SIGNED_BY:
            for person in await _signers(conn, party):
                await outbox.add(conn, person.user_id, kind, now, ticket.id, {"party": party})


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
        await access.require(conn, "repairs.sign", actor_id, party)
        ticket = await _form(conn, ticket_id, party)
        if not await tickets.add_signoff(conn, ticket.id, party, actor_id, False, now):
            return None
        return ticket, await _signed(conn, ticket, party, actor_id, now, f"{party}_signed")


async def _signed(conn: Connection, ticket: Ticket, party: str, actor_id: int, now: datetime,
                  action: str, note: str = "") -> bool:
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
        await access.require(conn, "repairs.sign", actor_id, party)
        ticket = await _form(conn, ticket_id, party)
        if party not in await missing(conn, ticket.id):
            raise Refusal(Refusal.STALE)
        await conversations.begin(conn, Draft(actor_id, QUERY_FLOW, "reason",
                                              {"ticket_id": ticket.id, "party": party}), now)
        return ticket


async def query(db: Database, actor_id: int, reason: str, now: datetime) -> Ticket | None:
    """A party's question on the form goes back to the desk with the reason (audited); the
    form waits for their signature."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, QUERY_FLOW, "reason", now)
        await drafts.delete(conn, actor_id)
        ticket = await machine.load(conn, draft.data["ticket_id"])
        party = draft.data["party"]
        if party not in await missing(conn, ticket.id):
            return None  # signed meanwhile (on paper, or by a colleague)
        await tickets.add_event(conn, ticket.id, now, actor_id, "signoff_queried",
                                ticket.status, ticket.status, reason)
        for clerk in await machine.desk(conn):
            await outbox.add(conn, clerk.user_id, "signoff_queried", now, ticket.id,
                             {"party": party, "reason": reason}, actor_id=actor_id)
        return ticket


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
