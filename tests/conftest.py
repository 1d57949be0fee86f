import pytest

from tests import backends
from tests.harness import DeskHarness

ROSTER = """building,unit,name,phone
A,12F-3,陳美玲,0912-345-678
A,5F-1,林志明,0922 111 222
B,3F-2,林志明,0922 111 222
"""


@pytest.fixture(autouse=True)
def _lent_schema_emptied():
    """On PostgreSQL, the schema a test's desk was lent is emptied for the next test once
    the test is over (tests/backends.py)."""
    yield
    if backends.POSTGRES:
        backends.recycle()


@pytest.fixture
async def desk(tmp_path):
    harness = DeskHarness(tmp_path / "desk.sqlite3")
    await harness.start()
    await harness.import_roster(ROSTER)
    yield harness
    await harness.stop()


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: about SQLite's own files or planner; the "
                                       "PostgreSQL run leaves it to the SQLite run")
    config.addinivalue_line("markers", "postgres_only: about PostgreSQL's schema and tools; "
                                       "run in the PostgreSQL run")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Tests of SQLite's files and planner belong to the SQLite run, tests of PostgreSQL's
    schema and tools to the PostgreSQL run (deselected in the other, not skipped).

    scripts/test spreads the tests over the cores (pytest-xdist, --dist loadgroup); the
    tests of a module that share a fixture made once per module (a built wheel, a running
    demo) go to one worker together, so it is made once."""
    other = "postgres_only" if not backends.POSTGRES else "sqlite_only"
    kept = [i for i in items if i.get_closest_marker(other) is None]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        shared = info is not None and any(
            d.scope != "function" and d.baseid  # the suite's own, not a plugin's
            for defs in info.name2fixturedefs.values() for d in defs)
        if shared:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def pytest_sessionfinish(session, exitstatus):
    backends.drop_created()
