"""One trainer instance answering cards as fast as it can, for the concurrency test.

Run as a script: ``python answer_worker.py DB DECKS COUNT GO_FILE GRADES``. It waits for
GO_FILE to exist (so two instances start together), opens the study session through the
real code path (creating the database if it is not there yet), waits for GO_FILE.answer
(so both answer together), then answers COUNT cards with the real clock, cycling through
GRADES (e.g. "3" or "1234") and looking at each card for THINK_MS milliseconds (as a person
would: two windows then show, and answer, the same card), and prints one JSON line:
``[[review_id, card_key, grade], ...]``. Any exception escapes: a traceback on stderr and
a non-zero exit status are what the test looks for.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from trainer.app.study import StudySession
from trainer.config.settings import Settings

THINK_MS = 5


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{path} never appeared")
        time.sleep(0.002)


def main(db: str, decks: str, count: str, go: str, grades: str) -> None:
    settings = Settings(home=Path(db).parent, db=Path(db), builtin_deck=False,
                        exercises=False, decks=[Path(decks)], new_per_day=1000)
    wait_for(Path(go))
    study = StudySession.open(settings, tz=ZoneInfo("UTC"), enable_fuzzing=False)
    print("ready", flush=True)
    wait_for(Path(go + ".answer"))
    answered = []
    for index in range(int(count)):
        now = datetime.now(UTC)
        card = study.next_card(now)
        if card is None:
            raise SystemExit(f"no card to answer after {index} answers")
        grade = int(grades[index % len(grades)])
        time.sleep(THINK_MS / 1000)
        outcome = study.answer(card.key, grade, now)
        answered.append([outcome.review_id, card.key, grade])
    study.close()
    print(json.dumps(answered))


if __name__ == "__main__":
    main(*sys.argv[1:])
