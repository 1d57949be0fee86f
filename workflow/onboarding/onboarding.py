"""Who may use the bot: residents verified by phone against the roster or by a clerk's
approval, staff by a one-time invitation."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storage import drafts, outbox, people, roster, tickets
from storage.db import Database
from storage.records import Draft, JoinRequest, Person, Unit
from storage.sales.buyers import Buyer
from workflow import access, conversations, phones, roles, units
from workflow import tickets as machine
from workflow.sales import buyers as sales

CLAIM_FLOW = "claim_unit"
MAX_CLAIM = 100


@dataclass(frozen=True)
class ContactOutcome:
    linked: list[Unit]  # linked now (the phone matched exactly one unit)
    choices: list[Unit]  # the phone matched several: the resident picks
    needs_claim: bool  # no match: the resident types the unit for a clerk to approve
    contracts: list[Buyer] = field(default_factory=list)  # a buyer's, before move-in


async def _entries(conn, phone: str):
    found = await roster.entries_by_phone_key(conn, phones.phone_key(phone))
    return [e for e in found if phones.same_number(e.phone, phone)]


async def _matches(conn, phone: str) -> list[Unit]:
    return [e.unit for e in await _entries(conn, phone)]


async def _take_over(conn, person: Person, phone: str, unit_ids: set[int]) -> None:
    """The roster's name (as the office writes it, 陳大文, not Telegram's first and last
    name) for a resident, and the reports the desk filed for this roster line before they
    used the bot become theirs."""
    entries = [e for e in await _entries(conn, phone) if e.unit.id in unit_ids]
    if entries and person.role in (None, roles.RESIDENT):  # staff keep their invited name
        await people.set_name(conn, person.user_id, entries[0].name)
    for entry in entries:
        await tickets.move_resident(conn, -entry.id, person.user_id)


async def contact_shared(db: Database, user_id: int, phone: str, now: datetime) -> ContactOutcome:
    """The caller has checked that the contact is the sender's own."""
    async with db.transaction() as conn:
        person = await people.get(conn, user_id)
        if person is None:
            raise machine.Refusal(machine.Refusal.NOT_FOUND)
        await people.set_phone(conn, user_id, phone)
        units = await _matches(conn, phone)
        contracts = await sales.link_by_phone(conn, user_id, phone)
        if len(units) == 1:
            await people.link_unit(conn, user_id, units[0].id, now)
            await _take_over(conn, person, phone, {units[0].id})
            if person.role is None:
                await people.set_role(conn, user_id, roles.RESIDENT)
            return ContactOutcome(units, [], False, contracts)
        if units:
            return ContactOutcome([], units, False, contracts)
        if contracts:  # a buyer: a resident of the unit from its handover
            if person.role is None:
                await people.set_role(conn, user_id, roles.RESIDENT, contracts[0].name)
            return ContactOutcome([], [], False, contracts)
        # not on the roster: the next message is the unit they claim
        await conversations.begin_if_free(conn, Draft(user_id, CLAIM_FLOW, "unit", {}), now)
        return ContactOutcome([], [], True)


async def pick_unit(db: Database, user_id: int, unit_id: int | None, now: datetime) -> list[Unit]:
    """Links the chosen unit (or all, when None) among those the verified phone matches."""
    async with db.transaction() as conn:
        person = await people.get(conn, user_id)
        if person is None or not person.phone:
            raise machine.Refusal(machine.Refusal.FORBIDDEN)
        units = await _matches(conn, person.phone)
        chosen = [u for u in units if unit_id is None or u.id == unit_id]
        if not chosen:
            raise machine.Refusal(machine.Refusal.FORBIDDEN)
        for unit in chosen:
            await people.link_unit(conn, user_id, unit.id, now)
        await _take_over(conn, person, person.phone, {u.id for u in chosen})
        if person.role is None:
            await people.set_role(conn, user_id, roles.RESIDENT)
        return chosen


