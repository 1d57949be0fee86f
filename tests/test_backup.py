"""The office's safety net: a database only its owner can read, an hourly backup taken
while the desk runs, and a restore that never overwrites a running desk."""

import asyncio
import os
import re
import sqlite3
import stat

import pytest

from storage import backup as backups
from tests.stories import report_leak, resident_of_a12
from tests.test_roster_cli import cli

pytestmark = pytest.mark.sqlite_only  # SQLite's own files and planner

def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_the_database_and_its_wal_are_readable_by_their_owner_only(desk):
    await resident_of_a12(desk)  # something written, so the WAL exists
    assert mode(desk.path) == 0o600
    assert mode(f"{desk.path}-wal") == 0o600
    assert mode(f"{desk.path}-shm") == 0o600


async def test_a_backup_taken_mid_load_restores_every_confirmed_ticket(desk, tmp_path):
    resident = await resident_of_a12(desk)
    confirmed: list[str] = []

    async def load():
        for n in range(8):
            await report_leak(resident, f"Leak number {n} in the kitchen.")
            confirmed.append(re.search(r"registered as (R-\d{4}-\d{5})",
                                       resident.last_text).group(1))
            await asyncio.sleep(0.005)  # a resident between reports; the offline API never waits

    running = asyncio.create_task(load())
    while len(confirmed) < 3 and not running.done():
        await asyncio.sleep(0.01)
    before = list(confirmed)  # what residents had been told before the backup began
    target = tmp_path / "backup.sqlite3"
    await asyncio.to_thread(backups.backup, desk.path, target)
    await running
    assert mode(target) == 0o600
    await desk.stop()

    restored = cli(tmp_path, "restore", str(target), env={"ESTATEDESK_DB": str(desk.path)})
    assert restored.returncode == 0, restored.stderr
    assert "kept as" in restored.stdout
    with sqlite3.connect(desk.path) as conn:
        refs = {r for (r,) in conn.execute("SELECT ref FROM tickets")}
    assert set(before) <= refs
    assert len(refs) < len(confirmed)  # it is the backup, not the later state
    await desk.start()  # the harness fixture stops it again


def test_restore_refuses_to_overwrite_a_running_desk_or_to_install_a_stranger(tmp_path):
    db = tmp_path / "desk.sqlite3"
    assert cli(tmp_path, "staff", "list").returncode == 0  # creates and migrates the database
    saved = cli(tmp_path, "backup", str(tmp_path / "b.sqlite3"))
    assert saved.returncode == 0 and "0 tickets" in saved.stdout
    running = backups.hold_running_lock(db)  # as `estatedesk run` does
    try:
        refused = cli(tmp_path, "restore", str(tmp_path / "b.sqlite3"))
        assert refused.returncode == 1 and "the desk is running" in refused.stderr
    finally:
        running.close()
    (tmp_path / "notes.txt").write_text("not a database")
    stranger = cli(tmp_path, "restore", str(tmp_path / "notes.txt"))
    assert stranger.returncode == 1 and "not an estatedesk database" in stranger.stderr
    assert cli(tmp_path, "restore", str(tmp_path / "b.sqlite3")).returncode == 0
