"""Who sees a resident's name and phone (個人資料保護法 Arts. 5, 19, 20: personal data used
within the purpose it was collected for, and no more than that purpose needs). One rule,
asked by every card, notice and document that shows a ticket:

- the office (clerk, supervisor, manager) sees the contact as always: it answers for it;
- a technician, or the one person of a responsible unit who accepted the job, sees the
  resident's name and phone while holding the job (given to them and not closed); before
  that (a unit's offer) and after it closes, the unit and the problem, not who lives there;
- a resident sees their own; another resident following the same public fault sees
  neither the reporter's name nor their unit, and nobody's name of the other followers;
- everyone else with a reason to read the ticket (the form's other signers) sees the unit.

Documents for a responsible unit (its quarterly settlement) carry units, not names or
phones, unless the estate's settings say otherwise (`names_on_contractor_documents`). A text
for many readers (an announcement) names no household: no unit, no resident (so no list of
households in arrears is ever posted; fee reminders go to the unit's own people alone)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum

from storage.db import Connection
from storage.privacy import households
from storage.records import Person, Ticket
from workflow import roles
from workflow import tickets as machine
from workflow.settings import EstateSettings

OFFICE = roles.DISPATCHERS  # answers for the residents' data: sees it as it always has


class Sight(StrEnum):
    """What a viewer may see of the resident who reported a ticket."""
    CONTACT = "contact"  # their name and phone, and the unit
    UNIT = "unit"  # the unit and the problem, not who lives there
    NOTHING = "nothing"  # neither (another resident following the same fault)


def holds(viewer: Person, ticket: Ticket) -> bool:
    """The job is theirs and not closed: a technician it was given to, or the unit's person
    who accepted it (both are its `technician_id`)."""
    return ticket.technician_id == viewer.user_id and ticket.status in machine.OPEN


def is_office(viewer: Person | None) -> bool:
    return viewer is not None and viewer.active and viewer.role in OFFICE


def sight(viewer: Person | None, ticket: Ticket) -> Sight:
    """What `viewer` may see of the ticket's resident. None is the office's own tools (the
    command line run by whoever keeps the server): the contact."""
    if viewer is None or viewer.user_id == ticket.resident_id or is_office(viewer):
        return Sight.CONTACT
    if not viewer.active:
        return Sight.NOTHING
    if viewer.role in roles.WORKERS:
        return Sight.CONTACT if holds(viewer, ticket) else Sight.UNIT
    if viewer.role in (None, roles.RESIDENT):  # a neighbour following the same fault
        return Sight.NOTHING
    return Sight.UNIT  # the form's other signers (監理, 項目部), other staff


def on_duty(ticket: Ticket) -> Sight:
    """Whoever is on duty out of hours, told of an emergency to see to it now: the contact
    while it is open (they answer for it until the desk gives it to someone)."""
    return Sight.CONTACT if ticket.status in machine.OPEN else Sight.UNIT


def sees_contact(viewer: Person | None, ticket: Ticket) -> bool:
    return sight(viewer, ticket) is Sight.CONTACT


def is_resident(person_id: int, ticket: Ticket, followers: Iterable[int],
                people: Mapping[int, Person]) -> bool:
    """Someone the ticket names as a resident: its reporter, a follower, the owner who
    signs its form (anyone on it who is not staff)."""
    if person_id == ticket.resident_id or person_id in followers:
        return True
    found = people.get(person_id)
    return found is not None and found.role in (None, roles.RESIDENT)


def may_name(viewer: Person | None, ticket: Ticket, person_id: int,
             followers: Iterable[int] = (), people: Mapping[int, Person] | None = None
             ) -> bool:
    """Whether `viewer` may read this person's name on the ticket (its timeline, who
    confirmed or signed). Staff are named to all; a resident to themselves, to the office,
    and (the reporter alone) to whoever holds the job; followers to the office alone."""
    if viewer is None or person_id == viewer.user_id or is_office(viewer):
        return True
    followers = tuple(followers)
    if not is_resident(person_id, ticket, followers, people or {}):
        return True
    if person_id == ticket.resident_id:
        return sight(viewer, ticket) is Sight.CONTACT
    return False


# Events whose note names a resident or their unit, and who may read it: a neighbour who
# follows the fault (their unit) to the office; who was phoned, to the office and the
# job's holder; who signed the form on paper for the owner, to whoever sees the contact.
OFFICE_NOTES = frozenset({"follower_added"})
HOLDER_NOTES = frozenset({"phoned_resident"})
CONTACT_NOTES = frozenset({"signed_on_paper"})


def may_read_note(viewer: Person | None, ticket: Ticket, action: str) -> bool:
    """Whether `viewer` may read the note of an event of this kind on the ticket."""
    if viewer is None or is_office(viewer):
        return True
    if action in OFFICE_NOTES:
        return False
    if action in HOLDER_NOTES:
        return viewer.role in roles.WORKERS and holds(viewer, ticket)
    if action in CONTACT_NOTES:
        return sees_contact(viewer, ticket)
    return True


def names_on_documents(settings: EstateSettings) -> bool:
    """Whether a responsible unit's documents carry residents' names and phones."""
    return settings.names_on_contractor_documents


def _mentions(text: str, word: str) -> bool:
    """`word` in `text` as a word of its own (Latin letters and digits around it do not
    count; a Chinese text runs its words together, so a character beside it does)."""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text,
                     re.IGNORECASE) is not None


async def household_named(conn: Connection, text: str) -> str | None:
    """The first unit (A 12F-3, or 12F-3 alone) or resident's name that a text for many
    readers names, or None. A unit written as a bare number (301) counts only with its
    building, so a date or a count is not taken for one."""
    units, names = await households.marks(conn)
    for building, unit in units:
        labels = [f"{building} {unit}"] + ([unit] if not unit.isdigit() else [])
        for label in labels:
            if _mentions(text, label):
                return label
    return next((n for n in names if len(n.strip()) >= 2 and _mentions(text, n.strip())),
                None)
