"""What an update costs the database, held like Zulip's query counts: the statements, the
transactions and the commits that wait for the disk of a look at the desk and of each step of
the repair conversation, counted by storage/counts.py around the update's handling (the
outbox delivery it causes is the sender's own, counted apart). A change that reads the
person again, reads a draft twice or gives the replay mark a transaction of its own fails
here, naming the step.

The replay mark of each update rides along with the next transaction on SQLite
(storage/marks.py), in the figures below; on PostgreSQL, where other workers must see it at
once, it is written at the end of its update in a transaction of its own (without waiting
for the disk): one transaction more there, and its statement."""

from __future__ import annotations

import pytest
from telegram import Update

from storage import accounts, counts, marks, people, sender, updates
from storage.db import Database
from tests import backends
from tests.conftest import ROSTER
from tests.harness import DeskHarness
from tests.stories import resident_of_a12, staff
from workflow import replays

# step: (statements at most, transactions at most, durable commits at most)
REPAIR = {
    "/repair": (5, 1, 0),  # the sender and guard, their units, today's count; the draft
    "category": (3, 1, 0),  # the sender, guard and draft; the draft written (and a mark)
    "urgency": (3, 1, 0),
    "location typed": (3, 1, 0),
    "description typed": (3, 1, 0),
    "photos done": (3, 1, 0),
    "visit day": (3, 1, 0),
    "visit slot": (3, 1, 0),  # the summary names the unit the draft kept
    "confirm": (19, 1, 1),  # the filing: ticket, event, notices, timers, the draft's end
}
REPAIR_AVERAGE = 8  # the target (27): at most 8 statements an update
READ_ONLY = {"/mytickets": (3, 0, 0), "/help": (1, 0, 0)}


class Counted:
    """Each update's counts, from its arrival to its last handler."""

    def __init__(self, desk: DeskHarness) -> None:
        self.desk, self.used = desk, counts.Counts()
        desk._process = self._process  # type: ignore[method-assign]

    async def _process(self, data: dict) -> None:
        desk = self.desk
        before = counts.now()
        await desk.app.process_update(Update.de_json(data, desk.app.bot))
        self.used = counts.now() - before
        await desk.deliver()
        if desk.errors:
            raise AssertionError(f"a handler failed: {desk.errors[0]!r}") from desk.errors[0]


@pytest.fixture
def held_marks(monkeypatch):
    """No flush of the replay marks in the middle of a counted step."""
    monkeypatch.setattr(replays, "FLUSH_AFTER", 3600)


def check(name: str, used: counts.Counts, most: tuple[int, int, int]) -> None:
    statements, transactions, durable = most
    if backends.POSTGRES and transactions:  # the mark's own (and its statement)
        statements, transactions = statements + 1, transactions + 1
    assert used.statements <= statements, \
        f"{name}: {used.statements} statements, at most {statements}"
    assert used.transactions <= transactions, \
        f"{name}: {used.transactions} transactions, at most {transactions}"
    assert used.durable <= durable, f"{name}: {used.durable} durable commits, at most {durable}"


def button(person, prefix: str, newest: int = 0) -> str:
    found = [b["callback_data"] for c in reversed(person.calls()) for b in c.buttons()
             if b["callback_data"].startswith(prefix)]
    return found[newest]


async def test_each_step_of_the_repair_conversation_costs_what_it_did(desk, held_marks):
    await staff(desk)
    resident = await resident_of_a12(desk)
    counted = Counted(desk)
    used: dict[str, counts.Counts] = {}

    async def step(name: str, action) -> None:
        await action
        used[name] = counted.used

    for round_ in range(2):  # the second with a mark riding along from the first's end
        await step("/repair", resident.send("/repair"))
        await step("category", resident.tap_data("r:c:plumbing"))
        await step("urgency", resident.tap_data("r:g:normal"))
        await step("location typed", resident.send("Kitchen sink"))
        await step("description typed", resident.send(f"The pipe drips ({round_})."))
        await step("photos done", resident.tap_data("r:pd"))
        await step("visit day", resident.tap_data(button(resident, "r:d:", 1)))
        await step("visit slot", resident.tap_data(button(resident, "r:s:")))
        assert "Please check your report" in resident.last_text
        await step("confirm", resident.tap_data(button(resident, "r:ok")))
        assert "registered as R-2026-0000" in resident.last_text
        for name, most in REPAIR.items():
            check(name, used[name], most)
        total = sum(u.statements for u in used.values())
        assert total <= REPAIR_AVERAGE * len(used), \
            f"repair conversation: {total / len(used):.2f} statements an update, " \
            f"at most {REPAIR_AVERAGE}"
        assert sum(u.durable for u in used.values()) == 1, \
            "repair conversation: only the filing waits for the disk"


