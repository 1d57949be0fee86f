"""The areas' front doors (handlers/routes.Door) do not overlap: every button the bot shows in
an estate's day (and the same with other ids, and tokens made from each pattern) is taken by
the routes of one door at most, and the installed bot hands it to that door. So the order of
the doors in bot/app.py cannot change who answers a button."""

import ast
import importlib
from pathlib import Path

import pytest

from bot.app import DOORS
from handlers import router
from handlers.channels.telegram.routes import routed
from handlers.renderers import ABOUT_A_TICKET, PLAIN, renders
from handlers.routes import steps_of
from tests.who_may import _literal_start, estate_in_mid_day, presses
from workflow import delivery
from workflow.told import TOLD

ROOT = Path(__file__).resolve().parent.parent

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
    installed = routed(desk.app).buttons
    tokens = samples(presses(estate))
    taken_by_some_door, tried = 0, set()
    for token in sorted(tokens):
        takers = doors_taking(token)
        assert len(takers) <= 1, f"{token!r} is taken by the doors {sorted(takers)}"
        first = installed.find(token)
        assert first is next(h for p, h in installed.buttons if p is None or p.match(token))
        answered_by = door_of.get(id(first), "router")
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


def door_of_renderer(renderer) -> list[str]:
    """The doors that declare the module of this renderer among their notices."""
    return [door.name for door in DOORS
            if renderer.__module__ in {module.__name__ for module in door.notices}]


class WorkflowModule:
    """One workflow module's source, to read which kinds its calls of the outbox write."""

    def __init__(self, path: Path) -> None:
        self.path = path.relative_to(ROOT)
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.module = importlib.import_module(".".join(self.path.with_suffix("").parts))
        self.functions = [f for f in ast.walk(self.tree)
                          if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)]
        self.calls = [c for c in ast.walk(self.tree) if isinstance(c, ast.Call)]

    def enclosing(self, node: ast.expr) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The innermost function holding the node."""
        holders = [f for f in self.functions if any(n is node for n in ast.walk(f))]
        return max(holders, key=lambda f: f.lineno, default=None)

    def values(self, node: ast.expr) -> set[str]:
        """The strings an argument may be: a literal, either branch of a choice, a module's
        constant, or a parameter of its function, as the function's callers here give it."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self.values(node.body) | self.values(node.orelse)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            value = getattr(getattr(self.module, node.value.id, None), node.attr, None)
            return {value} if isinstance(value, str) else set()
        if not isinstance(node, ast.Name):
            return set()
        if isinstance(getattr(self.module, node.id, None), str):
            return {getattr(self.module, node.id)}
        within = self.enclosing(node)
        params = [a.arg for a in within.args.args] if within else []
        if within is None or node.id not in params:
            return set()
        at, kinds = params.index(node.id), set()
        for call in self.calls:
            if getattr(call.func, "id", getattr(call.func, "attr", None)) != within.name:
                continue
            given = [k.value for k in call.keywords if k.arg == node.id]
            if not given and len(call.args) > at:
                given = [call.args[at]]
            for arg in given:
                kinds |= self.values(arg)
        return kinds

    def written(self) -> dict[tuple[str, bool], str]:
        """Its calls of `outbox.add` (and `add_to_chat`): each kind, with whether it is about
        a ticket (`add` given a ticket), and where it is written."""
        found = {}
        for call in self.calls:
            func = call.func
            if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                    and func.value.id == "outbox" and func.attr in ("add", "add_to_chat")):
                continue
            kind = next((k.value for k in call.keywords if k.arg == "kind"), None) \
                or call.args[2]
            ticket = next((k.value for k in call.keywords if k.arg == "ticket_id"), None) \
                or (call.args[4] if func.attr == "add" and len(call.args) > 4 else None)
            about = ticket is not None and not (isinstance(ticket, ast.Constant)
                                                 and ticket.value is None)
            for value in self.values(kind):
                found[(value, about)] = f"{self.path}:{call.lineno}"
        return found


def written_kinds() -> dict[tuple[str, bool], str]:
    """The kinds the workflow writes to the outbox, read from its source."""
    return {k: at for path in sorted((ROOT / "workflow").rglob("*.py"))
            for k, at in WorkflowModule(path).written().items()}


def test_every_kind_written_has_one_renderer_of_one_door():
    """A renderer left out of every door (never imported, or in a module no door declares)
    fails here; a second renderer of a kind fails at import (`renders`)."""
    kinds = written_kinds()
    kinds |= {(row.notice, True): "workflow/told.py" for rows in TOLD.values() for row in rows}
    kinds.pop((delivery.REPLY, False))  # a reply is sent as written (`send_reply`)
    assert len(kinds) > 90  # the scan read the workflow's notices
    unrendered = {k: at for k, at in kinds.items()
                  if k[0] not in (ABOUT_A_TICKET if k[1] else PLAIN)}
    assert unrendered == {}
    registered = [*ABOUT_A_TICKET.values(), *PLAIN.values()]
    assert {r.__qualname__: door_of_renderer(r) for r in registered
            if len(door_of_renderer(r)) != 1} == {}


def test_a_second_renderer_of_a_kind_is_refused():
    settlement = PLAIN["settlement"]

    async def another(n) -> None:
        return None

    with pytest.raises(ValueError, match="'settlement' has a renderer already"):
        renders("settlement", plain=True)(another)
    assert PLAIN["settlement"] is settlement
