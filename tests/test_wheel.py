"""The desk as a release installs it: a wheel built from this checkout, installed in a fresh
virtual environment apart from it, speaks Chinese (the catalogs ship inside), answers on the
command line, carries the sandbox's page for `estatedesk demo` and creates an estate's schema
on PostgreSQL (its baseline ships inside)."""

import os
import shutil
import subprocess
import sys
import sysconfig
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.backends import PG_URL

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding the wheel; its dependencies are this venv's (the test stays
    offline): a .pth line puts them after the venv's own packages, and the checkout's editable
    install is not among them (a .pth in that folder is not read)."""
    where = tmp_path_factory.mktemp("release")
    source = where / "source"  # as a release checks it out: no build/ or egg-info left over
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in listed.splitlines():
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    # pip apart from the checkout: with it on PYTHONPATH, its editable install's egg-info
    # would pass for the release already installed, and pip would install nothing
    alone = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "-w", str(where / "dist"), str(source)], capture_output=True, text=True, timeout=300,
        env=alone)
    assert built.returncode == 0, built.stderr
    wheel = next((where / "dist").glob("estatedesk-*.whl"))
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig."
                                "get_paths()['purelib'])"], capture_output=True, text=True,
                               check=True).stdout.strip())
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--quiet", str(wheel)], capture_output=True, text=True, timeout=300, env=alone)
    assert done.returncode == 0, done.stderr
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _run(venv: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "python"), *args], cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", **env}, capture_output=True,
                          text=True, timeout=120)


def test_a_built_wheel_ships_the_catalogs_and_runs(installed, tmp_path):
    said = _run(installed, tmp_path, "-c", "import handlers.i18n as i; "
                "print(i.LOCALES_DIR); print(i.Tr('zh_Hant', None)('Report a repair'))")
    assert said.returncode == 0, said.stderr
    where, text = said.stdout.splitlines()
    assert where.startswith(str(installed)) and text == "我要報修"
    assert Path(where, "zh_Hant", "LC_MESSAGES", "estatedesk.po").is_file()
    helped = _run(installed, tmp_path, "-m", "bot", "--help")
    assert helped.returncode == 0 and "backup" in helped.stdout and "demo" in helped.stdout


def test_the_sandbox_installs_beside_the_bot_with_its_page(installed, tmp_path):
    """`estatedesk demo` works from any install: the sandbox is its own top-level package,
    outside `bot/`, with its page and faces."""
    said = _run(installed, tmp_path, "-c", "import sandbox.demo, sandbox.web as w; "
                "print(w.STATIC)")
    assert said.returncode == 0, said.stderr
    static = Path(said.stdout.strip())
    assert static.parts[-2:] == ("sandbox", "static") and static.is_relative_to(installed)
    for page in ("index.html", "app.js", "style.css", "sandbox-tc.woff2", "sandbox-sc.woff2"):
        assert (static / page).is_file()
    helped = _run(installed, tmp_path, "-m", "bot", "demo", "--help")
    assert helped.returncode == 0 and "--port" in helped.stdout


def test_an_installed_copy_creates_an_estates_schema_on_postgresql(installed, tmp_path):
    schema = f"wheel_{uuid.uuid4().hex[:12]}"
    try:
        migrated = _run(installed, tmp_path, "-m", "bot", "db", "migrate",
                        ESTATEDESK_DB=PG_URL, ESTATEDESK_SCHEMA=schema)
        assert migrated.returncode == 0, migrated.stderr
        assert "schema version" in migrated.stdout
        with psycopg.connect(PG_URL) as conn:
            tables = conn.execute("SELECT count(*) FROM information_schema.tables "
                                  "WHERE table_schema = %s", (schema,)).fetchone()[0]
        assert tables > 20  # tickets, people, outbox, timers, …
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema)))
