"""Renovation permits (裝修管理, §4.7). A resident applies in the chat: the scope, whether the
work touches structure, walls, plumbing or electrics, the dates, the contractor and drawings
or photos. Work on structure or building services is reviewed by the repair department
first, and the fees (management fee and deposit, by the price list) are recorded when paid:
the desk cannot approve without both. The permit goes to the resident; at the end a
technician inspects (驗收): pass refunds the deposit, fail lists what to fix."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from storage import drafts, outbox, people, roster
from storage.db import Connection, Database
from storage.exact import plain
from storage.records import Draft
from storage.registers import renovations
from storage.registers.renovations import Renovation
from workflow import access, conversations, dates, numbers, roles
from workflow import tickets as machine
from workflow.settings import EstateSettings

FLOW = "renovation"
INSPECT_FLOW = "renovation_inspection"
PAY_FLOW, REVIEW_FLOW = "renovation_payment", "renovation_review"
SCOPES = ("flooring", "painting", "kitchen", "bathroom", "walls", "electrics", "plumbing",
          "windows", "other")
WORKS = ("structure", "walls", "plumbing", "electrics")  # these need the engineering review
APPLIED, APPROVED, INSPECTION, PASSED, FAILED, REFUSED = (
    "applied", "approved", "inspection", "passed", "failed", "refused")
VERDICTS = ("approved", "refused", "changes")
MAX_TEXT = 1000
MAX_DAYS = 180
MAX_PHOTOS = 5
Refusal = machine.Refusal


def start(user_id: int, unit_ids: list[int]) -> Draft:
    data: dict = {"scopes": [], "works": [], "photos": [],
                  conversations.DRAFT_ID: conversations.new_id()}
    if len(unit_ids) == 1:
        return Draft(user_id, FLOW, "scopes", {**data, "unit_id": unit_ids[0]})
    return Draft(user_id, FLOW, "unit", data)


def toggle(chosen: list[str], key: str, allowed: tuple[str, ...]) -> list[str]:
    if key not in allowed:
        raise Refusal(Refusal.INVALID)
    return [k for k in chosen if k != key] if key in chosen else [*chosen, key]


def parse_dates(text: str, today: date) -> tuple[str, str] | None:
    """'2026-12-01 2026-12-20' (or with 'to', '~', '-' between): from today on, the end not
    before the start, at most half a year."""
    try:
        found = dates.days_in(text)
    except ValueError:
        return None
    if len(found) != 2:
        return None
    first, last = found
    if first < today or last < first or last - first > timedelta(days=MAX_DAYS):
        return None
    return first.isoformat(), last.isoformat()


async def _reviewers(conn: Connection) -> list[int]:
    """The repair department's heads (supervisors of engineering), else every supervisor."""
    supervisors = await people.reachable_with_role(conn, roles.SUPERVISOR)
    engineering = [p for p in supervisors if p.department == "engineering"]
    return [p.user_id for p in engineering or supervisors]


async def submit(db: Database, user_id: int, now: datetime, tz,
                 draft_id: str | None = None) -> Renovation | None:
    """The confirmed application, filed in one transaction; the draft `draft_id` (the
    button's) filed already: what it became; None when there is nothing to file."""
    async with db.transaction() as conn:
        filed_as = await conversations.became(conn, user_id, draft_id, FLOW)
        if filed_as is not None:
            return await renovations.get(conn, filed_as)
        draft = await conversations.current(conn, user_id, now)
        if draft is None or draft.flow != FLOW or draft.step != "summary":
            return None
        data = draft.data
        units = {u.id for u in await people.units_of(conn, user_id)}
        if data["unit_id"] not in units:
            raise Refusal(Refusal.FORBIDDEN)
        year = now.astimezone(tz).year
        ref = f"RN-{year}-{await renovations.next_sequence(conn, year):05d}"
        renovation_id = await renovations.add(
            conn, ref, user_id, data["unit_id"], data["scopes"], data["details"], data["works"],
            data["start"], data["end"], data["contractor"], APPLIED, now)
        await renovations.add_photos(conn, renovation_id, "application", data["photos"])
        await renovations.event(conn, renovation_id, now, user_id, "applied")
        for clerk in await machine.desk(conn):
            await outbox.add(conn, clerk.user_id, "renovation_applied", now,
                             payload={"renovation": renovation_id})
        if data["works"]:
            for reviewer in await _reviewers(conn):
                await outbox.add(conn, reviewer, "renovation_review", now,
                                 payload={"renovation": renovation_id})
        await conversations.finish(conn, draft, FLOW, renovation_id, now)
        return await renovations.get(conn, renovation_id)


