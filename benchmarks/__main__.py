"""python -m benchmarks [--json] [--quick]: measure, print one table."""

from __future__ import annotations

import argparse
import json
import sys

from benchmarks import exercises


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print a JSON list of rows")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (for the test suite)")
    args = parser.parse_args(argv)
    seeds = 20 if args.quick else 1000
    print(f"exercises: {seeds} seeds per family …", file=sys.stderr)
    rows, per_family = exercises.measure(seeds)
    if args.json:
        print(json.dumps([r.as_dict() for r in rows], indent=1))
        return 0
    print(f"{'benchmark':<32} {'value':>10} {'unit':<5} {'goal':<16} met")
    for row in rows:
        print(f"{row.name:<32} {row.value:>10} {row.unit:<5} {row.goal:<16} "
              f"{'yes' if row.met else 'NO'}")
    print("\nper exercise family (ms): median / p99")
    for name, (med, p99) in per_family.items():
        print(f"  {name:<30} {med:8.4f} / {p99:8.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
