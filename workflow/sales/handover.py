"""The handover inspection (收房驗屋): staff and the buyer walk the unit; each defect found,
room by room, becomes a repair ticket of that unit at once (liable to the responsible unit by
its category, the warranty running from this handover). At the end the buyer becomes a
resident of the unit (no second onboarding) and the days past the contract's date are
recorded for the compensation the contract provides. The fees the move-in notice lists are
billed to the unit when the notice goes out."""

from __future__ import annotations

from datetime import datetime

from storage import drafts, outbox, people, roster, tickets
from storage.db import Connection, Database
from storage.fees import ledger
from storage.records import Draft, Ticket
from storage.sales import buyers
from storage.sales.buyers import Buyer
from workflow import access, conversations, phones, roles, sla
from workflow import tickets as machine
from workflow.settings import NORMAL, EstateSettings, Kind

Refusal = machine.Refusal
FLOW = "handover"
INSPECTORS = (roles.SALES_SERVICE, roles.CLERK, roles.SUPERVISOR, roles.MANAGER)
CHANNEL = "handover"
MAX_TEXT = 1000


async def bill_fees(conn: Connection, settings: EstateSettings, found: Buyer) -> int:
    """The fees the move-in notice lists, as bills of the unit in the fee ledger, due on the
    contract's handover date (the cashier records them paid like any fee). Once: a bill
    already issued is kept."""
    due = found.handover_due.isoformat()
    issued = 0
    for item in settings.handover_fees:
        issued += await ledger.add_bill(conn, found.unit.id, due[:7], item.key, item.amount,
                                        due)
    return issued


async def start(db: Database, staff_id: int, contract_no: str, now: datetime) -> Buyer:
    """The inspection begins: the staff member's conversation records defects for this
    contract until they finish."""
    async with db.transaction() as conn:
        await access.require(conn, "sales.handover", staff_id)
        found = await buyers.get(conn, contract_no)
        if found is None:
            raise Refusal(Refusal.NOT_FOUND)
        if found.handed_over_at is not None:
            raise Refusal(Refusal.STALE)
        await drafts.delete(conn, staff_id)
        await conversations.begin_if_free(
            conn, Draft(staff_id, FLOW, "place", {"contract": contract_no, "filed": []}), now)
        return found


async def _reporter(conn, found: Buyer) -> int:
    """Whose report a defect is: the buyer in the chat, or the buyer's roster line (theirs
    once they join, as for any report the desk files before a resident uses the bot)."""
    await roster.add_entry(conn, found.unit.id, found.name, found.phone,
                           phones.phone_key(found.phone))
    if found.user_id is not None:
        return found.user_id
    entry = next(e for e in await roster.entries_of_unit(conn, found.unit.id)
                 if phones.same_number(e.phone, found.phone))
    return -entry.id


async def file_defect(db: Database, settings: EstateSettings, staff_id: int, place: str,
                      category: str, description: str, photos: list[str],
                      now: datetime) -> Ticket:
    """One defect, filed as a repair of the unit (one transaction: the ticket, its photos,
    the audit event, the desk's notice, the deadlines)."""
    if settings.category(category) is None or not description.strip() or \
            len(description) > MAX_TEXT or not place.strip():
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "sales.handover", staff_id)
        draft = await drafts.get(conn, staff_id)
        if draft is None or draft.flow != FLOW:
            raise Refusal(Refusal.STALE)
        found = await buyers.get(conn, draft.data["contract"])
        if found is None or found.handed_over_at is not None:
            raise Refusal(Refusal.STALE)
        reporter = await _reporter(conn, found)
        ref = await machine.new_reference(conn, Kind.REPAIR, now, settings.tz)
        assign_due, deadline = sla.due_dates(settings, category, NORMAL, now)
        local = now.astimezone(settings.tz)
        ticket_id = await tickets.insert(
            conn, ref=ref, kind=Kind.REPAIR, resident_id=reporter, unit_id=found.unit.id,
            category=category, location=place.strip()[:100], description=description.strip(),
            visit_date=local.date().isoformat(), visit_slot="asap", status=machine.NEW,
            priority=NORMAL, assign_due_at=assign_due, deadline_at=deadline, now=now,
            channel=CHANNEL, caller_name=found.name, caller_phone=found.phone,
            filed_by=staff_id)
        await tickets.add_photos(conn, ticket_id, "report", photos[:10])
        await tickets.add_event(conn, ticket_id, now, staff_id, "reported", None, machine.NEW,
                                f"handover {found.contract_no}")
        for clerk in await machine.desk(conn):
            await outbox.add(conn, clerk.user_id, "dispatch", now, ticket_id)
        await sla.arm(conn, settings, ticket_id, now)
        await buyers.add_event(conn, found.contract_no, "defect", staff_id, ref, now)
        filed = [*draft.data.get("filed", []), ref]
        await drafts.put(conn, Draft(staff_id, FLOW, "place",
                                     {"contract": found.contract_no, "filed": filed}), now)
        return await machine.load(conn, ticket_id)


async def finish(db: Database, settings: EstateSettings, staff_id: int,
                 now: datetime) -> tuple[Buyer, list[str]]:
    """The keys are handed over: the buyer is the unit's resident from now on (their roster
    line, and their account if they use the bot), the defects filed are theirs to follow,
    the days late are on the contract. Once."""
    async with db.transaction() as conn:
        await access.require(conn, "sales.handover", staff_id)
        draft = await drafts.get(conn, staff_id)
        if draft is None or draft.flow != FLOW:
            raise Refusal(Refusal.STALE)
        found = await buyers.get(conn, draft.data["contract"])
        if found is None:
            raise Refusal(Refusal.STALE)
        late = max(0, (now.astimezone(settings.tz).date() - found.handover_due).days)
        if not await buyers.hand_over(conn, found.contract_no, now, late):
            raise Refusal(Refusal.STALE)
        await _reporter(conn, found)  # the buyer's roster line, defects or none
        if found.user_id is not None:
            await people.link_unit(conn, found.user_id, found.unit.id, now)
            await outbox.add(conn, found.user_id, "buyer_handed_over", now, actor_id=staff_id,
                             payload={"contract": found.contract_no,
                                      "filed": draft.data.get("filed", [])})
        await buyers.add_event(conn, found.contract_no, "handed_over", staff_id,
                               f"{late} days late" if late else "", now)
        await drafts.delete(conn, staff_id)
        done = await buyers.get(conn, found.contract_no)
        assert done is not None
        return done, list(draft.data.get("filed", []))
