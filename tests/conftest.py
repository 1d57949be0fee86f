import pytest

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
