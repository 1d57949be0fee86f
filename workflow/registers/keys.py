"""The key register (鑰匙管理, §4.5). No private borrowing: a loan carries a work reason (a
job, or a reason a supervisor approved). A resident's deposited keys go out only with the
resident's consent in the chat (no answer means no), unless a supervisor declares an
emergency, which tells the resident at once. The key keeper hands keys out and takes them
back; keys not back in time remind the borrower, then alert the key keeper and supervisors.
Each kind keeps an emergency spare set: a spare names the key it copies, and the set is
complete only when every key of the kind has its spare in the cabinet. Every loan that went
out stays in the history (who asked, who handed out, who took it back, when)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import outbox, people, roster, tickets
from storage.db import Connection, Database
from storage.registers import keys
from storage.registers.keys import Key, Loan
from workflow import access, roles, units
from workflow import tickets as machine

OWNER_KINDS = ("owner_door", "owner_inner", "owner_intercom", "owner_meter_box",
               "owner_mailbox")  # the five the document names, deposited by residents
KINDS = (*OWNER_KINDS, "public_door", "equipment_room", "water_meter_box")
CONSENT, APPROVAL, READY, OUT, RETURNED, REFUSED = (
    "consent", "approval", "ready", "out", "returned", "refused")
WAITING = (CONSENT, APPROVAL, READY)
LOAN_TIME = timedelta(hours=4)  # due back after being handed out
ESCALATE_AFTER = timedelta(hours=2)  # after the due time, the keeper and supervisors hear
MAX_REASON = 300
Refusal = machine.Refusal


@dataclass(frozen=True)
class SpareSet:
    """A kind's spare set: of its `total` keys, `present` have a spare in the cabinet;
    `missing` have no spare at all, `out` have theirs out. No spare of the kind: total 0."""
    kind: str
    total: int
    present: int
    missing: tuple[Key, ...] = ()
    out: tuple[Key, ...] = ()

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.present == self.total


def spare_sets(every: list[Key]) -> list[SpareSet]:
    """Each kind's set, key by key: one spare of the pump room does not cover the switch
    room."""
    found = []
    for kind in KINDS:
        of_kind = [k for k in every if k.kind == kind]
        if not of_kind:
            continue
        spares = [k for k in of_kind if k.spare]
        if not spares:
            found.append(SpareSet(kind, 0, 0))
            continue
        keys_ = [k for k in of_kind if not k.spare]
        missing = tuple(k for k in keys_ if not any(s.copies == k.tag for s in spares))
        out = tuple(k for k in keys_ if k not in missing and
                    all(s.loan_id is not None for s in spares if s.copies == k.tag))
        found.append(SpareSet(kind, len(keys_), len(keys_) - len(missing) - len(out),
                              missing, out))
    return found


async def _keepers(conn: Connection) -> list[int]:
    found = await people.reachable_with_role(conn, roles.KEY_KEEPER) or \
        await people.reachable_with_role(conn, roles.SUPERVISOR)
    return [p.user_id for p in found]


async def _tell(conn: Connection, user_ids: list[int], kind: str, loan: int,
                now: datetime) -> None:
    for user_id in user_ids:
        await outbox.add(conn, user_id, kind, now, payload={"loan": loan})


async def deposited(db: Database, ticket_id: int, borrower_id: int) -> list[Key]:
    """The keys of the job's unit deposited with the office, for the holder to choose from."""
    async with db.reading() as conn:
        await access.require(conn, "keys.for_job", borrower_id, ticket_id)
        ticket = await machine.load(conn, ticket_id)
        return await keys.of_unit(conn, ticket.unit.id)


async def for_job(db: Database, ticket_id: int, borrower_id: int, now: datetime,
                  key_ids: list[int] | None = None) -> Loan:
    """The job's holder asks for the unit's deposited keys the job needs (`key_ids`; all of
    them when not said), the resident being away: the resident is asked for consent."""
    async with db.transaction() as conn:
        await access.require(conn, "keys.for_job", borrower_id, ticket_id)
        ticket = await machine.load(conn, ticket_id)
        if ticket.status not in tickets.UNRESOLVED_STATUSES:
            raise Refusal(Refusal.STALE)
        deposited = await keys.of_unit(conn, ticket.unit.id)
        if not deposited:
            raise Refusal(Refusal.NOT_FOUND)
        if key_ids is not None:
            if not key_ids or not set(key_ids) <= {k.id for k in deposited}:
                raise Refusal(Refusal.INVALID)  # none chosen, or a key of another unit
            deposited = [k for k in deposited if k.id in key_ids]
        if any(loan.ticket_id == ticket.id for loan in await keys.loans_in(conn, (*WAITING,
                                                                                OUT))):
            raise Refusal(Refusal.STALE)  # asked already
        loan_id = await keys.add_loan(conn, borrower_id, ticket.ref, ticket.id, ticket.unit.id,
                                      CONSENT, [k.id for k in deposited], now)
        await _tell(conn, [ticket.resident_id], "key_consent", loan_id, now)
        found = await keys.loan(conn, loan_id)
        assert found is not None
        return found


