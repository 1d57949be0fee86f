"""The rich menus the desk made at LINE, one per kind of menu (a role and a language), so
every worker links the same one. The digest says what the menu shows: a menu whose labels or
layout changed is made anew and the old one deleted at LINE."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Connection, db_time, to_db_time


@dataclass(frozen=True)
class MadeMenu:
    key: str
    menu_id: str
    digest: str
    created_at: datetime


_SELECT = "SELECT key, menu_id, digest, created_at FROM line_menus "


def _menu(r) -> MadeMenu:
    return MadeMenu(r[0], r[1], r[2], db_time(r[3]))


async def get(conn: Connection, key: str) -> MadeMenu | None:
    row = await (await conn.execute(_SELECT + "WHERE key = ?", (key,))).fetchone()
    return _menu(row) if row else None


async def every(conn: Connection) -> list[MadeMenu]:
    return [_menu(r) for r in await (await conn.execute(_SELECT + "ORDER BY key")).fetchall()]


async def put(conn: Connection, key: str, menu_id: str, digest: str,
              now: datetime) -> tuple[str, str | None]:
    """Inside a transaction: the menu made for `key`, unless one of the same digest is
    already kept (another worker was first). The menu kept, and the one it replaced (to
    delete at LINE), if any."""
    before = await get(conn, key)
    if before is not None and before.digest == digest:
        return before.menu_id, None
    # A worker that read nothing may meet another's row here (PostgreSQL waits for it to
    # commit): a menu of the same digest kept first stays, and is read back below.
    await conn.execute(
        "INSERT INTO line_menus (key, menu_id, digest, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(key) DO UPDATE SET menu_id = excluded.menu_id, digest = excluded.digest, "
        "created_at = excluded.created_at WHERE line_menus.digest <> excluded.digest",
        (key, menu_id, digest, to_db_time(now)))
    after = await get(conn, key)
    kept = after.menu_id if after is not None else menu_id
    return kept, before.menu_id if before is not None and before.menu_id != kept else None


async def forget(conn: Connection, key: str, menu_id: str) -> bool:
    """A menu LINE no longer has: made anew at the next link."""
    cur = await conn.execute("DELETE FROM line_menus WHERE key = ? AND menu_id = ?",
                             (key, menu_id))
    return cur.rowcount == 1
