"""Renovation permits (裝修管理, §4.7). A resident applies in the chat: the scope, whether the
work touches structure, walls, plumbing or electrics, the dates, the contractor and drawings
or photos. Work on structure or building services is reviewed by the repair department
first, and the fees (management fee and deposit, by the price list) are recorded when paid:
the desk cannot approve without both. The permit goes to the resident; at the end a
technician inspects (驗收): pass asks the cashier to refund the deposit (less any deduction,
with why), fail lists what to fix. The fee, the deposit and its refund are bills and payments
of the fee ledger, so they reach the day's close and the income statement. After "needs
changes" the resident amends the application (words and drawings) for a new review."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from storage import drafts, outbox, people, roster
from storage.db import Connection, Database
from storage.exact import plain
from storage.fees import ledger
from storage.records import Draft
from storage.registers import renovations
from storage.registers.renovations import Renovation
from workflow import access, conversations, dates, numbers, roles
from workflow import tickets as machine
from workflow.fees import collection
from workflow.settings import EstateSettings

FLOW = "renovation"
INSPECT_FLOW = "renovation_inspection"
PAY_FLOW, REVIEW_FLOW = "renovation_payment", "renovation_review"
REFUND_FLOW, AMEND_FLOW = "renovation_refund", "renovation_amendment"
# The fee ledger's items (bills) of a renovation; a refund is a negative bill and payment.
FEE_ITEM, DEPOSIT_ITEM, REFUND_ITEM = "renovation_fee", "renovation_deposit", \
    "renovation_deposit_refund"
METHOD = "cash"  # unless the cashier says otherwise; a refund is paid out in cash
SCOPES = ("flooring", "painting", "kitchen", "bathroom", "walls", "electrics", "plumbing",
          "windows", "other")
WORKS = ("structure", "walls", "plumbing", "electrics")  # these need the engineering review
APPLIED, APPROVED, INSPECTION, PASSED, FAILED, REFUSED, REFUNDED = (
    "applied", "approved", "inspection", "passed", "failed", "refused", "refunded")
VERDICTS = ("approved", "refused", "changes")
MAX_TEXT = 1000
MAX_DAYS = 180
MAX_PHOTOS = 5
Refusal = machine.Refusal


class TooEarly(Exception):
    """The acceptance inspection is asked before the permit's first day."""

    def __init__(self, start: str) -> None:
        super().__init__(start)
        self.start = start


class TooMuch(Exception):
    """A deduction larger than the deposit held."""


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
        cashiers = await people.reachable_with_role(conn, roles.CASHIER)  # take the fees
        for clerk in [*await machine.desk(conn), *cashiers]:
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
        await _tell(conn, [*desk, found.resident_id], "renovation_reviewed", found.id, now,
                    verdict=verdict, note=note)
        return await _load(conn, found.id)


def start_amendment(renovation_id: int, user_id: int) -> Draft:
    return Draft(user_id, AMEND_FLOW, "details", {"renovation_id": renovation_id,
                                                  "photos": [], "documents": []})


async def may_amend(db: Database, renovation_id: int, resident_id: int) -> Renovation:
    """Only the applicant, and only while the review asks for changes."""
    async with db.reading() as conn:
        found = await _load(conn, renovation_id)
        if found.resident_id != resident_id:
            raise Refusal(Refusal.FORBIDDEN)
        if found.state != APPLIED or found.review != "changes":
            raise Refusal(Refusal.STALE)
        return found


async def amend(db: Database, resident_id: int, now: datetime) -> Renovation:
    """The application amended after "needs changes": the new words and drawings are added
    (the first application stays as it was), and the repair department reviews it again."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, resident_id, AMEND_FLOW, "photos", now)
        await drafts.delete(conn, resident_id)
        found = await _load(conn, draft.data["renovation_id"])
        if found.resident_id != resident_id:
            raise Refusal(Refusal.FORBIDDEN)
        if found.state != APPLIED or found.review != "changes" or \
                not await renovations.update(conn, found.id, found.version, review=None):
            raise Refusal(Refusal.STALE)
        stage = f"amendment-{found.version}"
        await renovations.add_photos(conn, found.id, stage, draft.data["photos"])
        await renovations.add_photos(conn, found.id, f"{stage}-documents",
                                     draft.data["documents"])
        await renovations.event(conn, found.id, now, resident_id, "amended",
                                draft.data["details"])
        await _tell(conn, await _reviewers(conn), "renovation_review", found.id, now,
                    amended=stage)
        return await _load(conn, found.id)


async def amendments(db: Database, renovation_id: int) -> list[str]:
    """What the resident wrote in each amendment, oldest first."""
    async with db.reading() as conn:
        return await renovations.notes(conn, renovation_id, "amended")


async def drawings(db: Database, renovation_id: int, stage: str) -> tuple[list[str], list[str]]:
    """The photos and the documents (drawings as files) an amendment added."""
    async with db.reading() as conn:
        return (await renovations.photos(conn, renovation_id, stage),
                await renovations.photos(conn, renovation_id, f"{stage}-documents"))


async def mine(db: Database, user_id: int) -> list[Renovation]:
    """The person's renovations, newest first (for /mytickets)."""
    async with db.reading() as conn:
        return await renovations.of_resident(conn, user_id)


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