async def consent(db: Database, loan_id: int, resident_id: int, allow: bool,
                  now: datetime) -> Loan | None:
    """The resident's answer; None when already answered (or decided otherwise)."""
    async with db.transaction() as conn:
        loan = await _loan(conn, loan_id)
        await access.require(conn, "keys.consent", resident_id, loan.id)
        if not await keys.move(conn, loan.id, CONSENT, READY if allow else REFUSED,
                               decided_by=resident_id):
            return None
        await _tell(conn, [loan.borrower_id], "key_answered", loan.id, now)
        if allow:
            await _tell(conn, await _keepers(conn), "key_ready", loan.id, now)
        return await _loan(conn, loan.id)


async def emergency(db: Database, loan_id: int, supervisor_id: int, now: datetime) -> Loan:
    """A supervisor declares an emergency: the keys go without waiting for consent, and the
    resident is told at once."""
    async with db.transaction() as conn:
        await access.require(conn, "keys.emergency", supervisor_id)
        loan = await _loan(conn, loan_id)
        if not await keys.move(conn, loan.id, CONSENT, READY, emergency=1,
                               decided_by=supervisor_id):
            raise Refusal(Refusal.STALE)
        ticket = await machine.load(conn, loan.ticket_id or 0)
        await _tell(conn, [ticket.resident_id], "key_emergency", loan.id, now)
        await _tell(conn, [loan.borrower_id], "key_answered", loan.id, now)
        await _tell(conn, await _keepers(conn), "key_ready", loan.id, now)
        return await _loan(conn, loan.id)


async def for_reason(db: Database, borrower_id: int, tag: str, reason: str,
                     now: datetime) -> Loan:
    """A key of the estate (a public door, an equipment room, a meter box) for a work reason,
    which a supervisor approves. A resident's key goes out only for a job, with consent."""
    async with db.transaction() as conn:
        await access.require(conn, "keys.borrow", borrower_id)
        key = await keys.by_tag(conn, tag)
        if key is None:
            raise Refusal(Refusal.NOT_FOUND)
        if key.kind in OWNER_KINDS:
            raise Refusal(Refusal.FORBIDDEN)
        loan_id = await keys.add_loan(conn, borrower_id, reason, None, None, APPROVAL, [key.id],
                                      now)
        supervisors = await people.reachable_with_role(conn, roles.SUPERVISOR) or \
            await people.reachable_with_role(conn, roles.MANAGER)
        await _tell(conn, [p.user_id for p in supervisors], "key_approval", loan_id, now)
        return await _loan(conn, loan_id)


async def decide(db: Database, loan_id: int, supervisor_id: int, approve: bool,
                 now: datetime) -> Loan | None:
    async with db.transaction() as conn:
        await access.require(conn, "keys.decide", supervisor_id)
        loan = await _loan(conn, loan_id)
        if not await keys.move(conn, loan.id, APPROVAL, READY if approve else REFUSED,
                               decided_by=supervisor_id):
            return None
        await _tell(conn, [loan.borrower_id], "key_answered", loan.id, now)
        if approve:
            await _tell(conn, await _keepers(conn), "key_ready", loan.id, now)
        return await _loan(conn, loan.id)


async def hand_out(db: Database, loan_id: int, keeper_id: int, now: datetime) -> Loan:
    async with db.transaction() as conn:
        await access.require(conn, "keys.hand_out", keeper_id)
        loan = await _loan(conn, loan_id)
        if not await keys.move(conn, loan.id, READY, OUT, out_at=now, due_at=now + LOAN_TIME,
                               handed_out_by=keeper_id):
            raise Refusal(Refusal.STALE)
        if not await keys.hand_out(conn, loan.id):
            raise Refusal(Refusal.STALE)  # a key of it is out on another loan
        if any(k.spare for k in await keys.of_loan(conn, loan.id)):
            await _tell(conn, await _keepers(conn), "spares_incomplete", loan.id, now)
        await _tell(conn, [loan.borrower_id], "key_out", loan.id, now)  # with the due time
        return await _loan(conn, loan.id)


