"""A pytest plugin for scripts/mutate_checks.py: removes one check of the table of who may
(workflow/access.py) for the whole run, as a careless edit would, without touching a file.
ESTATEDESK_MUTATE=<action> lets everyone do the action (the handlers' gate and the
workflow's check both); ESTATEDESK_MUTATE=<action>:relation checks the role but not the
relation to the record. What the table declares is unchanged: the tests judge by it, so a
mutant is caught only by someone the table does not admit doing or seeing something."""

from __future__ import annotations

import os

from workflow import access

MUTANT = os.environ.get("ESTATEDESK_MUTATE", "")


def pytest_configure(config) -> None:
    if not MUTANT:
        return
    action, _, part = MUTANT.partition(":")
    if action not in access.RULES or part not in ("", "relation"):
        raise KeyError(f"{MUTANT!r} is not a check of the table")
    may, allows = access.may, access.allows

    # The mutant still asks the table (so the tests know whom it admits) and ignores it.
    def mutated_may(asked, person):
        verdict = may(asked, person)
        return True if asked == action and not part else verdict

    async def mutated_allows(conn, asked, person, record=None):
        verdict = await allows(conn, asked, person, record)
        if asked != action:
            return verdict
        return access.role_admits(action, person) if part else True

    access.may = mutated_may  # type: ignore[assignment]
    access.allows = mutated_allows  # type: ignore[assignment]
