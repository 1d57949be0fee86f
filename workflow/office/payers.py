"""Who pays for a job: the responsible unit (under warranty), the estate, or the owner. An
owner-paid job gets a quotation the owner accepts in the chat before work starts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from storage import drafts, outbox, tickets
from storage.db import Database
from storage.exact import plain
from storage.records import Draft, Ticket
from workflow import access, conversations, numbers
from workflow import tickets as machine
from workflow.office import costs
from workflow.tickets import Kind

ESTATE, UNIT, OWNER = "estate", "unit", "owner"
PAYERS = (UNIT, ESTATE, OWNER)
QUOTE_FLOW = "quotation"
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
MAX_AMOUNT = Decimal(10_000_000)
Refusal = machine.Refusal


def payer_of(ticket: Ticket) -> str:
    """As the desk said; else the unit for a unit's job (or one it defaulted on, charged
    back), the estate for our own staff's: costs.payer, the rule every document follows."""
    return costs.payer(ticket.payer, ticket.contractor_id is not None or
                       ticket.defaulted_contractor_id is not None)


def may_start(ticket: Ticket) -> None:
    """Owner-paid work starts only once the owner has accepted the quotation."""
    if ticket.payer == OWNER and ticket.quote_state != ACCEPTED:
        raise Refusal(Refusal.QUOTED)


async def _open_repair(conn, ticket_id: int, actor_id: int, seen: int | None) -> Ticket:
    await access.require(conn, "office.payer", actor_id)
    ticket = machine.as_seen(await machine.load(conn, ticket_id), seen)
    if ticket.kind != Kind.REPAIR or ticket.status not in tickets.UNRESOLVED_STATUSES:
        raise Refusal(Refusal.STALE)
    return ticket


async def set_payer(db: Database, ticket_id: int, actor_id: int, payer: str, now: datetime,
                    seen: int | None = None) -> Ticket:
    """The unit or the estate (the owner needs a quotation: see start_quote)."""
    if payer not in (UNIT, ESTATE):
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        ticket = await _open_repair(conn, ticket_id, actor_id, seen)
        await tickets.update_fields(conn, ticket.id, now, payer=payer, quote_state=None)
        await tickets.add_event(conn, ticket.id, now, actor_id, "payer_set", ticket.status,
                                ticket.status, payer)
        return await machine.load(conn, ticket.id)


async def start_quote(db: Database, ticket_id: int, actor_id: int, now: datetime,
                      seen: int | None = None) -> Ticket:
    async with db.transaction() as conn:
        ticket = await _open_repair(conn, ticket_id, actor_id, seen)
        await conversations.begin(conn, Draft(actor_id, QUOTE_FLOW, "amount",
                                              {"ticket_id": ticket.id, "seen": ticket.version}),
                                  now)
        return ticket


def parse_quote(text: str, locale) -> tuple[Decimal, str]:
    """The amount and what it is for: "NT$850 更換插座", 「850元 更換插座」 are 850 and
    「更換插座」; numbers.Unreadable when the amount cannot be taken."""
    amount, note = numbers.leading_amount(text, locale, maximum=MAX_AMOUNT)
    return amount, note[:500]


async def quote(db: Database, actor_id: int, amount: Decimal, note: str,
                now: datetime) -> Ticket | None:
    """The quotation goes to the owner; the work waits for their answer. None when the job
    moved on meanwhile."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, QUOTE_FLOW, "amount", now)
        await drafts.delete(conn, actor_id)
        try:  # the job as it was when the quotation was begun
            ticket = await _open_repair(conn, draft.data["ticket_id"], actor_id,
                                        draft.data["seen"])
        except Refusal:
            return None
        await tickets.update_fields(conn, ticket.id, now, payer=OWNER, quote_amount=amount,
                                    quote_note=note, quote_state=PENDING)
        await tickets.add_event(conn, ticket.id, now, actor_id, "quotation_sent", ticket.status,
                                ticket.status, f"{plain(amount)} {note}".strip())
        await outbox.add(conn, ticket.resident_id, "quotation", now, ticket.id,
                         actor_id=actor_id)
        return await machine.load(conn, ticket.id)


async def answer(db: Database, ticket_id: int, resident_id: int, accepted: bool,
                 now: datetime) -> Ticket | None:
    """The owner's answer; None when already given (a second tap)."""
    async with db.transaction() as conn:
        ticket = await machine.load(conn, ticket_id)
        await access.require(conn, "office.quotation_answer", resident_id, ticket.id)
        if ticket.payer != OWNER or ticket.quote_state != PENDING:
            return None
        state = ACCEPTED if accepted else DECLINED
        await tickets.update_fields(conn, ticket.id, now, quote_state=state)
        await tickets.add_event(conn, ticket.id, now, resident_id, f"quotation_{state}",
                                ticket.status, ticket.status,
                                plain(ticket.quote_amount or Decimal(0)))
        for holder in await machine.holders(conn, ticket):
            await outbox.add(conn, holder.user_id, "quotation_answered", now, ticket.id,
                             {"state": state}, actor_id=resident_id)
        return await machine.load(conn, ticket.id)
