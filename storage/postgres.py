"""The desk on PostgreSQL (psycopg 3, async, with its pool): the same `transaction()`,
`reading()` and connection shape as storage.db's SQLite Database, so every storage function
runs unchanged on both. Each transaction takes a pooled connection of its own (READ COMMITTED;
changes stay compare-and-set), an estate lives in a schema of its own (search_path, set per
connection), and the schema is created or brought up to date under an advisory lock, so three
processes starting at once migrate once."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg import sql
from psycopg.adapt import Loader
from psycopg.pq import TransactionStatus
from psycopg.types.numeric import IntDumper
from psycopg_pool import AsyncConnectionPool, PoolClosed, PoolTimeout

from storage import db as sqlite_db
from storage import dialect, marks
from storage.counts import TALLY
from storage.migrations import MIGRATIONS
from storage.pg_migrations import BASELINE, STEPS

T = TypeVar("T")
log = logging.getLogger(__name__)
# The server cannot be reached (restarting, the network cut, every pooled connection busy
# for too long): what a webhook worker answers 503 to, so that Telegram delivers again.
UNREACHABLE = (psycopg.OperationalError, PoolTimeout, PoolClosed)
OUTBOX_CHANNEL = "estatedesk_outbox"  # its payload: the estate's schema
# Every commit that adds outbox messages wakes the listening senders of every worker (a
# statement trigger: no round trip of its own; PostgreSQL folds a transaction's repeats).
_NOTIFY_OUTBOX = f"""
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('{OUTBOX_CHANNEL}', TG_TABLE_SCHEMA); RETURN NULL; END $$;
CREATE OR REPLACE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
"""
_MARK = dialect.postgres(marks.MARK, frozenset())[0]
_SCHEMA_OF: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection -> schema
BASELINE_SQL = Path(__file__).with_name("pg_baseline.sql")


class _TimeLoader(Loader):
    """timestamptz read back as the SQLite backend writes times (UTC ISO text), so the
    storage functions parse one form."""

    def load(self, data) -> str:
        text = bytes(data).decode()  # e.g. 2026-11-26 02:00:00.5+00 (the session is UTC)
        if text.endswith("+00") and len(text) >= 22:  # by hand: a month's /stats reads 300k
            stamp, _, fraction = text[:-3].partition(".")
            return f"{stamp[:10]}T{stamp[11:]}.{fraction:0<6}Z"
        return datetime.fromisoformat(text).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _NumberLoader(Loader):
    """numeric (what SUM of bigints gives) as int when whole, else float, as SQLite does;
    read as Decimal first, so a sum of cents past 2**53 stays exact."""

    def load(self, data) -> int | float:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


class _FlagDumper(IntDumper):
    """True and False are 1 and 0, as the schema's flags are (bigint, like SQLite's)."""

    def dump(self, obj):
        return super().dump(int(obj))


class _Held:
    """A chat's lock for one update (`PgDatabase.update_lock`), on a connection kept for the
    update: its reads and transactions run there, the lock is sent ahead of the first of
    them, and the update's replay mark goes with the release."""

    __slots__ = ("db", "raw", "lock", "owner", "taken", "busy", "marks")

    def __init__(self, db: PgDatabase, raw: psycopg.AsyncConnection, lock: sql.Composed,
                 owner: asyncio.Task | None) -> None:
        self.db, self.raw, self.lock, self.owner = db, raw, lock, owner
        self.taken = self.busy = False
        self.marks: dict[tuple[str, str], str] = {}

    def lead(self) -> list[sql.Composed]:
        """What goes ahead of the connection's next statement: the lock, the first time."""
        if self.taken:
            return []
        self.taken = True
        return [self.lock]


# The update being handled in this task, and the lock it holds (a task it starts copies the
# variable, so `owner` tells the update's own task from the others)
_HELD: ContextVar[_Held | None] = ContextVar("held", default=None)


