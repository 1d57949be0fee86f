"""Online backups and restores of the SQLite file, and the lock that says a desk is running
on it. SQLite's backup API copies a consistent snapshot while the bot keeps writing."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from storage.migrations import MIGRATIONS
from storage.privacy import encrypted

OWNER_ONLY = 0o600


class RestoreRefused(Exception):
    """The restore would harm a running desk or install something that is not a backup."""


def create_private(path: str | Path) -> None:
    """Creates the file readable by its owner only (the database holds residents' numbers);
    an existing file is left as it is."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, OWNER_ONLY)
    os.close(fd)


def tighten(path: str | Path) -> None:
    """The database's WAL and shared-memory files, owner only like the database."""
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.chmod(side, OWNER_ONLY)


def _lock_path(db_path: str | Path) -> str:
    return f"{db_path}.lock"


def hold_running_lock(db_path: str | Path):
    """Taken by `estatedesk run` for as long as it runs; None when another desk holds it."""
    create_private(_lock_path(db_path))
    handle = open(_lock_path(db_path), "r+")  # noqa: SIM115 (held until the process ends)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def backup(db_path: str | Path, target: str | Path, passphrase: str | None = None) -> int:
    """A consistent copy of the database, made while it is in use; returns its ticket count.
    Written to a temporary file first, so a failed backup never leaves half a file. With a
    passphrase the copy is encrypted (storage/privacy/encrypted.py); the plain copy it is made from
    lives, owner-only, only until it is encrypted."""
    target = Path(target)
    if passphrase is not None:
        plain = target.with_name(target.name + ".plain-partial")
        try:
            tickets = backup(db_path, plain)
            encrypted.encrypt(plain, target, passphrase)
        finally:
            plain.unlink(missing_ok=True)
        return tickets
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private(partial)
    source = sqlite3.connect(db_path)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # all pages in one step: one snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        tickets = copy.execute("SELECT count(*) FROM tickets").fetchone()[0]
    finally:
        copy.close()
        source.close()
    os.replace(partial, target)
    return tickets


def restore(backup_path: str | Path, db_path: str | Path,
            passphrase: str | None = None) -> Path | None:
    """Puts a backup in place of the database, keeping the current one beside it (its new
    name is returned). Refused while a desk runs on the database, for a file that is not
    an estatedesk backup, and for an encrypted one without its passphrase: then nothing is
    replaced."""
    lock = hold_running_lock(db_path)
    if lock is None:
        raise RestoreRefused("the desk is running on this database; stop it first")
    db = Path(db_path)
    plain = db.with_name(db.name + ".decrypted")
    try:
        if encrypted.is_encrypted(backup_path):
            if passphrase is None:
                raise RestoreRefused(f"{backup_path} is encrypted: its passphrase is needed")
            try:
                encrypted.decrypt(backup_path, plain, passphrase)
            except encrypted.Unreadable as exc:
                raise RestoreRefused(str(exc)) from None
            backup_path = plain
        _check_backup(backup_path)
        kept = None
        if db.exists():
            kept = db.with_name(f"{db.name}.before-restore-"
                                f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}")
            backup(db, kept)  # the current state, WAL included, as one file
        for suffix in ("-wal", "-shm"):  # an old WAL must never be replayed into the backup
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        incoming = db.with_name(db.name + ".restoring")
        backup(backup_path, incoming)
        os.replace(incoming, db)
        return kept
    finally:
        plain.unlink(missing_ok=True)
        lock.close()


def _check_backup(path: str | Path) -> None:
    if not Path(path).is_file():
        raise RestoreRefused(f"{path} does not exist")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute("SELECT count(*) FROM tickets").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise RestoreRefused(f"{path} is not an estatedesk database ({exc})") from exc
    if ok != "ok":
        raise RestoreRefused(f"{path} is damaged: {ok}")
    if version > len(MIGRATIONS):
        raise RestoreRefused(f"{path} comes from a newer estatedesk; update this one first")
