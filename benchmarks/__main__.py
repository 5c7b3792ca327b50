"""python -m benchmarks [--json] [--quick]: measure, print one table."""

from __future__ import annotations

import argparse
import json
import sys

from benchmarks import (
    app_latency,
    deck_import,
    exercises,
    interview_sim,
    memory,
    startup,
    stats,
    store,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print a JSON list of rows")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (for the test suite)")
    args = parser.parse_args(argv)
    seeds = 20 if args.quick else 1000
    print("start-up: trainer and a bare Textual app in tmux …", file=sys.stderr)
    rows = startup.measure(args.quick)
    print("answer latency: the app driven headless at growing collections …", file=sys.stderr)
    rows += app_latency.measure(args.quick)
    print("store: answer + next due card, ours against sqlite3 by hand …", file=sys.stderr)
    rows += store.measure(args.quick)
    print("memory: peak RSS of the app …", file=sys.stderr)
    rows += memory.measure(args.quick)
    print(f"exercises: {seeds} seeds per family …", file=sys.stderr)
    exercise_rows, per_family = exercises.measure(seeds)
    rows += exercise_rows
    print("interview simulation: panels of simulated learners (3 a setting when --quick, "
          "else 20), paced FSRS vs interview mode …", file=sys.stderr)
    rows += interview_sim.measure(args.quick)  # prints its comparison table on stderr
    print("stats: building a collection of reviews …", file=sys.stderr)
    rows += stats.measure(args.quick)
    print("deck import: generated cards scanned and synced into SQLite …", file=sys.stderr)
    rows += deck_import.measure(args.quick)
    if args.json:
        print(json.dumps([r.as_dict() for r in rows], indent=1))
        return 0
    print(f"{'benchmark':<44} {'value':>10} {'unit':<5} {'baseline':>9} {'ratio':>6}  "
          f"{'goal':<28} met")
    for row in rows:
        baseline = "" if row.baseline is None else row.baseline
        ratio = "" if row.ratio is None else row.ratio
        print(f"{row.name:<44} {row.value:>10} {row.unit:<5} {baseline:>9} {ratio:>6}  "
              f"{row.goal:<28} {'yes' if row.met else 'NO'}")
    print("\nper exercise family (ms): median / p99")
    for name, (med, p99) in per_family.items():
        print(f"  {name:<30} {med:8.4f} / {p99:8.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
