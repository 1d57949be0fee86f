"""The archive (檔案管理, §4.4): owner files, drawings, contracts and handover records, each
with its location and confidentiality. Reading one on site (it does not leave the archive
room) or borrowing it (due back in three days) needs a manager's permission, except an
inspection by the company's higher departments, recorded as such; a refusal gives its
reason, which the requester is told. The archivist hands items out and records their return;
items borrowed and not back in time alert. The check plan: at least two checks a year, the
archivist reminded when one is due, a missed one in the managers' weekly summary, a check
that found problems told to the managers at once. Every change to an item is recorded with
who made it (a person, or the import and who ran it), and can be read."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import drafts, outbox, people
from storage.db import Connection, Database
from storage.records import Draft
from storage.registers import archives
from storage.registers.archives import Item, Loan
from workflow import access, conversations, roles, tables
from workflow import tickets as machine

KINDS = ("owner_file", "drawing", "contract", "handover_record", "other")
LEVELS = ("public", "internal", "confidential")
APPROVAL, READY, OUT, RETURNED, REFUSED = "approval", "ready", "out", "returned", "refused"
LOAN_TIME = timedelta(days=3)
CHECK_EVERY = timedelta(days=182)  # at least two checks a year
MAX_REASON = 300
READERS = (roles.ARCHIVIST, roles.MANAGER)  # see the archive's register
COLUMNS = ("code", "title", "kind", "location", "confidentiality")
CHECK_FLOW = "archive_check"
REFUSE_FLOW = "archive_refusal"  # a manager's reason for refusing
CHECK_REMINDED = "archive_check_reminded"  # the due date last reminded, in the meta table
Refusal = machine.Refusal


async def _tell(conn: Connection, user_ids: list[int], kind: str, loan_id: int,
                now: datetime) -> None:
    for user_id in user_ids:
        await outbox.add(conn, user_id, kind, now, payload={"loan": loan_id})


async def _archivists(conn: Connection) -> list[int]:
    found = await people.reachable_with_role(conn, roles.ARCHIVIST) or \
        await people.reachable_with_role(conn, roles.MANAGER)
    return [p.user_id for p in found]


async def _item(conn: Connection, code: str) -> Item:
    found = await archives.item_by_code(conn, code.strip().upper())
    if found is None:
        raise Refusal(Refusal.NOT_FOUND)
    return found


async def request(db: Database, requester_id: int, code: str, reason: str,
                  now: datetime, on_site: bool = False) -> Loan:
    """Reading an item on site, or borrowing it: a manager decides."""
    async with db.transaction() as conn:
        await access.require(conn, "archives.ask", requester_id)
        item = await _item(conn, code)
        loan_id = await archives.add_loan(conn, item.id, requester_id, reason, False, APPROVAL,
                                          now, on_site=on_site)
        managers = [p.user_id for p in await people.reachable_with_role(conn, roles.MANAGER)]
        await _tell(conn, managers, "archive_approval", loan_id, now)
        return await _loan(conn, loan_id)


async def inspection(db: Database, actor_id: int, code: str, reason: str,
                     now: datetime) -> Loan:
    """An inspection by the company's higher departments: recorded as such, no permission
    asked; ready for the archivist to hand out."""
    async with db.transaction() as conn:
        await access.require(conn, "archives.inspect", actor_id)
        item = await _item(conn, code)
        loan_id = await archives.add_loan(conn, item.id, actor_id, reason, True, READY, now,
                                          decided_by=actor_id)
        await _tell(conn, await _archivists(conn), "archive_ready", loan_id, now)
        return await _loan(conn, loan_id)


async def decide(db: Database, loan_id: int, manager_id: int, approve: bool,
                 now: datetime, reason: str | None = None) -> Loan | None:
    """The manager's decision; a refusal gives its reason. None when already decided."""
    if not approve and not (reason or "").strip():
        raise Refusal(Refusal.INVALID)
    async with db.transaction() as conn:
        await access.require(conn, "archives.decide", manager_id)
        return await _decide(conn, loan_id, manager_id, approve, now, reason)


