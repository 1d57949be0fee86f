"""The desk's one SQLite connection, serialised: every read and every transaction holds a lock,
so two updates never interleave inside a transaction on the shared connection.

Statements run on the event loop's own thread. An indexed read takes microseconds and a
COMMIT (one fsync) about 0.3 ms, while handing each statement to a worker thread and back
(aiosqlite) cost 90-170 microseconds per statement, most of an update's time. Storage functions
keep the awaitable shape (`await conn.execute(...)`, `await cur.fetchall()`) that aiosqlite
and psycopg share, so the same functions can run on another backend. Long reports read on a
connection of their own in a worker thread (`Database.off_loop`), beside the desk's work."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar

from storage import marks
from storage.backup import create_private, tighten
from storage.counts import TALLY
from storage.migrations import MIGRATIONS

T = TypeVar("T")
# Commits made by the current task (a task copies it at creation, so an outbox sender's
# commits never count for the update that started it).
_commits: ContextVar[int] = ContextVar("commits", default=0)


def count_commit() -> None:
    _commits.set(_commits.get() + 1)


def commits_so_far() -> int:
    """How many transactions this task has committed: a handler compares it before and after
    a failure to tell the person truthfully whether their action was saved."""
    return _commits.get()


def to_db_time(value: datetime) -> str:
    """UTC ISO-8601 text; sorts as time does."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    if value.year < 1000:  # isoformat pads the year, strftime's %Y does not
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # the same text as the strftime above, at a third of its cost (several per update)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def db_time(value: str) -> datetime:
    """A time the schema always has (NOT NULL)."""
    return datetime.fromisoformat(value)  # 60 times faster than strptime; 'Z' is UTC


def from_db_time(value: str | None) -> datetime | None:
    """A time that may not have happened yet (NULL)."""
    return None if value is None else datetime.fromisoformat(value)


