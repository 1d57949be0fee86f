"""The office's documents at a million tickets: the monthly repair report (figures and its
workbook) and the repair ledger of one year, streamed.

    .venv/bin/python bench/documents.py [--size 1000000] [--residents 10000] [--smoke]

Builds the same database as bench/scale.py (one ticket a minute, years of use), then times
the monthly report for November 2026 and writes the ledger of the last 365 days (about a
third of a million rows) to a file, measuring how far the process's resident memory grows
while it does. Baselines, in the same process: /stats of the month (the figures the chat
shows), and reading the year's ledger rows without writing them. Prints seconds, ratios
and megabytes. `--smoke`: 2,000 tickets two hours apart (the quarter settled has jobs), one
run, in seconds, failing when a document comes out empty (CI runs it:
tests/test_benchmarks.py)."""

from __future__ import annotations

import argparse
import asyncio
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale import NOW, build  # noqa: E402
from handlers.i18n import Tr  # noqa: E402
from handlers.office import pdfs, spreadsheets
from storage.db import Database  # noqa: E402
from workflow import stats
from workflow.office import reports, settlement
from workflow.settings import EstateSettings  # noqa: E402

RUNS = 3


def rss_mb() -> float:
    """The resident set now (not the peak): /proc's VmRSS."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(path: Path, folder: Path, runs: int = RUNS) -> dict[str, float]:
    settings = EstateSettings()
    tr = Tr("zh_Hant", settings.tz)
    db = Database(str(path))
    await db.open()
    month = date(2026, 11, 1)
    start, end = stats.month_bounds(settings, month)
    figures: dict[str, list[float]] = {"stats": [], "monthly": []}
    for _ in range(runs):
        began = time.perf_counter()
        await db.off_loop(lambda conn: stats.month_figures(conn, month, start, end))
        figures["stats"].append(time.perf_counter() - began)
        began = time.perf_counter()
        data = await reports.monthly(db, settings, month)
        spreadsheets.monthly_xlsx(tr, settings, data, folder / "monthly.xlsx")
        figures["monthly"].append(time.perf_counter() - began)
    last = NOW.astimezone(settings.tz).date()
    first = date(last.year - 1, last.month, last.day)
    before = rss_mb()
    began = time.perf_counter()
    read = await reports.each_ledger_row(db, settings, first, last, lambda row: None)
    read_seconds = time.perf_counter() - began
    began = time.perf_counter()
    writer = spreadsheets.LedgerWriter(tr, settings, folder / "ledger.xlsx")
    peak = [before]

    def write(row: tuple) -> None:
        writer(row)
        if writer.row % 20_000 == 0:
            peak.append(rss_mb())
    rows = await reports.each_ledger_row(db, settings, first, last, write)
    writer.close()
    ledger_seconds = time.perf_counter() - began
    peak.append(rss_mb())
    settle = []
    for _ in range(runs):
        began = time.perf_counter()
        data = await settlement.of_unit(db, settings, "aqua", "2026-Q3")
        pdfs.settlement_pdf(tr, settings, data, folder / "settlement.pdf")
        spreadsheets.settlement_xlsx(tr, settings, data, folder / "settlement.xlsx")
        settle.append(time.perf_counter() - began)
    await db.close()
    assert rows == read
    return {"stats": min(figures["stats"]), "monthly": min(figures["monthly"]),
            "rows": rows, "read": read_seconds, "ledger": ledger_seconds,
            "growth": max(peak) - before, "size": (folder / "ledger.xlsx").stat().st_size,
            "settlement": min(settle), "settled": len(data.jobs)}


def liable(path: Path) -> None:
    """A responsible unit liable for one job in a hundred (a big builder's plumbing
    contractor: some 1,300 a quarter here), and a few taken over from it; the desk has
    confirmed each one's figures when it was done (計量確認: only such a job is settled)."""
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO contractors (id, name, phone, trades, key) VALUES "
                     "(1, 'Aqua Works', '', 'plumbing', 'aqua')")
        conn.execute("UPDATE tickets SET contractor_id = 1 WHERE id % 100 = 0")
        conn.execute("UPDATE tickets SET defaulted_contractor_id = 1 WHERE id % 997 = 0")
        conn.execute("INSERT INTO measurements (ticket_id, at, actor_id, kind, labour_hours, "
                     "labour_cost, materials_cost) SELECT id, completed_at, 1, 'confirmed', "
                     "1.5, 600, 120 FROM tickets WHERE completed_at IS NOT NULL AND "
                     "(contractor_id = 1 OR defaulted_contractor_id = 1)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--smoke", action="store_true",
                        help="2,000 tickets two hours apart from 200 residents, one run: seconds")
    args = parser.parse_args()
    every, runs = timedelta(minutes=1), RUNS
    if args.smoke:
        args.size, args.residents, every, runs = 2000, 200, timedelta(hours=2), 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        build(path, args.size, args.residents, every)
        liable(path)
        print(f"built {args.size:,} tickets in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
        found = asyncio.run(measure(path, Path(folder), runs))
        empty = [name for name in ("rows", "size", "settled") if not found[name]]
        if empty:
            raise SystemExit(f"FAILED: nothing to measure: {', '.join(empty)} came out 0")
    print(f"monthly report (figures + workbook): {found['monthly']:.2f} s "
          f"({found['monthly'] / found['stats']:.2f}x /stats of the month, "
          f"{found['stats']:.2f} s)")
    print(f"ledger of a year: {found['rows']:,} rows in {found['ledger']:.1f} s "
          f"({found['ledger'] / found['read']:.1f}x reading them alone, {found['read']:.1f} s); "
          f"{found['size'] / 1e6:.0f} MB file; resident memory grew {found['growth']:.0f} MB")
    print(f"quarterly settlement of a unit (PDF and XLSX): {found['settled']:,} jobs in "
          f"{found['settlement']:.2f} s ({found['settlement'] / found['stats']:.2f}x /stats)")


if __name__ == "__main__":
    main()
