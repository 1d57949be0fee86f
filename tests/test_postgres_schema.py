"""PostgreSQL's schema is SQLite's: the same tables, columns, nullability, unique keys and
partial indexes; each SQLite migration after the baseline has its PostgreSQL step; three
processes starting at once on an empty schema migrate it once; and an estate moves from its
SQLite file to PostgreSQL with every row (`estatedesk db copy`), then goes on working there."""

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from storage.db import Database
from storage.migrations import MIGRATIONS
from storage.pg_migrations import BASELINE, STEPS
from storage.postgres import PgDatabase
from tests import backends
from tests.harness import DeskHarness
from tests.stories import assign_to_tech, report_leak, resident_of_a12, staff

pytestmark = pytest.mark.postgres_only
ROOT = Path(__file__).resolve().parent.parent


def sqlite_shape(path: Path) -> dict:
    conn = sqlite3.connect(path)
    shape = {}
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                 "name NOT LIKE 'sqlite_%'"):
        columns = {r[1]: bool(r[3] or r[5])  # a primary key is never NULL in either
                   for r in conn.execute(f"PRAGMA table_info({table})")}
        keys = {r[1]: r[5] for r in conn.execute(f"PRAGMA table_info({table})")}
        unique = {tuple(sorted(c for c in keys if keys[c]))} if any(keys.values()) else set()
        partial = set()
        for _, name, is_unique, _, is_partial in conn.execute(
                f"PRAGMA index_list({table})"):
            cols = tuple(sorted(r[2] for r in conn.execute(f"PRAGMA index_info({name})")))
            if is_unique:
                unique.add(cols)
            if is_partial:
                partial.add(name)
        shape[table] = (columns, unique, partial)
    return shape


async def postgres_shape(schema: str) -> dict:
    async with await psycopg.AsyncConnection.connect(backends.PG_URL) as conn:
        cur = await conn.execute(
            "SELECT table_name, column_name, is_nullable = 'NO' FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name != 'schema_version'", (schema,))
        shape: dict = {}
        for table, column, not_null in await cur.fetchall():
            shape.setdefault(table, ({}, set(), set()))[0][column] = not_null
        cur = await conn.execute(
            "SELECT t.relname, i.relname, x.indisunique, x.indpred IS NOT NULL, "
            "array(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = t.oid AND "
            "a.attnum = ANY(x.indkey) ORDER BY a.attname) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = %s "
            "AND t.relname != 'schema_version'", (schema,))
        for table, name, unique, partial, columns in await cur.fetchall():
            if unique:
                shape[table][1].add(tuple(sorted(columns)))
            if partial:
                shape[table][2].add(name)
        return shape


async def test_the_postgresql_schema_is_the_sqlite_schema(tmp_path):
    path = tmp_path / "shape.sqlite3"
    sqlite_db = Database(str(path))
    await sqlite_db.open()
    await sqlite_db.close()
    schema = backends.fresh_schema()
    pg = PgDatabase(backends.PG_URL, schema)
    await pg.open()
    await pg.close()
    mine, theirs = sqlite_shape(path), await postgres_shape(schema)
    assert sorted(mine) == sorted(theirs)
    for table in mine:
        assert mine[table] == theirs[table], table


def test_every_sqlite_migration_after_the_baseline_has_its_postgresql_step():
    assert sorted(STEPS) == list(range(BASELINE + 1, len(MIGRATIONS) + 1))


async def test_a_process_creating_the_schema_at_the_same_moment_is_waited_for():
    """CREATE SCHEMA IF NOT EXISTS alone fails with a duplicate key when another process
    creates the same schema at that moment (it happened in CI); opening waits for it."""
    schema = backends.fresh_schema()
    other = await psycopg.AsyncConnection.connect(backends.PG_URL)  # in mid-open, uncommitted
    await other.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (schema,))
    await other.execute(f'CREATE SCHEMA "{schema}"')
    db = PgDatabase(backends.PG_URL, schema, max_size=2)
    opening = asyncio.create_task(db.open())
    await asyncio.sleep(0.5)
    assert not opening.done()  # waiting for the other's lock, not failing on its row
    await other.commit()
    await other.close()
    await asyncio.wait_for(opening, 30)
    await db.close()


async def test_three_processes_starting_at_once_migrate_once():
    schema = backends.fresh_schema()
    env = {**os.environ, "ESTATEDESK_DB": backends.PG_URL, "ESTATEDESK_SCHEMA": schema}
    command = [sys.executable, "-m", "bot", "db", "migrate"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outcomes
    async with await psycopg.AsyncConnection.connect(backends.PG_URL) as conn:
        cur = await conn.execute(f'SELECT version FROM "{schema}".schema_version')
        assert await cur.fetchall() == [(len(MIGRATIONS),)]


async def test_an_estate_moves_from_its_sqlite_file_to_postgresql_with_nothing_lost(
        tmp_path, monkeypatch):
    monkeypatch.setattr(backends, "POSTGRES", False)  # the estate as it runs today
    desk = DeskHarness(tmp_path / "estate.sqlite3")
    await desk.start()
    await desk.import_roster("building,unit,name,phone\nA,12F-3,陳美玲,0912-345-678\n")
    clerk, tech, _ = await staff(desk)
    await report_leak(await resident_of_a12(desk))
    await assign_to_tech(clerk)
    before = {t: await desk.query(f"SELECT count(*) FROM {t}") for t in
              ("tickets", "ticket_events", "people", "outbox", "timers")}
    created = await desk.query("SELECT created_at FROM tickets")
    await desk.stop()

    schema = backends.fresh_schema()
    env = {**os.environ, "ESTATEDESK_DB": backends.PG_URL}
    copied = subprocess.run([sys.executable, "-m", "bot", "db", "copy", "--from",
                             str(tmp_path / "estate.sqlite3"), "--to", backends.PG_URL,
                             "--schema", schema], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert copied.returncode == 0, copied.stderr
    assert "the counts match" in copied.stdout
    again = subprocess.run([sys.executable, "-m", "bot", "db", "copy", "--from",
                            str(tmp_path / "estate.sqlite3"), "--to", backends.PG_URL,
                            "--schema", schema], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=120)
    assert again.returncode == 1 and "is not empty: nothing was copied" in again.stderr

    monkeypatch.setattr(backends, "POSTGRES", True)
    moved = DeskHarness(tmp_path / "unused", clock=desk.clock)
    moved.schema = schema  # the copied estate
    moved.next_update_id = desk.next_update_id  # Telegram's update ids go on (the replay
    # guard's record of those handled came across too)
    await moved.start()
    try:
        for table, count in before.items():
            assert await moved.query(f"SELECT count(*) FROM {table}") == count, table
        assert await moved.query("SELECT created_at FROM tickets") == created
        await moved.import_roster("building,unit,name,phone\nB,3F-2,林志明,0922 111 222\n")
        assert await moved.query("SELECT id FROM units ORDER BY id") == [(1,), (2,)]  # new ids
        may = moved.person(5001, "May", "en")
        await may.send("/mytickets")  # the resident's report, on the new backend
        assert "R-2026-00001" in " ".join(may.labels())
    finally:
        await moved.stop()




async def test_times_read_back_in_the_form_the_sqlite_desk_writes(desk):
    assert await desk.query(
        "SELECT '2026-11-26 02:00:00.5+00'::timestamptz, '2026-11-26 02:00:00+00'::timestamptz, "
        "'2026-11-26 10:00:00.123456+08'::timestamptz") == [(
            "2026-11-26T02:00:00.500000Z", "2026-11-26T02:00:00.000000Z",
            "2026-11-26T02:00:00.123456Z")]
