"""A trainer session that answers COUNT cards, says so, then waits to be killed.

Run as ``python crash_worker.py HOME DECKS COUNT``: it opens the study session through the
real code path, answers COUNT cards (grade 3, the real clock), prints ``answered N`` and
then sleeps with its connections open, so a SIGKILL leaves a real ``-wal`` file holding
those answers (the app never checkpoints inside a commit).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from trainer.app.study import StudySession
from trainer.config.settings import Settings


def main(home: str, decks: str, count: str) -> None:
    settings = Settings(home=Path(home), builtin_deck=False, exercises=False,
                        decks=[Path(decks)], new_per_day=1000)
    study = StudySession.open(settings, tz=ZoneInfo("UTC"), enable_fuzzing=False)
    for _ in range(int(count)):
        now = datetime.now(UTC)
        study.answer(study.next_card(now).key, 3, now)
    print(f"answered {count}", flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main(*sys.argv[1:])
