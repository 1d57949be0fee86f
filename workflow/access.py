"""Who may do what: one table, for every action a person can take in the chat, of the roles
allowed and the relation to the record they must have. Handlers ask it before acting
(`may` for the role, `check` for the role and the relation); the workflow functions ask it
again inside their transaction (`require`), so the table is the one rule, checked twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import cast

from storage import accounts, outbox, people, tickets
from storage.db import Connection, Database
from storage.office import ledger
from storage.privacy import requests as privacy_requests
from storage.records import Account, Person, Ticket
from storage.registers import keys as key_register
from storage.repairs import followers
from storage.sales import buyers as sales_buyers
from storage.surveys import surveys
from workflow import roles, told
from workflow.tickets import Party, Refusal, department_heads, may_view

EVERYONE = ("*",)  # anybody, a stranger included: what onboarding and the menus need
R = roles
SIGNERS, DISPATCHERS, WORKERS = R.SIGNERS, R.DISPATCHERS, R.WORKERS

# Who may sign for a party of the repair form in the chat (the owner: a resident who is an
# owner of the job's unit by the roster; see _signing_party).
SIGNED_BY: dict[str, tuple[str, ...]] = {
    Party.OWNER: (R.RESIDENT,),
    Party.SUPERVISOR: SIGNERS,
    Party.SUPERVISING_ENGINEER: (R.SUPERVISING_ENGINEER,),
    Party.PROJECT_DEPARTMENT: (R.PROJECT_DEPARTMENT,),
}
FORM_READERS = (*SIGNERS, R.SUPERVISING_ENGINEER, R.PROJECT_DEPARTMENT)
DOCUMENT_READERS = SIGNERS  # the monthly report, the ledger, the settlements, the income
INCOME_READERS = (R.CASHIER, *DOCUMENT_READERS)  # the cashier makes the income statement
# Who may read residents' phones in a document that lists many residents (the ledger's phone
# column): the one switch the privacy rules narrow.
PHONE_READERS = (*DISPATCHERS,)


def may_see_phones(role: str | None) -> bool:
    """Whether a document made for this reader shows residents' phones (PHONE_READERS)."""
    return role in PHONE_READERS


KEY_KEEPERS = (R.KEY_KEEPER, *SIGNERS)
KEY_BORROWERS = (*WORKERS, *DISPATCHERS)
ARCHIVE_READERS = (R.ARCHIVIST, R.MANAGER)
HANDOVER_INSPECTORS = (R.SALES_SERVICE, R.CLERK, R.SUPERVISOR, R.MANAGER)
SALES_VIEWERS = (*R.SALES, R.CASHIER)
SALES_RECORDERS = (R.SALES_SERVICE, R.CASHIER)
SALES_VERIFIERS = (R.CASHIER, R.MANAGER, R.SALES_SUPERVISOR)


@dataclass(frozen=True)
class Rule:
    roles: tuple[str, ...]
    relation: str | None = None  # a name in RELATIONS: what the person must be to the record
    staff_living_here: bool = True  # whether staff who live in the estate count as residents


