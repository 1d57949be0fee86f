"""What names a household: every unit of the estate, and the names of the people who live
in them (the roster's, and residents' as they joined), for texts that must name none."""

from __future__ import annotations

from storage.db import Connection


async def marks(conn: Connection) -> tuple[list[tuple[str, str]], list[str]]:
    """The units as (building, unit), and the residents' names."""
    units = [(r[0], r[1]) for r in await (await conn.execute(
        "SELECT building, unit FROM units ORDER BY building, unit")).fetchall()]
    names = [r[0] for r in await (await conn.execute(
        "SELECT name FROM roster UNION SELECT name FROM people WHERE role IS NULL OR "
        "role = 'resident'")).fetchall() if r[0]]
    return units, names
