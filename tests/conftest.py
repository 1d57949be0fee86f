import pytest

from tests import backends
from tests.harness import DeskHarness

ROSTER = """building,unit,name,phone
A,12F-3,陳美玲,0912-345-678
A,5F-1,林志明,0922 111 222
B,3F-2,林志明,0922 111 222
"""


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


def pytest_collection_modifyitems(config, items):
    """Tests of SQLite's files and planner belong to the SQLite run, tests of PostgreSQL's
    schema and tools to the PostgreSQL run (deselected in the other, not skipped)."""
    other = "postgres_only" if not backends.POSTGRES else "sqlite_only"
    kept = [i for i in items if i.get_closest_marker(other) is None]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


def pytest_sessionfinish(session, exitstatus):
    backends.drop_created()
