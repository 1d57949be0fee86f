"""The retention sweep's reads and writes (workflow/privacy/retention.py): the closed tickets
and the people who left that are past the settings' time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.db import Connection, from_db_time, to_db_time
from storage.privacy.erasure import question_marks, scrub_tickets

# The retention sweep's one query each minute: the oldest of what is still to forget, read
# from the partial indexes of migration 39 (tickets_to_forget, people_left); the batches are
# read only when one is past its time.
OLDEST_QUERY = (
    "SELECT (SELECT min(closed_at) FROM tickets WHERE closed_at IS NOT NULL "
    "AND erased_at IS NULL), (SELECT min(left_at) FROM people WHERE left_at IS NOT NULL)")
TICKETS_DUE_QUERY = ("SELECT id FROM tickets WHERE closed_at IS NOT NULL AND erased_at IS NULL "
                     "AND closed_at < ? ORDER BY closed_at, id LIMIT ?")
PEOPLE_DUE_QUERY = ("SELECT user_id FROM people WHERE left_at IS NOT NULL AND left_at < ? "
                    "ORDER BY left_at, user_id LIMIT ?")


async def due(conn: Connection, closed_before: datetime, tickets: int, left_before: datetime,
              people: int) -> tuple[list[int], list[int]]:
    """The closed tickets whose content, and the people who left whose names, are past
    their time: (ticket ids, person ids), oldest first, at most a batch of each."""
    oldest = await (await conn.execute(OLDEST_QUERY)).fetchone()
    closed, left = from_db_time(oldest[0]), from_db_time(oldest[1])
    found_tickets = [r[0] for r in await (await conn.execute(
        TICKETS_DUE_QUERY, (to_db_time(closed_before), tickets))).fetchall()] \
        if closed is not None and closed < closed_before else []
    found_people = [r[0] for r in await (await conn.execute(
        PEOPLE_DUE_QUERY, (to_db_time(left_before), people))).fetchall()] \
        if left is not None and left < left_before else []
    return found_tickets, found_people


async def forget_tickets(conn: Connection, ticket_ids: Sequence[int], closed_before: datetime,
                         now: datetime) -> int:
    """The retention sweep's: those of the tickets still past their time (another worker
    may have done them) scrubbed and marked. Returns how many tickets."""
    if not ticket_ids:
        return 0
    still = [r[0] for r in await (await conn.execute(
        f"SELECT id FROM tickets WHERE id IN ({question_marks(ticket_ids)}) AND erased_at IS NULL "
        "AND closed_at < ?", (*ticket_ids, to_db_time(closed_before)))).fetchall()]
    await scrub_tickets(conn, still, now)
    return len(still)
