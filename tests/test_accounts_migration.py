"""An estate of the desk before people had chat accounts (migration 36) upgrades: nobody's
number changes, nothing is lost, every person is still reached on the chat they used, a
reply waiting for a stranger still goes to that stranger's chat, and an update already
handled before the upgrade is still dropped when Telegram delivers it again. On SQLite and
on PostgreSQL."""

import sqlite3

import psycopg
from psycopg import sql

from storage.db import _sha256_hex as sha256_hex
from storage.migrations import MIGRATIONS
from storage.pg_migrations import BASELINE, STEPS
from storage.postgres import BASELINE_SQL
from tests import backends
from tests.harness import DeskHarness

BEFORE = 36
T0 = "2026-11-01T02:00:00.000000Z"
T1 = "2026-11-03T02:00:00.000000Z"
ROWS = [
    "INSERT INTO people (user_id, language, role, name, phone, created_at, roster_id) VALUES "
    f"(5001, 'en', 'resident', 'May', '886912345678', '{T0}', NULL), "
    f"(9001, 'en', 'clerk', 'Desk clerk', NULL, '{T0}', NULL), "
    f"(9002, 'en', 'technician', 'Ah Wai', NULL, '{T0}', NULL), "
    f"(-3, 'en', 'resident', 'Lin', '0922111222', '{T0}', 3)",  # on the roster, no Telegram
    "INSERT INTO units (id, building, unit) VALUES (1, 'A', '12F-3')",
    f"INSERT INTO residencies (user_id, unit_id, linked_at) VALUES (5001, 1, '{T0}')",
    "INSERT INTO tickets (id, ref, kind, resident_id, unit_id, category, location, description, "
    "visit_date, visit_slot, status, created_at, updated_at, deadline_at, assign_due_at, "
    "target_at) VALUES (1, 'R-2026-00001', 'R', 5001, 1, 'plumbing', 'Kitchen', 'Leak', "
    f"'2026-11-02', 'morning', 'new', '{T0}', '{T0}', '{T1}', '{T0}', '{T1}')",
    f"INSERT INTO timers (ticket_id, kind, due_at) VALUES (1, 'assign_due', '{T0}')",
    "INSERT INTO drafts (user_id, flow, step, data, updated_at) VALUES (9001, 'announcement', "
    f"'text', '{{}}', '{T0}')",
    # waiting: a notice to May, a reply to a stranger who wrote once, a sent one
    "INSERT INTO outbox (recipient_id, kind, payload, created_at, next_attempt_at) VALUES "
    f"(5001, 'join_approved', '{{\"unit\": \"A 12F-3\"}}', '{T0}', '{T0}'), "
    f"(7001, 'reply', '{{\"text\": \"Welcome\", \"markup\": null}}', '{T0}', '{T0}')",
    "INSERT INTO outbox (recipient_id, kind, payload, created_at, next_attempt_at, sent_at) "
    f"VALUES (9001, 'dispatch', '{{}}', '{T0}', '{T0}', '{T0}')",
    f"INSERT INTO seen_updates (update_id, seen_at) VALUES (41, '{T0}')",
]
TABLES = ("people", "tickets", "timers", "drafts", "outbox", "residencies")


async def an_estate_before_accounts(tmp_path) -> DeskHarness:
    """The estate's database as migration 36 left it, opened by today's desk."""
    if not backends.POSTGRES:
        path = tmp_path / "estate.sqlite3"
        conn = sqlite3.connect(path)
        conn.create_function("sha256_hex", 1, sha256_hex)  # as the desk's connection has it
        for number, script in enumerate(MIGRATIONS[:BEFORE], start=1):
            conn.executescript(script)
            conn.execute(f"PRAGMA user_version={number}")
        for statement in ROWS:
            conn.execute(statement)
        conn.commit()
        conn.close()
        return DeskHarness(path)
    schema = backends.fresh_schema()
    async with await psycopg.AsyncConnection.connect(backends.PG_URL) as pg:
        await pg.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        await pg.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        await pg.execute(BASELINE_SQL.read_text(encoding="utf-8"))
        for number in range(BASELINE + 1, BEFORE + 1):
            await pg.execute(STEPS[number])
        await pg.execute("CREATE TABLE schema_version (version bigint NOT NULL)")
        await pg.execute("INSERT INTO schema_version VALUES (%s)", (BEFORE,))
        for statement in ROWS:
            await pg.execute(statement)
        await pg.commit()
    desk = DeskHarness(tmp_path / "unused")
    desk.schema = schema  # the harness opens this schema
    return desk


async def count(desk: DeskHarness, table: str) -> int:
    return (await desk.query(f"SELECT count(*) FROM {table}"))[0][0]


async def test_an_estate_from_before_accounts_upgrades_and_reaches_everyone(tmp_path):
    desk = await an_estate_before_accounts(tmp_path)
    await desk.start()
    try:
        assert {t: await count(desk, t) for t in TABLES} == {
            "people": 4, "tickets": 1, "timers": 1, "drafts": 1, "outbox": 3,
            "residencies": 1}
        # each person who wrote from Telegram keeps their number, and that account is chosen
        assert await desk.query(
            "SELECT channel, external_id, person_id, chosen FROM channel_accounts "
            "ORDER BY person_id") == [("telegram", "5001", 5001, 1),
                                      ("telegram", "9001", 9001, 1),
                                      ("telegram", "9002", 9002, 1)]
        assert await desk.query("SELECT channel, event_id FROM seen_updates") == [
            ("telegram", "41")]

        await desk.deliver()  # what waited goes out: to May's chat, and the stranger's
        sent = [(c.chat_id, c.text) for c in desk.api.calls if c.text]
        assert (7001, "Welcome") in sent
        assert [chat for chat, text in sent if "A 12F-3" in text] == [5001]
        assert await desk.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]

        may = desk.person(5001, "May", "en")
        desk.next_update_id = 40  # Telegram delivers update 41 again: handled before
        await may.send("/mytickets")
        assert may.texts() == [t for c, t in sent if c == 5001]  # dropped, no answer
        await may.send("/mytickets")  # her next update: she is still herself
        tickets = next(c for c in reversed(may.calls()) if c.text.startswith("Your tickets"))
        assert any("R-2026-00001" in button["text"] for button in tickets.buttons())
        assert "The privacy notice of estatedesk has changed" in may.last_text  # never seen
        clerk = desk.person(9001, "Clerk", "en")
        await clerk.send("/cancel")  # the clerk's announcement draft came through, and goes
        assert await count(desk, "drafts") == 0
        assert await count(desk, "people") == 4  # nobody new: everyone was recognised
    finally:
        await desk.stop()