async def claim_unit(db: Database, user_id: int, claimed: str, now: datetime) -> JoinRequest:
    """A resident not on the roster asks to be linked; every clerk gets approve/reject. The
    conversation that asked for the unit ends in the same transaction."""
    async with db.transaction() as conn:
        asked = await drafts.get(conn, user_id)
        await drafts.delete(conn, user_id)
        person = await people.get(conn, user_id)
        # a phone shared, or (on an app with none) the desk asked for the unit
        if person is None or not person.phone and (asked is None or asked.flow != CLAIM_FLOW):
            raise machine.Refusal(machine.Refusal.FORBIDDEN)
        existing = await roster.pending_request_of(conn, user_id)
        if existing is not None:
            return existing
        request_id = await roster.add_join_request(conn, user_id, person.phone or "", claimed,
                                                   now)
        for clerk in await machine.desk(conn):
            await outbox.add(conn, clerk.user_id, "join_request", now,
                             payload={"request_id": request_id})
        request = await roster.get_join_request(conn, request_id)
        assert request is not None  # written just above, in this transaction
        return request


def unit_text(value: str) -> str:
    """A building or unit as one key however it was typed: full-width letters and digits
    made plain (ＡＢ１２ -> AB12), spaces collapsed, letters in capitals."""
    return " ".join(unicodedata.normalize("NFKC", value).split()).upper()


CODE_TRIES = 5  # wrong invitation codes an account may try within CODE_WINDOW
CODE_WINDOW = timedelta(hours=1)
THROTTLED = "throttled"


def parse_claim(text: str) -> tuple[str, str] | None:
    """'A 12F-3' -> ('A', '12F-3'): the building, then the unit."""
    if len(text) > MAX_CLAIM:
        return None
    parts = text.strip().split(None, 1)
    if len(parts) == 2:
        return unit_text(parts[0]), unit_text(parts[1])
    written = units.key(text)  # "A棟12樓之3", "B-9-2": no space between building and unit
    if written is None or not written[0]:
        return None
    return written[0], "-".join(written[1:])


async def decide(db: Database, request_id: int, actor_id: int, approve: bool,
                 now: datetime) -> tuple[JoinRequest, Unit | None]:
    async with db.transaction() as conn:
        await access.require(conn, "onboarding.decide", actor_id)
        request = await roster.get_join_request(conn, request_id)
        if request is None:
            raise machine.Refusal(machine.Refusal.NOT_FOUND)
        status = "approved" if approve else "rejected"
        if not await roster.decide_join_request(conn, request_id, status, actor_id, now):
            raise machine.Refusal(machine.Refusal.STALE,
                                  happened=await _decided(conn, request))
        unit = None
        if approve:
            known, _ = await units.find(conn, request.claimed_unit)
            if len(known) == 1:  # as typed ("B棟9樓之2"), the roster's own unit ("B 9F-2")
                unit_id = known[0].id
            else:
                building, unit_name = parse_claim(request.claimed_unit) or (
                    request.claimed_unit, "")
                unit_id = await roster.unit_id(conn, building, unit_name)
            unit = await roster.get_unit(conn, unit_id)
            await people.link_unit(conn, request.user_id, unit_id, now)
            person = await people.get(conn, request.user_id)
            if person is not None and person.role is None:
                await people.set_role(conn, request.user_id, roles.RESIDENT)
        await outbox.add(conn, request.user_id, "join_" + status, now,
                         payload={"unit": unit.label if unit else request.claimed_unit})
        return request, unit


async def _decided(conn, request: JoinRequest) -> machine.Happened | None:
    """Who decided a join request first, and when: what a second clerk is told."""
    status, by, at = await roster.decision(conn, request.id)
    if at is None:
        return None
    person = await people.get(conn, by) if by is not None else None
    return machine.Happened("join_" + status, person.name if person else "", at,
                            request.claimed_unit, by)


async def accept_invitation(db: Database, user_id: int, code: str, name: str,
                            now: datetime) -> str | None:
    """The role the code grants; None for an unknown, used, revoked or expired code (each
    such try is counted); THROTTLED once an account has tried too many wrong codes."""
    async with db.transaction() as conn:
        if await people.failed_codes_since(conn, user_id, now - CODE_WINDOW) >= CODE_TRIES:
            return THROTTLED
        invitation = await people.get_invitation(conn, code)
        if invitation is None or not await people.use_invitation(conn, code, user_id, now):
            await people.record_failed_code(conn, user_id, now)
            return None
        await people.set_role(conn, user_id, invitation.role, invitation.name or name,
                              invitation.department, invitation.contractor_id)
        return invitation.role


async def set_language(db: Database, user_id: int, language: str) -> None:
    async with db.transaction() as conn:
        await people.set_language(conn, user_id, language)
