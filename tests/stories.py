"""Shared steps of the stories: people hired and onboarded, a repair reported."""

from __future__ import annotations

from tests.harness import DeskHarness, Person
from workflow import roles


async def staff(desk: DeskHarness, language: str = "en") -> tuple[Person, Person, Person]:
    clerk = desk.person(9001, "Clerk", language)
    tech = desk.person(9002, "Tech", language)
    boss = desk.person(9003, "Boss", language)
    await desk.hire(clerk, roles.CLERK, "Desk clerk")
    await desk.hire(tech, roles.TECHNICIAN, "Ah Wai")
    await desk.hire(boss, roles.SUPERVISOR, "Supervisor")
    return clerk, tech, boss


async def resident_of_a12(desk: DeskHarness, language: str = "en") -> Person:
    resident = desk.person(5001, "May", language)
    await resident.send("/start")
    await resident.share_contact("+886 912 345 678")
    return resident


async def report_leak(resident: Person,
                      description: str = "Water drips from the pipe under the sink.",
                      photos: tuple[str, ...] = (), send: bool = True) -> None:
    """Reports through the commands and buttons, in whatever language the resident uses
    (without `send`, stops at the summary, before "Confirm and send")."""
    await resident.send("/repair")
    await resident.tap_data("r:c:plumbing")
    await resident.tap_data("r:g:normal")
    await resident.send("Kitchen sink")
    await resident.send(description)
    for photo in photos:
        await resident.send_photo(photo)
    await resident.tap_data("r:pd")
    await choose_a_visit(resident)
    if send:
        await resident.tap_data("r:ok")


async def choose_a_visit(resident) -> None:
    """The second day offered, in the morning."""
    call, _ = resident.button(resident.labels()[1])
    await resident.tap_data(call.buttons()[1]["callback_data"])
    await resident.tap_data("r:s:morning")


async def assign_to_tech(clerk: Person, ticket_id: int = 1, tech_id: int = 9002,
                         days: int = 2) -> None:
    """With a deadline `days` days on (0: the service level's)."""
    await clerk.tap_starting(f"d:tech:{ticket_id}:")
    await clerk.tap_starting(f"d:pt:{ticket_id}:{tech_id}:")
    await clerk.tap_starting(f"d:dl:{ticket_id}:t{tech_id}:{days}:")


async def complete(tech: Person, ticket_id: int = 1, note: str = "Fixed it.") -> None:
    await tech.tap_starting(f"w:done:{ticket_id}:")
    await tech.send_photo(f"after-{ticket_id}-{len(tech.calls())}")
    await tech.tap_data("w:pd")
    await tech.send(note)
    await tech.send("1")
    if any(b["callback_data"] == "w:mf" for b in tech.calls()[-1].buttons()):
        await tech.tap_data("w:mf")  # the storeroom's items: none used
    else:
        await tech.send("0")  # no catalogue: the materials' cost
