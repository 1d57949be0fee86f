"""A tap goes to the first button route that takes its token, as trying every route in turn
would, though the table tries only the routes whose patterns can match a token beginning so
(handlers/routes.py ButtonTable)."""

import re

from bot.app import DOORS
from handlers import router
from handlers.routes import ButtonTable, literal_start

TRICKY = ["^r:c(:|$)", "^a|b:", "^ab?c:", "^x*y:", "(?i)k:", "^q{2}:", "^ab{0,1}c:", r"^\d+:",
          "^[mn]:", "^lit$", "^m:help$", "^d:", "^d:tech:", "^(k|l):", "^z:."]


def first_in_turn(buttons, token):
    return next((h for p, h in buttons if p is None or p.match(token)), None)


def tokens_for(patterns: list[str]) -> set[str]:
    """Tokens made from each pattern's start, and others no pattern takes."""
    made = {"", ":", "::", "b:", "b:1", "ac:", "c:", "y:", "xy:", "K:1", "qq:", "q:", "12:",
            "n:", "lit", "litx", "z:", "z:1", "l:", "unknown:1", "r", "r:", "r:c", "r:cx"}
    for p in patterns:
        start = re.split(r"[\\(\[.*+?$|{]", p.lstrip("^"), maxsplit=1)[0]
        made |= {start, start[:-1], f"{start}1", f"{start}x:1", f"{start}:1", f"{start}c:1"}
    return made


def test_the_table_answers_as_trying_every_route_in_turn():
    desk_patterns = [p.pattern for door in (*DOORS, router.door(DOORS)) for r in door.routes
                     for p, _ in r.buttons if p is not None]
    patterns = TRICKY + desk_patterns
    buttons = [(re.compile(p), f"handler {n}") for n, p in enumerate(patterns)]
    for with_any in (False, True):
        routes = buttons + [(None, "any button")] if with_any else buttons
        table = ButtonTable(routes)
        tokens = tokens_for(patterns)
        assert len(tokens) > 1000
        for token in sorted(tokens):
            assert table.find(token) == first_in_turn(routes, token), token
            assert table.find(token) == first_in_turn(routes, token), token  # remembered
        # A button whose data is no text (a game's) only by a route taking any button.
        assert table.find(None) == ("any button" if with_any else None)


def test_a_patterns_literal_start_is_what_all_its_tokens_begin_with():
    assert literal_start(re.compile("^r:c(:|$)")) == "r:c"
    assert literal_start(re.compile("^m:help$")) == "m:help"
    assert literal_start(re.compile("^ab?c:")) == "a"  # b may be absent
    assert literal_start(re.compile("^a|b:")) == ""  # "b:…" is taken too
    assert literal_start(re.compile("^k:", re.IGNORECASE)) == ""
    assert literal_start(None) == ""


def test_forged_tokens_do_not_grow_the_table_without_end():
    table = ButtonTable([(re.compile("^d:"), "dispatch"), (None, "any button")])
    for n in range(5000):
        assert table.find(f"forged{n}:1") == "any button"
    assert table.find("d:1") == "dispatch"
    assert len(table._by_first) <= ButtonTable._KEPT
