"""The benchmark command runs (at a tiny size); its numbers are never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmarks_quick_prints_json_rows():
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--json"],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    rows = json.loads(result.stdout)
    assert rows and all({"name", "value", "unit", "goal", "met", "baseline", "ratio"} <= set(r)
                        for r in rows)
