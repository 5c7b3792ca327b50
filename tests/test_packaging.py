"""A wheel install must carry the built-in deck (pip install ., not only editable)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_the_builtin_deck(tmp_path: Path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
         str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = tmp_path.glob("trainer-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n for n in names if n.startswith("trainer/_content/") and n.endswith(".md")}
    source = {f"trainer/_content/{p.relative_to(ROOT / 'content').as_posix()}"
              for p in (ROOT / "content").rglob("*.md")}
    assert shipped == source and len(shipped) >= 20
    assert "trainer/store/migrations/versions/0001_initial.py" in names
    assert "trainer/tui/app.tcss" in names
