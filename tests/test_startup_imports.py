"""A SQLite estate's polling process starts without PostgreSQL's driver, the document
libraries, the webhook worker's server and /stats' medians (statistics, fractions): they cost
it ~50 MiB of its idle memory (issue 27: idle ≤ 60 MiB) and load where they are used (a
postgresql:// URL, the first PDF, workbook or chart, `estatedesk serve`, the first /stats,
the first /mydata, a unit not found, a command-line import)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("psycopg", "psycopg_pool", "storage.postgres", "storage.pg_copy", "reportlab",
         "xlsxwriter", "fpdf", "fontTools", "matplotlib", "numpy", "PIL",
         "pylopdf_fonts_zh_tw", "pylopdf_fonts_zh_cn", "starlette", "uvicorn", "bot.serve",
         "statistics", "fractions", "nacl", "cryptography", "linebot", "aiohttp", "pydantic",
         # the catalogs' compiler, a typo's close matches, LINE's own modules, the command
         # line's import tools and /mydata's export: each loads where it is used
         "babel.messages", "difflib", "getpass", "handlers.channels.line", "storage.channels.line_pushes",
         "workflow.registers.key_import", "handlers.onboarding.sheet", "workflow.privacy.export",
         "storage.privacy.export", "handlers.privacy.readable")


def loaded_after(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys\n"
         f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"],
        cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_the_application_and_the_command_line_start_light():
    assert loaded_after("import bot.app, bot.cli") == []


def test_a_sqlite_estate_opens_without_the_postgresql_driver(tmp_path):
    code = (f"import asyncio\nfrom storage.backend import open_database\n"
            f"db = open_database({str(tmp_path / 'desk.sqlite3')!r})\n"
            f"asyncio.run(db.open())")
    assert loaded_after(code) == []


def test_a_postgresql_url_loads_the_driver():
    code = ("from storage.backend import open_database\n"
            "open_database('postgresql://postgres@127.0.0.1:1/none')")
    assert "psycopg" in loaded_after(code)


def test_no_production_module_loads_the_sandbox():
    """Every module of bot/, handlers/, workflow/ and storage/ imported, the sandbox (a tool
    and the tests' stand-in of Telegram) is still not loaded: only `estatedesk demo` loads it
    (tests/test_sandbox.py starts the demo as the README says)."""
    every = ("import importlib, pkgutil, sys\n"
             "for package in ('bot', 'handlers', 'workflow', 'storage'):\n"
             "    for found in pkgutil.walk_packages(importlib.import_module(package).__path__,\n"
             "                                       package + '.'):\n"
             "        if not found.name.endswith('__main__'):  # it would run the command line\n"
             "            importlib.import_module(found.name)\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sandbox'))")
    done = subprocess.run([sys.executable, "-c", every], cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
