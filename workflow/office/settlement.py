"""The quarterly settlement per responsible unit (季度結算匯總): every job the unit was liable
for in the quarter with its cost, and those our own staff took over after the unit missed
its deadline, charged back; deadlines met and missed; totals. Only work done and measured
is settled; the rest is listed apart, with why. It is delivered in writing to
the unit's people in the chat, whose acknowledgement of receipt (送達) is recorded, and to
the managers; automatically on the first day of each quarter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from storage import drafts, outbox, people
from storage.db import Connection, Database, db_time, from_db_time
from storage.office import ledger
from storage.records import Contractor, Draft
from storage.repairs import contractors
from workflow import access, conversations, roles
from workflow import tickets as machine
from workflow.office import costs
from workflow.office.reports import day_bounds
from workflow.privacy import need_to_know
from workflow.settings import EstateSettings

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
CHARGED, TAKEN_OVER = "charged", "taken_over"
NOT_REDONE, UNCONFIRMED = "not_redone", "unconfirmed"  # why a job is pending
PAPER_FLOW = "settlement_paper_receipt"
MAX_NAME = 100
Refusal = machine.Refusal


@dataclass(frozen=True)
class Job:
    ref: str
    building: str
    unit: str
    category: str
    completed_at: datetime
    deadline_at: datetime
    kind: str  # charged (the unit's own work) or taken_over (ours, charged back)
    cost: Decimal  # costs.of's total, as in every other document
    taken_over_at: datetime | None = None  # when our staff took it over from the unit
    pending: str = ""  # why it is not settled this quarter (NOT_REDONE, UNCONFIRMED)
    resident: str = ""  # who reported it, and their phone: only when the estate's
    phone: str = ""  # settings let a unit's documents carry them (need_to_know)

    @property
    def met(self) -> bool:
        """The unit met its deadline: never so for a job taken over from it."""
        return self.kind == CHARGED and self.completed_at <= self.deadline_at


@dataclass(frozen=True)
class Settlement:
    unit: Contractor
    period: str
    first: date
    last: date
    jobs: list[Job]  # settled: done and measured (計量確認)
    pending: list[Job] = field(default_factory=list)  # listed apart, not settled
    named: bool = False  # its jobs carry the residents' names and phones (the settings')

    def total(self, kind: str) -> Decimal:
        return sum((j.cost for j in self.jobs if j.kind == kind), Decimal(0))

    @property
    def pending_total(self) -> Decimal:
        return sum((j.cost for j in self.pending), Decimal(0))

    @property
    def met(self) -> int:
        return sum(j.met for j in self.jobs)

    @property
    def missed(self) -> int:
        return sum(not j.met for j in self.jobs)


def quarter_days(period: str) -> tuple[date, date] | None:
    """'2026-Q4' as its first and last day."""
    match = QUARTER.match(period.strip().upper())
    if match is None:
        return None
    year, quarter = int(match.group(1)), int(match.group(2))
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + (quarter == 4), 3 * quarter % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def previous_quarter(day: date) -> str:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return quarter_of(date.fromordinal(first.toordinal() - 1))


async def _of(conn: Connection, settings: EstateSettings, unit: Contractor,
              period: str) -> Settlement:
    days = quarter_days(period)
    if days is None:
        raise Refusal(Refusal.INVALID)
    start, end = day_bounds(settings, *days)
    settled, pending = [], []
    for r in await ledger.settlement_rows(conn, unit.id, start, end, costs.DONE):
        cost = costs.of(r[10])
        if cost.payer != costs.UNIT:  # the desk put it at the estate's or the owner's cost
            continue
        job = Job(r[0], r[1], r[2], r[3], db_time(r[4]), db_time(r[5]), r[6], cost.total,
                  from_db_time(r[8]))
        since = _settleable_since(r[7], cost, job.completed_at, from_db_time(r[9]))
        if since is not None and start <= since < end:
            settled.append(job)
        else:  # not settleable by the quarter's end: settled in the quarter it becomes so
            pending.append(replace(job, pending=_pending(r[7], cost)))
    if not need_to_know.names_on_documents(settings):  # units, not who lives there
        return Settlement(unit, period, *days, settled, pending)
    found = await ledger.residents_of(conn, [j.ref for j in settled + pending])

    def named(job: Job) -> Job:
        name, phone = found.get(job.ref, ("", ""))
        return replace(job, resident=name, phone=phone)
    return Settlement(unit, period, *days, [named(j) for j in settled],
                      [named(j) for j in pending], named=True)


def _settleable_since(status: str, cost: costs.Cost, completed_at: datetime,
                      measured_at: datetime | None) -> datetime | None:
    """When the job became settleable: done and measured, the later of its last completion
    and the desk's first measurement (a later correction does not move it); None if not."""
    if status not in costs.DONE or not cost.confirmed or measured_at is None:
        return None
    return max(completed_at, measured_at)


def _pending(status: str, cost: costs.Cost) -> str:
    """Only work done and measured is settled: a job the owner reopened as not fixed and
    nobody redid, or whose figures the desk had not confirmed by the quarter's end, waits."""
    if status not in costs.DONE:
        return NOT_REDONE
    return UNCONFIRMED


async def of_unit(db: Database, settings: EstateSettings, key: str,
                  period: str) -> Settlement:
    async with db.reading() as conn:
        unit = await contractors.by_key(conn, key)
        if unit is None:
            raise Refusal(Refusal.NOT_FOUND)
        return await _of(conn, settings, unit, period)