class PgCursor:
    __slots__ = ("_cursor", "_lastrowid")

    def __init__(self, cursor: psycopg.AsyncCursor, lastrowid: int | None) -> None:
        self._cursor, self._lastrowid = cursor, lastrowid

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int:
        assert self._lastrowid is not None
        return self._lastrowid

    async def fetchone(self) -> Any:
        _count_wait(self._cursor)
        return await self._cursor.fetchone()

    async def fetchall(self) -> list[Any]:
        _count_wait(self._cursor)
        return await self._cursor.fetchall()

    async def fetchmany(self, size: int) -> list[Any]:
        _count_wait(self._cursor)
        return await self._cursor.fetchmany(size)


def _count_wait(cursor: psycopg.AsyncCursor) -> None:
    """A fetch of a pipelined statement not answered yet waits for the server: one round
    trip, which brings every answer sent before it."""
    if cursor.pgresult is None and cursor.connection.pgconn.pipeline_status:
        TALLY.round_trips += 1


class PgConnection:
    """In a transaction, statements go down one pipeline: a SELECT (or a write RETURNING rows)
    is sent without waiting (its fetch waits), a write through `send` (its caller reads
    nothing of it) is not waited for at all, and `execute`'s other writes (whose rowcount or
    id a caller may read) wait at once; the COMMIT waits for everything still unanswered. An
    error of a statement sent through `send` surfaces at the next wait, perhaps a later
    statement's: no caller of `send` catches its error, and the transaction rolls back
    either way."""

    dialect = "postgres"
    __slots__ = ("raw", "_ids", "_pipe")

    def __init__(self, raw: psycopg.AsyncConnection, id_tables: frozenset[str],
                 pipe: psycopg.AsyncPipeline | None = None) -> None:
        self.raw, self._ids, self._pipe = raw, id_tables, pipe

    async def execute(self, statement: str, parameters: Sequence[Any] = ()) -> PgCursor:
        text, returns_id = dialect.postgres(statement, self._ids)
        TALLY.statements += 1
        cursor = self.raw.cursor()
        if self._pipe is None:
            TALLY.round_trips += 1
            await cursor.execute(text, tuple(parameters))
        else:
            await cursor.execute(text, tuple(parameters))  # sent; answered at the next wait
            if dialect.is_select(text) or (not returns_id and dialect.returns_rows(text)):
                return PgCursor(cursor, None)  # its answer is read by fetching it
            if not returns_id:
                TALLY.round_trips += 1
                await self._pipe.sync()
        last = None
        if returns_id:
            _count_wait(cursor)
            row = await cursor.fetchone()
            last = row[0] if row else None
        return PgCursor(cursor, last)

    async def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> PgCursor:
        """Rows written in one statement whose answer nobody reads (no caller reads its
        rowcount): in a transaction it is sent without waiting, as `send` is."""
        text, _ = dialect.postgres(statement, frozenset())
        TALLY.statements += 1
        cursor = self.raw.cursor()
        await cursor.executemany(text, [tuple(r) for r in rows])
        if self._pipe is None:
            TALLY.round_trips += 1
        return PgCursor(cursor, None)

    async def send(self, statement: str, parameters: Sequence[Any] = ()) -> None:
        """A write whose answer nobody reads (an event appended, a message queued): in a
        transaction it is sent without waiting, answered with the next statement that waits."""
        text, _ = dialect.postgres(statement, frozenset())
        TALLY.statements += 1
        if self._pipe is None:
            TALLY.round_trips += 1
        await self.raw.cursor().execute(text, tuple(parameters))


async def _configure(conn: psycopg.AsyncConnection) -> None:
    for name in ("timestamptz",):
        conn.adapters.register_loader(name, _TimeLoader)
    conn.adapters.register_loader("numeric", _NumberLoader)
    conn.adapters.register_dumper(bool, _FlagDumper)
    await conn.execute("SET TIME ZONE 'UTC'")


def pool(url: str, max_size: int = 10) -> AsyncConnectionPool:
    """Connections to one server, for one estate or shared by many (each transaction names
    its estate's schema). A connection waits at most 5 s: a webhook then answers 503 and
    Telegram delivers the update again."""
    return AsyncConnectionPool(url, min_size=1, max_size=max_size, open=False,
                               kwargs={"autocommit": True}, timeout=5, configure=_configure)


