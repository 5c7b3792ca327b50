"""What a start imports before the first card: not NumPy, PyYAML or SQLAlchemy.

The exercise cards are listed from ``trainer/exercises/catalog.py``; the families (and
NumPy) load when an exercise is drawn, PyYAML when a file with front matter or an
exercise block is parsed. Each of these cost a start tens of milliseconds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import open_study
from trainer.config.settings import Settings

CODE = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from trainer.config.settings import load_settings
from trainer.app.study import StudySession
from trainer.tui.app import make_app
settings = load_settings(home=Path(sys.argv[1]))
study = StudySession.open(settings)
now = datetime.now(UTC)
card = study.next_card(now)
assert card.exercise is None, card.key
make_app(settings, study)
heavy = {"numpy", "yaml", "sqlalchemy", "alembic", "pydantic_settings"}
print(len(study.cards()), sorted(m for m in sys.modules if m.split(".")[0] in heavy))
if sys.argv[2] == "exercise":
    study.card_for("exercise:conv-output-size:1", now)
    print("numpy" in sys.modules)
"""


def _start(home: Path, then: str = "") -> list[str]:
    result = subprocess.run([sys.executable, "-c", CODE, str(home), then],
                            capture_output=True, text=True, check=True)
    return result.stdout.split("\n")


def test_the_first_card_is_shown_without_numpy_yaml_or_sqlalchemy(tmp_path: Path):
    settings = Settings(home=tmp_path / "home")  # the built-in deck and the exercise cards
    open_study(settings).close()  # created, migrated and parsed once (all of those, once)
    count, exercise = _start(settings.home, "exercise")[:2]
    assert count.endswith(" []"), count
    assert int(count.split()[0]) > 100  # the built-in deck's cards and the exercise cards
    assert exercise == "True"  # posing an exercise loads the families, and NumPy with them