RULES: dict[str, Rule] = {
    # onboarding, menus and the router: anybody (each answers a stranger with how to start)
    "onboarding.start": Rule(EVERYONE),
    "onboarding.contact": Rule(EVERYONE),
    "onboarding.pick_unit": Rule(EVERYONE),
    "onboarding.language": Rule(EVERYONE),
    "onboarding.help": Rule(EVERYONE),
    "onboarding.decide": Rule(DISPATCHERS),
    "onboarding.no_code": Rule(EVERYONE),  # 'I have no code': the unit typed instead
    # the privacy notice: anybody reads it (/privacy); a stranger accepts or declines it
    # before anything of theirs is kept; a person taps that they read a new version
    "privacy.notice": Rule(EVERYONE),
    "privacy.accept": Rule(EVERYONE),
    "privacy.decline": Rule(EVERYONE),
    "privacy.read": Rule(EVERYONE),
    "router.message": Rule(EVERYONE),
    "router.unknown_command": Rule(EVERYONE),
    "router.close_picker": Rule(EVERYONE),
    "router.unknown_button": Rule(EVERYONE),
    "conversation.cancel": Rule(EVERYONE),  # drops one's own conversation, if any
    # a second chat account: anyone with a role makes a code; any account may type one (a
    # stranger's is linked, another person's refused); a person chooses among their own
    "linking.code": Rule(tuple(R.Role)),
    "linking.use": Rule(EVERYONE),
    # a person's own data (個人資料保護法 Art. 10): everyone the desk knows, staff as well as
    # residents; a stranger is told to join first
    "privacy.mydata": Rule(tuple(R.Role)),
    "linking.choose": Rule(EVERYONE, "own_account"),
    "button.per_action": Rule(EVERYONE),  # a handler that checks each button's own action
    # repairs
    "repairs.report": Rule((R.RESIDENT,)),
    "repairs.report_step": Rule(R.FILERS),  # a step of one's own report draft
    "repairs.queue": Rule(DISPATCHERS),
    "repairs.dispatch": Rule(DISPATCHERS),  # the desk's buttons on a card: assign, route,
    # acknowledge, pause, extend, priority, confirm by phone
    "repairs.visit": Rule((R.RESIDENT,), "ticket_resident"),  # agree to a visit's time
    # ... for a resident without Telegram, who agreed on the desk's call
    "repairs.visit_by_phone": Rule(DISPATCHERS),
    "repairs.photo_first": Rule((R.RESIDENT,)),
    "repairs.merge": Rule(DISPATCHERS),
    "repairs.tasks": Rule(WORKERS),
    "repairs.progress": Rule(WORKERS, "ticket_holder"),  # on my way, arrived
    "repairs.work": Rule((*WORKERS, *DISPATCHERS), "works_on"),  # complete, with materials
    "repairs.confirm_fixed": Rule((R.RESIDENT,), "ticket_resident"),  # fixed, or not
    "repairs.unit_job": Rule((R.CONTRACTOR,), "unit_people"),
    "repairs.propose_visit": Rule((R.CONTRACTOR,), "ticket_holder"),  # the unit's job's holder
    "repairs.signoffs": Rule(FORM_READERS),
    "repairs.sign": Rule(tuple({r for rs in SIGNED_BY.values() for r in rs}), "signing_party"),
    "repairs.paper_signature": Rule(DISPATCHERS),
    "repairs.answer_query": Rule(DISPATCHERS),  # a signer's query on the form, answered
    "tickets.mine": Rule((R.RESIDENT,)),
    "units.own": Rule((R.RESIDENT,), "unit_resident"),  # a unit chosen for a report: one's own
    "tickets.view": Rule(EVERYONE, "sees_ticket"),  # a stranger has no relation to any
    # A button out of date is answered with what happened since, and who did it
    "tickets.what_happened": Rule(EVERYONE, "told_of"),
    "tickets.add": Rule((R.RESIDENT,), "ticket_resident"),
    # complaints, surveys, escalation
    "complaints.file": Rule((R.RESIDENT,)),
    "complaints.step": Rule(R.FILERS),
    "complaints.reply": Rule(SIGNERS, "answers_complaint"),
    "surveys.answer": Rule((R.RESIDENT,), "rater"),
    "surveys.call": Rule(DISPATCHERS),
    "residents.phoned": Rule(tuple(sorted({*WORKERS, *DISPATCHERS, *SIGNERS})),
                                 "sees_ticket"),  # asked to phone a resident
    "surveys.follow_up": Rule(SIGNERS),
    "escalation.overdue": Rule(SIGNERS),
    "stats.show": Rule(SIGNERS),
    "intake.take": Rule(DISPATCHERS),
    # office
    "office.documents": Rule(INCOME_READERS + FORM_READERS),  # the menu: hot spots for every
    # form reader, the income statement for the cashier too
    "office.hot_spots": Rule(FORM_READERS),
    "office.reports": Rule(DOCUMENT_READERS),  # the monthly report, ledger, settlements, income
    "office.income": Rule(INCOME_READERS),  # the income statement (收支明細表, 4.8.2)
    "office.repair_form": Rule((*DISPATCHERS, R.SUPERVISING_ENGINEER, R.PROJECT_DEPARTMENT)),
    "office.acknowledge": Rule((R.CONTRACTOR,), "delivery_unit"),  # a settlement's receipt
    "office.paper_receipt": Rule(DISPATCHERS),  # a unit's receipt signed on paper, entered
    "office.measurement": Rule(DISPATCHERS),
    "office.payer": Rule(DISPATCHERS),
    "office.quotation_answer": Rule((R.RESIDENT,), "ticket_resident"),
    "office.stock": Rule((R.STOREKEEPER, *SIGNERS)),
    # registers
    "keys.view": Rule(KEY_KEEPERS),
    "keys.borrow": Rule(KEY_BORROWERS),
    "keys.for_job": Rule(WORKERS, "ticket_holder"),
    "keys.consent": Rule((R.RESIDENT,), "loan_resident"),
    "keys.emergency": Rule(SIGNERS),
    "keys.decide": Rule(SIGNERS),
    "keys.hand_out": Rule((R.KEY_KEEPER,)),
    "keys.take_back": Rule((R.KEY_KEEPER,)),
    "archives.ask": Rule(R.STAFF_ROLES),
    "archives.view": Rule(ARCHIVE_READERS),
    "archives.inspect": Rule(ARCHIVE_READERS),  # an inspection of an item, with a reason
    "archives.decide": Rule((R.MANAGER,)),
    "archives.keep": Rule((R.ARCHIVIST,)),  # hand out, take back, check the archive
    "archives.history": Rule(ARCHIVE_READERS),  # an item's changes, and who made them
    "renovations.apply": Rule((R.RESIDENT,)),
    "renovations.inspect": Rule((R.TECHNICIAN,)),
    "renovations.desk": Rule(DISPATCHERS),  # approve the permit
    "renovations.review": Rule(SIGNERS),  # work on structure or building services
    "renovations.cashier": Rule((R.CASHIER,)),  # the fees taken, the deposit refunded
    # fees
    "fees.mine": Rule((R.RESIDENT,)),
    "fees.pay": Rule((R.CASHIER,)),
    "fees.close_day": Rule((R.CASHIER,)),
    "fees.reverse": Rule((R.MANAGER,)),
    # community
    "announcements.write": Rule(DISPATCHERS),
    "activities.list": Rule((R.RESIDENT, *DISPATCHERS)),
    "activities.create": Rule(DISPATCHERS),
    "activities.attendees": Rule(DISPATCHERS),
    "activities.join": Rule((R.RESIDENT,), staff_living_here=False),  # the desk does not
    "activities.notifications": Rule((R.RESIDENT,)),  # new activities told, or not
    # sales
    "sales.handover": Rule(HANDOVER_INSPECTORS),
    "sales.units": Rule(SALES_VIEWERS),
    "sales.reserve": Rule(SALES_RECORDERS),
    "sales.verify": Rule(SALES_VERIFIERS),
    "sales.contract": Rule((R.RESIDENT,)),
    "sales.buyer_answer": Rule(EVERYONE, "contract_holder"),  # a buyer may be no resident yet
    "sales.buyers": Rule(R.SALES),
    # personal data (個人資料保護法): a resident asks about their own data only (no record
    # to name: the request is always the asker's); the desk lists and decides, but nobody
    # decides a request of their own (a clerk who lives here)
    "privacy.request": Rule((R.RESIDENT,)),
    "privacy.requests": Rule(DISPATCHERS),
    "privacy.decide": Rule(DISPATCHERS, "not_own_request"),
}