async def pay(db: Database, settings: EstateSettings, cashier_id: int, fee: Decimal,
              deposit: Decimal, receipt: str, now: datetime,
              method: str = METHOD) -> Renovation:
    """The fees paid at the cashier, as the price list asks (not less), with the receipt's
    number and how it was paid: a bill for the fee and one for the deposit, and one payment
    of both."""
    if collection.method_of(method) is None:
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "renovations.cashier", cashier_id)
        draft = await conversations.at_step(conn, cashier_id, PAY_FLOW, "amounts", now)
        await drafts.delete(conn, cashier_id)
        found = await _load(conn, draft.data["renovation_id"])
        if found.state != APPLIED or found.fee is not None:
            raise Refusal(Refusal.STALE)
        if fee < settings.renovation_fee or deposit < settings.renovation_deposit:
            raise Refusal(Refusal.INVALID)
        if not await renovations.update(conn, found.id, found.version, fee=fee, deposit=deposit,
                                        receipt=receipt):
            raise Refusal(Refusal.STALE)
        # one receipt for both: the deposit billed, then the fee billed with the payment of
        # both (the ledger's one way in: receipt once, open day, alerts, the residents' receipt)
        billed = [(item, amount) for item, amount in ((DEPOSIT_ITEM, deposit), (FEE_ITEM, fee))
                  if amount]
        for n, (item, amount) in enumerate(billed):
            last = n == len(billed) - 1
            tender = collection.Tender(method, receipt, cashier_id, amount=fee + deposit)
            await collection.bill_and_pay(conn, settings, found.unit_id, item, amount, now,
                                          reference=found.ref, tender=tender if last else None)
        await renovations.event(conn, found.id, now, cashier_id, "paid",
                                f"{plain(fee)} + {plain(deposit)}, {receipt}")
        await _tell(conn, [p.user_id for p in await machine.desk(conn)], "renovation_paid",
                    found.id, now)
        return await _load(conn, found.id)


async def start_at_cashier(db: Database, renovation_id: int, cashier_id: int, flow: str,
                           now: datetime) -> None:
    """The cashier's button (take the fees, refund the deposit) opens its question only while
    that is still to do: an old button is refused before any amount is asked for."""
    async with db.transaction() as conn:
        await access.require(conn, "renovations.cashier", cashier_id)
        found = await _load(conn, renovation_id)
        due = (found.state == APPLIED and found.fee is None) if flow == PAY_FLOW \
            else found.state == PASSED
        if not due:
            raise Refusal(Refusal.STALE)
        step = "amounts" if flow == PAY_FLOW else "deduction"
        await conversations.begin(conn, Draft(cashier_id, flow, step,
                                              {"renovation_id": found.id}), now)


def parse_deduction(text: str, locale) -> tuple[Decimal, str] | None:
    """'0', or 'amount why' such as '1,500 lift lobby tile cracked': None when not in that
    form (a deduction needs its reason), numbers.Unreadable when the amount cannot be taken."""
    try:
        value, why = numbers.amount(text, locale, zero=True), ""  # "0", "0元"
    except numbers.Unreadable:
        value, why = numbers.leading_amount(text, locale)
    if value and not why.strip():
        return None
    return value, why.strip()[:MAX_TEXT]


async def refund(db: Database, settings: EstateSettings, cashier_id: int, deducted: Decimal,
                 why: str, now: datetime) -> Renovation:
    """The deposit paid back by the cashier once the inspection passed, less what is
    deducted (with why): a negative bill and a negative payment in the fee ledger, the
    resident told. Once."""
    async with db.transaction() as conn:
        await access.require(conn, "renovations.cashier", cashier_id)
        draft = await conversations.at_step(conn, cashier_id, REFUND_FLOW, "deduction", now)
        await drafts.delete(conn, cashier_id)
        found = await _load(conn, draft.data["renovation_id"])
        if found.state != PASSED:
            raise Refusal(Refusal.STALE)
        held = found.deposit or Decimal(0)
        if deducted > held:
            raise TooMuch()
        if not await renovations.update(conn, found.id, found.version, state=REFUNDED):
            raise Refusal(Refusal.STALE)
        back = held - deducted
        if back:
            await collection.bill_and_pay(
                conn, settings, found.unit_id, REFUND_ITEM, -back, now, reference=found.ref,
                tender=collection.Tender(METHOD, f"{found.ref}-R", cashier_id))
        await renovations.event(conn, found.id, now, cashier_id, "deposit_refunded",
                                f"{plain(back)}; {plain(deducted)} {why}".strip())
        await _tell(conn, [found.resident_id], "renovation_refunded", found.id, now,
                    refunded=str(back), deducted=str(deducted), why=why)
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
        owed = (found.fee or Decimal(0)) + (found.deposit or Decimal(0))
        if await ledger.paid_toward(conn, found.unit_id, found.ref,
                                    (FEE_ITEM, DEPOSIT_ITEM)) < owed:
            raise Refusal(Refusal.NOT_PAID)  # the payment was reversed by a manager since
        if not await renovations.update(conn, found.id, found.version, state=APPROVED):
            raise Refusal(Refusal.STALE)
        await renovations.event(conn, found.id, now, clerk_id, "approved")
        await _tell(conn, [found.resident_id], "renovation_permit", found.id, now)
        return await _load(conn, found.id)


async def request_inspection(db: Database, renovation_id: int, resident_id: int,
                             now: datetime, tz) -> Renovation:
    """From the permit's first day on (TooEarly before it)."""
    async with db.transaction() as conn:
        found = await _load(conn, renovation_id)
        if found.resident_id != resident_id:
            raise Refusal(Refusal.FORBIDDEN)
        if found.state == APPROVED and now.astimezone(tz).date().isoformat() < found.start_date:
            raise TooEarly(found.start_date)
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
        await _tell(conn, [found.resident_id], "renovation_inspected", found.id, now,
                    passed=passed, note=note)
        if passed and found.deposit:  # the deposit goes back through the cashier's drawer
            cashiers = await people.reachable_with_role(conn, roles.CASHIER)
            await _tell(conn, [p.user_id for p in cashiers], "renovation_refund_due", found.id,
                        now)
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
