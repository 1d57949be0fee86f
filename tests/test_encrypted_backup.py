"""Backups at rest (個人資料保護法 Art. 27): the office encrypts its hourly backup with a
passphrase from the environment; a restore with it brings every ticket back, a wrong one is
refused and leaves the database as it was; every file stays its owner's only."""

import os
import sqlite3
import stat

import pytest

from bot import cli
from storage import backup as backups
from storage.privacy import encrypted
from tests.stories import report_leak, resident_of_a12

pytestmark = pytest.mark.sqlite_only  # SQLite's own files (PostgreSQL's are pg_dump's)

SECRET = "correct horse battery staple"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def run(monkeypatch, capsys, db, *argv: str, passphrase: str | None = None
        ) -> tuple[int, str, str]:
    """`estatedesk …` as the office types it, on the database `db`."""
    monkeypatch.setenv("ESTATEDESK_DB", str(db))
    if passphrase is None:
        monkeypatch.delenv(cli.PASSPHRASE, raising=False)
    else:
        monkeypatch.setenv(cli.PASSPHRASE, passphrase)
    code = cli.main(list(argv))
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def refs(db) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r for (r,) in conn.execute("SELECT ref FROM tickets")}


async def a_desk_with_a_ticket(desk):
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    await desk.stop()


async def test_an_encrypted_backup_restores_with_its_passphrase_only(desk, tmp_path,
                                                                    monkeypatch, capsys):
    await a_desk_with_a_ticket(desk)
    target = tmp_path / "hourly.enc"
    code, out, err = run(monkeypatch, capsys, desk.path, "backup", "--encrypt", str(target),
                         passphrase=SECRET)
    assert code == 0 and "1 tickets, encrypted" in out, err
    assert mode(target) == 0o600 and encrypted.is_encrypted(target)
    raw = target.read_bytes()
    assert b"SQLite format" not in raw and "陳美玲".encode() not in raw
    assert not list(tmp_path.glob("*partial*"))  # the plain copy is gone

    with sqlite3.connect(desk.path) as conn:  # a later change the restore must undo
        conn.execute("UPDATE tickets SET ref = 'R-CHANGED'")
    for wrong in ("not the passphrase at all", None):
        code, _, err = run(monkeypatch, capsys, desk.path, "restore", str(target),
                           passphrase=wrong)
        assert code == 1 and "Nothing was changed" in err
        assert ("wrong passphrase" if wrong else "is encrypted: set") in err
        assert refs(desk.path) == {"R-CHANGED"}
        assert not list(tmp_path.glob("*.decrypted")) and \
            not list(tmp_path.glob("*before-restore*"))

    code, out, err = run(monkeypatch, capsys, desk.path, "restore", str(target),
                         passphrase=SECRET)
    assert code == 0, err
    assert refs(desk.path) == {"R-2026-00001"}
    kept = next(tmp_path.glob("desk.sqlite3.before-restore-*"))
    assert mode(desk.path) == 0o600 and mode(kept) == 0o600
    assert refs(kept) == {"R-CHANGED"}
    assert not list(tmp_path.glob("*.decrypted"))
    await desk.start()  # the fixture stops it again


async def test_an_altered_or_cut_backup_is_refused(desk, tmp_path, monkeypatch, capsys):
    await a_desk_with_a_ticket(desk)
    target = tmp_path / "hourly.enc"
    backups.backup(desk.path, target, SECRET)
    whole = target.read_bytes()
    for damaged in (whole[:-10], whole[:-1] + bytes([whole[-1] ^ 1]),
                    whole[:len(encrypted.MAGIC)] + b"\x07" + whole[len(encrypted.MAGIC) + 1:]):
        target.write_bytes(damaged)
        code, _, err = run(monkeypatch, capsys, desk.path, "restore", str(target),
                           passphrase=SECRET)
        assert code == 1 and "Nothing was changed" in err, err
        assert refs(desk.path) == {"R-2026-00001"}
    await desk.start()


def test_a_large_database_goes_in_chunks(tmp_path):
    """Several chunks, the last one exactly full: still whole after the round trip."""
    plain = tmp_path / "plain.bin"
    plain.write_bytes(os.urandom(encrypted.CHUNK * 2))
    encrypted.encrypt(plain, tmp_path / "sealed", SECRET)
    encrypted.decrypt(tmp_path / "sealed", tmp_path / "back", SECRET)
    assert (tmp_path / "back").read_bytes() == plain.read_bytes()
    assert mode(tmp_path / "back") == 0o600
    sealed = (tmp_path / "sealed").read_bytes()
    # the last chunk gone whole: the first one alone is not marked last
    (tmp_path / "short").write_bytes(sealed[:len(sealed) - (4 + encrypted.CHUNK + 16)])
    with pytest.raises(encrypted.Unreadable, match="cut short"):
        encrypted.decrypt(tmp_path / "short", tmp_path / "again", SECRET)
    assert not (tmp_path / "again").exists()


async def test_encrypt_without_a_passphrase_refuses_and_a_plain_restore_still_works(
        desk, tmp_path, monkeypatch, capsys):
    await a_desk_with_a_ticket(desk)
    target = tmp_path / "hourly.sqlite3"
    for passphrase, said in ((None, "set ESTATEDESK_BACKUP_PASSPHRASE"),
                             ("short", "at least 12 characters")):
        code, _, err = run(monkeypatch, capsys, desk.path, "backup", "--encrypt", str(target),
                           passphrase=passphrase)
        assert code == 2 and said in err and "Nothing was written" in err
        assert not target.exists()
    code, out, _ = run(monkeypatch, capsys, desk.path, "backup", str(target))
    assert code == 0 and "encrypted" not in out and mode(target) == 0o600
    with sqlite3.connect(desk.path) as conn:
        conn.execute("DELETE FROM ticket_events")
        conn.execute("DELETE FROM tickets")
    code, _, err = run(monkeypatch, capsys, desk.path, "restore", str(target),
                       passphrase=SECRET)  # a passphrase set changes nothing for a plain one
    assert code == 0, err
    assert refs(desk.path) == {"R-2026-00001"} and mode(desk.path) == 0o600
    await desk.start()


def test_a_postgresql_estate_is_told_its_backups_are_pg_dumps(tmp_path, monkeypatch, capsys):
    url = "postgresql://desk@db.invalid/estate"
    for argv in (("backup", "--encrypt", str(tmp_path / "b")), ("restore", str(tmp_path / "b"))):
        code, _, err = run(monkeypatch, capsys, url, *argv, passphrase=SECRET)
        assert code == 2 and "pg_dump" in err
    assert not (tmp_path / "b").exists()


def test_the_help_names_the_cipher_the_backup_uses(tmp_path, monkeypatch, capsys):
    """An office checking its backups against its security rules reads the help: it names
    libsodium's ChaCha20-Poly1305, the cipher the file is sealed with, and no other."""
    with pytest.raises(SystemExit):
        run(monkeypatch, capsys, tmp_path / "desk.sqlite3", "backup", "--help")
    shown = " ".join(capsys.readouterr().out.split())
    assert "ChaCha20-Poly1305" in shown and "AES" not in shown