async def _ticket(conn: Connection, ticket_id: object):
    if isinstance(ticket_id, Ticket):  # read already, in the caller's transaction
        return ticket_id
    found = await tickets.get(conn, ticket_id) if isinstance(ticket_id, int) else None
    if found is None:
        raise Refusal(Refusal.NOT_FOUND)
    return found


async def _ticket_resident(conn: Connection, person: Person, record: object) -> bool:
    return (await _ticket(conn, record)).resident_id == person.user_id


async def _ticket_holder(conn: Connection, person: Person, record: object) -> bool:
    return (await _ticket(conn, record)).technician_id == person.user_id


async def _unit_people(conn: Connection, person: Person, record: object) -> bool:
    """One of the people of the responsible unit the job is with."""
    ticket = await _ticket(conn, record)
    return person.contractor_id is not None and person.contractor_id == ticket.contractor_id


async def _loan_resident(conn: Connection, person: Person, record: object) -> bool:
    """The resident of the job a loan of their deposited keys is for."""
    loan = await key_register.loan(conn, record) if isinstance(record, int) else None
    if loan is None:
        raise Refusal(Refusal.NOT_FOUND)
    return loan.ticket_id is not None and \
        await _ticket_resident(conn, person, loan.ticket_id)


async def _signing_party(conn: Connection, person: Person, record: object) -> bool:
    """The party (from the button) is one the person signs for; the owner's, only on a job
    of a unit they own. The record is the party, or (party, ticket id)."""
    party, ticket_id = record if isinstance(record, tuple) else (str(record), None)
    if person.role not in SIGNED_BY.get(party, ()):
        return False
    if party != Party.OWNER:
        return True
    return ticket_id is not None and any(
        p.user_id == person.user_id for p in await told.unit_owners(conn, await _ticket(
            conn, ticket_id)))


async def sees_ticket(conn: Connection, person: Person, ticket: Ticket) -> bool:
    """Its resident, a neighbour following it, the technician or the unit it is with, the
    desk, and the parties who sign its repair form."""
    if may_view(person, ticket) or await followers.follows(conn, ticket.id, person.user_id):
        return True
    return person.active and person.role in (R.SUPERVISING_ENGINEER, R.PROJECT_DEPARTMENT) \
        and person.role in await tickets.required_signoffs(conn, ticket.id)


async def _sees_ticket(conn: Connection, person: Person, record: object) -> bool:
    return await sees_ticket(conn, person, await _ticket(conn, record))


