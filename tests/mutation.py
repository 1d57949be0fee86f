"""A pytest plugin for scripts/mutate_checks.py: removes one check of the table of who may
(workflow/access.py) for the whole run, as a careless edit would, without touching a file.
ESTATEDESK_MUTATE=<action> lets everyone do the action (the handlers' gate and the
workflow's check both); ESTATEDESK_MUTATE=<action>:relation checks the role but not the
relation to the record. What the table declares is unchanged: the tests judge by it."""

from __future__ import annotations

import os

from storage import people
from workflow import access
from workflow.tickets import Refusal

MUTANT = os.environ.get("ESTATEDESK_MUTATE", "")


def pytest_configure(config) -> None:
    if not MUTANT:
        return
    action, _, part = MUTANT.partition(":")
    if action not in access.RULES or part not in ("", "relation"):
        raise KeyError(f"{MUTANT!r} is not a check of the table")
    may, require = access.may, access.require

    def mutated_may(asked, person):
        if asked == action and not part:
            return True
        return may(asked, person)

    async def mutated_require(conn, asked, user_id, record=None):
        if asked != action:
            return await require(conn, asked, user_id, record)
        person = await people.get(conn, user_id)
        if part and not access.role_admits(action, person):  # a rule with a relation: the
            raise Refusal(Refusal.FORBIDDEN)  # spy does not count its role as admitting
        return person

    access.may = mutated_may  # type: ignore[assignment]
    access.require = mutated_require  # type: ignore[assignment]