class PgDatabase:
    """`url` is a postgresql:// URL; `schema` the estate's own (created when missing). With
    `shared`, the estate uses a pool several estates share (the owner opens and closes it);
    every transaction selects the schema itself, so no statement can reach another estate's
    tables by a forgotten filter."""

    shared = True  # several workers may serve the estate at once

    def __init__(self, url: str, schema: str = "public", max_size: int = 10,
                 shared: AsyncConnectionPool | None = None) -> None:
        self.path, self.url, self.schema = url, url, schema
        self._max, self._shared = max_size, shared
        self._pool: AsyncConnectionPool | None = None
        self._ids: frozenset[str] = frozenset()
        self._path = sql.SQL("SET search_path TO {}").format(sql.Identifier(schema))

    async def open(self) -> None:
        # IF NOT EXISTS is not safe against a second process creating it at the same moment
        # (a duplicate key in pg_namespace): the migration's lock serialises the two.
        async with await psycopg.AsyncConnection.connect(self.url) as conn:
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.schema,))
            await conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                sql.Identifier(self.schema)))
            await conn.commit()
        if self._shared is not None:
            self._pool = self._shared
        else:
            self._pool = pool(self.url, self._max)
            await self._pool.open(wait=True)
        await self._migrate()
        async with self._pool.connection() as conn:
            cur = await conn.execute(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = %s "
                "AND column_name = 'id' AND is_identity = 'YES'", (self.schema,))
            self._ids = frozenset(r[0] for r in await cur.fetchall())

    async def close(self) -> None:
        if self._pool is not None and self._shared is None:
            await self._pool.close()
        self._pool = None

    async def checkpoint(self, truncate: bool = False) -> None:
        """PostgreSQL checkpoints by itself."""

    async def off_loop(self, work: Callable[[Any], Coroutine[Any, Any, T]]) -> T:
        """A long read on a pooled connection of its own: the server does the work, the
        loop goes on answering meanwhile."""
        async with self.reading() as conn:
            return await work(conn)

    async def _migrate(self) -> None:
        """The baseline on an empty schema, then each paired step once, under a lock per
        schema (a transaction-scoped advisory lock: released by the commit)."""
        async with self.transaction(pipeline=False) as conn:
            await conn.raw.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.schema,))
            await conn.raw.execute("CREATE TABLE IF NOT EXISTS schema_version (version bigint "
                                   "NOT NULL)")
            cur = await conn.raw.execute("SELECT max(version) FROM schema_version")
            row = await cur.fetchone()
            current = row[0] if row and row[0] is not None else 0
            if current == 0:
                await conn.raw.execute(BASELINE_SQL.read_text(encoding="utf-8"))
                current = BASELINE
            for number in range(current + 1, len(MIGRATIONS) + 1):
                await conn.raw.execute(STEPS[number])
            await conn.raw.execute(_NOTIFY_OUTBOX)  # PostgreSQL's own, declared afresh
            if current != len(MIGRATIONS) or row is None or row[0] is None:
                await conn.raw.execute("DELETE FROM schema_version")
                await conn.raw.execute("INSERT INTO schema_version VALUES (%s)",
                                       (len(MIGRATIONS),))

    def _prelude(self, raw: psycopg.AsyncConnection) -> list[sql.Composed]:
        """The estate's schema on this connection, when it last served another (a session
        setting, remembered per connection: a round trip only when it changes)."""
        if _SCHEMA_OF.get(raw) == self.schema:
            return []
        _SCHEMA_OF[raw] = self.schema
        return [self._path]

    @asynccontextmanager
    async def transaction(self, *, durable: bool = True,
                          pipeline: bool = True) -> AsyncIterator[PgConnection]:
        """BEGIN (with the schema, and without waiting for the disk when not `durable`) sent
        with the first statement, COMMIT with the last ones not answered yet: a transaction
        waits for the server only where it reads an answer, and once more at COMMIT; ROLLBACK
        on any exception. Without `pipeline` (a migration's scripts, COPY), each statement
        waits for its answer."""
        async with self._connection(pipeline) as (raw, lead):
            try:
                if pipeline:
                    finished = False
                    try:
                        async with raw.pipeline() as pipe:
                            for statement in (*lead, *self._begin(raw, durable)):
                                await raw.execute(statement)
                            yield PgConnection(raw, self._ids, pipe)
                            finished = True
                            await raw.execute("COMMIT")
                            TALLY.round_trips += 1  # the pipeline's end waits for the COMMIT
                    except psycopg.errors.PipelineAborted:
                        if not finished:
                            raise
                        # A statement failed, its caller was told and went on: PostgreSQL
                        # has ended the transaction (a COMMIT of it rolls back, as before
                        # the pipeline), so nothing is committed and none is counted.
                        TALLY.round_trips += 1
                        await raw.execute("ROLLBACK")
                        return
                else:
                    TALLY.round_trips += 1
                    await raw.execute(sql.SQL("; ").join(self._begin(raw, durable)))
                    yield PgConnection(raw, self._ids)
                    TALLY.round_trips += 1
                    await raw.execute("COMMIT")
            except BaseException:
                # The schema's SET ran inside this transaction (sent before BEGIN, before its
                # sync), so a rollback undoes it: set it again next time.
                _SCHEMA_OF.pop(raw, None)
                if not raw.closed and raw.info.transaction_status != TransactionStatus.IDLE:
                    TALLY.round_trips += 1
                    await raw.execute("ROLLBACK")
                raise
        sqlite_db.count_commit()
        TALLY.transactions += 1
        TALLY.durable += durable

    def _begin(self, raw: psycopg.AsyncConnection, durable: bool) -> list[sql.SQL | sql.Composed]:
        begin: list[sql.SQL | sql.Composed] = [*self._prelude(raw), sql.SQL("BEGIN")]
        if not durable:
            begin.append(sql.SQL("SET LOCAL synchronous_commit = off"))
        return begin

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[PgConnection]:
        """Reads without a transaction of their own: under READ COMMITTED each statement
        sees what was committed when it began either way, and BEGIN / COMMIT would be two
        more round trips for every look at the desk."""
        async with self._connection() as (raw, lead):
            if lead:  # the chat's lock, sent ahead: answered with the first read
                async with raw.pipeline() as pipe:
                    for statement in (*self._prelude(raw), *lead):
                        await raw.execute(statement)
                    yield PgConnection(raw, self._ids, pipe)
                    if pipe.result_queue:  # nothing read: the end waits for the lock
                        TALLY.round_trips += 1
                return
            prelude = self._prelude(raw)
            if prelude:
                TALLY.round_trips += 1
                await raw.execute(prelude[0])
            yield PgConnection(raw, self._ids)

    @asynccontextmanager
    async def _connection(self, pipeline: bool = True) -> AsyncIterator[
            tuple[psycopg.AsyncConnection, list[sql.Composed]]]:
        """A connection for a read or a transaction, and what must be sent ahead of its first
        statement: the update's own where this task holds its chat's lock and nothing else
        uses that connection now (the lock then goes first, the first time), else a pooled
        one."""
        held = _HELD.get()
        if held is None or held.db is not self or held.busy or not pipeline or \
                held.owner is not asyncio.current_task():
            async with self._require().connection() as raw:
                yield raw, []
            return
        held.busy = True
        try:
            yield held.raw, held.lead()
        finally:
            held.busy = False

    @asynccontextmanager
    async def update_lock(self, chat_id: int) -> AsyncIterator[None]:
        """One update of a chat at a time across every worker (bot/serve.py), at no round trip
        of its own: a session lock on a pooled connection kept for the whole update, where
        the update's reads and transactions run too. The lock is sent ahead of the update's
        first statement (the replay guard's look, which then sees every mark committed
        before the lock was granted); its release takes the update's replay mark with it
        (`mark_on_release`), committed before the lock is let go, so a second delivery of
        the update waiting for the lock finds it marked. A session lock, not a transaction's:
        the replay check reads outside any transaction and an update may commit several."""
        key = sql.Literal(f"{self.schema}:{chat_id}")
        async with self._require().connection() as raw:
            held = _Held(self, raw, sql.SQL(
                "SELECT pg_advisory_lock(hashtextextended({}, 0))").format(key),
                asyncio.current_task())
            token = _HELD.set(held)
            try:
                yield
            finally:
                _HELD.reset(token)
                await self._release(held, sql.SQL(
                    "SELECT pg_advisory_unlock(hashtextextended({}, 0))").format(key))

    def mark_on_release(self, event: tuple[str, str], when: str) -> bool:
        """The update's replay mark (`when`: UTC text), written as its chat's lock is released
        (`update_lock`); False where this task holds no lock: the caller writes it now."""
        held = _HELD.get()
        if held is None or held.db is not self or not held.taken or \
                held.owner is not asyncio.current_task():
            return False
        held.marks[event] = when
        return True

    async def _release(self, held: _Held, unlock: sql.Composed) -> None:
        """The update's marks committed (without waiting for the disk), then the lock let go:
        one round trip. A mark that cannot be written waits for the next (as a failed flush's
        do: workflow/replays.py)."""
        if not held.taken:
            return  # the update read and wrote nothing: there is no lock to let go
        raw, rows = held.raw, held.marks
        if rows:
            rows = {**marks.of(self).take(), **rows}
        TALLY.round_trips += 1
        try:
            async with raw.pipeline():
                if rows:
                    begin: list[sql.SQL | sql.Composed] = [
                        *self._prelude(raw), sql.SQL("BEGIN"),
                        sql.SQL("SET LOCAL synchronous_commit = off")]
                    for statement in begin:
                        await raw.execute(statement)
                    TALLY.statements += 1
                    await raw.cursor().executemany(_MARK, [marks.row(event, at)
                                                           for event, at in rows.items()])
                    await raw.execute("COMMIT")  # committed before the lock is let go
                await raw.execute(unlock)
        except psycopg.Error as exc:
            _SCHEMA_OF.pop(raw, None)
            if not rows:
                raise
            marks.of(self).put_back(rows)
            log.warning("the replay marks wait: %s", exc)
            if raw.info.transaction_status != TransactionStatus.IDLE:
                TALLY.round_trips += 1
                await raw.execute("ROLLBACK")
            TALLY.round_trips += 1
            await raw.execute(unlock)  # if this fails too, the pool drops the connection
        else:
            if rows:
                TALLY.transactions += 1

    async def ready(self) -> bool:
        """Reachable, and at the current schema."""
        async with self.reading() as conn:
            row = await (await conn.raw.execute("SELECT max(version) FROM schema_version")
                         ).fetchone()
            return row is not None and row[0] == len(MIGRATIONS)

    @property
    def max_connections(self) -> int:
        """The most connections its pool opens (a shared pool's, for all its estates)."""
        return self._shared.max_size if self._shared is not None else self._max

    @property
    def connection_pool(self) -> AsyncConnectionPool | None:
        """Its pool (shared with other estates, or its own), for the worker's /metrics."""
        return self._pool

    def _require(self) -> AsyncConnectionPool:
        if self._pool is None:
            raise RuntimeError("database is not open")
        return self._pool

    async def drop(self) -> None:
        """Removes the estate's schema and everything in it (tests)."""
        async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
            await conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(self.schema)))


async def listen(url: str, channel: str, woken: Callable[[str], None],
                 retry_seconds: float = 5) -> None:
    """Calls `woken(payload)` for every notification on `channel`, until cancelled; a lost
    connection is opened again after `retry_seconds` (meanwhile polling does the work)."""
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                async for note in conn.notifies():
                    woken(note.payload)
        except psycopg.OperationalError as exc:
            log.warning("listening on %s: %s; again in %s s", channel, exc, retry_seconds)
        await asyncio.sleep(retry_seconds)