async def _told_of(conn: Connection, person: Person, record: object) -> bool:
    """Sees the ticket, or was told of it once: the unit's person the job has left, the
    technician taken off it."""
    ticket = await _ticket(conn, record)
    return await sees_ticket(conn, person, ticket) or \
        await outbox.was_told(conn, person.user_id, ticket.id)


async def _rater(conn: Connection, person: Person, record: object) -> bool:
    """Asked for their own rating of the ticket (its resident, or a neighbour following it)."""
    await _ticket(conn, record)
    return await surveys.get(conn, int(str(record)), person.user_id) is not None


async def _unit_resident(conn: Connection, person: Person, record: object) -> bool:
    return record in {u.id for u in await people.units_of(conn, person.user_id)}


async def _contract_holder(conn: Connection, person: Person, record: object) -> bool:
    """The buyer of the contract (its number, from the button)."""
    found = await sales_buyers.get(conn, str(record))
    return found is not None and found.user_id == person.user_id


async def _works_on(conn: Connection, person: Person, record: object) -> bool:
    """The job's holder; for a contractor's job nobody holds, the desk records it."""
    ticket = await _ticket(conn, record)
    if ticket.technician_id is not None:
        return ticket.technician_id == person.user_id
    return person.role in DISPATCHERS


async def _answers_complaint(conn: Connection, person: Person, record: object) -> bool:
    """A manager, or a head of the department the complaint is routed to."""
    ticket = await _ticket(conn, record)
    if person.role == R.MANAGER:
        return True
    return ticket.department is not None and person.user_id in {
        h.user_id for h in await department_heads(conn, ticket.department)}


async def _delivery_unit(conn: Connection, person: Person, record: object) -> bool:
    """One of the people of the unit a settlement was delivered to."""
    found = await ledger.delivery(conn, record) if isinstance(record, int) else None
    if found is None:
        raise Refusal(Refusal.NOT_FOUND)
    return person.contractor_id is not None and found[0] == person.contractor_id


async def _own_account(conn: Connection, person: Person, record: object) -> bool:
    """The chat account is one of the person's."""
    return isinstance(record, Account) and \
        await accounts.person_id_of(conn, record) == person.user_id


async def _not_own_request(conn: Connection, person: Person, record: object) -> bool:
    """A request about someone else's personal data (the request's id, from the button)."""
    found = await privacy_requests.get(conn, record) if isinstance(record, int) else None
    if found is None:
        raise Refusal(Refusal.NOT_FOUND)
    return found.person_id != person.user_id


RELATIONS: dict[str, Callable[[Connection, Person, object], Awaitable[bool]]] = {
    "own_account": _own_account,
    "ticket_resident": _ticket_resident,
    "ticket_holder": _ticket_holder,
    "unit_people": _unit_people,
    "loan_resident": _loan_resident,
    "signing_party": _signing_party,
    "sees_ticket": _sees_ticket,
    "told_of": _told_of,
    "rater": _rater,
    "unit_resident": _unit_resident,
    "contract_holder": _contract_holder,
    "works_on": _works_on,
    "answers_complaint": _answers_complaint,
    "delivery_unit": _delivery_unit,
    "not_own_request": _not_own_request,
}


def role_admits(action: str, person: Person | None) -> bool:
    """The role part of the rule; a member of staff who lives in the estate is a resident
    too. A removed member of staff has no role."""
    allowed = RULES[action].roles
    if allowed == EVERYONE:
        return True
    if person is None or not person.active or person.role is None:
        return False
    rule = RULES[action]
    return person.role in allowed or (R.RESIDENT in allowed and person.lives_here and
                                      rule.staff_living_here)


async def admits(conn: Connection, action: str, person: Person | None,
                 record: object = None) -> bool:
    """What the table says: the role, then the relation to the record."""
    if not role_admits(action, person):
        return False
    relation = RULES[action].relation
    return relation is None or (person is not None and
                                await RELATIONS[relation](conn, person, record))


# The two places the table is enforced (scripts/mutate_checks.py removes a check in them).

def may(action: str, person: Person | None) -> bool:
    """The handlers' first gate: the role (the relation is checked with the record)."""
    return role_admits(action, person)


async def allows(conn: Connection, action: str, person: Person | None,
                 record: object = None) -> bool:
    """Whether the person may do the action to the record, as a yes or no."""
    return await admits(conn, action, person, record)


async def require(conn: Connection, action: str, user_id: int, record: object = None) -> Person:
    """Inside a transaction: the person, if the table lets them do this to the record."""
    person = await people.get(conn, user_id)
    if not await allows(conn, action, person, record):
        raise Refusal(Refusal.FORBIDDEN)
    return cast(Person, person)  # a rule with a role or a relation admits nobody unknown


async def check(db: Database, action: str, user_id: int, record: object = None) -> None:
    """Before acting: refused unless the table lets the person do this to the record."""
    async with db.reading() as conn:
        await require(conn, action, user_id, record)
