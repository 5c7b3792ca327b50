"""Two trainers starting at once on one database and one new deck: one row per card."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.authoring.conftest import rows

WORKER = Path(__file__).resolve().parent / "sync_worker.py"
ROOT = Path(__file__).resolve().parents[2]


def test_two_instances_syncing_the_same_new_cards_at_once(tmp_path: Path):
    decks = tmp_path / "decks"
    decks.mkdir()
    for f in range(5):
        (decks / f"f{f}.md").write_text("".join(
            f"## Question {f}-{i}?\n\nAnswer {i}.\n\n" for i in range(100)), encoding="utf-8")
    db, go = tmp_path / "home" / "t.sqlite3", tmp_path / "go"
    db.parent.mkdir()
    workers = [subprocess.Popen([sys.executable, str(WORKER), str(db), str(decks), str(go)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(2)]
    go.touch()
    results = [w.communicate(timeout=120) for w in workers]
    for worker, (out, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err
        assert out.strip() == "500" and err == ""
    assert rows(db, "SELECT count(*), count(DISTINCT key) FROM cards") == [(500, 500)]
    assert rows(db, "SELECT count(*) FROM card_sources") == [(500,)]
