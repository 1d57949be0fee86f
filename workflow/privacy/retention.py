"""How long the desk keeps what (個人資料保護法 Art. 11: deleted or no longer used once the
purpose ends): the minute's sweep forgets a closed ticket's photos, voice notes and free
text once `keep_closed_tickets_days` have passed since it closed, and a person who left the
estate (`people.left_at`) once `keep_people_left_days` have (erasure.erase_in: their name,
phone and chat id gone, their records anonymous). A small batch a run; one indexed query
when there is nothing to do."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.db import Database
from storage.privacy import retention as store
from workflow.privacy.erasure import erase_in
from workflow.settings import EstateSettings

TICKETS_A_RUN = 100
PEOPLE_A_RUN = 10  # each is a walk of every table that names people


async def sweep(db: Database, settings: EstateSettings, now: datetime) -> int:
    """Returns how many tickets and people were forgotten."""
    closed_before = now - timedelta(days=settings.keep_closed_tickets_days)
    left_before = now - timedelta(days=settings.keep_people_left_days)
    async with db.reading() as conn:
        tickets, people = await store.due(conn, closed_before, TICKETS_A_RUN, left_before,
                                          PEOPLE_A_RUN)
    done = 0
    if tickets:
        async with db.transaction() as conn:
            done += await store.forget_tickets(conn, tickets, closed_before, now)
    for person_id in people:
        async with db.transaction() as conn:  # one person a transaction; one done already
            done += (await erase_in(conn, person_id, now)).person_id is not None  # is nobody
    if people:
        await db.checkpoint(truncate=True)  # as erase_person: nothing of theirs in the log
    return done
