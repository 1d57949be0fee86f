"""The log: the desk's own lines at INFO, saying what happened by reference (a ticket's
reference, a person's id), never a name or a phone; other libraries at WARNING (APScheduler
says every run of a job, twice a second: some 60 MB a day), unless someone debugging asks
for more."""

import logging

import pytest

from bot import cli
from tests.stories import report_leak, resident_of_a12

WATCHED = ("apscheduler", "httpx", "telegram", "aiosqlite", "psycopg", "bot", "handlers",
           "workflow", "storage", "")


@pytest.fixture
def levels():
    """The loggers' levels as the test found them, put back after it (one process)."""
    kept = {name: logging.getLogger(name).level for name in (*WATCHED, *cli.LIBRARY_LOGGERS)}
    yield
    for name, level in kept.items():
        logging.getLogger(name).setLevel(level)


def started(tmp_path, monkeypatch, **environment) -> dict[str, int]:
    """The levels in force once `estatedesk` has started (a quick admin command, in this
    process)."""
    monkeypatch.setenv("ESTATEDESK_DB", str(tmp_path / "desk.sqlite3"))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["db", "migrate"]) == 0
    return {name: logging.getLogger(name).getEffectiveLevel() for name in WATCHED}


def test_the_operator_sees_the_desks_lines_and_only_the_libraries_warnings(tmp_path, monkeypatch,
                                                                         levels):
    for name in ("apscheduler", "httpx", "telegram"):
        logging.getLogger(name).setLevel(logging.INFO)  # as a library may leave itself
    found = started(tmp_path, monkeypatch)
    for name in ("apscheduler", "httpx", "telegram", "aiosqlite", "psycopg", ""):
        assert found[name] == logging.WARNING, name
    for name in ("bot", "handlers", "workflow", "storage"):
        assert found[name] == logging.INFO, name


def test_someone_debugging_may_raise_the_libraries_and_the_desk(tmp_path, monkeypatch, levels):
    found = started(tmp_path, monkeypatch, ESTATEDESK_LIBRARY_LOG_LEVEL="info",
                    ESTATEDESK_LOG_LEVEL="DEBUG")
    assert found["apscheduler"] == found["httpx"] == logging.INFO
    assert found["workflow"] == logging.DEBUG
    found = started(tmp_path, monkeypatch, ESTATEDESK_LIBRARY_LOG_LEVEL="chatty",
                    ESTATEDESK_LOG_LEVEL="")
    assert found["apscheduler"] == logging.WARNING and found["workflow"] == logging.INFO


async def test_a_filed_repair_is_logged_by_reference_without_name_or_phone(desk, caplog):
    caplog.set_level(logging.INFO)
    resident = await resident_of_a12(desk)
    await report_leak(resident)
    assert "R-2026-00001" in resident.last_text
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("workflow")]
    assert any(line.startswith("R-2026-00001 reported by person 5001") for line in lines), lines
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for private in ("陳美玲", "May", "0912", "912 345", "912-345", "345678", "345 678"):
        assert private not in everything, private
