"""Who may: the table of workflow/access.py is the one rule, and every button and command
the bot registers holds to it. A stranger, a removed clerk, a neighbour and another unit's
person press every button the bot showed during an estate's day (and the same buttons with
other records' ids, and buttons made from each pattern nothing showed) and send every
command; each member of staff and the resident press a seeded sample of them. Nothing may
change in the database and nothing may be shown unless the table admits the presser.

(Another estate's resident is a stranger here: each estate has its own database.)"""

import ast
import json
import os
import random
from pathlib import Path

from telegram.ext import TypeHandler

from handlers.channels.telegram.routes import Routed, routed
from tests.who_may import Verdicts, dump, estate_in_mid_day, judge, plan
from workflow import access

SEED = int(os.environ.get("ESTATEDESK_WHO_MAY_SEED") or random.randrange(2**31))
STAFF_SAMPLE = int(os.environ.get("ESTATEDESK_WHO_MAY_SAMPLE", "60"))  # presses per person
ROOT = Path(__file__).resolve().parent.parent
# scripts/mutate_checks.py: the first run writes what each press asked the table and whether
# it changed anything; a run with one check removed (ESTATEDESK_MUTATE) then makes only the
# presses that asked about that check, and those that changed something (so each press
# meets the same estate). A press that never asks about the check does the same without it.
BASELINE = os.environ.get("ESTATEDESK_WHO_MAY_BASELINE")


def _kept(presses: list) -> set[int]:
    """The presses a mutant run makes: those that asked about the check removed or changed
    something in the baseline run, and any the baseline did not make (the estate's day may
    show a button more or less from one run to the next)."""
    mutant = os.environ.get("ESTATEDESK_MUTATE", "").partition(":")[0]
    if not (BASELINE and mutant and Path(BASELINE).exists()):
        return set(range(len(presses)))
    made: dict[str, bool] = {}
    for press in json.loads(Path(BASELINE).read_text(encoding="utf-8")):
        made[press["press"]] = made.get(press["press"], False) or \
            mutant in press["asked"] or press["changed"]
    return {n for n, press in enumerate(presses) if made.get(_key(press), True)}


def _key(press) -> str:
    return f"{press.who}\t{press.what}"


ASKING = {"handles", "allowed", "may", "check", "require", "admits", "allows"}


async def test_nobody_does_or_sees_what_the_table_does_not_let_them(desk, monkeypatch):
    print(f"who may: seed {SEED} (ESTATEDESK_WHO_MAY_SEED={SEED} repeats this run)")
    estate = await estate_in_mid_day(desk)
    verdicts = Verdicts()
    verdicts.install(monkeypatch)
    presses = plan(estate, SEED, STAFF_SAMPLE)
    kept = _kept(presses)
    before = await dump(desk)
    problems, asked = [], []
    for number, press in enumerate(presses):
        if number not in kept:
            continue
        problem, before = await judge(estate, press, verdicts, before)
        asked.append({"press": _key(press), "asked": sorted(verdicts.asked),
                      "changed": verdicts.changed})
        if problem is not None:
            problems.append(problem)
            if os.environ.get("ESTATEDESK_WHO_MAY_FIRST"):  # the mutation run: one is enough
                break
    print(f"who may: {len(kept)} of {len(presses)} presses and commands")
    if BASELINE and not Path(BASELINE).exists() and not problems:
        Path(BASELINE).write_text(json.dumps(asked), encoding="utf-8")
    assert not problems, f"seed {SEED}: " + "\n".join(problems[:20])


async def test_every_handler_asks_the_table(desk):
    """Every command, button and message handler names its action, and the table has it."""
    others = [h for group in desk.app.handlers.values() for h in group
              if not isinstance(h, TypeHandler | Routed)]
    assert others == []  # the areas' routes are all in the one handler
    handlers = routed(desk.app).handlers()
    unnamed = [h.__qualname__ for h in handlers
               if getattr(h, "access_action", None) not in access.RULES]
    assert len(handlers) > 200 and unnamed == []


def _asked() -> set[str]:
    """The actions the handlers and the workflow ask the table about, read from the code:
    the names given to handles(), allowed(), access.may/check/require/admits, and the
    values of a handler's table of buttons."""
    found: set[str] = set()

    def names(node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
        elif isinstance(node, ast.IfExp):
            names(node.body)
            names(node.orelse)
        elif isinstance(node, ast.Dict):  # {"go": "repairs.progress", ...}.get(action, ...)
            for value in node.values:
                names(value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            names(node.func.value)
            for arg in node.args:
                names(arg)

    for path in [*ROOT.glob("handlers/**/*.py"), *ROOT.glob("workflow/**/*.py")]:
        if path.name == "access.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else \
                    func.id if isinstance(func, ast.Name) else ""
                if name in ASKING:
                    for arg in node.args:
                        names(arg)
            elif isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "BUTTONS" for t in node.targets):
                for value in getattr(node.value, "values", []):
                    names(value)
    return {a for a in found if "." in a and " " not in a}


def test_every_action_asked_is_in_the_table_and_every_rule_is_asked():
    asked = _asked()
    assert sorted(asked - set(access.RULES)) == []
    assert sorted(set(access.RULES) - asked) == []