class Cursor:
    """A statement's result, awaited the way aiosqlite's and psycopg's cursors are."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int:
        """The id of the row just inserted (only read after an INSERT)."""
        row_id = self._cursor.lastrowid
        assert row_id is not None
        return row_id

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchmany(self, size: int) -> list[Any]:
        """The next rows of a long result: read in batches, never held whole."""
        return self._cursor.fetchmany(size)


class Connection:
    """What storage functions receive: `execute` runs at once, awaiting it never waits."""

    dialect = "sqlite"
    __slots__ = ("raw",)

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        TALLY.statements += 1
        return Cursor(self.raw.execute(sql, parameters))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Cursor:
        TALLY.statements += 1
        return Cursor(self.raw.executemany(sql, rows))

    async def send(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        """A write whose answer nobody reads (PostgreSQL sends it without waiting)."""
        TALLY.statements += 1
        self.raw.execute(sql, parameters)


def _sha256_hex(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


class Database:
    shared = False  # one process serves the file (PgDatabase: several workers may)

    def __init__(self, path: str, *, synchronous: str = "FULL") -> None:
        self.path = path
        # FULL: a durable commit waits for the disk. OFF (no commit waits; a power cut may
        # lose any) only for bench/throughput.py's figures without fsync, never in the product.
        if synchronous not in ("FULL", "OFF"):
            raise ValueError(f"synchronous={synchronous!r}: FULL, or OFF for a benchmark")
        self.synchronous = synchronous
        self._conn: Connection | None = None
        self._checkpointer: sqlite3.Connection | None = None  # kept: see checkpoint
        self._lock = asyncio.Lock()
        self._checkpointing = asyncio.Lock()
        self._chats: dict[int, asyncio.Lock] = {}
        self.waiting_marks = marks.Waiting()

    async def open(self) -> None:
        if self.path != ":memory:":
            create_private(self.path)  # residents' phone numbers: the owner's eyes only
            # The schema's statements run once: on a connection of their own that keeps none
            # prepared, closed after (kept in the desk's statement cache, a new estate's
            # migrations were 1.4 MiB of its idle memory).
            migrating = self._connect(cached_statements=0)
            try:
                _migrate(migrating)
            finally:
                migrating.close()
        self._conn = Connection(self._connect())
        if self.path == ":memory:":  # another connection would be another database
            _migrate(self._conn.raw)
        else:
            tighten(self.path)

    def _connect(self, cached_statements: int = 128) -> sqlite3.Connection:
        raw = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                              cached_statements=cached_statements)
        raw.row_factory = sqlite3.Row
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute(f"PRAGMA synchronous={self.synchronous}")
        raw.execute("PRAGMA foreign_keys=ON")
        # What is deleted or overwritten is zeroed in the file, not left in free pages: an
        # erased person (個人資料保護法 Art. 11) is not in the file either (most builds' default)
        raw.execute("PRAGMA secure_delete=ON")
        # Another process (the CLI) holds the write lock for milliseconds; waiting for it
        # blocks the loop, so not for long.
        raw.execute("PRAGMA busy_timeout=2000")
        # A checkpoint copies the WAL into the database with an fsync of its own: not on the
        # update that happens to cross a threshold, but in the sweep, off the loop.
        raw.execute("PRAGMA wal_autocheckpoint=0")
        # SQL's sha256 as PostgreSQL has it built in (migration 25 hashes invitation codes)
        raw.create_function("sha256_hex", 1, _sha256_hex, deterministic=True)
        return raw

    async def close(self) -> None:
        if self._conn is not None:
            waiting = self.waiting_marks
            if waiting.timer is not None:
                waiting.timer.cancel()
                waiting.timer = None
            if waiting:  # the replay marks still waiting: written before the file closes
                async with self.transaction(durable=False):
                    pass
            async with self._checkpointing:
                if self._checkpointer is not None:
                    self._checkpointer.close()
                    self._checkpointer = None
            self._conn.raw.close()
            self._conn = None

    async def checkpoint(self, truncate: bool = False) -> None:
        """Moves what the WAL holds into the database, in a worker thread (it may copy and
        sync many pages); PASSIVE, so it never waits for, nor holds up, the desk's
        transactions. On a connection of its own kept open: a new one read the schema each
        minute (0.6 ms at a million tickets) and aiosqlite's thread cost three hops more.
        `truncate`: the WAL emptied too (after an erasure, so no old page of it stays in
        the file; it waits for readers up to the busy timeout)."""
        if self.path == ":memory:" or self._conn is None:
            return
        async with self._checkpointing:  # one at a time on that connection
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(self.path, check_same_thread=False)
            raw = self._checkpointer
            mode = "TRUNCATE" if truncate else "PASSIVE"
            await asyncio.to_thread(lambda: raw.execute(f"PRAGMA wal_checkpoint({mode})")
                                    .fetchall())

    async def off_loop(self, work: Callable[[Connection], Coroutine[Any, Any, T]]) -> T:
        """A long read (a month of /stats at a million tickets) in a worker thread, on a
        read-only connection of its own: a WAL snapshot, taken beside the desk's work, while
        the loop goes on answering. `work` is written like any storage function."""
        def run() -> T:
            raw = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                return asyncio.run(work(Connection(raw)))
            finally:
                raw.close()
        return await asyncio.to_thread(run)

    @asynccontextmanager
    async def transaction(self, *, durable: bool = True) -> AsyncIterator[Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception. A transaction that is
        not `durable` skips the fsync: a crash of the process loses nothing, a power cut may
        lose it (and only it: the next durable commit syncs everything before it). The
        replay marks of updates handled before ride along (storage/marks.py)."""
        conn = self._require()
        raw = conn.raw
        lighter = not durable and self.synchronous == "FULL"
        async with self._lock:
            if lighter:
                raw.execute("PRAGMA synchronous=NORMAL")
            try:
                raw.execute("BEGIN IMMEDIATE")
                riding: dict[tuple[str, str], str] = {}
                try:
                    riding = await self.waiting_marks.ride(conn)
                    yield conn
                except BaseException:
                    raw.execute("ROLLBACK")
                    self.waiting_marks.put_back(riding)
                    raise
                raw.execute("COMMIT")
            finally:
                if lighter:
                    raw.execute("PRAGMA synchronous=FULL")
            _commits.set(_commits.get() + 1)
            TALLY.transactions += 1
            TALLY.durable += durable

    def update_lock(self, chat_id: int) -> AbstractAsyncContextManager[None]:
        """One update of a chat at a time (on SQLite one process serves the estate, so a lock
        in the process is the whole of it)."""
        self._require()
        return _ChatLock(self._chats, chat_id)

    def mark_on_release(self, event: tuple[str, str], when: str) -> bool:
        """A replay mark written as the update's chat lock is released: only where several
        workers share the database (PgDatabase); here marks ride the next transaction."""
        return False

    async def ready(self) -> bool:
        """Open, and at the current schema."""
        async with self.reading() as conn:
            row = await (await conn.execute("PRAGMA user_version")).fetchone()
            return row[0] == len(MIGRATIONS)

    def reading(self) -> AbstractAsyncContextManager[Connection]:
        """A consistent read: no other coroutine's transaction is open on the connection.
        (A class, not a generator: every update begins with a read.)"""
        return _Reading(self._lock, self._require())

    def _require(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn


def _migrate(raw: sqlite3.Connection) -> None:
    """The migrations the file has not had yet, in one transaction."""
    raw.execute("BEGIN IMMEDIATE")
    try:
        current = raw.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            for statement in _statements(script):
                raw.execute(statement)
            raw.execute(f"PRAGMA user_version={number}")
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    raw.execute("COMMIT")


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


class _Reading:
    __slots__ = ("_lock", "_conn")

    def __init__(self, lock: asyncio.Lock, conn: Connection) -> None:
        self._lock, self._conn = lock, conn

    async def __aenter__(self) -> Connection:
        await self._lock.acquire()
        return self._conn

    async def __aexit__(self, *exc: object) -> None:
        self._lock.release()


class _ChatLock:
    """A chat's lock, dropped from the table when nobody holds it or waits for it."""

    __slots__ = ("_chats", "_chat_id", "_lock")

    def __init__(self, chats: dict[int, asyncio.Lock], chat_id: int) -> None:
        self._chats, self._chat_id = chats, chat_id

    async def __aenter__(self) -> None:
        lock = self._chats.get(self._chat_id)
        if lock is None:
            lock = self._chats[self._chat_id] = asyncio.Lock()
        self._lock = lock
        try:
            await self._lock.acquire()
        except BaseException:  # cancelled while waiting: the table is tidied all the same
            self._forget()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._lock.release()
        self._forget()

    def _forget(self) -> None:
        if not self._lock.locked() and self._chats.get(self._chat_id) is self._lock:
            del self._chats[self._chat_id]
