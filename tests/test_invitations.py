"""Staff invitations as the office hands them out: a code shown once and kept only as its
hash (a copy of the database lets nobody join as staff), valid for at most 90 days; the codes
an older desk kept in clear are hashed when it upgrades, and still work."""

import hashlib
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

import storage.db
import storage.postgres
from storage import people
from storage.migrations import MIGRATIONS
from tests import backends
from tests.harness import START
from workflow import admin

ROOT = Path(__file__).resolve().parent.parent


async def test_a_code_is_kept_only_as_its_hash_and_still_lets_the_clerk_join(desk):
    code = await admin.invite(desk.db, "clerk", "Front desk", desk.clock())
    kept = await desk.query("SELECT code FROM invitations")
    assert kept == [(hashlib.sha256(code.encode()).hexdigest(),)]
    assert code not in str(kept)
    clerk = desk.person(9101, "Iris", "en")
    await clerk.join(code)
    assert await desk.query("SELECT role FROM people WHERE user_id = 9101") == [("clerk",)]
    assert await admin.revoke(desk.db, code, desk.clock()) is False  # used: nothing to revoke


async def test_an_invitation_lasts_at_most_90_days(desk):
    with pytest.raises(ValueError):
        await admin.invite(desk.db, "clerk", None, desk.clock(), expires_in=timedelta(days=91))
    assert await desk.query("SELECT count(*) FROM invitations") == [(0,)]


def test_the_office_is_told_the_longest_an_invitation_lasts(tmp_path):
    env = {"ESTATEDESK_DB": str(tmp_path / "desk.sqlite3"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "bot", "staff", "invite", "--role", "clerk",
                           "--expires", "3650d"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "at most 90d" in done.stderr and done.stdout == ""
    huge = subprocess.run([sys.executable, "-m", "bot", "staff", "invite", "--role", "clerk",
                           "--expires", "99999999999d"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert huge.returncode == 1 and "Traceback" not in huge.stderr


HASHED = 26  # the migration that keeps invitation codes as their SHA-256


async def test_codes_an_older_desk_kept_in_clear_are_hashed_and_still_work(tmp_path, monkeypatch):
    for module in (storage.db, storage.postgres):  # the desk as it stood before migration 26
        monkeypatch.setattr(module, "MIGRATIONS", MIGRATIONS[:HASHED - 1])
    db = backends.database(tmp_path / "desk.sqlite3")
    await db.open()
    async with db.transaction() as conn:  # as the desk before migration 26 wrote them
        await conn.execute("INSERT INTO invitations (code, role, name, created_at, expires_at) "
                           "VALUES ('OldClearCode1', 'technician', 'Ah Wai', ?, ?)",
                           (START.isoformat(), (START + timedelta(days=7)).isoformat()))
    await db.close()
    monkeypatch.undo()
    upgraded = backends.database(tmp_path / "desk.sqlite3", getattr(db, "schema", None))
    await upgraded.open()
    try:
        async with upgraded.reading() as conn:
            kept = await (await conn.execute("SELECT code FROM invitations")).fetchall()
            found = await people.get_invitation(conn, "OldClearCode1")
        assert [tuple(k) for k in kept] == [(people.invitation_key("OldClearCode1"),)]
        assert found is not None and found.role == "technician"
    finally:
        await upgraded.close()