async def _load(conn: Connection, renovation_id: int, seen: int | None = None) -> Renovation:
    found = await renovations.get(conn, renovation_id)
    if found is None:
        raise Refusal(Refusal.NOT_FOUND)
    if seen is not None and seen != found.version:
        raise Refusal(Refusal.STALE)
    return found


async def _tell(conn: Connection, user_ids: list[int], kind: str, renovation_id: int,
                now: datetime, **payload) -> None:
    for user_id in user_ids:
        await outbox.add(conn, user_id, kind, now,
                         payload={"renovation": renovation_id, **payload})


async def review(db: Database, reviewer_id: int, note: str, now: datetime) -> Renovation:
    """The repair department's answer on work touching structure or building services (the
    verdict tapped, then the reason written: one transaction)."""
    async with db.transaction() as conn:
        await access.require(conn, "renovations.review", reviewer_id)
        draft = await conversations.at_step(conn, reviewer_id, REVIEW_FLOW, "note", now)
        await drafts.delete(conn, reviewer_id)
        verdict = draft.data["verdict"]
        if verdict not in VERDICTS:
            raise Refusal(Refusal.INVALID)
        found = await _load(conn, draft.data["renovation_id"])
        if found.state != APPLIED or not found.works:
            raise Refusal(Refusal.STALE)
        state = REFUSED if verdict == "refused" else APPLIED
        if not await renovations.update(conn, found.id, found.version, review=verdict,
                                        state=state):
            raise Refusal(Refusal.STALE)
        await renovations.event(conn, found.id, now, reviewer_id, f"review_{verdict}", note)
        desk = [p.user_id for p in await machine.desk(conn)]
        await _tell(conn, desk + ([found.resident_id] if verdict != "approved" else []),
                    "renovation_reviewed", found.id, now, verdict=verdict, note=note)
        return await _load(conn, found.id)


PAYMENT = re.compile(r"^(?P<fee>\S*\d\S*)\s+(?P<deposit>\S*\d\S*)\s+(?P<receipt>\S.*)$")


def parse_payment(text: str, locale) -> tuple[Decimal, Decimal, str] | None:
    """'fee deposit receipt-number', such as '2,000 10,000 R0042', read in the clerk's
    locale; None when not in that form, numbers.Unreadable when an amount cannot be taken."""
    match = PAYMENT.match(numbers.normal(text))
    if match is None:
        return None
    return (numbers.amount(match.group("fee"), locale, zero=True),
            numbers.amount(match.group("deposit"), locale, zero=True),
            match.group("receipt")[:60])


async def pay(db: Database, settings: EstateSettings, clerk_id: int, fee: Decimal,
              deposit: Decimal, receipt: str, now: datetime) -> Renovation:
    """The fees paid, as the price list asks (not less), with the receipt's number."""
    async with db.transaction() as conn:
        await access.require(conn, "renovations.desk", clerk_id)
        draft = await conversations.at_step(conn, clerk_id, PAY_FLOW, "amounts", now)
        await drafts.delete(conn, clerk_id)
        found = await _load(conn, draft.data["renovation_id"])
        if found.state != APPLIED or found.fee is not None:
            raise Refusal(Refusal.STALE)
        if fee < settings.renovation_fee or deposit < settings.renovation_deposit:
            raise Refusal(Refusal.INVALID)
        if not await renovations.update(conn, found.id, found.version, fee=fee, deposit=deposit,
                                        receipt=receipt):
            raise Refusal(Refusal.STALE)
        await renovations.event(conn, found.id, now, clerk_id, "paid",
                                f"{plain(fee)} + {plain(deposit)}, {receipt}")
        return await _load(conn, found.id)


