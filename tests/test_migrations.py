"""A database made by an older desk, with work in it, upgrades to the latest schema and keeps
every record: a reopened job's visit, a resident's survey beside a phone callback."""

import sqlite3

from storage.db import Database
from storage.migrations import MIGRATIONS
from workflow.tickets import load

T0 = "2026-11-01T02:00:00.000000Z"
T1 = "2026-11-02T02:00:00.000000Z"


def old_desk(path, upto: int) -> None:
    """The schema as the first `upto` migrations left it, with a little history."""
    conn = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:upto], start=1):
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version={number}")
    conn.executescript(f"""
        INSERT INTO people (user_id, language, role, name, phone, created_at)
            VALUES (5001, 'en', 'resident', 'May', '886912345678', '{T0}'),
                   (9001, 'en', 'clerk', 'Desk clerk', NULL, '{T0}'),
                   (9002, 'en', 'technician', 'Ah Wai', NULL, '{T0}');
        INSERT INTO units (id, building, unit) VALUES (1, 'A', '12F-3');
        INSERT INTO roster (unit_id, name, phone, phone_key)
            VALUES (1, '陳美玲', '0912-345-678', '12345678');
        INSERT INTO residencies (user_id, unit_id, linked_at) VALUES (5001, 1, '{T0}');
        INSERT INTO contractors (id, name, trades) VALUES (1, 'Aqua Works', 'plumbing');
        INSERT INTO tickets (id, ref, kind, resident_id, unit_id, category, location,
            description, visit_date, visit_slot, status, technician_id, deadline_at, work_note,
            labour_hours, materials_cost, created_at, updated_at, completed_at, closed_at)
            VALUES (1, 'R-2026-00001', 'R', 5001, 1, 'plumbing', 'Kitchen', 'Leak',
                    '2026-11-02', 'morning', 'closed', 9002, '{T1}', 'Replaced the pipe', 2.5,
                    350, '{T0}', '{T1}', '{T1}', '{T1}');
        INSERT INTO tickets (id, ref, kind, resident_id, unit_id, category, location,
            description, visit_date, visit_slot, status, created_at, updated_at)
            VALUES (2, 'R-2026-00002', 'R', 5001, 1, 'electrical', 'Hall', 'No light',
                    '2026-11-03', 'any', 'new', '{T1}', '{T1}');
        INSERT INTO ticket_events (ticket_id, at, actor_id, action, from_status, to_status)
            VALUES (1, '{T0}', 5001, 'reported', NULL, 'new'),
                   (1, '{T1}', 9002, 'completed', 'assigned', 'completed');
    """)
    if upto >= 2:
        conn.execute("UPDATE contractors SET deadline_hours = 48")
    if upto >= 3:
        conn.execute(f"INSERT INTO surveys (ticket_id, sent_at, channel, reached, rating, "
                     f"comment, answered_at, recorded_by) VALUES (1, '{T1}', 'phone', 1, 4, "
                     f"'Happy', '{T1}', 9001)")
    conn.commit()
    conn.close()


async def test_a_desk_from_the_first_migration_upgrades_with_its_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    old_desk(path, 1)
    db = Database(str(path))
    await db.open()
    async with db.reading() as conn:
        version = (await (await conn.execute("PRAGMA user_version")).fetchone())[0]
        ticket = await (await conn.execute(
            "SELECT ref, status, version, target_at, channel, labour_hours FROM tickets"
        )).fetchone()
        waiting = await load(conn, 2)  # open from before service levels: its targets are set
        visits = await (await conn.execute(
            "SELECT round, worker_id, labour_hours, materials_cost, note FROM visits")).fetchall()
        contract = await (await conn.execute(
            "SELECT deadline_seconds FROM contractors")).fetchone()
        relation = await (await conn.execute("SELECT relation FROM roster")).fetchone()
    await db.close()
    assert version == len(MIGRATIONS)
    assert tuple(ticket) == ("R-2026-00001", "closed", 0, T1, "bot", 250)  # hundredths of an hour
    assert [tuple(v) for v in visits] == [(1, 9002, 250, 35000, "Replaced the pipe")]  # cents
    assert contract[0] is None  # the first desk had no contractual deadlines
    assert relation[0] == "owner"
    assert waiting.assign_due_at == waiting.deadline_at == waiting.created_at  # late at once


async def test_a_phone_callback_recorded_by_an_older_desk_becomes_its_own_record(tmp_path):
    path = tmp_path / "old.sqlite3"
    old_desk(path, 4)
    db = Database(str(path))
    await db.open()
    async with db.reading() as conn:
        callbacks = await (await conn.execute(
            "SELECT staff_id, reached, rating, note FROM phone_callbacks")).fetchall()
        survey = await (await conn.execute(
            "SELECT channel, rating, answered_at FROM surveys")).fetchone()
        contract = await (await conn.execute(
            "SELECT deadline_seconds FROM contractors")).fetchone()
    await db.close()
    assert contract[0] == 48 * 3600  # kept exactly, in seconds
    assert [tuple(c) for c in callbacks] == [(9001, 1, 4, "Happy")]
    assert tuple(survey) == (None, None, None)  # the resident's own answer is still to come


async def test_a_survey_of_an_older_desk_becomes_its_reporters_own(tmp_path):
    path = tmp_path / "old.sqlite3"
    old_desk(path, 10)
    conn = sqlite3.connect(path)
    conn.execute(f"UPDATE surveys SET rating = 5, reasons = '[\"quick\"]', comment = 'Thanks', "
                 f"answered_at = '{T1}', channel = 'bot'")
    conn.commit()
    conn.close()
    db = Database(str(path))
    await db.open()
    async with db.reading() as conn:
        surveys = await (await conn.execute(
            "SELECT ticket_id, resident_id, rating, reasons, comment FROM surveys")).fetchall()
    await db.close()
    assert [tuple(s) for s in surveys] == [(1, 5001, 5, '["quick"]', "Thanks")]
