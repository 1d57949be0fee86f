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

