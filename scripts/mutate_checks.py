#!/usr/bin/env python3
"""The mutation run of the table of who may (workflow/access.py): removes each of its checks
in turn, as a careless edit would, runs the tests and says whether they caught it. A check
the tests still pass without holds nothing: add a test until it is caught.

Each rule that restricts gives one mutant, "admit everyone" (the handlers' gate and the
workflow's check of that action let anybody through); each rule with a relation gives a
second, "any role" (the role is checked, the relation to the record is not: any resident
answers any quotation). The mutant is applied in the test process by the plugin
tests/mutation.py (ESTATEDESK_MUTATE); nothing on disk changes.

    scripts/mutate_checks.py                      every check
    scripts/mutate_checks.py --sample 10 --seed 7 ten of them, and always the four below
    scripts/mutate_checks.py keys.consent repairs.sign:relation

The four named by issue 24 (the key-loan consent, the owner's answer to a quotation, a
unit's job, the repair form's signing party) are always in a sample. Exits 1 if any mutant
was missed."""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workflow import access  # noqa: E402  (after the path: run from anywhere)

ALWAYS = ("keys.consent:relation", "office.quotation_answer:relation",
          "repairs.unit_job:relation", "repairs.sign:relation")
TESTS = ("tests/test_who_may.py::test_nobody_does_or_sees_what_the_table_does_not_let_them",)


def mutants() -> list[str]:
    found = []
    for action, rule in access.RULES.items():
        if rule.roles != access.EVERYONE:
            found.append(action)
        if rule.relation is not None:
            found.append(f"{action}:relation")
    return found


def run(mutant: str, seed: int, tests: tuple[str, ...],
        baseline: Path) -> tuple[str, bool, float, str]:
    started = time.monotonic()
    env = {**os.environ, "ESTATEDESK_MUTATE": mutant, "ESTATEDESK_WHO_MAY_FIRST": "1",
           "ESTATEDESK_WHO_MAY_SEED": str(seed), "ESTATEDESK_WHO_MAY_BASELINE": str(baseline),
           "PYTHONHASHSEED": "0"}  # the same seed plans the same presses in every run
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                           "-p", "tests.mutation", *tests], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines()
             if "AssertionError: seed" in line or line.startswith("E   ")]
    why = lines[0].split("AssertionError: ", 1)[-1].strip() if lines else ""
    if done.returncode not in (0, 1):  # not a test failure: the run itself is broken
        raise SystemExit(f"{mutant}: pytest exited {done.returncode}\n{done.stdout[-3000:]}"
                         f"{done.stderr[-3000:]}")
    return mutant, done.returncode == 1, time.monotonic() - started, why


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mutants", nargs="*", help="only these (action or action:relation)")
    parser.add_argument("--sample", type=int, help="this many, chosen with the seed")
    parser.add_argument("--seed", type=int, default=random.randrange(2**31))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--tests", nargs="+", default=list(TESTS))
    args = parser.parse_args()
    every = mutants()
    unknown = [m for m in args.mutants if m not in every]
    if unknown:
        parser.error(f"not a check of the table: {', '.join(unknown)}")
    chosen = args.mutants or every
    if args.sample is not None:
        rest = [m for m in chosen if m not in ALWAYS]
        chosen = [*ALWAYS, *random.Random(args.seed).sample(rest, min(args.sample, len(rest)))]
    print(f"mutation run: {len(chosen)} of the table's {len(every)} checks, seed {args.seed} "
          f"(--seed {args.seed} repeats it)", flush=True)
    missed = 0
    with tempfile.TemporaryDirectory() as folder:
        baseline = Path(folder) / "baseline.json"
        _, failed, seconds, why = run("", args.seed, tuple(args.tests), baseline)
        if failed or not baseline.exists():
            print(f"the tests fail with every check in place ({seconds:.0f}s): {why}")
            return 2
        print(f"with every check: the tests pass ({seconds:.1f}s)", flush=True)
        missed = _run_all(chosen, args, baseline)
    caught = len(chosen) - missed
    print(f"{caught} of {len(chosen)} caught ({100 * caught // max(len(chosen), 1)}%)")
    return 1 if missed else 0


def _run_all(chosen: list[str], args, baseline: Path) -> int:
    missed = 0
    with ThreadPoolExecutor(args.jobs) as pool:
        for mutant, caught, seconds, why in pool.map(
                lambda m: run(m, args.seed, tuple(args.tests), baseline), chosen):
            missed += not caught
            print(f"{'caught' if caught else 'MISSED'}  {mutant:<40} {seconds:5.1f}s  "
                  f"{why[:110]}", flush=True)
    return missed


if __name__ == "__main__":
    sys.exit(main())
