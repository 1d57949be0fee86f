"""Lists that grow with the years stay a thumb's length: a technician with a backlog, a clerk
with a long queue. Telegram takes at most 100 buttons under one message."""

from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff


async def ticket_columns(conn) -> list[str]:
    if conn.dialect == "postgres":
        cur = await conn.execute("SELECT column_name FROM information_schema.columns WHERE "
                                 "table_schema = current_schema() AND table_name = 'tickets' "
                                 "ORDER BY ordinal_position")
        return [r[0] for r in await cur.fetchall()]
    return [r[1] for r in await (await conn.execute("PRAGMA table_info(tickets)")).fetchall()]


async def copies_of_ticket_1(desk, count: int) -> None:
    """A backlog: the same job, many times over (as a busy season leaves it)."""
    async with desk.db.transaction() as conn:
        columns = [c for c in await ticket_columns(conn) if c not in ("id", "ref")]
        names = ", ".join(columns)
        for n in range(2, count + 2):
            await conn.execute(f"INSERT INTO tickets (id, ref, {names}) SELECT ?, ?, {names} "
                               "FROM tickets WHERE id = 1", (n, f"R-2026-{n:05d}"))


async def test_a_technician_with_a_backlog_sees_the_soonest_visits_and_how_many(desk):
    clerk, tech, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await assign_to_tech(clerk)
    await copies_of_ticket_1(desk, 44)  # 45 open tasks in all
    await tech.send("/mytasks")
    assert "45 in all" in tech.last_text and "the 30 with the soonest visits" in tech.last_text
    assert len(tech.labels()) == 30


async def test_a_long_queue_shows_a_page_the_clerk_can_read(desk):
    clerk, _, _ = await staff(desk)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await copies_of_ticket_1(desk, 120)
    await clerk.send("/queue")
    assert len(clerk.labels()) == 30
    assert clerk.labels()[0].startswith("R-2026-00001")
