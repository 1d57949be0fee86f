"""The desk as a release installs it: a wheel built from this checkout, installed apart from
it, speaks Chinese (the catalogs ship inside) and answers on the command line."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_built_wheel_ships_the_catalogs_and_runs(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "-w", str(tmp_path / "dist"), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("estatedesk-*.whl"))
    site = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site),
         str(wheel)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    assert (site / "locales" / "zh_Hant" / "LC_MESSAGES" / "estatedesk.po").is_file()
    # the sandbox's page and its faces
    for page in ("index.html", "app.js", "style.css", "sandbox-tc.woff2", "sandbox-sc.woff2"):
        assert (site / "bot" / "sandbox" / "static" / page).is_file()
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    said = subprocess.run(
        [sys.executable, "-c", "import handlers.i18n as i; "
         "print(i.LOCALES_DIR); print(i.Tr('zh_Hant', None)('Report a repair'))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert said.returncode == 0, said.stderr
    where, text = said.stdout.splitlines()
    assert where.startswith(str(site)) and text == "我要報修"
    helped = subprocess.run([sys.executable, "-m", "bot", "--help"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "backup" in helped.stdout and "demo" in helped.stdout