async def ask_refusal(db: Database, loan_id: int, manager_id: int, now: datetime) -> bool:
    """The manager taps "Refuse": asked for the reason (a conversation). False when the
    request was already decided."""
    async with db.transaction() as conn:
        await access.require(conn, "archives.decide", manager_id)
        loan = await _loan(conn, loan_id)
        if loan.state != APPROVAL:
            return False
        await conversations.begin(conn, Draft(manager_id, REFUSE_FLOW, "reason",
                                              {"loan": loan.id}), now)
        return True


async def refuse(db: Database, manager_id: int, reason: str, now: datetime) -> Loan | None:
    """The reason, written in the conversation: the request refused with it, and the
    conversation ended, in one transaction. None when it was decided meanwhile."""
    async with db.transaction() as conn:
        await access.require(conn, "archives.decide", manager_id)
        draft = await conversations.at_step(conn, manager_id, REFUSE_FLOW, "reason", now)
        await drafts.delete(conn, manager_id)
        return await _decide(conn, draft.data["loan"], manager_id, False, now, reason)


async def _decide(conn: Connection, loan_id: int, manager_id: int, approve: bool,
                  now: datetime, reason: str | None) -> Loan | None:
    loan = await _loan(conn, loan_id)
    fields: dict = {"decided_by": manager_id}
    if not approve:
        fields["refusal"] = reason
    if not await archives.move(conn, loan.id, APPROVAL, READY if approve else REFUSED,
                               **fields):
        return None
    await _tell(conn, [loan.requester_id], "archive_answered", loan.id, now)
    if approve:
        await _tell(conn, await _archivists(conn), "archive_ready", loan.id, now)
    return await _loan(conn, loan.id)


async def hand_out(db: Database, loan_id: int, archivist_id: int, now: datetime) -> Loan:
    async with db.transaction() as conn:
        await access.require(conn, "archives.keep", archivist_id)
        loan = await _loan(conn, loan_id)
        due = None if loan.on_site else now + LOAN_TIME  # a reading stays in the room
        if not await archives.move(conn, loan.id, READY, OUT, out_at=now, due_at=due) \
                or not await archives.set_out(conn, loan.item_id, loan.id):
            raise Refusal(Refusal.STALE)
        return await _loan(conn, loan.id)


async def take_back(db: Database, loan_id: int, archivist_id: int,
                    now: datetime) -> Loan | None:
    async with db.transaction() as conn:
        await access.require(conn, "archives.keep", archivist_id)
        loan = await _loan(conn, loan_id)
        if not await archives.move(conn, loan.id, OUT, RETURNED, returned_at=now):
            return None
        await archives.set_out(conn, loan.item_id, None)
        return await _loan(conn, loan.id)


def next_check(last: datetime | None, began: datetime | None) -> datetime | None:
    since = last or began
    return since + CHECK_EVERY if since else None


async def record_check(db: Database, archivist_id: int, result: str,
                       now: datetime) -> datetime:
    """The check's result, written in its conversation: recorded, and the conversation
    ended, in one transaction. Returns when the next check is due."""
    async with db.transaction() as conn:
        await access.require(conn, "archives.keep", archivist_id)
        draft = await conversations.at_step(conn, archivist_id, CHECK_FLOW, "result", now)
        await drafts.delete(conn, archivist_id)
        await archives.add_check(conn, archivist_id, result, draft.data["in_order"], now)
        if not draft.data["in_order"]:  # 有問題: the managers hear it now, not at the summary
            for manager in await people.reachable_with_role(conn, roles.MANAGER):
                await outbox.add(conn, manager.user_id, "archive_check_problem", now,
                                 payload={"result": result}, actor_id=archivist_id)
    return now + CHECK_EVERY


async def overdue_check(conn: Connection, now: datetime) -> datetime | None:
    """When the due check was due, if it is missed (for the managers' weekly summary)."""
    due = next_check(await archives.last_check(conn), await archives.first_item_at(conn))
    return due if due is not None and due <= now else None


