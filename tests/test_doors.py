"""The areas' front doors (handlers/routes.Door) do not overlap: every button the bot shows in
an estate's day (and the same with other ids, and tokens made from each pattern) is taken by
the routes of one door at most, and the installed bot hands it to that door. So the order of
the doors in bot/app.py cannot change who answers a button."""

from bot.app import DOORS
from handlers import router
from handlers.channels.telegram.buttons import Buttons
from handlers.routes import steps_of
from tests.who_may import _literal_start, estate_in_mid_day, presses

TAILS = ("", "1", "x:1", "1:1", "y:1", "ok:1:v1")
# Buttons the estate's day does not show: the storeroom's, during a completion record (w:m…,
# beside the technician's w:… of repairs).
UNSHOWN = ("w:mi:1", "w:mq:1:2", "w:mf")


def doors_taking(token: str) -> set[str]:
    return {door.name for door in DOORS for r in door.routes for pattern, _ in r.buttons
            if pattern is not None and pattern.match(token)}


def samples(shown: list[str]) -> set[str]:
    """The tokens of the estate's day, and for each pattern of each door a few made from it."""
    patterns = [p.pattern for door in DOORS for r in door.routes for p, _ in r.buttons
                if p is not None]
    made = {f"{_literal_start(p)}{tail}" for p in patterns for tail in TAILS}
    # a literal pattern is its own token: "^m:help$" gives "m:help"
    return set(shown) | set(UNSHOWN) | made | {p.strip("^$") for p in patterns}


async def test_a_button_token_belongs_to_one_door_and_reaches_it(desk):
    estate = await estate_in_mid_day(desk)
    door_of = {id(handler): door.name for door in (*DOORS, router.door(DOORS))
               for r in door.routes for _, handler in r.buttons}
    installed = [h for h in desk.app.handlers[0] if isinstance(h, Buttons)]
    tokens = samples(presses(estate))
    taken_by_some_door, tried = 0, set()
    for token in sorted(tokens):
        takers = doors_taking(token)
        assert len(takers) <= 1, f"{token!r} is taken by the doors {sorted(takers)}"
        first = next(h for h in installed if h.pattern is None or h.pattern.match(token))
        answered_by = door_of.get(id(first.callback.__wrapped__), "router")
        assert answered_by == (takers.pop() if takers else "router"), token
        taken_by_some_door += answered_by != "router"
        tried |= {p.pattern for door in DOORS for r in door.routes for p, _ in r.buttons
                  if p is not None and p.match(token)}
    assert taken_by_some_door > 100  # the estate's day showed the doors' buttons
    untried = {p.pattern for door in DOORS for r in door.routes for p, _ in r.buttons
               if p is not None} - tried
    assert untried == set()  # every pattern of every door had a token to take


def test_a_command_and_a_conversation_belong_to_one_door():
    commands = [name for door in DOORS for r in door.routes for name in r.commands]
    assert len(commands) == len(set(commands))
    steps = steps_of(DOORS)  # raises if a flow is two doors'
    assert len(steps) == sum(len(door.steps) for door in DOORS)
