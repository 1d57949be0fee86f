"""Locks for several workers on one PostgreSQL database. On SQLite a write transaction holds
the whole database already, and one process serves an estate, so each is a no-op there."""

from __future__ import annotations

from storage.db import Connection


async def serialise(conn: Connection, name: str) -> None:
    """Until the transaction ends, no other transaction passes this point with this name."""
    if conn.dialect == "postgres":
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (name,))


async def ticket(conn: Connection, ticket_id: int) -> bool:
    """Takes the ticket's row for this transaction, first, as a person's action does (so a
    sweep and an action never wait on each other in opposite orders); False when someone is
    acting on it right now (the sweep comes back to it next time) or it does not exist."""
    if conn.dialect != "postgres":
        return True
    cur = await conn.execute("SELECT id FROM tickets WHERE id = ? FOR UPDATE SKIP LOCKED",
                             (ticket_id,))
    return await cur.fetchone() is not None