async def test_a_look_at_the_desk_reads_once_and_writes_nothing(desk, held_marks):
    resident = await resident_of_a12(desk)
    counted = Counted(desk)
    for name, most in READ_ONLY.items():
        await resident.send(name)
        check(name, counted.used, most)
        assert counted.used.transactions == 0, f"{name}: a look writes nothing"


async def test_a_change_to_the_sender_is_read_again_not_taken_from_the_copy(tmp_path):
    desk = DeskHarness(tmp_path / "desk.sqlite3")
    await desk.start()
    try:
        await desk.import_roster(ROSTER)
        resident = await resident_of_a12(desk)  # English
        db = desk.db
        async with db.reading() as conn:
            seen, found = await updates.arrival(conn, 10_000, accounts.telegram(resident.user_id))
        assert not seen and found.person is not None and found.person.language == "en"
        sender.arrived(found)
        try:
            before = counts.now()
            async with db.reading() as conn:
                assert (await people.get(conn, resident.user_id)).language == "en"
            assert (counts.now() - before).statements == 0, "the sender is read once"
            async with db.transaction() as conn:
                await people.set_language(conn, resident.user_id, "zh_Hant")
            async with db.reading() as conn:
                assert (await people.get(conn, resident.user_id)).language == "zh_Hant"
        finally:
            sender.done()
        async with db.reading() as conn:  # the update is over: nobody's copy
            assert sender.person(resident.user_id) is sender.UNKNOWN
    finally:
        await desk.stop()


async def test_the_replay_mark_rides_along_with_the_next_transaction(desk, held_marks):
    resident = await resident_of_a12(desk)
    stored = "SELECT CAST(event_id AS INTEGER) FROM seen_updates ORDER BY 1"
    await replays.flush(desk.db)
    joined = await desk.query(stored)  # the sign-up's
    await resident.send("/repair")  # a change: marked once answered
    begun = desk.next_update_id
    assert (marks.key("telegram", begun) in marks.of(desk.db)) != backends.POSTGRES  # PostgreSQL: written at once
    said = len(resident.texts())
    await desk.replay_last()  # delivered again while its mark waits: dropped
    assert len(resident.texts()) == said
    await resident.tap_data("r:c:plumbing")
    if isinstance(desk.db, Database):  # the category's own transaction wrote it
        assert await desk.query(stored) == [*joined, (begun,)]
    await replays.flush(desk.db)  # nothing else to ride on: the flush writes what waits
    assert await desk.query(stored) == [*joined, (begun,), (desk.next_update_id,)]
    assert not marks.of(desk.db)
    await resident.send("/mytickets")  # a look is never marked
    await replays.flush(desk.db)
    assert len(await desk.query(stored)) == len(joined) + 2


# A member of staff's look at a ticket's card (the queue's "d:v:"): the sender and guard,
# the file in one statement, as any look; plus the access log's one row (個人資料保護法
# Art. 27, workflow/privacy/access.py), the look's only write: one INSERT in a transaction
# of its own that does not wait for the disk (a pure view: its module says why).
STAFF_LOOK = (3, 1, 0)


async def test_a_staff_look_at_a_card_writes_only_its_access_log_row(desk, held_marks):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await resident.send("/repair")
    for data in ("r:c:plumbing", "r:g:normal"):
        await resident.tap_data(data)
    for text in ("Kitchen sink", "The pipe drips."):
        await resident.send(text)
    await resident.tap_data("r:pd")
    await resident.tap_data(button(resident, "r:d:", 1))
    await resident.tap_data(button(resident, "r:s:"))
    await resident.tap_data(button(resident, "r:ok"))
    counted = Counted(desk)
    written = await desk.query("SELECT count(*) FROM access_log")
    await clerk.tap_data("d:v:1")
    check("a staff look", counted.used, STAFF_LOOK)
    assert await desk.query("SELECT count(*) FROM access_log") == [(written[0][0] + 1,)]