async def sweep(db: Database, now: datetime) -> int:
    """In the minute's sweep: items not back remind their borrower and the archivist (once);
    a check falling due reminds the archivist (once). Writes nothing when nothing is due."""
    async with db.reading() as conn:
        late = [loan for loan in await archives.loans_in(conn, (OUT,))
                if loan.due_at is not None and loan.due_at <= now and loan.reminded_at is None]
        due = await overdue_check(conn, now)
        reminded = await people.get_meta(conn, CHECK_REMINDED)
    check = due is not None and reminded != due.isoformat()
    if not late and not check:
        return 0
    async with db.transaction() as conn:
        for loan in late:
            if await archives.mark_reminded(conn, loan.id, now):
                await _tell(conn, sorted({loan.requester_id, *await _archivists(conn)}),
                            "archive_overdue", loan.id, now)
        if check and due is not None:
            await people.set_meta(conn, CHECK_REMINDED, due.isoformat())
            for user_id in await _archivists(conn):
                await outbox.add(conn, user_id, "archive_check_due", now,
                                 payload={"due": due.isoformat()})
    return len(late) + int(check)


async def register_view(db: Database, viewer_id: int,
                        now: datetime) -> tuple[list[tuple[Loan, Item]], datetime | None]:
    """/archives: the readings and loans open, and when the next check is due."""
    async with db.reading() as conn:
        await access.require(conn, "archives.view", viewer_id)
        loans = [(loan, await archives.item(conn, loan.item_id))
                 for loan in await archives.loans_in(conn, (APPROVAL, READY, OUT))]
        due = next_check(await archives.last_check(conn), await archives.first_item_at(conn))
        return [(loan, item) for loan, item in loans if item is not None], due


async def history(db: Database, viewer_id: int,
                  code: str) -> tuple[Item, list[archives.Change], dict[int, str]]:
    """An item's changes, oldest first, with the names of the people who made them."""
    async with db.reading() as conn:
        await access.require(conn, "archives.history", viewer_id)
        item = await _item(conn, code)
        changes = await archives.changes(conn, item.id)
        return item, changes, await people.names(conn, {c.actor_id for c in changes
                                                        if c.actor_id})


async def loan_file(db: Database, loan_id: int) -> tuple[Loan, Item, str]:
    async with db.reading() as conn:
        loan = await _loan(conn, loan_id)
        item = await archives.item(conn, loan.item_id)
        person = await people.get(conn, loan.requester_id)
        assert item is not None
        return loan, item, person.name if person else ""


async def _loan(conn: Connection, loan_id: int) -> Loan:
    found = await archives.loan(conn, loan_id)
    if found is None:
        raise Refusal(Refusal.NOT_FOUND)
    return found


IMPORTED = "import"  # a change's source: the import, "import|file|account"


def import_source(file: str, account: str) -> str:
    return "|".join((IMPORTED, file.replace("|", "/"), account.replace("|", "/")))


def imported_by(source: str | None) -> tuple[str, str] | None:
    """The file and account of an import's change; None for other sources."""
    parts = (source or "").split("|")
    return (parts[1], parts[2]) if len(parts) == 3 and parts[0] == IMPORTED else None


class ArchiveIndexError(tables.TableError):
    pass


def parse_index(raw: bytes) -> list[tuple[str, str, str, str, str]]:
    """The archive's index as a CSV: code, title, kind, location, confidentiality."""
    table = tables.read(raw, "index.csv", ArchiveIndexError)
    if table.header != COLUMNS:
        raise ArchiveIndexError([(1, "the first line must be the columns: " + ",".join(COLUMNS))])
    rows, problems, seen = [], list(table.problems), set()
    for number, cells in table.rows:
        code, title, kind, location, level = ([c.strip() for c in cells] + [""] * 5)[:5]
        if not code or not title or not location or max(map(len, (code, title, location))) > 200:
            problems.append((number, "code, title and location must be given"))
        elif kind not in KINDS:
            problems.append((number, f"kind must be one of {', '.join(KINDS)}"))
        elif level not in LEVELS:
            problems.append((number, f"confidentiality must be one of {', '.join(LEVELS)}"))
        elif code.upper() in seen:
            problems.append((number, f"the code {code} is listed twice"))
        else:
            seen.add(code.upper())
            rows.append((code.upper(), title, kind, location, level))
    if problems:
        raise ArchiveIndexError(problems)
    return rows


async def load_index(db: Database, rows: list[tuple[str, str, str, str, str]],
                     now: datetime, source: str | None = None) -> int:
    """All rows in one transaction; every change to a known item is recorded, with its
    `source` (the import: which file, run by whom)."""
    new = 0
    async with db.transaction() as conn:
        for row in rows:
            new += await archives.save_item(conn, *row, None, now, source)
    return new
