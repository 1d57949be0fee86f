"""Unit sales control (房號管理): a unit is available, reserved or contracted. Only a
reservation payment holds a unit: recorded by the sales service or finance, it holds the
unit's place in line at once (first paid, first served: a second is refused), and a second
person verifies it against the money received before the unit counts as reserved; then every
sales person is told to stop offering it. Enquiries and intentions hold nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from storage import outbox, people
from storage.db import Database
from storage.records import Unit
from storage.sales import units
from storage.sales.units import Reservation
from workflow import access, dates, roles
from workflow import tickets as machine
from workflow import units as unit_names
from workflow.settings import EstateSettings

Refusal = machine.Refusal
RECORDERS = (roles.SALES_SERVICE, roles.CASHIER)
VERIFIERS = (roles.CASHIER, roles.MANAGER, roles.SALES_SUPERVISOR)
VIEWERS = (*roles.SALES, roles.CASHIER)
MAX_AMOUNT = Decimal(100_000_000)


class Taken(Exception):
    """The unit is not free: its status, and the reservation that holds it, if any."""

    def __init__(self, unit: Unit, status: str, holder: Reservation | None) -> None:
        super().__init__(status)
        self.unit, self.status, self.holder = unit, status, holder


class SamePerson(Exception):
    """The person who recorded a reservation cannot also verify it."""


async def reserve(db: Database, actor_id: int, unit: str, amount: Decimal, receipt: str,
                  buyer: str, now: datetime) -> Reservation:
    if not 0 < amount <= MAX_AMOUNT or not receipt or not buyer:
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "sales.reserve", actor_id)
        found, _ = await unit_names.find(conn, unit)
        if len(found) != 1:
            raise Refusal(Refusal.NOT_FOUND)
        status = await units.status(conn, found[0].id)
        reservation_id = await units.add_reservation(conn, found[0].id, buyer[:100], amount,
                                                     receipt[:40], actor_id, now) \
            if status == units.AVAILABLE else None
        if reservation_id is None:
            raise Taken(found[0], status, await units.live_of_unit(conn, found[0].id))
        for role in VERIFIERS:
            for person in await people.reachable_with_role(conn, role):
                if person.user_id != actor_id:
                    await outbox.add(conn, person.user_id, "reservation_to_verify", now,
                                     actor_id=actor_id, payload={"reservation": reservation_id})
        made = await units.get(conn, reservation_id)
        assert made is not None
        return made


async def verify(db: Database, actor_id: int, reservation_id: int, accept: bool,
                 now: datetime) -> Reservation:
    """The second person's check: the money is there (the unit is reserved, and every sales
    person told) or it is not (the reservation is void and the unit free again)."""
    async with db.transaction() as conn:
        await access.require(conn, "sales.verify", actor_id)
        found = await units.get(conn, reservation_id)
        if found is None:
            raise Refusal(Refusal.NOT_FOUND)
        if found.recorded_by == actor_id:
            raise SamePerson()
        if not await units.decide(conn, reservation_id,
                                  units.VERIFIED if accept else units.VOID, actor_id, now):
            raise Refusal(Refusal.STALE)
        payload = {"reservation": reservation_id}
        if accept:
            await units.set_status(conn, found.unit.id, units.RESERVED, now)
            told = {p.user_id for role in (roles.SALES_SERVICE, roles.SALES_SUPERVISOR)
                    for p in await people.reachable_with_role(conn, role)}
            for user_id in sorted((told | {found.recorded_by}) - {actor_id}):
                await outbox.add(conn, user_id, "unit_reserved", now, actor_id=actor_id,
                                 payload=payload)
        else:
            await outbox.add(conn, found.recorded_by, "reservation_void", now,
                             actor_id=actor_id, payload=payload)
        decided = await units.get(conn, reservation_id)
        assert decided is not None
        return decided


async def get(db: Database, reservation_id: int) -> Reservation | None:
    async with db.reading() as conn:
        return await units.get(conn, reservation_id)


async def board(db: Database, actor_id: int) -> list[tuple[Unit, str]]:
    """Every unit with its sales status, for /units."""
    async with db.reading() as conn:
        await access.require(conn, "sales.units", actor_id)
        return await units.statuses(conn)


async def daily_report(db: Database, settings: EstateSettings, now: datetime) -> int:
    """The day's sales (units reserved and contracted, payments recorded) to the sales
    supervisors (the managers when there are none), once a day from `sales_report_time`.
    Nothing on a day without sales."""
    local = now.astimezone(settings.tz)
    if local.time().replace(tzinfo=None) < settings.sales_report_time:
        return 0
    start = datetime.combine(local.date(), datetime.min.time(), settings.tz)
    async with db.reading() as conn:
        if await units.report_sent(conn, local.date().isoformat()):
            return 0
        changed = await units.changed_between(conn, start, start + timedelta(days=1))
        recorded = await units.recorded_between(conn, start, start + timedelta(days=1))
    if not changed and not recorded:
        return 0
    async with db.transaction() as conn:
        if not await units.note_report(conn, local.date().isoformat(), now):
            return 0
        readers = await people.reachable_with_role(conn, roles.SALES_SUPERVISOR) or \
            await people.reachable_with_role(conn, roles.MANAGER)
        for reader in readers:
            await outbox.add(conn, reader.user_id, "sales_report", now,
                             payload={"day": local.date().isoformat()})
        return len(readers)


async def day_figures(db: Database, settings: EstateSettings, day: str
                      ) -> tuple[list[tuple[Unit, str]], list[Reservation]]:
    start = datetime.combine(dates.day(day), datetime.min.time(),
                             settings.tz)
    async with db.reading() as conn:
        return (await units.changed_between(conn, start, start + timedelta(days=1)),
                await units.recorded_between(conn, start, start + timedelta(days=1)))