async def approve(db: Database, renovation_id: int, clerk_id: int, now: datetime,
                  seen: int | None = None) -> Renovation:
    """The permit: only once reviewed (when the work needs it) and paid."""
    async with db.transaction() as conn:
        await access.require(conn, "renovations.desk", clerk_id)
        found = await _load(conn, renovation_id, seen)
        if found.state != APPLIED:
            raise Refusal(Refusal.STALE)
        if found.works and found.review != "approved":
            raise Refusal(Refusal.NOT_REVIEWED)
        if found.fee is None:
            raise Refusal(Refusal.NOT_PAID)
        if not await renovations.update(conn, found.id, found.version, state=APPROVED):
            raise Refusal(Refusal.STALE)
        await renovations.event(conn, found.id, now, clerk_id, "approved")
        await _tell(conn, [found.resident_id], "renovation_permit", found.id, now)
        return await _load(conn, found.id)


async def request_inspection(db: Database, renovation_id: int, resident_id: int,
                             now: datetime) -> Renovation:
    async with db.transaction() as conn:
        found = await _load(conn, renovation_id)
        if found.resident_id != resident_id:
            raise Refusal(Refusal.FORBIDDEN)
        if found.state not in (APPROVED, FAILED) or not await renovations.update(
                conn, found.id, found.version, state=INSPECTION):
            raise Refusal(Refusal.STALE)
        await renovations.event(conn, found.id, now, resident_id, "inspection_requested")
        technicians = [p.user_id for p in await people.with_role(conn, roles.TECHNICIAN)]
        desk = [p.user_id for p in await machine.desk(conn)]
        await _tell(conn, technicians + desk, "renovation_inspection", found.id, now)
        return await _load(conn, found.id)


async def start_inspection(db: Database, renovation_id: int, actor_id: int,
                           now: datetime) -> Renovation:
    async with db.transaction() as conn:
        await access.require(conn, "renovations.inspect", actor_id)
        found = await _load(conn, renovation_id)
        if found.state != INSPECTION:
            raise Refusal(Refusal.STALE)
        await conversations.begin(conn, Draft(actor_id, INSPECT_FLOW, "photos",
                                              {"renovation_id": found.id, "photos": []}), now)
        return found


async def inspected(db: Database, actor_id: int, note: str, now: datetime) -> Renovation | None:
    """The inspection's result (the draft holds the photos and the verdict): pass records the
    deposit's refund, fail the items to fix; the resident is told. None when it moved on."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, INSPECT_FLOW, "note", now)
        await drafts.delete(conn, actor_id)
        found = await _load(conn, draft.data["renovation_id"])
        passed = draft.data["passed"]
        if found.state != INSPECTION or not await renovations.update(
                conn, found.id, found.version, state=PASSED if passed else FAILED):
            return None
        await renovations.add_photos(conn, found.id, f"inspection-{found.version}",
                                     draft.data["photos"])
        await renovations.event(conn, found.id, now, actor_id,
                                "inspection_passed" if passed else "inspection_failed", note)
        if passed and found.deposit:
            await renovations.event(conn, found.id, now, actor_id, "deposit_refunded",
                                    plain(found.deposit))
        await _tell(conn, [found.resident_id], "renovation_inspected", found.id, now,
                    passed=passed, note=note)
        return await _load(conn, found.id)


async def file_of(db: Database, renovation_id: int) -> tuple[Renovation, str, list[str]]:
    """The application with its unit's label and its photos (for cards and notices)."""
    async with db.reading() as conn:
        found = await _load(conn, renovation_id)
        unit = await roster.get_unit(conn, found.unit_id)
        return found, unit.label if unit else "", await renovations.photos(
            conn, found.id, "application")


async def permits_near(conn: Connection, building: str, day: str) -> list[Renovation]:
    return await renovations.active_in_building(conn, building, day)
