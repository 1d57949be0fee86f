"""Starting the desk: `./scripts/run` installs only what the bot needs, and a server that lost
its token stops with a clear error instead of quietly serving a demo; a manager typing the
README's command in a terminal still gets the sandbox, told loudly that it is one."""

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _without_token() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}


def test_a_service_without_its_token_stops_with_an_error_not_a_demo():
    started = subprocess.run([str(ROOT / "scripts" / "run")], env=_without_token(),
                             stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=60)
    assert started.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in started.stderr
    assert "./scripts/run demo" in started.stderr
    assert started.stdout == ""  # nothing started, nothing listening


def test_options_for_the_bot_without_a_token_are_an_error_even_in_a_terminal():
    started = subprocess.run([str(ROOT / "scripts" / "run"), "--webhook", "https://x.test/t"],
                             env=_without_token(), capture_output=True, text=True, timeout=60)
    assert started.returncode == 2 and "cannot start" in started.stderr


def test_estatedesk_run_without_a_token_is_an_error():
    started = subprocess.run([sys.executable, "-m", "bot", "run"], env=_without_token(),
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert started.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in started.stderr and "Traceback" not in started.stderr


def test_a_manager_in_a_terminal_gets_the_sandbox_told_loudly_that_it_is_one():
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the README's command, typed in a terminal
        os.execve(str(ROOT / "scripts" / "run"), [str(ROOT / "scripts" / "run")],
                  _without_token())
    seen = b""
    try:
        deadline = time.monotonic() + 180  # (a first start installs the bot's packages first)
        while b"this is NOT the bot" not in seen and time.monotonic() < deadline:
            if select.select([terminal], [], [], 1)[0]:
                try:
                    seen += os.read(terminal, 4096)
                except OSError:
                    break
    finally:
        os.kill(pid, 15)
        os.waitpid(pid, 0)
        os.close(terminal)
    said = seen.decode(errors="replace")
    assert "this is NOT the bot" in said and "SANDBOX" in said
    assert "TELEGRAM_BOT_TOKEN" in said



def test_run_installs_the_bot_alone_and_test_adds_the_test_tools_once(tmp_path):
    """scripts/_venv in a project of its own, with a stand-in for the venv's python that notes
    what pip was asked to install: `run` installs `.`, `test` `.[test]`; the stamp tells the
    two apart, a test install serves run too, and a changed pyproject.toml installs again."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "_venv").write_text((ROOT / "scripts" / "_venv").read_text())
    starter = tmp_path / "scripts" / "start"
    starter.write_text('#!/bin/sh\ntools=$1\n. "$(dirname "$0")/_venv"\n')
    starter.chmod(0o755)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\necho "$*" >> {tmp_path / "pip.log"}\n')
    python.chmod(0o755)

    def start(tools: str) -> list[str]:
        log = tmp_path / "pip.log"
        log.unlink(missing_ok=True)
        done = subprocess.run([str(starter), tools], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return [line for line in log.read_text().splitlines() if "upgrade pip" not in line] \
            if log.exists() else []

    assert start("run") == ["-m pip install -qq -e ."]
    assert start("run") == []  # installed: the next start is at once
    assert start("test") == ["-m pip install -qq -e .[test]"]
    assert start("run") == [] and start("test") == []
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "2"\n')
    assert start("run") == ["-m pip install -qq -e ."]