async def take_back(db: Database, loan_id: int, keeper_id: int, now: datetime) -> Loan | None:
    """The keys are back; None when already recorded."""
    async with db.transaction() as conn:
        await access.require(conn, "keys.take_back", keeper_id)
        loan = await _loan(conn, loan_id)
        if not await keys.move(conn, loan.id, OUT, RETURNED, returned_at=now,
                               taken_back_by=keeper_id):
            return None
        await keys.bring_back(conn, loan.id)
        return await _loan(conn, loan.id)


async def overdue(db: Database, now: datetime) -> int:
    """In the minute's sweep: keys not back remind their borrower at the due time, and two
    hours later alert the key keeper and supervisors; each once."""
    async with db.reading() as conn:  # most minutes nothing is due: nothing is written
        due = [loan for loan in await keys.loans_in(conn, (OUT,)) if loan.due_at is not None
               and ((loan.due_at <= now and loan.reminded_at is None) or
                    (loan.due_at + ESCALATE_AFTER <= now and loan.escalated_at is None))]
    if not due:
        return 0
    told = 0
    async with db.transaction() as conn:
        for loan in await keys.loans_in(conn, (OUT,)):
            if loan.due_at is None or loan.due_at > now:
                continue
            if await keys.mark(conn, loan.id, "reminded_at", now):
                await _tell(conn, [loan.borrower_id], "key_overdue", loan.id, now)
                told += 1
            if loan.due_at + ESCALATE_AFTER <= now and \
                    await keys.mark(conn, loan.id, "escalated_at", now):
                supervisors = [p.user_id for p in await people.reachable_with_role(
                    conn, roles.SUPERVISOR)]
                await _tell(conn, sorted(set(await _keepers(conn) + supervisors)),
                            "key_overdue_alert", loan.id, now)
                told += 1
    return told


async def register_view(db: Database, viewer_id: int) -> tuple[list[tuple[Loan, list[Key]]],
                                                               list[SpareSet]]:
    """/keys: the loans open (waiting or out) with their keys, and each kind's spare set."""
    async with db.reading() as conn:
        await access.require(conn, "keys.view", viewer_id)
        loans = [(loan, await keys.of_loan(conn, loan.id))
                 for loan in await keys.loans_in(conn, (*WAITING, OUT))]
        return loans, spare_sets(await keys.every(conn))


async def history(db: Database, viewer_id: int, subject: str = "",
                  ) -> tuple[str, list[tuple[Loan, list[Key]]], dict[int, str]]:
    """The loans that went out of one key (its tag), of one unit's keys ("A 12F-3"), or of
    every key (no subject): what the subject is called, the loans newest first with their
    keys, and the names of the people in them. NOT_FOUND when the subject is neither."""
    async with db.reading() as conn:
        await access.require(conn, "keys.view", viewer_id)
        name, found = "", []
        if not subject:
            found = await keys.history(conn)
        elif (key := await keys.by_tag(conn, subject.strip().upper())) is not None:
            name, found = key.tag, await keys.history(conn, key_id=key.id)
        else:
            units_found, _ = await units.find(conn, subject)
            if len(units_found) != 1:
                raise Refusal(Refusal.NOT_FOUND)
            name = units_found[0].label
            found = await keys.history(conn, unit_id=units_found[0].id)
        ids = {i for loan, _ in found for i in (loan.borrower_id, loan.decided_by,
                                                  loan.handed_out_by, loan.taken_back_by) if i}
        return name, found, await people.names(conn, ids)


async def loan_file(db: Database, loan_id: int) -> tuple[Loan, list[Key], str]:
    """A loan with its keys and the label of the unit they open (for the notices)."""
    async with db.reading() as conn:
        loan = await _loan(conn, loan_id)
        unit = await roster.get_unit(conn, loan.unit_id) if loan.unit_id else None
        return loan, await keys.of_loan(conn, loan.id), unit.label if unit else ""


async def _loan(conn: Connection, loan_id: int) -> Loan:
    found = await keys.loan(conn, loan_id)
    if found is None:
        raise Refusal(Refusal.NOT_FOUND)
    return found
