"""The desk's SQLite commits wait for the disk (synchronous=FULL); bench/throughput.py alone
opens a Database without fsync (OFF) for its CPU-only figures, and a transaction that skips
its fsync never turns that file back to FULL, nor the desk's to OFF."""

from __future__ import annotations

import pytest

from storage.db import Database


async def synchronous(db: Database) -> int:
    async with db.reading() as conn:
        return (await (await conn.execute("PRAGMA synchronous")).fetchone())[0]


@pytest.mark.parametrize(("mode", "level"), [("FULL", 2), ("OFF", 0)])
async def test_the_level_holds_across_light_and_durable_commits(tmp_path, mode, level):
    db = Database(str(tmp_path / "desk.sqlite3"), synchronous=mode)
    await db.open()
    try:
        assert await synchronous(db) == level
        async with db.transaction(durable=False) as conn:
            await conn.execute("SELECT 1")
        assert await synchronous(db) == level
        async with db.transaction() as conn:
            await conn.execute("SELECT 1")
        assert await synchronous(db) == level
    finally:
        await db.close()


def test_the_desk_waits_for_the_disk_unless_told_otherwise(tmp_path):
    assert Database(str(tmp_path / "desk.sqlite3")).synchronous == "FULL"
    with pytest.raises(ValueError):
        Database(str(tmp_path / "desk.sqlite3"), synchronous="NORMAL; DROP TABLE x")
