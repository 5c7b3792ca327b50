"""Memory: peak RSS of the app at N cards, measured in a process that does only what the
app does.

A first process builds the collection the way a user gets one: deck files in markdown
(``write_deck_files``) in the home's decks folder, a first ``StudySession.open`` that
imports them into a real SQLite file, then review states for 70 % of the cards (about 3 %
due today). A second, fresh process then does what ``trainer`` (the practice command)
does: ``StudySession.open(settings)``, the Textual app run headless, 10 cards answered.
Its peak RSS (``VmHWM``) is the number; the same is measured
at 100 cards, which is the fixed cost (Python, Textual, pydantic, SQLAlchemy, imports).

The first start right after the files were written (every file parsed and synced) is
reported too: it happens once per collection, and after a big import.

``python -m benchmarks.memory [N]`` prints the rows of one size.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.rows import Row

BASELINE_CARDS = 100
GOAL_MIB = 150

_BUILD = """
import sqlite3, sys
from datetime import timedelta
from pathlib import Path
import numpy as np
from benchmarks.collection import NOW, _FMT, write_deck_files
from trainer.config.settings import Settings
from trainer.app.study import StudySession

home, n, import_too = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
write_deck_files(home / "decks", n)
if import_too:
    StudySession.open(Settings(home=home)).close()  # the first start: files -> database
    rng = np.random.default_rng(0)
    with sqlite3.connect(home / "trainer.sqlite3") as c:
        ids = [r[0] for r in c.execute("SELECT id FROM cards WHERE deck LIKE 'bench%'")]
        rows = []
        for card_id in ids:
            if rng.random() < 0.7:
                due = (NOW + timedelta(days=int(rng.integers(-2, 60)), hours=-3)).strftime(_FMT)
                last = (NOW - timedelta(days=int(rng.integers(1, 40)))).strftime(_FMT)
                rows.append((float(rng.uniform(1, 80)), float(rng.uniform(1, 10)), due, last,
                             card_id))
        c.executemany("UPDATE cards SET state = 2, step = NULL, stability = ?, difficulty = ?, "
                      "due = ?, last_review = ? WHERE id = ?", rows)
        c.execute("ANALYZE")
"""

# What `trainer` does at start (cli._practice), then 10 answers in the app run headless.
_APP = """
import asyncio, json, sys
from pathlib import Path
from zoneinfo import ZoneInfo
from benchmarks.app_latency import _answer
from trainer.config.settings import Settings
from trainer.app.study import StudySession

def peak_kib():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through fork
    # and exec (a child of a big benchmark process would report the parent's peak);
    # VmHWM belongs to this program's own address space, made new by exec.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

settings = Settings(home=Path(sys.argv[1]))
study = StudySession.open(settings, tz=ZoneInfo("UTC"), enable_fuzzing=False)
topics = {c.topic for c in study.cards()}  # what cli._practice reads before the app
opened = peak_kib()
answered = asyncio.run(_answer(study, settings, 10))
assert len(answered) == 10, answered
study.close()
peak = peak_kib()
print(json.dumps({"peak_kib": peak, "opened_kib": opened, "cards": len(study.deck.cards)}))
"""


def _python(code: str, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=True).stdout


def peak_mib(n_cards: int, *, first_start: bool = False) -> tuple[float, float, int]:
    """(peak RSS, RSS peak once opened, cards in the deck) of the app at ``n_cards``, in MiB.

    ``first_start``: the files were just written, so this start parses and imports them."""
    with tempfile.TemporaryDirectory(prefix="trainer-memory-") as tmp:
        home = Path(tmp) / "home"
        _python(_BUILD, str(home), str(n_cards), "0" if first_start else "1")
        out = json.loads(_python(_APP, str(home)).strip().splitlines()[-1])
    return out["peak_kib"] / 1024, out["opened_kib"] / 1024, out["cards"]


def measure(quick: bool) -> list[Row]:
    n_cards = 2_000 if quick else 100_000
    base, _, _ = peak_mib(BASELINE_CARDS)
    peak, _, _ = peak_mib(n_cards)
    first, _, _ = peak_mib(n_cards, first_start=True)
    return [
        Row(f"peak RSS of the app at {n_cards:,} cards", round(peak, 1), "MiB",
            f"≤ {GOAL_MIB} MiB", peak <= GOAL_MIB, baseline=round(base, 1),
            ratio=round(peak / base, 2)),
        Row(f"peak RSS, first start (import) at {n_cards:,}", round(first, 1), "MiB",
            "informational", True, baseline=round(base, 1), ratio=round(first / base, 2)),
    ]


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [BASELINE_CARDS, 100_000]:
        for first_start in (False, True):
            total, opened, cards = peak_mib(size, first_start=first_start)
            label = "first start" if first_start else "start"
            print(f"{size:>8,} cards ({cards:,} in the deck), {label:<11}: peak {total:6.1f} "
                  f"MiB (after open {opened:6.1f} MiB)")
