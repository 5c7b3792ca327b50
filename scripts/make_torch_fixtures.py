#!/usr/bin/env python3
"""Regenerate data/torch_fixtures/ from PyTorch (needs torch==2.13.0, CPU).

Every differential case of tests/solver/solver_cases.py draws its configurations from a
seeded numpy Generator, runs them through torch and stores the configurations with torch's
results (or the error it raised).  The default test run compares the solver with these
files and needs no torch.

    python scripts/make_torch_fixtures.py [--check] [CASE ...]

--check also runs the solver on every configuration and reports mismatches.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "solver"))

import solver_cases as sc  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help=f"subset of: {', '.join(sc.CASES)}")
    parser.add_argument("--check", action="store_true", help="compare the solver too")
    args = parser.parse_args(argv)
    torch, reason = sc.torch_status()
    if torch is None:
        print(f"error: {reason}; install torch=={sc.TORCH_VERSION}", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    unknown = [c for c in args.cases if c not in sc.CASES]
    if unknown:
        parser.error(f"unknown cases: {unknown}")
    status = 0
    total = 0
    for name in args.cases or list(sc.CASES):
        case = sc.CASES[name]
        start = time.perf_counter()
        configs = sc.generate_configs(case)
        results = [sc.run_torch(case, cfg) for cfg in configs]
        path = sc.save_fixture(case, configs, results, torch.__version__)
        size = path.stat().st_size
        total += size
        errors = sum("error" in r for r in results)
        line = (f"{name:32s} {len(configs)} configs ({errors} torch errors) "
                f"{size / 1024:7.1f} KiB {time.perf_counter() - start:5.1f}s")
        if args.check:
            solver = [sc.run_solver(case, cfg) for cfg in configs]
            failures = sc.check_case(case, configs, results, solver, limit=3)
            line += "  OK" if not failures else "  MISMATCH"
            if failures:
                status = 1
                line += "\n" + "\n".join(failures)
        print(line, flush=True)
    print(f"total {total / 1024 / 1024:.2f} MiB in {sc.FIXTURE_DIR}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
