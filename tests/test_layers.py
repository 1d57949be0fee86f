"""The layering of DESIGN.md: bot -> handlers -> workflow -> storage, SQL only in storage."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["bot", "handlers", "workflow", "storage"]


def imports(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {(str(path), alias.name.split(".")[0]) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add((str(path), node.module.split(".")[0]))
    return found


def test_imports_run_one_way():
    for level, package in enumerate(LAYERS):
        upward = set(LAYERS[:level])
        bad = [(f, m) for f, m in imports(package) if m in upward]
        assert bad == [], f"{package} imports upward: {bad}"


def test_workflow_and_storage_know_no_telegram():
    for package in ("workflow", "storage"):
        bad = [(f, m) for f, m in imports(package) if m == "telegram"]
        assert bad == []


def test_sql_lives_only_in_storage():
    for package in ("bot", "handlers", "workflow"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for keyword in ('"SELECT ', '"INSERT ', '"UPDATE ', '"DELETE '):
                assert keyword not in text, f"{path} has SQL"


def test_arm_alone_writes_a_tickets_timers():
    """What is due for a ticket is derived again from the ticket after every change
    (workflow/sla.arm), never patched by hand elsewhere, so it cannot drift from the ticket."""
    writers = ("timers.set_pending", "timers.forget", "timers.clear_pending")
    for package in ("bot", "handlers", "workflow"):
        for path in (ROOT / package).rglob("*.py"):
            if path.relative_to(ROOT).as_posix() == "workflow/sla.py":
                continue
            text = path.read_text(encoding="utf-8")
            assert not any(w in text for w in writers), f"{path} writes a ticket's timers"


def sandbox_imports(package: str) -> list[tuple[str, str, int]]:
    """Every import of the sandbox in a package, wherever it stands (module level or inside
    a function): the file, the function it is in ("" at module level) and the line."""
    found = []
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = {}
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(function):
                    where.setdefault(node, function.name)  # the outermost function
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            if any(name.split(".")[0] == "sandbox" for name in names):
                found.append((path.relative_to(ROOT).as_posix(), where.get(node, ""),
                              node.lineno))
    return found


def test_production_never_loads_the_sandbox():
    """The sandbox (its stand-in of the Bot API, its page, its demo clock) is a tool and the
    tests' infrastructure, outside `bot/`: the production packages import it nowhere but in
    the command line's `demo` command, inside it, so no other command ever loads it."""
    assert not list((ROOT / "bot").glob("sandbox/**/*.py"))  # (a checkout may keep __pycache__)
    found = [hit for package in LAYERS for hit in sandbox_imports(package)]
    assert [(path, function) for path, function, _ in found] == [("bot/cli.py", "main")]
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            assert "DemoClock" not in path.read_text(encoding="utf-8"), path
    cli = (ROOT / "bot" / "cli.py").read_text(encoding="utf-8")
    top = cli[:cli.index("\ndef ")]
    assert "sandbox" not in top  # not among the imports every command makes
