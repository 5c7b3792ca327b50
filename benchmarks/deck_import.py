"""Deck import: a generated 10,000-card deck through the real path.

The path is the app's own: ``StudySession.open`` scans the deck folders, parses them,
matches identities and syncs every card into a real SQLite file in a temporary folder;
``reload_decks`` is what live reload and `r` run. Measured:

- import: the first start with 10,000 new cards (100 files of 100 cards), into a database
  that exists (created and migrated beforehand: that cost does not depend on the deck);
- re-scan unchanged: reading and hashing every file again, nothing to parse or write;
- re-open unchanged: a second start-up (the parses come from the store's cache);
- one file edited: a live reload after one file of 100 cards was saved.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.rows import Row
from trainer.app.study import StudySession
from trainer.config.settings import Settings
from trainer.store.database import open_database

GOAL_IMPORT_S = 2.0
GOAL_RESCAN_S = 0.2
PER_FILE = 100


def card(n: int) -> str:
    """A realistic card: half with an explicit id, math, a list, sometimes code or cloze."""
    suffix = f" {{#card-{n}}}" if n % 2 else ""
    if n % 10 == 3:
        return (f"## Card {n}: the {{{{c1::receptive field}}}} of {n % 7 + 2} stacked 3×3 "
                f"convolutions is {2 * (n % 7 + 2) + 1}.\n")
    body = (f"For card {n}: $\\left\\lfloor \\frac{{H + 2P - K}}{{S}} \\right\\rfloor + 1$ "
            f"with $H = {n % 50 + 8}$.\n\n- stride {n % 3 + 1}\n- padding {n % 2}\n")
    if n % 10 == 7:
        body += f"\n```python\nnn.Conv2d({n % 64 + 1}, 64, 3, padding=1)\n```\n"
    return f"## What is the output size in case {n}?{suffix}\n\ntags: generated\n\n{body}"


def generate(folder: Path, cards: int) -> Path:
    folder.mkdir(parents=True)
    for start in range(0, cards, PER_FILE):
        topic = f"topic-{start // PER_FILE:03d}"
        text = "\n".join(card(n) for n in range(start, min(start + PER_FILE, cards)))
        (folder / f"{topic}.md").write_text(f"---\ntopic: {topic}\n---\n\n{text}",
                                            encoding="utf-8")
    return folder


def _timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def measure(quick: bool) -> list[Row]:
    target = 500 if quick else 10_000
    with tempfile.TemporaryDirectory(prefix="trainer-bench-") as tmp:
        root = Path(tmp)
        decks = generate(root / "decks", target)
        settings = Settings(home=root / "home", db=root / "home" / "bench.sqlite3",
                            decks=[decks], builtin_deck=False, exercises=False)
        open_database(settings.db_path).close()  # created and migrated: not the deck's cost
        study, imported = _timed(lambda: StudySession.open(settings))
        count = len(study.deck.cards)  # cloze notes make two cards each
        rescans = []
        for _ in range(5):
            changes, seconds = _timed(study.reload_decks)
            assert not changes.any, "nothing changed: nothing must be parsed"
            rescans.append(seconds)
        study.close()
        study, reopened = _timed(lambda: StudySession.open(settings))
        edited = decks / "topic-000.md"
        edited.write_text(edited.read_text(encoding="utf-8").replace("case 0?", "case zero?"),
                          encoding="utf-8")
        changes, reloaded = _timed(study.reload_decks)
        assert changes.changed == [str(edited)] and len(study.deck.cards) == count
        study.close()
    rescan = statistics.median(rescans)
    return [
        Row(f"deck import, {count:,} cards", round(imported, 3), "s",
            f"≤ {GOAL_IMPORT_S:g} s", imported <= GOAL_IMPORT_S),
        Row("deck re-scan, unchanged", round(rescan, 4), "s", f"≤ {GOAL_RESCAN_S:g} s",
            rescan <= GOAL_RESCAN_S),
        Row("deck re-open, unchanged", round(reopened, 3), "s", "informational", True),
        Row("deck reload, 1 file edited", round(reloaded, 3), "s", "live reload ≤ 2 s",
            reloaded <= 2.0),
    ]
