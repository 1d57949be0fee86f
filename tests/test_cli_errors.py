"""What the office sees when a command cannot do what was asked: one or two clear lines and a
non-zero exit, never a traceback, and nothing created or changed by the mistake."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox.bot_api import BotApiStandIn
from tests.test_end_to_end import start_bot

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.sqlite_only  # the commands run on SQLite files (or a PostgreSQL down)


def estatedesk(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("TELEGRAM_BOT_TOKEN", "ESTATEDESK_DB", "ESTATEDESK_CONFIG")}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd,
                          env={**clean, "PYTHONPATH": str(ROOT), **env},
                          capture_output=True, text=True, timeout=90)


def plainly(done: subprocess.CompletedProcess, *said: str, lines: int = 2) -> None:
    """Refused, in at most `lines` lines that say `said`, without a traceback."""
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    assert 1 <= len(done.stderr.strip().splitlines()) <= lines, done.stderr
    for words in said:
        assert words in done.stderr, done.stderr


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def estate(tmp_path) -> Path:
    db = tmp_path / "estatedesk.sqlite3"
    assert estatedesk("db", "migrate", ESTATEDESK_DB=str(db)).returncode == 0
    return db


def test_run_with_a_token_telegram_does_not_know(tmp_path):
    with BotApiStandIn(token="123456:THE-REAL-ONE") as api:
        bot = start_bot(api, tmp_path / "desk.sqlite3")  # with 123456:E2E
        output, _ = bot.communicate(timeout=60)
    assert bot.returncode == 1 and "Traceback" not in output
    assert len(output.strip().splitlines()) <= 2
    assert "Telegram does not know this bot token" in output and "@BotFather" in output


def test_run_when_telegram_cannot_be_reached(tmp_path):
    done = estatedesk("run", TELEGRAM_BOT_TOKEN="123456:E2E",
                      TELEGRAM_API_URL=f"http://127.0.0.1:{closed_port()}",
                      ESTATEDESK_DB=str(tmp_path / "desk.sqlite3"))
    plainly(done, "cannot reach Telegram", "network")


def test_a_report_to_a_missing_folder_or_to_a_folder(estate, tmp_path):
    missing = estatedesk("report", "monthly", "2026-11", "--out",
                         str(tmp_path / "no-such-folder" / "november.xlsx"),
                         ESTATEDESK_DB=str(estate))  # made, as the settlement's folder is
    assert missing.returncode == 0 and (tmp_path / "no-such-folder" / "november.xlsx").exists()
    folder = estatedesk("report", "ledger", "--from", "2026-11-01", "--to", "2026-11-30",
                        "--out", str(tmp_path), ESTATEDESK_DB=str(estate))
    plainly(folder, "is a folder", "repair-ledger", lines=1)
    a_file = estatedesk("report", "settlement", "2026-Q4", "--out", str(estate),
                        ESTATEDESK_DB=str(estate))
    plainly(a_file, "is a file", lines=1)


def test_a_settlement_with_no_responsible_units_says_so(estate, tmp_path):
    done = estatedesk("report", "settlement", "2026-Q4", "--out", str(tmp_path / "q4"),
                      ESTATEDESK_DB=str(estate))
    assert done.returncode == 0 and "No responsible unit yet" in done.stdout
    assert "contractor add" in done.stdout and not (tmp_path / "q4").exists()


def test_db_migrate_while_postgresql_is_down():
    done = estatedesk("db", "migrate",
                      ESTATEDESK_DB=f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    plainly(done, "cannot reach the database", "Is PostgreSQL running")


def test_the_database_in_a_folder_that_does_not_exist(tmp_path):
    done = estatedesk("staff", "list", ESTATEDESK_DB=str(tmp_path / "gone" / "desk.sqlite3"))
    plainly(done, "ESTATEDESK_DB", "gone does not exist", lines=1)
    assert not (tmp_path / "gone").exists()


def test_a_port_that_is_no_port():
    done = estatedesk("demo", "--port", "99999")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "99999 is not a port: use a number from 1 to 65535" in done.stderr


def test_roles_are_listed_as_they_are_typed():
    done = estatedesk("staff", "invite", "--role", "boss")
    assert done.returncode == 2
    assert "'clerk', 'technician'" in done.stderr and "Role." not in done.stderr


def test_a_department_is_for_a_supervisor_only(estate):
    done = estatedesk("staff", "invite", "--role", "clerk", "--department", "security",
                      ESTATEDESK_DB=str(estate))
    plainly(done, "--department is for a supervisor", "Nothing was created", lines=1)
    assert "code:" not in done.stdout
    with sqlite3.connect(estate) as conn:
        assert conn.execute("SELECT count(*) FROM invitations").fetchone() == (0,)
    head = estatedesk("staff", "invite", "--role", "supervisor", "--department", "security",
                      ESTATEDESK_DB=str(estate))
    assert "code:" in head.stdout, head.stderr


def test_an_admin_command_does_not_create_an_empty_database_where_none_was_asked_for(tmp_path):
    for command in (["staff", "invite", "--role", "clerk"], ["contractor", "list"],
                    ["webhook", "info"]):
        done = estatedesk(*command, cwd=tmp_path, TELEGRAM_BOT_TOKEN="123456:E2E")
        plainly(done, f"no database at {tmp_path / 'estatedesk.sqlite3'}",
                "ESTATEDESK_DB is not set", lines=1)
    assert list(tmp_path.iterdir()) == []  # nothing created


def test_a_settings_file_saved_with_a_bom_is_read(tmp_path):
    settings = tmp_path / "estate.toml"
    settings.write_bytes('\ufeffestate_name = "翠湖花園"\n'.encode())
    done = estatedesk("db", "migrate", ESTATEDESK_DB=str(tmp_path / "desk.sqlite3"),
                      ESTATEDESK_CONFIG=str(settings))
    assert done.returncode == 0, done.stderr
    settings.write_bytes('estate_name = "翠湖花園"\n'.encode("big5"))
    done = estatedesk("db", "migrate", ESTATEDESK_DB=str(tmp_path / "desk.sqlite3"),
                      ESTATEDESK_CONFIG=str(settings))
    plainly(done, "is not UTF-8 text", lines=1)


def test_other_libraries_log_warnings_only(tmp_path):
    """APScheduler says every run of a job at INFO, twice a second: some 60 MB a day."""
    with BotApiStandIn() as api:
        bot = start_bot(api, tmp_path / "desk.sqlite3")
        try:
            assert api.wait_for(lambda calls: any(m == "getUpdates" for m, _ in calls))
            time.sleep(3)  # the jobs ran a few times
            bot.send_signal(signal.SIGTERM)
            output, _ = bot.communicate(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()
    assert "estatedesk is running as @" in output  # the desk's own INFO stays
    assert "apscheduler" not in output and "Running job" not in output


def test_a_worker_with_a_token_telegram_does_not_know(tmp_path):
    with BotApiStandIn(token="123456:THE-REAL-ONE") as api:
        done = estatedesk("serve", "--port", str(closed_port()), TELEGRAM_BOT_TOKEN="123456:E2E",
                          TELEGRAM_API_URL=api.url, ESTATEDESK_DB=str(tmp_path / "d.sqlite3"))
    plainly(done, "Telegram does not know this bot token", lines=1)