async def all_units(db: Database, settings: EstateSettings, period: str) -> list[Settlement]:
    async with db.reading() as conn:
        return [await _of(conn, settings, unit, period)
                for unit in await contractors.active(conn)]


async def of_delivery(db: Database, settings: EstateSettings,
                      delivery_id: int) -> tuple[Settlement, datetime | None]:
    """The settlement a delivery carried, and when its receipt was acknowledged."""
    async with db.reading() as conn:
        found = await ledger.delivery(conn, delivery_id)
        if found is None:
            raise Refusal(Refusal.NOT_FOUND)
        unit = await contractors.get(conn, found[0])
        assert unit is not None
        return await _of(conn, settings, unit, found[1]), from_db_time(found[3])


async def deliver(conn: Connection, period: str, now: datetime,
                  unit_key: str | None = None) -> int:
    """Each active unit's settlement (or only the unit `unit_key`'s) goes to its people in
    the chat (to acknowledge) and to the managers; once per unit and quarter. A unit with
    nobody in the chat is delivered on paper: the managers' copy says so, and the clerks get
    it to print and to record the receipt. Returns how many units."""
    units = await contractors.active(conn)
    if unit_key is not None:
        units = [u for u in units if u.key == unit_key]
        if not units:
            raise Refusal(Refusal.NOT_FOUND)
    managers = await people.reachable_with_role(conn, roles.MANAGER)
    clerks = await people.reachable_with_role(conn, roles.CLERK)
    count = 0
    for unit in units:
        delivery_id = await ledger.record_delivery(conn, unit.id, period, now)
        own = [p for p in await people.of_contractor(conn, unit.id) if not p.unreachable]
        for person in own:
            await outbox.add(conn, person.user_id, "settlement", now,
                             payload={"delivery": delivery_id})
        copies = managers if own else {p.user_id: p for p in (*managers, *clerks)}.values()
        for manager in copies:
            await outbox.add(conn, manager.user_id, "settlement", now,
                             payload={"delivery": delivery_id, "copy": True,
                                      "paper": not own})
        count += 1
    return count


async def deliver_now(db: Database, period: str, now: datetime,
                      unit_key: str | None = None) -> int:
    async with db.transaction() as conn:
        return await deliver(conn, period, now, unit_key)


async def acknowledge(db: Database, delivery_id: int, user_id: int, now: datetime) -> bool:
    """送達: one of the unit's people confirms receipt; False when already acknowledged."""
    async with db.transaction() as conn:
        person = await access.require(conn, "office.acknowledge", user_id, delivery_id)
        return await ledger.acknowledge(conn, delivery_id, person.contractor_id or 0, user_id,
                                        now)


# -- who received it, and when ----------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """A unit's settlement of a quarter: not delivered (sent_at None), delivered and not yet
    received, received in the chat (by), or on paper (signer, recorded by a clerk)."""
    delivery_id: int | None = None
    sent_at: datetime | None = None
    received_at: datetime | None = None
    by: str | None = None
    signer: str | None = None
    recorded_by: str | None = None
    in_chat: bool = True  # the unit has people in the chat; else it goes on paper


async def receipts(db: Database, period: str) -> dict[int, Receipt]:
    """Per active unit (by id), how its settlement of the quarter stands."""
    async with db.reading() as conn:
        found = await ledger.receipts(conn, period)
        result = {}
        for unit in await contractors.active(conn):
            in_chat = any(not p.unreachable for p in await people.of_contractor(conn, unit.id))
            row = found.get(unit.id)
            result[unit.id] = Receipt(in_chat=in_chat) if row is None else Receipt(
                row[0], db_time(row[1]), from_db_time(row[2]), row[3], row[4], row[5], in_chat)
        return result


async def start_paper_receipt(db: Database, delivery_id: int, actor_id: int,
                              now: datetime) -> Contractor:
    """A clerk records that the unit received the settlement on paper: asks who signed."""
    async with db.transaction() as conn:
        await access.require(conn, "office.paper_receipt", actor_id)
        unit = await _unreceived(conn, delivery_id)
        await conversations.begin(conn, Draft(actor_id, PAPER_FLOW, "name",
                                              {"delivery": delivery_id}), now)
        return unit


async def paper_receipt(db: Database, actor_id: int, signer: str,
                        now: datetime) -> tuple[Contractor, str] | None:
    """The name of who signed for the unit: the receipt is recorded with the clerk who
    entered it. None when it was received meanwhile."""
    async with db.transaction() as conn:
        draft = await conversations.at_step(conn, actor_id, PAPER_FLOW, "name", now)
        await drafts.delete(conn, actor_id)
        await access.require(conn, "office.paper_receipt", actor_id)
        found = await ledger.delivery(conn, draft.data["delivery"])
        unit = await contractors.get(conn, found[0]) if found else None
        if found is None or unit is None or not await ledger.record_paper_receipt(
                conn, draft.data["delivery"], signer[:MAX_NAME], actor_id, now):
            return None
        return unit, found[1]


async def _unreceived(conn: Connection, delivery_id: int) -> Contractor:
    found = await ledger.delivery(conn, delivery_id)
    if found is None:
        raise Refusal(Refusal.NOT_FOUND)
    if found[3] is not None:
        raise Refusal(Refusal.STALE)  # received already
    unit = await contractors.get(conn, found[0])
    assert unit is not None
    return unit
