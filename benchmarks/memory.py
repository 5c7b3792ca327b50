"""Memory: peak RSS of the app at N cards (the app run headless in its own process)."""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.rows import Row

_CHILD = """
import asyncio, json, resource, sys, tempfile
from pathlib import Path
from zoneinfo import ZoneInfo
from benchmarks.app_latency import _answer
from benchmarks.collection import fill_database, synthetic_deck
from trainer.config import Settings
from trainer.store.database import open_database
from trainer.study import StudySession

n = int(sys.argv[1])
with tempfile.TemporaryDirectory() as tmp:
    settings = Settings(home=Path(tmp), builtin_deck=False, exercises=False, new_per_day=10_000)
    fill_database(settings.db_path, synthetic_deck(n), 0)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # From here on, what the app itself holds: its own deck, database and screens.
    import gc; gc.collect()
    study = StudySession(settings, synthetic_deck(n), open_database(settings.db_path),
                         tz=ZoneInfo("UTC"), enable_fuzzing=False)
    asyncio.run(_answer(study, settings, 10))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"peak_kib": peak, "before_kib": before}))
"""


def measure(quick: bool) -> list[Row]:
    n_cards = 2_000 if quick else 100_000
    out = subprocess.run([sys.executable, "-c", _CHILD, str(n_cards)], capture_output=True,
                         text=True, check=True).stdout
    peak = json.loads(out.strip().splitlines()[-1])["peak_kib"] / 1024
    return [Row(f"peak RSS of the app at {n_cards:,} cards", round(peak, 1), "MiB",
                "≤ 150 MiB", peak <= 150)]
