"""Opens a study session on a database and decks (a real second process for the tests).

Usage: python sync_worker.py DB DECKS GO: waits until the file GO exists, then opens the
session (scan, identity sync), prints the number of cards and exits.
"""

import sys
import time
from pathlib import Path

from trainer.app.study import StudySession
from trainer.config.settings import Settings


def main(db: str, decks: str, go: str) -> None:
    settings = Settings(home=Path(db).parent, db=Path(db), decks=[Path(decks)],
                        builtin_deck=False, exercises=False)
    while not Path(go).exists():
        time.sleep(0.001)
    study = StudySession.open(settings)
    print(len(study.deck.cards))
    study.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
